"""Registration, the dossier state machine, the fiche (codes, quorum, validation, amendments,
optimistic locking, copy-forward) and care relationships — through the services."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from dcc.records.access import can_view_patient
from dcc.records.models import AccessTrail, CareRelationship
from rcp.enums import AttendanceMode, DossierMotive, DossierStatus, SessionStatus
from rcp.models import Dossier, DossierTransition, FicheVersion
from rcp.selectors import live_step, quick_proposition_initial
from rcp.services.agenda import attendance_record, session_close, session_open
from rcp.services.base import FicheConflict, RoleRefused, TransitionError
from rcp.services.dossiers import (
    dossier_mark_presented,
    dossier_move,
    dossier_register,
    dossier_submit,
    dossier_transition,
    dossiers_reorder,
    session_set_current,
)
from rcp.services.fiches import (
    fiche_amend,
    fiche_copy_forward,
    fiche_quick_proposition_save,
    fiche_save,
    fiche_validate,
)
from rcp.tasks import send_validation_reminders
from tests.directory.factories import PlaceOfPracticeFactory, ProfessionalFactory
from tests.identity.factories import PatientFactory
from tests.rcp.factories import FILLED_FICHE, RcpMemberFactory, SessionFactory, register_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def codes():
    call_command("load_value_sets", stdout=StringIO())


@pytest.fixture
def case(world, personas):
    """A patient registered by the doctor to the coming session of the personas' RCP."""
    patient = PatientFactory()
    doctor = personas["doctor"]
    dossier = dossier_register(
        session=world["session"],
        patient=patient,
        requesting_doctor=doctor.professional,
        motive=DossierMotive.FIRST,
        question="Chirurgie première ?",
        by=doctor,
    )
    return {**world, "patient": patient, "dossier": dossier, "fiche": dossier.fiche}


def _register(session, by, **extra):
    return register_dossier(
        session, by, requesting_doctor=by.professional or ProfessionalFactory(),
        question="Quelle prise en charge ?", **extra,
    )  # fmt: skip


def _open_with_quorum(session, personas, *, radiotherapist=True):
    """Open the session; the doctor (oncology), a surgeon and a radiotherapist attend."""
    session_open(session=session)
    surgeon = ProfessionalFactory(surgeon=True)
    entries = {personas["doctor"].professional_id: AttendanceMode.ROOM, surgeon.pk: AttendanceMode.VIDEO}
    if radiotherapist:
        entries[ProfessionalFactory(specialty_id="G15_10/SM45").pk] = AttendanceMode.ROOM
    attendance_record(session=session, entries=entries)


# --- Registration ---------------------------------------------------------------------------


def test_registration_logs_transitions_and_gives_the_rcp_access(case, personas):
    dossier, patient = case["dossier"], case["patient"]
    assert dossier.status == DossierStatus.REGISTERED and not dossier.is_late
    steps = list(DossierTransition.objects.filter(dossier=dossier).values_list("from_status", "to_status"))
    assert steps == [("", DossierStatus.DRAFT), (DossierStatus.DRAFT, DossierStatus.REGISTERED)]
    sources = set(CareRelationship.objects.filter(patient=patient).values_list("source", flat=True))
    assert sources == {f"rcp.dossier:{dossier.pk}"}
    # The requesting doctor, the 3C secretary, the members' professionals and the hospital see the patient.
    assert can_view_patient(personas["doctor"], patient)
    assert can_view_patient(personas["secretary_3c"], patient)
    assert can_view_patient(personas["medical_secretary"], patient)
    assert not can_view_patient(personas["doctor_other_3c"], patient)
    assert AccessTrail.objects.filter(patient_id=patient.pk, action="create", object_id=str(dossier.pk)).exists()
    assert dossier.fiche.question == "Chirurgie première ?"


def test_registration_requires_motive_and_question(world, personas):
    with pytest.raises(ValidationError) as error:
        dossier_register(
            session=world["session"],
            patient=PatientFactory(),
            requesting_doctor=personas["doctor"].professional,
            motive="autre",
            question="  ",
            by=personas["doctor"],
        )
    assert set(error.value.message_dict) == {"motive", "question"}
    assert not Dossier.objects.exists()


