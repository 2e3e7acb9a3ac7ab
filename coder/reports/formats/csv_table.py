"""Tally tables as one CSV for every question: machine-readable, codes and labels both.

Column names stay in English whatever the codebook's language, so that scripts reading
the file need not know it; suggestions and cross-tabulations add columns.
"""

from __future__ import annotations

import csv
from typing import IO

from coder.reports.formats.wording import examples_text
from coder.reports.tally import Tally

CSV_COLUMNS = ("question", "code", "label", "cases", "segments", "share", "examples")


def csv_columns(tallies: list[Tally]) -> list[str]:
    """The columns: the fixed ones, ``suggested_cases`` if any, then ``by=value`` columns."""
    columns = list(CSV_COLUMNS)
    if any(t.min_score is not None for t in tallies):
        columns.append("suggested_cases")
    for tally in tallies:
        for value in tally.by_values:
            name = f"{tally.by}={value}"
            if name not in columns:
                columns.append(name)
    return columns


def to_csv(tallies: list[Tally], stream: IO[str]) -> None:
    columns = csv_columns(tallies)
    writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n", restval="")
    writer.writeheader()
    for tally in tallies:
        for row in tally.rows:
            record: dict[str, object] = {
                "question": tally.question.id,
                "code": row.code,
                "label": row.label,
                "cases": row.cases,
                "segments": row.segments,
                "share": f"{row.share:.4f}",
                "examples": examples_text(row),
            }
            if "suggested_cases" in columns:
                record["suggested_cases"] = row.suggested_cases
            for value, n in row.by.items():
                record[f"{tally.by}={value}"] = n
            writer.writerow(record)
