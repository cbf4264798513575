"""The RCP figures' summary table: one flat row per presented dossier (:class:`DossierFact`), and its readers.

Live, a region-year page joins dossiers, sessions, RCPs, fiches and patients several times over (tens of seconds
at a region-decade). The summary table holds the same facts flat and indexed by day, so a period query reads one
narrow table. It is refreshed by the Celery task ``dashboards.refresh_facts``:

- **incremental** (every few minutes, and queued after the writes that change a figure): the months of the
  sessions touched since the last watermark (a dossier created or changing status, a session changing status or
  moving, a fiche saved) are rewritten: delete the month's rows, insert them again from the RCP tables;
- **full** (nightly, and the first time): the whole table is rebuilt, which also catches what no write logs
  (a patient's birth date corrected, a dossier deleted).

Each refresh also rolls the additive counts up per month and RCP (:class:`DossierMonth`, a few thousand rows a year)
for the months it rewrote (and those a moved session left): the monthly and yearly trends and the year before's
counts read it when the period is made of whole months.

The same refresh keeps two more tables: :class:`DocumentFact`, one row per produced document (validated fiche
version, concertation, PPS, PPAC) for the Documents theme, rewritten for the months of the documents signed or
validated since the watermark; and :class:`PatientDelayFact`, per patient the first presentation and the first
treatment EDP for the delays, rewritten for the patients of the months rewritten and of the PPS validated since.

Both are idempotent (a second run rewrites the same rows) and take a PostgreSQL advisory lock, so two workers
never refresh at once. The readers below answer exactly what ``rcp.dashboard_selectors`` answers for the same
filters (``tests/dashboards/test_summary.py`` compares them); the sessions held and cancelled stay live, which is
cheap (one small indexed table).
"""

from __future__ import annotations

import contextlib
import datetime
import zlib

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Count, F, Min, Q, Sum, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear, TruncMonth
from django.utils import timezone

from dcc.dashboards.models import DocumentFact, DossierFact, DossierMonth, PatientDelayFact, SummaryRefresh
from dcc.directory.models import ThreeC
from dcc.postgresql.plans import custom_plans
from dcc.records.dashboard_selectors import period_bounds
from pps.dashboard_selectors import treatment_kinds
from rcp import dashboard_selectors as live
from rcp.enums import DossierStatus, SessionStatus
from rcp.models import Rcp

FACTS = "dossier-facts"
LOCK_KEY = zlib.crc32(b"dcc.dashboards.summary") & 0x7FFFFFFF
PRESENTED = [DossierStatus.PRESENTED, DossierStatus.VALIDATED, DossierStatus.TO_REPRESENT]

_COLUMNS = (
    "dossier_id, day, session_id, rcp_id, three_c_id, establishment_id, organ, patient_id, sex, age, age_band, "
    "is_late, is_validated, quorum_reached, guideline_conform, trial_proposed, diagnosis_date"
)
# The live selector's age bands (the last one when no band holds the age, or without a birth date).
_AGE_BAND = (
    "CASE "
    + " ".join(f"WHEN a.age BETWEEN {low} AND {high} THEN {band}" for band, (low, high, _) in enumerate(live.AGE_BANDS))
    + f" ELSE {len(live.AGE_BANDS) - 1} END"
)
# The f-strings below interpolate this module's constants only, never a value from a request.
_SELECT = f"""
    SELECT d.id, (s.starts_at AT TIME ZONE %(tz)s)::date, s.id, r.id, r.three_c_id, r.establishment_id,
           lower(r.organ), d.patient_id, p.sex, a.age, {_AGE_BAND},
           d.is_late, f.validated_at IS NOT NULL, f.quorum_reached, f.guideline_conform,
           coalesce(f.clinical_trial_proposed, false), f.diagnosis_date
      FROM rcp_dossier d
      JOIN rcp_session s ON s.id = d.session_id
      JOIN rcp_rcp r ON r.id = s.rcp_id
      JOIN identity_patient p ON p.id = d.patient_id
      CROSS JOIN LATERAL (
            SELECT date_part('year', age((s.starts_at AT TIME ZONE %(tz)s)::date, p.birth_date))::smallint AS age
      ) a
      LEFT JOIN rcp_fiche f ON f.dossier_id = d.id
     WHERE d.status = ANY(%(presented)s)
"""  # noqa: S608
_UPDATED = _COLUMNS.replace("dossier_id, ", "")
_UPSERT = f"""
    INSERT INTO dashboards_dossierfact ({_COLUMNS}) {_SELECT} {{where}}
    ON CONFLICT (dossier_id) DO UPDATE SET
      ({_UPDATED}) = ({", ".join(f"EXCLUDED.{column}" for column in _UPDATED.split(", "))})
"""
# Months (local time) of the sessions written to since the watermark.
_CHANGED_MONTHS = """
    SELECT DISTINCT date_trunc('month', s.starts_at AT TIME ZONE %(tz)s)::date
      FROM rcp_session s
     WHERE s.id IN (
           SELECT session_id FROM rcp_sessiontransition WHERE at > %(since)s
           UNION SELECT d.session_id FROM rcp_dossiertransition t JOIN rcp_dossier d ON d.id = t.dossier_id
                  WHERE t.at > %(since)s
           UNION SELECT session_id FROM rcp_dossier WHERE created_at > %(since)s
           UNION SELECT d.session_id FROM rcp_fiche f JOIN rcp_dossier d ON d.id = f.dossier_id
                  WHERE f.updated_at > %(since)s)
     ORDER BY 1
"""


