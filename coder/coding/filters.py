"""Which passages the coding screen shows: the filters behind ``f``, ``/`` and escape."""

from __future__ import annotations

from collections.abc import Mapping, Set
from enum import StrEnum

from coder.errors import CoderError
from coder.i18n import _
from coder.reports.agreement import answers, disagreements
from coder.store import Store, queries


class Filter(StrEnum):
    """A filter's kind; its value (a code id, a case, a search term) travels beside it.
    The value is what the status line shows (``filter: uncoded``)."""

    all = "all"
    uncoded = "uncoded"
    code = "code"
    case = "case"
    search = "search"
    disagreements = "disagreements"

    @classmethod
    def named(cls, kind: str) -> Filter:
        """The filter called ``kind``; a name no filter has is the caller's mistake."""
        try:
            return cls(kind)
        except ValueError:
            raise CoderError(_("unknown filter '{name}'").format(name=kind)) from None

    @property
    def per_question(self) -> bool:
        """Whether what it keeps depends on the current question's codings, so that moving
        to the next question drops it rather than show an unrelated set."""
        return self in (Filter.uncoded, Filter.code, Filter.disagreements)


def kept(
    kind: Filter,
    value: str | None,
    order: list[int],
    *,
    store: Store,
    question_id: str,
    case_of: Mapping[int, str],
    coded: Set[int],
    blind: bool,
) -> list[int]:
    """The passages of ``order`` that the filter keeps, in reading order: ``order`` itself
    for ``Filter.all``. ``coded`` is what this coder has coded for the question."""
    if kind is Filter.all:
        return order
    if kind is Filter.uncoded:
        return [s for s in order if s not in coded]
    if kind is Filter.code:
        with_code = queries.segments_with_code(store, question_id, value or "")
        return [s for s in order if s in with_code]
    if kind is Filter.case:
        return [s for s in order if case_of[s] == value]
    if kind is Filter.disagreements:
        if blind:
            raise CoderError(_("blind coding hides other coders' codes, and so disagreements"))
        differ = disagreements(answers(store, question_id))
        return [s for s in order if s in differ]
    hits = queries.search_segment_ids(store, value or "")
    return [s for s in order if s in hits]
