"""What goes into the seminar deck (``coder deck``) and the report (``coder report``).

The content is gathered here once and written by the format modules: per question the tally
(with each category's definition), the quotes chosen for each category, a comparison between
years when asked for, and the method in a few sentences (material, coders, agreement, whether
model suggestions were counted). Counting is the tally's own (:func:`coder.reports.tally.tally`).

Quotes come from human codings only. "Most typical first": where a model has been trained for
the question, the passages it scores highest for the code; without one, the first coded. One
passage per case before a second from the same case, so that the quotes speak for several
regions.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from coder.corpus import sentences
from coder.errors import CoderError
from coder.i18n import _
from coder.model import CONSENSUS_CODER, NOT_APPLICABLE, Code, Question
from coder.reports import agreement as ag
from coder.reports.collation import collation_key
from coder.reports.counting import counted_codes
from coder.reports.seminar_words import LANGUAGES
from coder.reports.tally import Tally, TallyRow, tally
from coder.store import Store, queries

QUOTE_CHARACTERS = 320  # a quote on a slide is cut at a sentence end before this
DEFINITION_CHARACTERS = 150  # a definition in a table cell: its first sentence, at most this

# words a shortened text should not end on (sv, da/nb, en)
_LITTLE_WORDS = frozenset(
    (  # noqa: SIM905 - a list of words reads best as words
        "och eller men att som i på av till för med utan om en ett den det de från vid mot "
        "samt både inom under över og at af til for uden et der fra ved mod "
        "and or but that which in on of to with without about a an the at by"
    ).split()
)

# (question, candidate passages, code) -> a score per passage, higher is more typical;
# None when the question has no trained model
Typicality = Callable[[Question, dict[int, str]], dict[str, dict[int, float]] | None]


@dataclass
class Quote:
    segment_id: int
    case: str
    section: str | None
    text: str  # the whole passage
    short: str  # cut at a sentence end for a slide (the whole passage if short enough)


@dataclass
class Category:
    row: TallyRow
    code: Code
    short_definition: str
    coded_passages: int  # passages humans coded with it (what the quotes are chosen from)
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class Part:
    tally: Tally
    categories: list[Category]
    comparison: Tally | None = None
    agreement: ag.Agreement | None = None
    typical_by_model: bool = False


@dataclass
class Method:
    documents: int
    cases: int
    passages: int
    coders: list[str]
    consensus: bool
    min_score: float | None


@dataclass
class Seminar:
    title: str
    description: str
    language: str  # of the words around the data
    text_language: str  # of the passages (the codebook's)
    day: date
    total_cases: int
    parts: list[Part]
    method: Method
    skipped: list[str] = field(default_factory=list)  # questions left out: nothing coded
    compare: str | None = None


def seminar(
    store: Store,
    question: str | None = None,
    *,
    language: str = "sv",
    quotes: int | None = 2,
    examples: int = 4,
    coders: list[str] | None = None,
    consensus: bool = False,
    include_suggestions: float | None = None,
    compare: str | None = None,
    sort: str = "codebook",
    day: date | None = None,
    typicality: Typicality | None = None,
) -> Seminar:
    """Gather the deck's or report's content: ``quotes`` per category (None: every coded
    passage), on one question or on every question that has codings."""
    if language not in LANGUAGES:
        raise CoderError(
            _("unknown language '{language}' (expected {expected})").format(
                language=language, expected=", ".join(LANGUAGES)
            )
        )
    if quotes is not None and quotes < 1:
        raise CoderError(_("--quotes must be 1 or more"))
    codebook = store.codebook()
    selection = {
        "coders": coders,
        "consensus": consensus,
        "examples": examples,
        "include_suggestions": include_suggestions,
        "sort": sort,
    }
    tallies = tally(store, question, **selection)  # type: ignore[arg-type]
    comparisons: dict[str, Tally] = {}
    if compare is not None:
        compared = tally(store, question, compare=compare, **selection)  # type: ignore[arg-type]
        comparisons = {t.question.id: t for t in compared}
    typicality = typicality if typicality is not None else model_typicality(store)
    parts: list[Part] = []
    skipped: list[str] = []
    for t in tallies:
        if not any(r.cases for r in t.rows):
            if question is not None:
                raise CoderError(
                    _(
                        "question '{question}' has no codings to show yet; "
                        "code some passages first (coder code)"
                    ).format(question=t.question.id)
                )
            skipped.append(t.question.id)
            continue
        part = _part(store, t, language, quotes, coders, consensus, typicality, compare)
        if t.question.id in comparisons:
            part.comparison = dataclasses.replace(comparisons[t.question.id], language=language)
        parts.append(part)
    if not parts:
        raise CoderError(_("no question has codings to show yet; code some passages first"))
    status = queries.status(store)
    counted_coders = sorted(
        {
            coder
            for p in parts
            for _, _, _, coder in queries.coded_rows(store, p.tally.question.id, coders)
            if coder != CONSENSUS_CODER
        }
    )
    return Seminar(
        title=codebook.title,
        description=codebook.description,
        language=language,
        text_language=codebook.language,
        day=day or date.today(),
        total_cases=tallies[0].total_cases,
        parts=parts,
        method=Method(
            documents=status.documents,
            cases=status.cases,
            passages=status.segments,
            coders=counted_coders,
            consensus=consensus,
            min_score=include_suggestions,
        ),
        skipped=skipped,
        compare=compare,
    )


def _part(
    store: Store,
    t: Tally,
    language: str,
    n_quotes: int | None,
    coders: list[str] | None,
    consensus: bool,
    typicality: Typicality,
    compare: str | None,
) -> Part:
    question = t.question
    found = counted_codes(store, question, coders=coders, consensus=consensus)
    with_code: dict[str, list[tuple[str, int]]] = {}
    for (case, seg), codes in found.human.items():
        for code_id in codes - {NOT_APPLICABLE}:
            with_code.setdefault(code_id, []).append((case, seg))
    rows = queries.passages(
        store, sorted({seg for pairs in with_code.values() for _, seg in pairs})
    )
    scores = typicality(question, {seg: row.text for seg, row in rows.items()}) if rows else None
    times = queries.coding_times(store, question.id, coders)
    text_language = store.codebook().language
    key = collation_key(text_language)
    categories = []
    for row in t.rows:
        code = question.code(row.code)
        candidates = with_code.get(code.id, [])
        code_scores = (scores or {}).get(code.id)

        def order(pair: tuple[str, int], code_id: str = code.id, by: dict | None = code_scores):
            case, seg = pair
            typical = -by.get(seg, 0.0) if by is not None else 0.0
            return (typical, times.get((seg, code_id), ""), key(case), rows[seg].position, seg)

        ordered = sorted(candidates, key=order)
        if n_quotes is not None:  # a few quotes: the same words twice (two years' reports) once
            ordered = _distinct_texts(ordered, {seg: r.text for seg, r in rows.items()})
        chosen = _one_per_case_first(ordered, n_quotes)
        categories.append(
            Category(
                row=row,
                code=code,
                short_definition=first_sentence(
                    code.definition, DEFINITION_CHARACTERS, text_language
                ),
                coded_passages=len(candidates),
                quotes=[
                    Quote(
                        segment_id=seg,
                        case=case,
                        section=rows[seg].section,
                        text=rows[seg].text,
                        short=shorten(rows[seg].text, QUOTE_CHARACTERS, text_language),
                    )
                    for case, seg in chosen
                ],
            )
        )
    agreement = None
    with contextlib.suppress(ag.TooFewCoders):  # one coder: no agreement to measure
        agreement = ag.agreement(store, question.id, coders)
    return Part(
        tally=dataclasses.replace(t, language=language, pooled=compare),
        categories=categories,
        agreement=agreement,
        typical_by_model=scores is not None,
    )


def _distinct_texts(ordered: list[tuple[str, int]], texts: dict[int, str]) -> list[tuple[str, int]]:
    """The passages in order, each text (whitespace aside) only at its first place."""
    seen: set[str] = set()
    kept = []
    for case, seg in ordered:
        text = " ".join(texts[seg].split())
        if text not in seen:
            seen.add(text)
            kept.append((case, seg))
    return kept


def _one_per_case_first(ordered: list[tuple[str, int]], n: int | None) -> list[tuple[str, int]]:
    """The first passage of each case in order, then the rest in order; the first ``n``."""
    seen: set[str] = set()
    first: list[tuple[str, int]] = []
    rest: list[tuple[str, int]] = []
    for case, seg in ordered:
        (rest if case in seen else first).append((case, seg))
        seen.add(case)
    both = first + rest
    return both if n is None else both[:n]


def model_typicality(store: Store) -> Typicality:
    """Scores from each question's latest trained model (none for a question without one),
    on the passages' stored embeddings where the model uses them and they are all stored."""

    def score(question: Question, texts: dict[int, str]) -> dict[str, dict[int, float]] | None:
        from coder.suggest import embeddings
        from coder.suggest.suggesting import load_model

        if store.latest_model(question.id) is None:  # no model: the first coded come first
            return None
        model, _model_id, _stale = load_model(store, question)
        ids = list(texts)
        vectors = None
        if model.uses_embeddings:
            try:
                vectors = embeddings.load(store, ids)
            except CoderError:  # some not stored yet: the model embeds them itself
                vectors = None
        matrix = model.scores([texts[i] for i in ids], vectors=vectors)
        return {
            code: {seg: float(matrix[n, j]) for n, seg in enumerate(ids)}
            for j, code in enumerate(model.codes)
        }

    return score


