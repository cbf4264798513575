"""Reads of the outbox for the « Diffusion » block and the apps."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from interop.outbox.models import OutboxMessage, OutboxTransition


def transitions_with_authors() -> QuerySet[OutboxTransition]:
    """A send's history in order, with who made each step."""
    return OutboxTransition.objects.select_related("by").order_by("at", "pk")


def _with_history(queryset) -> QuerySet[OutboxMessage]:
    return queryset.select_related("professional", "created_by", "document").prefetch_related(
        Prefetch("transitions", queryset=transitions_with_authors())
    )


def messages_for_source(source_type: str, source_id) -> QuerySet[OutboxMessage]:
    return _with_history(OutboxMessage.objects.filter(source_type=source_type, source_id=str(source_id)))


def messages_for_patient(patient) -> QuerySet[OutboxMessage]:
    return _with_history(OutboxMessage.objects.filter(patient=patient))
