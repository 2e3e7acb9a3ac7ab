"""The coding screen: its panels, its key bindings, and drawing the session on them.

What the keys do is in ``actions``; the keys themselves come from the one keymap
(``coder.model.keymap``, built into bindings in ``keymap``); filters, search and order are
worked out in the background (``views``); a write that finds the database busy is in
``busy``, the suggester retrained while coding in ``retraining``.
"""

from __future__ import annotations

import gc
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from coder.coding.filters import Filter
from coder.coding.ordering import Ordering
from coder.coding.session import CodingSession
from coder.i18n import N_, _
from coder.tui.actions import KeyActions
from coder.tui.busy import SavesKeys
from coder.tui.case_list import CaseChosen, CaseList
from coder.tui.code_panel import CodeDetail, CodePanel, QuestionHeader, code_rows, share
from coder.tui.keymap import KeyFooter, bindings, translate_bindings
from coder.tui.retraining import Retrains
from coder.tui.views import ShowsViews
from coder.tui.widgets import PassageView

DIVIDER = 1  # the line between the code list and the definition

# A filter's name on the status line (translated where shown).
FILTER_NAMES = {
    Filter.all: N_("all"),
    Filter.uncoded: N_("uncoded"),
    Filter.code: N_("code"),
    Filter.case: N_("case"),
    Filter.search: N_("search"),
    Filter.disagreements: N_("disagreements"),
}


class CodingScreen(KeyActions, SavesKeys, Retrains, ShowsViews, Screen):
    BINDINGS = bindings()

    def __init__(self, session: CodingSession):
        super().__init__()
        translate_bindings(self)  # the footer's words in the language chosen by now
        self.session = session
        self.highlighted: str | None = None  # the code id whose definition shows
        self.rows: list[str] = []  # the code ids in the order listed
        self.waiting_for_lock = False
        self.working: str | None = None  # a view being worked out in the background

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="main"):
            yield CaseList(id="cases")
            with VerticalScroll(id="centre"):
                yield PassageView(id="passage")
            with Vertical(id="right"):
                yield QuestionHeader(id="question")
                with VerticalScroll(id="codes"):
                    yield CodePanel(id="code-list")
                with VerticalScroll(id="definition"):
                    yield CodeDetail(id="detail")
        yield Static(id="status")
        yield KeyFooter(compact=True)  # compact: more of the keys fit in 80 columns

    def on_mount(self) -> None:
        db = self.session.store.db
        self.app.sub_title = f"{self.session.coder} · {db if '://' in db else Path(db).name}"
        self.query_one(CaseList).show(self.session.case_progress())
        self.refresh_all()
        if getattr(self.app, "freeze_gc", False):
            # The project (100,000 passages: their order, cases, ranks) and the screen live
            # as long as the app: leave them out of Python's full garbage collections, which
            # otherwise pause a keypress now and then for 50-150 ms on a large project.
            self.call_after_refresh(gc.freeze)

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_right)

    # -- rendering ---------------------------------------------------------------------------
    def refresh_all(self) -> None:
        session = self.session
        passage = session.passage()
        self.passage = passage
        labels = session.labels()
        self.query_one(PassageView).show(passage, session.search_term, labels)
        self.query_one("#centre", VerticalScroll).scroll_home(animate=False)
        self.refresh_codes()
        self.query_one("#status", Static).update(self._status(), layout=False)
        if passage is not None:
            self.query_one(CaseList).point_at(passage.case)
        self.app.title = f"coder — {session.codebook.title}"

    def refresh_codes(self) -> None:
        """The right column: the question, its codes (the highlighted one in view) and the
        highlighted code's definition."""
        session, passage = self.session, self.passage
        question = session.question
        rows = code_rows(question, session.keyed_codes(), passage)
        self.rows = [row.code_id for row in rows]
        if self.highlighted not in self.rows:
            self.highlighted = self.rows[0] if self.rows else None
        shown_scores = passage is not None and bool(passage.suggestions)
        self.query_one(QuestionHeader).show(
            question, session.calibration_note if shown_scores else None
        )
        mine = passage.mine if passage else set()
        self.query_one(CodePanel).show(rows, passage, self.highlighted, session.implied(mine))
        codes = {code.id: code for code in question.codes}
        code = codes.get(self.highlighted or "")
        parent = codes.get(code.parent or "") if code is not None else None
        self.query_one(CodeDetail).show(code, parent)
        self.fit_right()

    def fit_right(self) -> None:
        """Share the right column's height between the code list and the definition by what
        each holds, and scroll the list to the highlighted code (and its bar)."""
        right = self.query_one("#right")
        header = self.query_one(QuestionHeader)
        box = self.query_one("#codes", VerticalScroll)
        panel = self.query_one(CodePanel)
        width = right.content_size.width
        total = right.content_size.height - header.height_for(width) - DIVIDER
        height = share(total, panel.lines, self.query_one(CodeDetail).lines)
        if box.styles.height is None or box.styles.height.value != height:
            box.styles.height = height
        first, after = panel.spans.get(self.highlighted or "", (0, 0))
        top = box.scroll_y
        if first < top or after - first > height:
            box.scroll_to(y=first, animate=False)
        elif after > top + height:
            box.scroll_to(y=after - height, animate=False)

    def _status(self) -> str:
        """The status line: question, progress, and the filter and order if not the usual."""
        session = self.session
        coded, total = session.progress()
        share_coded = coded / total if total else 0.0
        kind, value = session.filter
        shown = ""
        if kind is not Filter.all:
            name = _(FILTER_NAMES.get(kind, kind)) + (f" {value}" if value else "")
            shown = "  ·  " + _("filter: {filter}").format(filter=name)
        if session.ordering is not Ordering.document:
            shown += "  ·  " + _("most uncertain first")
        if self.working:
            shown += f"  ·  {self.working}"
        line = _("Q{n}/{questions} {question}  ·  coded {coded}/{total} ({share})").format(
            n=session.question_index + 1,
            questions=len(session.codebook.questions),
            question=session.question.id,
            coded=coded,
            total=total,
            share=f"{share_coded:.0%}",
        )
        return line + shown

    def _refresh_case(self, case: str) -> None:
        coded = self.session.case_coded[case]
        self.query_one(CaseList).update_case(case, coded, self.session.case_sizes[case])

    def on_case_chosen(self, message: CaseChosen) -> None:
        self.session.go_to_case(message.case)
        self.refresh_all()
