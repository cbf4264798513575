"""The e-mails the RCP agenda sends, built from a session (no sending here: ``rcp.notices`` does it).

A session moved or cancelled tells the RCP's members; a closed session with fiches left to sign reminds the doctors
present. The reminder names no patient: it points to the session page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from rcp import selectors
from rcp.models import Session


@dataclass(frozen=True)
class Email:
    subject: str
    body: str
    recipients: list[str]


def session_notice(session: Session, event: str) -> Email | None:
    """The members' notice of a session ``"moved"`` or ``"cancelled"``; None when no member has an address."""
    recipients = selectors.notice_recipients(session)
    if not recipients:
        return None
    when = timezone.localtime(session.starts_at)
    title = session.rcp.title
    if event == "cancelled":
        subject = f"RCP {title} : séance du {when:%d/%m/%Y} annulée"
        body = (
            f"La séance de la RCP « {title} » du {when:%d/%m/%Y à %H:%M} est annulée.\n\n"
            f"Motif : {session.cancel_reason}\n"
        )
    else:
        place = f" ({session.effective_place})" if session.effective_place else ""
        subject = f"RCP {title} : séance déplacée au {when:%d/%m/%Y}"
        body = f"La séance de la RCP « {title} » a lieu désormais le {when:%d/%m/%Y à %H:%M}{place}.\n"
    return Email(subject, body, recipients)


def validation_reminder(session: Session) -> Email | None:
    """The reminder of a closed session's unsigned fiches to the doctors present; None when there is nothing to sign
    or nobody to tell."""
    pending = selectors.unvalidated_dossiers(session).count()
    if not pending:
        return None
    recipients = selectors.present_addresses(session)
    if not recipients:
        return None
    when = timezone.localtime(session.starts_at)
    subject = f"RCP {session.rcp.title} du {when:%d/%m/%Y} : {pending} fiche(s) à valider"
    body = (
        f"La séance de la RCP « {session.rcp.title} » du {when:%d/%m/%Y} est clôturée et {pending} "
        "dossier(s) n'ont pas de fiche RCP validée.\n\nConnectez-vous au DCC pour les signer "
        f"(séance n° {session.pk}).\n"
    )
    return Email(subject, body, recipients)
