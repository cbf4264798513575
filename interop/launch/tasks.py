"""Celery adapters of the contextual launch (thin)."""

from __future__ import annotations

from celery import shared_task

from interop.launch.services import launches_purge


@shared_task(name="launch.purge_launches")
def purge_launches() -> int:
    """Nightly: drop the accepted launches past their retention; returns how many."""
    return launches_purge()