def test_registration_refused_for_cancelled_closed_and_full_sessions(world, personas):
    doctor = personas["doctor"]
    cancelled = SessionFactory(rcp=world["rcp"], cancelled=True)
    with pytest.raises(ValidationError, match="annulée"):
        _register(cancelled, doctor)
    world["rcp"].max_dossiers = 2
    world["rcp"].save()
    _register(world["session"], doctor)
    _register(world["session"], doctor)
    with pytest.raises(ValidationError, match="complète \\(2 dossiers\\)"):
        _register(world["session"], doctor)
    assert world["session"].dossiers.count() == 2
    past = SessionFactory(rcp=world["rcp"], past=True)
    with pytest.raises(ValidationError, match="clôturée"):
        _register(past, doctor)


def test_same_patient_twice_in_a_session_is_refused(case, personas):
    with pytest.raises(ValidationError, match="déjà inscrit"):
        _register(case["session"], personas["doctor"], patient=case["patient"])


def test_deadline_only_the_3c_secretary_registers_late(world, personas):
    soon = SessionFactory(rcp=world["rcp"], starts_at=timezone.now() + datetime.timedelta(hours=20))
    with pytest.raises(ValidationError, match="date limite d'inscription"):
        _register(soon, personas["doctor"])
    # A draft can still be prepared; submitting it is refused for the doctor.
    draft = _register(soon, personas["doctor"], draft=True)
    assert draft.status == DossierStatus.DRAFT
    with pytest.raises(ValidationError, match="date limite"):
        dossier_submit(dossier=draft, by=personas["doctor"])
    late = dossier_register(
        session=soon,
        patient=PatientFactory(),
        requesting_doctor=personas["doctor"].professional,
        motive=DossierMotive.RELAPSE,
        question="Reprise évolutive ?",
        by=personas["secretary_3c"],
    )
    assert late.is_late and late.status == DossierStatus.REGISTERED
    dossier_submit(dossier=draft, by=personas["secretary_3c"])
    draft.refresh_from_db()
    assert draft.status == DossierStatus.REGISTERED and draft.is_late


def test_a_secretary_of_another_3c_cannot_register_late(world, personas):
    soon = SessionFactory(rcp=world["other_rcp"], starts_at=timezone.now() + datetime.timedelta(hours=20))
    with pytest.raises(ValidationError, match="date limite"):
        _register(soon, personas["secretary_3c"])


# --- State machine --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "forbidden"),
    [
        ([], DossierStatus.VALIDATED),
        ([], DossierStatus.DRAFT),
        ([DossierStatus.PRESENTED], DossierStatus.CANCELLED),
        ([DossierStatus.PRESENTED], DossierStatus.REGISTERED),
    ],
)
def test_forbidden_transitions_are_refused(case, personas, path, forbidden):
    dossier = case["dossier"]
    for step in path:
        dossier_transition(dossier=dossier, to=step, by=personas["secretary_3c"])
    before = DossierTransition.objects.count()
    with pytest.raises(TransitionError):
        dossier_transition(dossier=dossier, to=forbidden, by=personas["secretary_3c"], note="x")
    assert DossierTransition.objects.count() == before


def test_cancelled_dossier_is_final_and_needs_a_reason(case, personas):
    dossier = case["dossier"]
    with pytest.raises(ValidationError, match="motif"):
        dossier_transition(dossier=dossier, to=DossierStatus.CANCELLED, by=personas["doctor"])
    dossier_transition(dossier=dossier, to=DossierStatus.CANCELLED, by=personas["doctor"], note="Décès")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.CANCELLED
    with pytest.raises(TransitionError, match="annulé"):
        dossier_transition(dossier=dossier, to=DossierStatus.PRESENTED, by=personas["doctor"])
    # A cancelled dossier frees its place: the patient may be registered again.
    assert _register(case["session"], personas["doctor"], patient=case["patient"]).status == DossierStatus.REGISTERED


