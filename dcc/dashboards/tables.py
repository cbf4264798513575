"""A figures table as every output shows it: the page (with its chart), CSV and XLSX.

A :class:`Table` is plain data: typed columns, rows of Python values (``int``, ``float``, ``str``, ``date``,
``None``), an optional chart description the browser draws (Chart.js) next to the table.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "int"  # "text", "int", "pct" (a percentage, 12.5), "var" (a variation in %), "date"

    @property
    def numeric(self) -> bool:
        return self.kind != "text" and self.kind != "date"


@dataclass
class Table:
    slug: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    note: str = ""
    chart: dict | None = None  # {"type": "bar"|"line"|"doughnut", "labels": [...], "datasets": [...]}
    caption: str = ""

    def header(self) -> list[str]:
        return [column.label for column in self.columns]

    def cells(self):
        """Rows with each cell paired with its column (for templates)."""
        for row in self.rows:
            yield list(zip(self.columns, row, strict=True))


def variation(current, previous) -> float | None:
    """Change from ``previous`` to ``current`` in percent (one decimal); ``None`` when there is no reference."""
    if current is None or not previous:
        return None
    return round(100 * (current - previous) / previous, 1)


def share(part, whole) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def format_cell(column: Column, value) -> str:
    """The French display of a value (pages and CSV): "12 345", "12,5 %", "+3,2 %", "31/12/2026"."""
    if value is None or value == "":
        return "—" if column.kind in ("var", "pct") else ""
    if column.kind == "text":
        return str(value)
    if column.kind == "date" and isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if column.kind == "var":
        return f"{value:+.1f} %".replace(".", ",")
    if column.kind == "pct":
        return f"{value:.1f} %".replace(".", ",")
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", " ").replace(".", ",")
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    return str(value)


def chart(kind: str, labels, datasets: list[tuple[str, list]], *, stacked: bool = False, unit: str = "") -> dict:
    return {
        "type": kind,
        "labels": [str(label) for label in labels],
        "datasets": [{"label": label, "data": list(data)} for label, data in datasets],
        "stacked": stacked,
        "unit": unit,
    }
