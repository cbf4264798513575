"""The worker's heartbeat (dcc/worker_status.py): written by the worker on a beat, read once by pages waiting for a
document and by /healthz (issue 16, finding 2)."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.cache import cache
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from dcc.records.enums import GenerationStatus
from dcc.records.models import DocumentGeneration
from dcc.worker_status import HEARTBEAT_KEY, WORKER_DOWN_NOTICE, heartbeat_age, heartbeat_write, worker_responding
from tests.records.documents_helpers import record_patient

pytestmark = pytest.mark.django_db


def test_a_fresh_heartbeat_means_a_worker_a_stale_or_missing_one_does_not(settings):
    cache.delete(HEARTBEAT_KEY)
    assert heartbeat_age() is None and not worker_responding()
    heartbeat_write()
    assert heartbeat_age() < 5 and worker_responding()
    heartbeat_write(time.time() - settings.DCC_WORKER_HEARTBEAT_STALE_SECONDS - 1)
    assert not worker_responding()


def test_the_beat_task_writes_the_heartbeat_and_goes_to_the_documents_queue(settings):
    from dcc.celery import app
    from dcc.tasks import worker_heartbeat

    cache.delete(HEARTBEAT_KEY)
    worker_heartbeat.run()
    assert worker_responding()
    route = app.amqp.router.route({}, worker_heartbeat.name)
    assert route["queue"].name == "documents"  # the queue whose consumer the notice is about
    assert settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]["task"] == worker_heartbeat.name


def _render(waiting) -> str:
    return Template('{% include "records/documents/_worker_notice.html" %}').render(Context({"waiting": waiting}))


def test_the_notice_reads_the_cache_once_and_only_when_something_waits(personas, django_assert_num_queries):
    from unittest import mock

    patient = record_patient(personas)
    pending = DocumentGeneration.objects.create(source_type="pps.pps", source_id="1", patient=patient)
    done = DocumentGeneration.objects.create(
        source_type="pps.pps", source_id="2", patient=patient, status=GenerationStatus.SUCCEEDED
    )
    cache.delete(HEARTBEAT_KEY)
    with mock.patch.object(cache, "get", wraps=cache.get) as reads, django_assert_num_queries(0):
        assert WORKER_DOWN_NOTICE in _render([done, pending, pending])
        assert reads.call_count == 1
        assert WORKER_DOWN_NOTICE not in _render([done])
        assert WORKER_DOWN_NOTICE not in _render(False)
        assert reads.call_count == 1
    heartbeat_write()
    assert WORKER_DOWN_NOTICE not in _render(pending)


def test_the_records_productions_say_stuck_and_worker_down(client, personas, settings):
    patient = record_patient(personas)
    generation = DocumentGeneration.objects.create(source_type="pps.pps", source_id="7", patient=patient)
    client.force_login(personas["doctor"])
    url = reverse("records:document_generations", args=[patient.pk])
    cache.delete(HEARTBEAT_KEY)

    page = client.get(url).content.decode()
    assert "En attente" in page and WORKER_DOWN_NOTICE in page and "restée en attente" not in page

    stale = timezone.now() - datetime.timedelta(seconds=settings.DCC_GENERATION_REQUEUE_SECONDS + 1)
    DocumentGeneration.objects.filter(pk=generation.pk).update(updated_at=stale)
    heartbeat_write()
    page = client.get(url).content.decode()
    assert "restée en attente" in page and WORKER_DOWN_NOTICE not in page
    assert WORKER_DOWN_NOTICE not in client.get(reverse("records:documents", args=[patient.pk])).content.decode()


def test_healthz_is_503_without_a_fresh_worker_heartbeat(client, monkeypatch, settings):
    from dcc import health

    monkeypatch.setattr(health, "check_worker", lambda: None)
    cache.delete(HEARTBEAT_KEY)
    body = client.get(reverse("healthz"))
    assert body.status_code == 503
    assert body.json()["components"]["worker_heartbeat"].startswith("aucun battement du worker")

    heartbeat_write(time.time() - settings.DCC_WORKER_HEARTBEAT_STALE_SECONDS - 30)
    assert (
        "la production des documents ne répond pas"
        in client.get(reverse("healthz")).json()["components"]["worker_heartbeat"]
    )

    heartbeat_write()
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json()["components"]["worker_heartbeat"] == "ok"
