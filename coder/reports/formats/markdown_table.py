"""Tally tables as Markdown: a pipe table per question, a cross-table when asked, footnotes."""

from __future__ import annotations

from coder.reports.formats.wording import (
    by_header,
    examples_text,
    footnotes,
    label_text,
    percent,
    words,
)
from coder.reports.tally import Tally


def to_markdown(tallies: list[Tally]) -> str:
    parts: list[str] = []
    for tally in tallies:
        w = words(tally)
        parts.append(f"## {tally.question.title}\n")
        header = [w.category, w.cases, w.share, w.passages, w.examples]
        lines = [header]
        for row in tally.rows:
            lines.append(
                [
                    label_text(row),
                    str(row.cases),
                    percent(row.share, w),
                    str(row.segments),
                    examples_text(row),
                ]
            )
        parts.append(_md_table(lines, right=(1, 2, 3)))
        if tally.by:
            parts.append(f"\n{w.by.format(by=tally.by)}:\n")
            lines = [[w.category] + [by_header(tally, v) for v in tally.by_values]]
            for row in tally.rows:
                lines.append([label_text(row)] + [str(row.by[v]) for v in tally.by_values])
            parts.append(_md_table(lines, right=tuple(range(1, len(lines[0])))))
        parts.append("  \n".join(footnotes(tally)) + "\n")
    return "\n".join(parts)


def _md_cell(text: object) -> str:
    """A cell that cannot break the table: pipes escaped, newlines flattened."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_table(lines: list[list[str]], right: tuple[int, ...]) -> str:
    """A pipe table from a header line and rows; the columns in ``right`` right-aligned."""
    out = ["| " + " | ".join(_md_cell(c) for c in lines[0]) + " |"]
    out.append("|" + "|".join("---:" if i in right else "---" for i in range(len(lines[0]))) + "|")
    out += ["| " + " | ".join(_md_cell(c) for c in line) + " |" for line in lines[1:]]
    return "\n".join(out) + "\n"
