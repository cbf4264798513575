"""Figures of the RCP app for the dashboards (``dcc.dashboards``): fiches, concertations, sessions, dossiers.

Every function takes the same keyword filters: ``start``/``end`` (dates, inclusive), ``three_c_ids`` (``None``
for the whole region), ``establishment_id`` (the RCP's organising establishment), ``rcp_id``, ``organ`` (the
RCP's appareil / organe ou thème). Sessions are dated by ``starts_at``; fiches by their signature.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, Count, Exists, F, Func, IntegerField, Min, OuterRef, Q, Value, When
from django.db.models.functions import ExtractYear, TruncDate, TruncMonth
from django.utils import timezone

from dcc.records.dashboard_selectors import period_bounds
from rcp.enums import DossierStatus, SessionStatus
from rcp.models import Concertation, Dossier, FicheVersion, Rcp, Session

PRESENTED = [DossierStatus.PRESENTED, DossierStatus.VALIDATED, DossierStatus.TO_REPRESENT]
AGE_BANDS = [
    (0, 17, "Moins de 18 ans"),
    (18, 49, "18 à 49 ans"),
    (50, 64, "50 à 64 ans"),
    (65, 74, "65 à 74 ans"),
    (75, 84, "75 à 84 ans"),
    (85, 200, "85 ans et plus"),
]


def rcp_filter(prefix: str, *, three_c_ids=None, establishment_id=None, rcp_id=None, organ="") -> Q:
    """The RCP filters as a ``Q`` on ``<prefix>`` (the path to an :class:`Rcp`, "" for Rcp itself)."""
    path = f"{prefix}__" if prefix else ""
    condition = Q()
    if three_c_ids is not None:
        condition &= Q(**{f"{path}three_c_id__in": three_c_ids})
    if establishment_id:
        condition &= Q(**{f"{path}establishment_id": establishment_id})
    if rcp_id:
        condition &= Q(**({f"{prefix}_id": rcp_id} if prefix else {"pk": rcp_id}))
    if organ:
        condition &= Q(**{f"{path}organ__iexact": organ})
    return condition


def rcps_in_scope(*, three_c_ids=None):
    rcps = Rcp.objects.select_related("three_c").order_by("three_c__name", "title")
    return rcps.filter(three_c_id__in=three_c_ids) if three_c_ids is not None else rcps


def organs(*, three_c_ids=None) -> list[str]:
    rcps = Rcp.objects.exclude(organ="")
    if three_c_ids is not None:
        rcps = rcps.filter(three_c_id__in=three_c_ids)
    return sorted({organ.strip().lower() for organ in rcps.values_list("organ", flat=True).distinct()})


def sessions(*, start, end, **filters):
    low, high = period_bounds(start, end)
    return Session.objects.filter(rcp_filter("rcp", **filters), starts_at__gte=low, starts_at__lt=high)


def presented_dossiers(*, start, end, **filters):
    low, high = period_bounds(start, end)
    return Dossier.objects.filter(
        rcp_filter("session__rcp", **filters),
        session__starts_at__gte=low,
        session__starts_at__lt=high,
        status__in=PRESENTED,
    )


def fiches_produced(*, start, end, **filters) -> tuple[int, int]:
    """Validated fiche versions (each one a document) signed in the period, and their distinct patients."""
    low, high = period_bounds(start, end)
    figures = FicheVersion.objects.filter(
        rcp_filter("fiche__dossier__session__rcp", **filters), signed_at__gte=low, signed_at__lt=high
    ).aggregate(n=Count("id"), patients=Count("fiche__dossier__patient_id", distinct=True))
    return figures["n"], figures["patients"]


def concertations_produced(*, start, end, **filters) -> tuple[int, int]:
    low, high = period_bounds(start, end)
    figures = Concertation.objects.filter(
        rcp_filter("rcp", **filters), signed_at__gte=low, signed_at__lt=high
    ).aggregate(n=Count("id"), patients=Count("patient_id", distinct=True))
    return figures["n"], figures["patients"]


def session_counts(*, start, end, **filters) -> dict:
    """Sessions of the period held (closed), cancelled, and planned or open (one query)."""
    return sessions(start=start, end=end, **filters).aggregate(
        held=Count("id", filter=Q(status=SessionStatus.CLOSED)),
        cancelled=Count("id", filter=Q(status=SessionStatus.CANCELLED)),
        planned=Count("id", filter=Q(status__in=[SessionStatus.PLANNED, SessionStatus.OPEN])),
    )


def sessions_held_by(key: str, *, start, end, **filters) -> dict:
    """Sessions held (closed) in the period per value of ``key`` (``rcp_id``, ``rcp__three_c_id``; one query)."""
    return dict(
        sessions(start=start, end=end, **filters)
        .filter(status=SessionStatus.CLOSED)
        .values_list(key)
        .annotate(n=Count("id"))
        .order_by()
    )


def activity(*, start, end, **filters) -> dict:
    """Sessions held and cancelled, dossiers presented, patients, patients presented several times,
    quorum, conformity and trial proposals of the validated fiches (five queries)."""
    held = session_counts(start=start, end=end, **filters)
    dossiers = presented_dossiers(start=start, end=end, **filters)
    counts = dossiers.aggregate(
        dossiers=Count("id"),
        patients=Count("patient_id", distinct=True),
        late=Count("id", filter=Q(is_late=True)),
    )
    several = dossiers.values("patient_id").annotate(n=Count("id")).filter(n__gt=1).count()
    fiches = dossiers.filter(fiche__validated_at__isnull=False).aggregate(
        validated=Count("id"),
        quorum=Count("id", filter=Q(fiche__quorum_reached=True)),
        off_quorum=Count("id", filter=Q(fiche__quorum_reached=False)),
        conform=Count("id", filter=Q(fiche__guideline_conform=True)),
        not_conform=Count("id", filter=Q(fiche__guideline_conform=False)),
        trial=Count("id", filter=Q(fiche__clinical_trial_proposed=True)),
    )
    return {**held, **counts, "several": several, **fiches}


def activities(*periods: dict) -> list[dict]:
    """:func:`activity` of each period (the filters of ``activity``, one dict per period)."""
    return [activity(**period) for period in periods]


def _counts(patients: bool) -> dict:
    """The per-group counts: dossiers, and distinct patients unless the caller needs no ``patients`` (costly)."""
    return {"dossiers": Count("id"), **({"patients": Count("patient_id", distinct=True)} if patients else {})}


def per_rcp(*, start, end, patients: bool = True, **filters) -> list[dict]:
    """Dossiers presented and patients (``None`` without ``patients``) per RCP, with sessions held (two queries)."""
    rows = list(
        presented_dossiers(start=start, end=end, **filters)
        .values("session__rcp_id", "session__rcp__title", "session__rcp__three_c__name")
        .annotate(**_counts(patients))
        .order_by("session__rcp__three_c__name", "session__rcp__title")
    )
    held = sessions_held_by("rcp_id", start=start, end=end, **filters)
    return [
        {
            "rcp_id": row["session__rcp_id"],
            "rcp": row["session__rcp__title"],
            "three_c": row["session__rcp__three_c__name"],
            "sessions": held.get(row["session__rcp_id"], 0),
            "dossiers": row["dossiers"],
            "patients": row.get("patients"),
        }
        for row in rows
    ]


def per_three_c(*, start, end, patients: bool = True, **filters) -> list[dict]:
    rows = (
        presented_dossiers(start=start, end=end, **filters)
        .values("session__rcp__three_c_id", "session__rcp__three_c__name")
        .annotate(**_counts(patients))
        .order_by("session__rcp__three_c__name")
    )
    held = sessions_held_by("rcp__three_c_id", start=start, end=end, **filters)
    return [
        {
            "three_c_id": row["session__rcp__three_c_id"],
            "three_c": row["session__rcp__three_c__name"],
            "sessions": held.get(row["session__rcp__three_c_id"], 0),
            "dossiers": row["dossiers"],
            "patients": row.get("patients"),
        }
        for row in rows
    ]


class YearsBetween(Func):
    """Completed years from the second date to the first, by PostgreSQL's ``age()``."""

    template = "date_part('year', age(%(expressions)s))::integer"
    output_field = IntegerField()