# The activity's dossier counts: the live selector's conditions, over the facts' columns.
ACTIVITY_FLAGS = {
    "late": "is_late",
    "validated": "is_validated",
    "quorum": "is_validated AND quorum_reached",
    "off_quorum": "is_validated AND NOT quorum_reached",
    "conform": "is_validated AND guideline_conform",
    "not_conform": "is_validated AND NOT guideline_conform",
    "trial": "is_validated AND trial_proposed",
}
# The monthly roll-up of the months given (all when ``months`` is NULL), from the facts just written.
_ROLL_UP = f"""
    INSERT INTO dashboards_dossiermonth (month, rcp_id, three_c_id, establishment_id, organ, dossiers,
                                         {", ".join(ACTIVITY_FLAGS)})
    SELECT date_trunc('month', day)::date, rcp_id, three_c_id, establishment_id, organ, count(*),
           {", ".join(f"count(*) FILTER (WHERE {condition})" for condition in ACTIVITY_FLAGS.values())}
      FROM dashboards_dossierfact {{where}}
     GROUP BY 1, 2, 3, 4, 5
"""  # noqa: S608


# --- Documents produced (the Documents theme): one row per validated fiche version, concertation, PPS or PPAC ---

DOCUMENT_KINDS = ("fiche", "concertation", "pps", "ppac")
_DOCUMENT_COLUMNS = "kind, source_id, day, rcp_id, three_c_id, establishment_id, organ, patient_id"
# Each source dated by its signature or validation (local day), with the columns the live selectors filter by:
# the fiche's and the concertation's RCP; the PPS's own 3C and establishment, and the RCP of the fiche it follows.
_DOCUMENT_SOURCES = (
    (
        "v.signed_at",
        """SELECT 'fiche', v.id, (v.signed_at AT TIME ZONE %(tz)s)::date, r.id, r.three_c_id, r.establishment_id,
                  lower(r.organ), d.patient_id
             FROM rcp_ficheversion v
             JOIN rcp_fiche f ON f.id = v.fiche_id
             JOIN rcp_dossier d ON d.id = f.dossier_id
             JOIN rcp_session s ON s.id = d.session_id
             JOIN rcp_rcp r ON r.id = s.rcp_id
            WHERE true""",
    ),
    (
        "c.signed_at",
        """SELECT 'concertation', c.id, (c.signed_at AT TIME ZONE %(tz)s)::date, r.id, r.three_c_id,
                  r.establishment_id, coalesce(lower(r.organ), ''), c.patient_id
             FROM rcp_concertation c
             LEFT JOIN rcp_rcp r ON r.id = c.rcp_id
            WHERE c.signed_at IS NOT NULL""",
    ),
    (
        "p.validated_at",
        """SELECT p.programme, p.id, (p.validated_at AT TIME ZONE %(tz)s)::date, r.id, p.three_c_id,
                  p.establishment_id, coalesce(lower(r.organ), ''), p.patient_id
             FROM pps_pps p
             LEFT JOIN rcp_fiche f ON f.id = p.rcp_fiche_id
             LEFT JOIN rcp_dossier d ON d.id = f.dossier_id
             LEFT JOIN rcp_session s ON s.id = d.session_id
             LEFT JOIN rcp_rcp r ON r.id = s.rcp_id
            WHERE p.validated_at IS NOT NULL""",
    ),
)
# Months (local time) of the documents signed or validated since the watermark (documents are dated when written).
_DOCUMENT_MONTHS = """
    SELECT DISTINCT date_trunc('month', at AT TIME ZONE %(tz)s)::date FROM (
           SELECT signed_at AS at FROM rcp_ficheversion WHERE signed_at > %(since)s
           UNION ALL SELECT signed_at FROM rcp_concertation WHERE signed_at > %(since)s
           UNION ALL SELECT validated_at FROM pps_pps WHERE validated_at > %(since)s) written
     ORDER BY 1
"""


