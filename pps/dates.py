"""Relative dates of the elements of a groupement d'EDP, on French working days.

Pure functions (no database): the groupement editor's preview, the PPS recomputation and the
protocol expansion all go through here.

Rules, as the seed's "Édition de groupement d'EDP" states them:

- the first element falls on the group's start date;
- "N jours ouvrés après l'élément précédent";
- "N jours de semaine complète après l'élément précédent" (calendar days);
- "N jours ouvrés après le début du groupement".

Working days (jours ouvrés) come from ``dcc.workdays`` (shared with the GP notice of ``rcp.gp``).
"N working days after D" counts the working days strictly after D: the result is always a
working day, except for N = 0 which keeps D itself.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models

from dcc.workdays import add_working_days

MAX_SPAN_DAYS = 5 * 366  # "absurd" beyond five years
MAX_WORKING_DAYS = 5 * 250  # about 251 working days a year in France: stays within MAX_SPAN_DAYS


class RuleKind(models.TextChoices):
    GROUP_START = "group_start", "Date de début du groupement"
    WORKING_AFTER_PREVIOUS = "working_after_previous", "jours ouvrés après l'élément précédent"
    CALENDAR_AFTER_PREVIOUS = "calendar_after_previous", "jours de semaine complète après l'élément précédent"
    WORKING_AFTER_START = "working_after_start", "jours ouvrés après le début du groupement"


@dataclass(frozen=True)
class Rule:
    kind: str
    delay: int = 0

    def describe(self, *, first: bool = False) -> str:
        if first or self.kind == RuleKind.GROUP_START:
            return "La date du premier élément de la liste est la même que celle du groupement."
        return f"{self.delay} {RuleKind(self.kind).label}"


class RuleError(ValueError):
    """A rule that cannot give a date; ``errors`` maps an element index (or None) to French messages."""

    def __init__(self, errors: dict[int | None, list[str]]):
        self.errors = errors
        super().__init__("; ".join(message for messages in errors.values() for message in messages))


def rule_errors(rules: Sequence[Rule]) -> dict[int | None, list[str]]:
    """French messages for rules that cannot be applied, by element index (empty when all is well)."""
    errors: dict[int | None, list[str]] = {}
    for index, rule in enumerate(rules):
        messages = []
        if rule.kind not in RuleKind.values:
            messages.append("Règle de date inconnue.")
        elif rule.delay < 0:
            messages.append(
                "Le délai ne peut pas être négatif : un élément ne peut pas précéder l'élément précédent "
                "ni le début du groupement."
            )
        elif rule.kind in (RuleKind.WORKING_AFTER_PREVIOUS, RuleKind.WORKING_AFTER_START) and (
            rule.delay > MAX_WORKING_DAYS
        ):
            messages.append(
                f"Délai de {rule.delay} jours ouvrés : au-delà de 5 ans, il s'agit sans doute d'une erreur."
            )
        elif rule.kind == RuleKind.CALENDAR_AFTER_PREVIOUS and rule.delay > MAX_SPAN_DAYS:
            messages.append(f"Délai de {rule.delay} jours : au-delà de 5 ans, il s'agit sans doute d'une erreur.")
        elif rule.kind == RuleKind.GROUP_START and rule.delay:
            messages.append("Un élément à la date de début du groupement n'a pas de délai.")
        if messages:
            errors[index] = messages
    return errors


def compute_schedule(
    start: datetime.date,
    rules: Sequence[Rule],
    overrides: dict[int, datetime.date] | None = None,
) -> list[tuple[datetime.date, datetime.date]]:
    """(date given by the rule, effective date) of each element, in order.

    ``overrides`` (index → date) replace the computed dates. Rules relative to the previous
    element follow the previous element's *effective* date (overridden or not): moving the
    surgery moves the consultation planned 14 days after it. Raises ``RuleError`` when a rule is
    invalid or an element would fall more than five years after the start.
    """
    errors = rule_errors(rules)
    start_problem = validate_start(start)
    if start_problem:
        errors.setdefault(None, []).append(start_problem)
    if errors:
        raise RuleError(errors)
    overrides = overrides or {}
    schedule: list[tuple[datetime.date, datetime.date]] = []
    for index, rule in enumerate(rules):
        previous = schedule[-1][1] if schedule else start
        if index == 0 or rule.kind == RuleKind.GROUP_START:
            computed = start
        elif rule.kind == RuleKind.WORKING_AFTER_PREVIOUS:
            computed = add_working_days(previous, rule.delay)
        elif rule.kind == RuleKind.CALENDAR_AFTER_PREVIOUS:
            computed = previous + datetime.timedelta(days=rule.delay)
        else:
            computed = add_working_days(start, rule.delay)
        effective = overrides.get(index, computed)
        if (effective - start).days > MAX_SPAN_DAYS:
            errors.setdefault(index, []).append(
                "Cet élément tombe plus de 5 ans après le début du groupement : vérifiez les délais."
            )
        schedule.append((computed, effective))
    if errors:
        raise RuleError(errors)
    return schedule


def compute_dates(
    start: datetime.date,
    rules: Sequence[Rule],
    overrides: dict[int, datetime.date] | None = None,
) -> list[datetime.date]:
    """The effective date of each element (see ``compute_schedule``)."""
    return [effective for _computed, effective in compute_schedule(start, rules, overrides)]


EARLIEST_START = datetime.date(2000, 1, 1)
LATEST_START = datetime.date(2100, 12, 31)


def validate_start(start: datetime.date) -> str | None:
    """A French message when a start date is outside what a care programme can use, else None."""
    if not EARLIEST_START <= start <= LATEST_START:
        return f"La date de début doit être comprise entre {EARLIEST_START:%d/%m/%Y} et {LATEST_START:%d/%m/%Y}."
    return None


def validate_override(start: datetime.date, day: datetime.date) -> str | None:
    """A French message when a user's date for an element is not acceptable, else None."""
    problem = validate_start(day)
    if problem:
        return problem.replace("La date de début", "La date")
    if day < start:
        return f"La date ne peut pas précéder le début du groupement ({start:%d/%m/%Y})."
    if (day - start).days > MAX_SPAN_DAYS:
        return "La date tombe plus de 5 ans après le début du groupement."
    return None


def months_between(days: Iterable[datetime.date]) -> list[tuple[int, int]]:
    """Every (year, month) from the earliest to the latest of ``days``."""
    days = sorted(days)
    if not days:
        return []
    year, month = days[0].year, days[0].month
    last = (days[-1].year, days[-1].month)
    months = []
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
