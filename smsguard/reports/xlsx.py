"""The spreadsheet form: one sheet per section, bold headers, thousands separators.

Written with openpyxl (the ``reports`` extra), imported only when a workbook is made, so the
rest of smsguard runs without it. Numbers are real numeric cells with a ``#,##0`` format, not
text, so a reviewer can sum and chart them; long text columns are widened so reasons are
readable without resizing. The workbook is not signed (the JSON form is); the summary sheet
says so and names the signed file to check.
"""

from __future__ import annotations

import io
from typing import Any

from smsguard.reports.layout import Cell, Section, Table, sections
from smsguard.reports.model import MonthlyReport

NUMBER_FORMAT = "#,##0"
MAX_WIDTH = 80
_NOTE = (
    "本表未签名；请以同期签名 JSON 报告为准 / This workbook is not signed: the signed JSON "
    "report of the same period is authoritative (smsguard report verify)."
)


def workbook_bytes(report: MonthlyReport) -> bytes:
    """The report as an .xlsx file."""
    from openpyxl import Workbook

    book = Workbook()
    first = True
    for section in sections(report):
        sheet = book.active if first else book.create_sheet()
        first = False
        _fill(sheet, section)
    book.active.cell(row=book.active.max_row + 2, column=1, value=_NOTE)
    book.properties.title = f"smsguard monthly report {report.institution} {report.period}"
    book.properties.creator = "smsguard"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(sheet: Any, section: Section) -> None:
    from openpyxl.styles import Font

    sheet.title = section.sheet
    sheet.cell(row=1, column=1, value=section.title).font = Font(bold=True, size=14)
    row = 3
    widths: dict[int, int] = {}
    for table in section.tables:
        row = _table(sheet, table, row, widths) + 1
    for column, width in widths.items():
        sheet.column_dimensions[_letter(column)].width = min(MAX_WIDTH, width + 2)
    sheet.freeze_panes = "A3"


def _table(sheet: Any, table: Table, row: int, widths: dict[int, int]) -> int:
    """Write ``table`` from ``row``; the next free row."""
    from openpyxl.styles import Alignment, Font, PatternFill

    sheet.cell(row=row, column=1, value=table.title).font = Font(bold=True, size=12)
    row += 1
    fill = PatternFill("solid", fgColor="DDE6F0")
    for column, header in enumerate(table.headers, start=1):
        cell = sheet.cell(row=row, column=column, value=header)
        cell.font, cell.fill = Font(bold=True), fill
        _widen(widths, column, header)
    for values in table.rows:
        row += 1
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            if isinstance(value, int):
                cell.number_format = NUMBER_FORMAT
            elif isinstance(value, str) and "\n" in value:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            _widen(widths, column, value)
    return row + 1


def _widen(widths: dict[int, int], column: int, value: Cell) -> None:
    text = "" if value is None else str(value)
    longest = max((_display_width(line) for line in text.split("\n")), default=0)
    widths[column] = max(widths.get(column, 8), longest)


def _display_width(text: str) -> int:
    """Characters as a spreadsheet shows them: a CJK character takes two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))
