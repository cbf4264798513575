"""The RCP figures' summary table: one flat row per presented dossier (:class:`DossierFact`), and its readers.

Live, a region-year page joins dossiers, sessions, RCPs, fiches and patients several times over (tens of seconds
at a region-decade). The summary table holds the same facts flat and indexed by day, so a period query reads one
narrow table. It is refreshed by the Celery task ``dashboards.refresh_facts``:

- **incremental** (every few minutes, and queued after the writes that change a figure): the months of the
  sessions touched since the last watermark (a dossier created or changing status, a session changing status or
  moving, a fiche saved) are rewritten: delete the month's rows, insert them again from the RCP tables;
- **full** (nightly, and the first time): the whole table is rebuilt, which also catches what no write logs
  (a patient's birth date corrected, a dossier deleted).

Both are idempotent (a second run rewrites the same rows) and take a PostgreSQL advisory lock, so two workers
never refresh at once. The readers below answer exactly what ``rcp.dashboard_selectors`` answers for the same
filters (``tests/dashboards/test_summary.py`` compares them); the sessions held and cancelled stay live, which is
cheap (one small indexed table).
"""

from __future__ import annotations

import datetime
import zlib

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.functions import ExtractYear, TruncMonth
from django.utils import timezone

from dcc.dashboards.models import DossierFact, SummaryRefresh
from dcc.directory.models import ThreeC
from dcc.records.dashboard_selectors import period_bounds
from rcp import dashboard_selectors as live
from rcp.enums import DossierStatus, SessionStatus
from rcp.models import Rcp

FACTS = "dossier-facts"
LOCK_KEY = zlib.crc32(b"dcc.dashboards.summary") & 0x7FFFFFFF
PRESENTED = [DossierStatus.PRESENTED, DossierStatus.VALIDATED, DossierStatus.TO_REPRESENT]

_COLUMNS = (
    "dossier_id, day, session_id, rcp_id, three_c_id, establishment_id, organ, patient_id, sex, age, is_late, "
    "is_validated, quorum_reached, guideline_conform, trial_proposed"
)
_SELECT = """
    SELECT d.id, (s.starts_at AT TIME ZONE %(tz)s)::date, s.id, r.id, r.three_c_id, r.establishment_id,
           lower(r.organ), d.patient_id, p.sex,
           date_part('year', age((s.starts_at AT TIME ZONE %(tz)s)::date, p.birth_date))::smallint,
           d.is_late, f.validated_at IS NOT NULL, f.quorum_reached, f.guideline_conform,
           coalesce(f.clinical_trial_proposed, false)
      FROM rcp_dossier d
      JOIN rcp_session s ON s.id = d.session_id
      JOIN rcp_rcp r ON r.id = s.rcp_id
      JOIN identity_patient p ON p.id = d.patient_id
      LEFT JOIN rcp_fiche f ON f.dossier_id = d.id
     WHERE d.status = ANY(%(presented)s)
"""
_UPSERT = f"""
    INSERT INTO dashboards_dossierfact ({_COLUMNS}) {_SELECT} {{where}}
    ON CONFLICT (dossier_id) DO UPDATE SET
      ({_COLUMNS.replace("dossier_id, ", "")}) =
      (EXCLUDED.day, EXCLUDED.session_id, EXCLUDED.rcp_id, EXCLUDED.three_c_id, EXCLUDED.establishment_id,
       EXCLUDED.organ, EXCLUDED.patient_id, EXCLUDED.sex, EXCLUDED.age, EXCLUDED.is_late, EXCLUDED.is_validated,
       EXCLUDED.quorum_reached, EXCLUDED.guideline_conform, EXCLUDED.trial_proposed)
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


def _params(**extra) -> dict:
    return {"tz": settings.TIME_ZONE, "presented": [str(status) for status in PRESENTED], **extra}


def _next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def changed_months(since: datetime.datetime) -> list[datetime.date]:
    with connection.cursor() as cursor:
        cursor.execute(_CHANGED_MONTHS, _params(since=since))
        return [row[0] for row in cursor.fetchall()]


def _rewrite_month(cursor, month: datetime.date) -> int:
    """Delete the month's rows and insert them again (a dossier moved out of the month is updated in place)."""
    following = _next_month(month)
    cursor.execute("DELETE FROM dashboards_dossierfact WHERE day >= %s AND day < %s", [month, following])
    where = "AND s.starts_at >= %(low)s AND s.starts_at < %(high)s"
    low, high = period_bounds(month, following - datetime.timedelta(days=1))
    cursor.execute(_UPSERT.format(where=where), _params(low=low, high=high))
    return cursor.rowcount


