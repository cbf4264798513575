"""Is a Celery worker taking document generations? A heartbeat the worker writes on a beat, read from the cache.

Beat queues ``dcc.tasks.worker_heartbeat`` every ``DCC_WORKER_HEARTBEAT_SECONDS`` on the ``documents`` queue; the
worker that takes it writes the time into the cache. The web reads that one key (one cache read, no broker round
trip in a request): no heartbeat for ``DCC_WORKER_HEARTBEAT_STALE_SECONDS`` means nobody consumes the queue
(worker or beat down, or the worker stuck behind a long backlog), and pages waiting for a document say so.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

HEARTBEAT_KEY = "dcc:worker-heartbeat"
WORKER_DOWN_NOTICE = "Le service de production des documents ne répond pas : le document sera produit dès son retour."


def heartbeat_write(now: float | None = None) -> float:
    """Called by the worker: record that it took a task from the documents queue just now."""
    at = time.time() if now is None else now
    cache.set(HEARTBEAT_KEY, at, timeout=None)
    return at


def heartbeat_age() -> float | None:
    """Seconds since the last heartbeat, or None when there is none (never written, or the cache is away)."""
    at = cache.get(HEARTBEAT_KEY)
    if at is None:
        return None
    return max(0.0, time.time() - float(at))


def worker_responding() -> bool:
    age = heartbeat_age()
    return age is not None and age <= settings.DCC_WORKER_HEARTBEAT_STALE_SECONDS
