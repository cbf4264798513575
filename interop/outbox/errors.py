"""What a channel raises when it cannot deliver a message.

``TransientFailure`` (connection refused, SMTP 4xx, timeout) is retried with backoff;
``PermanentFailure`` (SMTP 5xx, refused content) stops: the row becomes *échec définitif*.
``code`` is the protocol's code (``"421"``, ``"5.1.1"``, ``"902"``…), ``detail`` its meaning in French.
"""

from __future__ import annotations


class DeliveryFailure(Exception):
    def __init__(self, code: str = "", detail: str = "") -> None:
        super().__init__(f"{code} {detail}".strip())
        self.code = str(code)
        self.detail = detail


class TransientFailure(DeliveryFailure):
    pass


class PermanentFailure(DeliveryFailure):
    pass


class OutboxError(ValueError):
    """A refused outbox operation (French message for the user)."""
