"""A test channel: records what it is asked to deliver; each attempt follows ``payload["script"]``.

Script items: ``"ok"`` (accepted), ``"delivered"`` (synchronous ACK), ``"transient"`` (4xx), ``"permanent"``
(5xx), ``"crash"`` (an unexpected exception). Past the end of the script, every attempt is ``"ok"``.
"""

from __future__ import annotations

from interop.outbox.channels import Delivery
from interop.outbox.enums import OutboxState
from interop.outbox.errors import PermanentFailure, TransientFailure

DELIVERED: list[str] = []  # message ids the "other side" received, in order
CONFIRMED: list[str] = []


def reset() -> None:
    DELIVERED.clear()
    CONFIRMED.clear()


def precheck(message) -> str:
    if message.payload.get("too_big"):
        return "Document trop volumineux."
    return ""


def confirm(message):
    CONFIRMED.append(message.message_id)
    if message.message_id in DELIVERED:
        return Delivery(OutboxState.SENT, "250", "Déjà transmis (constaté à la reprise)")
    return None


def deliver(message) -> Delivery:
    script = message.payload.get("script", [])
    step = script[message.attempts - 1] if message.attempts - 1 < len(script) else "ok"
    if step == "transient":
        raise TransientFailure("421", "Service momentanément indisponible")
    if step == "permanent":
        raise PermanentFailure("550", "Boîte inconnue")
    if step == "crash":
        raise RuntimeError("boom")
    if step == "lost_reply":  # the other side got it, the reply was lost
        DELIVERED.append(message.message_id)
        raise TransientFailure("451", "Connexion perdue après l'envoi")
    DELIVERED.append(message.message_id)
    if step == "delivered":
        return Delivery(OutboxState.DELIVERED, "AA", "Accusé d'acceptation")
    return Delivery(OutboxState.SENT, "250", "Accepté par le relais")
