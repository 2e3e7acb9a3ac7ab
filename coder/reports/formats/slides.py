"""Building blocks for 16:9 PowerPoint slides: a titled slide, text, a native table and a
native bar chart of a tally, at sizes readable in a seminar room.

Native (editable) tables and charts rather than pictures, so that the evaluator can restyle
a slide in PowerPoint. Used by the tally's slides (:mod:`pptx_deck`) and the seminar deck
(:mod:`seminar_deck`). python-pptx is imported when a slide is made, not with the package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from coder.reports.formats.wording import by_header, label_text, words, wrap
from coder.reports.formats.xml_text import xml_safe
from coder.reports.tally import Tally

if TYPE_CHECKING:
    from pptx.chart.chart import Chart
    from pptx.chart.data import ChartData
    from pptx.presentation import Presentation as Deck
    from pptx.shapes.graphfrm import GraphicFrame
    from pptx.slide import Slide
    from pptx.table import Table

WIDTH, HEIGHT = 13.333, 7.5  # inches: 16:9
MARGIN = 0.5
TITLE_ONLY, TITLE_SLIDE = 5, 0  # layouts of python-pptx's default template
GREY = (0x59, 0x59, 0x59)

Box = tuple[float, float, float, float]  # left, top, width, height in inches


@dataclass(frozen=True)
class Text:
    """One paragraph of a text box."""

    text: str
    size: int = 16
    bold: bool = False
    italic: bool = False
    grey: bool = False
    space_after: int = 6  # points


def new_deck() -> Deck:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(WIDTH), Inches(HEIGHT)
    return deck


def titled_slide(deck: Deck, title: str, *, size: int = 28) -> Slide:
    """A "Title Only" slide with the title across the top."""
    from pptx.util import Inches, Pt

    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    shape = slide.shapes.title
    assert shape is not None
    shape.left, shape.top = Inches(MARGIN), Inches(0.3)
    shape.width, shape.height = Inches(WIDTH - 2 * MARGIN), Inches(0.9)
    shape.text = xml_safe(title)
    shape.text_frame.paragraphs[0].font.size = Pt(size)
    return slide


def add_text(slide: Slide, box: Box, paragraphs: Sequence[Text]) -> None:
    """A text box with the paragraphs, wrapped to the box's width."""
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    shape = slide.shapes.add_textbox(*(Inches(v) for v in box))
    frame = shape.text_frame
    frame.word_wrap = True
    for i, item in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = xml_safe(item.text)
        paragraph.space_after = Pt(item.space_after)
        font = paragraph.font
        font.size, font.bold, font.italic = Pt(item.size), item.bold, item.italic
        if item.grey:
            font.color.rgb = RGBColor(*GREY)


def add_table(
    slide: Slide,
    box: Box,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    size: int = 12,
    numbers: Sequence[int] = (),
) -> Table:
    """A native table: a bold header row, then the rows; ``numbers`` are the columns set
    right-aligned. Rows start low and grow with their text when the deck is opened."""
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches, Pt

    left, top, width, _height = box
    table = slide.shapes.add_table(
        len(rows) + 1, len(header), Inches(left), Inches(top), Inches(width), Inches(0.4)
    ).table
    for i, column_width in enumerate(widths):
        table.columns[i].width = Inches(column_width)
    for r, values in enumerate([header, *rows]):
        table.rows[r].height = Inches(0.4)
        for c, text in enumerate(values):
            cell = table.cell(r, c)
            cell.text = xml_safe(text)
            for paragraph in cell.text_frame.paragraphs:
                paragraph.font.size = Pt(size)
                paragraph.font.bold = r == 0
                if c in numbers:
                    paragraph.alignment = PP_ALIGN.RIGHT
    return table


def add_bar_chart(slide: Slide, box: Box, tally: Tally, *, size: int = 12) -> Chart:
    """Horizontal bars of cases per code in table order; a series per ``by`` value (years
    side by side) when the tally has them. Counts on the bars, no value axis."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
    from pptx.util import Inches, Pt

    w = words(tally)
    data = CategoryChartData()
    data.categories = [xml_safe(wrap(label_text(r), 40)) for r in tally.rows]
    if tally.by_values:
        for value in tally.by_values:
            data.add_series(xml_safe(by_header(tally, value)), [r.by[value] for r in tally.rows])
    else:
        data.add_series(w.axis, [r.cases for r in tally.rows])
    # python-pptx annotates add_chart more narrowly than it works: it takes any
    # CategoryChartData (ChartData is a deprecated alias) and returns the GraphicFrame
    # that holds the chart, not the chart.
    left, top, width, height = (Inches(v) for v in box)
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.BAR_CLUSTERED, left, top, width, height, cast("ChartData", data)
    )
    chart = cast("GraphicFrame", frame).chart
    chart.has_title = True
    # the cases of each series are in the legend ("2018 (n=14)") when there are several
    total = "" if tally.by_values else f" (n = {tally.total_cases})"
    chart.chart_title.text_frame.text = f"{w.axis}{total}"
    chart.chart_title.text_frame.paragraphs[0].font.size = Pt(size + 2)
    chart.has_legend = bool(tally.by_values)
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(size)
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.number_format = "0"
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    plot.data_labels.font.size = Pt(size)
    chart.category_axis.reverse_order = True  # first code at the top, as in the table
    chart.category_axis.tick_labels.font.size = Pt(size)
    chart.value_axis.has_major_gridlines = False
    chart.value_axis.visible = False
    chart.value_axis.minimum_scale = 0
    return chart


def add_notes(slide: Slide, text: str) -> None:
    """Speaker notes: what the presenter sees and the audience does not."""
    notes = slide.notes_slide.notes_text_frame
    assert notes is not None
    notes.text = xml_safe(text)


def row_groups(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    height: float,
    *,
    size: int = 12,
) -> list[list[Sequence[str]]]:
    """The rows in groups that fit under the header in ``height`` inches, estimating each
    row's lines from its longest cell: a table with many categories continues on the next
    slide instead of running off this one."""

    def lines_of(cells: Sequence[str]) -> float:
        per_inch = 130 / size  # characters per inch of column at this size, roughly
        lines = [
            sum(max(1, -(-len(part) // max(1, int(width * per_inch)))) for part in text.split("\n"))
            for text, width in zip(cells, widths, strict=True)
        ]
        return max(lines) * size * 1.25 / 72 + 0.12  # line height plus the cell's margins

    room = height - lines_of(header)
    groups: list[list[Sequence[str]]] = [[]]
    used = 0.0
    for row in rows:
        need = lines_of(row)
        if groups[-1] and used + need > room:
            groups.append([])
            used = 0.0
        groups[-1].append(row)
        used += need
    return groups
