"""In which order the coding screen goes through the passages it shows (key ``o``)."""

from __future__ import annotations

from collections.abc import Mapping, Set
from enum import StrEnum
from itertools import zip_longest

from coder.errors import CoderError
from coder.i18n import _
from coder.model.codebook import Question
from coder.store import Store, queries


class Ordering(StrEnum):
    """Reading order, or active learning: the passages the model is least sure of first."""

    document = "document"
    uncertain = "uncertain"

    @classmethod
    def named(cls, kind: str) -> Ordering:
        """The ordering called ``kind``; a name no ordering has is the caller's mistake."""
        try:
            return cls(kind)
        except ValueError:
            raise CoderError(_("unknown ordering '{name}'").format(name=kind)) from None


def uncertain_first(
    view: list[int], case_of: Mapping[int, str], uncertainty: Mapping[int, float], coded: Set[int]
) -> list[int]:
    """Active-learning order, stratified by case.

    Uncoded passages come first, taking turns between cases: round r holds each case's
    r-th most uncertain passage, the round sorted most uncertain first. So the model learns
    where it is unsure, yet every case gets coded early and the tallies stay representative
    of all cases. Passages without suggestions count as fully uncertain. Coded passages
    follow in reading order. Ties keep reading order.
    """
    per_case: dict[str, list[int]] = {}
    for seg in view:
        if seg not in coded:
            per_case.setdefault(case_of[seg], []).append(seg)

    def unsure(seg: int) -> float:
        return -uncertainty.get(seg, 1.0)

    for segs in per_case.values():
        segs.sort(key=unsure)
    arranged: list[int] = []
    for turn in zip_longest(*per_case.values()):
        arranged.extend(sorted((s for s in turn if s is not None), key=unsure))
    arranged.extend(s for s in view if s in coded)
    return arranged


def ordered(
    view: list[int],
    ordering: Ordering,
    *,
    store: Store,
    question: Question,
    case_of: Mapping[int, str],
    coded: Set[int],
) -> list[int]:
    """``view`` (in reading order) put in ``ordering``: unchanged in reading order, else
    by the current question's stored suggestions (read here, once per call)."""
    if ordering is Ordering.document:
        return view
    uncertainty = queries.suggestion_uncertainty(store, question.id, question.mode)
    return uncertain_first(view, case_of, uncertainty, coded)