def _write_documents(cursor, low=None, high=None) -> int:
    """Insert the document rows dated in [low, high) (every one without bounds), in date order."""
    rows = 0
    for column, select in _DOCUMENT_SOURCES:
        where = f" AND {column} >= %(low)s AND {column} < %(high)s" if low is not None else ""
        cursor.execute(
            f"INSERT INTO dashboards_documentfact ({_DOCUMENT_COLUMNS}) {select}{where} ORDER BY {column}",
            {"tz": settings.TIME_ZONE, "low": low, "high": high},
        )
        rows += cursor.rowcount
    return rows


def _rewrite_document_month(cursor, month: datetime.date) -> int:
    following = _next_month(month)
    cursor.execute("DELETE FROM dashboards_documentfact WHERE day >= %s AND day < %s", [month, following])
    return _write_documents(cursor, *period_bounds(month, following - datetime.timedelta(days=1)))


# --- Per patient (the delays): first presentation (any RCP) and first treatment EDP of their validated PPS ---

_PATIENT_DELAYS = """
    INSERT INTO dashboards_patientdelayfact (patient_id, first_day, first_treatment)
    SELECT f.patient_id, f.first_day, t.first_treatment
      FROM (SELECT patient_id, min(day) AS first_day FROM dashboards_dossierfact {facts} GROUP BY 1) f
      LEFT JOIN (SELECT p.patient_id, min(e.planned_date) AS first_treatment
                   FROM pps_ppselement e JOIN pps_pps p ON p.id = e.pps_id
                  WHERE p.programme = 'pps' AND p.validated_at IS NOT NULL AND e.kind = ANY(%(kinds)s) {pps}
                  GROUP BY 1) t ON t.patient_id = f.patient_id
"""


def _write_patient_delays(cursor, patients: set[int] | None = None) -> int:
    """Rewrite the per-patient rows of ``patients`` (every patient when ``None``) from the facts and the PPS."""

    params = {"kinds": treatment_kinds(), "patients": sorted(patients or [])}
    if patients is None:
        cursor.execute("DELETE FROM dashboards_patientdelayfact")
        cursor.execute(_PATIENT_DELAYS.format(facts="", pps=""), params)
    elif patients:
        cursor.execute("DELETE FROM dashboards_patientdelayfact WHERE patient_id = ANY(%(patients)s)", params)
        cursor.execute(
            _PATIENT_DELAYS.format(
                facts="WHERE patient_id = ANY(%(patients)s)", pps="AND p.patient_id = ANY(%(patients)s)"
            ),
            params,
        )
    else:
        return 0
    return cursor.rowcount


def _params(**extra) -> dict:
    return {"tz": settings.TIME_ZONE, "presented": [str(status) for status in PRESENTED], **extra}


def _next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def changed_months(since: datetime.datetime) -> list[datetime.date]:
    with connection.cursor() as cursor:
        cursor.execute(_CHANGED_MONTHS, _params(since=since))
        return [row[0] for row in cursor.fetchall()]


