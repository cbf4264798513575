"""Delay indicators: diagnosis → first RCP → first treatment (from the PPS), per patient.

For the patients whose first RCP presentation falls in the period: the diagnosis date written on the fiche,
the first session date, the first treatment EDP of their validated PPS. Distributions per 3C and per organ
(median, 3rd quartile, share over the region's threshold) and a worklist of the patients over a threshold.
"""

from __future__ import annotations

import datetime
import statistics
from typing import NamedTuple

from dcc.dashboards import figures, summary
from dcc.dashboards.filters import StatsScope
from dcc.dashboards.models import DelayRule
from dcc.dashboards.tables import Column, Table, chart, share


class PatientDelay(NamedTuple):
    """One patient's delays (a tuple: tens of thousands of them are built, cached and read back per page)."""

    patient_id: int
    three_c: str
    organ: str
    diagnosis: object
    first_rcp: object
    treatment: object
    to_rcp: int | None
    to_treatment: int | None


def current_rule(on=None) -> DelayRule:
    from django.utils import timezone

    day = on or timezone.localdate()
    rule = DelayRule.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    return rule or DelayRule(valid_from=day)


def patient_delays(scope: StatsScope) -> list[PatientDelay]:
    from pps import dashboard_selectors as pps
    from rcp import dashboard_selectors as rcp

    if figures.rcp_source() is summary:  # the summary tables once built, else the live selectors (same answers)
        with summary.reading():
            first = summary.first_presentations(**scope.filters(), treatments=True)
        treatments = {patient_id: row.pop("treatment") for patient_id, row in first.items()}
    else:
        first = rcp.first_presentations(**scope.filters())
        treatments = pps.first_treatments(first.keys()) if first else {}
    result = []
    for patient_id, row in sorted(first.items()):  # by patient: the same list from either source
        treatment = treatments.get(patient_id)
        if treatment is not None and treatment < row["first_rcp"]:
            treatment = None  # a treatment before the first RCP is not the one the RCP proposed
        to_rcp = (row["first_rcp"] - row["diagnosis"]).days if row["diagnosis"] else None
        if to_rcp is not None and to_rcp < 0:
            to_rcp = None  # a diagnosis dated after the RCP is a data-quality problem, not a delay
        to_treatment = (treatment - row["first_rcp"]).days if treatment else None
        result.append(
            PatientDelay(
                patient_id,
                row["three_c"],
                row["organ"],
                row["diagnosis"],
                row["first_rcp"],
                treatment,
                to_rcp,
                to_treatment,
            )
        )
    return result


DELAYS_NOTE = (
    "Patients dont la première présentation en RCP a lieu dans la période ; diagnostic : date portée sur la fiche "
    "RCP ; traitement : premier élément de traitement des PPS validés (chirurgie, chimiothérapie…)."
)


def cached_patient_delays(scope: StatsScope) -> list[PatientDelay]:
    """``patient_delays`` kept an hour in the cache for the scope (the worklist's names are read per user)."""
    from django.core.cache import cache

    from dcc.dashboards.cached import CACHE_SECONDS, cache_key

    key = cache_key("delais", scope)
    packed = cache.get(key)
    if packed is not None:
        return _unpack(packed)
    items = patient_delays(scope)
    cache.set(key, _pack(items), CACHE_SECONDS // 2)
    return items


def _pack(items: list[PatientDelay]) -> list[tuple]:
    """The delays as plain tuples, dates as day ordinals and each 3C and organ name stored once: tens of thousands
    of them pickle several times faster than the named tuples with their dates."""
    names: dict[str, str] = {}

    def ordinal(day):
        return day.toordinal() if day else None

    return [
        (
            item.patient_id,
            names.setdefault(item.three_c, item.three_c),
            names.setdefault(item.organ, item.organ),
            ordinal(item.diagnosis),
            ordinal(item.first_rcp),
            ordinal(item.treatment),
            item.to_rcp,
            item.to_treatment,
        )
        for item in items
    ]


def _unpack(rows: list[tuple]) -> list[PatientDelay]:
    def day(ordinal):
        return datetime.date.fromordinal(ordinal) if ordinal else None

    return [
        PatientDelay(patient_id, three_c, organ, day(diagnosis), day(first_rcp), day(treatment), to_rcp, to_treatment)
        for patient_id, three_c, organ, diagnosis, first_rcp, treatment, to_rcp, to_treatment in rows
    ]


def _quartiles(values: list[int]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    if len(values) == 1:
        return float(values[0]), float(values[0])
    q = statistics.quantiles(values, n=4, method="inclusive")
    return round(q[1], 1), round(q[2], 1)


def distribution_tables(scope: StatsScope, delays: list[PatientDelay], rule: DelayRule) -> list[Table]:
    tables = []
    for slug, title, key in (
        ("delais-3c", "Délais par 3C", "three_c"),
        ("delais-organe", "Délais par organe", "organ"),
    ):
        groups: dict[str, list[PatientDelay]] = {}
        for item in delays:
            groups.setdefault(getattr(item, key), []).append(item)
        rows = []
        for name in sorted(groups):
            items = groups[name]
            to_rcp = [item.to_rcp for item in items if item.to_rcp is not None]
            to_treatment = [item.to_treatment for item in items if item.to_treatment is not None]
            m1, q1 = _quartiles(to_rcp)
            m2, q2 = _quartiles(to_treatment)
            rows.append(
                [
                    name,
                    len(items),
                    len(to_rcp),
                    m1,
                    q1,
                    share(sum(1 for v in to_rcp if v > rule.diagnosis_to_rcp_days), len(to_rcp)),
                    len(to_treatment),
                    m2,
                    q2,
                    share(sum(1 for v in to_treatment if v > rule.rcp_to_treatment_days), len(to_treatment)),
                ]
            )
        tables.append(
            Table(
                slug,
                title,
                [
                    Column("3C" if key == "three_c" else "Organe", "text"),
                    Column("Patients (1re RCP)"),
                    Column("Avec date de diagnostic"),
                    Column("Diagnostic → RCP : médiane (j)", "float"),
                    Column("3e quartile (j)", "float"),
                    Column(f"> {rule.diagnosis_to_rcp_days} j", "pct"),
                    Column("Avec traitement (PPS)"),
                    Column("RCP → traitement : médiane (j)", "float"),
                    Column("3e quartile (j)", "float"),
                    Column(f"> {rule.rcp_to_treatment_days} j", "pct"),
                ],
                rows,
                note=DELAYS_NOTE,
                chart=chart(
                    "bar",
                    [row[0] for row in rows],
                    [
                        ("Diagnostic → RCP (médiane, j)", [row[3] for row in rows]),
                        ("RCP → traitement (médiane, j)", [row[7] for row in rows]),
                    ],
                    unit="jours",
                ),
            )
        )
    return tables


def worklist(delays: list[PatientDelay], rule: DelayRule) -> list[PatientDelay]:
    """Patients over a threshold, longest delay first."""
    late = [
        item
        for item in delays
        if (item.to_rcp or 0) > rule.diagnosis_to_rcp_days or (item.to_treatment or 0) > rule.rcp_to_treatment_days
    ]
    return sorted(late, key=lambda item: -max(item.to_rcp or 0, item.to_treatment or 0))
