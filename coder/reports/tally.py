"""Tally tables: per question, how many cases have each code, with example cases.

"Antal" counts cases (regions), not passages: a case counts once for a code when
at least one of its passages carries the code. Human codings only by default
(accepted suggestions are human decisions); model suggestions can be added above
a score, and are then marked in every output: for a ``single`` question only a
passage's top suggestion, for a ``multi`` question every code at or above the score.
The answer ``n/a`` (not applicable) is never counted, whether a human gave it or it is a
passage's top suggestion; how many passages were so judged is told in a footnote.
With ``by``, ``compare`` or ``by_coder`` a tally also has columns beside the counts: cases
per value of an attribute (a case counts once in each group it has passages in), the same
per year with the change from the first to the last, or each coder's own counts; how they
are made is in ``coder.reports.compare``, as is ``rollup`` (subcodes counted under their
parent code too).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from coder.errors import CoderError
from coder.i18n import _
from coder.model import Codebook, Question
from coder.reports.collation import collation_key
from coder.reports.compare import (
    Cross,
    Groups,
    ancestors,
    attribute_cross,
    attribute_groups,
    check_options,
    check_rollup,
    coded_rows,
    coder_cross,
)
from coder.reports.counting import counted_codes
from coder.store import Store, queries

SORTS = ("codebook", "count")


@dataclass
class TallyRow:
    code: str
    label: str
    cases: int
    segments: int
    share: float  # of the cases with passages (total_cases)
    examples: list[str]
    suggested_cases: int = 0  # cases counted only because of model suggestions
    example_suggested: list[bool] = field(default_factory=list)
    by: dict[str, int] = field(default_factory=dict)  # attribute value (or coder) -> cases
    change: int | None = None  # with compare: cases in the last value minus in the first
    rolled_up: bool = False  # with rollup: the code has subcodes, counted under it too


@dataclass
class Tally:
    question: Question
    language: str
    total_cases: int
    rows: list[TallyRow]
    by: str | None = None
    by_values: list[str] = field(default_factory=list)
    by_totals: dict[str, int] = field(default_factory=dict)  # value -> cases (with passages)
    min_score: float | None = None  # set when suggestions were included
    coders: list[str] | None = None
    consensus: bool = False
    not_applicable: int = 0  # passages judged not applicable (n/a), not counted
    not_applicable_suggested: int = 0  # of which by their top suggestion
    compare: bool = False  # by_values compared, first to last (row.change)
    by_coder: bool = False  # by_values are coders (by == "coder")
    left_out: int = 0  # with compare: cases without the attribute, not compared
    pooled: str | None = None  # shown beside a comparison by this attribute: all values in one
    rollup: bool = False  # codes count their subcodes too (those rows: rolled_up)


def selected_questions(
    store: Store,
    question: str | None,
    coders: list[str] | None,
    include_suggestions: float | None,
) -> list[Question]:
    """The question asked for, or every question, once the selection is checked: a known
    question, known coders, a minimum score between 0 and 1."""
    if include_suggestions is not None and not 0.0 <= include_suggestions <= 1.0:
        raise CoderError(_("--include-suggestions takes a minimum score between 0 and 1"))
    codebook = store.codebook()
    selected = [codebook.question(question)] if question else list(codebook.questions)
    if coders:
        known = set(queries.coder_names(store))
        unknown = [c for c in coders if c not in known]
        if unknown:
            raise CoderError(
                _("unknown coder '{name}' (coders: {known})").format(
                    name=unknown[0], known=", ".join(sorted(known)) or _("none yet")
                )
            )
    return selected


def tally(
    store: Store,
    question: str | None = None,
    *,
    coders: list[str] | None = None,
    consensus: bool = False,
    examples: int = 4,
    include_suggestions: float | None = None,
    sort: str = "codebook",
    by: str | None = None,
    compare: str | None = None,
    by_coder: bool = False,
    rollup: bool = False,
) -> list[Tally]:
    """Count cases per code for one question, or for every question of the codebook.

    ``by``: columns per value of a case or document attribute; ``compare``: the same per
    value (a year) in order, with the change from the first to the last; ``by_coder``: a
    column per coder; ``rollup``: a code's subcodes count under it too."""
    check_options(
        by=by,
        compare=compare,
        by_coder=by_coder,
        consensus=consensus,
        include_suggestions=include_suggestions,
    )
    if sort not in SORTS:
        raise CoderError(
            _("unknown sort '{sort}' (expected {expected})").format(
                sort=sort, expected=_(" or ").join(SORTS)
            )
        )
    if examples < 0:
        raise CoderError(_("--examples must be 0 or more"))
    selected = selected_questions(store, question, coders, include_suggestions)
    if rollup:
        check_rollup(selected)
    codebook = store.codebook()
    attributes = queries.case_attributes(store)
    attribute = compare if compare is not None else by
    groups = attribute_groups(store, attributes, attribute) if attribute is not None else None
    with_passages = queries.cases_with_passages(store)
    return [
        _tally_question(
            store,
            codebook,
            q,
            attributes,
            with_passages,
            coders,
            consensus,
            examples,
            include_suggestions,
            sort,
            groups,
            compare is not None,
            by_coder,
            rollup=rollup,
        )
        for q in selected
    ]


