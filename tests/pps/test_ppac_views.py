"""PPAC pages: who may open and use each one (every persona), what they show, errors kept, query budgets, trail."""

import datetime

import pytest
from django.urls import reverse

from dcc.records.models import AccessTrail
from pps import services
from pps.enums import PpsStatus
from pps.models import PpacTemplate, Pps, Programme, Responsible
from pps.ppac_schedule import Phase
from pps.ppac_services import ppac_create, ppac_follow_up_add, ppac_validate
from tests.directory.factories import ProfessionalFactory
from tests.helpers import assert_access
from tests.pps.factories import breast_follow_up_template, seed_group

pytestmark = pytest.mark.django_db

# The hospital's patient: its care staff (not the 3C secretary, whose link is per 3C, nor outsiders).
HOSPITAL_CARE = {"doctor", "annonce_nurse"}  # pps_author in the rights table, part of the care
START = datetime.date(2025, 1, 6)


@pytest.fixture
def nurse(personas):
    return personas["annonce_nurse"]


@pytest.fixture
def ppac(hospital_patient, nurse):
    return ppac_create(patient=hospital_patient, by=nurse, follow_up_start=START, template=breast_follow_up_template())


@pytest.fixture
def validated(ppac, nurse):
    return ppac_validate(ppac=ppac, by=nurse)


def url(name, *args):
    return reverse(f"pps:ppac:{name}", args=args)


# --- Access, view by view -----------------------------------------------------------------------


def test_patient_page(client, personas, hospital_patient):
    assert_access(client, personas, url("patient", hospital_patient.pk), allowed=HOSPITAL_CARE)


def test_create(client, personas, hospital_patient):
    data = {"ppac-follow_up_start": "2025-01-06"}
    assert_access(
        client, personas, url("create", hospital_patient.pk), method="post", data=data, allowed=HOSPITAL_CARE,
        ok_status=302,
    )  # fmt: skip
    assert Pps.objects.filter(programme=Programme.PPAC, patient=hospital_patient).count() == len(HOSPITAL_CARE)


def test_detail(client, personas, ppac):
    assert_access(client, personas, url("detail", ppac.pk), allowed=HOSPITAL_CARE)


def test_plan(client, personas, ppac):
    data = {"plan-follow_up_start": "2025-02-03", "plan-treatment_summary": "", "plan-patient_comment": ""}
    assert_access(
        client, personas, url("plan", ppac.pk), method="post", data=data, allowed=HOSPITAL_CARE, ok_status=302
    )


FOLLOW_UP = {
    "suivi-kind": "examen", "suivi-label": "Biologie", "suivi-interval_1": "6", "suivi-until_1": "24",
    "suivi-responsible": "gp",
}  # fmt: skip


def test_follow_up_add(client, personas, ppac):
    assert_access(
        client, personas, url("follow_up_add", ppac.pk), method="post", data=FOLLOW_UP, allowed=HOSPITAL_CARE,
        ok_status=302,
    )  # fmt: skip


def test_follow_up_remove(client, personas, validated):
    # on a validated PPAC the allowed personas reach the service, which refuses (400): nothing removed
    line = validated.follow_ups.first()
    assert_access(
        client, personas, url("follow_up_remove", validated.pk, line.pk), method="post", allowed=HOSPITAL_CARE,
        ok_status=400,
    )  # fmt: skip
    assert validated.follow_ups.filter(pk=line.pk).exists()


def test_advice(client, personas, ppac):
    assert_access(
        client, personas, url("advice", ppac.pk), method="post", data={"conseils-nutrition": "Manger varié."},
        allowed=HOSPITAL_CARE, ok_status=302,
    )  # fmt: skip


def test_contact_add(client, personas, ppac):
    professional = ProfessionalFactory()
    data = {"contact-professional": professional.pk, "contact-role": "Oncologue"}
    # the professional is outside the PPAC's pickers' scope: the allowed personas get the form error (400)
    assert_access(
        client, personas, url("contact_add", ppac.pk), method="post", data=data, allowed=HOSPITAL_CARE,
        ok_status=400,
    )  # fmt: skip


