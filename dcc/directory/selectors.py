"""Reads of the directory used by several views."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from dcc.directory.models import Establishment, PlaceOfPractice, Professional, ThreeC


def search_professionals(
    *,
    query: str = "",
    specialty: str = "",
    establishment_id: int | None = None,
    three_c_id: int | None = None,
) -> QuerySet[Professional]:
    """Professionals matching a name fragment or an RPPS number, best (prefix) matches first."""
    professionals = Professional.objects.active().select_related("specialty")
    query = query.strip()
    if query:
        if query.isdigit():
            professionals = professionals.filter(rpps__startswith=query)
        else:
            for word in query.split():
                professionals = professionals.filter(
                    Q(last_name__unaccent__icontains=word) | Q(first_name__unaccent__icontains=word)
                )
    if specialty:
        professionals = professionals.filter(specialty_id=specialty)
    if establishment_id:
        professionals = professionals.filter(places__establishment_id=establishment_id)
    if three_c_id:
        professionals = professionals.filter(places__establishment__three_c_id=three_c_id)
    return professionals.distinct().order_by("last_name", "first_name")


def search_establishments(*, query: str = "", three_c_id: int | None = None) -> QuerySet[Establishment]:
    establishments = Establishment.objects.active().select_related("three_c")
    query = query.strip()
    if query:
        if query[:2].isdigit() or query[:2] in {"2A", "2B"}:
            establishments = establishments.filter(Q(finess_geo__startswith=query) | Q(finess_legal__startswith=query))
        else:
            for word in query.split():
                establishments = establishments.filter(
                    Q(name__unaccent__icontains=word) | Q(town__unaccent__icontains=word)
                )
    if three_c_id:
        establishments = establishments.filter(three_c_id=three_c_id)
    return establishments.annotate(professional_count=Count("places__professional", distinct=True)).order_by("name")


def professional_detail(professional_id: int) -> Professional:
    return (
        Professional.objects.select_related("specialty")
        .prefetch_related("places__establishment__three_c")
        .get(pk=professional_id)
    )


def places_of(professional: Professional) -> list[PlaceOfPractice]:
    return list(
        PlaceOfPractice.objects.filter(professional=professional)
        .select_related("establishment__three_c")
        .order_by("-is_primary", "establishment__name")
    )


@dataclass(frozen=True)
class ThreeCSummary:
    three_c: ThreeC
    establishment_count: int
    professional_count: int


def three_c_summaries(three_cs=None) -> list[ThreeCSummary]:
    """Each 3C with its number of establishments and of professionals (one query)."""
    rows = ThreeC.objects.filter(is_active=True)
    if three_cs is not None:
        rows = rows.filter(pk__in=[three_c.pk for three_c in three_cs])
    rows = rows.annotate(
        establishment_count=Count("establishments", distinct=True),
        professional_count=Count("establishments__places__professional", distinct=True),
    ).order_by("name")
    return [ThreeCSummary(row, row.establishment_count, row.professional_count) for row in rows]
