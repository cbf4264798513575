"""Reads of the access layer: the access trail, per patient and region-wide."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from dcc.records.enums import TrailAction
from dcc.records.models import AccessTrail, BreakGlassGrant

PATIENT_DATA_ACTIONS = [
    TrailAction.READ,
    TrailAction.CREATE,
    TrailAction.UPDATE,
    TrailAction.DELETE,
    TrailAction.DOWNLOAD,
    TrailAction.PRINT,
    TrailAction.SEND,
    TrailAction.EXPORT,
    TrailAction.MERGE,
    TrailAction.BREAK_GLASS,
]

USER_MATCH_LIMIT = 1000  # users whose email or last name matches the user filter, at most


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def trail_search(
    *,
    user_query: str = "",
    patient_id: int | None = None,
    action: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet[AccessTrail]:
    """Trail lines, newest first, filtered (the page itself is one query plus a bounded count)."""
    lines = AccessTrail.objects.all()
    if user_query:
        # The few matching users are looked up first (a small table), so the trail itself is searched with no
        # join: its two labels through their trigram indexes, the user ids through the (user, at) index.
        user_ids = list(
            apps.get_model("accounts", "User")
            .objects.filter(Q(email__icontains=user_query) | Q(last_name__icontains=user_query))
            .values_list("pk", flat=True)[:USER_MATCH_LIMIT]
        )
        lines = lines.filter(
            Q(user_label__icontains=user_query) | Q(acting_as_label__icontains=user_query) | Q(user_id__in=user_ids)
        )
    if patient_id is not None:
        lines = lines.filter(patient_id=patient_id)
    if action:
        lines = lines.filter(action=action)
    if start is not None:
        lines = lines.filter(at__gte=_day_start(start))
    if end is not None:
        lines = lines.filter(at__lt=_day_start(end + datetime.timedelta(days=1)))
    return lines.order_by("-at", "-id")


def patient_openers(patient_id: int) -> QuerySet[AccessTrail]:
    """Who opened or changed this patient's record, newest first.

    Trail lines are never rewritten: after an identity merge, the lines written under the absorbed
    identity keep its id and are found here through ``Patient.merged_into``.
    """
    absorbed = apps.get_model("identity", "Patient").objects.filter(merged_into_id=patient_id).values("pk")
    return (
        AccessTrail.objects.filter(Q(patient_id=patient_id) | Q(patient_id__in=absorbed))
        .filter(action__in=PATIENT_DATA_ACTIONS)
        .order_by("-at", "-id")
    )


def break_glass_grants_of(patient_id: int) -> QuerySet[BreakGlassGrant]:
    return BreakGlassGrant.objects.filter(patient_id=patient_id).select_related("user").order_by("-opened_at")


@dataclass(frozen=True)
class ConnectionRow:
    key: str
    label: str
    users: int
    users_share: int  # percent, rounded
    logins: int
    logins_share: int  # percent, rounded


@dataclass(frozen=True)
class ConnectionStatistics:
    """The dashboard's "Connexion des utilisateurs" tables for a period."""

    by_method: list[ConnectionRow]
    by_profile: list[ConnectionRow]
    distinct_users: int
    logins: int


# The dashboard groups the read-only profiles together, as the regional activity report does.
PROFILE_GROUPS = [
    ("medecin", "Médecin, Pharmacien, Interne", {"medecin"}),
    ("secretaire_medicale", "Secrétaire médicale", {"secretaire_medicale"}),
    ("secretaire_3c", "Secrétaire RCP/3C", {"secretaire_3c"}),
    ("annonce_pps", "Annonce PPS", {"annonce_pps"}),
    ("lecture", "Lecture seule + CRCDC + Registre + ARC", {"lecture_seule", "crcdc", "registre", "arc"}),
    ("admin_regional", "Administrateur régional", {"admin_regional"}),
    ("", "Sans profil", {""}),
]