def test_contact_remove(client, personas, hospital_patient, nurse):
    hospital_patient.general_practitioner = ProfessionalFactory()
    hospital_patient.save()
    ppac = ppac_create(patient=hospital_patient, by=nurse, follow_up_start=START, template=breast_follow_up_template())
    ppac_validate(ppac=ppac, by=nurse)
    contact = ppac.contacts.get()
    assert_access(
        client, personas, url("contact_remove", ppac.pk, contact.pk), method="post", allowed=HOSPITAL_CARE,
        ok_status=400,
    )  # fmt: skip
    assert ppac.contacts.exists()


def test_validate(client, personas, hospital_patient, nurse):
    empty = ppac_create(patient=hospital_patient, by=nurse, follow_up_start=START)
    assert_access(client, personas, url("validate", empty.pk), method="post", allowed=HOSPITAL_CARE, ok_status=400)
    assert Pps.objects.get(pk=empty.pk).status == PpsStatus.DRAFT


def test_deliver(client, personas, ppac):
    data = {"remise-delivered_on": datetime.date.today().isoformat()}
    assert_access(
        client, personas, url("deliver", ppac.pk), method="post", data=data, allowed=HOSPITAL_CARE, ok_status=400
    )
    assert Pps.objects.get(pk=ppac.pk).status == PpsStatus.DRAFT


def test_new_version(client, personas, ppac):
    data = {"version-reason": "GEN-176"}
    assert_access(
        client, personas, url("new_version", ppac.pk), method="post", data=data, allowed=HOSPITAL_CARE,
        ok_status=400,
    )  # fmt: skip
    assert not Pps.objects.filter(previous=ppac).exists()


def test_a_ppac_is_not_a_pps_page_and_back(client, nurse, ppac, hospital_patient):
    client.force_login(nurse)
    pps = services.pps_create(patient=hospital_patient, by=nurse)
    assert client.get(reverse("pps:detail", args=[ppac.pk])).status_code == 404
    assert client.get(url("detail", pps.pk)).status_code == 404
    html = client.get(reverse("pps:patient", args=[hospital_patient.pk])).content.decode()
    assert "Programme de l'après-cancer (PPAC)" in html
    assert html.count('href="/pps/' + str(ppac.pk) + '/"') == 0  # the PPS list does not show the PPAC


# --- What the pages show and do -------------------------------------------------------------------


def test_the_patient_page_offers_the_last_pps_and_the_templates(client, nurse, hospital_patient):
    breast_follow_up_template()
    pps = services.pps_create(patient=hospital_patient, by=nurse)
    client.force_login(nurse)
    html = client.get(url("patient", hospital_patient.pk)).content.decode()
    assert "Dernier PPS : version 1" in html and "Sein — surveillance après traitement" in html
    assert "Mammographie bilatérale : tous les ans pendant 5 ans — Médecin traitant" in html
    assert pps.pk
    assert AccessTrail.objects.filter(patient_id=hospital_patient.pk, detail="Liste des PPAC").exists()


def test_creating_from_a_template_and_the_last_pps(client, nurse, hospital_patient):
    template = breast_follow_up_template()
    pps = services.pps_create(patient=hospital_patient, by=nurse)
    services.pps_group_apply(pps=pps, group=seed_group(), start_date=datetime.date(2024, 6, 3), by=nurse)
    client.force_login(nurse)
    response = client.post(
        url("create", hospital_patient.pk),
        {"ppac-follow_up_start": "2025-01-06", "ppac-template": template.pk, "ppac-from_last_pps": "on"},
    )
    ppac = Pps.objects.get(programme=Programme.PPAC)
    assert response.status_code == 302 and response.url == url("detail", ppac.pk)
    assert ppac.ppac.source_pps == pps and ppac.follow_ups.count() == 2


def test_a_bad_start_keeps_the_form_with_a_french_message(client, nurse, hospital_patient):
    client.force_login(nurse)
    response = client.post(url("create", hospital_patient.pk), {"ppac-follow_up_start": "1990-01-01"})
    assert response.status_code == 400
    assert "La date de début du suivi doit être comprise" in response.content.decode()
    assert not Pps.objects.filter(programme=Programme.PPAC).exists()


