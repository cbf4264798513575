"""Security events of the accounts app become access-trail lines, in the sender's transaction."""

from __future__ import annotations

from django.dispatch import receiver

from dcc.accounts.signals import security_event
from dcc.records.trail import trail_record


@receiver(security_event, dispatch_uid="dcc_records_security_event")
def on_security_event(sender, user, action, request=None, detail="", acting_as=None, **kwargs):
    trail_record(user=user, action=action, request=request, detail=detail, acting_as=acting_as)
