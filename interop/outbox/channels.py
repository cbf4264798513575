"""The channel registry: channels are data (``settings.DCC_OUTBOX_CHANNELS``, name → module path).

A channel module exposes:

- ``deliver(message) -> Delivery`` (required): carries the message out; raises
  ``interop.outbox.errors.TransientFailure`` (retried with backoff) or ``PermanentFailure`` (stops).
- ``precheck(message) -> str`` (optional): a French refusal when the message cannot be sent at all (no
  address, document too large), checked at enqueue time; the row is then written as *échec définitif*.
- ``new_message_id(message) -> str`` (optional): the message identifier kept on the row before sending
  (default: ``<uuid>@DCC_OUTBOX_MESSAGE_ID_DOMAIN``).
- ``confirm(message) -> Delivery | None`` (optional): called before sending again a message whose previous
  attempt may have reached the other side (worker crash mid-send, connection lost after the data):
  a ``Delivery`` when it did (the message is not sent twice), ``None`` to send it.
"""

from __future__ import annotations

import importlib
import uuid
from dataclasses import dataclass
from types import ModuleType

from django.conf import settings

from interop.outbox.enums import OutboxState


@dataclass(frozen=True)
class Delivery:
    """What a channel reached: usually ``SENT`` (accepted by the relay), ``DELIVERED`` for a synchronous ACK."""

    state: str = OutboxState.SENT
    code: str = ""
    detail: str = ""


class UnknownChannel(LookupError):
    pass


def channel_module(name: str) -> ModuleType:
    path = getattr(settings, "DCC_OUTBOX_CHANNELS", {}).get(name)
    if not path:
        raise UnknownChannel(f"Canal d'envoi inconnu : « {name} ».")
    try:
        return importlib.import_module(path)
    except ModuleNotFoundError as missing:
        if missing.name and path.startswith(missing.name):
            raise UnknownChannel(f"Canal d'envoi « {name} » non installé ({path}).") from missing
        raise


def precheck(message) -> str:
    module = channel_module(message.channel)
    check = getattr(module, "precheck", None)
    return check(message) if check else ""


def new_message_id(message) -> str:
    try:
        make = getattr(channel_module(message.channel), "new_message_id", None)
    except UnknownChannel:
        make = None
    if make:
        return make(message)
    return f"{uuid.uuid4().hex}@{settings.DCC_OUTBOX_MESSAGE_ID_DOMAIN}"
