"""Writes of the access layer."""

from __future__ import annotations

from django.db import transaction

from dcc.records.models import CareRelationship
from identity.models import Patient


@transaction.atomic
def care_relationship_add(
    *,
    patient: Patient,
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
