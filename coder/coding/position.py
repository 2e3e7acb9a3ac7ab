"""Where the coder is: the passages shown (the view) and the current one among them."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Set


class Position:
    """The view (the passages a filter keeps, perhaps re-ordered) and the current passage.

    ``order`` is every passage in reading order; the view starts as ``order`` itself and
    may be empty, when no passage is current. Moving never leaves the view."""

    def __init__(self, order: list[int], case_of: dict[int, str]) -> None:
        self.order = order
        self.case_of = case_of
        self.rank = {seg: i for i, seg in enumerate(order)}
        self.view: list[int] = order
        self.reading_order = True  # whether the view keeps reading order
        self.index = 0  # of the current passage in the view

    @property
    def segment_id(self) -> int | None:
        return self.view[self.index] if self.view else None

    def show(self, view: list[int], *, reading_order: bool) -> None:
        """Show ``view`` instead: stay on the current passage if it is shown, else go to the
        next one shown in reading order (or to the first, in another order)."""
        current = self.segment_id
        self.view = view
        self.reading_order = reading_order
        self.go_to(current)

    def move(self, step: int) -> bool:
        """Go ``step`` passages on (back, if negative), stopping at either end of the view;
        return whether the current passage changed."""
        if not self.view:
            return False
        new = max(0, min(len(self.view) - 1, self.index + step))
        moved = new != self.index
        self.index = new
        return moved

    def next_not_in(self, done: Set[int]) -> bool:
        """Go to the next passage (after this one, wrapping) not in ``done``."""
        n = len(self.view)
        for step in range(1, n + 1):
            i = (self.index + step) % n
            if self.view[i] not in done:
                self.index = i
                return True
        return False

    def go_to_case(self, case: str) -> bool:
        """Go to the case's first passage in the view; False if the view has none."""
        for i, seg in enumerate(self.view):
            if self.case_of[seg] == case:
                self.index = i
                return True
        return False

    def go_to(self, segment_id: int | None) -> None:
        """Go to the passage, or where it would be: the next one shown in reading order,
        else the last; in another order, the first."""
        if segment_id is None or not self.view:
            self.index = 0
            return
        if self.view is self.order:
            self.index = self.rank[segment_id]
            return
        if not self.reading_order:
            self.index = self.view.index(segment_id) if segment_id in self.view else 0
            return
        ranks = [self.rank[s] for s in self.view]
        self.index = min(bisect_left(ranks, self.rank[segment_id]), len(self.view) - 1)

    def neighbours(self, segment_id: int) -> tuple[int | None, int | None]:
        """The passages before and after this one in reading order (None at either end)."""
        rank = self.rank[segment_id]
        before = self.order[rank - 1] if rank else None
        after = self.order[rank + 1] if rank + 1 < len(self.order) else None
        return before, after
