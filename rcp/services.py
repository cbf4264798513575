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
from django.db.models import Count, F, Q
from django.utils import timezone

from dcc.directory.models import Establishment, Professional, Specialty, ThreeC
from dcc.records.enums import TrailAction
from interop.queueing import generation_queue, generation_relaunch
from rcp import perms
from rcp import recurrence as rec
from rcp.concertation_documents import CONCERTATION_SOURCE
from rcp.enums import (
    DOSSIER_ACTIVE,
    DOSSIER_ATTACHMENTS_EDITABLE,
    DOSSIER_TRANSITIONS,
    FICHE_DOCUMENT_SOURCE,
    SESSION_TRANSITIONS,
    AttendanceMode,
    DossierMotive,
    DossierStatus,
    MemberRole,
    Nature,
    RecurrenceKind,
    SessionStatus,
)
from rcp.models import (
    FICHE_CODED_FIELDS,
    FICHE_CONTENT_FIELDS,
    FICHE_COPY_FORWARD_FIELDS,
    Attendance,
    CalendarFeed,
    CodeListEntry,
    Concertation,
    Dossier,
    DossierAttachment,
    DossierTransition,
    Fiche,
    FicheVersion,
    MentionCategory,
    Rcp,
    RcpMember,
    Recurrence,
    Session,
    SessionTransition,
    SpecialtyTag,
)
from rcp.notices import send_session_notice, send_validation_reminders
from rcp.quorum import QuorumRule
from rcp.selectors import session_quorum, unvalidated_dossiers
from rcp.value_sets import FICHE_VALUE_SETS, parse_value_set

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


OPEN_EARLY_DAYS = 1


def session_opens_early(session: Session, *, today=None) -> int:
    """How many days ahead of its date the session would be opened (0 when it is today, tomorrow or past)."""
    today = today or timezone.localdate()
    ahead = (timezone.localtime(session.starts_at).date() - today).days
    return ahead if ahead > OPEN_EARLY_DAYS else 0


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


# --- Dossiers (demandes d'avis) -------------------------------------------------------------


class FicheConflict(Exception):
    """Someone else saved the fiche since the form was opened: nothing was written."""

    def __init__(self, current: Fiche, submitted: dict):
        super().__init__("Conflit de modification")
        self.current = current
        self.submitted = submitted


def _dossier_log(dossier: Dossier, from_status: str, to_status: str, *, by, note: str = "") -> None:
    DossierTransition.objects.create(
        dossier=dossier, from_status=from_status, to_status=to_status, note=note, by=by if by else None
    )


def _check_session_open_for_registration(session: Session, *, by, check_deadline: bool = True) -> bool:
    """Refuse a cancelled, closed, past or full session; returns whether the registration is late."""
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError("Cette séance est annulée : aucun dossier ne peut y être inscrit.")
    if session.status == SessionStatus.CLOSED:
        raise ValidationError("Cette séance est clôturée : aucun dossier ne peut y être inscrit.")
    if session.ends_at < timezone.now():
        raise ValidationError("Cette séance a déjà eu lieu : inscrivez le dossier à une séance à venir.")
    active = session.dossiers.filter(status__in=DOSSIER_ACTIVE).count()
    if active >= session.rcp.max_dossiers:
        raise ValidationError(
            f"La séance est complète ({session.rcp.max_dossiers} dossiers) : choisissez une autre séance."
        )
    late = timezone.localdate() > session.registration_deadline
    if check_deadline and late and not perms.is_three_c_secretary_of(by, session.rcp):
        raise ValidationError(
            f"La date limite d'inscription à cette séance ({session.registration_deadline:%d/%m/%Y}) est dépassée : "
            "seul le secrétariat du 3C peut encore inscrire un dossier."
        )
    return late


def _attach_care(dossier: Dossier) -> None:
    """The people and structures of the RCP become part of the patient's care (dcc.records)."""
    from dcc.records.enums import CareRelationshipKind
    from dcc.records.services import care_relationship_add

    rcp = dossier.session.rcp
    source = f"rcp.dossier:{dossier.pk}"
    patient = dossier.patient
    care_relationship_add(
        patient=patient,
        kind=CareRelationshipKind.REQUESTING_DOCTOR,
        professional=dossier.requesting_doctor,
        source=source,
    )
    care_relationship_add(patient=patient, kind=CareRelationshipKind.THREE_C, three_c=rcp.three_c, source=source)
    care_relationship_add(
        patient=patient,
        kind=CareRelationshipKind.TREATING_ESTABLISHMENT,
        establishment=rcp.establishment,
        source=source,
    )
    for member in rcp.members.select_related("professional"):
        care_relationship_add(
            patient=patient, kind=CareRelationshipKind.RCP_MEMBER, professional=member.professional, source=source
        )


