"""Celery tasks that tell people about a session: moved or cancelled, fiches left to sign after closing.

Thin adapters: load the session, build the message (``rcp.emails``), send it. Queued by ``rcp.services.agenda``
(which therefore imports them) and named for Celery's discovery in ``rcp.tasks``; they read through
``rcp.selectors`` only, so services and tasks never import each other.
"""

from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail

from rcp import emails
from rcp.models import Session


def _send(email: emails.Email | None) -> int:
    if email is None:
        return 0
    send_mail(email.subject, email.body, None, email.recipients)
    return len(email.recipients)


@shared_task(name="rcp.tasks.send_session_notice")
def send_session_notice(session_id: int, event: str) -> int:
    """E-mail the RCP's members that a session was moved or cancelled. Returns the number of recipients."""
    session = Session.objects.select_related("rcp__establishment").filter(pk=session_id).first()
    return _send(emails.session_notice(session, event)) if session else 0


@shared_task(name="rcp.tasks.send_validation_reminders")
def send_validation_reminders(session_id: int) -> int:
    """Remind the doctors present at a closed session that some fiches await their signature.

    Idempotent in effect (a reminder is only sent while dossiers remain unvalidated). Returns the number of
    recipients.
    """
    session = Session.objects.select_related("rcp").filter(pk=session_id).first()
    return _send(emails.validation_reminder(session)) if session else 0
