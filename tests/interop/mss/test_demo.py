"""The demo sends: every state of the outbox on the first documents, idempotent."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dcc.records import documents_services
from dcc.records.enums import DocumentOrigin, ValidationStatus
from interop.mss import demo
from interop.outbox.models import OutboxMessage
from tests.directory.factories import ProfessionalFactory
from tests.records.documents_helpers import record_patient, sample_frcp

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(900)]  # the sample FRCP is slow to build once


def test_demo_sends_show_every_state_and_seeding_twice_adds_nothing(personas):
    pdf, cda = sample_frcp()
    documents_services.document_store(
        patient=record_patient(personas), type_code="34794-8", title="Fiche RCP", origin=DocumentOrigin.PRODUCED,
        act_date=timezone.now(), pdf=pdf, cda=cda, validation_status=ValidationStatus.VALID,
        source_type="demo.source", source_id="1",
    )  # fmt: skip
    ProfessionalFactory(mss_address="")
    lines = []
    demo.seed({"log": lines.append})
    states = set(OutboxMessage.objects.values_list("state", flat=True))
    assert states == {"lu", "echec_definitif", "echec_temporaire"}
    assert OutboxMessage.objects.filter(last_detail="Pas d'adresse MSSanté pour ce destinataire.").exists()
    assert OutboxMessage.objects.filter(last_code="902").exists()
    count = OutboxMessage.objects.count()
    demo.seed({"log": lines.append})
    assert OutboxMessage.objects.count() == count
    assert "envois de démonstration" in lines[0]
