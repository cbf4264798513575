"""End to end with a real Celery worker: a send committed with its cause is delivered by the worker."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from interop.mss.poller import poll
from interop.outbox.enums import OutboxState
from interop.outbox.tasks import outbox_deliver
from tests.conftest import _database_url_for, celery_worker
from tests.interop.mss.helpers import enqueue_notice

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]


@pytest.fixture
def mss_worker(mss, monkeypatch):
    """A worker of its own with the operator's settings in its environment, on a queue of its own.

    It also takes the ``interop`` queue, where ``outbox.*`` is routed: in one full run a send stayed « en attente »
    (cause not established); a send routed there is delivered all the same (tasks left there by earlier tests find
    their rows gone and do nothing).
    """
    queue = f"mss-test-{os.getpid()}"
    env = {
        **os.environ,
        **{k: str(v) for k, v in mss.settings().items()},
        "DJANGO_SETTINGS_MODULE": "dcc.settings.test",
        "DATABASE_URL": _database_url_for(settings.DATABASES["default"]["NAME"]),
        "REDIS_URL": settings.REDIS_URL,
    }
    log = mss.state_dir / f"worker-{queue}.log"
    with celery_worker(queue=queue, queues=f"{queue},interop", env=env, log=log, ready_within=600):
        monkeypatch.setattr(outbox_deliver, "queue", queue, raising=False)
        monkeypatch.setattr(outbox_deliver, "_exec_options", None, raising=False)
        yield queue


def _tail(state_dir: Path) -> str:
    return "\n".join(log.read_text(errors="replace")[-3000:] for log in state_dir.glob("worker-*.log"))


def test_the_worker_delivers_a_send_committed_with_its_cause(mss, mss_worker):
    with transaction.atomic():
        message = enqueue_notice("dr.worker@pro.mssante.demo.test")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.state not in (OutboxState.PENDING, OutboxState.SENDING):
            break
        time.sleep(0.3)
    assert message.state == OutboxState.SENT, (message.last_detail, _tail(mss.state_dir))
    assert len(mss.wait_for("dr.worker@pro.mssante.demo.test", 1)) == 1
    deadline = time.monotonic() + 10
    while message.state != OutboxState.DELIVERED and time.monotonic() < deadline:
        poll()
        message.refresh_from_db()
    assert message.state == OutboxState.DELIVERED
