"""The HL7 channel of the outbox: a record document sent as MDM^T02/T10 over MLLP to a partner.

``deliver(message)`` opens an MLLP connection to the partner (TLS when configured), sends the message, waits
for the ACK (``DCC_MLLP_SEND_TIMEOUT``): AA → *délivré*; AE/AR → ``PermanentFailure`` with the partner's
French text; connection refused, timeout, reset → ``TransientFailure`` (the outbox retries with backoff).
The control id (MSH-10) is the outbox ``message_id``, identical on every retry, so a partner that got the
message but whose ACK was lost answers the retry with its first ACK instead of filing the document twice.
Every attempt is stored as an outbound ``hl7.Message`` with the ACK received.
"""

from __future__ import annotations

import socket
import ssl
import uuid

from django.conf import settings
from django.utils import timezone

from interop.hl7.enums import AckCode, Direction, MessageOutcome
from interop.hl7.models import Message, Partner
from interop.hl7.outbound import CannotBuild, build_mdm
from interop.hl7.protocol import END_BLOCK, START_BLOCK, ack_code_of
from interop.outbox.channels import Delivery
from interop.outbox.enums import OutboxState
from interop.outbox.errors import PermanentFailure, TransientFailure


def partner_for(address: str) -> Partner | None:
    """The partner of an outbox ``recipient_address`` (``hl7:APPLICATION@FACILITY``)."""
    if not address.startswith("hl7:") or "@" not in address:
        return None
    application, facility = address[4:].rsplit("@", 1)
    return Partner.objects.select_related("establishment").filter(application=application, facility=facility).first()


def new_message_id(message) -> str:
    return f"DCC{uuid.uuid4().hex[:17].upper()}"


def precheck(message) -> str:
    partner = partner_for(message.recipient_address)
    if partner is None or not partner.is_active:
        return "Partenaire HL7 inconnu ou désactivé."
    if not partner.host or not partner.port:
        return f"Le partenaire {partner.application}@{partner.facility} n'a pas d'adresse MLLP (hôte et port)."
    if message.document is not None and not message.document.cda_file:
        return "Ce document n'a pas de version CDA : il ne peut pas être transmis en HL7 (MDM)."
    return ""


def exchange(host: str, port: int, data: bytes, *, timeout: float, use_tls: bool = False) -> str:
    """Send one MLLP frame and return the ACK text (raises OSError / TimeoutError)."""
    with socket.create_connection((host, port), timeout=timeout) as raw:
        sock = ssl.create_default_context().wrap_socket(raw, server_hostname=host) if use_tls else raw
        sock.settimeout(timeout)
        sock.sendall(START_BLOCK + data + END_BLOCK)
        buffer = b""
        while END_BLOCK not in buffer:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("connexion fermée par le partenaire avant l'accusé")
            buffer += chunk
            if len(buffer) > 1024 * 1024:
                raise ConnectionError("accusé trop volumineux")
        frame = buffer.split(END_BLOCK, 1)[0]
        return frame[frame.find(START_BLOCK) + 1 :].decode("utf-8", "replace")


def deliver(message) -> Delivery:
    partner = partner_for(message.recipient_address)
    refusal = precheck(message)
    if refusal:
        raise PermanentFailure("refus", refusal)
    control_id = message.message_id or new_message_id(message)
    try:
        trigger, text = build_mdm(message.document, partner, control_id=control_id)
    except CannotBuild as error:
        raise PermanentFailure("refus", str(error)) from error
    data = text.encode("utf-8")
    row = Message.objects.create(
        direction=Direction.OUTBOUND,
        partner=partner,
        sending_application="DCC",
        sending_facility="DCC",
        message_type=f"MDM^{trigger}",
        control_id=control_id,
        raw=text,
        size=len(data),
        outcome=MessageOutcome.PENDING,
        patient=message.patient,
        document=message.document,
        outbox_id=message.pk,
        peer=f"{partner.host}:{partner.port}",
    )
    try:
        ack = exchange(
            partner.host, partner.port, data, timeout=settings.DCC_MLLP_SEND_TIMEOUT, use_tls=partner.use_tls
        )
    except (OSError, TimeoutError) as error:
        detail = (
            f"Partenaire {partner.application}@{partner.facility} injoignable ({error.__class__.__name__} : {error})."
        )
        _finish(row, outcome=MessageOutcome.FAILED, error_text=detail)
        raise TransientFailure("connexion", detail) from error
    code, text_fr = ack_code_of(ack)
    if code == AckCode.ACCEPT:
        _finish(row, outcome=MessageOutcome.SENT, ack=ack, ack_code=code)
        return Delivery(
            state=OutboxState.DELIVERED,
            code="AA",
            detail=f"Accusé AA de {partner.application}@{partner.facility} (MDM^{trigger}).",
        )
    if code in {AckCode.ERROR, AckCode.REJECT}:
        detail = text_fr or f"Le partenaire a répondu {code} sans motif."
        _finish(row, outcome=MessageOutcome.FAILED, ack=ack, ack_code=code, error_text=detail)
        raise PermanentFailure(code, f"{code} de {partner.application}@{partner.facility} : {detail}")
    detail = f"Accusé illisible de {partner.application}@{partner.facility}."
    _finish(row, outcome=MessageOutcome.FAILED, ack=ack, error_text=detail)
    raise TransientFailure("accuse", detail)


def _finish(row: Message, **fields) -> None:
    fields.setdefault("processed_at", timezone.now())
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(update_fields=list(fields))