def _age_expression():
    return YearsBetween(TruncDate("session__starts_at"), F("patient__birth_date"))


def age_sex(*, start, end, **filters) -> list[dict]:
    """Dossiers presented and distinct patients by age band (age at the session) and sex (one query)."""
    band = Case(
        *[When(age__gte=low, age__lte=high, then=Value(index)) for index, (low, high, _) in enumerate(AGE_BANDS)],
        default=Value(len(AGE_BANDS) - 1),
        output_field=IntegerField(),
    )
    rows = (
        presented_dossiers(start=start, end=end, **filters)
        .annotate(age=_age_expression())
        .annotate(band=band)
        .values("band", "patient__sex")
        .annotate(dossiers=Count("id"), patients=Count("patient_id", distinct=True))
        .order_by("band", "patient__sex")
    )
    return [
        {
            "band": AGE_BANDS[row["band"]][2],
            "sex": row["patient__sex"],
            "dossiers": row["dossiers"],
            "patients": row["patients"],
        }
        for row in rows
    ]


def per_month(*, start, end, **filters) -> list[tuple[datetime.date, int]]:
    """Dossiers presented per month of the period (one query)."""
    rows = (
        presented_dossiers(start=start, end=end, **filters)
        .annotate(month=TruncMonth("session__starts_at"))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    return [(month.date() if hasattr(month, "date") else month, n) for month, n in rows]


def per_year(*, start, end, **filters) -> list[tuple[int, int, int]]:
    """``(year, dossiers presented, sessions held)`` per year from ``start`` to ``end`` (two queries)."""
    dossiers = dict(
        presented_dossiers(start=start, end=end, **filters)
        .annotate(year=ExtractYear("session__starts_at"))
        .values_list("year")
        .annotate(n=Count("id"))
        .order_by()
    )
    held = dict(
        sessions(start=start, end=end, **filters)
        .filter(status=SessionStatus.CLOSED)
        .annotate(year=ExtractYear("starts_at"))
        .values_list("year")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(year, dossiers.get(year, 0), held.get(year, 0)) for year in range(start.year, end.year + 1)]


# --- Detailed exports (registries, fiches) ----------------------------------------------------

REGISTRY_FIELDS = (
    "pk",
    "version",
    "validated_at",
    "dossier__session__starts_at",
    "dossier__session__rcp__title",
    "dossier__session__rcp__three_c__name",
    "dossier__session__rcp__establishment__finess_geo",
    "dossier__motive",
    "dossier__patient_id",
    "dossier__patient__birth_name",
    "dossier__patient__first_given_name",
    "dossier__patient__given_names",
    "dossier__patient__sex",
    "dossier__patient__birth_date",
    "dossier__patient__birth_place_code",
    "dossier__patient__ins_matricule",
    "dossier__patient__ins_oid",
    "dossier__patient__rniv_status",
    "dossier__patient__postcode",
    "diagnosis_date",
    "topography_code",
    "morphology_code",
    "laterality_code",
    "tnm_kind",
    "tnm_edition",
    "tnm_t",
    "tnm_n",
    "tnm_m",
    "tnm_stage",
    "ecog_code",
    "treatments",
    "surveillance_only",
    "proposition",
    "guideline_conform",
    "clinical_trial_proposed",
    "quorum_reached",
)


def validated_fiches(*, start, end, **filters):
    """Validated fiches of the sessions of the period (ordered by session date then id)."""
    from rcp.models import Fiche

    low, high = period_bounds(start, end)
    return Fiche.objects.filter(
        rcp_filter("dossier__session__rcp", **filters),
        dossier__session__starts_at__gte=low,
        dossier__session__starts_at__lt=high,
        validated_at__isnull=False,
    )


def registry_rows(*, start, end, chunk_size: int = 2000, **filters):
    """One dict per validated fiche of the period with the registry's fields, streamed from a server-side cursor."""
    return (
        validated_fiches(start=start, end=end, **filters)
        .order_by("dossier__session__starts_at", "pk")
        .values(*REGISTRY_FIELDS)
        .iterator(chunk_size=chunk_size)
    )


# --- Delays, attendance ------------------------------------------------------------------------


def first_presentations(*, start, end, **filters) -> dict[int, dict]:
    """Patients whose first presented dossier (in any RCP, ever) is in the period, with the filters applied to it:
    ``{patient_id: {"first_rcp": date, "diagnosis": date | None, "three_c": name, "three_c_id", "organ"}}``.

    The diagnosis date is the earliest one written on the patient's fiches of the period.
    """
    low, _ = period_bounds(start, end)
    # NOT EXISTS, one probe per dossier (a NOT IN over every earlier dossier ran for minutes at a region-decade).
    earlier = Dossier.objects.filter(
        patient_id=OuterRef("patient_id"), status__in=PRESENTED, session__starts_at__lt=low
    )
    rows = (
        presented_dossiers(start=start, end=end, **filters)
        .filter(~Exists(earlier))
        .values("patient_id", "session__rcp__three_c_id", "session__rcp__three_c__name", "session__rcp__organ")
        .annotate(first=Min("session__starts_at"), diagnosis=Min("fiche__diagnosis_date"))
        .order_by()
    )
    result: dict[int, dict] = {}
    for row in rows:
        first = timezone.localtime(row["first"]).date()
        known = result.get(row["patient_id"])
        if known is None or first < known["first_rcp"]:
            diagnosis = (
                row["diagnosis"]
                if known is None
                else min(filter(None, [row["diagnosis"], known["diagnosis"]]), default=None)
            )
            result[row["patient_id"]] = {
                "first_rcp": first,
                "diagnosis": diagnosis,
                "three_c": row["session__rcp__three_c__name"],
                "three_c_id": row["session__rcp__three_c_id"],
                "organ": (row["session__rcp__organ"] or "—").lower(),
            }
        elif row["diagnosis"] and (known["diagnosis"] is None or row["diagnosis"] < known["diagnosis"]):
            known["diagnosis"] = row["diagnosis"]
    return result


def attendance_rows(*, start, end, professional_id=None, liberal_only=False, **filters):
    """Attendances (present in the room or by video) at the closed sessions of the period, oldest first:
    ``(professional_id, last_name, first_name, rpps, session_id, starts_at, rcp title, 3C name, 3C id, mode)``."""
    from rcp.enums import AttendanceMode
    from rcp.models import Attendance

    low, high = period_bounds(start, end)
    rows = Attendance.objects.filter(
        rcp_filter("session__rcp", **filters),
        session__starts_at__gte=low,
        session__starts_at__lt=high,
        session__status=SessionStatus.CLOSED,
        mode__in=[AttendanceMode.ROOM, AttendanceMode.VIDEO],
    )
    if professional_id:
        rows = rows.filter(professional_id=professional_id)
    if liberal_only:
        rows = rows.filter(professional__is_liberal=True)
    return rows.order_by(
        "professional__last_name", "professional__first_name", "professional_id", "session__starts_at"
    ).values_list(
        "professional_id",
        "professional__last_name",
        "professional__first_name",
        "professional__rpps",
        "session_id",
        "session__starts_at",
        "session__rcp__title",
        "session__rcp__three_c__name",
        "session__rcp__three_c_id",
        "mode",
    )
