"""Tally tables as a PowerPoint deck: per question a slide with a native table and bar chart.

The table keeps the example cases beside the counts (also with ``--by`` and ``--compare``,
as long as there is room), text is at least 12 pt and the footnotes 14 pt, so that the slide
reads in a seminar room. The richer seminar deck (definitions, quotes, method) is
``coder deck`` (:mod:`seminar_deck`); both build on :mod:`slides`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

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
from coder.reports.seminar_words import deck_words
from coder.reports.tally import Tally, TallyRow

if TYPE_CHECKING:
    from pptx.slide import Slide

TABLE_WIDTH = 6.6  # inches, the chart beside it
FULL_WIDTH = WIDTH - 2 * MARGIN
TABLE_HEIGHT = 5.1  # inches between the title and the footnote
LABEL_WIDTH, NUMBER_WIDTH = 2.3, 0.75
LABEL_MIN = 1.8  # below this the table takes the slide's width, the chart a slide of its own
VALUE_WIDTH, CHANGE_WIDTH = 0.95, 1.15  # "2018 (n=14)", "Förändring 2018–2019" on two lines
EXAMPLES_WIDTH = 1.4  # the least room for example cases; with less they make way for counts


def to_pptx(tallies: list[Tally], path: Path) -> None:
    """Per question a 16:9 slide with the title, a native table and a native bar chart.
    A table too wide to leave room for the chart gets the slide's width and the chart a
    slide of its own; a table too long for one slide continues on the next."""
    deck = slides.new_deck()
    for tally in tallies:
        table = table_of(tally)
        wide = table.widths[0] < LABEL_WIDTH and not table.examples
        if wide:
            table = table_of(tally, FULL_WIDTH)
        groups = slides.row_groups(table.header, table.rows, table.widths, TABLE_HEIGHT)
        for i, group in enumerate(groups):
            title = tally.question.title
            more = deck_words(tally.language).continued
            slide = slides.titled_slide(deck, title if i == 0 else f"{title} {more}")
            slides.add_table(
                slide,
                (MARGIN, 1.4, sum(table.widths), TABLE_HEIGHT),
                table.header,
                group,
                table.widths,
                numbers=range(1, 1 + table.numbers),
            )
            if i == 0 and not wide:
                slides.add_bar_chart(slide, (7.3, 1.3, 5.6, 5.3), tally)
            if i == len(groups) - 1:
                _footnote(slide, tally)
        if wide:
            slide = slides.titled_slide(deck, tally.question.title)
            slides.add_bar_chart(slide, (MARGIN, 1.3, FULL_WIDTH, 5.3), tally)
            _footnote(slide, tally)
    deck.save(str(path))


def _footnote(slide: Slide, tally: Tally) -> None:
    slides.add_text(
        slide,
        (MARGIN, 6.7, FULL_WIDTH, 0.6),
        [Text(" ".join(footnotes(tally)), size=14, italic=True)],
    )


class TableLayout(NamedTuple):
    header: list[str]
    rows: list[list[str]]
    widths: list[float]  # inches, adding up to the table's width
    numbers: int  # columns of counts after the label
    examples: bool  # whether the example cases have a column


def table_of(tally: Tally, width: float = TABLE_WIDTH) -> TableLayout:
    """The table in ``width`` inches: the label, the counts, and the example cases where
    there is room. Column headings break before "(n=…)" and after "Förändring" rather than
    inside a word; with very many columns the counts share what the label leaves."""
    w = words(tally)
    values = [by_header(tally, v).replace(" (n=", "\n(n=") for v in tally.by_values]
    if tally.compare:
        header = [w.category, *values, change_header(tally).replace(" ", "\n", 1)]
        widths = [VALUE_WIDTH] * len(values) + [CHANGE_WIDTH]
    elif values:
        header = [w.category, w.cases, *values]
        widths = [NUMBER_WIDTH] + [VALUE_WIDTH] * len(values)
    else:
        header = [w.category, w.cases, w.share]
        widths = [NUMBER_WIDTH, NUMBER_WIDTH]
    examples = width - LABEL_WIDTH - sum(widths) >= EXAMPLES_WIDTH
    if width - sum(widths) < LABEL_MIN:  # too many columns: they share what is left
        widths = [x * (width - LABEL_MIN) / sum(widths) for x in widths]
    label_width = LABEL_WIDTH if examples else width - sum(widths)
    widths = [label_width, *widths]
    if examples:
        header.append(w.examples)
        widths.append(width - sum(widths))
    rows = [_cells(tally, row, examples) for row in tally.rows]
    return TableLayout(header, rows, widths, len(widths) - 1 - examples, examples)


def _cells(tally: Tally, row: TallyRow, examples: bool) -> list[str]:
    counts = [str(row.by[v]) for v in tally.by_values]
    if tally.compare:
        cells = [label_text(row), *counts, change_text(row.change)]
    elif tally.by_values:
        cells = [label_text(row), str(row.cases), *counts]
    else:
        cells = [label_text(row), str(row.cases), percent(row.share, words(tally))]
    return cells + [examples_text(row)] if examples else cells