# Months (local time) a session of the month came from: its dossiers' rows, updated in place, leave them.
_MOVED_FROM = """
    SELECT DISTINCT date_trunc('month', f.day)::date
      FROM dashboards_dossierfact f JOIN rcp_dossier d ON d.id = f.dossier_id JOIN rcp_session s ON s.id = d.session_id
     WHERE s.starts_at >= %(low)s AND s.starts_at < %(high)s AND (f.day < %(first)s OR f.day >= %(following)s)
"""


def _rewrite_month(cursor, month: datetime.date) -> tuple[int, set[datetime.date], set[int]]:
    """Delete the month's rows and insert them again (a dossier moved out of the month is updated in place);
    returns the rows written, the months the roll-up must count again (this one and those moved from) and the
    patients whose rows were deleted or written (their first presentation may have changed)."""
    following = _next_month(month)
    low, high = period_bounds(month, following - datetime.timedelta(days=1))
    cursor.execute(_MOVED_FROM, {"low": low, "high": high, "first": month, "following": following})
    touched = {month, *(row[0] for row in cursor.fetchall())}
    cursor.execute(
        "DELETE FROM dashboards_dossierfact WHERE day >= %s AND day < %s RETURNING patient_id", [month, following]
    )
    patients = {row[0] for row in cursor.fetchall()}
    where = "AND s.starts_at >= %(low)s AND s.starts_at < %(high)s ORDER BY s.starts_at"
    cursor.execute(_UPSERT.format(where=where) + " RETURNING patient_id", _params(low=low, high=high))
    written = cursor.fetchall()
    return len(written), touched, patients | {row[0] for row in written}


def _roll_up(cursor, month: datetime.date) -> None:
    cursor.execute("DELETE FROM dashboards_dossiermonth WHERE month = %s", [month])
    cursor.execute(_ROLL_UP.format(where="WHERE day >= %s AND day < %s"), [month, _next_month(month)])


def facts_refresh(*, full: bool = False, months: list[datetime.date] | None = None) -> dict:
    """Bring the summary table up to date; returns what it did (``status``: done, busy).

    Without ``full`` and after a first run, only the months written to since the last watermark (and the
    ``months`` given) are rewritten. The watermark is read before the RCP tables, so a write committed during the
    refresh is picked up by the next one. Once committed (when not called inside a transaction), the dossier
    facts are vacuumed: the readers count patients with index-only scans, which read the table itself for every
    page not marked all-visible since it was written.
    """
    result = _refresh(full=full, months=months)
    if result["status"] == "done" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) dashboards_dossierfact")
    return result


def _refresh(*, full: bool, months: list[datetime.date] | None) -> dict:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            return {"status": "busy", "months": 0, "rows": 0, "documents": 0}
        started = timezone.now()
        state = SummaryRefresh.objects.filter(name=FACTS).first()
        rows = documents = 0
        if full or state is None:
            cursor.execute("DELETE FROM dashboards_dossierfact")
            # In date order: a period's rows then sit in few pages (a year of a decade: a tenth of the table).
            cursor.execute(_UPSERT.format(where="ORDER BY s.starts_at"), _params())
            rows, todo = cursor.rowcount, []
            cursor.execute("DELETE FROM dashboards_dossiermonth")
            cursor.execute(_ROLL_UP.format(where=""))
            cursor.execute("DELETE FROM dashboards_documentfact")
            documents = _write_documents(cursor)
            _write_patient_delays(cursor)
            cursor.execute("ANALYZE dashboards_dossierfact")
            cursor.execute("ANALYZE dashboards_dossiermonth")
            cursor.execute("ANALYZE dashboards_documentfact")
            cursor.execute("ANALYZE dashboards_patientdelayfact")
        else:
            todo = sorted(set(changed_months(state.watermark)) | set(months or []))
            touched: set[datetime.date] = set()
            patients: set[int] = set()
            for month in todo:
                written, more, their_patients = _rewrite_month(cursor, month)
                rows, touched, patients = rows + written, touched | more, patients | their_patients
            for month in sorted(touched):
                _roll_up(cursor, month)
            cursor.execute(_DOCUMENT_MONTHS, _params(since=state.watermark))
            for month in sorted({row[0] for row in cursor.fetchall()} | set(months or [])):
                documents += _rewrite_document_month(cursor, month)
            # The patients of the months rewritten, and those with a PPS validated since (their first treatment).
            cursor.execute("SELECT DISTINCT patient_id FROM pps_pps WHERE validated_at > %s", [state.watermark])
            _write_patient_delays(cursor, patients | {row[0] for row in cursor.fetchall()})
        is_full = full or state is None
        SummaryRefresh.objects.update_or_create(
            name=FACTS,
            defaults={
                "watermark": started,
                "finished_at": timezone.now(),
                "months": len(todo),
                "rows": rows,
                "full": is_full,
            },
        )
    return {"status": "done", "months": len(todo), "rows": rows, "documents": documents, "full": is_full}


