"""Reads of the RCP app: catalogue, agenda and attendance, dossiers and fiches (with ``select_related`` and
``prefetch_related`` for the pages), and the pure reads the writes of ``rcp.services`` check before acting."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import NamedTuple

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Case, Count, Exists, F, Func, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Greatest, TruncDate
from django.utils import timezone

from dcc.directory.models import Professional, Specialty
from dcc.prepared_queries import PreparedGet
from dcc.records.models import DocumentGeneration
from dcc.records.selectors import patient_documents
from identity.selectors import visible_patients
from rcp import perms
from rcp.documents import signing_problems
from rcp.enums import (
    DOSSIER_ACTIVE,
    DOSSIER_PRESENTABLE,
    FICHE_DOCUMENT_SOURCE,
    QUICK_PROPOSITION_RANKS,
    AttendanceMode,
    DossierStatus,
    SessionStatus,
)
from rcp.models import (
    FICHE_CODED_FIELDS,
    Attendance,
    CodeListEntry,
    Concertation,
    Dossier,
    DossierAttachment,
    DossierTransition,
    Fiche,
    FicheVersion,
    Rcp,
    RcpMember,
    Session,
    SessionTransition,
    SpecialtyTag,
)
from rcp.quorum import Attendee, QuorumResult, QuorumRule, evaluate_quorum
from rcp.value_sets import FICHE_VALUE_SETS

# Medical specialties of the national nomenclature (JDV_J01, "G15_10/SMnn"): those a quorum, an RCP member's role
# and a consulted doctor are chosen from.
MEDICAL_SPECIALTY_PREFIX = "G15_10/SM"


class Unaccent(Func):
    function = "unaccent"


def _with_display(rcps: QuerySet[Rcp]) -> QuerySet[Rcp]:
    return rcps.select_related("three_c", "establishment").prefetch_related(
        Prefetch("tags", queryset=SpecialtyTag.objects.order_by("position", "code"))
    )


def search_rcps(
    *,
    query: str = "",
    tag_id: int | None = None,
    three_c_id: int | None = None,
    prefer_three_c_ids: Iterable[int] = (),
) -> QuerySet[Rcp]:
    """Active RCPs whose title (or establishment, town) matches the words typed, best match first.

    Each word must appear (accents ignored) or be close by trigram word similarity; the ranking is
    the trigram word similarity of the whole query with the title, then the user's own 3C first.
    """
    rcps = Rcp.objects.active().annotate(
        own=Case(When(three_c_id__in=list(prefer_three_c_ids), then=Value(1)), default=Value(0))
    )
    query = " ".join(query.split())[:100]
    if query:
        for word in query.split():
            rcps = rcps.filter(
                Q(title__unaccent__icontains=word)
                | Q(establishment__name__unaccent__icontains=word)
                | Q(establishment__town__unaccent__icontains=word)
                | Q(title__unaccent__trigram_word_similar=word)
            )
        needle = Unaccent(Value(query.lower()))
        rcps = rcps.annotate(
            rank=Greatest(
                TrigramWordSimilarity(needle, Unaccent(F("title"))),
                TrigramWordSimilarity(needle, Unaccent(F("establishment__town"))) * 0.5,
            )
        ).order_by("-rank", "-own", "title", "establishment__name")
    else:
        rcps = rcps.order_by("-own", "title", "establishment__name")
    if tag_id:
        rcps = rcps.filter(tags=tag_id)
    if three_c_id:
        rcps = rcps.filter(three_c_id=three_c_id)
    return _with_display(rcps)


def tags_for_filter() -> list[SpecialtyTag]:
    return list(SpecialtyTag.objects.select_related("mention").order_by("position", "code"))


def rcp_detail(rcp_id: int) -> Rcp:
    return (
        _with_display(Rcp.objects.all())
        .prefetch_related(
            Prefetch(
                "members",
                queryset=RcpMember.objects.select_related("professional__specialty", "specialty").order_by(
                    "role", "professional__last_name"
                ),
            ),
            "recurrences",
            "quorum_required_specialties",
            "tags__mention",
        )
        .get(pk=rcp_id)
    )


def upcoming_sessions(rcp: Rcp, *, limit: int = 10) -> list[Session]:
    return list(rcp.sessions.filter(ends_at__gte=timezone.now()).order_by("starts_at")[:limit])


def past_sessions(rcp: Rcp, *, limit: int = 10) -> list[Session]:
    return list(
        rcp.sessions.filter(ends_at__lt=timezone.now())
        .annotate(present_count=Count("attendances", filter=~Q(attendances__mode=AttendanceMode.EXCUSED)))
        .order_by("-starts_at")[:limit]
    )


def session_detail(session_id: int) -> Session:
    return (
        Session.objects.select_related("rcp__three_c", "rcp__establishment", "recurrence")
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=Attendance.objects.select_related("professional", "specialty").order_by(
                    "professional__last_name"
                ),
            ),
            Prefetch("transitions", queryset=SessionTransition.objects.select_related("by__professional")),
            "rcp__quorum_required_specialties",
        )
        .get(pk=session_id)
    )


def attendance_sheet(session: Session) -> list[tuple[RcpMember | None, object, str]]:
    """The members of the RCP and anybody else recorded, with their recorded mode ('' if none)."""
    recorded = {a.professional_id: a for a in session.attendances.all()}
    rows = []
    members = RcpMember.objects.filter(rcp_id=session.rcp_id).select_related("professional", "specialty")
    seen = set()
    for member in members.order_by("professional__last_name"):
        attendance = recorded.get(member.professional_id)
        rows.append((member, member.professional, attendance.mode if attendance else ""))
        seen.add(member.professional_id)
    for professional_id, attendance in recorded.items():
        if professional_id not in seen:
            rows.append((None, attendance.professional, attendance.mode))
    return rows


def session_quorum(session: Session, *, treating_specialty: str | None = None) -> QuorumResult:
    """Quorum from the recorded attendance (uses prefetched attendances when available)."""
    attendees = [
        Attendee(
            name=a.professional.display_name,
            specialty=a.specialty_id,
            present=a.mode in (AttendanceMode.ROOM, AttendanceMode.VIDEO),
        )
        for a in session.attendances.all()
    ]
    rule = QuorumRule.of(session.rcp)
    codes = set(rule.required_specialties) | {a.specialty for a in attendees if a.specialty}
    if treating_specialty:
        codes.add(treating_specialty)
    labels = {s.pk: s.short_label for s in Specialty.objects.filter(pk__in=codes)}
    return evaluate_quorum(rule, attendees, treating_specialty=treating_specialty, labels=labels)


OPEN_EARLY_DAYS = 1


def session_opens_early(session: Session, *, today=None) -> int:
    """How many days ahead of its date the session would be opened (0 when it is today, tomorrow or past)."""
    today = today or timezone.localdate()
    ahead = (timezone.localtime(session.starts_at).date() - today).days
    return ahead if ahead > OPEN_EARLY_DAYS else 0


def notice_recipients(session: Session) -> list[str]:
    addresses = []
    for email, mss in RcpMember.objects.filter(rcp_id=session.rcp_id).values_list(
        "professional__email", "professional__mss_address"
    ):
        if email or mss:
            addresses.append(email or mss)
    return sorted(set(addresses))


def present_addresses(session: Session) -> list[str]:
    """The e-mail (else MSSanté) addresses of the professionals present at the session (room or video)."""
    return sorted(
        {
            email or mss
            for email, mss in session.attendances.filter(
                mode__in=[AttendanceMode.ROOM, AttendanceMode.VIDEO]
            ).values_list("professional__email", "professional__mss_address")
            if email or mss
        }
    )


# --- Agenda ---------------------------------------------------------------------------------


def local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=timezone.get_current_timezone())


def sessions_between(
    start: datetime.date,
    end: datetime.date,
    *,
    three_c_ids: Iterable[int] | None = None,
    professional_id: int | None = None,
    rcp_id: int | None = None,
    with_change_count: bool = False,
) -> list[Session]:
    """Sessions starting in [start, end) (local days), with their RCP and establishment.

    The range is on the indexed ``starts_at`` column (local midnights), never on a computed date.
    """
    sessions = Session.objects.filter(
        starts_at__gte=local_midnight(start), starts_at__lt=local_midnight(end)
    ).select_related("rcp__establishment")
    if three_c_ids is not None:
        sessions = sessions.filter(rcp__three_c_id__in=list(three_c_ids))
    if professional_id:
        sessions = sessions.filter(rcp__members__professional_id=professional_id)
    if rcp_id:
        sessions = sessions.filter(rcp_id=rcp_id)
    if with_change_count:
        # Changes after creation (moves, status changes): the ICS SEQUENCE.
        sessions = sessions.annotate(change_count=Count("transitions", filter=~Q(transitions__from_status="")))
    return list(sessions.order_by("starts_at"))


def session_counts_by_day(start: datetime.date, end: datetime.date) -> dict[datetime.date, int]:
    """Number of sessions per local day of the whole region (the month overview of every 3C)."""
    rows = (
        Session.objects.filter(starts_at__gte=local_midnight(start), starts_at__lt=local_midnight(end))
        .exclude(status=SessionStatus.CANCELLED)
        .annotate(day=TruncDate("starts_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(total=Count("pk"))
    )
    return {row["day"]: row["total"] for row in rows}


def user_sessions(user, start: datetime.date, end: datetime.date, *, with_change_count: bool = False) -> list[Session]:
    """A doctor's sessions: those of the RCPs they are a member of; a 3C secretary's: her 3C's."""
    if user.professional_id:
        return sessions_between(start, end, professional_id=user.professional_id, with_change_count=with_change_count)
    three_cs = perms.editable_three_c_ids(user)
    if three_cs:
        return sessions_between(start, end, three_c_ids=three_cs, with_change_count=with_change_count)
    return []


