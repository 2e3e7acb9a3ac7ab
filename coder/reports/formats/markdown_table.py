"""Tally tables as Markdown: a pipe table per question, a cross-table when asked, footnotes."""

from __future__ import annotations

from coder.reports.formats.wording import by_title, cross_table, footnotes, main_table
from coder.reports.tally import Tally


def to_markdown(tallies: list[Tally]) -> str:
    """Per question a heading and its table; with ``by`` (or by coder) the cross-table
    after it; with ``compare`` only the comparison, each year's cases and the change."""
    parts: list[str] = []
    for tally in tallies:
        parts.append(f"## {tally.question.title}\n")
        if not tally.compare:
            parts.append(md_table(main_table(tally), right=(1, 2, 3)))
        if tally.by_values:  # (a tally by coder of a question nobody coded has none)
            if not tally.compare:
                parts.append(f"{by_title(tally)}:\n")
            lines = cross_table(tally)
            parts.append(md_table(lines, right=tuple(range(1, len(lines[0])))))
        parts.append("  \n".join(footnotes(tally)) + "\n")
    return "\n".join(parts)


def _md_cell(text: object) -> str:
    """A cell that cannot break the table: pipes escaped, newlines flattened."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def md_table(lines: list[list[str]], right: tuple[int, ...]) -> str:
    """A pipe table from a header line and rows; the columns in ``right`` right-aligned."""
    out = ["| " + " | ".join(_md_cell(c) for c in lines[0]) + " |"]
    out.append("|" + "|".join("---:" if i in right else "---" for i in range(len(lines[0]))) + "|")
    out += ["| " + " | ".join(_md_cell(c) for c in line) + " |" for line in lines[1:]]
    return "\n".join(out) + "\n"