# Memory for a reading transaction's sorts and hashes: distinct patients over a decade of rows (a million) sort in
# memory instead of on disk (measured at 1.04 M rows, per RCP: 9.6 s with PostgreSQL's default 4 MB, 1.1 s).
WORK_MEM = "64MB"


@contextlib.contextmanager
def reading():
    """A transaction for the readers below: ``WORK_MEM`` for its sorts, no JIT, and each query planned for its own
    period (``custom_plans``: a generic plan scanned a decade as a month, the ten-year page going from 0.95 s to
    2.2 s by its eighth request on one connection)."""
    with custom_plans(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true)", [WORK_MEM])
        # No JIT compilation: these queries scan 0.1–1 M narrow rows, where compiling costs more than it saves
        # (measured at a region-decade: a year's readers take half the time without it).
        cursor.execute("SELECT set_config('jit', 'off', true)")
        yield


def state() -> SummaryRefresh | None:
    """The last refresh, or ``None`` when the table was never built (the pages then compute live)."""
    return SummaryRefresh.objects.filter(name=FACTS).first()


# --- Readers: the same answers as rcp.dashboard_selectors, from the summary table ---------------------------


def _whole_months(start, end) -> bool:
    """Whether the period is made of whole months (then the monthly roll-up answers the additive counts)."""
    return start.day == 1 and (end + datetime.timedelta(days=1)).day == 1


def month_rows(*, start, end, three_c_ids=None, establishment_id=None, rcp_id=None, organ=""):
    rows = DossierMonth.objects.filter(month__gte=start, month__lte=end)
    if three_c_ids is not None:
        rows = rows.filter(three_c_id__in=three_c_ids)
    if establishment_id:
        rows = rows.filter(establishment_id=establishment_id)
    if rcp_id:
        rows = rows.filter(rcp_id=rcp_id)
    if organ:
        rows = rows.filter(organ=organ.lower())
    return rows


def _dossier_counts(key: str, *, start, end, patients: bool, **filters):
    """Dossiers (and distinct patients) per ``key``: from the roll-up when it can answer (counts of whole months)."""
    if not patients and _whole_months(start, end):
        return month_rows(start=start, end=end, **filters).values(key).annotate(dossiers=Sum("dossiers")).order_by()
    return facts(start=start, end=end, **filters).values(key).annotate(**_counts(patients)).order_by()


def facts(*, start, end, **filters):
    return _filtered(DossierFact.objects.filter(day__gte=start, day__lte=end), **filters)


def _filtered(rows, *, three_c_ids=None, establishment_id=None, rcp_id=None, organ=""):
    if three_c_ids is not None:
        rows = rows.filter(three_c_id__in=three_c_ids)
    if establishment_id:
        rows = rows.filter(establishment_id=establishment_id)
    if rcp_id:
        rows = rows.filter(rcp_id=rcp_id)
    if organ:
        rows = rows.filter(organ=organ.lower())
    return rows


def activity(*, start, end, **filters) -> dict:
    return activities({"start": start, "end": end, **filters})[0]


def activities(*periods: dict) -> list[dict]:
    """:func:`activity` of each period; the periods differ by their dates only (a period and the year before), and
    their distinct patients are counted in one pass over the days they span (they overlap when longer than a year)."""
    patients = _patients(periods)
    return [
        {**live.session_counts(**period), **_dossier_flags(**period), **of_period}
        for period, of_period in zip(periods, patients, strict=True)
    ]


