"""The seminar deck (``coder deck``): the slides an evaluator shows of a year's coding.

A title slide (codebook title, number of cases, date); per question a table slide
``Kategori | Definition | Antal | Exempel``, a bar chart slide, a comparison slide when years
are compared, and quote slides (per category its quotes, ▶ ”…” with the case under them, at
most two to a slide; the whole passages in the speaker notes); a closing slide with the method.
Text is at least 14 pt and tables at least 12 pt. Built on :mod:`slides` (native tables and
charts, restylable in PowerPoint).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from coder.reports.formats import pptx_deck, slides
from coder.reports.formats.seminar_text import (
    QUOTE_MARK,
    attribution,
    method_paragraphs,
    quoted,
    subtitle,
    table_header,
    table_rows,
)
from coder.reports.formats.slides import HEIGHT, MARGIN, WIDTH, Text
from coder.reports.formats.wording import footnotes
from coder.reports.seminar import Category, Part, Quote, Seminar
from coder.reports.seminar_words import DeckWords, deck_words

if TYPE_CHECKING:
    from pptx.presentation import Presentation as Deck
    from pptx.slide import Slide

FULL = WIDTH - 2 * MARGIN
TABLE_WIDTHS = (3.5, 5.1, 0.9, 2.833)  # Kategori, Definition, Antal, Exempel: FULL inches
PAIR_CHARACTERS = 560  # two quotes share a slide when together they are this short


def to_deck(seminar: Seminar, path: Path) -> None:
    deck = slides.new_deck()
    _title_slide(deck, seminar)
    w = deck_words(seminar.language)
    for part in seminar.parts:
        _table_slide(deck, part, w)
        _chart_slide(deck, part)
        if part.comparison is not None:
            _comparison_slide(deck, part, w)
        for category in part.categories:
            for group in _slide_groups(category.quotes):
                _quote_slide(deck, part, category, group, w)
    _method_slide(deck, seminar, w)
    deck.save(str(path))


def _title_slide(deck: Deck, seminar: Seminar) -> None:
    from pptx.util import Inches, Pt

    slide = deck.slides.add_slide(deck.slide_layouts[slides.TITLE_SLIDE])
    title, sub = slide.placeholders[0], slide.placeholders[1]
    for shape, top, height in ((title, 2.0, 1.8), (sub, 4.0, 1.2)):  # the template is 4:3
        shape.left, shape.width = Inches(MARGIN), Inches(FULL)
        shape.top, shape.height = Inches(top), Inches(height)
    title.text = seminar.title
    title.text_frame.paragraphs[0].font.size = Pt(40)
    sub.text = subtitle(seminar)
    sub.text_frame.paragraphs[0].font.size = Pt(24)


def _footnote(slide: Slide, part: Part) -> None:
    slides.add_text(
        slide,
        (MARGIN, HEIGHT - 0.8, FULL, 0.6),
        [Text(" ".join(footnotes(part.tally)), size=14, italic=True, grey=True)],
    )


def _table_slide(deck: Deck, part: Part, w: DeckWords) -> None:
    """The table Kategori | Definition | Antal | Exempel, continued on further slides when
    the categories do not fit on one."""
    header, rows = table_header(part), table_rows(part)
    groups = slides.row_groups(header, rows, TABLE_WIDTHS, HEIGHT - 2.3)
    for i, group in enumerate(groups):
        title = part.tally.question.title
        slide = slides.titled_slide(deck, title if i == 0 else f"{title} {w.continued}")
        slides.add_table(
            slide, (MARGIN, 1.35, FULL, 5.0), header, group, TABLE_WIDTHS, size=12, numbers=(2,)
        )
        if i == len(groups) - 1:
            _footnote(slide, part)


def _chart_slide(deck: Deck, part: Part) -> None:
    slide = slides.titled_slide(deck, part.tally.question.title)
    slides.add_bar_chart(slide, (MARGIN, 1.3, FULL, HEIGHT - 2.2), part.tally, size=14)
    _footnote(slide, part)


def _comparison_slide(deck: Deck, part: Part, w: DeckWords) -> None:
    compared = part.comparison
    assert compared is not None
    slide = slides.titled_slide(
        deck, f"{part.tally.question.title} – {w.comparison.format(by=compared.by)}", size=26
    )
    table = pptx_deck.table_of(compared)
    slides.add_table(
        slide,
        (MARGIN, 1.4, pptx_deck.TABLE_WIDTH, 5.0),
        table.header,
        table.rows,
        table.widths,
        numbers=range(1, 1 + table.numbers),
    )
    slides.add_bar_chart(slide, (7.3, 1.3, 5.6, HEIGHT - 2.2), compared, size=14)
    slides.add_text(
        slide,
        (MARGIN, HEIGHT - 0.8, FULL, 0.6),
        [Text(" ".join(footnotes(compared)), size=14, italic=True, grey=True)],
    )


def _slide_groups(quotes: list[Quote]) -> list[list[Quote]]:
    """The quotes two to a slide when both are short enough, else one."""
    groups: list[list[Quote]] = []
    for quote in quotes:
        last = groups[-1] if groups else None
        if last and len(last) == 1 and len(last[0].short) + len(quote.short) <= PAIR_CHARACTERS:
            last.append(quote)
        else:
            groups.append([quote])
    return groups


def _quote_slide(
    deck: Deck, part: Part, category: Category, quotes: list[Quote], w: DeckWords
) -> None:
    first = category.quotes.index(quotes[0]) == 0
    title = w.quotes_title.format(label=category.row.label)
    slide = slides.titled_slide(deck, title if first else f"{title} {w.continued}", size=26)
    paragraphs = [Text(part.tally.question.title, size=14, grey=True, space_after=14)]
    for quote in quotes:
        paragraphs.append(Text(f"{QUOTE_MARK} {quoted(quote, w)}", size=20, italic=True))
        paragraphs.append(Text(attribution(quote), size=16, space_after=24))
    slides.add_text(slide, (MARGIN + 0.3, 1.45, FULL - 0.6, HEIGHT - 1.9), paragraphs)
    slides.add_notes(
        slide,
        "\n\n".join(f"{quoted(q, w, whole=True)}\n{attribution(q, section=True)}" for q in quotes),
    )


def _method_slide(deck: Deck, seminar: Seminar, w: DeckWords) -> None:
    slide = slides.titled_slide(deck, w.method)
    paragraphs = method_paragraphs(seminar)
    texts = [Text(paragraphs[0], size=20, space_after=14)]
    texts += [Text(line, size=16) for line in paragraphs[1:]]
    slides.add_text(slide, (MARGIN, 1.4, FULL, HEIGHT - 1.9), texts)