@pytest.mark.parametrize("to", [DossierStatus.POSTPONED, DossierStatus.TO_REPRESENT])
def test_postpone_re_registers_to_the_next_session_with_the_link(case, personas, codes, to):
    later = SessionFactory(rcp=case["rcp"], starts_at=case["session"].starts_at + datetime.timedelta(days=14))
    SessionFactory(rcp=case["rcp"], starts_at=case["session"].starts_at + datetime.timedelta(days=28))
    fiche_save(fiche=case["fiche"], data=FILLED_FICHE, expected_revision=1, by=personas["doctor"])
    dossier_transition(dossier=case["dossier"], to=to, by=personas["secretary_3c"])
    successor = Dossier.objects.get(previous=case["dossier"])
    assert successor.session == later and successor.status == DossierStatus.REGISTERED
    assert successor.fiche.topography_code == "C18.7"
    assert successor.fiche.copied_from == case["fiche"]
    expected_motive = DossierMotive.REPRESENTATION if to == DossierStatus.TO_REPRESENT else DossierMotive.FIRST
    assert successor.motive == expected_motive
    # Treatments were decided for this discussion: only a postponed (not discussed) draft keeps them.
    assert bool(successor.fiche.treatments) == (to == DossierStatus.POSTPONED)
    log = DossierTransition.objects.filter(dossier=case["dossier"]).last()
    assert log.to_status == to and "Réinscrit" in log.note


def test_postpone_without_a_next_session_changes_nothing(case, personas):
    with pytest.raises(ValidationError, match="Aucune séance à venir"):
        dossier_transition(dossier=case["dossier"], to=DossierStatus.POSTPONED, by=personas["doctor"])
    case["dossier"].refresh_from_db()
    assert case["dossier"].status == DossierStatus.REGISTERED
    assert Dossier.objects.count() == 1


def test_reorder_needs_every_dossier_once(case, personas):
    second = _register(case["session"], personas["doctor"])
    dossiers_reorder(session=case["session"], ordered_ids=[second.pk, case["dossier"].pk], by=None)
    assert list(case["session"].dossiers.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        case["dossier"].pk,
    ]
    with pytest.raises(ValidationError, match="ne correspond pas"):
        dossiers_reorder(session=case["session"], ordered_ids=[second.pk], by=None)


def test_a_dossier_moves_one_place_and_stays_at_either_end(case, personas):
    first, second = case["dossier"], _register(case["session"], personas["doctor"])
    order = lambda: list(case["session"].dossiers.order_by("position").values_list("pk", flat=True))  # noqa: E731
    assert dossier_move(session=case["session"], dossier_id=second.pk, up=True, by=None)
    assert order() == [second.pk, first.pk]
    assert not dossier_move(session=case["session"], dossier_id=second.pk, up=True, by=None)
    assert not dossier_move(session=case["session"], dossier_id=first.pk, up=False, by=None)
    assert order() == [second.pk, first.pk]
    with pytest.raises(ValidationError, match="Dossier inconnu"):
        dossier_move(session=case["session"], dossier_id=None, up=True, by=None)


def test_the_live_session_steps_through_the_dossiers_it_presents(case, personas):
    session, first = case["session"], case["dossier"]
    second, cancelled = _register(session, personas["doctor"]), _register(session, personas["doctor"])
    dossier_transition(dossier=cancelled, to=DossierStatus.CANCELLED, note="Doublon", by=personas["doctor"])
    assert live_step(session, forward=True) == first.pk  # nothing shown yet: the first one
    session.current_dossier = second
    assert live_step(session, forward=True) == second.pk  # the cancelled one is skipped: second stays the last
    assert live_step(session, forward=False) == first.pk


# --- Fiche ----------------------------------------------------------------------------------


def test_the_quick_proposition_keeps_the_options_ranked_after_it(case, personas, codes):
    fiche = fiche_save(
        fiche=case["fiche"],
        data={"treatments": [
            {"rank": 1, "code": "387713003", "detail": ""}, {"rank": 3, "code": "424313000", "detail": "3e option"},
        ]},
        expected_revision=case["fiche"].revision, by=personas["doctor"],
    )  # fmt: skip
    assert quick_proposition_initial(fiche)["treatment_1"] == "387713003"
    assert "treatment_3" not in quick_proposition_initial(fiche)
    saved = fiche_quick_proposition_save(
        fiche=fiche,
        data={"treatments": [{"rank": 1, "code": "424313000", "detail": ""}], "proposition": "Chirurgie"},
        expected_revision=fiche.revision, by=personas["doctor"],
    )  # fmt: skip
    assert [(t["rank"], t["code"]) for t in saved.treatments] == [(1, "424313000"), (3, "424313000")]
    case["dossier"].refresh_from_db()
    assert case["dossier"].status == DossierStatus.PRESENTED


