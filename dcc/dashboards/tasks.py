"""Celery adapters of the dashboards (thin, idempotent, taking ids)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache
from django.db import transaction

from dcc.dashboards import summary
from dcc.dashboards.export_jobs import run_export  # defined with the job it runs; here for Celery's discovery

__all__ = ["facts_refresh_soon", "refresh_facts", "refresh_summaries", "run_export"]

logger = logging.getLogger(__name__)


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
    if not created:
        return
    try:
        first = cache.add(QUEUED_KEY, 1, QUEUED_SECONDS)
    except Exception as exc:  # the cache (Redis) away must not fail the write: the five-minute beat refreshes
        logger.warning("Rafraîchissement des tableaux de bord non demandé (%s).", exc.__class__.__name__)
        return
    if first:
        transaction.on_commit(_queue_facts_refresh)


def _queue_facts_refresh() -> None:
    """Publish without retrying; the broker away is logged (the write is committed; the beat catches up)."""
    try:
        refresh_facts.apply_async(retry=False)
    except Exception as exc:  # kombu OperationalError, redis and socket errors
        logger.warning("Rafraîchissement des tableaux de bord non mis en file (%s).", exc.__class__.__name__)
