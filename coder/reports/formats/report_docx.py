"""The report (``coder report --out FILE.docx``) as a Word document built on Word's own styles.

The same content and order as the HTML report (:mod:`coder.reports.formats.report_html`):
the title (style Title), per question a Heading 1, a real Word table (``Kategori |
Definition | Antal | Exempel``, style Table Grid, its header row bold and repeated on every
page), the notes under it in small italics and the chart as a picture; then per category a
Heading 2 with its whole definition, count, example cases and coded passages (style Quote,
the case and section right-aligned under each); the method last. Styles rather than direct
formatting, so that the evaluator can give the report the agency's look by changing them.
The page is A4; the words proof in the report's language.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from coder.reports.formats.chart_image import to_chart
from coder.reports.formats.seminar_text import (
    attribution,
    comparison_header,
    comparison_rows,
    count_text,
    method_paragraphs,
    quoted,
    shown_text,
    subtitle,
    table_header,
    table_rows,
)
from coder.reports.formats.wording import examples_text, footnotes
from coder.reports.formats.xml_text import xml_safe
from coder.reports.seminar import Category, Part, Seminar
from coder.reports.seminar_words import DeckWords, deck_words
from coder.reports.tally import Tally

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table

CHART_WIDTH = 6.5  # inches: the text width of A4 with 2 cm margins is 6.69
TABLE_WIDTHS = (1.7, 2.75, 0.75, 1.5)  # Kategori, Definition, Antal, Exempel: 6.7 inches
NUMBER_COLUMN = 2
TABLE_STYLE = "Table Grid"
PROOFING = {"sv": "sv-SE", "da": "da-DK", "en": "en-GB"}


def to_docx(seminar: Seminar, path: Path) -> None:
    """Write the report as a Word document at ``path``."""
    from docx import Document
    from docx.shared import Cm

    w = deck_words(seminar.language)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2.5)
    _properties(doc, seminar)

    doc.add_paragraph(_x(seminar.title), style="Title")
    doc.add_paragraph(_x(f"{w.report_title} · {subtitle(seminar)}"), style="Subtitle")
    if seminar.description.strip():
        doc.add_paragraph(_x(seminar.description.strip()))
    with tempfile.TemporaryDirectory(prefix="coder-report-") as folder:
        charts = _Charts(doc, Path(folder))
        for n, part in enumerate(seminar.parts):
            _question(doc, part, seminar, w, charts, new_page=n > 0)
    doc.add_heading(_x(w.method), level=1)
    for text in method_paragraphs(seminar):
        doc.add_paragraph(_x(text))
    if seminar.skipped:
        doc.add_paragraph(_x(w.skipped.format(questions=", ".join(seminar.skipped))))
    doc.save(str(path))


def _question(
    doc: Document, part: Part, seminar: Seminar, w: DeckWords, charts: _Charts, *, new_page: bool
) -> None:
    heading = doc.add_heading(_x(part.tally.question.title), level=1)
    heading.paragraph_format.page_break_before = new_page
    _table(doc, table_header(part), table_rows(part), TABLE_WIDTHS)
    _notes(doc, part.tally)
    charts.add(part.tally)
    if part.comparison is not None:
        doc.add_heading(_x(w.comparison.format(by=part.comparison.by or seminar.compare)), 2)
        header = comparison_header(part)
        rest = (sum(TABLE_WIDTHS) - 2.2) / (len(header) - 1)
        _table(
            doc,
            header,
            comparison_rows(part),
            (2.2, *[rest] * (len(header) - 1)),
            numbers=set(range(1, len(header))),
        )
        _notes(doc, part.comparison)
        charts.add(part.comparison)
    for category in part.categories:
        _category(doc, part, category, w)


def _category(doc: Document, part: Part, category: Category, w: DeckWords) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc.add_heading(_x(category.code.label), level=2)
    if category.code.definition.strip():
        p = doc.add_paragraph()
        p.add_run(_x(f"{w.definition_line}: ")).bold = True
        p.add_run(_x(category.code.definition.strip()))
    p = doc.add_paragraph()
    p.add_run(_x(count_text(part, category, w))).bold = True
    if category.row.examples:
        p.add_run(_x(f" · {w.examples_line}: {examples_text(category.row)}"))
    if not category.quotes:
        doc.add_paragraph(_x(w.no_quotes))
        return
    heading = w.passages_heading.format(n=category.coded_passages, shown=len(category.quotes))
    doc.add_heading(_x(heading), level=3)
    doc.add_paragraph(_x(shown_text(part, category, w))).paragraph_format.keep_with_next = True
    for quote in category.quotes:
        text = doc.add_paragraph(_x(quoted(quote, w, whole=True)), style="Quote")
        text.paragraph_format.keep_with_next = True
        text.paragraph_format.keep_together = True
        by = doc.add_paragraph()
        by.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        by.paragraph_format.keep_together = True
        by.add_run(_x(attribution(quote, section=True))).font.size = Pt(9)


def _table(
    doc: Document,
    header: list[str],
    rows: list[list[str]],
    widths: tuple[float, ...],
    *,
    numbers: set[int] | None = None,
) -> Table:
    """A Word table: the header row bold and repeated at the top of each page, no row split
    between pages, the number columns right-aligned."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Inches

    numbers = {NUMBER_COLUMN} if numbers is None else numbers
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = doc.styles[TABLE_STYLE]
    table.autofit = False
    for c, width in enumerate(widths):
        table.columns[c].width = Inches(width)
    for r, texts in enumerate([header, *rows]):
        row = table.rows[r]
        properties = row._tr.get_or_add_trPr()
        flags = ["w:cantSplit"] + (["w:tblHeader"] if r == 0 else [])
        for flag in flags:
            element = OxmlElement(flag)
            element.set(qn("w:val"), "true")
            properties.append(element)
        for c, text in enumerate(texts):
            cell = row.cells[c]
            cell.width = Inches(widths[c])
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(_x(text))
            if r == 0:
                run.bold = True
            if c in numbers:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def _notes(doc: Document, tally: Tally) -> None:
    from docx.shared import Pt

    for note in footnotes(tally):
        run = doc.add_paragraph().add_run(_x(note))
        run.italic = True
        run.font.size = Pt(9)


class _Charts:
    """Each chart drawn as a PNG into ``folder`` and put into the document as a picture."""

    def __init__(self, doc: Document, folder: Path) -> None:
        self.doc = doc
        self.folder = folder
        self.count = 0

    def add(self, tally: Tally) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Inches

        self.count += 1
        path = self.folder / f"chart{self.count}.png"
        to_chart([tally], path, fmt="png")
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        shape = paragraph.add_run().add_picture(str(path), width=Inches(CHART_WIDTH))
        shape._inline.docPr.set("descr", _x(tally.question.title))  # the picture's alt text


def _properties(doc: Document, seminar: Seminar) -> None:
    """Title, language and date in the file's properties; Word proofs in that language."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    language = PROOFING.get(seminar.language, seminar.language)
    properties = doc.core_properties
    properties.title = _x(seminar.title)
    properties.subject = deck_words(seminar.language).report_title
    properties.language = language
    properties.author = properties.last_modified_by = "coder"
    properties.comments = ""
    properties.revision = 1
    properties.created = properties.modified = datetime.combine(seminar.day, time(), tzinfo=UTC)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    run_properties = run_defaults.find(qn("w:rPr")) if run_defaults is not None else None
    if run_properties is not None:
        lang = run_properties.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            run_properties.append(lang)
        lang.set(qn("w:val"), language)


def _x(text: str) -> str:
    """``text`` without the control characters a Word file cannot hold."""
    return xml_safe(text)
