"""Celery adapters of the dashboards (thin, idempotent, taking ids)."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.db import transaction

from dcc.dashboards import summary


@shared_task(name="dashboards.run_export")
def run_export(export_id: int) -> str:
    from dcc.dashboards.export_jobs import export_run

    return export_run(export_id=export_id)


@shared_task(name="dashboards.refresh_facts")
def refresh_facts(full: bool = False) -> dict:
    """Bring the RCP summary table up to date (incremental by month; ``full`` rebuilds it)."""
    cache.delete(QUEUED_KEY)
    return summary.facts_refresh(full=full)


@shared_task(name="dashboards.refresh_summaries")
def refresh_summaries() -> int:
    from dcc.dashboards.cached import refresh_summaries as refresh

    summary.facts_refresh()
    return refresh()


QUEUED_KEY = "dcc:dashboards:facts-refresh-queued"
QUEUED_SECONDS = 120


def facts_refresh_soon(sender=None, created: bool = True, **kwargs) -> None:
    """After a write that changes an RCP figure (a dossier's or a session's transition, a signed fiche version):
    queue one incremental refresh on commit. A burst of writes queues it once (a cache mark the task clears when it
    starts, so a write during a refresh queues the next one)."""
    if created and cache.add(QUEUED_KEY, 1, QUEUED_SECONDS):
        transaction.on_commit(refresh_facts.delay)