def _tally_question(
    store: Store,
    codebook: Codebook,
    question: Question,
    attributes: dict[str, dict],
    with_passages: set[str],
    coders: list[str] | None,
    consensus: bool,
    n_examples: int,
    min_score: float | None,
    sort: str,
    groups: Groups | None,
    compare: bool,
    by_coder: bool,
    *,
    rollup: bool,
) -> Tally:
    up = ancestors(question) if rollup else {}  # empty: the question has no subcodes
    found = counted_codes(
        store, question, coders=coders, consensus=consensus, min_score=min_score, rollup=bool(up)
    )
    counted, suggested = found.human, found.suggested
    not_applicable, not_applicable_suggested = found.not_applicable, found.not_applicable_suggested
    passages = _passages_per_case(counted)
    suggested_passages = _passages_per_case(suggested)

    key = collation_key(codebook.language)
    # The denominator: cases with passages to code for the question (every passage is one
    # for every question); a case without any (left empty by an import) is not counted.
    counted_cases = [name for name in attributes if name in with_passages]
    total_cases = len(counted_cases)
    cross: Cross | None = None
    if groups is not None:
        cross = attribute_cross(groups, counted_cases, (counted, suggested), key, compare=compare)
    elif by_coder:
        cross = coder_cross(coded_rows(store, question, coders, rollup=bool(up)), coders, key)

    parents = {parent for chain in up.values() for parent in chain}
    table: list[TallyRow] = []
    for code in question.codes:
        human = passages.get(code.id, {})
        model = suggested_passages.get(code.id, {})
        per_case = {c: human.get(c, 0) + model.get(c, 0) for c in set(human) | set(model)}
        ranked = sorted(per_case, key=lambda c: (-per_case[c], key(c)))
        shown = ranked[:n_examples]
        row = TallyRow(
            code=code.id,
            label=code.label,
            cases=len(per_case),
            segments=sum(per_case.values()),
            share=len(per_case) / total_cases if total_cases else 0.0,
            examples=shown,
            suggested_cases=sum(1 for c in per_case if c not in human),
            example_suggested=[c not in human for c in shown],
            rolled_up=code.id in parents,
        )
        if cross is not None:
            row.by = cross.cells(code.id)
            if compare:
                row.change = row.by[cross.values[-1]] - row.by[cross.values[0]]
        table.append(row)
    if sort == "count":
        table.sort(key=lambda r: -r.cases)  # stable: ties keep codebook order
    return Tally(
        question=question,
        language=codebook.language,
        total_cases=total_cases,
        rows=table,
        by=cross.by if cross is not None else None,
        by_values=cross.values if cross is not None else [],
        by_totals=cross.totals if cross is not None else {},
        min_score=min_score,
        coders=coders,
        consensus=consensus,
        not_applicable=not_applicable + not_applicable_suggested,
        not_applicable_suggested=not_applicable_suggested,
        compare=compare,
        by_coder=by_coder,
        left_out=cross.left_out if cross is not None else 0,
        rollup=bool(up),
    )


def _passages_per_case(codes: dict[tuple[str, int], set[str]]) -> dict[str, dict[str, int]]:
    """code -> case -> how many of the case's passages carry the code, from
    (case, segment) -> codes."""
    passages: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (case, _seg), segment_codes in codes.items():
        for code in segment_codes:
            passages[code][case] += 1
    return passages
