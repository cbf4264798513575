"""Follow-up schedules of the PPAC (programme personnalisé de l'après-cancer).

Pure functions (no database). A follow-up line says, for instance, "consultation tous les 6 mois
pendant 2 ans puis tous les ans jusqu'à 5 ans": a list of *phases*, each an interval in months
and the month (counted from the start of the follow-up) up to which it applies:

    [Phase(6, 24), Phase(12, 60)]  →  months 6, 12, 18, 24, 36, 48, 60

The first occurrence comes ``first_offset_months`` after the start (by default the first
phase's interval; 0 means "at the start of the follow-up"). Each occurrence is computed from the
start (never from the previous occurrence), so a month end never drifts: 31 January + 1 month is
the last day of February. An occurrence falling on a weekend or a French public holiday moves to
the next working day (``dcc.workdays``), as appointments do.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from dcc.workdays import add_working_days, is_working_day
from pps.dates import validate_start

MAX_HORIZON_MONTHS = 10 * 12  # beyond ten years of follow-up, the input is surely a mistake
MAX_INTERVAL_MONTHS = 5 * 12
MAX_PHASES = 3
MAX_OCCURRENCES = 120


@dataclass(frozen=True)
class Phase:
    interval_months: int
    until_months: int


class ScheduleError(ValueError):
    """Bad schedule input; ``errors`` holds the French messages."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(" ".join(errors))


def next_working_day(day: datetime.date) -> datetime.date:
    return day if is_working_day(day) else add_working_days(day, 1)


def schedule_errors(phases: Sequence[Phase], first_offset_months: int | None = None) -> list[str]:
    """French messages for a schedule that cannot be used (empty when all is well)."""
    errors: list[str] = []
    if not phases:
        return ["Indiquez au moins un rythme (par ex. « tous les 6 mois pendant 24 mois »)."]
    if len(phases) > MAX_PHASES:
        errors.append(f"Au plus {MAX_PHASES} rythmes successifs par élément de suivi.")
    previous_until = 0
    for number, phase in enumerate(phases, start=1):
        where = f"Rythme {number} : "
        if phase.interval_months is None or phase.interval_months < 1:
            errors.append(where + "l'intervalle est d'au moins 1 mois.")
        elif phase.interval_months > MAX_INTERVAL_MONTHS:
            errors.append(where + "un intervalle de plus de 5 ans est sans doute une erreur.")
        if phase.until_months is None or phase.until_months < 1:
            errors.append(where + "la durée est d'au moins 1 mois.")
        elif phase.until_months > MAX_HORIZON_MONTHS:
            errors.append(where + "un suivi au-delà de 10 ans est sans doute une erreur ; vérifiez la durée.")
        elif phase.until_months <= previous_until:
            errors.append(
                where + f"il doit aller au-delà du rythme précédent (jusqu'au mois {previous_until}) : "
                f"indiquez un mois supérieur à {previous_until}."
            )
        if phase.until_months:
            previous_until = max(previous_until, phase.until_months)
    if first_offset_months is not None:
        if first_offset_months < 0:
            errors.append("La première échéance ne peut pas précéder le début du suivi.")
        elif phases[0].until_months and first_offset_months > phases[0].until_months:
            errors.append("La première échéance tombe après la fin du premier rythme : vérifiez les durées.")
    if errors:
        return errors
    groups = offsets_by_phase(phases, first_offset_months)
    for number, (phase, months) in enumerate(zip(phases, groups, strict=True), start=1):
        if not months:
            errors.append(
                f"Rythme {number} : aucune échéance avec un intervalle de {phase.interval_months} mois "
                f"jusqu'au mois {phase.until_months} ; raccourcissez l'intervalle ou allongez la durée."
            )
    if sum(len(months) for months in groups) > MAX_OCCURRENCES:
        errors.append(f"Plus de {MAX_OCCURRENCES} échéances : vérifiez l'intervalle et la durée.")
    return errors


def offsets_by_phase(phases: Sequence[Phase], first_offset_months: int | None = None) -> list[list[int]]:
    """The occurrence months of each phase. A phase starts one of its intervals after the last occurrence
    of the previous one. Assumes valid phases."""
    current = phases[0].interval_months if first_offset_months is None else first_offset_months
    last: int | None = None
    groups: list[list[int]] = []
    for phase in phases:
        if last is not None:
            current = last + phase.interval_months
        months = []
        while current <= phase.until_months:
            months.append(current)
            current += phase.interval_months
        if months:
            last = months[-1]
        groups.append(months)
    return groups


def offsets(phases: Sequence[Phase], first_offset_months: int | None = None) -> list[int]:
    """The months (from the start of the follow-up) of every occurrence. Assumes valid phases."""
    return [month for months in offsets_by_phase(phases, first_offset_months) for month in months]


def follow_up_dates(
    start: datetime.date,
    phases: Sequence[Phase],
    first_offset_months: int | None = None,
    *,
    working_days: bool = True,
) -> list[datetime.date]:
    """The date of every occurrence; raises ``ScheduleError`` (French messages) on bad input."""
    errors = schedule_errors(phases, first_offset_months)
    problem = validate_start(start)
    if problem:
        errors.insert(0, problem.replace("La date de début", "La date de début du suivi"))
    if errors:
        raise ScheduleError(errors)
    # relativedelta clamps to the month's last day: 31 January + 1 month is 28 or 29 February.
    dates = [start + relativedelta(months=months) for months in offsets(phases, first_offset_months)]
    return [next_working_day(day) for day in dates] if working_days else dates


def _duration(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return f"{years} an" + ("s" if years > 1 else "")
    return f"{months} mois"


def _interval(months: int) -> str:
    if months == 1:
        return "tous les mois"
    if months == 12:
        return "tous les ans"
    if months % 12 == 0:
        return f"tous les {months // 12} ans"
    return f"tous les {months} mois"


def describe(phases: Sequence[Phase], first_offset_months: int | None = None) -> str:
    """ "tous les 6 mois pendant 2 ans, puis tous les ans jusqu'à 5 ans" (plain French for the patient)."""
    parts = []
    for number, phase in enumerate(phases):
        if number == 0:
            parts.append(f"{_interval(phase.interval_months)} pendant {_duration(phase.until_months)}")
        else:
            parts.append(f"puis {_interval(phase.interval_months)} jusqu'à {_duration(phase.until_months)}")
    text = ", ".join(parts)
    if first_offset_months == 0:
        text += " (première échéance au début du suivi)"
    elif first_offset_months is not None and phases and first_offset_months != phases[0].interval_months:
        text += f" (première échéance à {_duration(first_offset_months)})"
    return text


def phases_from_json(value) -> list[Phase]:
    return [Phase(int(interval), int(until)) for interval, until in value or []]


def phases_to_json(phases: Sequence[Phase]) -> list[list[int]]:
    return [[phase.interval_months, phase.until_months] for phase in phases]
