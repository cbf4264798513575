"""States and channels of the outbox."""

from __future__ import annotations

from django.db import models


class OutboxState(models.TextChoices):
    PENDING = "en_attente", "En attente"
    SENDING = "envoi", "Envoi en cours"
    SENT = "envoye", "Envoyé"
    DELIVERED = "delivre", "Délivré"
    READ = "lu", "Lu"
    RETRYING = "echec_temporaire", "Échec temporaire"
    FAILED = "echec_definitif", "Échec définitif"
    CANCELLED = "annule", "Annulé"


class Channel(models.TextChoices):
    MSS = "mss", "MSSanté"
    HL7 = "hl7", "HL7"


S = OutboxState

# Allowed moves. SENDING → SENDING is the recovery of a send interrupted by a worker crash (lease expired).
# Receipts may overtake the worker's own bookkeeping (a DSN read before the task committed SENT), hence
# SENDING → DELIVERED/READ/FAILED; and a receipt for an attempt that looked failed (connection lost after the
# data) proves it arrived, hence RETRYING → DELIVERED/READ.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.SENDING, S.CANCELLED, S.FAILED}),
    S.SENDING: frozenset({S.SENDING, S.SENT, S.DELIVERED, S.READ, S.RETRYING, S.FAILED}),
    S.RETRYING: frozenset({S.SENDING, S.CANCELLED, S.FAILED, S.DELIVERED, S.READ}),
    S.SENT: frozenset({S.DELIVERED, S.READ, S.FAILED}),
    S.DELIVERED: frozenset({S.READ, S.FAILED}),
    S.READ: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
}

# States waiting for the worker, and the states a message has left the DCC in.
IN_FLIGHT = frozenset({S.PENDING, S.SENDING, S.RETRYING})
GONE = frozenset({S.SENT, S.DELIVERED, S.READ})
FINAL = frozenset({S.READ, S.FAILED, S.CANCELLED})

# Progress order used to ignore late receipts that would move a message backwards (a DSN after its MDN).
PROGRESS = {S.PENDING: 0, S.RETRYING: 1, S.SENDING: 2, S.SENT: 3, S.DELIVERED: 4, S.READ: 5}
