"""Security events of the accounts app become access-trail lines, in the sender's transaction."""

from __future__ import annotations

from django.dispatch import receiver

from dcc.accounts.signals import security_event
from dcc.records.trail import trail_record


@receiver(security_event, dispatch_uid="dcc_records_security_event")
def on_security_event(sender, user, action, request=None, detail="", acting_as=None, coalesce=False, **kwargs):
    if coalesce and request is not None:  # repeated refusals: one line per window (dcc.records.refusals)
        from dcc.records.refusals import refusal_record

        refusal_record(request=request, action=action, patient_id=None, detail=detail, user=user)
        return
    trail_record(user=user, action=action, request=request, detail=detail, acting_as=acting_as)
