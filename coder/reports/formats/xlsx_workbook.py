"""Tally tables as an Excel workbook: a sheet per question, cross-table columns beside the counts.

Shares are stored as numbers formatted ``0%`` so that they can be computed with in Excel;
a comparison's sheet holds each value's cases and the change, a number shown signed.
openpyxl is imported when a workbook is written, not when the package is.
"""

from __future__ import annotations

from pathlib import Path

from coder.reports.formats.wording import (
    by_header,
    change_header,
    examples_text,
    footnotes,
    label_text,
    words,
)
from coder.reports.tally import Tally, TallyRow

SIGNED = "+0;-0;0"  # the change: +2, -1, 0


def to_xlsx(tallies: list[Tally], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for tally in tallies:
        w = words(tally)
        sheet = book.create_sheet(sheet_name(tally.question.id, used))
        sheet["A1"] = tally.question.title
        sheet["A1"].font = Font(bold=True, size=14)
        header = [w.category]
        if not tally.compare:
            header += [w.cases, w.share, w.passages, w.examples]
        header += [by_header(tally, v) for v in tally.by_values]
        if tally.compare:
            header.append(change_header(tally))
        sheet.append([])
        sheet.append(header)
        fill = PatternFill("solid", start_color="DDE5F0")
        for cell in sheet[3]:
            cell.font = Font(bold=True)
            cell.fill = fill
            cell.border = Border(bottom=Side(style="thin"))
        for row in tally.rows:
            sheet.append(_cells(tally, row))
            if tally.compare:
                sheet.cell(sheet.max_row, len(header)).number_format = SIGNED
            else:
                sheet.cell(sheet.max_row, 3).number_format = "0%"
            sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.append([])
        for note in footnotes(tally):
            sheet.append([note])
            sheet.cell(sheet.max_row, 1).font = Font(italic=True)
        sheet.freeze_panes = "A4"
        for i, _ in enumerate(header, start=1):
            cells = [sheet.cell(r, i).value for r in range(3, 4 + len(tally.rows))]
            longest = max(len(str(v)) for v in cells if v is not None)
            sheet.column_dimensions[get_column_letter(i)].width = min(max(longest + 2, 8), 60)
    book.save(path)


def _cells(tally: Tally, row: TallyRow) -> list[object]:
    """A row of the sheet: the counts (or, comparing, none), each column's cases, the change."""
    cells: list[object] = [label_text(row)]
    if not tally.compare:
        cells += [row.cases, row.share, row.segments, examples_text(row)]
    cells += [row.by[v] for v in tally.by_values]
    if tally.compare:
        cells.append(row.change)
    return cells


def sheet_name(question_id: str, used: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of ``[]:*?/\\``), unique in any case."""
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in question_id)[:31] or "sheet"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:28]}~{n}"
        n += 1
    used.add(name.lower())
    return name
