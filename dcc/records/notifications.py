"""E-mails of the records app."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from dcc.accounts.selectors import administrator_emails
from dcc.records.models import BreakGlassGrant


@transaction.atomic
def break_glass_alert_send(*, grant_id: int) -> int:
    """Alert the regional administrators of a bris de glace (once per grant: ``alerted_at``)."""
    grant = BreakGlassGrant.objects.select_for_update().select_related("user", "patient").get(pk=grant_id)
    if grant.alerted_at is not None:
        return 0
    recipients = administrator_emails()
    if recipients:
        body = render_to_string(
            "records/email/break_glass_alert.txt",
            {"grant": grant, "site_url": settings.SITE_URL},
        )
        send_mail(
            subject=f"[DCC] Accès exceptionnel (bris de glace) par {grant.user}",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
    grant.alerted_at = timezone.now()
    grant.save(update_fields=["alerted_at"])
    return len(recipients)
