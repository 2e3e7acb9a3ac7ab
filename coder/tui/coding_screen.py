"""The coding screen: its panels, its key bindings, and drawing the session on them.

What the keys do is in ``actions``, a write that finds the database busy in ``busy``,
the suggester retrained while coding in ``retraining``.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from coder.coding.filters import Filter
from coder.coding.ordering import Ordering
from coder.coding.session import CodingSession
from coder.tui.actions import KeyActions
from coder.tui.busy import SavesKeys
from coder.tui.retraining import Retrains
from coder.tui.widgets import CaseList, CodeDetail, CodePanel, PassageView


class CodingScreen(KeyActions, SavesKeys, Retrains, Screen):
    BINDINGS = [
        Binding("j,down", "move(1)", "Next", key_display="j"),
        Binding("k,up", "move(-1)", "Prev", key_display="k"),
        Binding("0", "not_applicable", "n/a"),
        Binding("n", "next_uncoded", "Uncoded"),
        Binding("tab", "next_question", "Question", priority=True),
        Binding("u", "undo", "Undo"),
        Binding("m", "memo", "Memo"),
        Binding("slash", "search", "Search", key_display="/"),
        Binding("f", "filter", "Filter"),
        Binding("o", "toggle_ordering", "Order", show=False),
        Binding("c", "pick_code", "Codes"),
        Binding("a", "adjudicate", "Agree", show=False),
        Binding("enter", "accept", "Accept", show=False),
        Binding("left,h", "highlight(-1)", "Prev code", show=False),
        Binding("right,l", "highlight(1)", "Next code", show=False),
        Binding("right_square_bracket", "case(1)", "Next case", show=False),
        Binding("left_square_bracket", "case(-1)", "Prev case", show=False),
        Binding("escape", "clear", "Clear filter", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, session: CodingSession):
        super().__init__()
        self.session = session
        self.highlighted = 0
        self.waiting_for_lock = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="main"):
            yield CaseList(id="cases")
            with VerticalScroll(id="centre"):
                yield PassageView(id="passage")
            with Vertical(id="right"):
                yield CodePanel(id="codes")
                yield CodeDetail(id="definition")
        yield Static(id="status")
        yield Footer(compact=True)  # compact: more of the keys fit in 80 columns

    def on_mount(self) -> None:
        db = self.session.store.db
        self.app.sub_title = f"{self.session.coder} · {db if '://' in db else Path(db).name}"
        self.query_one(CaseList).show(self.session.case_progress())
        self.refresh_all()

    # -- rendering ---------------------------------------------------------------------------
    def refresh_all(self) -> None:
        session = self.session
        passage = session.passage()
        self.passage = passage
        keyed = session.keyed_codes()
        if passage is not None and passage.mine and self.highlighted >= len(keyed):
            self.highlighted = 0
        self.highlighted = max(0, min(self.highlighted, len(keyed) - 1))
        labels = session.labels()
        self.query_one(PassageView).show(passage, session.search_term, labels)
        self.query_one("#centre", VerticalScroll).scroll_home(animate=False)
        self.query_one(CodePanel).show(
            session.question, keyed, passage, self.highlighted, session.calibration_note
        )
        self.query_one(CodeDetail).show(keyed[self.highlighted][1] if keyed else None)
        self.query_one("#status", Static).update(self._status(), layout=False)
        if passage is not None:
            self.query_one(CaseList).point_at(passage.case)
        self.app.title = f"coder — {session.codebook.title}"

    def _status(self) -> str:
        """The status line: question, progress, and the filter and order if not the usual."""
        session = self.session
        coded, total = session.progress()
        share = coded / total if total else 0.0
        kind, value = session.filter
        shown = "" if kind is Filter.all else f"  ·  filter: {kind}{' ' + value if value else ''}"
        if session.ordering is not Ordering.document:
            shown += "  ·  most uncertain first"
        question_no = session.question_index + 1
        return (
            f"Q{question_no}/{len(session.codebook.questions)} {session.question.id}  ·  "
            f"coded {coded}/{total} ({share:.0%}){shown}"
        )

    def _refresh_case(self, case: str) -> None:
        coded = self.session.case_coded[case]
        self.query_one(CaseList).update_case(case, coded, self.session.case_sizes[case])