def facts_refresh(*, full: bool = False, months: list[datetime.date] | None = None) -> dict:
    """Bring the summary table up to date; returns what it did (``status``: done, busy).

    Without ``full`` and after a first run, only the months written to since the last watermark (and the
    ``months`` given) are rewritten. The watermark is read before the RCP tables, so a write committed during the
    refresh is picked up by the next one.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            return {"status": "busy", "months": 0, "rows": 0}
        started = timezone.now()
        state = SummaryRefresh.objects.filter(name=FACTS).first()
        rows = 0
        if full or state is None:
            cursor.execute("DELETE FROM dashboards_dossierfact")
            cursor.execute(_UPSERT.format(where=""), _params())
            rows, todo = cursor.rowcount, []
        else:
            todo = sorted(set(changed_months(state.watermark)) | set(months or []))
            for month in todo:
                rows += _rewrite_month(cursor, month)
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
    return {"status": "done", "months": len(todo), "rows": rows, "full": is_full}


def state() -> SummaryRefresh | None:
    """The last refresh, or ``None`` when the table was never built (the pages then compute live)."""
    return SummaryRefresh.objects.filter(name=FACTS).first()


# --- Readers: the same answers as rcp.dashboard_selectors, from the summary table ---------------------------


def facts(*, start, end, three_c_ids=None, establishment_id=None, rcp_id=None, organ=""):
    rows = DossierFact.objects.filter(day__gte=start, day__lte=end)
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
    held = live.sessions(start=start, end=end, **filters).aggregate(
        held=Count("id", filter=Q(status=SessionStatus.CLOSED)),
        cancelled=Count("id", filter=Q(status=SessionStatus.CANCELLED)),
        planned=Count("id", filter=Q(status__in=[SessionStatus.PLANNED, SessionStatus.OPEN])),
    )
    rows = facts(start=start, end=end, **filters)
    counts = rows.aggregate(
        dossiers=Count("pk"),
        patients=Count("patient_id", distinct=True),
        late=Count("pk", filter=Q(is_late=True)),
        validated=Count("pk", filter=Q(is_validated=True)),
        quorum=Count("pk", filter=Q(is_validated=True, quorum_reached=True)),
        off_quorum=Count("pk", filter=Q(is_validated=True, quorum_reached=False)),
        conform=Count("pk", filter=Q(is_validated=True, guideline_conform=True)),
        not_conform=Count("pk", filter=Q(is_validated=True, guideline_conform=False)),
        trial=Count("pk", filter=Q(is_validated=True, trial_proposed=True)),
    )
    several = rows.values("patient_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    return {**held, **counts, "several": several}


def _held_by(key: str, *, start, end, **filters) -> dict:
    return dict(
        live.sessions(start=start, end=end, **filters)
        .filter(status=SessionStatus.CLOSED)
        .values_list(key)
        .annotate(n=Count("id"))
        .order_by()
    )


def per_rcp(*, start, end, **filters) -> list[dict]:
    counts = {
        row["rcp_id"]: row
        for row in facts(start=start, end=end, **filters)
        .values("rcp_id")
        .annotate(dossiers=Count("pk"), patients=Count("patient_id", distinct=True))
        .order_by()
    }
    held = _held_by("rcp_id", start=start, end=end, **filters)
    rcps = Rcp.objects.filter(pk__in=counts).select_related("three_c").order_by("three_c__name", "title")
    return [
        {
            "rcp_id": rcp.pk,
            "rcp": rcp.title,
            "three_c": rcp.three_c.name,
            "sessions": held.get(rcp.pk, 0),
            "dossiers": counts[rcp.pk]["dossiers"],
            "patients": counts[rcp.pk]["patients"],
        }
        for rcp in rcps
    ]


def per_three_c(*, start, end, **filters) -> list[dict]:
    counts = {
        row["three_c_id"]: row
        for row in facts(start=start, end=end, **filters)
        .values("three_c_id")
        .annotate(dossiers=Count("pk"), patients=Count("patient_id", distinct=True))
        .order_by()
    }
    held = _held_by("rcp__three_c_id", start=start, end=end, **filters)
    return [
        {
            "three_c_id": three_c.pk,
            "three_c": three_c.name,
            "sessions": held.get(three_c.pk, 0),
            "dossiers": counts[three_c.pk]["dossiers"],
            "patients": counts[three_c.pk]["patients"],
        }
        for three_c in ThreeC.objects.filter(pk__in=counts).order_by("name")
    ]


def age_sex(*, start, end, **filters) -> list[dict]:
    bands = live.AGE_BANDS
    band = Case(
        *[When(age__gte=low, age__lte=high, then=Value(index)) for index, (low, high, _) in enumerate(bands)],
        default=Value(len(bands) - 1),
        output_field=IntegerField(),
    )
    rows = (
        facts(start=start, end=end, **filters)
        .annotate(band=band)
        .values("band", "sex")
        .annotate(dossiers=Count("pk"), patients=Count("patient_id", distinct=True))
        .order_by("band", "sex")
    )
    return [
        {"band": bands[row["band"]][2], "sex": row["sex"], "dossiers": row["dossiers"], "patients": row["patients"]}
        for row in rows
    ]


def per_month(*, start, end, **filters) -> list[tuple[datetime.date, int]]:
    rows = (
        facts(start=start, end=end, **filters)
        .annotate(month=TruncMonth("day"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    return list(rows)


def per_year(*, start, end, **filters) -> list[tuple[int, int, int]]:
    dossiers = dict(
        facts(start=start, end=end, **filters)
        .annotate(year=ExtractYear("day"))
        .values_list("year")
        .annotate(n=Count("pk"))
        .order_by()
    )
    held = dict(
        live.sessions(start=start, end=end, **filters)
        .filter(status=SessionStatus.CLOSED)
        .annotate(year=ExtractYear("starts_at"))
        .values_list("year")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(year, dossiers.get(year, 0), held.get(year, 0)) for year in range(start.year, end.year + 1)]
