"""The report (``coder report --out FILE.html``) as one self-contained HTML file.

Everything is in the one file: the style sheet inline, each chart as an inline ``<svg>``
(drawn by :func:`coder.reports.formats.chart_image.to_chart`), no fonts, scripts or links to
anything outside it, so it can be mailed, opened offline and printed (A4, a question to a
page, no table row or quote split between pages). Every text from the project is escaped:
passages are other people's writing and may contain anything, ``<script>`` included.

The order: the title, a line with the number of cases and the date, the codebook's
description and the contents; per question its table (``Kategori | Definition | Antal |
Exempel``), the notes under it, its chart and the comparison between years when asked for;
then per category its whole definition, count, example cases and coded passages, each with
its case and section; the method last. The words are those of the deck
(:mod:`coder.reports.formats.seminar_text`).
"""

from __future__ import annotations

import html
import re
import tempfile
from pathlib import Path
from typing import IO

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
from coder.reports.seminar import Category, Part, Seminar
from coder.reports.seminar_words import DeckWords, deck_words
from coder.reports.tally import Tally

NUMBER_COLUMN = 2  # Antal, in the table_header order

STYLE = """
body { font-family: Georgia, Cambria, "Times New Roman", serif; font-size: 12pt;
  line-height: 1.5; color: #1b1b1b; background: #fff; max-width: 48rem; margin: 2rem auto;
  padding: 0 1.25rem; }
h1, h2, h3, h4, table, nav, .subtitle, .note, .count, blockquote footer {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 .4rem; }
h2 { font-size: 1.45rem; line-height: 1.25; margin: 3rem 0 .8rem; padding-bottom: .2rem;
  border-bottom: 2px solid #2f6690; }
h3 { font-size: 1.15rem; margin: 2rem 0 .4rem; color: #2f6690; }
h4 { font-size: 1rem; margin: 1.2rem 0 .2rem; }
p { margin: .4rem 0; }
.subtitle { color: #555; margin-bottom: 1rem; }
nav ol { margin: .4rem 0 0; padding-left: 1.4rem; }
a { color: #2f6690; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; line-height: 1.35;
  margin: 1rem 0 .4rem; }
th, td { border: 1px solid #b9c6d0; padding: .35rem .5rem; text-align: left;
  vertical-align: top; }
thead th { background: #2f6690; color: #fff; }
tbody th { font-weight: 600; }
tbody tr:nth-child(even) { background: #eef3f6; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.note { font-size: .8rem; font-style: italic; color: #555; margin: .15rem 0; }
figure { margin: 1.2rem 0; }
figure svg { display: block; width: 100%; height: auto; }
figure svg * { stroke-linejoin: round; stroke-linecap: butt; }
.count { font-size: .95rem; }
.shown { color: #555; }
blockquote { margin: .8rem 0; padding: .5rem 1rem; border-left: 4px solid #9ec1cf;
  background: #f6f8f9; }
blockquote p { margin: 0; white-space: pre-line; }
blockquote footer { margin-top: .3rem; font-size: .85rem; color: #555; }
@page { size: A4; margin: 20mm 18mm 22mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  section.question + section.question { break-before: page; page-break-before: always; }
  h1, h2, h3, h4, .shown { break-after: avoid; page-break-after: avoid; }
  tr, blockquote, figure, .count, .definition { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  figure svg { max-width: 100%; }
}
""".strip()

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_VIEWBOX = re.compile(r'viewBox="([^"]*)"')
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_SVG_STYLE = re.compile(r"\s*<style\b[^>]*>.*?</style>", re.DOTALL)  # in STYLE instead
_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(href="#|url\(#)([^")]+)')


def to_html(seminar: Seminar, stream: IO[str]) -> None:
    """Write the report as one HTML5 document to the text stream ``stream``."""
    w = deck_words(seminar.language)
    out: list[str] = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(seminar.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="coder">',
        f"<title>{_e(seminar.title)}</title>",
        f"<style>\n{STYLE}\n</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_e(seminar.title)}</h1>",
        f'<p class="subtitle">{_e(w.report_title)} · {_e(subtitle(seminar))}</p>',
    ]
    if seminar.description.strip():
        out.append(f'<p class="description">{_e(seminar.description.strip())}</p>')
    out += [
        f'<nav aria-label="{_e(w.contents)}">',
        f"<p><strong>{_e(w.contents)}</strong></p>",
        "<ol>",
        *[
            f'<li><a href="#{_anchor(part)}">{_e(part.tally.question.title)}</a></li>'
            for part in seminar.parts
        ],
        f'<li><a href="#method">{_e(w.method)}</a></li>',
        "</ol>",
        "</nav>",
        "</header>",
        "<main>",
    ]
    charts = _Charts()
    for part in seminar.parts:
        out += _question(part, seminar, w, charts)
    out += ['<section id="method">', f"<h2>{_e(w.method)}</h2>"]
    out += [f"<p>{_e(text)}</p>" for text in method_paragraphs(seminar)]
    if seminar.skipped:
        out.append(f"<p>{_e(w.skipped.format(questions=', '.join(seminar.skipped)))}</p>")
    out += ["</section>", "</main>", "</body>", "</html>"]
    stream.write("\n".join(line for line in out if line) + "\n")


