"""Figures of the PPS app for the dashboards (``dcc.dashboards``): PPS and PPAC produced, trial inclusions.

Filters as in ``rcp.dashboard_selectors``: the 3C and establishment are the PPS's own; the RCP and organ
filters follow the fiche RCP the PPS follows.
"""

from __future__ import annotations

from django.db.models import Count, Q

from dcc.records.dashboard_selectors import period_bounds
from pps.edp_types import EdpKind
from pps.models import Pps, PpsElement, Programme


def _produced(*, start, end, programme, three_c_ids=None, establishment_id=None, rcp_id=None, organ=""):
    low, high = period_bounds(start, end)
    produced = Pps.objects.produced().filter(programme=programme, validated_at__gte=low, validated_at__lt=high)
    if three_c_ids is not None:
        produced = produced.filter(three_c_id__in=three_c_ids)
    if establishment_id:
        produced = produced.filter(establishment_id=establishment_id)
    if rcp_id:
        produced = produced.filter(rcp_fiche__dossier__session__rcp_id=rcp_id)
    if organ:
        produced = produced.filter(rcp_fiche__dossier__session__rcp__organ__iexact=organ)
    return produced


def programmes_produced(*, start, end, **filters) -> dict[str, tuple[int, int]]:
    """PPS and PPAC validated in the period (each validated version counts) and their distinct patients."""
    result = {}
    for programme in (Programme.PPS, Programme.PPAC):
        figures = _produced(start=start, end=end, programme=programme, **filters).aggregate(
            n=Count("id"), patients=Count("patient_id", distinct=True)
        )
        result[programme.value] = (figures["n"], figures["patients"])
    return result


def trial_inclusions(*, start, end, **filters) -> int:
    """Distinct patients with a clinical-trial EDP in a PPS validated in the period."""
    produced = _produced(start=start, end=end, programme=Programme.PPS, **filters)
    return (
        PpsElement.objects.filter(Q(kind=EdpKind.ESSAI_CLINIQUE), pps__in=produced.values("pk"))
        .values("pps__patient_id")
        .distinct()
        .count()
    )


def treatment_kinds() -> list[str]:
    """EDP kinds of the PPS « Traitement » category (surgery, chemotherapy, radiotherapy…, clinical trial)."""
    from pps.edp_types import TRAITEMENT, edp_type

    return [kind for kind in EdpKind.values if edp_type(kind).category == TRAITEMENT]


def first_treatments(patient_ids) -> dict[int, object]:
    """Patient id → the planned date of the first treatment EDP of their validated PPS (one query)."""
    from django.db.models import Min

    return dict(
        PpsElement.objects.filter(
            pps__patient_id__in=list(patient_ids),
            pps__programme=Programme.PPS,
            pps__validated_at__isnull=False,
            kind__in=treatment_kinds(),
        )
        .values_list("pps__patient_id")
        .annotate(first=Min("planned_date"))
        .order_by()
    )