def _dossier_flags(*, start, end, **filters) -> dict:
    """The dossiers presented and the activity's flags: from the monthly roll-up for whole months."""
    if _whole_months(start, end):
        sums = {key: Sum(key) for key in ("dossiers", *ACTIVITY_FLAGS)}
        counts = month_rows(start=start, end=end, **filters).aggregate(**sums)
    else:
        flags = {
            key: Count("pk", filter=RawSQL(condition, [], BooleanField()))  # noqa: S611 (a constant condition)
            for key, condition in ACTIVITY_FLAGS.items()
        }
        counts = facts(start=start, end=end, **filters).aggregate(dossiers=Count("*"), **flags)
    return {key: value or 0 for key, value in counts.items()}


def _patients(periods: tuple[dict, ...]) -> list[dict]:
    """Per period, the distinct patients and those presented several times, counted per patient in patient order:
    the (patient, day) index hands them over sorted (a decade's million rows grouped without a sort or a hash)."""
    filters = [{key: value for key, value in period.items() if key not in ("start", "end")} for period in periods]
    if any(other != filters[0] for other in filters):
        raise ValueError("Les périodes comparées doivent avoir les mêmes filtres.")
    spans = [(period["start"], period["end"]) for period in periods]
    low, high = min(start for start, _ in spans), max(end for _, end in spans)
    if (high - low).days + 1 > sum((end - start).days + 1 for start, end in spans):  # apart: one pass each
        return [_patients((period,))[0] for period in periods]
    per_patient = (
        facts(start=low, end=high, **filters[0])
        .values("patient_id")
        .annotate(
            **{
                f"n{index}": Count("patient_id", filter=Q(day__gte=start, day__lte=end))
                for index, (start, end) in enumerate(spans)
            }
        )
    )
    sql, params = per_patient.order_by("patient_id").query.sql_with_params()
    counts = ", ".join(
        f"count(*) FILTER (WHERE n{index} > 0), count(*) FILTER (WHERE n{index} > 1)" for index in range(len(spans))
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts} FROM ({sql}) per_patient", params)  # noqa: S608
        row = cursor.fetchone()
    return [{"patients": row[2 * index], "several": row[2 * index + 1]} for index in range(len(spans))]


def _counts(patients: bool) -> dict:
    return {"dossiers": Count("*"), **({"patients": Count("patient_id", distinct=True)} if patients else {})}


def per_rcp(*, start, end, patients: bool = True, **filters) -> list[dict]:
    counts = {
        row["rcp_id"]: row for row in _dossier_counts("rcp_id", start=start, end=end, patients=patients, **filters)
    }
    held = live.sessions_held_by("rcp_id", start=start, end=end, **filters)
    rcps = Rcp.objects.filter(pk__in=counts).select_related("three_c").order_by("three_c__name", "title")
    return [
        {
            "rcp_id": rcp.pk,
            "rcp": rcp.title,
            "three_c": rcp.three_c.name,
            "sessions": held.get(rcp.pk, 0),
            "dossiers": counts[rcp.pk]["dossiers"],
            "patients": counts[rcp.pk].get("patients"),
        }
        for rcp in rcps
    ]


def per_three_c(*, start, end, patients: bool = True, **filters) -> list[dict]:
    counts = {
        row["three_c_id"]: row
        for row in _dossier_counts("three_c_id", start=start, end=end, patients=patients, **filters)
    }
    held = live.sessions_held_by("rcp__three_c_id", start=start, end=end, **filters)
    return [
        {
            "three_c_id": three_c.pk,
            "three_c": three_c.name,
            "sessions": held.get(three_c.pk, 0),
            "dossiers": counts[three_c.pk]["dossiers"],
            "patients": counts[three_c.pk].get("patients"),
        }
        for three_c in ThreeC.objects.filter(pk__in=counts).order_by("name")
    ]


