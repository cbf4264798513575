"""Identity pages: who may open them, what they show, and the flows behind their forms."""

import datetime

import pytest
from django.urls import reverse

from dcc.records.enums import CareRelationshipKind, TrailAction
from dcc.records.models import AccessTrail
from dcc.records.services import care_relationship_add
from identity import services
from identity.enums import InsiDecision, RnivStatus
from identity.insi.standin import TEST_IDENTITIES
from identity.merge import patient_merge
from identity.models import InsiLookup, Patient, PatientMerge
from tests.helpers import assert_access
from tests.identity.factories import LocalIdentifierFactory, PatientFactory

pytestmark = pytest.mark.django_db

CARE = {"secretary_3c", "doctor", "doctor_other_3c", "medical_secretary", "annonce_nurse", "gp"}
HOSPITAL_TEAM = {"doctor", "medical_secretary", "annonce_nurse"}


def _hospital_patient(personas, **kwargs):
    patient = PatientFactory(**kwargs)
    care_relationship_add(
        patient=patient, kind=CareRelationshipKind.TREATING_ESTABLISHMENT, establishment=personas.hospital
    )
    return patient


def test_search_access(client, personas):
    assert_access(client, personas, reverse("identity:search"), allowed=CARE)


def test_create_access(client, personas):
    assert_access(client, personas, reverse("identity:create"), allowed=CARE)


def test_detail_and_edit_access_follow_the_care_relationships(client, personas):
    patient = _hospital_patient(personas)
    assert_access(client, personas, reverse("identity:detail", args=[patient.pk]), allowed=HOSPITAL_TEAM)
    assert_access(client, personas, reverse("identity:edit", args=[patient.pk]), allowed=HOSPITAL_TEAM)


def test_quality_access(client, personas):
    assert_access(client, personas, reverse("identity:quality"), allowed={"secretary_3c", "admin"})


def test_merge_access(client, personas):
    first, second = _hospital_patient(personas), _hospital_patient(personas)
    for patient in (first, second):
        care_relationship_add(patient=patient, kind=CareRelationshipKind.THREE_C, three_c=personas.three_c)
    assert_access(
        client, personas, reverse("identity:merge", args=[first.pk, second.pk]), allowed={"secretary_3c", "admin"}
    )


def test_unmerge_access(client, personas):
    merge = patient_merge(kept=PatientFactory(), absorbed=PatientFactory(), user=None, reason="x")
    url = reverse("identity:unmerge", args=[merge.pk])
    assert_access(client, personas, url, allowed={"admin"}, method="post", data={"reason": "erreur"}, ok_status=302)
    merge.refresh_from_db()
    assert merge.reverted_at is not None


@pytest.mark.parametrize("name", ["insi_traits", "insi_vitale", "proof", "local_identifier", "downgrade"])
def test_patient_actions_are_refused_outside_the_care(client, personas, name):
    patient = _hospital_patient(personas)
    client.force_login(personas["doctor_other_3c"])
    assert client.post(reverse(f"identity:{name}", args=[patient.pk]), {}).status_code == 403
    client.force_login(personas["gp"])
    assert client.get(reverse(f"identity:{name}", args=[patient.pk])).status_code == 405


def test_search_shows_identity_only_outside_the_care_and_is_traced(client, personas, django_assert_max_num_queries):
    mine = _hospital_patient(personas, birth_name="ROUMÉGOUX")
    other = PatientFactory(birth_name="ROUMEGOUX", first_given_name="PAUL", given_names="PAUL")
    for index in range(10):
        _hospital_patient(personas, birth_name=f"ROUMEGOUX{index}")
    client.force_login(personas["doctor"])
    with django_assert_max_num_queries(16):  # constant: 11 results, no query per row
        response = client.get(reverse("identity:search"), {"q": "roumegoux"})
    html = response.content.decode()
    assert reverse("identity:detail", args=[mine.pk]) in html
    assert reverse("identity:detail", args=[other.pk]) not in html
    # Outside his patients, a fragment finds nothing (issue 16, finding 5); an exact identity does.
    assert html.count("hors prise en charge") == 0 and "PAUL" not in html
    lines = AccessTrail.objects.filter(user=personas["doctor"], action=TrailAction.SEARCH)
    assert lines.count() == 12  # the search, and each of the 11 patients shown
    html = client.get(
        reverse("identity:search"), {"q": "roumegoux paul", "birth_date": other.birth_date.isoformat()}
    ).content.decode()
    assert html.count("hors prise en charge") == 1
    assert lines.filter(patient_id=other.pk).count() == 1


