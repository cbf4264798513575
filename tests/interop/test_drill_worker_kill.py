"""Drill (issue 16, finding 2): the worker is SIGKILLed in the middle of a document generation.

Tasks are acknowledged late: the killed worker never acknowledged the generation, so once the visibility timeout
is over (shortened to a few seconds for the drill's second worker) the broker delivers it again; the second worker
produces the document, and exactly one document is stored. The first worker runs the real PPS producer made slow by
a test-only producer module (tests/interop/slow_producer.py, tests/interop/drill_settings.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from dcc.records.enums import GenerationStatus
from dcc.records.models import Document, DocumentGeneration, DocumentTransition
from interop.queueing import requeue_pending
from tests.records.documents_helpers import record_patient, store_frcp

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]

VISIBILITY_SECONDS = 5


def _start_worker(queue: str, name: str, log: Path, marker: Path, *, visibility: int) -> subprocess.Popen:
    from tests.conftest import _database_url_for

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.interop.drill_settings",
        "DATABASE_URL": _database_url_for(settings.DATABASES["default"]["NAME"]),
        "REDIS_URL": settings.REDIS_URL,
        "DCC_CELERY_VISIBILITY_TIMEOUT": str(visibility),
        "DCC_DRILL_MARKER": str(marker),
        "DCC_DRILL_SLOW_SECONDS": "300",
    }
    with log.open("w") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [
                str(Path(sys.executable).parent / "celery"), "-A", "dcc", "worker", "--pool", "solo",
                "--queues", queue, "--hostname", f"{name}@%h", "--loglevel", "INFO",
                "--without-mingle", "--without-gossip",
            ],
            env=env, stdout=output, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR,
        )  # fmt: skip


def _wait(condition, seconds: float, what: str, process=None, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"le worker s'est arrêté ({what}) : {log.read_text()[-3000:] if log else ''}")
        assert time.monotonic() < deadline, f"{what} : délai dépassé ({log.read_text()[-3000:] if log else ''})"
        time.sleep(0.2)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_generation_whose_worker_was_killed_is_redelivered_and_stored_once(personas, monkeypatch, tmp_path):
    from interop.tasks import generate_document
    from pps.services import pps_validate
    from tests.pps.factories import PpsElementFactory, PpsFactory

    queue = f"drill-kill-{os.getpid()}"
    monkeypatch.setattr(generate_document, "queue", queue, raising=False)
    monkeypatch.setattr(generate_document, "_exec_options", None, raising=False)
    marker = tmp_path / "runs.txt"
    doctor = personas["doctor"]
    patient = record_patient(personas)
    store_frcp(patient)
    pps = PpsFactory(patient=patient, author=doctor, establishment=personas.hospital, three_c=personas.three_c)
    PpsElementFactory(pps=pps, kind="consultation")

    first_log, second_log = tmp_path / "worker-1.log", tmp_path / "worker-2.log"
    first = _start_worker(queue, "drill-1", first_log, marker, visibility=1800)
    second = None
    try:
        pps_validate(pps=pps, by=doctor, no_rcp_reason="Hors RCP (exercice)")  # committed: published to the queue
        generation = DocumentGeneration.objects.get(source_type="pps.pps", source_id=str(pps.pk))
        _wait(marker.exists, 300, "le premier worker n'a pas commencé la production", first, first_log)
        generation.refresh_from_db()
        assert generation.status == GenerationStatus.RUNNING

        os.kill(first.pid, signal.SIGKILL)  # in the middle of the generation: nothing acknowledged, nothing stored
        first.wait(timeout=10)
        killed_at = time.monotonic()
        assert not Document.objects.filter(source_type="pps.pps").exists()

        second = _start_worker(queue, "drill-2", second_log, marker, visibility=VISIBILITY_SECONDS)

        def finished() -> bool:
            generation.refresh_from_db()
            return generation.status in (GenerationStatus.SUCCEEDED, GenerationStatus.FAILED)

        _wait(finished, 300, "la production n'a pas été reprise", second, second_log)
        recovered = time.monotonic() - killed_at
        assert generation.status == GenerationStatus.SUCCEEDED, generation.failure_reason
        assert Document.objects.filter(source_type="pps.pps", source_id=str(pps.pk)).count() == 1
        assert generation.attempts == 2
        runs = marker.read_text().splitlines()
        assert len(runs) == 2 and runs[0].split()[0] != runs[1].split()[0]  # two worker processes ran it
        assert "received" in second_log.read_text()  # the second worker got the same task again
        statuses = list(DocumentTransition.objects.filter(generation=generation).values_list("to_status", flat=True))
        assert statuses.count(GenerationStatus.SUCCEEDED) == 1
        assert requeue_pending(older_than_seconds=0) == 0  # nothing left for the beat task
        print(f"\nproduction reprise {recovered:.1f} s après le SIGKILL (visibilité {VISIBILITY_SECONDS} s)")
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
