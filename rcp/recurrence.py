"""Dates produced by a recurrence rule (pure functions, no database), on ``dateutil.rrule`` (RFC 5545 rules)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from dateutil.rrule import FR, MO, MONTHLY, SA, SU, TH, TU, WE, WEEKLY, rrule

from rcp.enums import RecurrenceKind

WEEKDAYS = (MO, TU, WE, TH, FR, SA, SU)  # index: ``datetime.date.weekday()`` (Monday 0)


@dataclass(frozen=True)
class Rule:
    kind: str
    weekday: int
    start_date: datetime.date
    interval_weeks: int = 1
    week_of_month: int | None = None
    end_date: datetime.date | None = None


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time())


def nth_weekday(year: int, month: int, weekday: int, n: int) -> datetime.date | None:
    """The n-th (1..5, or -1 for the last) given weekday of a month; None when the month has no such day."""
    first = _midnight(datetime.date(year, month, 1))
    days = rrule(MONTHLY, byweekday=WEEKDAYS[weekday](n), dtstart=first, until=first + relativedelta(day=31))
    return next((day.date() for day in days), None)


def as_rrule(rule: Rule) -> rrule:
    """The rule as an RFC 5545 recurrence.

    Weekly: every N weeks from the first matching weekday on or after the rule's start (so the phase does not depend
    on the week the start falls in). Monthly: the Nth (or last, -1) weekday of each month, months without it skipped.
    """
    until = _midnight(rule.end_date) if rule.end_date else None
    if rule.kind == RecurrenceKind.WEEKLY:
        anchor = rule.start_date + datetime.timedelta(days=(rule.weekday - rule.start_date.weekday()) % 7)
        return rrule(WEEKLY, interval=rule.interval_weeks, dtstart=_midnight(anchor), until=until)
    if rule.kind == RecurrenceKind.MONTHLY:
        byweekday = WEEKDAYS[rule.weekday](rule.week_of_month or 1)
        return rrule(MONTHLY, byweekday=byweekday, dtstart=_midnight(rule.start_date), until=until)
    raise ValueError(f"unknown recurrence kind: {rule.kind}")


def occurrences(rule: Rule, start: datetime.date, end: datetime.date) -> Iterator[datetime.date]:
    """Every date of the rule within [start, end] (both included) and within the rule's own bounds."""
    recurrence = as_rrule(rule)
    for moment in recurrence.between(_midnight(start), _midnight(end), inc=True):
        yield moment.date()
