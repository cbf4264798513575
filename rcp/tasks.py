"""Celery adapters of the RCP agenda: thin, idempotent, taking ids (the notices live in ``rcp.notices``)."""

from __future__ import annotations

from celery import shared_task

from rcp import services
from rcp.notices import send_session_notice, send_validation_reminders

__all__ = ["generate_sessions", "send_session_notice", "send_validation_reminders"]


@shared_task(name="rcp.tasks.generate_sessions")
def generate_sessions() -> int:
    """Create the sessions of the coming months from every active recurrence (idempotent)."""
    return services.sessions_generate_all()
