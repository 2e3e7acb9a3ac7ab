"""Filters, search and order worked out in the background, so that no key waits on them.

A filter (``f``), a search (``/``), the most-uncertain-first order (``o``) and re-sorting
after a retrain or a change of question can read much of a large project. The screen asks
the session for a ``ViewRequest``, an exclusive worker thread computes it (a newer request
cancels an older one), and the result comes back as a ``ViewReady`` message, handled on
the screen's thread like a keypress. Keys typed meanwhile work on the passages shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from coder.coding.filters import Filter
from coder.coding.ordering import Ordering
from coder.coding.session import CodingSession, ViewRequest
from coder.errors import CoderError
from coder.i18n import N_, _, ngettext

# What the status line says while a view is worked out, by what asked for it (translated
# where shown).
WORKING = {
    "search": N_("searching…"),
    "filter": N_("filtering…"),
    "order": N_("sorting…"),
    "quiet": N_("sorting…"),
}


@dataclass
class ViewReady(Message):
    """The passages ``request`` shows, worked out in a worker thread."""

    request: ViewRequest
    view: list[int]
    why: str  # what asked for it: search, filter, order, quiet (say nothing)


@dataclass
class ViewFailed(Message):
    """The view ``request`` asked for could not be worked out; ``problem`` says why."""

    request: ViewRequest
    problem: str


def shown_note(request: ViewRequest, shown: int, why: str) -> str | None:
    """What to tell the coder once a view is shown (None: nothing)."""
    if why == "search":
        if request.kind is Filter.search:
            return ngettext(
                "{n} passage contains “{term}”.", "{n} passages contain “{term}”.", shown
            ).format(n=shown, term=request.value)
        return _("Search cleared.")
    if why == "filter":
        return ngettext("{n} passage shown.", "{n} passages shown.", shown).format(n=shown)
    if why == "order":
        if request.ordering is Ordering.uncertain:
            return _("Most uncertain first, taking turns between cases.")
        return _("Reading order.")
    return None


class ShowsViews:
    """The coding screen's part that shows a new filter, search or order (a mixin of
    ``CodingScreen``, whose ``refresh_all`` redraws the screen)."""

    session: CodingSession
    working: str | None
    pending: ViewRequest | None = None  # asked for, not shown yet

    def wanted(self) -> tuple[Filter, str | None, Ordering]:
        """The filter (with its value) and order shown once what was asked for is shown."""
        if self.pending is not None:
            return self.pending.kind, self.pending.value, self.pending.ordering
        kind, value = self.session.filter
        return kind, value, self.session.ordering

    def show_view(
        self,
        kind: Filter | str | None = None,
        value: str | None = None,
        ordering: Ordering | None = None,
        *,
        why: str = "quiet",
    ) -> None:
        """Show filter ``kind`` (None: the one wanted) in ``ordering`` (None: the one wanted),
        worked out in the background."""
        wanted_kind, wanted_value, wanted_ordering = self.wanted()
        if kind is None:
            kind, value = wanted_kind, wanted_value
        try:
            request = self.session.view_request(kind, value, ordering or wanted_ordering)
        except CoderError as exc:
            self.notify(str(exc), severity="error")
            return
        self.pending = request
        self.working = _(WORKING.get(why, WORKING["quiet"]))
        self.query_one("#status", Static).update(self._status(), layout=False)
        self.compute_view(request, why)

    @work(thread=True, exclusive=True, group="view")
    def compute_view(self, request: ViewRequest, why: str) -> None:
        """Work the view out in a thread (store reads only); post it back unless a newer
        request took its place meanwhile."""
        try:
            view = self.session.compute_view(request)
        except Exception as exc:  # noqa: BLE001 - shown, and coding goes on
            problem = str(exc) if isinstance(exc, CoderError) else f"{type(exc).__name__}: {exc}"
            self.post_message(ViewFailed(request, problem))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(ViewReady(request, view, why))

    def on_view_ready(self, message: ViewReady) -> None:
        request = message.request
        if request is not self.pending:
            return  # a newer request took its place
        self.pending = None
        shown = self.session.apply_view(request, message.view)
        if shown is None:  # the question changed meanwhile: the same, for the new question
            kind, value = (
                (Filter.all, None) if request.kind.per_question else (request.kind, request.value)
            )
            self.show_view(kind, value, request.ordering, why=message.why)
            return
        self.working = None
        self.refresh_all()
        note = shown_note(request, shown, message.why)
        if note:
            self.notify(note)

    def on_view_failed(self, message: ViewFailed) -> None:
        if message.request is not self.pending:
            return
        self.pending = None
        self.working = None
        self.refresh_all()
        self.notify(message.problem, severity="error")