# --- Code lists -----------------------------------------------------------------------------


def search_codes(key: str, query: str = "", *, limit: int = 20) -> list[CodeListEntry]:
    """Codes of one fiche value set matching a code prefix or words of the label."""
    value_set = FICHE_VALUE_SETS[key]
    entries = CodeListEntry.objects.filter(value_set_name=value_set.filename.removesuffix(".xml"))
    query = query.strip()
    if query:
        condition = Q(code__istartswith=query)
        words = Q()
        for word in query.split():
            words &= Q(label__unaccent__icontains=word)
        entries = entries.filter(condition | words)
    return list(entries.order_by("position")[:limit])


def user_three_c_ids(user) -> set[int]:
    """The 3C of the user's grants (directly, or through the establishments of their grants)."""
    ids: set[int] = set()
    for grant in user.active_grants():
        ids.update(three_c.pk for three_c in grant.three_cs.all())
        ids.update(e.three_c_id for e in grant.establishments.all() if e.three_c_id)
    return ids


def attendance_guests(session: Session) -> list[Professional]:
    """Professionals of the RCP's 3C who are neither members nor already on the sheet (occasional guests)."""
    return list(
        Professional.objects.active()
        .filter(places__establishment__three_c_id=session.rcp.three_c_id)
        .exclude(rcp_memberships__rcp_id=session.rcp_id)
        .exclude(rcp_attendances__session=session)
        .select_related("specialty")
        .distinct()
        .order_by("last_name", "first_name")
    )