def _trail(*, by, action: str, patient, obj, request=None, detail: str = "") -> None:
    from dcc.records.trail import trail_record

    trail_record(user=by, action=action, patient=patient, obj=obj, request=request, detail=detail)


@transaction.atomic
def dossier_register(
    *,
    session: Session,
    patient,
    requesting_doctor: Professional,
    motive: str,
    question: str,
    by,
    draft: bool = False,
    attachments: Iterable = (),
    request=None,
) -> Dossier:
    """Register a patient's case to a session (or keep it as a draft), with its empty fiche.

    Refused for a cancelled, closed, past or full session, and after the deadline unless ``by`` is
    the 3C secretary of the RCP's 3C (the dossier is then marked late). ``attachments`` are documents
    of the patient's record joined to the demande d'avis.
    """

    session = (
        Session.objects.select_for_update().select_related("rcp__three_c", "rcp__establishment").get(pk=session.pk)
    )
    question = (question or "").strip()
    errors = {}
    if motive not in DossierMotive.values:
        errors["motive"] = "Choisissez le motif de la demande."
    if not question:
        errors["question"] = "La question posée à la RCP est obligatoire."
    if not requesting_doctor.is_active:
        errors["requesting_doctor"] = f"{requesting_doctor.display_name} n'est plus en activité."
    attachments = list(attachments)
    if refused := _attachment_error(patient, attachments):
        errors["attachments"] = refused
    if errors:
        raise ValidationError(errors)
    if session.dossiers.filter(patient=patient, status__in=DOSSIER_ACTIVE).exists():
        raise ValidationError("Ce patient est déjà inscrit à cette séance.")
    late = _check_session_open_for_registration(session, by=by, check_deadline=not draft)
    last = session.dossiers.order_by("-position").values_list("position", flat=True).first() or 0
    dossier = Dossier.objects.create(
        session=session,
        patient=patient,
        requesting_doctor=requesting_doctor,
        motive=motive,
        question=question,
        position=last + 1,
        is_late=late and not draft,
        created_by=by,
    )
    _dossier_log(dossier, "", DossierStatus.DRAFT, by=by, note="Demande d'avis créée.")
    Fiche.objects.create(dossier=dossier, nature=session.rcp.nature, question=question, updated_by=by)
    _attach_care(dossier)
    _trail(by=by, action=TrailAction.CREATE, patient=patient, obj=dossier, request=request)
    DossierAttachment.objects.bulk_create(
        DossierAttachment(dossier=dossier, document=document, added_by=by) for document in attachments
    )
    if not draft:
        dossier.status = DossierStatus.REGISTERED
        dossier.save(update_fields=["status"])
        _dossier_log(
            dossier,
            DossierStatus.DRAFT,
            DossierStatus.REGISTERED,
            by=by,
            note="Inscription hors délai par le secrétariat du 3C." if dossier.is_late else "Inscription.",
        )
        _notify_gp(dossier, by=by)
    return dossier


def _notify_gp(dossier: Dossier, *, by) -> None:
    """The patient's GP is told of the registration (rcp.gp), in the registration's transaction."""
    from rcp.gp.services import gp_notice_for_dossier

    gp_notice_for_dossier(dossier=dossier, by=by)


def _attachment_error(patient, documents: list) -> str:
    """Only documents of this patient's record, still current, may be attached: the French refusal, or ''."""
    from dcc.records.enums import DocumentStatus

    for document in documents:
        if document.patient_id != patient.pk:
            return f"Le document « {document.title} » n'appartient pas au dossier de ce patient."
        if document.status != DocumentStatus.CURRENT:
            return f"Le document « {document.title} » a été remplacé : joignez sa version en vigueur."
    return ""


