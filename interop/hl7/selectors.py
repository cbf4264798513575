"""Reads of the interop monitoring page."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from interop.hl7.enums import AckCode, Direction, VigilanceStatus
from interop.hl7.models import Message, Partner, VigilanceItem


def traffic(*, days: int = 14, today: dt.date | None = None) -> dict:
    """Messages in and out per day (chart) and per partner and day (table), errors counted apart."""
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=days - 1)
    rows = (
        Message.objects.filter(received_at__date__gte=start, duplicate_of__isnull=True)
        .annotate(day=TruncDate("received_at"))
        .values("day", "direction", "partner_id", "sending_application", "sending_facility")
        .annotate(total=Count("pk"), errors=Count("pk", filter=Q(ack_code__in=[AckCode.ERROR, AckCode.REJECT])))
        .order_by("day")
    )
    partners = {p.pk: f"{p.application}@{p.facility}" for p in Partner.objects.all()}
    days_list = [start + dt.timedelta(days=n) for n in range(days)]
    per_day = {day: {"day": day, "in": 0, "out": 0, "errors": 0} for day in days_list}
    table: dict[tuple, dict] = {}
    for row in rows:
        label = (
            partners.get(row["partner_id"])
            or f"{row['sending_application'] or '?'}@{row['sending_facility'] or '?'} (inconnu)"
        )
        day = per_day.get(row["day"])
        if day is None:
            continue
        direction = "in" if row["direction"] == Direction.INBOUND else "out"
        day[direction] += row["total"]
        day["errors"] += row["errors"]
        line = table.setdefault(
            (row["day"], label), {"day": row["day"], "partner": label, "in": 0, "out": 0, "errors": 0}
        )
        line[direction] += row["total"]
        line["errors"] += row["errors"]
    series = list(per_day.values())
    peak = max([max(d["in"], d["out"]) for d in series] + [1])
    for index, day in enumerate(series):
        day["x"] = 40 + index * 46
        day["in_h"] = round(160 * day["in"] / peak)
        day["out_h"] = round(160 * day["out"] / peak)
        day["in_y"] = 180 - day["in_h"]
        day["out_y"] = 180 - day["out_h"]
        day["out_x"] = day["x"] + 18
    return {
        "series": series,
        "peak": peak,
        "width": 40 + days * 46,
        "table": sorted(table.values(), key=lambda r: (r["day"], r["partner"]), reverse=True),
        "start": start,
        "end": today,
    }


def recent_errors(limit: int = 50):
    return (
        Message.objects.errors()
        .select_related("partner")
        .only(
            "pk",
            "direction",
            "partner__application",
            "partner__facility",
            "sending_application",
            "sending_facility",
            "message_type",
            "control_id",
            "received_at",
            "ack_code",
            "error_code",
            "app_error_code",
            "error_text",
            "outcome",
        )
        .order_by("-received_at", "-id")[:limit]
    )


def vigilance_queue(*, status: str = VigilanceStatus.PENDING):
    return (
        VigilanceItem.objects.filter(status=status)
        .select_related("message__partner", "patient", "other_patient", "decided_by")
        .order_by("-created_at", "-id")
    )


def pending_vigilance_count() -> int:
    return VigilanceItem.objects.filter(status=VigilanceStatus.PENDING).count()
