"""The PPS calendar: one row per month, one column per day, each EDP coloured by its type."""

from __future__ import annotations

import calendar as std_calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from dcc.workdays import french_holidays
from pps.dates import months_between

MONTH_NAMES = [
    "",
    "Janvier",
    "Février",
    "Mars",
    "Avril",
    "Mai",
    "Juin",
    "Juillet",
    "Août",
    "Septembre",
    "Octobre",
    "Novembre",
    "Décembre",
]
DAY_NAMES = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MAX_MONTHS = 36


@dataclass
class Cell:
    day: int
    date: datetime.date | None
    weekend: bool = False
    holiday: bool = False
    elements: list = field(default_factory=list)
    periods: list = field(default_factory=list)

    @property
    def exists(self) -> bool:
        return self.date is not None

    @property
    def css_class(self) -> str:
        if not self.exists:
            return "pps-cal-void"
        if self.elements:
            return self.elements[0].type.css_class
        if self.periods:
            return "pps-cal-period"
        return "pps-cal-off" if self.weekend or self.holiday else ""

    @property
    def description(self) -> str:
        if not self.exists:
            return ""
        text = f"{DAY_NAMES[self.date.weekday()]} {self.date.day} {MONTH_NAMES[self.date.month].lower()}"
        if self.elements:
            text += " : " + ", ".join(element.title for element in self.elements)
        elif self.periods:
            text += " : suite de " + ", ".join(element.title for element in self.periods)
        return text


@dataclass
class MonthRow:
    year: int
    month: int
    cells: list[Cell]

    @property
    def label(self) -> str:
        return f"{MONTH_NAMES[self.month]} {self.year}"


def build_calendar(elements, *, extra_months: int = 0) -> list[MonthRow]:
    """The months from the first to the last element's date (at most ``MAX_MONTHS``)."""
    by_day = defaultdict(list)
    for element in elements:
        by_day[element.planned_date].append(element)
    months = months_between(by_day)[:MAX_MONTHS]
    if not months:
        return []
    last_shown = datetime.date(*months[-1], std_calendar.monthrange(*months[-1])[1])
    in_period = defaultdict(list)
    one = datetime.timedelta(days=1)
    for element in elements:
        day = element.planned_date + one
        end = min(element.end_date, last_shown) if element.end_date else None
        while end is not None and day <= end:
            in_period[day].append(element)
            day += one
    rows = []
    for year, month in months:
        length = std_calendar.monthrange(year, month)[1]
        holidays = french_holidays(year)
        cells = []
        for day in range(1, 32):
            if day > length:
                cells.append(Cell(day, None))
                continue
            date = datetime.date(year, month, day)
            cells.append(
                Cell(day, date, date.weekday() >= 5, date in holidays, by_day.get(date, []), in_period.get(date, []))
            )
        rows.append(MonthRow(year, month, cells))
    return rows


def legend(elements) -> list:
    """The EDP types of ``elements``, once each, by label (the calendar's legend)."""
    return sorted({element.type.kind: element.type for element in elements}.values(), key=lambda kind: kind.label)
