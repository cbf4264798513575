"""Reads of the access layer: the access trail, per patient and region-wide."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
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
        lines = lines.filter(user_label__icontains=user_query) | lines.filter(acting_as_label__icontains=user_query)
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
    """Who opened or changed this patient's record, newest first."""
    return AccessTrail.objects.filter(patient_id=patient_id, action__in=PATIENT_DATA_ACTIONS).order_by("-at", "-id")


def break_glass_grants_of(patient_id: int) -> QuerySet[BreakGlassGrant]:
    return BreakGlassGrant.objects.filter(patient_id=patient_id).select_related("user").order_by("-opened_at")
