"""The agenda's month and week grids: days (Monday first), each with its sessions or only their count. Pure: the
sessions are read by ``rcp.selectors``."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from rcp.models import Session


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    sessions: list[Session] = field(default_factory=list)
    count: int = 0

    @property
    def is_today(self) -> bool:
        return self.date == timezone.localdate()


def month_grid(
    year: int, month: int, sessions: list[Session], counts: dict[datetime.date, int] | None = None
) -> list[list[Day]]:
    """Weeks (Monday first) covering the month, each day with its sessions (or only their count)."""
    by_day: dict[datetime.date, list[Session]] = {}
    for session in sessions:
        by_day.setdefault(timezone.localtime(session.starts_at).date(), []).append(session)
    counts = counts or {}
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return [
        [Day(day, day.month == month, by_day.get(day, []), counts.get(day, len(by_day.get(day, [])))) for day in week]
        for week in weeks
    ]


def week_days(monday: datetime.date, sessions: list[Session]) -> list[Day]:
    by_day: dict[datetime.date, list[Session]] = {}
    for session in sessions:
        by_day.setdefault(timezone.localtime(session.starts_at).date(), []).append(session)
    return [
        Day(monday + datetime.timedelta(days=i), True, by_day.get(monday + datetime.timedelta(days=i), []))
        for i in range(7)
    ]
