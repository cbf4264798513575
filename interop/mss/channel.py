"""The MSSanté channel of the outbox (``settings.DCC_OUTBOX_CHANNELS["mss"]``)."""

from __future__ import annotations

import uuid

from django.conf import settings

from interop.mss import transport
from interop.mss.conf import mss_settings
from interop.mss.message import build_email, estimated_size
from interop.outbox.channels import Delivery
from interop.outbox.enums import OutboxState


def new_message_id(message) -> str:
    """``<32 hex>@<domain of the DCC's mailbox>``; its local part, upper-cased, is the DSN envelope id."""
    domain = (mss_settings().address.rpartition("@")[2]) or settings.DCC_OUTBOX_MESSAGE_ID_DOMAIN
    return f"{uuid.uuid4().hex}@{domain}"


def envelope_id(message_id: str) -> str:
    return message_id.partition("@")[0].upper()


def precheck(message) -> str:
    """French refusal before any attempt: a document too large for MSSanté."""
    if message.document is not None:
        limit = mss_settings().max_message_bytes
        size = estimated_size(message.document)
        if size > limit:
            shown = f"{size / 1_048_576:.1f}".replace(".", ",")
            return (
                f"Document trop volumineux pour MSSanté : {shown} Mo une fois encodé, "
                f"pour une limite de {limit // 1_048_576} Mo."
            )
    return ""


def deliver(message) -> Delivery:
    conf = mss_settings()
    data = build_email(message, conf).as_bytes()
    reply = transport.submit(
        conf=conf,
        sender=conf.address,
        recipient=message.recipient_address,
        data=data,
        envid=envelope_id(message.message_id),
    )
    return Delivery(OutboxState.SENT, reply.split(" ", 1)[0], "Accepté par le serveur MSSanté")


def confirm(message):
    """After a crash or a lost reply: the envelope copy in the DCC's mailbox proves the message left."""
    conf = mss_settings()
    if not conf.self_copy or not conf.configured:
        return None
    if transport.copy_exists(conf, message.message_id):
        return Delivery(OutboxState.SENT, "250", "Déjà transmis (copie trouvée dans la boîte du DCC) : pas de renvoi")
    return None
