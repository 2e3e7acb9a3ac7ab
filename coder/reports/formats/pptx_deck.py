"""Tally tables as a PowerPoint deck: per question a slide with a native table and bar chart.

Native (editable) tables and charts rather than pictures, so that a slide can be restyled
in PowerPoint. python-pptx is imported when a deck is written, not when the package is.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from coder.reports.formats.wording import examples_text, footnotes, label_text, percent, words, wrap
from coder.reports.tally import Tally

if TYPE_CHECKING:
    from pptx.chart.data import ChartData
    from pptx.shapes.graphfrm import GraphicFrame
    from pptx.slide import Slide
    from pptx.table import _Cell
    from pptx.util import Length

    from coder.reports.formats.wording import Words


def to_pptx(tallies: list[Tally], path: Path) -> None:
    """One 16:9 slide per question: title, a native table and a native bar chart."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    layout = deck.slide_layouts[5]  # "Title Only"
    for tally in tallies:
        w = words(tally)
        slide = deck.slides.add_slide(layout)
        title = slide.shapes.title
        title.left, title.top, title.width, title.height = (
            Inches(0.5),
            Inches(0.3),
            Inches(12.3),
            Inches(0.9),
        )
        title.text = tally.question.title
        title.text_frame.paragraphs[0].font.size = Pt(28)
        _add_table(slide, tally, w)
        _add_chart(slide, tally, w)
        note = slide.shapes.add_textbox(Inches(0.5), Inches(6.8), Inches(12.3), Inches(0.5))
        note.text_frame.text = "  ".join(footnotes(tally))
        note.text_frame.paragraphs[0].font.size = Pt(11)
        note.text_frame.paragraphs[0].font.italic = True
    deck.save(str(path))


def _add_table(slide: Slide, tally: Tally, w: Words) -> None:
    """The table on the left: cases with share and examples, or cases per attribute value."""
    from pptx.util import Inches, Pt

    header = [w.category, w.cases]
    header += [f"{v}\n(n={tally.by_totals[v]})" for v in tally.by_values] or [
        w.share,
        w.examples,
    ]
    n_rows = len(tally.rows) + 1
    table = slide.shapes.add_table(
        n_rows, len(header), Inches(0.5), Inches(1.4), Inches(6.6), Inches(0.4 * n_rows)
    ).table
    widths = [3.0, 0.8, 0.9, 1.9]  # category, cases, share, examples
    if tally.by_values:
        rest = (6.6 - 2.6 - 0.8) / len(tally.by_values)
        widths = [2.6, 0.8] + [rest] * len(tally.by_values)
    for i, width in enumerate(widths):
        table.columns[i].width = Inches(width)
    for c, text in enumerate(header):
        _set_cell(table.cell(0, c), text, Pt(12 if c < 2 else 10), bold=True)
    for r, row in enumerate(tally.rows, start=1):
        values = [label_text(row), str(row.cases)]
        if tally.by_values:
            values += [str(row.by[v]) for v in tally.by_values]
        else:
            values += [percent(row.share, w), examples_text(row)]
        for c, text in enumerate(values):
            _set_cell(table.cell(r, c), text, Pt(11))


def _add_chart(slide: Slide, tally: Tally, w: Words) -> None:
    """The bar chart on the right, in table order, a series per attribute value if any."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
    from pptx.util import Inches, Pt

    data = CategoryChartData()
    data.categories = [wrap(label_text(r), 38) for r in tally.rows]
    if tally.by_values:
        for value in tally.by_values:
            data.add_series(value, [r.by[value] for r in tally.rows])
    else:
        data.add_series(w.axis, [r.cases for r in tally.rows])
    # python-pptx annotates add_chart more narrowly than it works: it takes any
    # CategoryChartData (ChartData is a deprecated alias) and returns the GraphicFrame
    # that holds the chart, not the chart.
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.BAR_CLUSTERED,
        Inches(7.3),
        Inches(1.3),
        Inches(5.6),
        Inches(5.4),
        cast("ChartData", data),
    )
    chart = cast("GraphicFrame", frame).chart
    chart.has_title = True
    chart.chart_title.text_frame.text = w.axis
    chart.chart_title.text_frame.paragraphs[0].font.size = Pt(14)
    chart.has_legend = bool(tally.by_values)
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.number_format = "0"
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    plot.data_labels.font.size = Pt(11)
    chart.category_axis.reverse_order = True  # first code at the top, as in the table
    chart.category_axis.tick_labels.font.size = Pt(10)
    chart.value_axis.has_major_gridlines = False
    chart.value_axis.visible = False


def _set_cell(cell: _Cell, text: str, size: Length, bold: bool = False) -> None:
    cell.text = text
    for paragraph in cell.text_frame.paragraphs:
        paragraph.font.size = size
        paragraph.font.bold = bold
