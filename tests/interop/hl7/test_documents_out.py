"""Documents out: a produced FRCP/PPS/PPAC queued for each subscribed partner and sent as MDM over MLLP
to a local receiver, through the outbox (AA delivered, AE permanent failure, unreachable retried)."""

from __future__ import annotations

import base64
import socket
import threading

import pytest
from django.utils import timezone

from dcc.records import documents_services
from dcc.records.enums import DocumentOrigin
from identity.models import LocalIdentifier
from interop.hl7.enums import Direction
from interop.hl7.models import Message
from interop.hl7.services import partner_register
from interop.outbox.delivery import outbox_process
from interop.outbox.enums import OutboxState
from interop.outbox.models import OutboxMessage
from tests.identity.factories import PatientFactory
from tests.interop.hl7.conftest import example

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver:
    """A local MLLP peer standing for a hospital's integration engine: answers each frame with ``code``."""

    def __init__(self, code: str = "AA", text: str = ""):
        self.code, self.text, self.received = code, text, []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                buffer = b""
                while b"\x1c\r" not in buffer:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    buffer += chunk
                message = buffer[1:].split(b"\x1c\r")[0].decode()
                self.received.append(message)
                control = message.split("\r")[0].split("|")[9]
                err = f"\rERR|||207^Erreur applicative^HL70357|E||||{self.text}" if self.text else ""
                ack = f"MSH|^~\\&|EAI|CH|DCC|DCC|20261203||ACK^T02^ACK|A1|P|2.6\rMSA|{self.code}|{control}{err}\r"
                conn.sendall(b"\x0b" + ack.encode() + b"\x1c\r")

    def close(self):
        self.sock.close()


@pytest.fixture
def receiver():
    peer = Receiver()
    yield peer
    peer.close()


def produced_document(patient, *, replaces=None, document_id="1.2.250.1.999.9.1"):
    cda = example("ans_MDM_T02_CR_Radio_INIT_N1_Base64.er7")  # any bytes of XML would do for the channel
    xml = base64.b64decode(cda.split(b"^Base64^")[1].split(b"|")[0])
    return documents_services.document_store(
        patient=patient, type_code="34794-8", title="Fiche RCP", origin=DocumentOrigin.PRODUCED,
        act_date=timezone.now(), cda=xml, document_id=document_id, replaces=replaces,
        source_type="rcp.ficheversion", source_id=document_id[-3:],
    )  # fmt: skip


@pytest.fixture
def subscribed(establishment, receiver):
    partner, _ = partner_register(application="EAI", facility="CHTEST", establishment=establishment, kinds=["ADT"],
                                  receives_documents=True, host="127.0.0.1", port=receiver.port)  # fmt: skip
    return partner


def test_a_produced_document_is_sent_as_mdm_t02_then_t10_and_delivered(subscribed, receiver, media, establishment):
    patient = PatientFactory(qualified=True)
    LocalIdentifier.objects.create(patient=patient, establishment=establishment, value="IPP-OUT")
    PatientFactory()  # another patient of nobody: nothing sent for them

    document = produced_document(patient)
    row = OutboxMessage.objects.get()
    assert (row.channel, row.kind, row.recipient_address) == ("hl7", "mdm", "hl7:EAI@CHTEST")
    assert row.document == document and row.state == OutboxState.PENDING

    outbox_process(message_pk=row.pk)
    row.refresh_from_db()
    assert row.state == OutboxState.DELIVERED, row.last_detail
    text = receiver.received[0]
    segments = {line.split("|")[0]: line for line in text.strip("\r").split("\r")}
    assert "MDM^T02^MDM_T02" in segments["MSH"] and segments["MSH"].split("|")[9] == row.message_id
    assert "IPP-OUT^^^CHTEST" in segments["PID"]
    assert f"{patient.ins_matricule}^^^ASIP-SANTE-INS-NIR" in segments["PID"]  # qualified: INS exchanged
    assert segments["TXA"].split("|")[12] == "1.2.250.1.999.9.1"
    assert segments["OBX"].startswith("OBX|1|ED|34794-8^")
    sent = Message.objects.get(direction=Direction.OUTBOUND)
    assert sent.ack_code == "AA" and sent.outbox_id == row.pk

    second = produced_document(patient, replaces=document, document_id="1.2.250.1.999.9.2")
    row2 = OutboxMessage.objects.get(document=second)
    outbox_process(message_pk=row2.pk)
    text = receiver.received[1]
    assert "MDM^T10^MDM_T02" in text and "|1.2.250.1.999.9.2|1.2.250.1.999.9.1|" in text


def test_a_provisional_identity_travels_without_its_ins(subscribed, receiver, media, establishment):
    patient = PatientFactory(with_ins=True)
    LocalIdentifier.objects.create(patient=patient, establishment=establishment, value="IPP-PROV")
    produced_document(patient)
    outbox_process(message_pk=OutboxMessage.objects.get().pk)
    assert patient.ins_matricule not in receiver.received[0]


def test_ae_is_a_permanent_failure_with_the_partner_text(subscribed, receiver, media, establishment):
    receiver.code, receiver.text = "AE", "Patient inconnu"
    patient = PatientFactory()
    LocalIdentifier.objects.create(patient=patient, establishment=establishment, value="IPP-AE")
    produced_document(patient)
    row = OutboxMessage.objects.get()
    outbox_process(message_pk=row.pk)
    row.refresh_from_db()
    assert row.state == OutboxState.FAILED and "Patient inconnu" in row.last_detail


def test_an_unreachable_partner_is_retried(subscribed, receiver, media, establishment):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    subscribed.port = closed.getsockname()[1]
    subscribed.save()
    closed.close()  # bound then closed: nobody listens there
    patient = PatientFactory()
    LocalIdentifier.objects.create(patient=patient, establishment=establishment, value="IPP-DOWN")
    produced_document(patient)
    row = OutboxMessage.objects.get()
    outbox_process(message_pk=row.pk)
    row.refresh_from_db()
    assert row.state == OutboxState.RETRYING and "injoignable" in row.last_detail