def test_search_rejects_a_malformed_ins(client, personas):
    client.force_login(personas["doctor"])
    response = client.get(reverse("identity:search"), {"ins": "123"})
    assert "15 caractères" in response.content.decode()


def test_search_by_ipp_htmx_fragment(client, personas):
    patient = _hospital_patient(personas)
    LocalIdentifierFactory(patient=patient, establishment=personas.hospital, value="77-12")
    client.force_login(personas["medical_secretary"])
    response = client.get(reverse("identity:search"), {"ipp": "77-12"}, headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode() and patient.display_name in response.content.decode()


FORM = {
    "birth_name": "Lefèvre", "first_given_name": "Hélène", "given_names": "Hélène Anne", "sex": "F",
    "birth_date": "1954-03-12", "birth_place_code": "86194",
}  # fmt: skip


def test_create_warns_about_a_likely_duplicate_before_saving(client, personas):
    existing = _hospital_patient(personas, birth_name="LEFEVRE", first_given_name="HELENE", given_names="HELENE ANNE")
    client.force_login(personas["doctor"])
    response = client.post(reverse("identity:create"), FORM)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Doublons possibles" in html and existing.display_name in html
    assert Patient.objects.count() == 1
    response = client.post(reverse("identity:create"), {**FORM, "confirm_new": "on"})
    created = Patient.objects.exclude(pk=existing.pk).get()
    assert response.url == reverse("identity:detail", args=[created.pk])
    assert created.birth_name == "LEFEVRE" and created.rniv_status == RnivStatus.PROVISOIRE


def test_the_duplicate_warning_names_outside_patients_only_when_they_are_exactly_the_identity_typed(client, personas):
    """Issue 16: a fuzzy warning must not let a user browse the region's identities by typing a near name."""
    close = PatientFactory(
        birth_name="LEFEBVRE", first_given_name="HELENE", birth_date=datetime.date(1954, 3, 12), birth_place_code=""
    )
    client.force_login(personas["doctor"])
    html = client.post(reverse("identity:create"), FORM).content.decode()
    assert "Doublons possibles" in html and "Identité proche hors de vos patients" in html
    assert close.display_name not in html and "LEFEBVRE" not in html
    assert not AccessTrail.objects.filter(patient_id=close.pk).exists()

    exact = PatientFactory(birth_name="LEFEVRE", first_given_name="HELENE", birth_date=datetime.date(1954, 3, 12))
    html = client.post(reverse("identity:create"), FORM).content.decode()
    assert exact.display_name in html and "hors prise en charge" in html and "LEFEBVRE" not in html
    assert AccessTrail.objects.filter(patient_id=exact.pk, action=TrailAction.SEARCH).count() == 1
    assert not AccessTrail.objects.filter(patient_id=close.pk).exists()


def test_create_without_duplicate_saves_at_once_and_reports_bad_input(client, personas):
    client.force_login(personas["medical_secretary"])
    response = client.post(reverse("identity:create"), {**FORM, "birth_date": "2999-01-01"})
    assert "futur" in response.content.decode() and not Patient.objects.exists()
    response = client.post(reverse("identity:create"), FORM)
    assert response.status_code == 302 and Patient.objects.count() == 1
    response = client.get(response.url)
    assert response.status_code == 200  # the creator's establishment link opens the record


def test_detail_shows_status_history_and_is_traced(client, personas, django_assert_max_num_queries):
    patient = _hospital_patient(personas, qualified=True)
    LocalIdentifierFactory(patient=patient, establishment=personas.hospital)
    services.patient_update(patient=patient, user=personas["doctor"], data={"phone": "05"}, reason="appel")
    client.force_login(personas["doctor"])
    with django_assert_max_num_queries(24):
        response = client.get(reverse("identity:detail", args=[patient.pk]))
    html = response.content.decode()
    assert "Identité qualifiée" in html and patient.ins_matricule in html and "appel" in html
    assert AccessTrail.objects.filter(patient_id=patient.pk, action=TrailAction.READ).count() == 1


def test_detail_of_an_absorbed_identity_redirects_to_the_kept_one(client, personas):
    kept, absorbed = _hospital_patient(personas), _hospital_patient(personas)
    patient_merge(kept=kept, absorbed=absorbed, user=None, reason="x")
    client.force_login(personas["doctor"])
    response = client.get(reverse("identity:detail", args=[absorbed.pk]))
    assert response.url == reverse("identity:detail", args=[kept.pk])


def test_edit_of_a_qualified_identity_keeps_strict_traits(client, personas):
    patient = _hospital_patient(personas, qualified=True)
    client.force_login(personas["doctor"])
    response = client.get(reverse("identity:edit", args=[patient.pk]))
    assert "ne se modifient que par un nouvel appel" in response.content.decode()
    assert AccessTrail.objects.filter(patient_id=patient.pk, action=TrailAction.READ).count() == 1
    data = {**FORM, "birth_name": "PIRATE", "used_name": "Nom d'usage", "reason": "mariage"}
    response = client.post(reverse("identity:edit", args=[patient.pk]), data)
    patient.refresh_from_db()
    assert response.status_code == 302 and patient.birth_name != "PIRATE" and patient.used_name == "NOM D'USAGE"


def test_proof_view_validates(client, personas):
    patient = _hospital_patient(personas)
    client.force_login(personas["medical_secretary"])
    client.post(reverse("identity:proof", args=[patient.pk]), {"document": "passeport"})
    patient.refresh_from_db()
    assert patient.rniv_status == RnivStatus.VALIDEE


def test_local_identifier_view_only_offers_the_users_establishments(client, personas):
    patient = _hospital_patient(personas)
    client.force_login(personas["doctor"])
    url = reverse("identity:local_identifier", args=[patient.pk])
    client.post(url, {"establishment": personas.other_hospital.pk, "value": "1"})
    assert not patient.local_identifiers.exists()
    client.post(url, {"establishment": personas.hospital.pk, "value": "1"})
    assert patient.local_identifiers.get().value == "1"


def test_insi_flow_from_the_identity_page(client, personas, insi):
    identity = TEST_IDENTITIES[0]
    patient = _hospital_patient(
        personas, birth_name="Cornebis", first_given_name="Helene", given_names="Helene", sex=identity.sex,
        birth_date=identity.birth_date, birth_place_code=identity.birth_place_code, validated=True,
    )  # fmt: skip
    client.force_login(personas["doctor"])
    client.post(reverse("identity:insi_traits", args=[patient.pk]))
    lookup = InsiLookup.objects.get(patient=patient)
    html = client.get(reverse("identity:detail", args=[patient.pk])).content.decode()
    assert "Identique après normalisation" in html and "Différent" in html  # given names: HELENE vs HELENE MARIE
    client.post(reverse("identity:insi_accept", args=[patient.pk, lookup.pk]))
    patient.refresh_from_db()
    assert patient.rniv_status == RnivStatus.QUALIFIEE and patient.given_names == "HELENE MARIE"


def test_insi_errors_are_shown_and_nothing_is_recorded(client, personas, insi):
    patient = _hospital_patient(personas, birth_name="ERREURSOAP")
    client.force_login(personas["doctor"])
    response = client.post(reverse("identity:insi_traits", args=[patient.pk]), follow=True)
    assert "Erreur technique" in response.content.decode() and not InsiLookup.objects.exists()
    response = client.post(
        reverse("identity:insi_vitale", args=[patient.pk]), {"nir": "1", "birth_rank": 1}, follow=True
    )
    assert "15 caractères" in response.content.decode()


def test_insi_reject_view(client, personas, insi):
    identity = TEST_IDENTITIES[3]
    patient = _hospital_patient(
        personas, birth_name=identity.birth_name, first_given_name="AMINATA", given_names="AMINATA", sex="F",
        birth_date=identity.birth_date, birth_place_code=identity.birth_place_code,
    )  # fmt: skip
    client.force_login(personas["doctor"])
    client.post(reverse("identity:insi_vitale", args=[patient.pk]), {"nir": identity.matricule, "birth_rank": 1})
    lookup = InsiLookup.objects.get()
    client.post(reverse("identity:insi_reject", args=[patient.pk, lookup.pk]), {"reason": "homonyme"})
    lookup.refresh_from_db()
    assert lookup.decision == InsiDecision.REJECTED


def test_quality_lists_pairs_and_merge_view_merges(client, personas, django_assert_max_num_queries):
    first = _hospital_patient(personas, birth_name="DUPONT")
    second = _hospital_patient(personas, birth_name="DUPONTE")
    client.force_login(personas["admin"])
    with django_assert_max_num_queries(14):
        html = client.get(reverse("identity:quality")).content.decode()
    assert reverse("identity:merge", args=[first.pk, second.pk]) in html
    assert "Qui crée l'identité" in html
    url = reverse("identity:merge", args=[first.pk, second.pk])
    response = client.post(url, {"kept": first.pk, "reason": ""})
    assert response.status_code == 200 and not PatientMerge.objects.exists()
    response = client.post(url, {"kept": first.pk, "reason": "même personne"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.merged_into == first


def test_merge_view_explains_a_refusal(client, personas):
    first, second = PatientFactory(qualified=True), PatientFactory(qualified=True)
    client.force_login(personas["admin"])
    response = client.post(reverse("identity:merge", args=[first.pk, second.pk]), {"kept": first.pk, "reason": "x"})
    assert "INS différents" in response.content.decode()


def test_navigation_shows_patients_to_care_profiles_only(client, personas):
    client.force_login(personas["doctor"])
    assert reverse("identity:search") in client.get(reverse("home")).content.decode()
    client.force_login(personas["registry"])
    assert reverse("identity:search") not in client.get(reverse("home")).content.decode()


def test_birth_date_form_field_accepts_iso_dates(client, personas):
    _hospital_patient(personas, birth_date=datetime.date(1971, 5, 6))
    client.force_login(personas["doctor"])
    response = client.get(reverse("identity:search"), {"birth_date": "1971-05-06"})
    assert "06/05/1971" in response.content.decode()


def test_datamatrix_view(client, personas):
    patient = _hospital_patient(personas, qualified=True)
    url = reverse("identity:datamatrix", args=[patient.pk])
    assert_access(client, personas, url, allowed=HOSPITAL_TEAM)
    client.force_login(personas["doctor"])
    response = client.get(url)
    assert response["Content-Type"] == "image/png" and response.content.startswith(b"\x89PNG")
    assert AccessTrail.objects.filter(patient_id=patient.pk, action=TrailAction.PRINT).exists()
    assert url in client.get(reverse("identity:detail", args=[patient.pk])).content.decode()
    provisional = _hospital_patient(personas)
    assert client.get(reverse("identity:datamatrix", args=[provisional.pk])).status_code == 404


def test_downgrade_view(client, personas):
    patient = _hospital_patient(personas, qualified=True)
    client.force_login(personas["doctor"])
    response = client.post(reverse("identity:downgrade", args=[patient.pk]), {"reason": ""}, follow=True)
    assert "motif" in response.content.decode()
    client.post(reverse("identity:downgrade", args=[patient.pk]), {"reason": "traits contestés par le patient"})
    patient.refresh_from_db()
    assert patient.rniv_status == RnivStatus.PROVISOIRE


def test_insi_several_identities_message(client, personas, insi):
    patient = _hospital_patient(
        personas, birth_name="MARTINEAU", first_given_name="CLAUDE", given_names="CLAUDE", sex="F",
        birth_date=datetime.date(1950, 5, 5), birth_place_code="",
    )  # fmt: skip
    client.force_login(personas["doctor"])
    response = client.post(reverse("identity:insi_traits", args=[patient.pk]), follow=True)
    assert "plusieurs identités correspondent" in response.content.decode()
    assert InsiLookup.objects.get().decision == InsiDecision.NONE