def test_codes_outside_the_value_sets_are_refused(case, personas, codes):
    bad = {**FILLED_FICHE, "topography_code": "Z99.9", "treatments": [{"rank": 1, "code": "123"}]}
    with pytest.raises(ValidationError) as error:
        fiche_save(fiche=case["fiche"], data=bad, expected_revision=1, by=personas["doctor"])
    assert "Z99.9" in str(error.value.message_dict["topography_code"])
    assert "type de traitement" in str(error.value.message_dict["treatments"])
    case["fiche"].refresh_from_db()
    assert case["fiche"].topography_code == "" and case["fiche"].revision == 1


def test_non_conform_proposition_needs_a_justification(case, personas, codes):
    data = {**FILLED_FICHE, "guideline_conform": False}
    with pytest.raises(ValidationError) as error:
        fiche_save(fiche=case["fiche"], data=data, expected_revision=1, by=personas["doctor"])
    assert "guideline_justification" in error.value.message_dict


def test_optimistic_lock_second_writer_gets_a_conflict_nothing_lost(case, personas, codes):
    fiche = case["fiche"]
    fiche_save(fiche=fiche, data={"case_summary": "Version A"}, expected_revision=1, by=personas["doctor"])
    with pytest.raises(FicheConflict) as conflict:
        fiche_save(fiche=fiche, data={"case_summary": "Version B"}, expected_revision=1, by=personas["secretary_3c"])
    assert conflict.value.current.case_summary == "Version A"
    assert conflict.value.submitted == {"case_summary": "Version B"}
    fiche.refresh_from_db()
    assert fiche.case_summary == "Version A" and fiche.revision == 2


def test_validation_by_a_doctor_present_with_quorum(case, personas, codes):
    fiche = case["fiche"]
    fiche_save(fiche=fiche, data=FILLED_FICHE, expected_revision=1, by=personas["doctor"])
    _open_with_quorum(case["session"], personas)
    with pytest.raises(ValidationError, match="médecin présent"):
        fiche_validate(fiche=fiche, by=personas["secretary_3c"])
    signed = fiche_validate(fiche=fiche, by=personas["doctor"])
    assert signed.quorum_reached and signed.validated_by == personas["doctor"]
    assert len(signed.participants) == 3
    case["dossier"].refresh_from_db()
    assert case["dossier"].status == DossierStatus.VALIDATED
    assert FicheVersion.objects.get(fiche=fiche).version == 1
    with pytest.raises(ValidationError, match="amendement"):
        fiche_save(fiche=fiche, data={"case_summary": "x"}, expected_revision=None, by=personas["doctor"])


def test_validation_without_quorum_needs_an_explicit_reason(case, personas, codes):
    fiche = case["fiche"]
    fiche_save(fiche=fiche, data=FILLED_FICHE, expected_revision=1, by=personas["doctor"])
    _open_with_quorum(case["session"], personas, radiotherapist=False)
    with pytest.raises(ValidationError) as error:
        fiche_validate(fiche=fiche, by=personas["doctor"])
    assert "Quorum non atteint" in str(error.value.message_dict["off_quorum_reason"])
    fiche.refresh_from_db()
    assert not fiche.is_validated
    signed = fiche_validate(fiche=fiche, by=personas["doctor"], off_quorum_reason="Urgence thérapeutique")
    assert signed.quorum_reached is False and signed.off_quorum_reason == "Urgence thérapeutique"


def test_validation_needs_the_minimal_items(case, personas, codes):
    _open_with_quorum(case["session"], personas)
    with pytest.raises(ValidationError, match="topographie"):
        fiche_validate(fiche=case["fiche"], by=personas["doctor"])


def test_amendment_creates_a_new_version_with_reason(case, personas, codes):
    fiche = case["fiche"]
    fiche_save(fiche=fiche, data=FILLED_FICHE, expected_revision=1, by=personas["doctor"])
    _open_with_quorum(case["session"], personas)
    fiche = fiche_validate(fiche=fiche, by=personas["doctor"])
    with pytest.raises(ValidationError, match="motif"):
        fiche_amend(fiche=fiche, data={"tnm_stage": "IV"}, reason="", expected_revision=None, by=personas["doctor"])
    amended = fiche_amend(
        fiche=fiche,
        data={"tnm_m": "M1", "tnm_stage": "IV"},
        reason="Métastase hépatique au scanner relu",
        expected_revision=fiche.revision,
        by=personas["doctor"],
    )
    assert amended.version == 2
    versions = list(FicheVersion.objects.filter(fiche=fiche).order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].content["tnm_stage"] == "III" and versions[1].content["tnm_stage"] == "IV"
    assert versions[1].reason == "Métastase hépatique au scanner relu"


