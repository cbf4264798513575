"""Agenda services: idempotent generation, the session state machine, moves, attendance, code lists."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from rcp import selectors
from rcp.enums import AttendanceMode, Nature, RecurrenceKind, SessionStatus
from rcp.models import CodeListEntry, Rcp, Session, SessionTransition
from rcp.services.agenda import (
    attendance_record,
    recurrence_create,
    session_add_extra,
    session_cancel,
    session_close,
    session_move,
    session_open,
    session_reopen_planning,
    sessions_generate,
)
from rcp.services.catalogue import RcpData, rcp_create
from rcp.tasks import generate_sessions, send_session_notice
from rcp.value_sets import FICHE_VALUE_SETS
from tests.directory.factories import EstablishmentFactory, ProfessionalFactory
from tests.rcp.factories import RcpFactory, RcpMemberFactory, RecurrenceFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_rcp_create_applies_the_inca_default_quorum():
    establishment = EstablishmentFactory()
    data = RcpData(title="Hématologie", three_c=establishment.three_c, establishment=establishment,
                            nature=Nature.ORGANE, is_haematology=True)  # fmt: skip
    rcp = rcp_create(data=data)
    assert rcp.quorum_min_specialties == 3 and rcp.quorum_requires_treating_specialty
    assert not rcp.quorum_requires_surgeon


def test_rcp_create_refuses_an_establishment_of_another_3c():
    establishment, elsewhere = EstablishmentFactory(), EstablishmentFactory()
    data = RcpData(title="X", three_c=elsewhere.three_c, establishment=establishment, nature=Nature.ORGANE)
    with pytest.raises(ValidationError, match="ne relève pas"):
        rcp_create(data=data)
    assert not Rcp.objects.exists()


def test_generation_is_idempotent_and_logged():
    recurrence = RecurrenceFactory()
    created = sessions_generate(recurrence=recurrence)
    assert 24 <= created <= 28  # weekly over about six months
    assert sessions_generate(recurrence=recurrence) == 0
    assert Session.objects.filter(recurrence=recurrence).count() == created
    assert (
        SessionTransition.objects.filter(session__recurrence=recurrence, to_status=SessionStatus.PLANNED).count()
        == created
    )


def test_the_beat_task_extends_every_active_recurrence():
    RecurrenceFactory()
    RecurrenceFactory(monthly=True)
    RecurrenceFactory(is_active=False, end_date=timezone.localdate())
    first = generate_sessions()
    assert first > 0
    assert generate_sessions() == 0


def test_a_moved_or_cancelled_session_is_not_generated_again():
    recurrence = RecurrenceFactory()
    sessions_generate(recurrence=recurrence)
    sessions = list(Session.objects.filter(recurrence=recurrence).order_by("starts_at")[:2])
    session_move(session=sessions[0], starts_at=sessions[0].starts_at + datetime.timedelta(days=1), notify=False)
    session_cancel(session=sessions[1], reason="Congrès", notify=False)
    assert sessions_generate(recurrence=recurrence) == 0


def test_monthly_recurrence_needs_its_week():
    with pytest.raises(ValidationError, match="semaine du mois"):
        recurrence_create(
            rcp=RcpFactory(), kind=RecurrenceKind.MONTHLY, weekday=2, start_time=datetime.time(12),
            start_date=timezone.localdate(),
        )  # fmt: skip


def test_session_lifecycle_and_its_log():
    session = SessionFactory()
    session_open(session=session)
    session_close(session=session)
    session.refresh_from_db()
    assert session.status == SessionStatus.CLOSED
    assert list(session.transitions.values_list("from_status", "to_status")) == [
        (SessionStatus.PLANNED, SessionStatus.OPEN), (SessionStatus.OPEN, SessionStatus.CLOSED),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("start", "action"),
    [
        (SessionStatus.CLOSED, session_open),
        (SessionStatus.PLANNED, session_close),
        (SessionStatus.CANCELLED, session_open),
        (SessionStatus.CLOSED, session_reopen_planning),
    ],
)
def test_forbidden_transitions_are_refused_and_change_nothing(start, action):
    session = SessionFactory(status=start, cancel_reason="x" if start == SessionStatus.CANCELLED else "")
    with pytest.raises(ValidationError, match="Transition impossible"):
        action(session=session)
    session.refresh_from_db()
    assert session.status == start
    assert not session.transitions.exists()


def test_cancel_needs_a_reason():
    session = SessionFactory()
    with pytest.raises(ValidationError, match="motif"):
        session_cancel(session=session, reason="  ")
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED


def test_move_refuses_the_past_and_non_planned_sessions():
    session = SessionFactory()
    with pytest.raises(ValidationError, match="passé"):
        session_move(session=session, starts_at=timezone.now() - datetime.timedelta(days=1))
    session_open(session=session)
    with pytest.raises(ValidationError, match="planifiée"):
        session_move(session=session, starts_at=timezone.now() + datetime.timedelta(days=3))


def test_extra_session_in_the_past_is_refused():
    with pytest.raises(ValidationError, match="passé"):
        session_add_extra(rcp=RcpFactory(), starts_at=timezone.now() - datetime.timedelta(hours=1))


def test_cancellation_notice_reaches_the_members():
    member = RcpMemberFactory(professional=ProfessionalFactory(email="dr@hopital.test"))
    session = SessionFactory(rcp=member.rcp)
    session_cancel(session=session, reason="Salle indisponible", notify=False)
    assert send_session_notice(session.pk, "cancelled") == 1
    assert mail.outbox[0].to == ["dr@hopital.test"]
    assert "Salle indisponible" in mail.outbox[0].body


def test_registration_deadline_counts_days_before_the_session():
    rcp = RcpFactory(registration_deadline_days=3)
    session = SessionFactory(rcp=rcp)
    assert session.registration_deadline == timezone.localtime(session.starts_at).date() - datetime.timedelta(days=3)


def test_attendance_feeds_the_quorum():
    rcp = RcpFactory()
    onco, surgeon, radio = (ProfessionalFactory(), ProfessionalFactory(surgeon=True),
                            ProfessionalFactory(specialty_id="G15_10/SM37"))  # fmt: skip
    for professional in (onco, surgeon, radio):
        RcpMemberFactory(rcp=rcp, professional=professional)
    session = SessionFactory(rcp=rcp)
    session_open(session=session)
    attendance_record(
        session=session,
        entries={onco.pk: AttendanceMode.ROOM, surgeon.pk: AttendanceMode.VIDEO, radio.pk: AttendanceMode.EXCUSED},
    )
    result = selectors.session_quorum(selectors.session_detail(session.pk))
    assert not result.reached
    assert "2 spécialités distinctes présentes sur 3 requises" in result.explanation
    attendance_record(session=session, entries={radio.pk: AttendanceMode.ROOM})
    assert selectors.session_quorum(selectors.session_detail(session.pk)).reached


def test_attendance_refused_on_a_future_or_cancelled_session():
    professional = ProfessionalFactory()
    with pytest.raises(ValidationError, match="pas encore eu lieu"):
        attendance_record(session=SessionFactory(), entries={professional.pk: AttendanceMode.ROOM})
    with pytest.raises(ValidationError, match="annulée"):
        attendance_record(session=SessionFactory(cancelled=True), entries={professional.pk: AttendanceMode.ROOM})


def test_attendance_refuses_an_unknown_mode():
    professional = ProfessionalFactory()
    session = SessionFactory(past=True)
    with pytest.raises(ValidationError, match="inconnu"):
        attendance_record(session=session, entries={professional.pk: "teleportation"})
    assert not session.attendances.exists()


def test_load_value_sets_loads_the_official_codes_and_is_idempotent():
    out = StringIO()
    call_command("load_value_sets", stdout=out)
    count = CodeListEntry.objects.count()
    assert CodeListEntry.objects.filter(value_set_oid="1.2.250.1.213.1.1.4.2.281.21").count() == 724  # CIM-10 tumeurs
    assert CodeListEntry.objects.filter(value_set_oid="1.2.250.1.213.1.1.5.585").count() == 1032  # CIM-O-3
    call_command("load_value_sets", stdout=StringIO())
    assert CodeListEntry.objects.count() == count
    assert "13 jeux de valeurs chargés" in out.getvalue()
    assert [e.code for e in selectors.search_codes("ecog")][:1] == ["LA9622-7"]
    assert "C18.7" in [e.code for e in selectors.search_codes("tumeur", "colon sigmoide")]
    assert [e.code for e in selectors.search_codes("tumeur", "C50.2")] == ["C50.2"]
    assert set(FICHE_VALUE_SETS) >= {"tumeur", "morphologie", "type_traitement", "ecog"}


def test_load_value_sets_rejects_a_broken_file(tmp_path: Path):
    for value_set in FICHE_VALUE_SETS.values():
        (tmp_path / value_set.filename).write_text("<pas-du-svs/>", encoding="utf-8")
    with pytest.raises(CommandError, match="IHE SVS"):
        call_command("load_value_sets", "--dir", str(tmp_path), stdout=StringIO())
    assert not CodeListEntry.objects.exists()
