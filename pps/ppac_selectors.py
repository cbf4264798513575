"""Reads of the PPAC screens."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from pps.models import PpacAdvice, PpacFollowUp, PpacTemplate, PpacTemplateLine, Pps, PpsElement, Programme
from pps.selectors import contacts_prefetch, transitions_prefetch


def patient_ppac(patient) -> QuerySet[Pps]:
    return (
        Pps.objects.filter(patient=patient, programme=Programme.PPAC)
        .select_related("author", "ppac")
        .annotate(follow_up_count=Count("follow_ups"))
        .order_by("-created_at", "-id")
    )


def ppac_detail(pk: int) -> Pps:
    """A PPAC with everything its page (and a document mapper) reads; raises Pps.DoesNotExist."""
    elements = PpsElement.objects.order_by("planned_date", "id")
    follow_ups = PpacFollowUp.objects.select_related("responsible_professional").prefetch_related(
        Prefetch("occurrences", queryset=PpsElement.objects.order_by("planned_date", "id"))
    )
    return (
        Pps.objects.filter(programme=Programme.PPAC)
        .select_related(
            "patient",
            "author",
            "validated_by",
            "establishment",
            "three_c",
            "previous",
            "superseded_by",
            "ppac__source_pps",
            "ppac__template",
        )
        .prefetch_related(
            Prefetch("elements", queryset=elements),
            Prefetch("follow_ups", queryset=follow_ups),
            Prefetch("advice", queryset=PpacAdvice.objects.order_by("id")),
            contacts_prefetch(),
            transitions_prefetch(),
        )
        .get(pk=pk)
    )


def active_templates() -> QuerySet[PpacTemplate]:
    return (
        PpacTemplate.objects.filter(is_active=True)
        .prefetch_related(Prefetch("lines", queryset=PpacTemplateLine.objects.order_by("position", "id")))
        .order_by("cancer_type", "name")
    )
