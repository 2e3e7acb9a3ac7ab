"""Writing tally tables as Markdown, CSV, XLSX, PPTX and PNG/SVG charts.

Headings follow the codebook's language (Swedish: Kategori | Antal | Andel |
Avsnitt | Exempel). Cases that count only because of model suggestions are
marked with ``*`` and explained in a footnote, in every format; so is the number of
passages judged not applicable (``n/a``), which are never counted.
"""

from __future__ import annotations

import csv
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from coder.reports.tally import Tally, TallyRow

FORMATS = ("md", "csv", "xlsx", "pptx", "png", "svg")
FILE_FORMATS = ("xlsx", "pptx", "png", "svg")
CSV_COLUMNS = ("question", "code", "label", "cases", "segments", "share", "examples")


@dataclass(frozen=True)
class Words:
    category: str
    cases: str
    share: str
    passages: str
    examples: str
    total: str  # with {n}
    suggested: str  # with {score} and {n}
    by: str  # with {by}
    axis: str
    human: str
    model: str
    percent_space: bool = True
    # passages judged not applicable (n/a): one passage, several; {n} and {via}
    not_applicable: tuple[str, str] = (
        "{n} passage was judged not applicable (n/a) and is not counted{via}.",
        "{n} passages were judged not applicable (n/a) and are not counted{via}.",
    )
    not_applicable_via: str = " ({n} by model suggestions)"


WORDS = {
    "sv": Words(
        "Kategori",
        "Antal",
        "Andel",
        "Avsnitt",
        "Exempel",
        "Antal fall totalt: {n}.",
        "* Inkluderar modellförslag med poäng ≥ {score:.2f} ({n} fall endast via förslag).",
        "Efter {by}",
        "Antal fall",
        "Kodat",
        "Modellförslag",
        not_applicable=(
            "{n} passage bedömdes inte tillämplig (n/a) och räknas inte{via}.",
            "{n} passager bedömdes inte tillämpliga (n/a) och räknas inte{via}.",
        ),
        not_applicable_via=" ({n} enligt modellförslag)",
    ),
    "da": Words(
        "Kategori",
        "Antal",
        "Andel",
        "Afsnit",
        "Eksempler",
        "Antal cases i alt: {n}.",
        "* Omfatter modelforslag med score ≥ {score:.2f} ({n} cases kun via forslag).",
        "Efter {by}",
        "Antal cases",
        "Kodet",
        "Modelforslag",
        not_applicable=(
            "{n} afsnit blev vurderet som ikke relevant (n/a) og tælles ikke med{via}.",
            "{n} afsnit blev vurderet som ikke relevante (n/a) og tælles ikke med{via}.",
        ),
        not_applicable_via=" ({n} ifølge modelforslag)",
    ),
    "en": Words(
        "Category",
        "Cases",
        "Share",
        "Passages",
        "Examples",
        "Cases in total: {n}.",
        "* Includes model suggestions scoring ≥ {score:.2f} ({n} cases only via suggestions).",
        "By {by}",
        "Cases",
        "Coded",
        "Model suggestions",
        percent_space=False,
    ),
}


def words(tally: Tally) -> Words:
    return WORDS.get(tally.language, WORDS["en"])


def percent(share: float, w: Words) -> str:
    return f"{share * 100:.0f}{' ' if w.percent_space else ''}%"


def examples_text(row: TallyRow) -> str:
    return ", ".join(
        f"{name}*" if flagged else name
        for name, flagged in zip(row.examples, row.example_suggested, strict=True)
    )


def label_text(row: TallyRow) -> str:
    return f"{row.label} *" if row.suggested_cases else row.label


def footnotes(tally: Tally) -> list[str]:
    w = words(tally)
    notes = [w.total.format(n=tally.total_cases)]
    if tally.min_score is not None:
        n = sum(r.suggested_cases for r in tally.rows)
        notes.append(w.suggested.format(score=tally.min_score, n=n))
    if tally.not_applicable:
        n = tally.not_applicable
        via = ""
        if tally.not_applicable_suggested:
            via = w.not_applicable_via.format(n=tally.not_applicable_suggested)
        notes.append(w.not_applicable[n != 1].format(n=n, via=via))
    return notes


def by_header(tally: Tally, value: str) -> str:
    return f"{value} (n={tally.by_totals[value]})"


# -- Markdown ----------------------------------------------------------------------------------


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


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


def _md_table(lines: list[list[str]], right: tuple[int, ...]) -> str:
    out = ["| " + " | ".join(_md_cell(c) for c in lines[0]) + " |"]
    out.append("|" + "|".join("---:" if i in right else "---" for i in range(len(lines[0]))) + "|")
    out += ["| " + " | ".join(_md_cell(c) for c in line) + " |" for line in lines[1:]]
    return "\n".join(out) + "\n"


# -- CSV ---------------------------------------------------------------------------------------


