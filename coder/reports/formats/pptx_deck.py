"""Tally tables as a PowerPoint deck: per question a slide with a native table and bar chart.

The table keeps the example cases beside the counts (also with ``--by`` and ``--compare``,
as long as there is room), text is at least 12 pt and the footnotes 14 pt, so that the slide
reads in a seminar room. The richer seminar deck (definitions, quotes, method) is
``coder deck`` (:mod:`seminar_deck`); both build on :mod:`slides`.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from coder.reports.formats import slides
from coder.reports.formats.slides import MARGIN, WIDTH, Text
from coder.reports.formats.wording import (
    by_header,
    change_header,
    change_text,
    examples_text,
    footnotes,
    label_text,
    percent,
    words,
)
from coder.reports.tally import Tally, TallyRow

TABLE_WIDTH = 6.6  # inches, the chart beside it
LABEL_WIDTH, NUMBER_WIDTH = 2.3, 0.75
EXAMPLES_WIDTH = 1.4  # the least room for example cases; with less they make way for counts


def to_pptx(tallies: list[Tally], path: Path) -> None:
    """One 16:9 slide per question: title, a native table and a native bar chart."""
    deck = slides.new_deck()
    for tally in tallies:
        slide = slides.titled_slide(deck, tally.question.title)
        table = table_of(tally)
        slides.add_table(
            slide,
            (MARGIN, 1.4, TABLE_WIDTH, 5.0),
            table.header,
            table.rows,
            table.widths,
            numbers=range(1, 1 + table.numbers),
        )
        slides.add_bar_chart(slide, (7.3, 1.3, 5.6, 5.3), tally)
        slides.add_text(
            slide,
            (MARGIN, 6.7, WIDTH - 2 * MARGIN, 0.6),
            [Text("  ".join(footnotes(tally)), size=14, italic=True)],
        )
    deck.save(str(path))


class TableLayout(NamedTuple):
    header: list[str]
    rows: list[list[str]]
    widths: list[float]  # inches, adding up to TABLE_WIDTH
    numbers: int  # columns of counts after the label


def table_of(tally: Tally) -> TableLayout:
    """The table: the label, the counts, and the example cases where there is room."""
    w = words(tally)
    values = tally.by_values
    if tally.compare:
        header = [w.category, *[by_header(tally, v) for v in values], change_header(tally)]
    elif values:
        header = [w.category, w.cases, *[by_header(tally, v) for v in values]]
    else:
        header = [w.category, w.cases, w.share]
    numbers = len(header) - 1
    examples = TABLE_WIDTH - LABEL_WIDTH - NUMBER_WIDTH * numbers >= EXAMPLES_WIDTH
    if examples:
        header.append(w.examples)
    rows = [_cells(tally, row, examples) for row in tally.rows]
    label_width = LABEL_WIDTH if examples else TABLE_WIDTH - NUMBER_WIDTH * numbers
    widths = [label_width] + [NUMBER_WIDTH] * numbers
    if examples:
        widths.append(TABLE_WIDTH - sum(widths))
    return TableLayout(header, rows, widths, numbers)


def _cells(tally: Tally, row: TallyRow, examples: bool) -> list[str]:
    counts = [str(row.by[v]) for v in tally.by_values]
    if tally.compare:
        cells = [label_text(row), *counts, change_text(row.change)]
    elif tally.by_values:
        cells = [label_text(row), str(row.cases), *counts]
    else:
        cells = [label_text(row), str(row.cases), percent(row.share, words(tally))]
    return cells + [examples_text(row)] if examples else cells
