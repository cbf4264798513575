"""Reads of the dashboards app: filter choices (through each app's selectors), exports of a user."""

from __future__ import annotations

from dcc.dashboards.models import DataExport


def filter_options(three_c_ids) -> dict:
    from dcc.directory import dashboard_selectors as directory
    from rcp import dashboard_selectors as rcp

    return {
        "three_cs": list(directory.three_cs_in_scope(three_c_ids).values_list("pk", "name")),
        "establishments": list(directory.establishments_in_scope(three_c_ids).values_list("pk", "name", "town")),
        "rcps": [
            (rcp_row.pk, rcp_row.title, rcp_row.three_c.name) for rcp_row in rcp.rcps_in_scope(three_c_ids=three_c_ids)
        ],
        "organs": rcp.organs(three_c_ids=three_c_ids),
    }


def exports_of(user, *, limit: int = 30) -> dict:
    """The user's latest exports, and whether one is still on its way (the list then polls)."""
    from dcc.dashboards.enums import ExportStatus

    rows = list(DataExport.objects.filter(user=user).order_by("-created_at", "-pk")[:limit])
    return {"exports": rows, "polling": any(row.status in (ExportStatus.PENDING, ExportStatus.RUNNING) for row in rows)}


def query_runs(three_c_ids, *, limit: int = 20):
    """The latest runs of predefined queries, and the count per 3C (the region's yearly figure)."""
    from django.db.models import Count

    from dcc.dashboards.models import QueryRun

    runs = QueryRun.objects.select_related("three_c", "user")
    if three_c_ids is not None:
        runs = runs.filter(three_c_id__in=three_c_ids)
    per_three_c = list(runs.values("three_c__name").annotate(n=Count("id")).order_by("-n", "three_c__name"))
    return {"latest": list(runs.order_by("-at")[:limit]), "per_three_c": per_three_c}


def indemnity_rules():
    from dcc.dashboards.models import IndemnityRule

    return list(IndemnityRule.objects.select_related("updated_by").order_by("-valid_from")[:10])


def attending_professionals(three_c_ids, start, end) -> list[tuple[int, str]]:
    """Professionals present at a closed session of these 3Cs in the period (the secretary's choice list)."""
    from rcp.dashboard_selectors import attendance_rows

    seen: dict[int, str] = {}
    for row in attendance_rows(start=start, end=end, three_c_ids=three_c_ids):
        seen.setdefault(row[0], f"{row[1].upper()} {row[2]}")
    return sorted(seen.items(), key=lambda item: item[1])
