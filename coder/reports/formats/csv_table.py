"""Tally tables as one CSV for every question: machine-readable, codes and labels both.

Column names stay in English whatever the codebook's language, so that scripts reading
the file need not know it; suggestions and cross-tabulations add columns (``år=2018``,
``coder=anna``), a comparison the column ``change`` (a plain signed integer: -1, 0, 2).
How the file is spelled (separator, byte-order mark, decimal sign) is the ``CsvStyle``
given; the default is plain comma-separated UTF-8.
"""

from __future__ import annotations

from typing import IO

from coder.reports.formats.csv_style import CsvStyle
from coder.reports.formats.wording import examples_text
from coder.reports.tally import Tally

CSV_COLUMNS = ("question", "code", "label", "cases", "segments", "share", "examples")


def csv_columns(tallies: list[Tally]) -> list[str]:
    """The columns: the fixed ones, ``suggested_cases`` if any, then ``by=value`` columns,
    then ``change`` if any tally is a comparison."""
    columns = list(CSV_COLUMNS)
    if any(t.min_score is not None for t in tallies):
        columns.append("suggested_cases")
    for tally in tallies:
        for value in tally.by_values:
            name = f"{tally.by}={value}"
            if name not in columns:
                columns.append(name)
    if any(t.compare for t in tallies):
        columns.append("change")
    return columns


def to_csv(tallies: list[Tally], stream: IO[str], style: CsvStyle | None = None) -> None:
    style = style or CsvStyle()
    columns = csv_columns(tallies)
    writer = style.writer(stream, columns)
    writer.writeheader()
    for tally in tallies:
        for row in tally.rows:
            record: dict[str, object] = {
                "question": tally.question.id,
                "code": row.code,
                "label": row.label,
                "cases": row.cases,
                "segments": row.segments,
                "share": style.number(row.share, 4),
                "examples": examples_text(row),
            }
            if "suggested_cases" in columns:
                record["suggested_cases"] = row.suggested_cases
            for value, n in row.by.items():
                record[f"{tally.by}={value}"] = n
            if row.change is not None:
                record["change"] = row.change
            writer.writerow(record)
