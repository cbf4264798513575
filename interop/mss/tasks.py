"""Celery adapters of the MSSanté app (thin)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="mss.poll")
def mss_poll() -> int:
    """Beat: read the DCC's mailbox (DSN, MDN, replies); returns how many messages were read."""
    from interop.mss.poller import poll

    try:
        return poll().read
    except (OSError, TimeoutError) as error:  # the operator is down: next beat will try again
        logger.warning("Relève MSSanté impossible : %s", error)
        return 0
