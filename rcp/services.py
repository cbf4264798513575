"""Writes of the RCP catalogue, agenda and attendance. Every function is atomic and keyword-only."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dcc.directory.models import Establishment, Professional, Specialty, ThreeC
from rcp import recurrence as rec
from rcp.enums import SESSION_TRANSITIONS, AttendanceMode, MemberRole, RecurrenceKind, SessionStatus
from rcp.models import (
    Attendance,
    CalendarFeed,
    CodeListEntry,
    MentionCategory,
    Rcp,
    RcpMember,
    Recurrence,
    Session,
    SessionTransition,
    SpecialtyTag,
)
from rcp.quorum import QuorumRule
from rcp.value_sets import parse_value_set

GENERATION_HORIZON_DAYS = 183


class TransitionError(ValidationError):
    """A forbidden status change."""


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# --- Catalogue ------------------------------------------------------------------------------


@dataclass
class RcpData:
    title: str
    three_c: ThreeC
    establishment: Establishment
    nature: str
    organ: str = ""
    is_haematology: bool = False
    is_recourse: bool = False
    is_paediatric: bool = False
    default_place: str = ""
    video_link: str = ""
    registration_deadline_days: int = 2
    max_dossiers: int = 30
    is_active: bool = True


def _check_establishment(data: RcpData) -> None:
    if data.establishment.three_c_id != data.three_c.pk:
        raise ValidationError(
            {"establishment": f"L'établissement {data.establishment.name} ne relève pas du {data.three_c.name}."}
        )


@transaction.atomic
def rcp_create(*, data: RcpData, tags: Iterable[SpecialtyTag] = (), quorum: QuorumRule | None = None) -> Rcp:
    """A new RCP, with the INCa default quorum rule unless one is given."""
    _check_establishment(data)
    quorum = quorum or QuorumRule.inca_default(is_haematology=data.is_haematology)
    rcp = Rcp(
        **vars(data),
        quorum_min_specialties=quorum.min_specialties,
        quorum_requires_treating_specialty=quorum.requires_treating_specialty,
        quorum_requires_surgeon=quorum.requires_surgeon,
    )
    rcp.full_clean()
    rcp.save()
    rcp.tags.set(list(tags))
    rcp.quorum_required_specialties.set(list(quorum.required_specialties))
    return rcp


@transaction.atomic
def rcp_update(*, rcp: Rcp, data: RcpData, tags: Iterable[SpecialtyTag]) -> Rcp:
    _check_establishment(data)
    for name, value in vars(data).items():
        setattr(rcp, name, value)
    rcp.full_clean()
    rcp.save()
    rcp.tags.set(list(tags))
    return rcp


@transaction.atomic
def rcp_set_quorum_rule(*, rcp: Rcp, rule: QuorumRule) -> Rcp:
    if rule.min_specialties < 1:
        raise ValidationError({"quorum_min_specialties": "Le quorum exige au moins une spécialité."})
    rcp.quorum_min_specialties = rule.min_specialties
    rcp.quorum_requires_treating_specialty = rule.requires_treating_specialty
    rcp.quorum_requires_surgeon = rule.requires_surgeon
    rcp.save(update_fields=["quorum_min_specialties", "quorum_requires_treating_specialty", "quorum_requires_surgeon"])
    rcp.quorum_required_specialties.set(Specialty.objects.filter(pk__in=rule.required_specialties))
    return rcp


@transaction.atomic
def member_add(
    *,
    rcp: Rcp,
    professional: Professional,
    role: str = MemberRole.MEMBER,
    specialty: Specialty | None = None,
    is_fixed_participant: bool = True,
) -> RcpMember:
    if RcpMember.objects.filter(rcp=rcp, professional=professional).exists():
        raise ValidationError({"professional": f"{professional.display_name} est déjà membre de cette RCP."})
    if not professional.is_active:
        raise ValidationError({"professional": f"{professional.display_name} n'est plus en activité."})
    return RcpMember.objects.create(
        rcp=rcp,
        professional=professional,
        role=role,
        specialty=specialty or professional.specialty,
        is_fixed_participant=is_fixed_participant,
    )


@transaction.atomic
def member_remove(*, member: RcpMember) -> None:
    member.delete()


@transaction.atomic
def mention_save(*, mention: MentionCategory | None, code: str, label: str, information: str, position: int):
    """Create or edit a mention category (regional admin); codes stay unique."""
    mention = mention or MentionCategory()
    if MentionCategory.objects.filter(code=code).exclude(pk=mention.pk).exists():
        raise ValidationError({"code": f"La mention « {code} » existe déjà."})
    mention.code, mention.label, mention.information, mention.position = (
        code.strip(),
        label.strip(),
        information,
        position,
    )
    mention.full_clean()
    mention.save()
    return mention


@transaction.atomic
def tag_save(
    *, tag: SpecialtyTag | None, code: str, label: str, mention: MentionCategory | None, position: int
) -> SpecialtyTag:
    tag = tag or SpecialtyTag()
    if SpecialtyTag.objects.filter(code=code).exclude(pk=tag.pk).exists():
        raise ValidationError({"code": f"Le tag « {code} » existe déjà."})
    tag.code, tag.label, tag.mention, tag.position = code.strip(), label.strip(), mention, position
    tag.full_clean()
    tag.save()
    return tag


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
        from rcp.tasks import send_session_notice

        send_session_notice.delay_on_commit(session.pk, "moved")
    return session


@transaction.atomic
def session_cancel(*, session: Session, reason: str, by=None, notify: bool = True) -> Session:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Le motif d'annulation est obligatoire."})
    session = _transition(session=session, to=SessionStatus.CANCELLED, note=reason, by=by, cancel_reason=reason)
    if notify:
        from rcp.tasks import send_session_notice

        send_session_notice.delay_on_commit(session.pk, "cancelled")
    return session


@transaction.atomic
def session_open(*, session: Session, by=None) -> Session:
    return _transition(session=session, to=SessionStatus.OPEN, note="Séance ouverte.", by=by)


@transaction.atomic
def session_reopen_planning(*, session: Session, by=None) -> Session:
    return _transition(session=session, to=SessionStatus.PLANNED, note="Ouverture annulée.", by=by)


@transaction.atomic
def session_close(*, session: Session, by=None) -> Session:
    return _transition(session=session, to=SessionStatus.CLOSED, note="Séance clôturée.", by=by)


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
    from rcp.models import new_token

    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    feed.token = new_token()
    feed.save(update_fields=["token"])
    return feed


# --- Code lists -----------------------------------------------------------------------------


@transaction.atomic
def value_set_load(*, path: Path) -> tuple[str, int]:
    """Insert or refresh one value set's concepts; concepts no longer published are removed."""
    parsed = parse_value_set(path)
    CodeListEntry.objects.bulk_create(
        [
            CodeListEntry(
                value_set_oid=parsed.oid,
                value_set_name=parsed.name,
                code=code,
                code_system=system,
                label=label[:500],
                position=index,
            )
            for index, (code, system, label) in enumerate(parsed.concepts)
        ],
        update_conflicts=True,
        unique_fields=["value_set_oid", "code_system", "code"],
        update_fields=["value_set_name", "label", "position"],
    )
    keys = {(system, code) for code, system, _ in parsed.concepts}
    stale = [
        pk
        for pk, system, code in CodeListEntry.objects.filter(value_set_oid=parsed.oid).values_list(
            "pk", "code_system", "code"
        )
        if (system, code) not in keys
    ]
    CodeListEntry.objects.filter(pk__in=stale).delete()
    return parsed.name, len(parsed.concepts)
