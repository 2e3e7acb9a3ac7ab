"""Cross-tabulations of a tally: by an attribute (``--by``), year over year (``--compare``)
and coder beside coder (``--by-coder``).

Each gives, per code, the cases in each column (an attribute value, or a coder) and each
column's total, so that every output format shows them alike.

- ``--by ATTRIBUTE``: a passage's group is its document's value of the attribute (the year
  of a report), else its case's; a case counts once in each group it has passages in.
  Cases without the attribute are a column of their own, ``–``, last.
- ``--compare ATTRIBUTE``: the same columns in their natural order (2018 < 2019 < 2020),
  without the cases that lack the attribute (a footnote says how many), and each code's
  change from the first value to the last.
- ``--by-coder``: a column per coder with codings on the question (``consensus`` last): the
  cases that coder's own codings put under the code, out of the cases the coder coded.

``--rollup`` (with or without these columns) counts a code's subcodes under it as well: a
passage coded with a code is then also coded with its parent, the parent's parent and so on,
before anything is counted (``roll_up``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from coder.errors import CoderError
from coder.i18n import _
from coder.model import CONSENSUS_CODER, NOT_APPLICABLE, Question
from coder.store import Store, queries

MISSING = "–"  # attribute value shown for cases without the attribute
CODER = "coder"  # the ``by`` of a tally by coder

Passage = tuple[str, int]  # (case, segment id)
SortKey = Callable[[str], Any]

_ORDERED = re.compile(r"\d")  # 2019, 2018/19, 2019-2020: a year or a number first
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def check_options(
    *,
    by: str | None,
    compare: str | None,
    by_coder: bool,
    consensus: bool,
    include_suggestions: float | None,
) -> None:
    """Refuse the combinations that cannot make one table (one line each)."""
    if by_coder:
        for given, option in (
            (compare is not None, "--compare"),
            (by is not None, "--by"),
            (consensus, "--consensus"),
            (include_suggestions is not None, "--include-suggestions"),
        ):
            if given:
                raise CoderError(
                    _(
                        "--by-coder shows each coder's own codings; it cannot be used with {option}"
                    ).format(option=option)
                )
    if compare is not None and by is not None:
        raise CoderError(
            _("--compare and --by cannot be used together (--compare already sets the columns)")
        )


# -- hierarchy (``--rollup``) ---------------------------------------------------------------------


def check_rollup(questions: Iterable[Question]) -> None:
    """Refuse ``--rollup`` where no code has a parent (it would count nothing differently)."""
    questions = list(questions)
    if not any(code.parent for q in questions for code in q.codes):
        if len(questions) == 1:
            said = _(
                "--rollup counts codes under their parent codes, but no code in question "
                "'{question}' has a parent (see docs/codebook.md)"
            ).format(question=questions[0].id)
        else:
            said = _(
                "--rollup counts codes under their parent codes, but no code in the codebook "
                "has a parent (see docs/codebook.md)"
            )
        raise CoderError(said)


def ancestors(question: Question) -> dict[str, tuple[str, ...]]:
    """code -> its parent, the parent's parent, ... (the codebook has no loops); codes
    without a parent are left out."""
    parents = {code.id: code.parent for code in question.codes if code.parent}
    found: dict[str, tuple[str, ...]] = {}
    for code in parents:
        chain: list[str] = []
        current = parents.get(code)
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        found[code] = tuple(chain)
    return found


def coded_rows(
    store: Store, question: Question, coders: list[str] | None, *, rollup: bool = False
) -> list[tuple[str, int, str, str]]:
    """(case, segment, code, coder) of every current coding of the question (of ``coders``);
    with ``rollup`` also a row for each parent code a coding implies."""
    rows = queries.coded_rows(store, question.id, coders)
    return roll_up_rows(rows, ancestors(question)) if rollup else rows


def roll_up(
    codes: dict[Passage, set[str]], up: dict[str, tuple[str, ...]]
) -> dict[Passage, set[str]]:
    """(case, segment) -> codes, each passage's codes with their parents (and theirs) added."""
    return {key: _with_parents(found, up) for key, found in codes.items()}


def roll_up_rows(
    rows: list[tuple[str, int, str, str]], up: dict[str, tuple[str, ...]]
) -> list[tuple[str, int, str, str]]:
    """(case, segment, code, coder) rows, with a row for each parent a coder's code implies
    (once per passage, coder and code)."""
    found = dict.fromkeys(
        (case, seg, implied, coder)
        for case, seg, code, coder in rows
        for implied in (code, *up.get(code, ()))
    )
    return list(found)


def _with_parents(codes: set[str], up: dict[str, tuple[str, ...]]) -> set[str]:
    return codes.union(*(up.get(code, ()) for code in codes))


@dataclass
class Cross:
    """The columns of a cross-tabulation: their values, totals and cases per code."""

    by: str
    values: list[str]
    totals: dict[str, int]  # value -> cases in that column
    per_code: dict[str, dict[str, int]] = field(default_factory=dict)  # code -> value -> cases
    left_out: int = 0  # cases without the attribute, left out of a comparison

    def cells(self, code: str) -> dict[str, int]:
        found = self.per_code.get(code, {})
        return {v: found.get(v, 0) for v in self.values}