@transaction.atomic
def dossier_attachments_set(*, dossier: Dossier, documents: Iterable, by, request=None) -> Dossier:
    """Replace the documents of the record attached to a dossier (while it is a draft or registered)."""

    dossier = Dossier.objects.select_for_update().select_related("patient").get(pk=dossier.pk)
    if dossier.status not in DOSSIER_ATTACHMENTS_EDITABLE:
        raise ValidationError(
            f"Les pièces jointes d'un dossier « {dossier.get_status_display().lower()} » ne sont plus modifiables."
        )
    documents = list(documents)
    current = {attachment.document_id: attachment for attachment in dossier.attached_documents.all()}
    wanted = {document.pk: document for document in documents}
    removed = [pk for pk in current if pk not in wanted]
    added = [document for pk, document in wanted.items() if pk not in current]
    if refused := _attachment_error(dossier.patient, added):
        raise ValidationError({"attachments": refused})
    if not removed and not added:
        return dossier
    dossier.attached_documents.filter(document_id__in=removed).delete()
    DossierAttachment.objects.bulk_create(
        DossierAttachment(dossier=dossier, document=document, added_by=by) for document in added
    )
    _trail(
        by=by, action=TrailAction.UPDATE, patient=dossier.patient, obj=dossier, request=request,
        detail=f"pièces jointes : {len(added)} ajoutée(s), {len(removed)} retirée(s)",
    )  # fmt: skip
    return dossier


@transaction.atomic
def dossier_submit(*, dossier: Dossier, by, request=None) -> Dossier:
    """A draft becomes registered: the session's deadline and capacity are checked now."""
    session = Session.objects.select_for_update().select_related("rcp").get(pk=dossier.session_id)
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    _check_transition(dossier, DossierStatus.REGISTERED)
    late = _check_session_open_for_registration(session, by=by)
    dossier.is_late = late
    _set_status(dossier, DossierStatus.REGISTERED, by=by, note="Inscription hors délai." if late else "Inscription.")
    _notify_gp(dossier, by=by)
    return dossier


def _check_transition(dossier: Dossier, to: str) -> None:
    if to not in DOSSIER_TRANSITIONS[dossier.status]:
        raise TransitionError(
            f"Transition impossible : un dossier « {DossierStatus(dossier.status).label.lower()} » "
            f"ne peut pas passer à « {DossierStatus(to).label.lower()} »."
        )


def _set_status(dossier: Dossier, to: str, *, by, note: str = "") -> Dossier:
    current = dossier.status
    dossier.status = to
    dossier.save(update_fields=["status", "is_late"])
    _dossier_log(dossier, current, to, by=by, note=note)
    return dossier


def next_session_for(session: Session) -> Session | None:
    """The next planned or open session of the same RCP after ``session`` that still has room."""
    candidates = (
        Session.objects.filter(
            rcp_id=session.rcp_id,
            starts_at__gt=max(session.starts_at, timezone.now()),
            status__in=[SessionStatus.PLANNED, SessionStatus.OPEN],
        )
        .annotate(active=Count("dossiers", filter=Q(dossiers__status__in=DOSSIER_ACTIVE)))
        .select_related("rcp")
        .order_by("starts_at")
    )
    for candidate in candidates[:10]:
        if candidate.active < candidate.rcp.max_dossiers:
            return candidate
    return None


@transaction.atomic
def dossier_transition(*, dossier: Dossier, to: str, by, note: str = "", request=None) -> Dossier:
    """Change a dossier's status along the state machine; a postponed dossier or one to present
    again is re-registered to the next session of the same RCP (a new dossier linked to this one)."""

    dossier = Dossier.objects.select_for_update().select_related("session__rcp", "patient").get(pk=dossier.pk)
    _check_transition(dossier, to)
    if to == DossierStatus.VALIDATED:
        raise TransitionError("Un dossier est validé par la signature de sa fiche RCP.")
    if to == DossierStatus.CANCELLED and not (note or "").strip():
        raise ValidationError({"note": "Indiquez le motif d'annulation du dossier."})
    successor = None
    if to in (DossierStatus.POSTPONED, DossierStatus.TO_REPRESENT):
        target = next_session_for(dossier.session)
        if target is None:
            raise ValidationError(
                "Aucune séance à venir de cette RCP n'a de place : ajoutez une séance avant de reporter le dossier."
            )
        successor = _re_register(dossier, target, to=to, by=by)
        note = (
            note + " " if note else ""
        ) + f"Réinscrit à la séance du {timezone.localtime(target.starts_at):%d/%m/%Y}."
    _set_status(dossier, to, by=by, note=note.strip())
    _trail(by=by, action=TrailAction.UPDATE, patient=dossier.patient, obj=dossier, request=request, detail=to)
    if successor is not None:
        _trail(by=by, action=TrailAction.CREATE, patient=dossier.patient, obj=successor, request=request)
    return dossier


UNDO_MINUTES = 15


