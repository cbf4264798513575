"""Reads of the PPS app."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractYear

from dcc.directory.enums import PracticeRole
from dcc.directory.models import PlaceOfPractice, Professional
from dcc.prepared_queries import PreparedGet
from pps.enums import GroupScope
from pps.models import (
    EdpGroup,
    EdpGroupElement,
    EdpGroupFavourite,
    Pps,
    PpsContact,
    PpsElement,
    PpsTransition,
    Programme,
    Protocol,
)


def library_for(user) -> QuerySet[EdpGroup]:
    """Groupements the user may use: the regional library and their own, favourites first."""
    favourite = EdpGroupFavourite.objects.filter(user_id=user.pk, group_id=OuterRef("pk"))
    return (
        EdpGroup.objects.available_to(user)
        .annotate(is_favourite=Exists(favourite), element_count=Count("elements"))
        .prefetch_related(Prefetch("elements", queryset=EdpGroupElement.objects.order_by("position")))
        .order_by("-is_favourite", "scope", "name")
    )


def group_detail(pk: int) -> EdpGroup:
    return (
        EdpGroup.objects.select_related("owner")
        .prefetch_related(
            Prefetch("elements", queryset=EdpGroupElement.objects.select_related("protocol").order_by("position"))
        )
        .get(pk=pk)
    )


def active_protocols() -> QuerySet[Protocol]:
    return Protocol.objects.filter(is_active=True).order_by("name")


def patient_pps(patient) -> QuerySet[Pps]:
    return (
        Pps.objects.filter(patient=patient, programme=Programme.PPS)
        .select_related("author", "establishment", "superseded_by")
        .annotate(element_count=Count("elements"))
        .order_by("-created_at", "-id")
    )


DETAIL_RELATIONS = (
    "patient",
    "author",
    "validated_by",
    "establishment",
    "three_c",
    "previous",
    "superseded_by",
    "rcp_fiche__dossier__session__rcp__three_c",
)


def recent_programmes(user, limit: int = 10) -> QuerySet[Pps]:
    """The programmes ``user`` wrote last, newest first (read from the (author, date) index)."""
    return Pps.objects.filter(author=user).select_related("patient").order_by("-created_at")[:limit]


def contacts_prefetch() -> Prefetch:
    """A programme's contacts with their professional and establishment, in one query."""
    return Prefetch("contacts", queryset=PpsContact.objects.select_related("professional", "establishment"))


def transitions_prefetch() -> Prefetch:
    """A programme's transition log with who made each step, in one query."""
    return Prefetch("transitions", queryset=PpsTransition.objects.select_related("by__professional"))


def _pps_detail_queryset() -> QuerySet[Pps]:
    elements = PpsElement.objects.select_related("establishment", "referring_doctor", "protocol", "block").order_by(
        "planned_date", "block_id", "position", "id"
    )
    return (
        Pps.objects.filter(programme=Programme.PPS)
        .select_related(*DETAIL_RELATIONS)
        .prefetch_related(
            Prefetch("elements", queryset=elements),
            "blocks",
            contacts_prefetch(),
            transitions_prefetch(),
        )
    )


_pps_detail = PreparedGet(_pps_detail_queryset)  # the PPS page's widest query, compiled once


def pps_detail(pk: int) -> Pps:
    return _pps_detail.get(pk)


DOCUMENT_SOURCES = {Programme.PPS: "pps.pps", Programme.PPAC: "pps.ppac"}
POLL_WITHOUT_GENERATION = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class DocumentProgress:
    """Where the production of a validated programme's document stands, for its page."""

    generation: object  # dcc.records.models.DocumentGeneration | None
    polling: bool


def document_progress(pps: Pps) -> DocumentProgress | None:
    """The document generation of a validated PPS or PPAC (``None`` for a draft). The page polls while it is
    queued or running; before the worker records it, only for a while after the validation."""
    from django.utils import timezone

    from dcc.records.enums import GenerationStatus
    from dcc.records.models import DocumentGeneration

    if pps.validated_at is None:
        return None
    generation = (
        DocumentGeneration.objects.filter(source_type=DOCUMENT_SOURCES[pps.programme], source_id=str(pps.pk))
        .select_related("document")
        .first()
    )
    if generation is not None and generation.document is not None and generation.document.patient_id == pps.patient_id:
        generation.document.patient = pps.patient  # the « Diffusion » block reads it: no second query
    if generation is None:
        polling = timezone.now() - pps.validated_at < POLL_WITHOUT_GENERATION
    else:
        polling = generation.status in (GenerationStatus.PENDING, GenerationStatus.RUNNING)
    return DocumentProgress(generation=generation, polling=polling)


def suggested_contacts(pps: Pps) -> list[tuple[Professional, str, object]]:
    """Contacts to offer: the patient's GP, the referring doctors of the EDPs, the establishment's
    coordination nurses (professional, role, establishment)."""
    suggestions: list[tuple[Professional, str, object]] = []
    seen: set[tuple[int, str]] = set()

    def offer(professional, role, establishment=None):
        if professional is not None and (professional.pk, role) not in seen:
            seen.add((professional.pk, role))
            suggestions.append((professional, role, establishment))

    patient = pps.patient
    if patient.general_practitioner_id:
        offer(patient.general_practitioner, "Médecin traitant")
    for element in pps.elements.all():
        if element.referring_doctor_id:
            offer(element.referring_doctor, "Médecin référent", element.establishment)
    if pps.establishment_id:
        nurses = PlaceOfPractice.objects.filter(
            establishment_id=pps.establishment_id,
            role=PracticeRole.INFIRMIER_COORDINATEUR,
            professional__is_active=True,
        ).select_related("professional", "establishment")
        for place in nurses:
            offer(place.professional, "Infirmier(e) de coordination", place.establishment)
    return suggestions


