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
