"""Liberal doctors' indemnification for their RCP attendance: the region's rule applied to their attendance.

``statements(rows, rule)`` is pure: each liberal doctor's sessions attended in the period, which are paid (a
video attendance only when the rule says so; at most N sessions a month; at most X € a calendar year) and why
the others are not, and the amount.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from dcc.dashboards.models import IndemnityRule
from dcc.dashboards.tables import Column


@dataclass
class Line:
    session_id: int
    day: datetime.date
    rcp: str
    three_c: str
    mode: str
    paid: bool
    reason: str = ""


@dataclass
class Statement:
    professional_id: int
    last_name: str
    first_name: str
    rpps: str
    lines: list[Line] = field(default_factory=list)

    @property
    def attended(self) -> int:
        return len(self.lines)

    @property
    def paid(self) -> int:
        return sum(1 for line in self.lines if line.paid)

    amount: Decimal = Decimal("0.00")


def rule_for(day: datetime.date) -> IndemnityRule | None:
    return IndemnityRule.objects.filter(valid_from__lte=day).order_by("-valid_from").first()


def statements(rows, rule: IndemnityRule) -> list[Statement]:
    """``rows`` as ``rcp.dashboard_selectors.attendance_rows`` gives them (ordered by doctor then date)."""
    result: list[Statement] = []
    current: Statement | None = None
    per_month: dict[tuple[int, int], int] = {}
    per_year: dict[int, Decimal] = {}
    for professional_id, last, first, rpps, session_id, starts_at, rcp, three_c, _, mode in rows:
        if current is None or current.professional_id != professional_id:
            current = Statement(professional_id, last, first, rpps)
            result.append(current)
            per_month, per_year = {}, {}
        day = timezone.localtime(starts_at).date()
        line = Line(session_id, day, rcp, three_c, mode, paid=False)
        month = (day.year, day.month)
        if mode == "visio" and not rule.count_video:
            line.reason = "Présence en visioconférence non indemnisée"
        elif rule.max_sessions_per_month is not None and per_month.get(month, 0) >= rule.max_sessions_per_month:
            line.reason = f"Plafond de {rule.max_sessions_per_month} séances par mois atteint"
        elif rule.max_amount_per_year is not None and per_year.get(day.year, Decimal(0)) + rule.amount_per_session > (
            rule.max_amount_per_year
        ):
            line.reason = f"Plafond annuel de {rule.max_amount_per_year} € atteint"
        else:
            line.paid = True
            per_month[month] = per_month.get(month, 0) + 1
            per_year[day.year] = per_year.get(day.year, Decimal(0)) + rule.amount_per_session
            current.amount += rule.amount_per_session
        current.lines.append(line)
    return result


PAYMENT_COLUMNS = [
    Column("RPPS", "text"),
    Column("Nom", "text"),
    Column("Prénom", "text"),
    Column("Séances présentes"),
    Column("Séances indemnisées"),
    Column("Montant (€)", "money"),
]


def payment_rows(items: list[Statement]) -> list[list]:
    return [[item.rpps, item.last_name, item.first_name, item.attended, item.paid, item.amount] for item in items]
