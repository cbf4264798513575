"""What the PPS pages show and do: calendar, list, errors kept, query budgets, the trail."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dcc.records.models import AccessTrail
from pps import services
from pps.enums import PpsStatus
from pps.models import Pps
from tests.pps.factories import ProtocolFactory, seed_group

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def nurse(personas):
    return personas["annonce_nurse"]


@pytest.fixture
def pps(nurse, hospital_patient):
    pps = services.pps_create(patient=hospital_patient, by=nurse)
    services.pps_group_apply(pps=pps, group=seed_group(), start_date=D(2024, 6, 29), by=nurse)
    return pps


def test_the_detail_shows_the_calendar_and_the_list_and_is_traced(client, nurse, pps, django_assert_max_num_queries):
    client.force_login(nurse)
    url = reverse("pps:detail", args=[pps.pk])

    with django_assert_max_num_queries(28):
        response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-date="2024-07-02"' in html and "edp-chirurgie" in html
    assert "Juin 2024" in html and "Juillet 2024" in html
    assert "2 jours ouvrés après l&#x27;élément précédent" in html
    assert AccessTrail.objects.filter(patient_id=pps.patient_id, action="read", object_id=str(pps.pk)).exists()


def test_the_detail_query_count_does_not_grow_with_elements(client, nurse, pps, django_assert_max_num_queries):
    services.pps_protocol_apply(pps=pps, protocol=ProtocolFactory(cycles=12), start_date=D(2024, 7, 8), by=nurse)
    client.force_login(nurse)

    with django_assert_max_num_queries(28):
        assert client.get(reverse("pps:detail", args=[pps.pk])).status_code == 200


def test_shifting_the_start_date_moves_the_calendar(client, nurse, pps):
    client.force_login(nurse)
    block = pps.blocks.get()

    response = client.post(
        reverse("pps:block_reschedule", args=[pps.pk, block.pk]), {f"bloc{block.pk}-start_date": "2024-12-24"}
    )

    assert response.status_code == 302
    html = client.get(reverse("pps:detail", args=[pps.pk])).content.decode()
    assert 'data-date="2024-12-27"' in html
    assert 'data-date="2024-07-02"' not in html


def test_a_bad_edp_keeps_the_input_and_explains_in_french(client, nurse, pps):
    client.force_login(nurse)

    response = client.post(
        reverse("pps:edp_add", args=[pps.pk]),
        {"edp-kind": "pose_iv", "edp-planned_date": "2024-07-08", "edp-label": "PAC bras gauche"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "« médecin référent » est obligatoire" in html
    assert 'value="PAC bras gauche"' in html
    assert pps.elements.count() == 4


def test_an_override_is_marked_in_the_list(client, nurse, pps):
    client.force_login(nurse)
    surgery = pps.elements.get(kind="chirurgie")

    client.post(reverse("pps:element_date", args=[pps.pk, surgery.pk]), {f"edp{surgery.pk}-planned_date": "2024-07-05"})

    html = client.get(reverse("pps:detail", args=[pps.pk])).content.decode()
    assert 'data-testid="override-mark"' in html
    assert "modifiée à la main" in html


def test_validating_without_reason_is_refused_then_accepted(client, nurse, pps):
    client.force_login(nurse)
    url = reverse("pps:validate", args=[pps.pk])

    response = client.post(url, {"validation-no_rcp_reason": ""})
    assert response.status_code == 400
    assert "indiquez la raison" in response.content.decode()

    assert client.post(url, {"validation-no_rcp_reason": "RCP prévue la semaine prochaine"}).status_code == 302
    pps.refresh_from_db()
    assert pps.status == PpsStatus.VALIDATED


def test_new_version_from_the_page(client, nurse, pps):
    services.pps_validate(pps=pps, by=nurse, no_rcp_reason="raison")
    client.force_login(nurse)

    response = client.post(reverse("pps:new_version", args=[pps.pk]), {"version-reason": "GEN-176"})

    new = Pps.objects.get(previous=pps)
    assert response.status_code == 302
    assert response.url == reverse("pps:detail", args=[new.pk])


def test_the_group_preview_computes_dates(client, nurse):
    group = seed_group()
    client.force_login(nurse)

    response = client.get(reverse("pps:group_preview", args=[group.pk]), {"start": "2024-12-24"})

    html = response.content.decode()
    assert 'datetime="2024-12-27"' in html and 'datetime="2025-01-28"' in html


def test_the_library_lists_groups_with_a_query_budget(client, nurse, django_assert_max_num_queries):
    for _ in range(5):
        seed_group()
    client.force_login(nurse)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("pps:library"))

    assert response.content.decode().count(">Chir sein + Hormono</a>") == 5


def test_a_nurse_creates_a_personal_group_and_adds_elements(client, nurse):
    client.force_login(nurse)

    response = client.post(reverse("pps:library"), {"name": "Mon parcours", "patient_comment": ""})
    group_url = response.url
    pk = int(group_url.rstrip("/").split("/")[-1])
    client.post(
        reverse("pps:group_element_add", args=[pk]),
        {"element-kind": "consultation", "element-rule_kind": "working_after_start", "element-delay": "0"},
    )
    bad = client.post(
        reverse("pps:group_element_add", args=[pk]),
        {"element-kind": "imagerie", "element-rule_kind": "working_after_start", "element-delay": "-4"},
    )

    assert bad.status_code == 400
    assert "négatif" in bad.content.decode()
    html = client.get(group_url).content.decode()
    assert "La date du premier élément de la liste est la même que celle du groupement." in html


def test_the_patient_list_page_has_a_query_budget(client, nurse, pps, django_assert_max_num_queries):
    client.force_login(nurse)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("pps:patient", args=[pps.patient_id]))
    assert "Version 1" in response.content.decode()


def test_completing_an_edp_from_a_groupement(client, nurse, pps, personas):
    from tests.directory.factories import PlaceOfPracticeFactory

    doctor = PlaceOfPracticeFactory(establishment=personas.hospital).professional
    surgery = pps.elements.get(kind="chirurgie")
    url = reverse("pps:element_edit", args=[pps.pk, surgery.pk])
    client.force_login(nurse)
    assert client.get(url).status_code == 200

    bad = client.post(url, {"element-label": "Tumorectomie", "element-establishment": ""})
    assert bad.status_code == 400
    assert "« établissement » est obligatoire" in bad.content.decode()
    assert 'value="Tumorectomie"' in bad.content.decode()

    good = client.post(
        url,
        {
            "element-label": "Tumorectomie", "element-establishment": personas.hospital.pk,
            "element-referring_doctor": doctor.pk, "element-place": "Bloc B",
        },
    )  # fmt: skip
    assert good.status_code == 302
    surgery.refresh_from_db()
    assert (surgery.label, surgery.place, surgery.referring_doctor) == ("Tumorectomie", "Bloc B", doctor)
    assert surgery.planned_date == D(2024, 7, 2)


def test_element_edit_access(client, personas, pps):
    from tests.helpers import assert_access

    element = pps.elements.first()
    url = reverse("pps:element_edit", args=[pps.pk, element.pk])
    assert_access(client, personas, url, allowed={"doctor", "annonce_nurse"})


def test_inline_date_errors_are_shown_and_nothing_moves(client, nurse, pps):
    client.force_login(nurse)
    surgery = pps.elements.get(kind="chirurgie")
    block = pps.blocks.get()

    response = client.post(
        reverse("pps:element_date", args=[pps.pk, surgery.pk]), {f"edp{surgery.pk}-planned_date": "2024-06-01"}
    )
    assert response.status_code == 400
    assert "ne peut pas précéder le début du groupement" in response.content.decode()

    response = client.post(
        reverse("pps:block_reschedule", args=[pps.pk, block.pk]), {f"bloc{block.pk}-start_date": "pas une date"}
    )
    assert response.status_code == 400
    assert "Saisissez une date valide" in response.content.decode()
    surgery.refresh_from_db()
    assert surgery.planned_date == D(2024, 7, 2)


def test_an_absurd_start_date_gets_a_french_message(client, nurse, pps):
    client.force_login(nurse)
    block = pps.blocks.get()

    response = client.post(
        reverse("pps:block_reschedule", args=[pps.pk, block.pk]), {f"bloc{block.pk}-start_date": "9999-12-01"}
    )

    assert response.status_code == 400
    assert "antérieure au" in response.content.decode()  # dcc.bounds: at most ten years ahead
    block.refresh_from_db()
    assert block.start_date == D(2024, 6, 29)


def test_the_group_page_previews_without_javascript(client, nurse):
    group = seed_group()
    client.force_login(nurse)

    html = client.get(reverse("pps:group", args=[group.pk]), {"start": "2025-04-18"}).content.decode()

    assert 'datetime="2025-04-23"' in html  # 2 working days after Fri 18/04: Easter Monday 21/04 skipped


def test_the_home_lists_only_the_nurses_patients_and_searches_them(client, nurse, hospital_patient, personas):
    from dcc.records.services import care_relationship_add
    from tests.identity.factories import PatientFactory

    PatientFactory(birth_name="HORSDUSOIN")
    other = PatientFactory(birth_name="ZEBULON")
    care_relationship_add(patient=other, kind="treating_establishment", establishment=personas.hospital)
    client.force_login(nurse)

    html = client.get(reverse("pps:home")).content.decode()
    assert hospital_patient.birth_name in html and "ZEBULON" in html
    assert "HORSDUSOIN" not in html
    searched = client.get(reverse("pps:home"), {"q": "zebu"}).content.decode()
    assert "ZEBULON" in searched and hospital_patient.birth_name not in searched


def test_a_kept_override_left_before_a_later_start_is_flagged(client, nurse, pps):
    surgery = pps.elements.get(kind="chirurgie")
    services.pps_element_override(element=surgery, planned_date=D(2024, 7, 3), by=nurse)
    services.pps_block_reschedule(block=pps.blocks.get(), start_date=D(2024, 9, 2), by=nurse)
    client.force_login(nurse)

    html = client.get(reverse("pps:detail", args=[pps.pk])).content.decode()

    assert "Avant le début du groupement : à vérifier." in html
    with pytest.raises(ValidationError, match="précède le début du groupement"):
        services.pps_validate(pps=pps, by=nurse, no_rcp_reason="raison")


def test_the_pps_page_adds_and_removes_a_contact_in_the_shared_block(client, nurse, pps, personas):
    from tests.directory.factories import PlaceOfPracticeFactory, ProfessionalFactory

    professional = ProfessionalFactory(last_name="CONTACTTEST")
    PlaceOfPracticeFactory(establishment=personas.hospital, professional=professional)
    client.force_login(nurse)
    missing_role = client.post(reverse("pps:contact_add", args=[pps.pk]), {"contact-professional": professional.pk})
    assert missing_role.status_code == 400 and "Ce champ est obligatoire" in missing_role.content.decode()

    added = client.post(
        reverse("pps:contact_add", args=[pps.pk]),
        {"contact-professional": professional.pk, "contact-role": "Infirmière de coordination"},
    )

    assert added.status_code == 302 and added["Location"].endswith("#contact")
    contact = pps.contacts.get()
    page = client.get(reverse("pps:detail", args=[pps.pk])).content.decode()
    assert '<h2 id="contacts-titre" class="h4">Contacts utiles</h2>' in page
    assert "Infirmière de coordination : " in page and reverse("pps:contact_remove", args=[pps.pk, contact.pk]) in page
    removed = client.post(reverse("pps:contact_remove", args=[pps.pk, contact.pk]))
    assert removed.status_code == 302 and removed["Location"].endswith("#contacts")
    assert not pps.contacts.exists()