def directory_choices(pps: Pps) -> QuerySet[Professional]:
    """Professionals offered in the PPS's pickers: those practising in the establishments of the
    PPS's 3C (or its establishment), plus the patient's GP. Keeps the pickers short at region scale."""
    professionals = Professional.objects.active()
    if pps.three_c_id:
        scope = Q(places__establishment__three_c_id=pps.three_c_id)
    elif pps.establishment_id:
        scope = Q(places__establishment_id=pps.establishment_id)
    else:
        return professionals.order_by("last_name", "first_name")
    if pps.patient.general_practitioner_id:
        scope |= Q(pk=pps.patient.general_practitioner_id)
    return professionals.filter(scope).distinct().order_by("last_name", "first_name")


def pps_statistics(*, year: int | None = None) -> dict:
    """The seed's PPS tables: produced (validated) PPS and patients, per year, 3C, establishment, author profile.

    A PPS counts once per validated version (the seed counts documents produced); PPAC are not counted.
    """
    produced = Pps.objects.produced().filter(programme=Programme.PPS)
    if year is not None:
        produced = produced.filter(validated_at__year=year)

    def table(*fields):
        return list(
            produced.values(*fields)
            .annotate(pps=Count("id"), patients=Count("patient_id", distinct=True))
            .order_by("-pps", *fields)
        )

    per_year = list(
        Pps.objects.produced()
        .filter(programme=Programme.PPS)
        .annotate(year=ExtractYear("validated_at"))
        .values("year")
        .annotate(pps=Count("id"), patients=Count("patient_id", distinct=True))
        .order_by("year")
    )
    totals = produced.aggregate(pps=Count("id"), patients=Count("patient_id", distinct=True))
    return {
        "year": year,
        "per_year": per_year,
        "per_three_c": table("three_c__name"),
        "per_establishment": table("establishment__name", "three_c__name"),
        "per_profile": list(
            produced.values("author_profile").annotate(pps=Count("id")).order_by("-pps", "author_profile")
        ),
        "total": totals["pps"],
        "patients": totals["patients"],
    }


def regional_groups() -> QuerySet[EdpGroup]:
    return EdpGroup.objects.filter(Q(scope=GroupScope.REGIONAL))


# --- The RCP proposition a PPS follows ----------------------------------------------------------


def validated_fiches(patient):
    """The patient's validated fiches RCP, most recent RCP first (the PPS's choice of proposition)."""
    from rcp.models import Fiche

    return (
        Fiche.objects.filter(dossier__patient_id=patient.pk, validated_at__isnull=False)
        .select_related("dossier__session__rcp__three_c")
        .order_by(F("dossier__session__starts_at").desc(), F("validated_at").desc(), "-pk")
    )


def last_validated_fiche(patient):
    """The patient's most recent validated fiche RCP (a new PPS follows its proposition by default)."""
    return validated_fiches(patient).first()


def fiche_content(fiche) -> dict:
    """The content of the fiche's latest validated version (an amendment signs a new version)."""
    version = fiche.versions.order_by("-version").only("content").first()
    return version.content if version is not None else fiche.content()


@dataclass(frozen=True)
class LastRcp:
    """What a PPS shows of the RCP it follows: « Dernière RCP : 20/11/2026 (3C …) — RCP … ; Proposition : … »."""

    date: datetime.date
    three_c: str
    rcp: str
    proposition: str

    def __str__(self) -> str:
        where = f"{self.date:%d/%m/%Y} ({self.three_c}) — RCP {self.rcp}"
        return f"Dernière RCP : {where} ; Proposition : {self.proposition}"


def last_rcp(fiche) -> LastRcp:
    """The date, 3C, RCP and proposition (ranked treatments with their FRCP labels, then the comment) of ``fiche``,
    whose dossier, session, RCP and 3C are loaded."""
    from django.utils import timezone

    from rcp.selectors import code_labels

    content = fiche_content(fiche)
    treatments = sorted(content.get("treatments") or [], key=lambda item: item.get("rank") or 0)
    labels = code_labels(("type_traitement", item.get("code", "")) for item in treatments)
    parts = []
    for item in treatments:
        label = labels.get(("type_traitement", item.get("code", "")), item.get("code", ""))
        label = label[:1].upper() + label[1:]
        detail = f" ({item['detail']})" if item.get("detail") else ""
        prefix = f"{item.get('rank')}. " if len(treatments) > 1 and item.get("rank") else ""
        parts.append(f"{prefix}{label}{detail}")
    if content.get("surveillance_only"):
        parts.append("Surveillance seule")
    if content.get("representation_requested"):
        parts.append("Dossier à représenter en RCP")
    text = " ; ".join(parts)
    comment = (content.get("proposition") or "").strip()
    if comment:
        text = f"{text}. {comment}" if text else comment
    session = fiche.dossier.session
    return LastRcp(
        date=timezone.localtime(session.starts_at).date(),
        three_c=session.rcp.three_c.name,
        rcp=session.rcp.title,
        proposition=text or "non renseignée",
    )
