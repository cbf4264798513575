"""French working days (jours ouvrés): Monday to Friday, not a French public holiday (metropolitan calendar of
the ``holidays`` library: Easter Monday, Ascension and Whit Monday included).

Pure functions, shared by the PPS date engine (``pps.dates``, ``pps.ppac_schedule``, the calendar) and the
GP notice delay of ``rcp.gp.rules``: they sit at the platform's level, below both apps.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def french_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.France(years=year))


def holiday_name(day: datetime.date) -> str | None:
    return holidays.France(years=day.year).get(day)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in french_holidays(day.year)


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The ``count``-th working day strictly after ``day`` (``day`` itself when count is 0)."""
    if count < 0:
        raise ValueError("Le nombre de jours ouvrés ne peut pas être négatif.")
    current = day
    remaining = count
    one = datetime.timedelta(days=1)
    while remaining:
        current += one
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """How many working days lie in (start, end]."""
    one = datetime.timedelta(days=1)
    count, current = 0, start
    while current < end:
        current += one
        count += is_working_day(current)
    return count
