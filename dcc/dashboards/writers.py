"""Row writers for exports: CSV for French Excel (UTF-8 with BOM, « ; ») and XLSX (typed cells, frozen header).

Both take an iterable of rows and write them one by one to a binary file object, so an export of a million
rows keeps a constant memory (openpyxl's write-only mode streams the sheet to a temporary file).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import decimal
import io
from collections.abc import Callable, Iterable

from dcc.dashboards.tables import Column

BOM = codecs.BOM_UTF8


def csv_value(column: Column, value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float | decimal.Decimal):
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",") if value % 1 else str(int(value))
    return str(value)


class _Echo:
    """A file-like object whose ``write`` returns what it is given (for streaming responses)."""

    def write(self, value):
        return value


def csv_lines(columns: list[Column], rows: Iterable) -> Iterable[bytes]:
    """The CSV file as a stream of encoded chunks, BOM first."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield BOM
    yield writer.writerow([column.label for column in columns]).encode("utf-8")
    for row in rows:
        yield writer.writerow([csv_value(column, value) for column, value in zip(columns, row, strict=True)]).encode(
            "utf-8"
        )


def write_csv(target, columns: list[Column], rows: Iterable, *, progress: Callable[[int], None] | None = None) -> int:
    count = 0
    for index, chunk in enumerate(csv_lines(columns, rows)):
        target.write(chunk)
        if index >= 2:
            count += 1
            if progress and count % 2000 == 0:
                progress(count)
    return count


NUMBER_FORMATS = {
    "int": "#,##0",
    "pct": '0.0" %"',
    "var": '+0.0" %";-0.0" %";0.0" %"',
    "date": "DD/MM/YYYY",
    "money": '#,##0.00" €"',
    "float": "0.0",
}


def xlsx_value(column: Column, value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def write_xlsx(
    target,
    columns: list[Column],
    rows: Iterable,
    *,
    title: str = "Export",
    subtitle: str = "",
    progress: Callable[[int], None] | None = None,
) -> int:
    """An XLSX workbook: one sheet, a bold frozen header, typed cells (numbers, dates), the filters in a second
    sheet. Returns the number of data rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    formats = [NUMBER_FORMATS.get(column.kind) for column in columns]
    count = 0
    for row in rows:
        cells = []
        for column, value, number_format in zip(columns, row, formats, strict=True):
            value = xlsx_value(column, value)
            if number_format and value is not None and not isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        count += 1
        if progress and count % 2000 == 0:
            progress(count)
    about = workbook.create_sheet(title="Filtres")
    about.append([title])
    if subtitle:
        about.append([subtitle])
    workbook.save(target)
    return count


def xlsx_bytes(columns: list[Column], rows: Iterable, *, title: str, subtitle: str = "") -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, columns, rows, title=title, subtitle=subtitle)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    cleaned = "".join(char for char in title if char not in "[]:*?/\\")
    return (cleaned or "Export")[:31]