def postponements_to_undo(session: Session, *, by):
    """The dossiers ``by`` postponed (or sent to be presented again) in this session in the last minutes."""
    since = timezone.now() - datetime.timedelta(minutes=UNDO_MINUTES)
    return (
        session.dossiers.filter(
            status__in=[DossierStatus.POSTPONED, DossierStatus.TO_REPRESENT],
            transitions__to_status__in=[DossierStatus.POSTPONED, DossierStatus.TO_REPRESENT],
            transitions__by=by,
            transitions__at__gte=since,
        )
        .select_related("patient")
        .distinct()
    )


@transaction.atomic
def dossier_postpone_undo(*, dossier: Dossier, by, request=None) -> Dossier:
    """Undo a postponement (or « à représenter ») made by mistake: the dossier goes back to its status in this
    session and the dossier it re-registered at the next session is cancelled, while nothing was done with it."""

    dossier = Dossier.objects.select_for_update().select_related("session", "patient").get(pk=dossier.pk)
    if dossier.status not in (DossierStatus.POSTPONED, DossierStatus.TO_REPRESENT):
        raise ValidationError("Ce dossier n'est pas reporté : rien à annuler.")
    if dossier.session.status not in (SessionStatus.PLANNED, SessionStatus.OPEN):
        raise ValidationError("La séance est close : le report ne peut plus être annulé.")
    successor = Dossier.objects.select_for_update(of=("self",)).select_related("fiche").filter(previous=dossier).first()
    if successor is not None and (successor.status != DossierStatus.REGISTERED or successor.fiche.revision > 1):
        raise ValidationError(
            "Le dossier réinscrit à la séance suivante a déjà été modifié : annulez-le depuis cette séance."
        )
    last = dossier.transitions.filter(to_status=dossier.status).order_by("-at", "-pk").first()
    back_to = last.from_status if last and last.from_status else DossierStatus.REGISTERED
    if successor is not None:
        successor.previous = None
        successor.save(update_fields=["previous"])
        _set_status(successor, DossierStatus.CANCELLED, by=by, note=f"Report du dossier {dossier.pk} annulé.")
    _set_status(dossier, back_to, by=by, note="Report annulé : le dossier reste à cette séance.")
    _trail(
        by=by, action=TrailAction.UPDATE, patient=dossier.patient, obj=dossier, request=request, detail="report annulé"
    )
    return dossier


def _re_register(dossier: Dossier, target: Session, *, to: str, by) -> Dossier:
    last = target.dossiers.order_by("-position").values_list("position", flat=True).first() or 0
    successor = Dossier.objects.create(
        session=target,
        patient=dossier.patient,
        requesting_doctor=dossier.requesting_doctor,
        motive=DossierMotive.REPRESENTATION if to == DossierStatus.TO_REPRESENT else dossier.motive,
        question=dossier.question,
        status=DossierStatus.REGISTERED,
        position=last + 1,
        previous=dossier,
        created_by=by,
    )
    _dossier_log(
        successor,
        "",
        DossierStatus.REGISTERED,
        by=by,
        note=f"Réinscription automatique ({DossierStatus(to).label.lower()}) du dossier {dossier.pk}.",
    )
    old = getattr(dossier, "fiche", None)
    fiche = Fiche(dossier=successor, nature=target.rcp.nature, question=dossier.question, updated_by=by)
    if old is not None:
        # Postponed: nothing was discussed, the whole draft follows; to present again: the disease.
        fields = FICHE_CONTENT_FIELDS if to == DossierStatus.POSTPONED else FICHE_COPY_FORWARD_FIELDS
        for name in fields:
            setattr(fiche, name, getattr(old, name))
        fiche.copied_from = old
        if to == DossierStatus.POSTPONED:
            fiche.guideline_conform = None
            fiche.guideline_justification = old.guideline_justification
    fiche.save()
    # The documents the request relied on follow it to the next session (still editable there).
    DossierAttachment.objects.bulk_create(
        DossierAttachment(dossier=successor, document_id=attachment.document_id, added_by_id=attachment.added_by_id)
        for attachment in dossier.attached_documents.all()
    )
    _attach_care(successor)
    _notify_gp(successor, by=by)
    return successor