def test_copy_forward_from_the_previous_fiche(case, personas, codes):
    fiche_save(fiche=case["fiche"], data=FILLED_FICHE, expected_revision=1, by=personas["doctor"])
    later = SessionFactory(rcp=case["rcp"], starts_at=case["session"].starts_at + datetime.timedelta(days=7))
    new = _register(later, personas["doctor"], patient=case["patient"])
    fiche = fiche_copy_forward(fiche=new.fiche, expected_revision=1, by=personas["doctor"])
    assert fiche.topography_code == "C18.7" and fiche.tnm_stage == "III"
    assert fiche.case_summary == "" and fiche.treatments == []
    assert fiche.copied_from == case["fiche"]
    lone = _register(later, personas["doctor"])
    with pytest.raises(ValidationError, match="pas d'autre fiche"):
        fiche_copy_forward(fiche=lone.fiche, expected_revision=1, by=personas["doctor"])


# --- Live session ---------------------------------------------------------------------------


def test_current_dossier_and_close_flags_unvalidated(
    case, personas, codes, django_capture_on_commit_callbacks, mailoutbox
):
    session = case["session"]
    with pytest.raises(ValidationError, match="Ouvrez"):
        session_set_current(session=session, dossier=case["dossier"], by=None)
    _open_with_quorum(session, personas)
    for pro in session.attendances.values_list("professional", flat=True):
        type(personas["doctor"].professional).objects.filter(pk=pro).update(email=f"pro{pro}@test.dcc")
    session_set_current(session=session, dossier=case["dossier"], by=None)
    case["dossier"].refresh_from_db()
    assert case["dossier"].status == DossierStatus.REGISTERED  # shown is not presented: the team may skip it
    dossier_mark_presented(dossier=case["dossier"], by=personas["secretary_3c"])
    case["dossier"].refresh_from_db()
    assert case["dossier"].status == DossierStatus.PRESENTED
    with django_capture_on_commit_callbacks() as callbacks:
        session_close(session=session, by=personas["secretary_3c"])
    assert len(callbacks) == 1  # the reminder task is queued once the transaction commits
    session.refresh_from_db()
    assert session.status == SessionStatus.CLOSED and session.current_dossier is None
    assert "1 dossier sans fiche validée" in session.transitions.last().note
    assert send_validation_reminders(session.pk) == 3
    assert len(mailoutbox) == 1 and len(mailoutbox[0].to) == 3
    assert case["patient"].birth_name not in mailoutbox[0].body


def test_members_added_later_are_not_given_access_retroactively(case, personas):
    newcomer = PlaceOfPracticeFactory(establishment=personas.other_hospital).professional
    RcpMemberFactory(rcp=case["rcp"], professional=newcomer)
    assert not CareRelationship.objects.filter(patient=case["patient"], professional=newcomer).exists()


def test_a_doctor_absent_from_the_session_cannot_sign(case, personas, codes):
    from dcc.accounts.enums import Profile
    from tests.accounts.factories import ProfileGrantFactory, UserFactory

    fiche_save(fiche=case["fiche"], data=FILLED_FICHE, expected_revision=1, by=personas["doctor"])
    _open_with_quorum(case["session"], personas)
    absent = UserFactory(email="absent@test.dcc", professional=ProfessionalFactory())
    ProfileGrantFactory(user=absent, profile=Profile.MEDECIN, three_cs=[personas.three_c])
    with pytest.raises(RoleRefused, match="médecin présent"):
        fiche_validate(fiche=case["fiche"], by=absent)
    attendance_record(session=case["session"], entries={absent.professional_id: AttendanceMode.EXCUSED})
    with pytest.raises(RoleRefused):
        fiche_validate(fiche=case["fiche"], by=absent)
    case["fiche"].refresh_from_db()
    assert not case["fiche"].is_validated
