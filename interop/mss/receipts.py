"""DSN, MDN and replies read in the DCC's mailbox: parsed, matched to their outbox row, applied.

- DSN (RFC 3464, ``multipart/report; report-type=delivery-status``): matched by ``Original-Envelope-Id`` (the
  row's message id), else by the returned headers' ``Message-ID``, and by recipient
  (``Original-Recipient``/``Final-Recipient``). ``Action: delivered`` → *délivré*, ``failed`` → *échec
  définitif*, ``delayed`` → logged.
- MDN (RFC 8098, ``report-type=disposition-notification``): matched by ``Original-Message-ID`` and
  ``Final-Recipient``. ``processed``/``displayed`` → *lu*; ``…/error`` with an MSSanté integration code 900–906
  (``processed/Error: 902^Patient inconnu`` or an ``Error:`` field) → *échec définitif* with its meaning.
- A reply (``In-Reply-To``/``References`` naming a sent message) is kept against that row.

``ingest(raw, origin=…)`` is what the IMAP poller and ``manage.py mss_ingest`` both call. Every message is
kept (``ReceivedMessage``, unique by SHA-256: ingesting twice changes nothing); unmatched and unreadable ones
are marked for review. It never raises on bad input.
"""

from __future__ import annotations

import email
import hashlib
import logging
import re
from dataclasses import dataclass
from email.message import Message
from email.policy import default
from email.utils import parseaddr

from django.db import IntegrityError, transaction

from interop.mss.codes import INTEGRATION, status_meaning
from interop.mss.enums import ReceivedKind, ReceivedStatus
from interop.mss.models import ReceivedMessage
from interop.outbox.enums import OutboxState
from interop.outbox.models import OutboxMessage
from interop.outbox.services import outbox_apply_receipt

logger = logging.getLogger(__name__)
MAX_RAW_BYTES = 25 * 1024 * 1024


@dataclass
class Receipt:
    kind: str
    recipient: str = ""
    envid: str = ""
    original_message_id: str = ""
    state: str = ""
    code: str = ""
    detail: str = ""


@dataclass
class IngestResult:
    received: ReceivedMessage | None
    status: str
    kind: str
    message: OutboxMessage | None = None
    state: str = ""
    note: str = ""
    duplicate: bool = False

    def describe(self) -> str:
        kind = ReceivedKind(self.kind).label
        if self.duplicate:
            return f"{kind} déjà traité : aucun changement"
        if self.status == ReceivedStatus.MATCHED and self.message is not None:
            state = OutboxState(self.message.state).label
            return f"{kind} → envoi n° {self.message.pk} à {self.message.recipient_address} : {state.lower()}" + (
                f" ({self.note})" if self.note else ""
            )
        if self.status == ReceivedStatus.MALFORMED:
            return f"illisible : {self.note} — conservé pour examen"
        return f"{kind} non rapproché : {self.note} — conservé pour examen"


def _strip_id(value: str) -> str:
    return value.strip().strip("<>").strip()


def _address(value: str) -> str:
    """``rfc822;dr.x@…`` → ``dr.x@…``."""
    value = (value or "").strip()
    if ";" in value:
        value = value.split(";", 1)[1]
    return parseaddr(value)[1].lower() or value.lower()