@transaction.atomic
def dossiers_reorder(*, session: Session, ordered_ids: list[int], by) -> None:
    """The 3C secretary sets the order of presentation; every dossier of the session, once each."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    current = set(session.dossiers.values_list("pk", flat=True))
    if len(ordered_ids) != len(set(ordered_ids)) or set(ordered_ids) != current:
        raise ValidationError("L'ordre proposé ne correspond pas aux dossiers de la séance : rechargez la page.")
    for position, pk in enumerate(ordered_ids, start=1):
        Dossier.objects.filter(pk=pk).update(position=position)
    SessionTransition.objects.create(
        session=session, from_status=session.status, to_status=session.status, note="Ordre de passage modifié.", by=by
    )


# --- Fiche RCP ------------------------------------------------------------------------------

FICHE_DATE_FIELDS = frozenset({"discovery_date", "diagnosis_date"})


def _value_set_codes(key: str, codes: Iterable[str]) -> set[str]:
    name = FICHE_VALUE_SETS[key].filename.removesuffix(".xml")
    return set(CodeListEntry.objects.filter(value_set_name=name, code__in=list(codes)).values_list("code", flat=True))


def clean_fiche_data(data: dict) -> dict:
    """Check a (partial) fiche content: codes in their value sets, ranked treatments, conformity.

    Returns the cleaned values; raises a ValidationError with one French message per field.
    """
    unknown = set(data) - set(FICHE_CONTENT_FIELDS)
    if unknown:
        raise ValidationError(f"Champs inconnus : {', '.join(sorted(unknown))}.")
    cleaned = dict(data)
    errors: dict[str, list[str]] = {}
    for name, key in FICHE_CODED_FIELDS.items():
        code = (cleaned.get(name) or "").strip() if name in cleaned else None
        if code is None:
            continue
        cleaned[name] = code
        if code and not _value_set_codes(key, [code]):
            errors.setdefault(name, []).append(
                f"Le code « {code} » n'appartient pas au jeu de valeurs « {FICHE_VALUE_SETS[key].purpose} »."
            )
    if "treatments" in cleaned:
        treatments = []
        for item in cleaned["treatments"] or []:
            code = (item.get("code") or "").strip()
            if not code:
                continue
            treatments.append({"rank": int(item.get("rank") or 0), "code": code, "detail": (item.get("detail") or "")})
        valid = _value_set_codes("type_traitement", [t["code"] for t in treatments])
        for t in treatments:
            if t["code"] not in valid:
                errors.setdefault("treatments", []).append(
                    f"Le code « {t['code']} » n'est pas un type de traitement du jeu de valeurs FRCP."
                )
        ranks = [t["rank"] for t in treatments]
        if any(rank < 1 for rank in ranks) or len(ranks) != len(set(ranks)):
            errors.setdefault("treatments", []).append("Chaque option proposée doit avoir un rang distinct (1, 2, 3…).")
        cleaned["treatments"] = sorted(treatments, key=lambda t: t["rank"])
    if "nature" in cleaned and cleaned["nature"] not in Nature.values:
        errors.setdefault("nature", []).append("Nature de discussion inconnue.")
    if cleaned.get("guideline_conform") is False and not (cleaned.get("guideline_justification") or "").strip():
        errors.setdefault("guideline_justification", []).append("Justifiez la proposition non conforme au référentiel.")
    if cleaned.get("clinical_trial_proposed") and not (cleaned.get("clinical_trial") or "").strip():
        errors.setdefault("clinical_trial", []).append("Précisez l'essai clinique proposé.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _lock_fiche(fiche: Fiche, expected_revision: int | None, submitted: dict) -> Fiche:
    current = Fiche.objects.select_for_update().select_related("dossier__patient").get(pk=fiche.pk)
    if expected_revision is not None and current.revision != expected_revision:
        raise FicheConflict(current, submitted)
    return current


def _apply(fiche: Fiche, cleaned: dict, *, by) -> None:
    for name, value in cleaned.items():
        setattr(fiche, name, value)
    fiche.revision += 1
    fiche.updated_by = by
    fiche.save()


@transaction.atomic
def fiche_save(*, fiche: Fiche, data: dict, expected_revision: int | None, by, request=None) -> Fiche:
    """Save a (partial) fiche before validation. ``expected_revision`` is the revision the form was
    opened on: a different current revision means someone saved meanwhile → FicheConflict."""

    cleaned = clean_fiche_data(data)
    current = _lock_fiche(fiche, expected_revision, data)
    if current.is_validated:
        raise ValidationError("Cette fiche est validée : modifiez-la par un amendement motivé.")
    if current.dossier.status in (DossierStatus.CANCELLED, DossierStatus.POSTPONED, DossierStatus.TO_REPRESENT):
        raise ValidationError("Ce dossier n'est plus discuté dans cette séance : sa fiche ne peut plus changer.")
    _apply(current, cleaned, by=by)
    _trail(by=by, action=TrailAction.UPDATE, patient=current.dossier.patient, obj=current, request=request)
    return current


def fiche_quorum(fiche: Fiche):
    """The quorum of the fiche's session, the requesting doctor's specialty counting as treating."""
    session = fiche.dossier.session
    return session_quorum(session, treating_specialty=fiche.dossier.requesting_doctor.specialty_id)


def is_present(*, session_id: int, user) -> bool:
    """Whether ``user`` is recorded present (room or video) at the session: only then may she sign its fiches."""
    return (
        bool(user.professional_id)
        and Attendance.objects.filter(
            session_id=session_id,
            professional_id=user.professional_id,
            mode__in=[AttendanceMode.ROOM, AttendanceMode.VIDEO],
        ).exists()
    )


NOT_PRESENT = (
    "Votre présence à cette séance n'est pas enregistrée : seul un médecin présent peut valider et signer la fiche. "
    "La secrétaire du 3C vous ajoute à la feuille de présence de la séance (page de la séance, « Feuille de "
    "présence ») ; la validation vous est alors proposée."
)


def fiche_signing_blockers(*, fiche: Fiche, by) -> list[str]:
    """Why ``by`` cannot sign the fiche now, in plain French (empty when she can): presence at the session, and
    whatever would keep the signed fiche's document from being produced (identity, signer in the directory)."""
    from rcp.documents import signing_problems

    dossier = fiche.dossier
    blockers = []
    if not perms.is_doctor(by):
        return ["Seul un médecin peut valider et signer la fiche RCP."]
    if not is_present(session_id=dossier.session_id, user=by):
        blockers.append(NOT_PRESENT)
    return blockers + signing_problems(dossier, by)


