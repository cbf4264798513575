"""A PPS follows the proposition of a validated fiche RCP of its patient: default link, choice, page, validation."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dcc.records.models import AccessTrail
from pps import services
from pps.enums import PpsStatus, UpdateReason
from pps.models import PpsTransition
from pps.ppac_services import ppac_create, ppac_new_version, ppac_validate
from tests.identity.factories import PatientFactory
from tests.pps.factories import breast_follow_up_template
from tests.pps.fiches import validated_fiche

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def nurse(personas):
    return personas["annonce_nurse"]


@pytest.fixture
def fiches(personas, hospital_patient):
    """Two validated fiches of the patient (the later RCP first) and a draft one."""
    doctor = personas["doctor"]
    older = validated_fiche(hospital_patient, establishment=personas.hospital, day=D(2026, 10, 2), by=doctor)
    latest = validated_fiche(
        hospital_patient, establishment=personas.hospital, day=D(2026, 11, 20), by=doctor,
        treatments=[
            {"rank": 2, "code": "C15313", "detail": ""},
            {"rank": 1, "code": "387713003", "detail": "Colectomie gauche"},
        ],
        proposition="Puis chimiothérapie adjuvante selon l'histologie.",
    )  # fmt: skip
    return older, latest


def test_a_new_pps_follows_the_patients_most_recent_validated_fiche(nurse, hospital_patient, fiches):
    _, latest = fiches

    pps = services.pps_create(patient=hospital_patient, by=nurse)

    assert pps.rcp_fiche == latest


def test_without_a_validated_fiche_a_new_pps_follows_none(nurse, personas, hospital_patient):
    validated_fiche(PatientFactory(), establishment=personas.hospital, by=personas["doctor"])

    assert services.pps_create(patient=hospital_patient, by=nurse).rcp_fiche is None


def test_the_author_picks_another_fiche_or_none_and_it_is_traced(nurse, hospital_patient, fiches):
    older, _ = fiches
    pps = services.pps_create(patient=hospital_patient, by=nurse)

    services.pps_link_fiche(pps=pps, fiche=older, by=nurse)
    pps.refresh_from_db()
    assert pps.rcp_fiche == older
    services.pps_link_fiche(pps=pps, fiche=None, by=nurse)
    pps.refresh_from_db()
    assert pps.rcp_fiche is None
    trail = AccessTrail.objects.filter(patient_id=hospital_patient.pk, user=nurse)
    details = list(trail.values_list("detail", flat=True))
    assert f"Proposition de la fiche RCP du dossier {older.dossier_id}" in details
    assert "Aucune proposition RCP liée" in details


def test_a_fiche_of_another_patient_is_refused(nurse, personas, hospital_patient, fiches):
    stranger = validated_fiche(PatientFactory(), establishment=personas.hospital, by=personas["doctor"])
    pps = services.pps_create(patient=hospital_patient, by=nurse)

    with pytest.raises(ValidationError, match="autre patient"):
        services.pps_link_fiche(pps=pps, fiche=stranger, by=nurse)

    pps.refresh_from_db()
    assert pps.rcp_fiche == fiches[1]


def test_a_draft_fiche_is_refused(nurse, personas, hospital_patient):
    from tests.rcp.factories import DossierFactory

    draft_fiche = DossierFactory(patient=hospital_patient).fiche
    pps = services.pps_create(patient=hospital_patient, by=nurse)

    with pytest.raises(ValidationError, match="pas validée"):
        services.pps_link_fiche(pps=pps, fiche=draft_fiche, by=nurse)


def test_validation_with_a_fiche_needs_no_reason(nurse, hospital_patient, fiches):
    pps = services.pps_create(patient=hospital_patient, by=nurse)
    services.pps_element_add(pps=pps, by=nurse, kind="consultation", planned_date=D(2026, 12, 1))

    services.pps_validate(pps=pps, by=nurse, no_rcp_reason="")

    pps.refresh_from_db()
    assert pps.status == PpsStatus.VALIDATED and pps.no_rcp_reason == ""
    assert PpsTransition.objects.filter(pps=pps).last().note == ""


def test_validation_without_a_fiche_needs_the_reason_in_french(nurse, hospital_patient, fiches):
    pps = services.pps_create(patient=hospital_patient, by=nurse)
    services.pps_element_add(pps=pps, by=nurse, kind="consultation", planned_date=D(2026, 12, 1))
    services.pps_link_fiche(pps=pps, fiche=None, by=nurse)

    with pytest.raises(ValidationError, match="indiquez la raison de la validation sans proposition"):
        services.pps_validate(pps=pps, by=nurse, no_rcp_reason=" ")
    services.pps_validate(pps=pps, by=nurse, no_rcp_reason="Urgence, RCP la semaine prochaine")

    pps.refresh_from_db()
    assert pps.status == PpsStatus.VALIDATED and pps.no_rcp_reason == "Urgence, RCP la semaine prochaine"


def test_a_wrong_patient_fiche_written_behind_the_service_blocks_validation(nurse, personas, hospital_patient):
    from pps.models import Pps

    stranger = validated_fiche(PatientFactory(), establishment=personas.hospital, by=personas["doctor"])
    pps = services.pps_create(patient=hospital_patient, by=nurse)
    services.pps_element_add(pps=pps, by=nurse, kind="consultation", planned_date=D(2026, 12, 1))
    Pps.objects.filter(pk=pps.pk).update(rcp_fiche=stranger)

    with pytest.raises(ValidationError, match="autre patient"):
        services.pps_validate(pps=pps, by=nurse)


def test_new_versions_of_a_pps_and_a_ppac_keep_the_fiche(nurse, hospital_patient, fiches):
    pps = services.pps_create(patient=hospital_patient, by=nurse)
    services.pps_element_add(pps=pps, by=nurse, kind="consultation", planned_date=D(2026, 12, 1))
    services.pps_validate(pps=pps, by=nurse)

    new = services.pps_new_version(pps=pps, by=nurse, reason=UpdateReason.REAJUSTEMENT_PROGRAMME)
    ppac = ppac_create(
        patient=hospital_patient, by=nurse, follow_up_start=D(2027, 3, 1), template=breast_follow_up_template()
    )
    ppac_validate(ppac=ppac, by=nurse)
    ppac_v2 = ppac_new_version(ppac=ppac, by=nurse, reason=UpdateReason.REAJUSTEMENT_PROGRAMME)

    assert new.rcp_fiche == fiches[1]
    assert ppac.rcp_fiche == fiches[1] and ppac_v2.rcp_fiche == fiches[1]


# --- The PPS page -------------------------------------------------------------------------------


def test_the_page_shows_the_last_rcp_with_ranked_labels_and_comment(client, nurse, hospital_patient, fiches):
    pps = services.pps_create(patient=hospital_patient, by=nurse)
    client.force_login(nurse)

    page = client.get(reverse("pps:detail", args=[pps.pk])).content.decode()

    assert (
        "Dernière RCP : 20/11/2026 (3C Vienne (test)) — RCP Tumeurs digestives ; Proposition : "
        "1. Intervention chirurgicale (Colectomie gauche) ; 2. Radiothérapie. "
        "Puis chimiothérapie adjuvante selon l&#x27;histologie."
    ) in page
    assert "Raison de la validation sans proposition de RCP" not in page


def test_the_page_shows_the_latest_validated_version_of_the_fiche(client, nurse, hospital_patient, fiches):
    from rcp.models import FicheVersion

    _, latest = fiches
    content = latest.content() | {"proposition": "Avis amendé : radiochimiothérapie."}
    FicheVersion.objects.create(
        fiche=latest, version=2, content=content, signed_by=latest.validated_by, signed_at=latest.validated_at
    )
    pps = services.pps_create(patient=hospital_patient, by=nurse)
    client.force_login(nurse)

    page = client.get(reverse("pps:detail", args=[pps.pk])).content.decode()

    assert "Avis amendé : radiochimiothérapie." in page and "adjuvante" not in page


def test_the_author_changes_the_fiche_from_the_page(client, nurse, hospital_patient, fiches):
    older, _ = fiches
    pps = services.pps_create(patient=hospital_patient, by=nurse)
    client.force_login(nurse)
    url = reverse("pps:rcp_fiche", args=[pps.pk])

    response = client.post(url, {"rcp-rcp_fiche": str(older.pk)})

    assert response.status_code == 302 and response["Location"].endswith("#fiche")
    pps.refresh_from_db()
    assert pps.rcp_fiche == older
    page = client.get(reverse("pps:detail", args=[pps.pk])).content.decode()
    assert "Dernière RCP : 02/10/2026" in page

    client.post(url, {"rcp-rcp_fiche": ""})
    pps.refresh_from_db()
    assert pps.rcp_fiche is None
    page = client.get(reverse("pps:detail", args=[pps.pk])).content.decode()
    assert "aucune proposition de RCP n'est liée à ce PPS" in page
    assert "Raison de la validation sans proposition de RCP" in page


def test_the_page_refuses_a_fiche_of_another_patient(client, nurse, personas, hospital_patient, fiches):
    stranger = validated_fiche(PatientFactory(), establishment=personas.hospital, by=personas["doctor"])
    pps = services.pps_create(patient=hospital_patient, by=nurse)
    client.force_login(nurse)

    response = client.post(reverse("pps:rcp_fiche", args=[pps.pk]), {"rcp-rcp_fiche": str(stranger.pk)})

    assert response.status_code == 400
    assert "Cette fiche RCP n&#x27;est pas une fiche validée de ce patient" in response.content.decode()
    pps.refresh_from_db()
    assert pps.rcp_fiche == fiches[1]


def test_a_validated_pps_has_no_fiche_choice(client, nurse, hospital_patient, fiches):
    pps = services.pps_create(patient=hospital_patient, by=nurse)
    services.pps_element_add(pps=pps, by=nurse, kind="consultation", planned_date=D(2026, 12, 1))
    services.pps_validate(pps=pps, by=nurse)
    client.force_login(nurse)

    page = client.get(reverse("pps:detail", args=[pps.pk])).content.decode()
    refused = client.post(reverse("pps:rcp_fiche", args=[pps.pk]), {"rcp-rcp_fiche": ""})

    assert "Dernière RCP : 20/11/2026" in page and "Suivre cette proposition" not in page
    assert refused.status_code == 400 and "plus un brouillon" in refused.content.decode()


def test_the_detail_with_a_fiche_keeps_its_query_budget(
    client, nurse, hospital_patient, fiches, django_assert_max_num_queries
):
    pps = services.pps_create(patient=hospital_patient, by=nurse)
    client.force_login(nurse)
    with django_assert_max_num_queries(31):
        assert client.get(reverse("pps:detail", args=[pps.pk])).status_code == 200
