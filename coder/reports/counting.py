"""Which codes count on which passage, as every table counts them: the tally, the
co-occurrence table and the deck share this one rule (human codings of the chosen coders,
``--consensus``, suggestions above a score on passages no human decided, ``n/a`` never)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from coder.model import CONSENSUS_CODER, NOT_APPLICABLE, Question
from coder.reports.compare import Passage, ancestors, coded_rows, roll_up
from coder.store import Store, queries


@dataclass
class CountedCodes:
    """The codes that count on each passage of one question, as a tally counts them."""

    human: dict[Passage, set[str]]  # n/a included (a passage judged not applicable)
    suggested: dict[Passage, set[str]]  # model suggestions, on passages no human decided
    not_applicable: int  # passages a human judged n/a (and nothing else)
    not_applicable_suggested: int  # passages whose top suggestion is n/a, above the score


def counted_codes(
    store: Store,
    question: Question,
    *,
    coders: list[str] | None = None,
    consensus: bool = False,
    min_score: float | None = None,
    rollup: bool = False,
) -> CountedCodes:
    """Which codes count on which passage: the human codings (of ``coders``; with
    ``consensus`` only what they agree on), and with ``min_score`` the suggestions that
    reach it on passages without a human decision. Shared by the tally, the co-occurrence
    table and the deck, so that they count alike. With ``rollup`` a code brings its parent
    codes with it (each coder's, before ``consensus`` compares them)."""
    rows = coded_rows(store, question, coders, rollup=rollup)
    human = _human_codes(rows, consensus)
    human_segments = {seg for _case, seg, _code, _coder in rows}
    not_applicable = sum(
        1 for codes in human.values() if NOT_APPLICABLE in codes and len(codes) == 1
    )
    suggested: dict[Passage, set[str]] = {}
    not_applicable_suggested = 0
    if min_score is not None:
        suggested, not_applicable_suggested = _suggested_codes(
            queries.suggested_rows(store, question.id, min_score),
            question,
            min_score,
            human_segments,  # a human decision on the passage (n/a too) overrides the model
        )
        if rollup:
            suggested = roll_up(suggested, ancestors(question))
    return CountedCodes(human, suggested, not_applicable, not_applicable_suggested)


def _human_codes(
    rows: list[tuple[str, int, str, str]], consensus: bool
) -> dict[tuple[str, int], set[str]]:
    """(case, segment) -> codes that count, from (case, segment, code, coder) rows.

    With ``consensus``: a ``consensus`` coder's codes where present, else only the
    codes that every coder of the question gave the segment.
    """
    by_segment: dict[tuple[str, int], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for case, seg, code, coder in rows:
        by_segment[(case, seg)][coder].add(code)
    if not consensus:
        return {key: set().union(*per_coder.values()) for key, per_coder in by_segment.items()}
    all_coders = {coder for _case, _seg, _code, coder in rows if coder != CONSENSUS_CODER}
    agreed: dict[tuple[str, int], set[str]] = {}
    for key, per_coder in by_segment.items():
        if CONSENSUS_CODER in per_coder:
            agreed[key] = per_coder[CONSENSUS_CODER]
        elif all_coders and set(per_coder) >= all_coders:
            agreed[key] = set.intersection(*(per_coder[c] for c in all_coders))
    return {key: codes for key, codes in agreed.items() if codes}


def _suggested_codes(
    rows: list[tuple[str, int, str, float, bool]],
    question: Question,
    min_score: float,
    human_segments: set[int],
) -> tuple[dict[tuple[str, int], set[str]], int]:
    """(case, segment) -> suggested codes that count, and how many passages the model
    judged not applicable, from (case, segment, code, score, top) rows.

    A passage whose top suggestion is ``n/a`` counts for no code (judged not applicable
    when that suggestion reaches ``min_score``). Otherwise in a ``single`` question only the
    top suggestion counts, if it reaches ``min_score``; in a ``multi`` question every code
    that reaches it.
    """
    top: dict[tuple[str, int], tuple[float, bool, str]] = {}
    above: dict[tuple[str, int], set[str]] = defaultdict(set)
    for case, seg, code, score, is_top in rows:
        if seg in human_segments:
            continue
        key = (case, seg)
        if is_top:  # should two share the top rank: the higher score, n/a on a tie
            candidate = (score, code == NOT_APPLICABLE, code)
            top[key] = max(top.get(key, candidate), candidate)
        if score >= min_score and code != NOT_APPLICABLE:
            above[key].add(code)
    suggested: dict[tuple[str, int], set[str]] = {}
    judged_not_applicable = 0
    for key, (score, _not_applicable, code) in top.items():
        if code == NOT_APPLICABLE:
            if score >= min_score:
                judged_not_applicable += 1
            continue
        if question.mode == "single":
            codes = {code} if score >= min_score else set()
        else:
            codes = above.get(key, set())
        if codes:
            suggested[key] = codes
    return suggested, judged_not_applicable
