"""Celery adapters of the dashboards (thin, idempotent, taking ids)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="dashboards.run_export")
def run_export(export_id: int) -> str:
    from dcc.dashboards.export_jobs import export_run

    return export_run(export_id=export_id)


@shared_task(name="dashboards.refresh_summaries")
def refresh_summaries() -> int:
    from dcc.dashboards.figures import refresh_summaries as refresh

    return refresh()