def shorten(text: str, limit: int, language: str) -> str:
    """``text`` cut after the last sentence that ends within ``limit`` characters, marked
    `` […]``; a first sentence longer than that is cut at a word, marked ``…``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    ends = [end for _, end in sentences.split([text], language)[0] if end <= limit]
    if ends and ends[-1] >= limit // 3:
        return text[: ends[-1]] + " […]"
    return _cut(text, limit)


def first_sentence(text: str, limit: int, language: str) -> str:
    """The first sentence of ``text``, cut at a word within ``limit`` characters."""
    text = " ".join(text.split())
    bounds = sentences.split([text], language)[0] if text else []
    if bounds:
        text = text[: bounds[0][1]]
    return text if len(text) <= limit else _cut(text, limit)


def _cut(text: str, limit: int) -> str:
    """``text`` cut at a word within ``limit`` characters (with the ``…``), before a
    parenthesis the cut would leave open, and not after a little word ("och", "en")."""
    cut = text.rfind(" ", 0, limit - 1)
    kept = text[: cut if cut > 0 else limit - 1]
    if kept.count("(") > kept.count(")") and kept.rfind("(") > limit // 3:
        kept = kept[: kept.rfind("(")]
    words = kept.rstrip(",;:–- ").split(" ")
    while len(words) > 3 and words[-1].casefold() in _LITTLE_WORDS:
        words.pop()
    return " ".join(words).rstrip(",;:–- ") + "…"