def _blocks(part: Message) -> list[Message]:
    """The header blocks of a message/delivery-status or message/disposition-notification part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return payload
    text = payload if isinstance(payload, str) else (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
    return [email.message_from_string(block.strip() + "\n") for block in re.split(r"\r?\n\r?\n", text) if block.strip()]


def _find(message: Message, content_type: str) -> Message | None:
    for part in message.walk():
        if part.get_content_type() == content_type:
            return part
    return None


def _returned_message_id(message: Message) -> str:
    for kind in ("text/rfc822-headers", "message/rfc822"):
        part = _find(message, kind)
        if part is None:
            continue
        if kind == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else None
            if inner is not None and inner.get("Message-ID"):
                return _strip_id(str(inner["Message-ID"]))
        else:
            text = part.get_payload(decode=True) or b""
            headers = email.message_from_bytes(text)
            if headers.get("Message-ID"):
                return _strip_id(str(headers["Message-ID"]))
    return ""


def parse_dsn(message: Message) -> list[Receipt]:
    part = _find(message, "message/delivery-status")
    if part is None:
        raise ValueError("rapport de remise sans partie message/delivery-status")
    blocks = _blocks(part)
    if len(blocks) < 2:
        raise ValueError("rapport de remise sans champ par destinataire")
    envid = str(blocks[0].get("Original-Envelope-Id", "")).strip()
    original_id = _returned_message_id(message)
    receipts = []
    for block in blocks[1:]:
        action = str(block.get("Action", "")).strip().lower()
        status = str(block.get("Status", "")).strip()
        diagnostic = str(block.get("Diagnostic-Code", "")).strip()
        recipient = _address(str(block.get("Original-Recipient", "") or block.get("Final-Recipient", "")))
        if not action or not recipient:
            raise ValueError("champ Action ou destinataire absent du rapport de remise")
        meaning = status_meaning(status)
        state = {
            "delivered": OutboxState.DELIVERED,
            "relayed": OutboxState.SENT,
            "expanded": OutboxState.DELIVERED,
            "failed": OutboxState.FAILED,
            "delayed": OutboxState.SENT,
        }.get(action)
        if state is None:
            raise ValueError(f"action de remise inconnue : {action}")
        if action == "relayed":
            meaning = "Relayé vers un serveur qui ne renvoie pas d'avis de remise"
        detail = meaning + (f" ({diagnostic.split(';', 1)[-1].strip()})" if action == "failed" and diagnostic else "")
        receipts.append(Receipt(ReceivedKind.DSN, recipient, envid, original_id, state, status, detail))
    return receipts


DISPOSITION = re.compile(r";\s*(?P<type>[a-z-]+)(?:/(?P<modifier>[a-z-]+))?(?:\s*:\s*(?P<rest>.*))?", re.I)


def parse_mdn(message: Message) -> list[Receipt]:
    part = _find(message, "message/disposition-notification")
    if part is None:
        raise ValueError("accusé de lecture sans partie message/disposition-notification")
    fields = _blocks(part)[0]
    disposition = str(fields.get("Disposition", "")).strip()
    recipient = _address(str(fields.get("Original-Recipient", "") or fields.get("Final-Recipient", "")))
    original_id = _strip_id(str(fields.get("Original-Message-ID", "")))
    if not disposition or not recipient:
        raise ValueError("champ Disposition ou Final-Recipient absent de l'accusé de lecture")
    match = DISPOSITION.search(disposition)
    if match is None:
        raise ValueError(f"champ Disposition illisible : {disposition}")
    kind, modifier = match["type"].lower(), (match["modifier"] or "").lower()
    error_text = match["rest"] or str(fields.get("Error", "") or "")
    if modifier == "error" or kind in ("failed",):
        code_match = re.search(r"\b(90[0-6])\b", error_text) or re.search(r"\[(90[0-6])\]", str(message["Subject"]))
        code = code_match.group(1) if code_match else "906"
        detail = INTEGRATION.get(code, INTEGRATION["906"])
        return [Receipt(ReceivedKind.MDN, recipient, "", original_id, OutboxState.FAILED, code, detail)]
    if kind in ("processed", "displayed", "dispatched"):
        detail = "Intégré par le logiciel du destinataire" if kind == "processed" else "Lu par le destinataire"
        return [Receipt(ReceivedKind.MDN, recipient, "", original_id, OutboxState.READ, kind, detail)]
    # deleted / denied: the message reached the recipient, who discarded it
    return [Receipt(ReceivedKind.MDN, recipient, "", original_id, OutboxState.DELIVERED, kind, "Supprimé sans lecture")]


def _reply_to(message: Message) -> list[str]:
    ids = []
    for header in ("In-Reply-To", "References"):
        ids += [_strip_id(i) for i in re.findall(r"<[^>]+>", str(message.get(header, "")))]
    return ids


def parse(raw: bytes) -> tuple[Message, str, list[Receipt]]:
    message = email.message_from_bytes(raw, policy=default)
    if not message.keys():
        raise ValueError("aucun en-tête : ce n'est pas un message électronique")
    content_type = message.get_content_type()
    report_type = str(message.get_param("report-type", "") or "").lower()
    if content_type == "multipart/report" and report_type == "delivery-status":
        return message, ReceivedKind.DSN, parse_dsn(message)
    if content_type == "multipart/report" and report_type == "disposition-notification":
        return message, ReceivedKind.MDN, parse_mdn(message)
    replied = _reply_to(message)
    if replied:
        sender = parseaddr(str(message.get("From", "")))[1].lower()
        return message, ReceivedKind.REPLY, [Receipt(ReceivedKind.REPLY, sender, "", i) for i in replied]
    return message, ReceivedKind.OTHER, []


def _match(receipt: Receipt) -> OutboxMessage | None:
    rows = OutboxMessage.objects.none()
    if receipt.envid:
        rows = OutboxMessage.objects.filter(message_id__istartswith=receipt.envid + "@")
    if not rows.exists() and receipt.original_message_id:
        rows = OutboxMessage.objects.filter(message_id=receipt.original_message_id)
    if receipt.kind == ReceivedKind.REPLY:
        return rows.first()
    return rows.filter(recipient_address__iexact=receipt.recipient).first()


def is_own_copy(message: Message, own_address: str) -> bool:
    """The envelope copy of a message the DCC sent (see ``transport``): not a receipt."""
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    message_id = _strip_id(str(message.get("Message-ID", "")))
    return (
        bool(own_address)
        and sender == own_address.lower()
        and OutboxMessage.objects.filter(message_id=message_id).exists()
    )


def ingest(raw: bytes, *, origin: str, own_address: str = "") -> IngestResult:
    """Parse, match, apply and keep one received message. Never raises on bad input."""
    digest = hashlib.sha256(raw).hexdigest()
    known = ReceivedMessage.objects.filter(sha256=digest).select_related("outbox_message").first()
    if known is not None:
        return IngestResult(
            known, known.status, known.kind, known.outbox_message, known.resulting_state, duplicate=True
        )
    kind, receipts, parsed, note = ReceivedKind.OTHER, [], None, ""
    try:
        if len(raw) > MAX_RAW_BYTES:
            raise ValueError("message trop volumineux")
        parsed, kind, receipts = parse(raw)
    except Exception as error:  # malformed input of any kind: kept for review
        note = str(error) or type(error).__name__
        status = ReceivedStatus.MALFORMED
    else:
        if own_address and is_own_copy(parsed, own_address):
            return IngestResult(None, ReceivedStatus.MATCHED, ReceivedKind.OTHER, note="copie d'envoi du DCC")
        status = ReceivedStatus.UNMATCHED
        note = "aucun envoi correspondant" if receipts else "ni avis de remise, ni accusé de lecture, ni réponse"
    matched, state, code, detail = None, "", "", ""
    with transaction.atomic():
        for receipt in receipts:
            row = _match(receipt)
            if row is None:
                continue
            matched, status, note = row, ReceivedStatus.MATCHED, ""
            if receipt.kind == ReceivedKind.REPLY:
                detail = "Réponse du destinataire"
                break
            row = outbox_apply_receipt(message=row, state=receipt.state, code=receipt.code, detail=receipt.detail)
            matched, state, code, detail = row, row.state, receipt.code, receipt.detail
        subject = str(parsed.get("Subject", ""))[:500] if parsed is not None else ""
        received = ReceivedMessage(
            origin=origin[:255],
            kind=kind,
            status=status,
            sha256=digest,
            raw=raw,
            subject=subject,
            message_id=_strip_id(str(parsed.get("Message-ID", "")))[:255] if parsed is not None else "",
            from_address=parseaddr(str(parsed.get("From", "")))[1][:255] if parsed is not None else "",
            outbox_message=matched,
            resulting_state=state,
            code=code[:32],
            detail=(detail or note)[:500],
        )
        try:
            with transaction.atomic():
                received.save()
        except IntegrityError:  # the same bytes ingested concurrently
            received = ReceivedMessage.objects.get(sha256=digest)
    if status != ReceivedStatus.MATCHED:
        logger.warning("Message MSSanté %s (%s) : %s", status, origin, note)
    return IngestResult(received, status, kind, matched, state, note)
