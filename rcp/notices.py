"""Celery tasks that tell people about a session: moved or cancelled, fiches left to sign after closing.

Queued by ``rcp.services.agenda`` (which therefore imports them) and named for Celery's discovery in ``rcp.tasks``; they
read through ``rcp.selectors`` only, so services and tasks never import each other.
"""

from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail
from django.utils import timezone

from rcp import selectors
from rcp.enums import AttendanceMode
from rcp.models import Session
from rcp.selectors import unvalidated_dossiers


@shared_task(name="rcp.tasks.send_session_notice")
def send_session_notice(session_id: int, event: str) -> int:
    """E-mail the RCP's members that a session was moved or cancelled. Returns the number of recipients."""
    try:
        session = Session.objects.select_related("rcp__establishment").get(pk=session_id)
    except Session.DoesNotExist:
        return 0
    recipients = selectors.notice_recipients(session)
    if not recipients:
        return 0
    when = timezone.localtime(session.starts_at)
    if event == "cancelled":
        subject = f"RCP {session.rcp.title} : séance du {when:%d/%m/%Y} annulée"
        body = (
            f"La séance de la RCP « {session.rcp.title} » du {when:%d/%m/%Y à %H:%M} est annulée.\n\n"
            f"Motif : {session.cancel_reason}\n"
        )
    else:
        subject = f"RCP {session.rcp.title} : séance déplacée au {when:%d/%m/%Y}"
        body = (
            f"La séance de la RCP « {session.rcp.title} » a lieu désormais le {when:%d/%m/%Y à %H:%M}"
            f"{' (' + session.effective_place + ')' if session.effective_place else ''}.\n"
        )
    send_mail(subject, body, None, recipients)
    return len(recipients)


@shared_task(name="rcp.tasks.send_validation_reminders")
def send_validation_reminders(session_id: int) -> int:
    """Remind the doctors present at a closed session that some fiches await their signature.

    Idempotent in effect (a reminder is only sent while dossiers remain unvalidated). The message
    names no patient: it links to the session page. Returns the number of recipients.
    """
    try:
        session = Session.objects.select_related("rcp").get(pk=session_id)
    except Session.DoesNotExist:
        return 0
    pending = unvalidated_dossiers(session).count()
    if not pending:
        return 0
    recipients = sorted(
        {
            email or mss
            for email, mss in session.attendances.filter(
                mode__in=[AttendanceMode.ROOM, AttendanceMode.VIDEO]
            ).values_list("professional__email", "professional__mss_address")
            if email or mss
        }
    )
    if not recipients:
        return 0
    when = timezone.localtime(session.starts_at)
    subject = f"RCP {session.rcp.title} du {when:%d/%m/%Y} : {pending} fiche(s) à valider"
    body = (
        f"La séance de la RCP « {session.rcp.title} » du {when:%d/%m/%Y} est clôturée et {pending} "
        "dossier(s) n'ont pas de fiche RCP validée.\n\nConnectez-vous au DCC pour les signer "
        f"(séance n° {session.pk}).\n"
    )
    send_mail(subject, body, None, recipients)
    return len(recipients)