def age_sex(*, start, end, **filters) -> list[dict]:
    bands = live.AGE_BANDS
    rows = (
        facts(start=start, end=end, **filters)
        .values("age_band", "sex")
        .annotate(dossiers=Count("*"), patients=Count("patient_id", distinct=True))
        .order_by("age_band", "sex")
    )
    return [
        {"band": bands[row["age_band"]][2], "sex": row["sex"], "dossiers": row["dossiers"], "patients": row["patients"]}
        for row in rows
    ]


def per_month(*, start, end, **filters) -> list[tuple[datetime.date, int]]:
    if _whole_months(start, end):
        return list(
            month_rows(start=start, end=end, **filters)
            .values_list("month")
            .annotate(n=Sum("dossiers"))
            .filter(n__gt=0)
            .order_by("month")
        )
    rows = (
        facts(start=start, end=end, **filters)
        .annotate(month=TruncMonth("day"))
        .values_list("month")
        .annotate(n=Count("*"))
        .order_by("month")
    )
    return list(rows)


def per_year(*, start, end, **filters) -> list[tuple[int, int, int]]:
    if _whole_months(start, end):
        rows, field, total = month_rows(start=start, end=end, **filters), "month", Sum("dossiers")
    else:
        rows, field, total = facts(start=start, end=end, **filters), "day", Count("*")
    dossiers = dict(rows.annotate(year=ExtractYear(field)).values_list("year").annotate(n=total).order_by())
    held = dict(
        live.sessions(start=start, end=end, **filters)
        .filter(status=SessionStatus.CLOSED)
        .annotate(year=ExtractYear("starts_at"))
        .values_list("year")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(year, dossiers.get(year, 0), held.get(year, 0)) for year in range(start.year, end.year + 1)]


# --- Documents produced and the delays ----------------------------------------------------------------------


def documents_produced(*, start, end, **filters) -> dict[str, tuple[int, int]]:
    """Documents produced per kind (``DOCUMENT_KINDS``) and their distinct patients: what
    ``rcp.dashboard_selectors.fiches_produced`` / ``concertations_produced`` and
    ``pps.dashboard_selectors.programmes_produced`` answer, in one query."""
    rows = _filtered(DocumentFact.objects.filter(day__gte=start, day__lte=end), **filters)
    counts = {
        row["kind"]: (row["n"], row["patients"])
        for row in rows.values("kind").annotate(n=Count("pk"), patients=Count("patient_id", distinct=True)).order_by()
    }
    return {kind: counts.get(kind, (0, 0)) for kind in DOCUMENT_KINDS}


def first_presentations(*, start, end, treatments: bool = False, **filters) -> dict[int, dict]:
    """What ``rcp.dashboard_selectors.first_presentations`` answers, from the summary tables: the patients first
    presented in the period (:class:`PatientDelayFact`, indexed by that day), their first filtered dossier of the
    period (ties on the day: the smallest 3C id, then organ) and the earliest diagnosis date of those dossiers.
    With ``treatments``, each row also has ``"treatment"``: what ``pps.dashboard_selectors.first_treatments``
    answers for the patient (``None`` without one). Two queries."""
    new = PatientDelayFact.objects.filter(first_day__gte=start, first_day__lte=end)
    rows = list(
        facts(start=start, end=end, **filters)
        .filter(patient_id__in=new.values("patient_id"))
        .annotate(diagnosis=Window(Min("diagnosis_date"), partition_by=[F("patient_id")]))
        .order_by("patient_id", "day", "three_c_id", "organ")
        .distinct("patient_id")
        .values_list("patient_id", "day", "three_c_id", "organ", "diagnosis")
    )
    names = dict(ThreeC.objects.filter(pk__in={row[2] for row in rows}).values_list("pk", "name"))
    result = {
        patient_id: {
            "first_rcp": day,
            "diagnosis": diagnosis,
            "three_c": names.get(three_c_id),
            "three_c_id": three_c_id,
            "organ": organ or "—",
        }
        for patient_id, day, three_c_id, organ, diagnosis in rows
    }
    if treatments:
        first_treatments = dict(new.filter(first_treatment__isnull=False).values_list("patient_id", "first_treatment"))
        for patient_id, row in result.items():
            row["treatment"] = first_treatments.get(patient_id)
    return result
