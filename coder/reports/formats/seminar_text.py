"""The texts the deck and the report share: table rows, a quote with its case, the method.

Kept in one place so that the PPTX deck, the HTML report and the DOCX report say the same
thing in the same words (:mod:`coder.reports.seminar_words`).
"""

from __future__ import annotations

from coder.reports.formats.wording import (
    by_header,
    change_header,
    change_text,
    examples_text,
    label_text,
    words,
)
from coder.reports.seminar import Category, Part, Quote, Seminar
from coder.reports.seminar_words import DeckWords, decimal, deck_words, long_date

QUOTE_MARK = "▶"


def table_header(part: Part) -> list[str]:
    """Kategori | Definition | Antal | Exempel."""
    w = words(part.tally)
    return [w.category, deck_words(part.tally.language).definition, w.cases, w.examples]


def table_rows(part: Part) -> list[list[str]]:
    return [
        [label_text(c.row), c.short_definition, str(c.row.cases), examples_text(c.row)]
        for c in part.categories
    ]


def comparison_header(part: Part) -> list[str]:
    """Kategori | 2018 (n=21) | 2019 (n=21) | Förändring 2018–2019."""
    t = part.comparison
    assert t is not None
    return [words(t).category, *[by_header(t, v) for v in t.by_values], change_header(t)]


def comparison_rows(part: Part) -> list[list[str]]:
    t = part.comparison
    assert t is not None
    return [
        [label_text(r), *[str(r.by[v]) for v in t.by_values], change_text(r.change)] for r in t.rows
    ]


def count_text(part: Part, category: Category, w: DeckWords) -> str:
    """``6 av 14 fall`` (marked `` *`` when model suggestions added cases)."""
    row = category.row
    count = w.count_line.format(n=row.cases, total=part.tally.total_cases)
    return f"{count} *" if row.suggested_cases else count


def shown_text(part: Part, category: Category, w: DeckWords) -> str:
    """Which of the category's coded passages follow: all of them, or the first few (the
    most typical first where a model ranked them)."""
    n, shown = category.coded_passages, len(category.quotes)
    if shown >= n:
        return w.all_shown.format(n=n, shown=shown)
    some = w.some_shown if part.typical_by_model else w.some_shown_unranked
    return some.format(n=n, shown=shown)


def quoted(quote: Quote, w: DeckWords, *, whole: bool = False) -> str:
    """The passage in the language's quotation marks: ”…”."""
    return f"{w.open_quote}{quote.text if whole else quote.short}{w.close_quote}"


def attribution(quote: Quote, *, section: bool = False) -> str:
    """``– Kalmar`` (with ``section``: ``– Kalmar, Uppföljning > Indikatorer``)."""
    where = f", {quote.section}" if section and quote.section else ""
    return f"– {quote.case}{where}"


def subtitle(seminar: Seminar) -> str:
    w = deck_words(seminar.language)
    return w.subtitle.format(
        cases=seminar.total_cases, date=long_date(seminar.day, seminar.language)
    )


def method_paragraphs(seminar: Seminar) -> list[str]:
    """The method in a paragraph, then one line per question with agreement figures when
    there are several such questions."""
    lang = seminar.language
    w = deck_words(lang)
    m = seminar.method
    sentences = [w.material.format(documents=m.documents, cases=m.cases, passages=m.passages)]
    if len(m.coders) == 1:
        sentences.append(w.one_coder.format(name=m.coders[0]))
    elif m.coders:
        sentences.append(w.coders.format(n=len(m.coders), names=", ".join(m.coders)))
    measured = [p for p in seminar.parts if p.agreement is not None]
    lines: list[str] = []
    if len(m.coders) >= 2:
        if not measured:
            sentences.append(w.agreement_none)
        elif len(measured) == 1:
            a = measured[0].agreement
            assert a is not None
            many = w.agreement_many if a.overall.cohen_kappa is None else w.agreement
            sentences.append(
                many.format(
                    kappa=decimal(a.overall.cohen_kappa, lang),
                    alpha=decimal(a.overall.krippendorff_alpha, lang),
                    units=a.units,
                )
            )
        else:
            for p in measured:
                a = p.agreement
                assert a is not None
                lines.append(
                    w.agreement_question.format(
                        title=p.tally.question.title,
                        kappa=decimal(a.overall.cohen_kappa, lang),
                        alpha=decimal(a.overall.krippendorff_alpha, lang),
                        units=a.units,
                    )
                )
    if m.consensus:
        sentences.append(w.consensus)
    elif len(m.coders) >= 2:
        sentences.append(w.merged)
    if m.min_score is None:
        sentences.append(w.human_only)
    else:
        sentences.append(w.suggestions.format(score=decimal(m.min_score, lang)))
    sentences.append(w.counting)
    by_model = [p.typical_by_model for p in seminar.parts]
    if all(by_model):
        sentences.append(w.model_order)
    elif not any(by_model):
        sentences.append(w.first_order)
    return [" ".join(sentences), *lines]