def test_the_detail_shows_the_calendar_over_years_and_who_does_what(client, nurse, ppac, django_assert_max_num_queries):
    client.force_login(nurse)
    with django_assert_max_num_queries(30):
        response = client.get(url("detail", ppac.pk))
    html = response.content.decode()
    assert response.status_code == 200
    for year in range(2025, 2031):
        assert f'data-testid="ppac-calendar-{year}"' in html
    assert 'data-date="2025-07-07"' in html and "edp-consultation" in html
    assert 'data-date="2030-01-07"' in html
    assert "Tous les 6 mois pendant 2 ans, puis tous les ans jusqu&#x27;à 5 ans" in html
    assert "En alternance : équipe hospitalière et médecin traitant" in html
    assert "Activité physique" in html and "Signes d&#x27;alerte" in html
    assert AccessTrail.objects.filter(patient_id=ppac.patient_id, action="read", object_id=str(ppac.pk)).exists()


def test_the_detail_query_count_does_not_grow_with_follow_ups(client, nurse, ppac, django_assert_max_num_queries):
    for number in range(6):
        ppac_follow_up_add(
            ppac=ppac, by=nurse, kind="examen", label=f"Examen {number}", phases=[Phase(3, 60)],
            responsible=Responsible.OTHER, responsible_professional=ProfessionalFactory(),
        )  # fmt: skip
    client.force_login(nurse)
    with django_assert_max_num_queries(30):
        assert client.get(url("detail", ppac.pk)).status_code == 200


def test_the_patient_page_query_budget(client, nurse, hospital_patient, django_assert_max_num_queries):
    client.force_login(nurse)
    for number in range(4):
        template = breast_follow_up_template(name=f"Modèle {number}")
        ppac_create(patient=hospital_patient, by=nurse, follow_up_start=START, template=template)
        with django_assert_max_num_queries(23):  # the same with 1 or 4 PPAC and templates
            assert client.get(url("patient", hospital_patient.pk)).status_code == 200


