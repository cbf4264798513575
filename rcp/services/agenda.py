"""Writes of the agenda: recurrences and generated sessions, a session's lifecycle, attendance, calendar feeds."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dcc.directory.models import Professional
from rcp import recurrence as rec
from rcp.enums import SESSION_TRANSITIONS, AttendanceMode, RecurrenceKind, SessionStatus
from rcp.models import (
    Attendance,
    CalendarFeed,
    Fiche,
    Rcp,
    RcpMember,
    Recurrence,
    Session,
    SessionTransition,
    new_token,
)
from rcp.notices import send_session_notice, send_validation_reminders
from rcp.selectors import unvalidated_dossiers
from rcp.services.base import TransitionError

GENERATION_HORIZON_DAYS = 183


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# --- Agenda ---------------------------------------------------------------------------------


@transaction.atomic
def recurrence_create(
    *,
    rcp: Rcp,
    kind: str,
    weekday: int,
    start_time: datetime.time,
    start_date: datetime.date,
    interval_weeks: int = 1,
    week_of_month: int | None = None,
    duration_minutes: int = 90,
    end_date: datetime.date | None = None,
    generate_until: datetime.date | None = None,
) -> Recurrence:
    """A recurrence, whose sessions are generated at once up to the horizon."""
    if kind == RecurrenceKind.MONTHLY and week_of_month is None:
        raise ValidationError({"week_of_month": "Précisez la semaine du mois (premier, deuxième… ou dernier)."})
    if kind == RecurrenceKind.WEEKLY:
        week_of_month = None
    recurrence = Recurrence(
        rcp=rcp,
        kind=kind,
        weekday=weekday,
        start_time=start_time,
        start_date=start_date,
        interval_weeks=interval_weeks,
        week_of_month=week_of_month,
        duration_minutes=duration_minutes,
        end_date=end_date,
    )
    recurrence.full_clean()
    recurrence.save()
    sessions_generate(recurrence=recurrence, until=generate_until)
    return recurrence


@transaction.atomic
def recurrence_stop(*, recurrence: Recurrence, last_day: datetime.date, by=None) -> int:
    """End a recurrence; its planned sessions after ``last_day`` are cancelled. Returns how many."""
    recurrence.end_date = max(last_day, recurrence.start_date)
    recurrence.is_active = False
    recurrence.save(update_fields=["end_date", "is_active"])
    later = recurrence.sessions.filter(status=SessionStatus.PLANNED, occurrence_date__gt=recurrence.end_date)
    count = 0
    for session in later:
        session_cancel(session=session, reason="Fin de la récurrence.", by=by, notify=False)
        count += 1
    return count


def _session_times(recurrence: Recurrence, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(day, recurrence.start_time, tzinfo=_tz())
    return start, start + datetime.timedelta(minutes=recurrence.duration_minutes)


@transaction.atomic
def sessions_generate(
    *, recurrence: Recurrence, until: datetime.date | None = None, since: datetime.date | None = None
) -> int:
    """Create the missing sessions of a recurrence from today (or ``since``) to ``until``. Idempotent.

    A session keeps its ``occurrence_date`` when moved or cancelled, so it is never generated twice.
    """
    today = timezone.localdate()
    since = since or max(today, recurrence.start_date)
    until = until or today + datetime.timedelta(days=GENERATION_HORIZON_DAYS)
    if not recurrence.is_active:
        return 0
    rule = rec.Rule(
        kind=recurrence.kind,
        weekday=recurrence.weekday,
        start_date=recurrence.start_date,
        interval_weeks=recurrence.interval_weeks,
        week_of_month=recurrence.week_of_month,
        end_date=recurrence.end_date,
    )
    existing = set(
        Session.objects.filter(recurrence=recurrence, occurrence_date__range=(since, until)).values_list(
            "occurrence_date", flat=True
        )
    )
    new = []
    for day in rec.occurrences(rule, since, until):
        if day in existing:
            continue
        start, end = _session_times(recurrence, day)
        new.append(
            Session(rcp_id=recurrence.rcp_id, recurrence=recurrence, occurrence_date=day, starts_at=start, ends_at=end)
        )
    Session.objects.bulk_create(new, ignore_conflicts=True)
    # Rows inserted with ignore_conflicts have no primary key yet: read back those without a log entry.
    fresh = list(
        Session.objects.filter(
            recurrence=recurrence, occurrence_date__in=[s.occurrence_date for s in new], transitions__isnull=True
        )
    )
    SessionTransition.objects.bulk_create(
        [
            SessionTransition(session=s, to_status=SessionStatus.PLANNED, note="Générée par la récurrence.")
            for s in fresh
        ]
    )
    return len(fresh)


def sessions_generate_all(*, until: datetime.date | None = None) -> int:
    """Every active recurrence of every active RCP (the beat task)."""
    total = 0
    for recurrence in Recurrence.objects.filter(is_active=True, rcp__is_active=True).order_by("pk"):
        total += sessions_generate(recurrence=recurrence, until=until)
    return total


@transaction.atomic
def session_add_extra(
    *,
    rcp: Rcp,
    starts_at: datetime.datetime,
    duration_minutes: int = 90,
    place: str = "",
    video_link: str = "",
    by=None,
) -> Session:
    if starts_at < timezone.now():
        raise ValidationError({"starts_at": "Une séance supplémentaire ne peut pas être créée dans le passé."})
    if not rcp.is_active:
        raise ValidationError("Cette RCP est inactive : elle ne peut pas recevoir de nouvelle séance.")
    session = Session(
        rcp=rcp,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=duration_minutes),
        place=place,
        video_link=video_link,
        is_extra=True,
    )
    session.full_clean()
    session.save()
    SessionTransition.objects.create(
        session=session, to_status=SessionStatus.PLANNED, note="Séance supplémentaire.", by=by
    )
    return session


@transaction.atomic
def session_move(
    *,
    session: Session,
    starts_at: datetime.datetime,
    duration_minutes: int | None = None,
    place: str | None = None,
    by=None,
    notify: bool = True,
) -> Session:
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != SessionStatus.PLANNED:
        raise TransitionError(
            f"Seule une séance planifiée peut être déplacée (statut : {session.get_status_display()})."
        )
    if starts_at < timezone.now():
        raise ValidationError({"starts_at": "Une séance ne peut pas être déplacée dans le passé."})
    duration = datetime.timedelta(minutes=duration_minutes) if duration_minutes else session.ends_at - session.starts_at
    before = timezone.localtime(session.starts_at)
    session.starts_at = starts_at
    session.ends_at = starts_at + duration
    if place is not None:
        session.place = place
    session.full_clean()
    session.save()
    after = timezone.localtime(starts_at)
    SessionTransition.objects.create(
        session=session,
        from_status=session.status,
        to_status=session.status,
        note=f"Déplacée du {before:%d/%m/%Y %H:%M} au {after:%d/%m/%Y %H:%M}.",
        by=by,
    )
    if notify:
        send_session_notice.delay_on_commit(session.pk, "moved")
    return session


@transaction.atomic
def session_cancel(*, session: Session, reason: str, by=None, notify: bool = True) -> Session:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Le motif d'annulation est obligatoire."})
    session = _transition(session=session, to=SessionStatus.CANCELLED, note=reason, by=by, cancel_reason=reason)
    if notify:
        send_session_notice.delay_on_commit(session.pk, "cancelled")
    return session


@transaction.atomic
def session_open(*, session: Session, by=None) -> Session:
    return _transition(session=session, to=SessionStatus.OPEN, note="Séance ouverte.", by=by)


@transaction.atomic
def session_reopen_planning(*, session: Session, by=None) -> Session:
    """Cancel the opening (back to planned), only while no fiche of the session has been signed."""
    if Fiche.objects.filter(dossier__session_id=session.pk, validated_at__isnull=False).exists():
        raise ValidationError(
            "Des fiches de cette séance sont déjà validées et signées : l'ouverture ne peut plus être annulée. "
            "Clôturez la séance quand la discussion est terminée."
        )
    return _transition(session=session, to=SessionStatus.PLANNED, note="Ouverture annulée.", by=by)


@transaction.atomic
def session_close(*, session: Session, by=None) -> Session:
    """Close the session; dossiers left without a validated fiche are flagged and their validators
    (the doctors present) reminded by e-mail once the transaction commits."""
    session = _transition(session=session, to=SessionStatus.CLOSED, note="Séance clôturée.", by=by)
    pending = unvalidated_dossiers(session).count()
    if pending:
        session.transitions.filter(to_status=SessionStatus.CLOSED).update(
            note=f"Séance clôturée ; {pending} dossier{'s' if pending > 1 else ''} sans fiche validée."
        )
        send_validation_reminders.delay_on_commit(session.pk)
    if session.current_dossier_id:
        session.current_dossier = None
        session.save(update_fields=["current_dossier"])
    return session


def _transition(*, session: Session, to: str, note: str, by=None, cancel_reason: str = "") -> Session:
    session = Session.objects.select_for_update().get(pk=session.pk)
    current = session.status
    if to not in SESSION_TRANSITIONS[current]:
        raise TransitionError(
            f"Transition impossible : une séance « {SessionStatus(current).label.lower()} » "
            f"ne peut pas passer à « {SessionStatus(to).label.lower()} »."
        )
    session.status = to
    if cancel_reason:
        session.cancel_reason = cancel_reason
    session.save(update_fields=["status", "cancel_reason"])
    SessionTransition.objects.create(session=session, from_status=current, to_status=to, note=note, by=by)
    return session


# --- Attendance -----------------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, session: Session, entries: dict[int, str | None], by=None) -> list[Attendance]:
    """Set the attendance of a session at once: {professional id: mode or None (not recorded)}.

    Allowed while the session is open, or after it for a correction; not on a cancelled session
    nor on a future planned one.
    """
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError("Séance annulée : aucune présence ne peut être enregistrée.")
    if session.status == SessionStatus.PLANNED and timezone.localtime(session.starts_at).date() > timezone.localdate():
        raise ValidationError("La séance n'a pas encore eu lieu : ouvrez-la pour saisir les présences.")
    valid_modes = set(AttendanceMode.values)
    bad = [mode for mode in entries.values() if mode and mode not in valid_modes]
    if bad:
        raise ValidationError(f"Mode de présence inconnu : {', '.join(bad)}.")
    professionals = {p.pk: p for p in Professional.objects.filter(pk__in=entries.keys())}
    missing = set(entries) - set(professionals)
    if missing:
        raise ValidationError("Professionnel inconnu dans la feuille de présence.")
    member_specialties = dict(
        RcpMember.objects.filter(rcp_id=session.rcp_id, professional_id__in=entries.keys()).values_list(
            "professional_id", "specialty_id"
        )
    )
    Attendance.objects.filter(session=session, professional_id__in=[k for k, v in entries.items() if not v]).delete()
    kept = []
    for professional_id, mode in entries.items():
        if not mode:
            continue
        specialty_id = member_specialties.get(professional_id) or professionals[professional_id].specialty_id
        attendance, _ = Attendance.objects.update_or_create(
            session=session,
            professional_id=professional_id,
            defaults={"mode": mode, "specialty_id": specialty_id, "recorded_by": by},
        )
        kept.append(attendance)
    return kept


# --- Calendar feeds -------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_for(*, user) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def calendar_feed_renew(*, user) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    feed.token = new_token()
    feed.save(update_fields=["token"])
    return feed