REQUIRED_FOR_VALIDATION = {
    "diagnosis_date": "la date du diagnostic",
    "topography_code": "la topographie (CIM-10)",
    "morphology_code": "la morphologie (CIM-O-3)",
    "case_summary": "le résumé du cas",
    "question": "la question posée",
}


def _participants(session: Session) -> list[dict]:
    return [
        {
            "professional_id": a.professional_id,
            "name": a.professional.display_name,
            "specialty": a.specialty.short_label if a.specialty else "",
            "mode": a.mode,
        }
        for a in session.attendances.select_related("professional", "specialty").filter(
            mode__in=[AttendanceMode.ROOM, AttendanceMode.VIDEO]
        )
    ]


@transaction.atomic
def fiche_validate(
    *, fiche: Fiche, by, off_quorum_reason: str = "", expected_revision: int | None = None, request=None
) -> Fiche:
    """Sign the fiche: by a doctor present at the session; without quorum only with a reason."""

    current = _lock_fiche(fiche, expected_revision, {})
    dossier = (
        Dossier.objects.select_for_update()
        .select_related("session__rcp", "requesting_doctor")
        .get(pk=current.dossier_id)
    )
    if current.is_validated:
        raise ValidationError("Cette fiche est déjà validée.")
    if dossier.status not in (DossierStatus.REGISTERED, DossierStatus.PRESENTED):
        raise TransitionError(f"Un dossier « {DossierStatus(dossier.status).label.lower()} » ne peut pas être validé.")
    if not (perms.is_doctor(by) and is_present(session_id=dossier.session_id, user=by)):
        raise RoleRefused("Seul un médecin présent à la séance peut valider la fiche RCP.")
    missing = [label for name, label in REQUIRED_FOR_VALIDATION.items() if not getattr(current, name)]
    if not (current.treatments or current.surveillance_only or current.representation_requested):
        missing.append("la proposition (un traitement, la surveillance seule ou une re-présentation)")
    if current.guideline_conform is None:
        missing.append("la conformité au référentiel")
    if missing:
        raise ValidationError("Avant de valider, renseignez " + ", ".join(missing) + ".")
    from rcp.documents import signing_problems

    problems = signing_problems(dossier, by)
    if problems:
        raise ValidationError("Avant de signer : " + " ".join(problems))
    current.dossier = dossier
    quorum = fiche_quorum(current)
    reason = (off_quorum_reason or "").strip()
    if not quorum.reached and not reason:
        raise ValidationError(
            {"off_quorum_reason": f"{quorum.explanation} Indiquez le motif d'une validation hors quorum."}
        )
    now = timezone.now()
    current.quorum_reached = quorum.reached
    current.quorum_explanation = quorum.explanation
    current.off_quorum_reason = "" if quorum.reached else reason
    current.participants = _participants(dossier.session)
    current.validated_by = by
    current.validated_at = now
    current.revision += 1
    current.save()
    _snapshot(current, by=by, at=now, reason="")
    if dossier.status == DossierStatus.REGISTERED:
        _set_status(dossier, DossierStatus.PRESENTED, by=by, note="Présenté (validation de la fiche).")
    _set_status(dossier, DossierStatus.VALIDATED, by=by, note="Fiche RCP validée.")
    _trail(by=by, action=TrailAction.UPDATE, patient=dossier.patient, obj=current, request=request, detail="validation")
    return current


