"""The e-mail an outbox row becomes: an XDM document message or a plain French notice.

Document message (TRANS-CDA "cas d'usage", LPS-MSS "structure du courriel"): subject
``XDM/1.0/DDM+<titre> <NOM> <prénom> <date de naissance>``; attachments ``IHE_XDM.ZIP`` and the PDF;
headers ``X-MSS-CODECDA`` (the CDA's ``code``), ``X-MSS-INS`` (``O`` only when the identity is qualified —
``Patient.ins_exchangeable`` — and the CDA carries the INS, ``N`` otherwise), ``X-MSS-NIL`` (product
reference, every message), ``X-MSS-MES: FIN`` towards a patient mailbox, ``Message-ID`` (kept on the row before
sending), ``Disposition-Notification-To`` when the region asks for read acknowledgements.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate

from interop.mss.conf import MssSettings
from interop.mss.xdm import build_xdm_zip


def _address(label: str, address: str):
    local, _, domain = address.partition("@")
    return Address(display_name=label or "", username=local, domain=domain)


def is_patient_mailbox(address: str, conf: MssSettings) -> bool:
    return address.lower().endswith("@" + conf.patient_domain.lower())


def document_subject(document, patient) -> str:
    birth = patient.birth_date.strftime("%d/%m/%Y") if patient.birth_date else ""
    family = (patient.birth_name or "").upper()
    given = (patient.first_given_name or "").capitalize()
    return " ".join(part for part in (f"XDM/1.0/DDM+{document.title}", family, given, birth) if part)


def _document_body(message, document, patient, conf: MssSettings) -> str:
    to_patient = is_patient_mailbox(message.recipient_address, conf)
    greeting = "Madame, Monsieur," if to_patient else f"Bonjour {message.recipient_label or ''},".replace(" ,", ",")
    lines = [
        greeting,
        "",
        f"Vous trouverez ci-joint le document « {document.title} »"
        + ("" if to_patient else f" concernant {patient.display_name}")
        + f", du {document.act_date:%d/%m/%Y}.",
        "Il est joint au format PDF et au format structuré (IHE_XDM.ZIP) pour l'intégration dans votre logiciel.",
        "",
    ]
    if to_patient:
        lines.append("Ce message est envoyé automatiquement : merci de ne pas y répondre.")
    else:
        lines.append("Pour toute question, adressez-vous à l'équipe qui vous suit ou au 3C de l'établissement.")
    lines += ["", f"— {conf.sender_name} (message envoyé par MSSanté)"]
    return "\n".join(lines)


def _base(message, conf: MssSettings, subject: str) -> EmailMessage:
    email = EmailMessage(policy=SMTP)
    email["From"] = _address(conf.sender_name, conf.address)
    email["To"] = _address(message.recipient_label, message.recipient_address)
    email["Subject"] = subject
    email["Date"] = formatdate(localtime=True)
    email["Message-ID"] = f"<{message.message_id}>"
    email["X-MSS-NIL"] = conf.nil
    if conf.request_mdn:
        email["Disposition-Notification-To"] = conf.address
    if is_patient_mailbox(message.recipient_address, conf):
        email["X-MSS-MES"] = "FIN"
    return email


def build_email(message, conf: MssSettings, *, now: dt.datetime | None = None) -> EmailMessage:
    """The RFC 5322 message of an outbox row (``message.document`` set → XDM; else ``payload`` subject/body)."""
    if message.document_id is None:
        payload = message.payload or {}
        email = _base(message, conf, str(payload.get("subject") or "Message du DCC"))
        email.set_content(str(payload.get("body") or ""), charset="utf-8")
        return email
    document = message.document
    patient = document.patient
    email = _base(message, conf, document_subject(document, patient))
    email.set_content(_document_body(message, document, patient, conf), charset="utf-8")
    pdf = _read(document.pdf_file)
    cda = _read(document.cda_file)
    if cda:
        archive, header = build_xdm_zip(
            cda=cda,
            sender=conf.address,
            sender_label=conf.sender_name,
            software=conf.nil,
            recipient=message.recipient_address,
            recipient_label=message.recipient_label,
            source_oid=conf.source_oid,
            now=now,
        )
        email["X-MSS-CODECDA"] = header.type.code
        email["X-MSS-INS"] = "O" if patient.ins_exchangeable and header.has_ins else "N"
        email.add_attachment(archive, maintype="application", subtype="zip", filename="IHE_XDM.ZIP")
    if pdf:
        filename = f"{document.title[:80]}.pdf".replace("/", "-")
        email.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return email


def _read(field) -> bytes:
    if not field:
        return b""
    with field.open("rb") as handle:
        return handle.read()


def estimated_size(document) -> int:
    """Bytes of the message once base64-encoded (the PDF twice: alone and inside the CDA of the ZIP)."""
    size = 0
    for field in (document.pdf_file, document.cda_file):
        if field:
            with contextlib.suppress(OSError):
                size += field.size
    return int(size * 1.37) + 20_000
