"""Dates produced by a recurrence rule (pure functions, no database)."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from rcp.enums import RecurrenceKind


@dataclass(frozen=True)
class Rule:
    kind: str
    weekday: int
    start_date: datetime.date
    interval_weeks: int = 1
    week_of_month: int | None = None
    end_date: datetime.date | None = None


def nth_weekday(year: int, month: int, weekday: int, n: int) -> datetime.date | None:
    """The n-th (1..5, or -1 for the last) given weekday of a month; None when the month has no such day."""
    days = [
        datetime.date(year, month, day)
        for day in range(1, calendar.monthrange(year, month)[1] + 1)
        if datetime.date(year, month, day).weekday() == weekday
    ]
    if n == -1:
        return days[-1]
    return days[n - 1] if 1 <= n <= len(days) else None


def occurrences(rule: Rule, start: datetime.date, end: datetime.date) -> Iterator[datetime.date]:
    """Every date of the rule within [start, end] (both included) and within the rule's own bounds."""
    low = max(start, rule.start_date)
    high = min(end, rule.end_date) if rule.end_date else end
    if low > high:
        return
    if rule.kind == RecurrenceKind.WEEKLY:
        # Anchor: the first matching weekday on or after the rule's start; then every N weeks from it.
        anchor = rule.start_date + datetime.timedelta(days=(rule.weekday - rule.start_date.weekday()) % 7)
        step = 7 * rule.interval_weeks
        offset = max(0, (low - anchor).days)
        current = anchor + datetime.timedelta(days=-(-offset // step) * step)
        while current <= high:
            yield current
            current += datetime.timedelta(days=step)
    elif rule.kind == RecurrenceKind.MONTHLY:
        year, month = low.year, low.month
        while datetime.date(year, month, 1) <= high:
            day = nth_weekday(year, month, rule.weekday, rule.week_of_month or 1)
            if day and low <= day <= high:
                yield day
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    else:
        raise ValueError(f"unknown recurrence kind: {rule.kind}")