def _snapshot(fiche: Fiche, *, by, at, reason: str) -> FicheVersion:
    version = FicheVersion.objects.create(
        fiche=fiche,
        version=fiche.version,
        content=fiche.content(),
        reason=reason,
        quorum_reached=fiche.quorum_reached,
        off_quorum_reason=fiche.off_quorum_reason,
        participants=fiche.participants,
        signed_by=by,
        signed_at=at,
    )
    fiche_document_request(version=version, patient=fiche.dossier.patient, by=by)
    return version


def fiche_document_request(*, version: FicheVersion, patient, by, relaunch: bool = False) -> bool:
    """Ask for the FRCP document (CDA + PDF/A) of a validated version, queued once the transaction commits.

    Idempotent: a version whose document is pending, running or stored is not queued again; a failed one is, and
    with ``relaunch`` one stuck « En attente » too (``DocumentGeneration.is_stuck``).
    """
    from dcc.records.documents_services import generation_request
    from interop.queueing import queue_on_commit

    _, should_queue = generation_request(
        source_type=FICHE_DOCUMENT_SOURCE, source_id=version.pk, patient=patient, requested_by=by, relaunch=relaunch
    )
    if should_queue:  # a broker away at commit leaves it pending for the beat task (interop.queueing)
        queue_on_commit(FICHE_DOCUMENT_SOURCE, version.pk, by.pk)
    return should_queue


@transaction.atomic
def fiche_document_regenerate(*, fiche: Fiche, by, request=None) -> int:
    """Queue again the failed, stuck « En attente » (or never requested) documents of the fiche's versions, oldest
    first, so version n+1 finds version n filed; returns how many were queued."""

    patient = fiche.dossier.patient
    queued = sum(
        fiche_document_request(version=version, patient=patient, by=by, relaunch=True)
        for version in fiche.versions.order_by("version")
    )
    _trail(by=by, action=TrailAction.UPDATE, patient=patient, obj=fiche, request=request, detail="relance du document")
    return queued


@transaction.atomic
def fiche_amend(*, fiche: Fiche, data: dict, reason: str, expected_revision: int | None, by, request=None) -> Fiche:
    """Amend a validated fiche: a new version, signed by a doctor, with the reason; earlier kept."""

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Le motif de l'amendement est obligatoire."})
    if not perms.is_doctor(by):
        raise RoleRefused("Seul un médecin peut amender une fiche RCP validée.")
    cleaned = clean_fiche_data(data)
    current = _lock_fiche(fiche, expected_revision, data)
    if not current.is_validated:
        raise ValidationError("Cette fiche n'est pas encore validée : enregistrez-la simplement.")
    from rcp.documents import signing_problems

    problems = signing_problems(current.dossier, by)
    if problems:
        raise ValidationError("Avant de signer l'amendement : " + " ".join(problems))
    current.version += 1
    _apply(current, cleaned, by=by)
    _snapshot(current, by=by, at=timezone.now(), reason=reason)
    _trail(
        by=by,
        action=TrailAction.UPDATE,
        patient=current.dossier.patient,
        obj=current,
        request=request,
        detail="amendement",
    )
    return current


def previous_fiche(fiche: Fiche) -> Fiche | None:
    """The patient's most recent other fiche (validated first), to copy forward."""
    return (
        Fiche.objects.filter(dossier__patient_id=fiche.dossier.patient_id)
        .exclude(pk=fiche.pk)
        .order_by(F("validated_at").desc(nulls_last=True), "-pk")
        .first()
    )


