"""Which passages the coding screen shows, and in which order, asked for and computed apart.

A filter, a search or the most-uncertain-first order can read much of the store (every
passage's suggestions, every coder's answers), too slow to wait for on a keypress in a
large project. So the session hands out a ``ViewRequest`` (what to show, with a copy of
what it depends on), ``compute`` works it out with store reads only (in a worker thread,
while keys keep working), and the session then shows the result, unless the question
changed in the meantime.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from coder.coding.filters import Filter, kept
from coder.coding.ordering import Ordering, ordered
from coder.coding.position import Position
from coder.model.codebook import Question
from coder.store import Store


@dataclass(frozen=True)
class ViewRequest:
    """What to show: the passages ``kind`` (with ``value``) keeps, in ``ordering``, for
    ``question``; ``coded`` is what the coder had coded for it when asked."""

    kind: Filter
    value: str | None
    ordering: Ordering
    question: Question
    coded: frozenset[int]
    blind: bool


def compute(
    store: Store, request: ViewRequest, order: list[int], case_of: Mapping[int, str]
) -> list[int]:
    """The passages of ``order`` (every passage in reading order) the request shows, in its
    order. Reads the store, writes nothing and changes no session: safe in a thread."""
    view = kept(
        request.kind,
        request.value,
        order,
        store=store,
        question_id=request.question.id,
        case_of=case_of,
        coded=request.coded,
        blind=request.blind,
    )
    return ordered(
        view,
        request.ordering,
        store=store,
        question=request.question,
        case_of=case_of,
        coded=request.coded,
    )


class ShownPassages:
    """The session's part that decides which passages are shown (a mixin of
    ``CodingSession``): filters, search and order, asked for, computed and applied."""

    store: Store
    position: Position
    filter: tuple[Filter, str | None]
    ordering: Ordering
    search_term: str | None
    coded: set[int]
    blind: bool

    @property
    def question(self) -> Question:
        raise NotImplementedError

    @property
    def order(self) -> list[int]:
        """Every passage, in reading order."""
        return self.position.order

    @property
    def case_of(self) -> dict[int, str]:
        return self.position.case_of

    def view_request(
        self,
        kind: Filter | str,
        value: str | None = None,
        ordering: Ordering | str | None = None,
    ) -> ViewRequest:
        """What showing filter ``kind`` (with ``value``) in ``ordering`` (default: the
        current one) takes; ``compute_view`` works it out, ``apply_view`` shows it."""
        kind = Filter.named(kind)
        if kind is Filter.search:
            value = (value or "").strip()
            kind, value = (Filter.search, value) if value else (Filter.all, None)
        return ViewRequest(
            kind=kind,
            value=value,
            ordering=self.ordering if ordering is None else Ordering.named(ordering),
            question=self.question,
            coded=frozenset(self.coded),
            blind=self.blind,
        )

    def compute_view(self, request: ViewRequest) -> list[int]:
        """The passages ``request`` shows. Store reads only, no change: safe in a thread."""
        return compute(self.store, request, self.order, self.case_of)

    def apply_view(self, request: ViewRequest, view: list[int]) -> int | None:
        """Show ``view``, computed for ``request``: stay on the current passage if it is
        shown (in most-uncertain-first order, newly chosen: the first passage); return the
        count. None, showing nothing new, when the question changed since the request."""
        if request.question.id != self.question.id:
            return None
        newly_uncertain = (
            self.ordering is Ordering.document and request.ordering is not Ordering.document
        )
        self.filter = (request.kind, request.value)
        self.ordering = request.ordering
        self.search_term = request.value if request.kind is Filter.search else None
        self.position.show(view, reading_order=request.ordering is Ordering.document)
        if newly_uncertain:
            self.position.index = 0
        return len(view)

    def set_filter(self, kind: Filter | str, value: str | None = None) -> int:
        """Show all passages, uncoded ones, those with a code, one case's, or those with a
        search term (highlighted); return the count. The order stays as it is."""
        request = self.view_request(kind, value)
        return self.apply_view(request, self.compute_view(request)) or 0

    def set_ordering(self, kind: Ordering | str) -> None:
        """Reading order ("document") or active learning ("uncertain", see uncertain_first);
        the first passage of the uncertain order becomes current."""
        request = self.view_request(*self.filter, ordering=kind)
        self.apply_view(request, self.compute_view(request))

    def search(self, term: str) -> int:
        """Keep only passages containing ``term`` (highlighted); an empty term clears it."""
        return self.set_filter(Filter.search, term)
