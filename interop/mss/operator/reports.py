"""The reports the operator writes: DSN (RFC 3464, multipart/report delivery-status) and MDN (RFC 8098)."""

from __future__ import annotations

import email.utils
import uuid
from email.header import Header
from email.parser import BytesParser
from email.policy import default

INTEGRATION_ERRORS = {
    "900": "Version de document non prise en charge",
    "901": "Auteur non autorisé",
    "902": "Patient inconnu",
    "903": "Patient sans INS",
    "904": "INS et traits d'identité incohérents",
    "905": "INS incomplet",
    "906": "Autre erreur d'intégration",
}


def _header(value: str) -> str:
    return value if value.isascii() else Header(value, "utf-8").encode()


def _headers_of(original: bytes) -> bytes:
    head, _, _ = original.partition(b"\r\n\r\n")
    if head == original:
        head, _, _ = original.partition(b"\n\n")
    return head + b"\r\n"


def _multipart_report(
    *,
    report_type: str,
    sender: str,
    to: str,
    subject: str,
    human: str,
    report: str,
    attachment: tuple[str, bytes],
    hostname: str,
) -> bytes:
    boundary = f"=_report_{uuid.uuid4().hex}"
    attach_type, attach_bytes = attachment
    lines = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {_header(subject)}",
        f"Date: {email.utils.formatdate(localtime=False)}",
        f"Message-ID: <{uuid.uuid4().hex}@{hostname}>",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type={report_type}; boundary="{boundary}"',
        "Auto-Submitted: auto-replied",
        "",
        f"--{boundary}",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        human,
        "",
        f"--{boundary}",
        f"Content-Type: message/{report_type}",
        "",
        report,
        "",
        f"--{boundary}",
        f"Content-Type: {attach_type}",
        "",
    ]
    text = "\r\n".join(lines).encode("utf-8") + b"\r\n" + attach_bytes.rstrip(b"\r\n") + b"\r\n"
    return text + f"\r\n--{boundary}--\r\n".encode()


def dsn(
    *,
    hostname: str,
    postmaster: str,
    to: str,
    envid: str,
    recipient: str,
    original_recipient: str,
    action: str,
    status: str,
    diagnostic: str,
    original: bytes,
    ret_full: bool = False,
) -> bytes:
    """A delivery status notification for one recipient (``action``: delivered, failed, delayed)."""
    human = {
        "delivered": f"Votre message a été remis à {recipient}.",
        "failed": f"Votre message n'a pas pu être remis à {recipient} : {diagnostic}",
        "delayed": f"La remise de votre message à {recipient} est retardée.",
    }[action]
    per_message = [f"Reporting-MTA: dns; {hostname}"]
    if envid:
        per_message.append(f"Original-Envelope-Id: {envid}")
    per_message.append(f"Arrival-Date: {email.utils.formatdate(localtime=False)}")
    per_recipient = []
    if original_recipient:
        per_recipient.append(f"Original-Recipient: rfc822;{original_recipient}")
    per_recipient += [f"Final-Recipient: rfc822;{recipient}", f"Action: {action}", f"Status: {status}"]
    if diagnostic:
        per_recipient.append(f"Diagnostic-Code: smtp; {diagnostic}")
    report = "\r\n".join(per_message) + "\r\n\r\n" + "\r\n".join(per_recipient)
    attachment = ("message/rfc822", original) if ret_full else ("text/rfc822-headers", _headers_of(original))
    subject = {
        "delivered": "Avis de remise (succès)",
        "failed": "Avis de non-remise (échec)",
        "delayed": "Avis de remise retardée",
    }[action]
    return _multipart_report(
        report_type="delivery-status",
        sender=postmaster,
        to=to,
        subject=subject,
        human=human,
        report=report,
        attachment=attachment,
        hostname=hostname,
    )


def mdn(*, hostname: str, reader: str, original: bytes, error_code: str = "") -> tuple[str, bytes]:
    """The MDN the receiving software sends back: (destination, bytes); ``error_code`` 900–906 for a failure."""
    message = BytesParser(policy=default).parsebytes(original, headersonly=True)
    destination = email.utils.parseaddr(str(message.get("Disposition-Notification-To", "")))[1]
    original_id = str(message.get("Message-ID", "")).strip()
    subject = str(message.get("Subject", ""))
    if error_code:
        label = INTEGRATION_ERRORS.get(error_code, INTEGRATION_ERRORS["906"])
        disposition = f"automatic-action/MDN-sent-automatically; processed/Error: {error_code}^{label}"
        subject = f"[KO Intégration système !][{error_code}] {subject}"
        human = f"Le document n'a pas pu être intégré : {label} (code {error_code})."
    else:
        disposition = "automatic-action/MDN-sent-automatically; processed"
        subject = f"Accusé de lecture : {subject}"
        human = "Le message a été intégré par le logiciel du destinataire."
    report = "\r\n".join(
        [
            f"Reporting-UA: {hostname}; Logiciel de démonstration",
            f"Original-Recipient: rfc822;{reader}",
            f"Final-Recipient: rfc822;{reader}",
            f"Original-Message-ID: {original_id}",
            f"Disposition: {disposition}",
        ]
    )
    raw = _multipart_report(
        report_type="disposition-notification",
        sender=reader,
        to=destination,
        subject=subject,
        human=human,
        report=report,
        attachment=("message/rfc822", original),
        hostname=hostname,
    )
    return destination, raw
