"""Co-occurrence tables for the seminar room: a PowerPoint slide per question with a native
table, and a heatmap image (PNG or SVG) with a panel per question.

Both show the cases with both codes (the passages are in the Markdown, CSV and XLSX
outputs), shaded by their share of all cases, the diagonal bold. The first column names the
codes with their numbers, which head the columns. python-pptx and matplotlib are imported
when a file is written; the heatmap is drawn on a bare ``Figure`` (no pyplot), as
:mod:`coder.reports.formats.chart_image` draws the tally's bars.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from coder.reports.cooccurrence import Cooccurrence
from coder.reports.formats.cooccurrence_table import co_words, notes, numbers, row_labels, title
from coder.reports.formats.wording import wrap

if TYPE_CHECKING:
    from pptx.slide import Slide
    from pptx.table import _Cell
    from pptx.util import Length

WIDTH_PX, DPI = 1600, 150
LIGHT, DARK = (0xFF, 0xFF, 0xFF), (0x2F, 0x66, 0x90)  # shading from no case to every case


def _shade(result: Cooccurrence, cases: int) -> tuple[int, int, int]:
    """The cell's colour: white for no case, dark blue for every case."""
    share = cases / result.total_cases if result.total_cases else 0.0
    share = min(share, 1.0)
    return (
        round(LIGHT[0] + (DARK[0] - LIGHT[0]) * share),
        round(LIGHT[1] + (DARK[1] - LIGHT[1]) * share),
        round(LIGHT[2] + (DARK[2] - LIGHT[2]) * share),
    )


def _dark(rgb: tuple[int, int, int]) -> bool:
    """Whether white text reads better than black on ``rgb``."""
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] < 140


# -- PowerPoint ---------------------------------------------------------------------------------


def to_pptx(results: list[Cooccurrence], path: Path) -> None:
    """One 16:9 slide per question: title, the matrix of cases as a native table, notes."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    layout = deck.slide_layouts[5]  # "Title Only"
    for result in results:
        _, co = co_words(result)
        slide = deck.slides.add_slide(layout)
        heading = slide.shapes.title
        heading.left, heading.top, heading.width, heading.height = (
            Inches(0.5),
            Inches(0.3),
            Inches(12.3),
            Inches(0.9),
        )
        heading.text = title(result)
        heading.text_frame.paragraphs[0].font.size = Pt(28 if len(heading.text) <= 60 else 24)
        _add_matrix(slide, result)
        note = slide.shapes.add_textbox(Inches(0.5), Inches(6.55), Inches(12.3), Inches(0.8))
        note.text_frame.word_wrap = True
        note.text_frame.text = "  ".join(notes(result, co.cells_cases))
        note.text_frame.paragraphs[0].font.size = Pt(12)
        note.text_frame.paragraphs[0].font.italic = True
    deck.save(str(path))


def _add_matrix(slide: Slide, result: Cooccurrence) -> None:
    """The table: a header row of numbers, a row per code with its numbered label."""
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    w, _ = co_words(result)
    n = len(result.codes)
    size = Pt(14 if n <= 8 else 12)
    number_width = min(1.1, 7.3 / max(n, 1))
    label_width = min(5.0, 12.3 - number_width * n)
    row_height = min(0.5, 5.0 / (n + 1))
    shape = slide.shapes.add_table(
        n + 1,
        n + 1,
        Inches(0.5),
        Inches(1.35),
        Inches(label_width + number_width * n),
        Inches(row_height * (n + 1)),
    )
    table = shape.table
    table.columns[0].width = Inches(label_width)
    for c in range(1, n + 1):
        table.columns[c].width = Inches(number_width)
    for r in range(n + 1):
        table.rows[r].height = Inches(row_height)
    for c, text in enumerate([w.category, *numbers(result)]):
        _set_cell(table.cell(0, c), text, size, bold=True, center=c > 0)
    for i, label in enumerate(row_labels(result)):
        _set_cell(table.cell(i + 1, 0), label, size)
        for j in range(n):
            cell = table.cell(i + 1, j + 1)
            cases = result.cases[i][j]
            rgb = _shade(result, cases)
            _set_cell(cell, str(cases), size, bold=i == j, center=True)
            cell.fill.solid()
            cell.fill.fore_color.rgb = RGBColor(*rgb)
            colour = RGBColor(0xFF, 0xFF, 0xFF) if _dark(rgb) else RGBColor(0, 0, 0)
            cell.text_frame.paragraphs[0].font.color.rgb = colour


def _set_cell(
    cell: _Cell, text: str, size: Length, bold: bool = False, center: bool = False
) -> None:
    from pptx.enum.text import PP_ALIGN

    cell.text = text
    for paragraph in cell.text_frame.paragraphs:
        paragraph.font.size = size
        paragraph.font.bold = bold
        if center:
            paragraph.alignment = PP_ALIGN.CENTER


# -- PNG and SVG --------------------------------------------------------------------------------


def to_heatmap(results: list[Cooccurrence], path: Path, fmt: str) -> None:
    """A heatmap per question, one panel each, the cases in the cells, 1600 px wide."""
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.figure import Figure

    colours = LinearSegmentedColormap.from_list(
        "cooccurrence", [tuple(v / 255 for v in LIGHT), tuple(v / 255 for v in DARK)]
    )
    labels = [[wrap(label, 42) for label in row_labels(r)] for r in results]
    heights = [
        0.3 * sum(label.count("\n") + 1 for label in panel) + 0.25 * len(panel) + 1.6
        for panel in labels
    ]
    figure = Figure(figsize=(WIDTH_PX / DPI, sum(heights)), layout="constrained")
    panels = figure.subfigures(len(results), 1, squeeze=False, height_ratios=heights)[:, 0]
    for panel, result, names in zip(panels, results, labels, strict=True):
        _, co = co_words(result)
        n = len(result.codes)
        ax = panel.subplots()
        ax.imshow(
            result.cases if n else [[0]],
            cmap=colours,
            vmin=0,
            vmax=max(result.total_cases, 1),
            aspect="auto",
        )
        for i in range(n):
            for j in range(n):
                cases = result.cases[i][j]
                ax.text(
                    j,
                    i,
                    str(cases),
                    ha="center",
                    va="center",
                    fontsize=14 if i == j else 12,
                    fontweight="bold" if i == j else "normal",
                    color="white" if _dark(_shade(result, cases)) else "black",
                )
        ax.set_xticks(range(n), numbers(result), fontsize=12)
        ax.set_yticks(range(n), names, fontsize=12)
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        # title and notes span the panel's width, from its left edge
        panel.suptitle(title(result), x=0.01, ha="left", fontsize=14, fontweight="bold")
        panel.supxlabel(
            "\n".join(textwrap.wrap(" ".join(notes(result, co.cells_cases)), 115)),
            x=0.01,
            ha="left",
            fontsize=12,
        )
    figure.savefig(path, format=fmt, dpi=DPI)
