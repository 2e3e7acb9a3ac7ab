"""Co-occurrence tables as Markdown, CSV and an Excel workbook, and the words they share.

The matrix's rows are the codes, numbered and labelled ("1. Strategiskt ramverk"); its
columns are the same codes by number only, since labels are long, so the first column is
the legend. The diagonal (a code with itself: the tally's count) is bold. Headings and
footnotes follow the codebook's language; CSV column names stay in English, as the tally's.
openpyxl is imported when a workbook is written, not when the module is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO

from coder.reports.cooccurrence import Cooccurrence
from coder.reports.formats.csv_style import CsvStyle
from coder.reports.formats.markdown_table import md_table
from coder.reports.formats.wording import WORDS, Words
from coder.reports.formats.xlsx_workbook import sheet_name

CSV_COLUMNS = (
    "question",
    "code",
    "label",
    "other_code",
    "other_label",
    "cases",
    "passages",
    "case_names",
)


@dataclass(frozen=True)
class CoWords:
    """What a co-occurrence table says besides the tally's words (``Words``)."""

    title: str  # with {title}
    cases_block: str
    passages_block: str
    cells_both: str  # cells "cases (passages)"
    cells_cases: str  # cells with cases only
    cells_passages: str  # a block of passages
    suggested: str  # with {score}
    coders: str  # with {names}
    consensus: str


CO_WORDS = {
    "sv": CoWords(
        "Samförekomst: {title}",
        "Fall med båda koderna",
        "Passager med båda koderna",
        "Varje cell: antal fall med båda koderna, inom parentes antal passager som har båda. "
        "Diagonalen (fet) visar fall och passager med koden.",
        "Varje cell: antal fall med båda koderna. Diagonalen (fet) visar antal fall med koden.",
        "Passager: antal passager som har båda koderna.",
        "Inkluderar modellförslag med poäng ≥ {score:.2f}.",
        "Endast kodningar av {names}.",
        "Endast koder som alla kodare är överens om (eller kodaren consensus).",
    ),
    "da": CoWords(
        "Samforekomst: {title}",
        "Cases med begge koder",
        "Afsnit med begge koder",
        "Hver celle: antal cases med begge koder, i parentes antal afsnit med begge. "
        "Diagonalen (fed) viser cases og afsnit med koden.",
        "Hver celle: antal cases med begge koder. Diagonalen (fed) viser antal cases med koden.",
        "Afsnit: antal afsnit med begge koder.",
        "Omfatter modelforslag med score ≥ {score:.2f}.",
        "Kun kodninger foretaget af {names}.",
        "Kun koder, som alle kodere er enige om (eller koderen consensus).",
    ),
    "en": CoWords(
        "Co-occurrence: {title}",
        "Cases with both codes",
        "Passages with both codes",
        "Each cell: cases with both codes, in brackets the passages carrying both. "
        "The diagonal (bold): cases and passages with the code.",
        "Each cell: cases with both codes. The diagonal (bold): cases with the code.",
        "Passages: passages carrying both codes.",
        "Includes model suggestions scoring ≥ {score:.2f}.",
        "Only codings by {names}.",
        "Only codes all coders agree on (or the coder consensus).",
    ),
}


def co_words(result: Cooccurrence) -> tuple[Words, CoWords]:
    """The tally's words and the co-occurrence words in the codebook's language (else
    English)."""
    if result.language in CO_WORDS and result.language in WORDS:
        return WORDS[result.language], CO_WORDS[result.language]
    return WORDS["en"], CO_WORDS["en"]


def title(result: Cooccurrence) -> str:
    return co_words(result)[1].title.format(title=result.question.title)


def row_labels(result: Cooccurrence) -> list[str]:
    """The rows' labels, numbered as the columns are: "1. Strategiskt ramverk"."""
    return [f"{i}. {label}" for i, label in enumerate(result.labels, start=1)]


def numbers(result: Cooccurrence) -> list[str]:
    """The columns' headings: the codes' numbers."""
    return [str(i) for i in range(1, len(result.codes) + 1)]