@transaction.atomic
def fiche_copy_forward(*, fiche: Fiche, expected_revision: int | None, by, request=None) -> Fiche:
    """Fill the disease items of the fiche from the patient's previous fiche."""
    source = previous_fiche(fiche)
    if source is None:
        raise ValidationError("Ce patient n'a pas d'autre fiche RCP à reprendre.")
    data = {name: getattr(source, name) for name in FICHE_COPY_FORWARD_FIELDS}
    saved = fiche_save(fiche=fiche, data=data, expected_revision=expected_revision, by=by, request=request)
    saved.copied_from = source
    saved.save(update_fields=["copied_from"])
    return saved


class RoleRefused(ValidationError):
    """An action the user's role does not allow (views turn it into a 403 or a message)."""


# --- Live session ---------------------------------------------------------------------------


@transaction.atomic
def session_set_current(*, session: Session, dossier: Dossier, by, request=None) -> Session:
    """Show a dossier to everyone following the live session. Reaching it does not mark it presented (the team may
    only skip it): saving its proposition or signing its fiche does."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != SessionStatus.OPEN:
        raise ValidationError("Ouvrez la séance avant de présenter les dossiers.")
    if dossier.session_id != session.pk:
        raise ValidationError("Ce dossier n'est pas inscrit à cette séance.")
    session.current_dossier = dossier
    session.save(update_fields=["current_dossier"])
    return session


@transaction.atomic
def dossier_mark_presented(*, dossier: Dossier, by) -> Dossier:
    """The team discussed a registered dossier (its proposition was entered): it is presented."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if dossier.status == DossierStatus.REGISTERED:
        _set_status(dossier, DossierStatus.PRESENTED, by=by, note="Présenté en séance.")
    return dossier


# --- CR de concertation ---------------------------------------------------------------------


@transaction.atomic
def concertation_create(
    *,
    patient,
    requesting_doctor: Professional,
    consulted: Iterable[Professional],
    question: str,
    opinion: str,
    treatment_codes: Iterable[str] = (),
    rcp: Rcp | None = None,
    by,
    request=None,
) -> Concertation:
    """Record an opinion given outside a session, signed by the doctor writing it; its document is then queued."""
    from dcc.records.enums import CareRelationshipKind, TrailAction
    from dcc.records.services import care_relationship_add

    if not perms.is_doctor(by):
        raise RoleRefused("Seul un médecin peut signer un compte rendu de concertation.")
    consulted = [p for p in consulted if p.pk != by.professional_id]
    errors = {}
    if not (question or "").strip():
        errors["question"] = "La question posée est obligatoire."
    if not (opinion or "").strip():
        errors["opinion"] = "L'avis est obligatoire."
    if not consulted:
        errors["consulted"] = "Indiquez au moins un confrère consulté."
    if errors:
        raise ValidationError(errors)
    cleaned = clean_fiche_data(
        {"treatments": [{"rank": i, "code": c, "detail": ""} for i, c in enumerate(treatment_codes, 1) if c]}
    )
    concertation = Concertation.objects.create(
        patient=patient,
        rcp=rcp,
        requesting_doctor=requesting_doctor,
        question=question.strip(),
        opinion=opinion.strip(),
        treatments=cleaned["treatments"],
        author=by,
    )
    concertation.consulted.set(consulted)
    source = f"rcp.concertation:{concertation.pk}"
    for professional in {requesting_doctor, *consulted}:
        care_relationship_add(
            patient=patient, kind=CareRelationshipKind.REQUESTING_DOCTOR if professional == requesting_doctor
            else CareRelationshipKind.RCP_PARTICIPANT, professional=professional, source=source,
        )  # fmt: skip
    _trail(by=by, action=TrailAction.CREATE, patient=patient, obj=concertation, request=request)
    # Signed means final: its CDA N1 document is filed in the patient's record. The pending generation is recorded
    # in this transaction and queued once it commits; a broker away then leaves it for the beat (interop.queueing).
    generation_queue(source_type=CONCERTATION_SOURCE, source_id=concertation.pk, patient=patient, by=by)
    return concertation


@transaction.atomic
def concertation_document_relaunch(*, concertation: Concertation, by, request=None) -> bool:
    """Queue again the CR de concertation's document when it failed or stayed « En attente » (traced)."""

    queued = generation_relaunch(
        source_type=CONCERTATION_SOURCE, source_id=concertation.pk, patient=concertation.patient, by=by
    )
    _trail(
        by=by, action=TrailAction.UPDATE, patient=concertation.patient, obj=concertation, request=request,
        detail="relance du document",
    )  # fmt: skip
    return queued
