"""Reads of the GP loop: the GP's patients, a dossier's contributions, the dashboard's counts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from interop.outbox.models import OutboxMessage
from rcp.gp.enums import NoticeOutcome
from rcp.gp.models import GpContribution, GpNotice

HOME_LIMIT = 30


def notified_dossiers(professional) -> QuerySet[GpNotice]:
    """The notices that told this GP of his patients' RCP passages, with what the pages show."""
    return (
        GpNotice.objects.filter(professional=professional, outcome=NoticeOutcome.NOTIFIED)
        .select_related("patient", "dossier__session__rcp__establishment")
        .annotate(contributions=Count("dossier__gp_contributions"))
        .order_by("-session_starts_at")
    )


@dataclass
class GpHome:
    coming: list[GpNotice]
    past: list[GpNotice]
    documents: list


def gp_home(professional, *, now: datetime.datetime | None = None) -> GpHome:
    """The GP's notified patients: coming RCP passages (soonest first) and recent past ones, documents received."""
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    notices = notified_dossiers(professional)
    coming = list(notices.filter(session_starts_at__gte=start_of_day).order_by("session_starts_at")[:HOME_LIMIT])
    past = list(notices.filter(session_starts_at__lt=start_of_day)[:HOME_LIMIT])
    return GpHome(coming=coming, past=past, documents=documents_received(professional))


def documents_received(professional, limit: int = HOME_LIMIT) -> list:
    """Documents the DCC sent this professional by MSSanté (outbox rows with a document), newest first."""
    return list(
        OutboxMessage.objects.filter(professional=professional, document__isnull=False)
        .select_related("document", "patient")
        .order_by("-created_at")[:limit]
    )


def notice_of(dossier) -> GpNotice | None:
    """The dossier's notice (no query when the dossier was loaded with ``select_related("gp_notice")``)."""
    try:
        return dossier.gp_notice
    except GpNotice.DoesNotExist:
        return None


def contributions_of(dossier) -> list[GpContribution]:
    return list(GpContribution.objects.filter(dossier_id=dossier.pk).select_related("professional"))


@dataclass(frozen=True)
class GpNoticeCounts:
    dossiers_concerned: int  # a GP with an MSSanté address and the delay respected: notified
    dossiers_registered: int  # every dossier registered in the period (with or without a notice)
    without_address: int
    too_late: int
    consultations: int  # openings of the dossier by its notified GP
    dossiers_consulted: int
    gps_notified: int
    gps_consulting: int  # distinct GPs who opened at least one notified dossier
    contributions: int


def gp_notice_counts(
    *, start: datetime.date, end: datetime.date, three_c_ids: set[int] | None = None
) -> GpNoticeCounts:
    """The dashboard's figures for dossiers registered between ``start`` and ``end`` (inclusive)."""
    notices = GpNotice.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
    if three_c_ids is not None:
        notices = notices.filter(dossier__session__rcp__three_c_id__in=three_c_ids)
    notified = Q(outcome=NoticeOutcome.NOTIFIED)
    figures = notices.aggregate(
        registered=Count("pk"),
        concerned=Count("pk", filter=notified),
        without_address=Count("pk", filter=Q(outcome=NoticeOutcome.NO_ADDRESS)),
        too_late=Count("pk", filter=Q(outcome=NoticeOutcome.TOO_LATE)),
        consultation_total=Sum("consultations", filter=notified),
        consulted=Count("pk", filter=notified & Q(consultations__gt=0)),
        gps_notified=Count("professional", filter=notified, distinct=True),
        gps_consulting=Count("professional", filter=notified & Q(consultations__gt=0), distinct=True),
    )
    contributions = GpContribution.objects.filter(dossier__gp_notice__in=notices.filter(notified)).count()
    return GpNoticeCounts(
        dossiers_concerned=figures["concerned"],
        dossiers_registered=figures["registered"],
        without_address=figures["without_address"],
        too_late=figures["too_late"],
        consultations=figures["consultation_total"] or 0,
        dossiers_consulted=figures["consulted"],
        gps_notified=figures["gps_notified"],
        gps_consulting=figures["gps_consulting"],
        contributions=contributions,
    )