def natural_order(values: Iterable[str], key: SortKey) -> list[str]:
    """Numbers as numbers (2 < 10, 2018 < 2019) when every value is one, else ``key``
    order; the value of cases without the attribute (``–``) last."""
    present = [v for v in values if v != MISSING]
    if present and all(_NUMBER.fullmatch(v.strip()) for v in present):
        ordered = sorted(present, key=lambda v: (float(v.strip().replace(",", ".")), v))
    else:
        ordered = sorted(present, key=key)
    return ordered + [MISSING] * (MISSING in values)


# -- by an attribute ------------------------------------------------------------------------------


@dataclass
class Groups:
    """The attribute's value for each passage, its document's over its case's."""

    attribute: str
    case_values: dict[str, str]  # case -> its own value (MISSING when it has none)
    passage_values: dict[int, str]  # segment -> its document's value, where it has one
    per_case: dict[str, set[str]]  # case -> the groups it has passages in

    def of(self, case: str, segment: int) -> str:
        return self.passage_values.get(segment) or self.case_values.get(case, MISSING)


def attribute_groups(store: Store, attributes: dict[str, dict], by: str) -> Groups:
    """Each passage's group for ``--by``/``--compare`` (an attribute nobody has is refused)."""
    documents = queries.document_attributes(store)
    if not any(by in attrs for attrs in attributes.values()) and not any(
        by in d.attributes for d in documents
    ):
        names = sorted(
            {k for attrs in attributes.values() for k in attrs}
            | {k for d in documents for k in d.attributes}
        )
        raise CoderError(
            _("no case has the attribute '{attribute}' (attributes: {known})").format(
                attribute=by, known=", ".join(names) or _("none")
            )
        )
    case_values = {name: _attr(attrs, by) for name, attrs in attributes.items()}
    own = {d.id: d.attributes[by] for d in documents if by in d.attributes}
    segments = queries.segment_documents(store, list(own))
    passage_values = {seg: own[doc] for seg, doc in segments.items()}
    per_case: dict[str, set[str]] = defaultdict(set)
    for d in documents:
        if d.has_passages:
            per_case[d.case].add(own.get(d.id) or case_values.get(d.case, MISSING))
    return Groups(by, case_values, passage_values, dict(per_case))


def attribute_cross(
    groups: Groups,
    counted_cases: list[str],
    codes: Iterable[dict[Passage, set[str]]],
    key: SortKey,
    *,
    compare: bool,
) -> Cross:
    """Cases per code in each value of the attribute, from (case, segment) -> codes maps
    (the human codings and the suggestions that count). With ``compare``: only the cases
    that have the attribute, and at least two values to compare."""
    totals = Counter(v for name in counted_cases for v in groups.per_case.get(name, ()))
    values = natural_order(totals, key)
    left_out = 0
    if compare:
        # a case with no value at all; one with an undated appendix beside its reports is in
        left_out = sum(1 for name in counted_cases if groups.per_case.get(name) == {MISSING})
        values = [v for v in values if v != MISSING]
        unordered = [v for v in values if not _ORDERED.match(v.strip())]
        if unordered:
            raise CoderError(
                _(
                    "--compare needs values in an order, such as years; {attribute} has "
                    "{values} (to count by it side by side: --by {attribute})"
                ).format(
                    attribute=groups.attribute,
                    values=", ".join(unordered[:5]) + (" …" if len(unordered) > 5 else ""),
                )
            )
        if not values:
            raise CoderError(
                _("no case with passages has a value of {attribute}: nothing to compare").format(
                    attribute=groups.attribute
                )
            )
        if len(values) == 1:
            raise CoderError(
                _("only one value of {attribute} ({value}): nothing to compare").format(
                    attribute=groups.attribute, value=values[0]
                )
            )
    pairs: dict[str, set[tuple[str, str]]] = defaultdict(set)  # code -> (case, value)
    for found in codes:
        for (case, seg), segment_codes in found.items():
            value = groups.of(case, seg)
            for code in segment_codes:
                pairs[code].add((case, value))
    per_code = {
        code: dict(Counter(value for _case, value in found)) for code, found in pairs.items()
    }
    return Cross(groups.attribute, values, {v: totals[v] for v in values}, per_code, left_out)


# -- by coder -------------------------------------------------------------------------------------


def coder_cross(
    rows: list[tuple[str, int, str, str]], coders: list[str] | None, key: SortKey
) -> Cross:
    """Cases per code in each coder's own codings, from (case, segment, code, coder) rows.

    The columns: the coders with codings on the question, in the order ``coders`` gives
    them (else by name), ``consensus`` last; a coder's total is the cases they coded on the
    question (``n/a`` included), a code's cell the cases they put under it."""
    coded: dict[str, set[str]] = defaultdict(set)
    under: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for case, _seg, code, coder in rows:
        coded[coder].add(case)
        if code != NOT_APPLICABLE:
            under[code][coder].add(case)
    given = [c for c in dict.fromkeys(coders) if c in coded] if coders else None
    order = given if given is not None else sorted(coded, key=key)
    values = [c for c in order if c != CONSENSUS_CODER] + [CONSENSUS_CODER] * (
        CONSENSUS_CODER in order
    )
    per_code = {
        code: {coder: len(cases) for coder, cases in by_coder.items()}
        for code, by_coder in under.items()
    }
    return Cross(CODER, values, {c: len(coded[c]) for c in values}, per_code)


def _attr(attrs: dict, name: str) -> str:
    value = attrs.get(name)
    return MISSING if value is None or value == "" else str(value)
