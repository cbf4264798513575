"""Celery adapters of the RCP agenda: thin, idempotent, taking ids (the notices live in ``rcp.notices``)."""

from __future__ import annotations

from celery import shared_task

from rcp.notices import send_session_notice, send_validation_reminders
from rcp.services.agenda import sessions_generate_all

__all__ = ["generate_sessions", "send_session_notice", "send_validation_reminders"]


@shared_task(name="rcp.tasks.generate_sessions")
def generate_sessions() -> int:
    """Create the sessions of the coming months from every active recurrence (idempotent)."""
    return sessions_generate_all()
