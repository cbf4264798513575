"""Writes of the access layer."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dcc.records.enums import TrailAction
from dcc.records.models import BreakGlassGrant, CareRelationship
from dcc.records.trail import trail_record


@transaction.atomic
def care_relationship_add(
    *,
    patient,
    kind: str,
    user=None,
    professional=None,
    establishment=None,
    three_c=None,
    source: str = "",
) -> CareRelationship:
    """Record that someone takes part in ``patient``'s care (idempotent)."""
    relationship, _ = CareRelationship.objects.get_or_create(
        patient=patient,
        kind=kind,
        user=user,
        professional=professional,
        establishment=establishment,
        three_c=three_c,
        source=source,
    )
    return relationship


def care_relationship_add_to_new_patient(
    *, patient, kind: str, establishment=None, source: str = ""
) -> CareRelationship:
    """``care_relationship_add`` for a patient created in the caller's transaction: no link exists yet, one INSERT."""
    return CareRelationship.objects.create(patient=patient, kind=kind, establishment=establishment, source=source)


class BreakGlassRefused(Exception):
    """Bris de glace refused; the message is French and shown to the user."""


BREAK_GLASS_MIN_REASON = 15


@transaction.atomic
def break_glass_open(*, user, patient, reason: str, request=None) -> BreakGlassGrant:
    """Open ``patient``'s record to ``user`` for ``DCC_BREAK_GLASS_HOURS``, with a trail line and an alert.

    The grant, the trail line and the queued alert to the administrators commit together.
    """
    from dcc.accounts import perms
    from dcc.records import tasks

    reason = " ".join((reason or "").split())
    if not perms.can_break_glass(user):
        raise BreakGlassRefused("Votre profil ne permet pas l'accès exceptionnel à un dossier.")
    if len(reason) < BREAK_GLASS_MIN_REASON:
        raise BreakGlassRefused(
            f"Indiquez le motif de l'accès exceptionnel (au moins {BREAK_GLASS_MIN_REASON} caractères)."
        )
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=user,
        patient=patient,
        reason=reason,
        opened_at=now,
        expires_at=now + timedelta(hours=settings.DCC_BREAK_GLASS_HOURS),
    )
    trail_record(user=user, action=TrailAction.BREAK_GLASS, patient=patient, obj=grant, request=request, detail=reason)
    tasks.send_break_glass_alert.delay_on_commit(grant.pk)
    return grant
