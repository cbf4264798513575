"""What a message handler receives and returns: the contract between the dispatcher (``interop.hl7.processing``)
and the handlers (``identity_feed``, ``documents_in``), kept apart so that the handlers never import the
dispatcher that calls them."""

from __future__ import annotations

from dataclasses import dataclass, field

import hl7

from interop.hl7.models import Partner
from interop.hl7.protocol import Header, Hl7Problem


@dataclass
class Context:
    """What a handler sees. The message row is written after the handler, in the same transaction (one INSERT):
    rows that point to it (``VigilanceItem``) are collected in ``pending`` and written with it."""

    hl7: hl7.Message
    partner: Partner
    header: Header
    pending: list = field(default_factory=list)


@dataclass
class Outcome:
    """What a handler did; ``problem`` set means AE (writes kept: a vigilance item, a quarantined file)."""

    patient: object = None
    document: object = None
    summary: str = ""
    problem: Hl7Problem | None = None
    warnings: list[str] = field(default_factory=list)
