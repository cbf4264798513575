"""Drill (issue 16, finding 2): the broker is unreachable while PPS are validated.

Each validation succeeds, with its pending generation recorded in the same transaction; once the broker is back,
the beat task queues them, the real worker generates each document, and none twice."""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
from django.urls import reverse

from dcc.records.enums import GenerationStatus
from dcc.records.models import Document, DocumentGeneration
from interop.queueing import requeue_pending
from pps.enums import PpsStatus
from tests.platform.own_services import free_port
from tests.records.documents_helpers import record_patient, store_frcp

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.timeout(1200)]


@contextmanager
def unreachable_broker(app):
    """Point the app's publisher at a port where nothing listens (connection refused), then back."""
    saved = app.conf.broker_url

    def reset():
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    reset()
    try:
        yield
    finally:
        app.conf.broker_url = saved
        reset()


def test_validations_without_broker_are_generated_once_when_it_returns(client, celery_queue, route_to_worker):
    from interop.tasks import generate_document
    from tests.personas import build_personas
    from tests.pps.factories import PpsElementFactory, PpsFactory

    route_to_worker(generate_document)
    personas = build_personas()
    doctor = personas["doctor"]
    patient = record_patient(personas)
    store_frcp(patient)
    drafts = []
    for _ in range(2):
        pps = PpsFactory(patient=patient, author=doctor, establishment=personas.hospital, three_c=personas.three_c)
        PpsElementFactory(pps=pps, kind="consultation")
        drafts.append(pps)
    client.force_login(doctor)

    with unreachable_broker(generate_document.app):
        started = time.monotonic()
        for pps in drafts:
            response = client.post(
                reverse("pps:validate", args=[pps.pk]), {"validation-no_rcp_reason": "Hors RCP (exercice)"}
            )
            assert response.status_code == 302
        assert time.monotonic() - started < 30

    for pps in drafts:
        pps.refresh_from_db()
        assert pps.status == PpsStatus.VALIDATED
    generations = DocumentGeneration.objects.filter(source_type="pps.pps")
    assert sorted(generations.values_list("status", flat=True)) == [GenerationStatus.PENDING] * 2
    page = client.get(reverse("pps:document_status", args=[drafts[0].pk])).content.decode()
    assert "attente" in page

    assert requeue_pending(older_than_seconds=0) == 2  # the beat task, broker back
    deadline = time.monotonic() + 300
    while generations.exclude(status__in=[GenerationStatus.SUCCEEDED, GenerationStatus.FAILED]).exists():
        assert time.monotonic() < deadline, "les documents n'ont pas été produits à temps"
        time.sleep(1)
    assert sorted(generations.values_list("status", flat=True)) == [GenerationStatus.SUCCEEDED] * 2
    assert requeue_pending(older_than_seconds=0) == 0
    for pps in drafts:
        assert Document.objects.filter(source_type="pps.pps", source_id=str(pps.pk)).count() == 1