def test_a_bad_follow_up_line_keeps_the_input_with_french_messages(client, nurse, ppac):
    client.force_login(nurse)
    data = FOLLOW_UP | {"suivi-interval_2": "12", "suivi-until_2": "12", "suivi-label": "Biologie ACE"}
    response = client.post(url("follow_up_add", ppac.pk), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Rythme 2 : il doit aller au-delà du rythme précédent" in html
    assert 'value="Biologie ACE"' in html
    assert not ppac.follow_ups.filter(label="Biologie ACE").exists()
    # the page shown again is a read of the record: traced, like the write attempts that succeed
    assert AccessTrail.objects.filter(patient_id=ppac.patient_id, action="read", object_id=str(ppac.pk)).count() == 1
    response = client.post(url("follow_up_add", ppac.pk), FOLLOW_UP | {"suivi-until_1": ""})
    assert response.status_code == 400 and "Indiquez l&#x27;intervalle et le mois de fin" in response.content.decode()


def test_validate_then_deliver_then_new_version_through_the_pages(client, nurse, ppac):
    client.force_login(nurse)
    writes = AccessTrail.objects.filter(patient_id=ppac.patient_id, action__in=["create", "update"]).count()
    assert client.post(url("validate", ppac.pk)).status_code == 302
    today = datetime.date.today().isoformat()
    assert client.post(url("deliver", ppac.pk), {"remise-delivered_on": today}).status_code == 302
    response = client.post(url("new_version", ppac.pk), {"version-reason": "GEN-176"})
    new = Pps.objects.get(previous=ppac)
    assert response.status_code == 302 and response.url == url("detail", new.pk)
    html = client.get(url("detail", ppac.pk)).content.decode()
    assert "Une version plus récente existe" in html and "Remis au patient" in html
    assert AccessTrail.objects.filter(patient_id=ppac.patient_id, action__in=["create", "update"]).count() == writes + 3


def test_a_contact_and_a_named_doctor_from_the_directory(client, nurse, ppac, personas):
    doctor = personas["doctor"].professional
    client.force_login(nurse)
    data = {"contact-professional": doctor.pk, "contact-role": "Oncologue"}
    response = client.post(url("contact_add", ppac.pk), data)
    assert response.status_code == 302
    assert ppac.contacts.filter(professional=doctor, role="Oncologue").exists()
    data = FOLLOW_UP | {"suivi-responsible": "other", "suivi-responsible_professional": doctor.pk}
    assert client.post(url("follow_up_add", ppac.pk), data).status_code == 302
    assert ppac.follow_ups.get(label="Biologie").responsible_professional == doctor
    html = client.get(url("detail", ppac.pk)).content.decode()
    assert f"Autre professionnel ({doctor})" in html


def test_the_coordination_nurse_is_suggested_as_a_contact(client, nurse, ppac, personas):
    from dcc.directory.enums import PracticeRole
    from tests.directory.factories import PlaceOfPracticeFactory

    place = PlaceOfPracticeFactory(establishment=ppac.establishment, role=PracticeRole.INFIRMIER_COORDINATEUR)
    client.force_login(nurse)
    html = client.get(url("detail", ppac.pk)).content.decode()
    assert f"Infirmier(e) de coordination : {place.professional}" in html


def test_validation_problems_are_shown(client, nurse, hospital_patient):
    empty = ppac_create(patient=hospital_patient, by=nurse, follow_up_start=START)
    client.force_login(nurse)
    response = client.post(url("validate", empty.pk))
    assert response.status_code == 400
    assert "Ajoutez au moins un élément de suivi avant de valider le PPAC." in response.content.decode()


# --- The template library (Django admin) and the rest of the PPS app ----------------------------


def test_only_the_admin_maintains_the_follow_up_templates(client, personas):
    template = breast_follow_up_template()
    for name in ("annonce_nurse", "doctor", "secretary_3c"):
        client.force_login(personas[name])
        assert client.get(reverse("admin:pps_ppactemplate_changelist")).status_code != 200
    client.force_login(personas["admin"])
    assert client.get(reverse("admin:pps_ppactemplate_change", args=[template.pk])).status_code == 200
    base = {
        "name": "Côlon — surveillance", "cancer_type": "Côlon", "description": "", "is_active": "on",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-position": "1",
        "lines-0-kind": "imagerie", "lines-0-label": "Scanner TAP", "lines-0-responsible": "hospital",
    }  # fmt: skip
    bad = client.post(reverse("admin:pps_ppactemplate_add"), base | {"lines-0-phases": "[[6, 36], [12, 24]]"})
    assert bad.status_code == 200 and "au-delà du rythme précédent" in bad.content.decode()
    good = client.post(reverse("admin:pps_ppactemplate_add"), base | {"lines-0-phases": "[[6, 36], [12, 60]]"})
    assert good.status_code == 302
    line = PpacTemplate.objects.get(name="Côlon — surveillance").lines.get()
    assert line.rhythm_text == "tous les 6 mois pendant 3 ans, puis tous les ans jusqu'à 5 ans"


def test_a_ppac_is_not_counted_in_the_pps_statistics_and_shows_in_the_recent_list(client, nurse, validated):
    from pps.selectors import pps_statistics

    assert pps_statistics()["total"] == 0
    client.force_login(nurse)
    html = client.get(reverse("pps:home")).content.decode()
    assert f'href="{url("detail", validated.pk)}"' in html and "PPAC version 1" in html


@pytest.mark.parametrize("page", ["detail", "patient"])
def test_the_pages_label_every_field_and_use_no_inline_style_or_script(client, nurse, ppac, page):
    from lxml import html as lxml_html

    client.force_login(nurse)
    target = url("detail", ppac.pk) if page == "detail" else url("patient", ppac.patient_id)
    tree = lxml_html.fromstring(client.get(target).content)
    labelled = set(tree.xpath("//label/@for"))
    controls = tree.xpath("//main//input[not(@type='hidden')] | //main//select | //main//textarea")
    assert controls
    assert [c.get("name") for c in controls if c.get("id") not in labelled] == []
    assert not tree.xpath("//*[@style]")
    assert not [s for s in tree.xpath("//script") if (s.text or "").strip()]
    for table in tree.xpath("//main//table"):
        assert table.xpath(".//caption") and table.xpath(".//th[@scope='col']")
