"""Figures of the identity app for the dashboards (``dcc.dashboards``): who creates the identities."""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from dcc.records.dashboard_selectors import period_bounds
from identity.models import Patient


def identities_created(*, start, end, three_c_ids=None, establishment_id=None, **_ignored) -> list[dict]:
    """Identities created in the period: ``{"year", "origin", "created_by", "count"}`` rows (one query).

    A 3C or establishment filter keeps the identities linked to it by a care relationship (the creator's
    establishment, the 3C of a registered dossier).
    """
    low, high = period_bounds(start, end)
    patients = Patient.objects.filter(created_at__gte=low, created_at__lt=high)
    if three_c_ids is not None or establishment_id:
        links = Q()
        if three_c_ids is not None:
            links = Q(care_relationships__three_c_id__in=three_c_ids) | Q(
                care_relationships__establishment__three_c_id__in=three_c_ids
            )
        if establishment_id:
            links &= Q(care_relationships__establishment_id=establishment_id)
        patients = Patient.objects.filter(pk__in=patients.filter(links).values("pk"))
    return list(
        patients.annotate(year=ExtractYear("created_at"))
        .values("year", "origin", "created_by")
        .annotate(count=Count("pk"))
        .order_by("year")
    )