def notes(result: Cooccurrence, cells: str) -> list[str]:
    """The lines under a table: total cases, what a cell holds (``cells``, one of the
    ``CoWords`` texts), suggestions counted, passages judged n/a, whose codings."""
    w, co = co_words(result)
    lines = [w.total.format(n=result.total_cases), cells]
    if result.min_score is not None:
        lines.append(co.suggested.format(score=result.min_score))
    if result.not_applicable:
        n = result.not_applicable
        via = ""
        if result.not_applicable_suggested:
            via = w.not_applicable_via.format(n=result.not_applicable_suggested)
        lines.append(w.not_applicable[n != 1].format(n=n, via=via))
    if result.coders:
        lines.append(co.coders.format(names=", ".join(result.coders)))
    if result.consensus:
        lines.append(co.consensus)
    return lines


def to_markdown(results: list[Cooccurrence]) -> str:
    """Per question a heading, the matrix with "cases (passages)" cells, and its notes."""
    parts: list[str] = []
    for result in results:
        w, co = co_words(result)
        parts.append(f"## {title(result)}\n")
        lines = [[w.category, *numbers(result)]]
        for i, label in enumerate(row_labels(result)):
            cells = []
            for j in range(len(result.codes)):
                cases, passages = result.cases[i][j], result.passages[i][j]
                text = f"{cases} ({passages})" if cases else "0"
                cells.append(f"**{text}**" if i == j else text)
            lines.append([label, *cells])
        parts.append(md_table(lines, right=tuple(range(1, len(lines[0])))))
        parts.append("  \n".join(notes(result, co.cells_both)) + "\n")
    return "\n".join(parts)


def to_csv(results: list[Cooccurrence], stream: IO[str], style: CsvStyle) -> None:
    """One row per pair of codes (i <= j, the diagonal included), every question in one file."""
    writer = style.writer(stream, CSV_COLUMNS)
    writer.writeheader()
    for result in results:
        for i, j in result.pairs():
            writer.writerow(
                {
                    "question": result.question.id,
                    "code": result.codes[i],
                    "label": result.labels[i],
                    "other_code": result.codes[j],
                    "other_label": result.labels[j],
                    "cases": result.cases[i][j],
                    "passages": result.passages[i][j],
                    "case_names": ", ".join(result.names[i][j]),
                }
            )


def to_xlsx(results: list[Cooccurrence], path: Path) -> None:
    """A sheet per question: the matrix of cases, below it the matrix of passages, as
    numbers shaded by an Excel colour scale, and the notes."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    header_fill = PatternFill("solid", start_color="DDE5F0")
    for result in results:
        w, co = co_words(result)
        n = len(result.codes)
        sheet = book.create_sheet(sheet_name(result.question.id, used))
        sheet["A1"] = title(result)
        sheet["A1"].font = Font(bold=True, size=14)
        for block, matrix in ((co.cases_block, result.cases), (co.passages_block, result.passages)):
            sheet.append([])
            sheet.append([block])
            sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
            sheet.append([w.category, *(int(x) for x in numbers(result))])
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
                cell.fill = header_fill
                cell.border = Border(bottom=Side(style="thin"))
                cell.alignment = Alignment(horizontal="left" if cell.column == 1 else "center")
            first = sheet.max_row + 1
            for i, label in enumerate(row_labels(result)):
                sheet.append([label, *matrix[i]])
                sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
                sheet.cell(sheet.max_row, i + 2).font = Font(bold=True)
            if n:
                cells = f"B{first}:{get_column_letter(n + 1)}{first + n - 1}"
                sheet.conditional_formatting.add(
                    cells,
                    ColorScaleRule(
                        start_type="num",
                        start_value=0,
                        start_color="FFFFFF",
                        end_type="max",
                        end_color="7FA7C9",
                    ),
                )
        sheet.append([])
        for note in notes(result, f"{co.cells_cases} {co.cells_passages}"):
            sheet.append([note])
            sheet.cell(sheet.max_row, 1).font = Font(italic=True)
        longest = max([len(label) for label in row_labels(result)] + [len(w.category)])
        sheet.column_dimensions["A"].width = min(max(longest + 2, 12), 60)
        for c in range(2, n + 2):
            sheet.column_dimensions[get_column_letter(c)].width = 7
    book.save(path)
