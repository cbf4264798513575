"""Views of dossiers, fiches and the live session: access by persona, bad input, query budgets."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dcc.records.models import AccessTrail
from rcp.enums import AttendanceMode, DossierMotive, DossierStatus
from rcp.models import Dossier, Fiche
from rcp.services.agenda import attendance_record, session_open
from rcp.services.dossiers import dossier_register, session_set_current
from rcp.services.fiches import fiche_save
from tests.directory.factories import ProfessionalFactory
from tests.helpers import assert_access
from tests.identity.factories import PatientFactory
from tests.rcp.factories import FILLED_FICHE, SessionFactory, register_dossier

pytestmark = pytest.mark.django_db

# Who is part of the care of a patient registered to the personas' RCP (3C, hospital, members).
CARE = {"secretary_3c", "doctor", "medical_secretary", "annonce_nurse"}
FICHE_EDITORS = {"secretary_3c", "doctor", "medical_secretary"}  # fiche_edit in the rights table


@pytest.fixture
def codes():
    call_command("load_value_sets", stdout=StringIO())


@pytest.fixture
def case(world, personas):
    patient = PatientFactory()
    dossier = register_dossier(world["session"], personas["doctor"], patient=patient)
    return {**world, "patient": patient, "dossier": dossier}


def _form_data(fiche, **extra):
    data = {
        "revision": fiche.revision,
        "nature": "ORG-117",
        "tnm_edition": "8",
        "dossier_complete": "on",
        "guideline_conform": "unknown",
    }
    for key, value in FILLED_FICHE.items():
        if key == "treatments":
            for item in value:
                data[f"treatment_{item['rank']}"] = item["code"]
                data[f"treatment_{item['rank']}_detail"] = item["detail"]
        elif key == "guideline_conform":
            data[key] = "true" if value else "false"
        else:
            data[key] = value
    data.update(extra)
    return data


def test_dossier_pages_only_for_the_patients_care_team(client, personas, case, codes):
    dossier = case["dossier"]
    assert_access(client, personas, reverse("rcp:dossier", args=[dossier.pk]), allowed=CARE)
    assert_access(client, personas, reverse("rcp:patient_dossiers", args=[case["patient"].pk]), allowed=CARE)
    assert_access(client, personas, reverse("rcp:fiche", args=[dossier.pk]), allowed=FICHE_EDITORS)


def test_a_doctor_of_another_3c_sees_nothing_clinical(client, personas, case, codes):
    client.force_login(personas["doctor_other_3c"])
    assert client.get(reverse("rcp:dossier", args=[case["dossier"].pk])).status_code == 403
    page = client.get(reverse("rcp:session", args=[case["session"].pk])).content.decode()
    assert case["patient"].birth_name not in page and "1 autre dossier" in page
    response = client.post(reverse("rcp:fiche", args=[case["dossier"].pk]), _form_data(case["dossier"].fiche))
    assert response.status_code == 403
    assert Fiche.objects.get(pk=case["dossier"].fiche.pk).revision == 1


def test_registration_page_access_and_flow(client, personas, world):
    url = reverse("rcp:dossier_register", args=[world["session"].pk])
    assert_access(
        client, personas, url, allowed={"secretary_3c", "doctor", "doctor_other_3c", "medical_secretary", "gp"}
    )
    doctor = personas["doctor"]
    client.force_login(doctor)
    # The doctor finds only patients in their care as selectable; a stranger is refused.
    stranger = PatientFactory(birth_name="INCONNU")
    assert client.get(url, {"patient": stranger.pk}).status_code == 403
    mine = register_dossier(
        SessionFactory(rcp=world["rcp"]), doctor, patient=PatientFactory(birth_name="DUPONTEL"), question="?"
    ).patient
    page = client.get(url, {"q": "DUPONTEL"}).content.decode()
    assert f"?patient={mine.pk}" in page
    response = client.post(
        url,
        {
            "patient": mine.pk,
            "requesting_doctor": doctor.professional_id,
            "motive": DossierMotive.RELAPSE,
            "question": "Reprise évolutive hépatique ?",
        },
    )
    dossier = Dossier.objects.get(session=world["session"], patient=mine)
    assert response.status_code == 302 and response.url == reverse("rcp:dossier", args=[dossier.pk])
    assert dossier.status == DossierStatus.REGISTERED


def test_registration_refused_for_a_cancelled_session_in_french(client, personas, world, case):
    cancelled = SessionFactory(rcp=world["rcp"], cancelled=True)
    client.force_login(personas["doctor"])
    response = client.post(
        reverse("rcp:dossier_register", args=[cancelled.pk]),
        {
            "patient": case["patient"].pk,
            "requesting_doctor": personas["doctor"].professional_id,
            "motive": DossierMotive.FIRST,
            "question": "?",
        },
    )
    assert response.status_code == 200
    assert "Cette séance est annulée" in response.content.decode()
    assert not Dossier.objects.filter(session=cancelled).exists()


def test_fiche_form_saves_and_rejects_unknown_codes(client, personas, case, codes):
    fiche = case["dossier"].fiche
    url = reverse("rcp:fiche", args=[case["dossier"].pk])
    client.force_login(personas["doctor"])
    response = client.post(url, _form_data(fiche, topography_code="X00"))
    assert response.status_code == 200
    assert "n&#x27;appartient pas au jeu de valeurs" in response.content.decode()
    response = client.post(url, _form_data(fiche))
    assert response.status_code == 302
    fiche.refresh_from_db()
    assert fiche.topography_code == "C18.7" and fiche.treatments[0]["code"] == "387713003"
    assert AccessTrail.objects.filter(patient_id=case["patient"].pk, action="update").exists()


def test_two_users_editing_the_same_fiche_get_a_conflict_view(client, personas, case, codes):
    fiche = case["dossier"].fiche
    url = reverse("rcp:fiche", args=[case["dossier"].pk])
    client.force_login(personas["doctor"])
    assert client.post(url, _form_data(fiche, case_summary="Résumé du docteur")).status_code == 302
    client.force_login(personas["secretary_3c"])
    # The secretary's form was opened on revision 1 too.
    response = client.post(url, _form_data(fiche, case_summary="Résumé de la secrétaire"))
    assert response.status_code == 409
    page = response.content.decode()
    assert "Résumé du docteur" in page and "Résumé de la secrétaire" in page
    fiche.refresh_from_db()
    assert fiche.case_summary == "Résumé du docteur" and fiche.revision == 2
    # Re-submitting on the current revision from the conflict view saves.
    assert client.post(url, _form_data(fiche, case_summary="Résumé fusionné")).status_code == 302
    fiche.refresh_from_db()
    assert fiche.case_summary == "Résumé fusionné"


def _open(session, personas):
    session_open(session=session)
    entries = {
        personas["doctor"].professional_id: AttendanceMode.ROOM,
        ProfessionalFactory(surgeon=True).pk: AttendanceMode.ROOM,
        ProfessionalFactory(specialty_id="G15_10/SM45").pk: AttendanceMode.VIDEO,
    }
    attendance_record(session=session, entries=entries)


def test_validator_signs_from_the_dossier_page(client, personas, case, codes):
    fiche = case["dossier"].fiche
    fiche_save(fiche=fiche, data=FILLED_FICHE, expected_revision=1, by=personas["doctor"])
    _open(case["session"], personas)
    url = reverse("rcp:fiche_validate", args=[case["dossier"].pk])
    client.force_login(personas["secretary_3c"])
    client.post(url, {"revision": 2})
    fiche.refresh_from_db()
    assert not fiche.is_validated
    client.force_login(personas["doctor"])
    page = client.get(reverse("rcp:dossier", args=[case["dossier"].pk])).content.decode()
    assert "Quorum atteint" in page
    assert client.post(url, {"revision": 2}).status_code == 302
    fiche.refresh_from_db()
    assert fiche.validated_by == personas["doctor"] and fiche.quorum_reached
    # Validated: the form page leads to the amendment, which needs a reason.
    assert client.get(reverse("rcp:fiche", args=[case["dossier"].pk])).url == reverse(
        "rcp:fiche_amend", args=[case["dossier"].pk]
    )
    amend_url = reverse("rcp:fiche_amend", args=[case["dossier"].pk])
    response = client.post(amend_url, _form_data(fiche, tnm_stage="IV", reason=""))
    assert response.status_code == 200 and fiche.versions.count() == 1
    response = client.post(amend_url, _form_data(fiche, tnm_stage="IV", reason="Relecture"))
    assert response.status_code == 302 and fiche.versions.count() == 2


def test_live_session_moves_through_dossiers_and_closes(
    client, personas, case, codes, django_capture_on_commit_callbacks
):
    session = case["session"]
    second = register_dossier(session, personas["doctor"], motive=DossierMotive.POSTOP, question="Adjuvant ?")
    _open(session, personas)
    live = reverse("rcp:session_live", args=[session.pk])
    assert_access(client, personas, live, allowed={"secretary_3c"})
    client.force_login(personas["secretary_3c"])
    goto = reverse("rcp:session_live_goto", args=[session.pk])
    client.post(goto, {"dossier": "next"})
    session.refresh_from_db()
    assert session.current_dossier == case["dossier"]
    client.post(goto, {"dossier": "next"})
    session.refresh_from_db()
    assert session.current_dossier == second
    # Followers see the current dossier in the polled fragment.
    client.force_login(personas["doctor"])
    fragment = client.get(reverse("rcp:session_follow", args=[session.pk]), headers={"HX-Request": "true"})
    assert second.patient.display_name in fragment.content.decode()
    client.force_login(personas["secretary_3c"])
    response = client.post(
        reverse("rcp:session_live_proposition", args=[session.pk]),
        {"revision": 1, "treatment_1": "387713003", "proposition": "Chirurgie"},
    )
    assert response.status_code == 302
    second.fiche.refresh_from_db()
    assert second.fiche.treatments == [{"rank": 1, "code": "387713003", "detail": ""}]
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("rcp:session_live_close", args=[session.pk]))
    assert len(callbacks) == 1
    page = client.get(reverse("rcp:session", args=[session.pk])).content.decode()
    assert page.count("fiche non validée") == 2


def test_follow_page_access(client, personas, case):
    _open(case["session"], personas)
    assert_access(
        client, personas, reverse("rcp:session_follow", args=[case["session"].pk]), allowed={"secretary_3c", "doctor"}
    )


def _register_many(world, personas, count):
    for _ in range(count):
        register_dossier(world["session"], personas["doctor"], question="?")


def _queries(client, url) -> tuple[int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("page", ["rcp:session", "rcp:session_live"])
def test_session_pages_cost_the_same_queries_for_3_or_12_dossiers(client, personas, world, page):
    """The pages trace every patient listed in one INSERT: the query count does not grow with the dossiers."""
    session_open(session=world["session"], by=personas["secretary_3c"])
    url = reverse(page, args=[world["session"].pk])
    client.force_login(personas["secretary_3c"])
    client.get(url)  # the first page loads the user, its grants and menu into the cache
    _register_many(world, personas, 3)
    few, _ = _queries(client, url)
    _register_many(world, personas, 9)
    many, response = _queries(client, url)

    assert many == few <= 30
    assert len(response.context["dossiers"]) == 12
    detail = "liste de séance" if page == "rcp:session" else "liste de la séance en direct"
    assert AccessTrail.objects.filter(detail=detail).count() == 3 + 12


def test_fiche_form_and_patient_list_query_budgets(client, personas, case, codes, django_assert_max_num_queries):
    for days in (14, 21, 28):
        dossier_register(
            session=SessionFactory(
                rcp=case["rcp"], starts_at=case["session"].starts_at + datetime.timedelta(days=days)
            ),
            patient=case["patient"],
            requesting_doctor=personas["doctor"].professional,
            motive=DossierMotive.REPRESENTATION,
            question="?",
            by=personas["doctor"],
        )
    client.force_login(personas["doctor"])
    with django_assert_max_num_queries(20):
        assert client.get(reverse("rcp:fiche", args=[case["dossier"].pk])).status_code == 200
    with django_assert_max_num_queries(16):
        response = client.get(reverse("rcp:patient_dossiers", args=[case["patient"].pk]))
    assert len(response.context["dossiers"]) == 4


def test_concertation_outside_a_session(client, personas, case, codes):
    patient = case["patient"]
    url = reverse("rcp:concertation_create", args=[patient.pk])
    assert_access(client, personas, url, allowed={"doctor"})
    colleague = ProfessionalFactory(surgeon=True)
    client.force_login(personas["doctor"])
    response = client.post(url, {"consulted": [colleague.pk], "question": "Q", "opinion": "", "treatment_1": ""})
    assert response.status_code == 200 and not patient.rcp_concertations.exists()
    response = client.post(
        url, {"consulted": [colleague.pk], "question": "Reprise ?", "opinion": "Chirurgie.", "treatment_1": "387713003"}
    )
    concertation = patient.rcp_concertations.get()
    assert response.url == reverse("rcp:concertation", args=[concertation.pk])
    assert concertation.treatments == [{"rank": 1, "code": "387713003", "detail": ""}]
    # The consulted colleague becomes part of the patient's care; the other 3C still sees nothing.
    assert patient.care_relationships.filter(professional=colleague).exists()
    assert_access(client, personas, reverse("rcp:concertation", args=[concertation.pk]), allowed=CARE)
    client.force_login(personas["doctor"])
    page = client.get(reverse("rcp:patient_dossiers", args=[patient.pk])).content.decode()
    assert reverse("rcp:concertation", args=[concertation.pk]) in page


def test_only_the_3c_secretary_orders_the_list(client, personas, case):
    second = register_dossier(case["session"], personas["doctor"], question="?")
    url = reverse("rcp:session_reorder", args=[case["session"].pk])
    data = {"dossier": second.pk, "direction": "up"}
    assert_access(client, personas, url, allowed={"secretary_3c"}, method="post", data=data, ok_status=302)
    order = list(case["session"].dossiers.order_by("position").values_list("pk", flat=True))
    assert order == [second.pk, case["dossier"].pk]


def test_late_registration_by_the_3c_secretary_through_the_page(client, personas, world, case):
    soon = SessionFactory(rcp=world["rcp"], starts_at=timezone.now() + datetime.timedelta(hours=20))
    url = reverse("rcp:dossier_register", args=[soon.pk])
    data = {
        "patient": case["patient"].pk,
        "requesting_doctor": personas["doctor"].professional_id,
        "motive": DossierMotive.FIRST,
        "question": "Urgent ?",
    }
    client.force_login(personas["doctor"])
    response = client.post(url, data)
    assert "date limite d&#x27;inscription" in response.content.decode()
    client.force_login(personas["secretary_3c"])
    assert client.post(url, data).status_code == 302
    assert Dossier.objects.get(session=soon).is_late


def test_fiche_form_shows_the_saved_conformity(client, personas, case, codes):
    fiche_save(fiche=case["dossier"].fiche, data=FILLED_FICHE, expected_revision=1, by=personas["doctor"])
    client.force_login(personas["doctor"])
    page = client.get(reverse("rcp:fiche", args=[case["dossier"].pk])).content.decode()
    assert '<option value="true" selected>Oui</option>' in page
    assert 'value="C18.7"' in page


def test_live_postpone_and_follow_polling_is_traced_once_per_dossier(client, personas, case):
    session = case["session"]
    later = SessionFactory(rcp=case["rcp"], starts_at=session.starts_at + datetime.timedelta(days=7))
    _open(session, personas)
    session_set_current(session=session, dossier=case["dossier"], by=None)
    client.force_login(personas["doctor"])
    follow = reverse("rcp:session_follow", args=[session.pk])
    for _ in range(3):
        assert case["patient"].display_name in client.get(follow, headers={"HX-Request": "true"}).content.decode()
    traces = AccessTrail.objects.filter(patient_id=case["patient"].pk, action="read", detail="séance en direct")
    assert traces.count() == 1
    client.force_login(personas["secretary_3c"])
    live = reverse("rcp:session_live", args=[session.pk])
    response = client.post(
        reverse("rcp:dossier_status", args=[case["dossier"].pk]), {"to": DossierStatus.POSTPONED, "next": live}
    )
    assert response.url == live
    case["dossier"].refresh_from_db()
    assert case["dossier"].status == DossierStatus.POSTPONED
    assert Dossier.objects.get(previous=case["dossier"]).session == later


def test_the_history_lists_the_transitions_with_who_or_says_there_is_none(client, case, personas):
    from rcp.models import DossierTransition

    dossier = case["dossier"]
    client.force_login(personas["doctor"])
    html = client.get(reverse("rcp:dossier", args=[dossier.pk])).content.decode()
    assert "Inscription." in html and "Aucun changement de statut enregistré" not in html
    DossierTransition.objects.filter(dossier=dossier).delete()  # a dossier of the bulk-seeded history has none
    html = client.get(reverse("rcp:dossier", args=[dossier.pk])).content.decode()
    assert "Aucun changement de statut enregistré pour ce dossier." in html