def _question(part: Part, seminar: Seminar, w: DeckWords, charts: _Charts) -> list[str]:
    question = part.tally.question
    out = [
        f'<section class="question" id="{_anchor(part)}">',
        f"<h2>{_e(question.title)}</h2>",
        _table(
            table_header(part),
            table_rows(part),
            links=[_anchor(part, c) for c in part.categories],
        ),
        *_notes(part.tally),
        charts.figure(part.tally),
    ]
    if part.comparison is not None:
        out += [
            '<section class="comparison">',
            f"<h3>{_e(w.comparison.format(by=part.comparison.by or seminar.compare))}</h3>",
            _table(comparison_header(part), comparison_rows(part), numbers_from=1),
            *_notes(part.comparison),
            charts.figure(part.comparison),
            "</section>",
        ]
    for category in part.categories:
        out += _category(part, category, w, seminar.text_language)
    out.append("</section>")
    return out


def _category(part: Part, category: Category, w: DeckWords, text_language: str) -> list[str]:
    facts = f"<strong>{_e(count_text(part, category, w))}</strong>"
    if category.row.examples:
        facts += f" · {_e(w.examples_line)}: {_e(examples_text(category.row))}"
    out = [
        f'<section class="category" id="{_anchor(part, category)}">',
        f"<h3>{_e(category.code.label)}</h3>",
    ]
    if category.code.definition.strip():
        out.append(
            f'<p class="definition"><strong>{_e(w.definition_line)}:</strong> '
            f"{_e(category.code.definition.strip())}</p>"
        )
    out.append(f'<p class="count">{facts}</p>')
    if not category.quotes:
        out += [f'<p class="shown">{_e(w.no_quotes)}</p>', "</section>"]
        return out
    heading = w.passages_heading.format(n=category.coded_passages, shown=len(category.quotes))
    out += [f"<h4>{_e(heading)}</h4>", f'<p class="shown">{_e(shown_text(part, category, w))}</p>']
    for quote in category.quotes:
        out += [
            "<blockquote>",
            f'<p lang="{_e(text_language)}">{_e(quoted(quote, w, whole=True))}</p>',
            f"<footer>{_e(attribution(quote, section=True))}</footer>",
            "</blockquote>",
        ]
    out.append("</section>")
    return out


def _table(
    header: list[str],
    rows: list[list[str]],
    *,
    links: list[str] | None = None,
    numbers_from: int = NUMBER_COLUMN,
) -> str:
    """A table with a header row; the first column heads its row (linked to the category's
    section when ``links`` are given); numbers right-aligned: the column ``numbers_from``
    alone in the category table, every column from it on in a comparison."""
    numeric = {NUMBER_COLUMN} if numbers_from == NUMBER_COLUMN else set(range(1, len(header)))

    def cls(i: int) -> str:
        return ' class="num"' if i in numeric else ""

    lines = [
        "<table>",
        "<thead>",
        "<tr>"
        + "".join(f'<th scope="col"{cls(i)}>{_e(h)}</th>' for i, h in enumerate(header))
        + "</tr>",
        "</thead>",
        "<tbody>",
    ]
    for r, row in enumerate(rows):
        first = _e(row[0])
        if links is not None:
            first = f'<a href="#{links[r]}">{first}</a>'
        cells = [f'<th scope="row">{first}</th>']
        cells += [f"<td{cls(i)}>{_e(text)}</td>" for i, text in enumerate(row) if i > 0]
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def _notes(tally: Tally) -> list[str]:
    return [f'<p class="note">{_e(note)}</p>' for note in footnotes(tally)]


class _Charts:
    """Each chart as an inline ``<svg>``, its ids numbered so that no two charts in the
    document share one (and so that the same report comes out the same byte for byte)."""

    def __init__(self) -> None:
        self.count = 0

    def figure(self, tally: Tally) -> str:
        self.count += 1
        with tempfile.TemporaryDirectory(prefix="coder-report-") as folder:
            path = Path(folder) / "chart.svg"
            to_chart([tally], path, fmt="svg")
            svg = path.read_text("utf-8")
        return (
            f"<figure>\n{inline_svg(svg, f'chart{self.count}-', tally.question.title)}\n</figure>"
        )


def inline_svg(svg: str, prefix: str, label: str) -> str:
    """A standalone SVG file made fit to sit inside HTML: no XML prolog, doctype, metadata
    or style sheet of its own (which would style the whole page), no fixed size (it scales
    to the page by its viewBox), its ids numbered after ``prefix``."""
    svg = _SVG_STYLE.sub("", _METADATA.sub("", svg[svg.index("<svg") :])).strip()
    opening = _SVG_OPEN.search(svg)
    assert opening is not None
    box = _VIEWBOX.search(opening[0])
    view_box = f' viewBox="{box[1]}"' if box else ""
    svg = f'<svg{view_box} role="img" aria-label="{_e(label)}">' + svg[opening.end() :]
    names: dict[str, str] = {}
    for old in _ID.findall(svg):
        names.setdefault(old, f"{prefix}{len(names) + 1}")
    svg = _ID.sub(lambda m: f'id="{names[m[1]]}"', svg)
    return _REFERENCE.sub(lambda m: m[1] + names.get(m[2], m[2]), svg)


def _anchor(part: Part, category: Category | None = None) -> str:
    """``q-arbetssatt`` for a question, ``q-arbetssatt-strategiskt-ramverk`` for a code."""
    parts = [part.tally.question.id] + ([category.code.id] if category else [])
    return _e("q-" + "-".join("-".join(p.split()) for p in parts))


def _e(text: str) -> str:
    """``text`` safe anywhere in the document, attribute values included."""
    return html.escape(_CONTROL.sub("", text), quote=True)