def csv_columns(tallies: list[Tally]) -> list[str]:
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
            record = {
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


# -- XLSX --------------------------------------------------------------------------------------


def to_xlsx(tallies: list[Tally], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for tally in tallies:
        w = words(tally)
        sheet = book.create_sheet(_sheet_name(tally.question.id, used))
        sheet["A1"] = tally.question.title
        sheet["A1"].font = Font(bold=True, size=14)
        header = [w.category, w.cases, w.share, w.passages, w.examples]
        header += [by_header(tally, v) for v in tally.by_values]
        sheet.append([])
        sheet.append(header)
        fill = PatternFill("solid", start_color="DDE5F0")
        for cell in sheet[3]:
            cell.font = Font(bold=True)
            cell.fill = fill
            cell.border = Border(bottom=Side(style="thin"))
        for row in tally.rows:
            sheet.append(
                [label_text(row), row.cases, row.share, row.segments, examples_text(row)]
                + [row.by[v] for v in tally.by_values]
            )
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


def _sheet_name(question_id: str, used: set[str]) -> str:
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in question_id)[:31] or "sheet"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:28]}~{n}"
        n += 1
    used.add(name.lower())
    return name


# -- PPTX --------------------------------------------------------------------------------------


def to_pptx(tallies: list[Tally], path: Path) -> None:
    """One 16:9 slide per question: title, a native table and a native bar chart."""
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
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
            _pptx_cell(table.cell(0, c), text, Pt(12 if c < 2 else 10), bold=True)
        for r, row in enumerate(tally.rows, start=1):
            values = [label_text(row), str(row.cases)]
            if tally.by_values:
                values += [str(row.by[v]) for v in tally.by_values]
            else:
                values += [percent(row.share, w), examples_text(row)]
            for c, text in enumerate(values):
                _pptx_cell(table.cell(r, c), text, Pt(11))

        data = CategoryChartData()
        data.categories = [_wrap(label_text(r), 38) for r in tally.rows]
        if tally.by_values:
            for value in tally.by_values:
                data.add_series(value, [r.by[value] for r in tally.rows])
        else:
            data.add_series(w.axis, [r.cases for r in tally.rows])
        chart = slide.shapes.add_chart(
            XL_CHART_TYPE.BAR_CLUSTERED, Inches(7.3), Inches(1.3), Inches(5.6), Inches(5.4), data
        ).chart
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

        note = slide.shapes.add_textbox(Inches(0.5), Inches(6.8), Inches(12.3), Inches(0.5))
        note.text_frame.text = "  ".join(footnotes(tally))
        note.text_frame.paragraphs[0].font.size = Pt(11)
        note.text_frame.paragraphs[0].font.italic = True
    deck.save(path)


def _pptx_cell(cell, text: str, size, bold: bool = False) -> None:  # noqa: ANN001
    cell.text = text
    for paragraph in cell.text_frame.paragraphs:
        paragraph.font.size = size
        paragraph.font.bold = bold


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


# -- charts ------------------------------------------------------------------------------------


def to_chart(tallies: list[Tally], path: Path, fmt: str) -> None:
    """Horizontal bars of cases per code, one panel per question, counts on the bars."""
    from matplotlib.figure import Figure

    heights = [0.45 * len(t.rows) * max(1, len(t.by_values) * 0.6) + 1.2 for t in tallies]
    figure = Figure(figsize=(10, sum(heights)), layout="constrained")
    axes = figure.subplots(len(tallies), 1, squeeze=False, height_ratios=heights)[:, 0]
    for ax, tally in zip(axes, tallies, strict=True):
        w = words(tally)
        labels = [_wrap(label_text(r), 45) for r in tally.rows]
        positions = list(range(len(tally.rows)))
        if tally.by_values:
            n = len(tally.by_values)
            height = 0.8 / n
            for i, value in enumerate(tally.by_values):
                offsets = [p - 0.4 + height * (i + 0.5) for p in positions]
                bars = ax.barh(
                    offsets,
                    [r.by[value] for r in tally.rows],
                    height=height,
                    label=by_header(tally, value),
                )
                ax.bar_label(bars, padding=3, fontsize=9)
            ax.legend(loc="lower right", fontsize=9, title=w.by.format(by=tally.by))
        else:
            human = [r.cases - r.suggested_cases for r in tally.rows]
            bars = ax.barh(positions, human, color="#2f6690", label=w.human)
            if tally.min_score is not None:
                bars = ax.barh(
                    positions,
                    [r.suggested_cases for r in tally.rows],
                    left=human,
                    color="#9ec1cf",
                    hatch="//",
                    label=w.model,
                )
                ax.legend(loc="lower right", fontsize=9)
            ax.bar_label(bars, labels=[str(r.cases) for r in tally.rows], padding=3, fontsize=10)
        ax.set_yticks(positions, labels, fontsize=10)
        ax.invert_yaxis()
        ax.set_title(tally.question.title, loc="left", fontsize=13, fontweight="bold")
        ax.set_xlabel(f"{w.axis} (n = {tally.total_cases})", fontsize=10)
        top = max([r.cases for r in tally.rows] + [1])
        ax.set_xlim(0, top * 1.15 + 0.5)
        ax.xaxis.get_major_locator().set_params(integer=True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    figure.savefig(path, format=fmt, dpi=150)