# --- Dossiers and fiches --------------------------------------------------------------------


def _dossier_base():
    """Dossiers with what every page shows of them, their attachments from the record included (one query)."""
    attachments = DossierAttachment.objects.select_related("document", "added_by").order_by("-document__act_date", "pk")
    return Dossier.objects.select_related(
        "patient", "requesting_doctor__specialty", "fiche", "session__rcp__establishment"
    ).prefetch_related(Prefetch("attached_documents", queryset=attachments))


def session_dossiers(session: Session, user) -> tuple[list[Dossier], int]:
    """The session's dossiers in order that ``user`` may see, and how many others are hidden (one query)."""
    rows = list(
        _dossier_base()
        .filter(session=session)
        .annotate(visible=Exists(visible_patients(user).filter(pk=OuterRef("patient_id"))))
        .order_by("position", "pk")
    )
    dossiers = [dossier for dossier in rows if dossier.visible]
    return dossiers, len(rows) - len(dossiers)


def _dossier_detail_queryset() -> QuerySet[Dossier]:
    return (
        _dossier_base()
        .select_related(
            "session__rcp__three_c",
            "previous__session",
            "created_by",
            "fiche__validated_by__professional",  # the users' names are their professional's
            "gp_notice__professional",
        )
        .prefetch_related(
            Prefetch("transitions", queryset=DossierTransition.objects.select_related("by__professional")),
            Prefetch("fiche__versions", queryset=FicheVersion.objects.select_related("signed_by__professional")),
        )
    )


