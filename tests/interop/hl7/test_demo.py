"""The HL7 demo: partners, stored messages with every ACK code, one identity-vigilance item; idempotent; the CHU
subscribed to the DCC's documents, delivered as MDM^T02 to the demo's test receiver."""

import base64

import pytest
from django.utils import timezone

from dcc.accounts import demo as accounts_demo
from dcc.directory import demo as directory_demo
from dcc.records import documents_services
from dcc.records.enums import DocumentOrigin
from identity import demo as identity_demo
from identity.enums import IdentityOrigin
from identity.models import Patient
from interop.hl7 import demo
from interop.hl7.demo_receiver import Receiver
from interop.hl7.enums import Direction
from interop.hl7.models import Message, Partner, VigilanceItem
from interop.outbox.delivery import outbox_process
from interop.outbox.enums import OutboxState
from interop.outbox.models import OutboxMessage
from tests.interop.hl7.conftest import example

pytestmark = pytest.mark.django_db


def test_demo_hl7_traffic(settings):
    lines = []
    context = {"log": lines.append}
    for module in (directory_demo, accounts_demo, identity_demo, demo):
        module.seed(context)
    assert Partner.objects.count() == 3
    assert set(Message.objects.values_list("ack_code", flat=True)) == {"AA", "AE", "AR"}
    assert VigilanceItem.objects.count() == 1
    corsican = Patient.objects.get(birth_name="SANTONI")
    assert corsican.birth_place_code == "2A004" and corsican.origin == IdentityOrigin.INTEROP
    assert Patient.objects.get(birth_name="D'ARTOIS-LEFEVRE").used_name == "MOREAU-DURAND"
    subscribed = Partner.objects.get(receives_documents=True)
    assert (subscribed.establishment.name, subscribed.host, subscribed.port) == (
        demo.CHU, "127.0.0.1", settings.DCC_HL7_DEMO_RECEIVER_PORT
    )  # fmt: skip
    demo.seed(context)
    assert Message.objects.count() == 6 and Partner.objects.count() == 3


def test_a_document_produced_for_a_chu_patient_reaches_the_demo_receiver(tmp_path, settings):
    storage = {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path / "media")}}
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    for module in (directory_demo, accounts_demo, identity_demo, demo):
        module.seed({"log": lambda line: None})
    receiver = Receiver(tmp_path / "recu")
    port = receiver.start_in_thread()
    Partner.objects.filter(receives_documents=True).update(port=port)
    patient = Patient.objects.get(birth_name="SANTONI")  # created by the demo's A28 from the CHU
    cda = example("ans_MDM_T02_CR_Radio_INIT_N1_Base64.er7")
    try:
        document = documents_services.document_store(
            patient=patient, type_code="34794-8", title="Fiche RCP", origin=DocumentOrigin.PRODUCED,
            act_date=timezone.now(), cda=base64.b64decode(cda.split(b"^Base64^")[1].split(b"|")[0]),
            document_id="1.2.250.1.999.9.77", source_type="rcp.ficheversion", source_id="77",
        )  # fmt: skip
        row = OutboxMessage.objects.get(document=document, channel="hl7")
        assert row.recipient_address == f"hl7:{demo.RECEIVER_APPLICATION}@CHU-POITIERS"
        outbox_process(message_pk=row.pk)
    finally:
        receiver.stop_thread()
    row.refresh_from_db()
    assert row.state == OutboxState.DELIVERED, row.last_detail
    assert len(receiver.received) == 1 and b"MDM^T02^MDM_T02" in receiver.received[0]
    kept = (tmp_path / "recu" / f"{row.message_id}.hl7").read_bytes()
    assert b"SANTONI" in kept and b"|1.2.250.1.999.9.77|" in kept
    assert Message.objects.get(direction=Direction.OUTBOUND).ack_code == "AA"