def _share(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def connection_statistics(
    *, start: datetime.date | None = None, end: datetime.date | None = None
) -> ConnectionStatistics:
    """Logins of the period by connection method and by profile (two queries).

    A user counts once per method used; by profile, each user and each login count once, under the
    user's main profile (the one that chooses the home page).
    """
    from django.db.models import Count

    from dcc.accounts.enums import HOME_PRIORITY, ConnectionMethod
    from dcc.accounts.models import ProfileGrant

    lines = AccessTrail.objects.filter(action=TrailAction.LOGIN, user__isnull=False)
    if start is not None:
        lines = lines.filter(at__gte=_day_start(start))
    if end is not None:
        lines = lines.filter(at__lt=_day_start(end + datetime.timedelta(days=1)))
    per_user = list(lines.values_list("user_id", "connection_method").annotate(n=Count("id")).order_by())
    held: dict[int, set[str]] = {}
    for user_id, profile in ProfileGrant.objects.filter(
        user_id__in={user_id for user_id, _, _ in per_user}, is_active=True
    ).values_list("user_id", "profile"):
        held.setdefault(user_id, set()).add(profile)
    main = {
        user_id: next((profile for profile in HOME_PRIORITY if profile in profiles), "")
        for user_id, profiles in held.items()
    }
    total_logins = sum(n for _, _, n in per_user)
    distinct_users = len({user_id for user_id, _, _ in per_user})

    method_users: dict[str, set[int]] = {}
    method_logins: dict[str, int] = {}
    group_of = {profile: key for key, _, profiles in PROFILE_GROUPS for profile in profiles}
    group_users: dict[str, set[int]] = {}
    group_logins: dict[str, int] = {}
    for user_id, method, n in per_user:
        method_users.setdefault(method, set()).add(user_id)
        method_logins[method] = method_logins.get(method, 0) + n
        group = group_of.get(main.get(user_id, ""), "")
        group_users.setdefault(group, set()).add(user_id)
        group_logins[group] = group_logins.get(group, 0) + n

    def row(key, label, users, logins):
        return ConnectionRow(key, label, users, _share(users, distinct_users), logins, _share(logins, total_logins))

    by_method = [
        row(method.value, method.label, len(method_users[method.value]), method_logins[method.value])
        for method in ConnectionMethod
        if method.value in method_users
    ]
    by_profile = [
        row(key, label, len(group_users[key]), group_logins[key])
        for key, label, _ in PROFILE_GROUPS
        if key in group_users
    ]
    return ConnectionStatistics(by_method, by_profile, distinct_users, total_logins)


def patient_documents(patient_id: int, *, type_code: str = "", start=None, end=None, include_replaced: bool = False):
    """The record's documents, newest act first, filtered by type and act date."""
    from dcc.records.enums import DocumentStatus
    from dcc.records.models import Document

    documents = Document.objects.filter(patient_id=patient_id).select_related("establishment", "replaces")
    if not include_replaced:
        documents = documents.filter(status=DocumentStatus.CURRENT)
    if type_code:
        documents = documents.filter(type_code=type_code)
    if start:
        documents = documents.filter(act_date__date__gte=start)
    if end:
        documents = documents.filter(act_date__date__lte=end)
    return documents.order_by("-act_date", "-id")


def patient_document_types(patient_id: int) -> list[tuple[str, str]]:
    from dcc.records.models import Document

    return list(
        Document.objects.filter(patient_id=patient_id)
        .values_list("type_code", "type_label")
        .distinct()
        .order_by("type_label")
    )


def document_versions(set_id: str):
    from dcc.records.models import Document

    return Document.objects.filter(set_id=set_id).order_by("-version")


def source_generation(source_type: str, source_id):
    """The production of one source object's document (with the stored document), or None if never queued."""
    from dcc.records.models import DocumentGeneration

    return (
        DocumentGeneration.objects.filter(source_type=source_type, source_id=str(source_id))
        .select_related("document")
        .first()
    )


def recent_generations(patient_id: int, limit: int = 10):
    from dcc.records.enums import GenerationStatus
    from dcc.records.models import DocumentGeneration

    return list(
        DocumentGeneration.objects.filter(patient_id=patient_id)
        .exclude(status=GenerationStatus.SUCCEEDED, updated_at__lt=_recent())
        .select_related("document")
        .order_by("-updated_at")[:limit]
    )


def _recent():
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() - timedelta(minutes=10)
