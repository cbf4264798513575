"""Reads of the access layer: the access trail, per patient and region-wide."""

from __future__ import annotations

import datetime

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
    """Trail lines, newest first, filtered (the page itself is one query plus the count)."""
    lines = AccessTrail.objects.all()
    if user_query:
        lines = lines.filter(
            Q(user_label__icontains=user_query)
            | Q(acting_as_label__icontains=user_query)
            | Q(user__email__icontains=user_query)
            | Q(user__last_name__icontains=user_query)
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
    from identity.models import Patient

    absorbed = Patient.objects.filter(merged_into_id=patient_id).values("pk")
    return (
        AccessTrail.objects.filter(Q(patient_id=patient_id) | Q(patient_id__in=absorbed))
        .filter(action__in=PATIENT_DATA_ACTIONS)
        .order_by("-at", "-id")
    )


def break_glass_grants_of(patient_id: int) -> QuerySet[BreakGlassGrant]:
    return BreakGlassGrant.objects.filter(patient_id=patient_id).select_related("user").order_by("-opened_at")


def connection_statistics(
    *, start: datetime.date | None = None, end: datetime.date | None = None
) -> list[dict[str, object]]:
    """Logins by connection method and profile ("Connexion des utilisateurs"), one row per pair.

    A user holding several profiles counts once under each. Rows: ``method``, ``method_label``,
    ``profile``, ``profile_label``, ``logins`` (login count) and ``users`` (distinct users).
    """
    from django.db.models import Count

    from dcc.accounts.enums import ConnectionMethod, Profile

    lines = AccessTrail.objects.filter(action=TrailAction.LOGIN, user__isnull=False)
    if start is not None:
        lines = lines.filter(at__gte=_day_start(start))
    if end is not None:
        lines = lines.filter(at__lt=_day_start(end + datetime.timedelta(days=1)))
    rows = (
        lines.values("connection_method", "user__profile_grants__profile")
        .annotate(logins=Count("id"), users=Count("user_id", distinct=True))
        .order_by("connection_method", "user__profile_grants__profile")
    )
    methods = dict(ConnectionMethod.choices)
    profiles = dict(Profile.choices)
    return [
        {
            "method": row["connection_method"],
            "method_label": methods.get(row["connection_method"], row["connection_method"] or "inconnu"),
            "profile": row["user__profile_grants__profile"] or "",
            "profile_label": profiles.get(row["user__profile_grants__profile"], "Sans profil"),
            "logins": row["logins"],
            "users": row["users"],
        }
        for row in rows
    ]