_dossier_detail = PreparedGet(_dossier_detail_queryset)  # the widest query of the dossier, fiche and live pages


def dossier_detail(pk: int) -> Dossier:
    return _dossier_detail.get(pk)


def patient_dossiers(patient) -> QuerySet[Dossier]:
    """Every dossier of a patient, newest session first (the patient's RCP history)."""
    return (
        Dossier.objects.filter(patient=patient)
        .select_related("session__rcp__establishment", "requesting_doctor", "fiche")
        .order_by("-session__starts_at", "-pk")
    )


class CodeChoice(NamedTuple):
    code: str
    label: str


def fiche_code_lists(keys: Iterable[str]) -> dict[str, list[CodeChoice]]:
    """The value sets' entries a fiche form offers (code and label, in their order), one query for all of them."""
    names = {FICHE_VALUE_SETS[key].filename.removesuffix(".xml"): key for key in keys}
    lists: dict[str, list[CodeChoice]] = {key: [] for key in names.values()}
    rows = CodeListEntry.objects.filter(value_set_name__in=names).values_list("value_set_name", "code", "label")
    for name, code, label in rows:
        lists[names[name]].append(CodeChoice(code, label))
    return lists


def code_labels(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Labels of (value set key, code) pairs, one query (the value sets' entries with any of the codes, then the
    pairs asked for among them)."""
    wanted = {(FICHE_VALUE_SETS[key].filename.removesuffix(".xml"), code): key for key, code in pairs if code}
    if not wanted:
        return {}
    rows = CodeListEntry.objects.filter(
        value_set_name__in={name for name, _ in wanted}, code__in={code for _, code in wanted}
    ).values_list("value_set_name", "code", "label")
    return {(wanted[name, code], code): label for name, code, label in rows if (name, code) in wanted}


def fiche_labels(fiche) -> dict:
    """Coded field name → label of its code, and ``treatments``: the ranked options with labels."""
    wanted = [(key, getattr(fiche, name)) for name, key in FICHE_CODED_FIELDS.items()]
    wanted += [("type_traitement", item["code"]) for item in fiche.treatments]
    labels = code_labels(wanted)
    result = {name: labels.get((key, getattr(fiche, name)), "") for name, key in FICHE_CODED_FIELDS.items()}
    result["treatments"] = [
        {**item, "label": labels.get(("type_traitement", item["code"]), item["code"])} for item in fiche.treatments
    ]
    return result


def attachable_documents(patient) -> QuerySet:
    """The current documents of the patient's record a demande d'avis may carry, newest act first."""
    return patient_documents(patient.pk)


def concertation_treatments(concertation) -> list[dict]:
    """The proposed treatments of a CR de concertation, ranked, each with the label of its code (one query)."""
    labels = code_labels(("type_traitement", item["code"]) for item in concertation.treatments)
    return [
        {**item, "label": labels.get(("type_traitement", item["code"]), item["code"])}
        for item in sorted(concertation.treatments, key=lambda item: item["rank"])
    ]


def patient_concertations(patient):
    return Concertation.objects.filter(patient=patient).select_related("requesting_doctor", "rcp")


def fiche_generations(fiche) -> list:
    """The document production of each validated version of the fiche, newest version first (``version_number``
    and ``version_label`` set on each): what the dossier page shows and polls."""
    versions = {str(pk): number for pk, number in fiche.versions.values_list("pk", "version")}
    generations = list(
        DocumentGeneration.objects.filter(
            source_type=FICHE_DOCUMENT_SOURCE, source_id__in=list(versions)
        ).select_related("document__patient", "document__establishment")
    )
    for generation in generations:
        generation.version_number = versions[generation.source_id]
        generation.version_label = f"Version {generation.version_number}"
    return sorted(generations, key=lambda g: -g.version_number)


def unvalidated_dossiers(session: Session) -> QuerySet[Dossier]:
    """The session's dossiers still without a validated fiche (registered or presented)."""
    return session.dossiers.filter(status__in=[DossierStatus.REGISTERED, DossierStatus.PRESENTED])


# --- Dossier lifecycle and signature -------------------------------------------------------


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
    dossier = fiche.dossier
    blockers = []
    if not perms.is_doctor(by):
        return ["Seul un médecin peut valider et signer la fiche RCP."]
    if not is_present(session_id=dossier.session_id, user=by):
        blockers.append(NOT_PRESENT)
    return blockers + signing_problems(dossier, by)


def previous_fiche(fiche: Fiche) -> Fiche | None:
    """The patient's most recent other fiche (validated first), to copy forward."""
    return (
        Fiche.objects.filter(dossier__patient_id=fiche.dossier.patient_id)
        .exclude(pk=fiche.pk)
        .order_by(F("validated_at").desc(nulls_last=True), "-pk")
        .first()
    )


# --- Choices offered by the forms -----------------------------------------------------------


def medical_specialties() -> QuerySet[Specialty]:
    return Specialty.objects.filter(code__startswith=MEDICAL_SPECIALTY_PREFIX)


def requesting_doctors(session: Session, user) -> QuerySet[Professional]:
    """Who may be named the requesting doctor of a dossier: the RCP's active members, and the user herself."""
    return (
        Professional.objects.filter(Q(rcp_memberships__rcp=session.rcp) | Q(pk=user.professional_id or 0))
        .filter(is_active=True)
        .distinct()
        .order_by("last_name", "first_name")
    )


def concertation_doctors(user) -> QuerySet[Professional]:
    """The doctors a CR de concertation may name as consulted: active, with a medical specialty, not the author."""
    return (
        Professional.objects.filter(is_active=True, specialty__code__startswith=MEDICAL_SPECIALTY_PREFIX)
        .exclude(pk=user.professional_id)
        .order_by("last_name", "first_name")
    )


def concertation_rcps(user) -> QuerySet[Rcp]:
    """The RCPs a CR de concertation may be attached to: those the author is a member of."""
    return Rcp.objects.filter(members__professional_id=user.professional_id).order_by("title")


# --- Live session ---------------------------------------------------------------------------


def live_step(session: Session, *, forward: bool) -> int | None:
    """The dossier after (or before) the one shown in the live session, among those presented in it; the first one
    when none is shown yet, and the last (or first) one at the end. None when the session has none to present."""
    ids = list(
        session.dossiers.filter(status__in=DOSSIER_PRESENTABLE).order_by("position", "pk").values_list("pk", flat=True)
    )
    if not ids:
        return None
    index = ids.index(session.current_dossier_id) if session.current_dossier_id in ids else -1
    index = min(index + 1, len(ids) - 1) if forward else max(index - 1, 0)
    return ids[index]


def quick_proposition_initial(fiche) -> dict:
    """The live session's quick proposition form, filled from the fiche (its first ranked options)."""
    return {
        "revision": fiche.revision,
        "surveillance_only": fiche.surveillance_only,
        "representation_requested": fiche.representation_requested,
        "proposition": fiche.proposition,
        **{f"treatment_{t['rank']}": t["code"] for t in fiche.treatments if t["rank"] <= QUICK_PROPOSITION_RANKS},
    }
