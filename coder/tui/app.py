"""The coding screen (Textual): read a passage, press a key, it is saved.

The app is a thin layer over ``coder.coding.session.CodingSession``: key handlers call
one session method (which writes to the store before returning) and then
re-render the three panels.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static

from coder.coding.session import RETRAIN_EVERY, CodingSession
from coder.errors import CoderError
from coder.model.codebook import NOT_APPLICABLE
from coder.reports.agreement import CONSENSUS
from coder.store import Store
from coder.store.engine import StoreBusy
from coder.tui.screens import ChoiceScreen, CodePicker, HelpScreen, TextPrompt
from coder.tui.widgets import CaseList, CodeDetail, CodePanel, PassageView

# A keypress's write waits this long for the write lock before the screen says it is
# waiting; it is then tried again every RETRY_S, and the keys typed meanwhile are held
# and replayed in order once it is saved (nothing lost, nothing doubled, no freeze).
KEY_LOCK_WAIT_S = 0.5
RETRY_S = 0.2
RETRY_WAIT_S = 0.1
WAITING = "waiting for the database… (another coder process is writing)"


class CodingScreen(Screen):
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

    # -- writes that may find the database busy -------------------------------------------------
    def saving(self, action: Callable[[], None], wait: float = KEY_LOCK_WAIT_S) -> None:
        """Run a keypress's handler, whose write may find another process holding the write
        lock: the write then raises ``StoreBusy`` before anything is written, the status line
        says so, and the SAME handler runs again shortly; keys typed meanwhile wait for it
        (``CoderApp.on_event``). Any other refusal is a notification: coding goes on."""
        session = self.session
        writers = list(session._writers)  # undo pops its writer before writing: put it back
        try:
            with session.store.waiting(wait):
                action()
        except StoreBusy:
            session._writers[:] = writers
            if not self.waiting_for_lock:
                self.waiting_for_lock = True
                self.app.hold_keys()
            self.query_one("#status", Static).update(WAITING, layout=False)
            self.set_timer(RETRY_S, lambda: self.saving(action, RETRY_WAIT_S))
            return
        except CoderError as exc:
            session._writers[:] = writers
            self._release()
            self.refresh_all()
            self.notify(str(exc), severity="error")
            return
        self._release()

    def _release(self) -> None:
        if self.waiting_for_lock:
            self.waiting_for_lock = False
            self.refresh_all()  # the status line again
            self.app.release_keys()

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
        coded, total = session.progress()
        share = coded / total if total else 0.0
        kind, value = session.filter
        shown = "" if kind == "all" else f"  ·  filter: {kind}{' ' + value if value else ''}"
        if session.ordering != "document":
            shown += "  ·  most uncertain first"
        question_no = session.question_index + 1
        self.query_one("#status", Static).update(
            f"Q{question_no}/{len(session.codebook.questions)} {session.question.id}  ·  "
            f"coded {coded}/{total} ({share:.0%}){shown}",
            layout=False,
        )
        if passage is not None:
            self.query_one(CaseList).point_at(passage.case)
        self.app.title = f"coder — {session.codebook.title}"

    def _refresh_case(self, case: str) -> None:
        coded = self.session.case_coded[case]
        self.query_one(CaseList).update_case(case, coded, self.session.case_sizes[case])

    # -- coding ------------------------------------------------------------------------------
    def code_key(self, event: events.Key) -> None:
        """A code's key (1-9 or its hotkey) toggles it. Called by the app, where keys bound
        to actions (j, k, ...) are handled too, so keys typed ahead keep their order."""
        if not event.character:
            return
        code = self.session.code_for_key(event.character)
        if code is None:
            return
        event.stop()
        self._toggle(code.id)

    def _toggle(self, code_id: str) -> None:
        self.saving(lambda: self._toggle_now(code_id))

    def _toggle_now(self, code_id: str) -> None:
        if self.session.segment_id is None:
            self.notify("No passage here: change the filter (f).", severity="warning")
            return
        self.session.toggle(code_id)  # saved before we go on
        ids = [c.id for c in self.session.question.codes]
        if code_id in ids:
            self.highlighted = ids.index(code_id)
        self._after_write()

    def action_not_applicable(self) -> None:
        """Key 0: the question does not apply to this passage (again: take it back)."""
        self._toggle(NOT_APPLICABLE)

    def _after_write(self) -> None:
        if self.passage is not None:
            self._refresh_case(self.passage.case)
        self.refresh_all()
        every = self.session.retrain_every
        if every and self.session.new_codings >= every:
            self.session.new_codings = 0
            self.retrain(self.session.question.id)

    # -- the suggester, retrained in the background --------------------------------------------
    @work(thread=True, exclusive=True, group="retrain")
    def retrain(self, question_id: str) -> None:
        """Retrain on the codings so far and re-score the uncoded passages, in a thread:
        keys keep working, and each write is a short transaction of its own."""
        from coder.suggest.service import retrain

        try:
            result, scored = retrain(self.session.store, question_id)
        except Exception as exc:  # noqa: BLE001 - a background failure must not end coding
            message = str(exc) if isinstance(exc, CoderError) else f"{type(exc).__name__}: {exc}"
            self.app.call_from_thread(
                self.notify, f"Retraining failed: {message}", severity="error"
            )
            return
        self.app.call_from_thread(self._retrained, question_id, result.n_train, scored)

    def _retrained(self, question_id: str, n_train: int, scored: int) -> None:
        if question_id != self.session.question.id:
            return
        self.session.suggestions_changed()
        self.refresh_all()
        self.notify(f"Suggestions updated: retrained on {n_train} passages, {scored} re-scored.")

    def action_toggle_ordering(self) -> None:
        uncertain = self.session.ordering == "document"
        self.session.set_ordering("uncertain" if uncertain else "document")
        self.refresh_all()
        self.notify(
            "Most uncertain first, taking turns between cases." if uncertain else "Reading order."
        )

    def action_accept(self) -> None:
        self.saving(self._accept_now)

    def _accept_now(self) -> None:
        top = self.session.accept_top_suggestion()
        if top is None:
            self.notify("No suggestion for this passage.", severity="information")
            return
        self._after_write()

    def action_undo(self) -> None:
        self.saving(self._undo_now)

    def _undo_now(self) -> None:
        before_question = self.session.question_index
        seg = self.session.undo()
        if seg is None:
            self.notify("Nothing to undo.")
            return
        if self.session.question_index != before_question:
            self.query_one(CaseList).show(self.session.case_progress())
        self._refresh_case(self.session.case_of[seg])
        self.refresh_all()
        self.notify("Undone.")

    def action_adjudicate(self) -> None:
        """Record the agreed code(s) as coder `consensus`: take one coder's answer over,
        or toggle a code."""
        passage = self.passage
        if passage is None:
            return
        if self.session.blind:
            self.notify("Blind coding hides other coders: adjudicate without --blind.")
            return
        labels = self.session.labels()
        answers: dict[frozenset[str], list[str]] = {}
        everyone = sorted([(self.session.coder, passage.mine), *passage.others.items()])
        for coder, codes in everyone:
            if codes and coder != CONSENSUS:
                answers.setdefault(frozenset(codes), []).append(coder)
        options = [
            (
                "take:" + ",".join(sorted(codes)),
                f"As {' and '.join(sorted(coders))}: "
                + ", ".join(labels[c] for c in labels if c in codes),
            )
            for codes, coders in answers.items()
        ]
        options += [(f"code:{code_id}", f"Code: {label}") for code_id, label in labels.items()]

        def chosen(key: str | None) -> None:
            if key is None:
                return
            kind, _, value = key.partition(":")

            def agree() -> None:
                agreed = self.session.adjudicate(value.split(","), replace=kind == "take")
                self.refresh_all()
                shown = ", ".join(labels[c] for c in labels if c in agreed) or "nothing"
                self.notify(f"Consensus: {shown}.")

            self.saving(agree)

        self.app.push_screen(
            ChoiceScreen("Agreed code(s), recorded as coder 'consensus'", options), chosen
        )

    def action_pick_code(self) -> None:
        def picked(code_id: str | None) -> None:
            if code_id:
                self._toggle(code_id)

        self.app.push_screen(CodePicker(list(self.session.question.codes)), picked)

    # -- moving ------------------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        if self.session.move(step):
            self.refresh_all()

    def action_next_uncoded(self) -> None:
        if self.session.next_uncoded():
            self.refresh_all()
        else:
            self.notify("Every passage here is coded for this question.")

    def action_next_question(self) -> None:
        self.session.next_question()
        self.highlighted = 0
        self.query_one(CaseList).show(self.session.case_progress())
        self.refresh_all()

    def action_highlight(self, step: int) -> None:
        n = len(self.session.question.codes)
        self.highlighted = (self.highlighted + step) % n
        self.refresh_all()

    def action_case(self, step: int) -> None:
        cases = list(self.session.case_sizes)
        if self.passage is None or not cases:
            return
        i = cases.index(self.passage.case)
        for j in range(1, len(cases) + 1):
            if self.session.go_to_case(cases[(i + step * j) % len(cases)]):
                break
        self.refresh_all()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "cases" and event.option.id:
            self.session.go_to_case(event.option.id)
            self.refresh_all()

    # -- memo, search, filter, help ------------------------------------------------------------
    def action_memo(self) -> None:
        if self.passage is None:
            return

        def saved(text: str | None) -> None:
            if text is not None and text.strip():

                def memo() -> None:
                    self.session.add_memo(text)
                    self.refresh_all()
                    self.notify("Memo saved.")

                self.saving(memo)

        self.app.push_screen(
            TextPrompt("Memo on this passage", self.passage.memo or "", "what to remember"), saved
        )

    def action_search(self) -> None:
        def searched(term: str | None) -> None:
            if term is None:
                return
            n = self.session.search(term)
            self.refresh_all()
            self.notify(f"{n} passages contain “{term}”." if term.strip() else "Search cleared.")

        self.app.push_screen(
            TextPrompt("Search passages", self.session.search_term or ""), searched
        )

    def action_filter(self) -> None:
        options = [("all", "All passages"), ("uncoded", "Passages I have not coded")]
        if not self.session.blind:
            options.append(("disagreements", "Coders disagree (adjudicate with a)"))
        options += [(f"code:{c}", f"Coded: {label}") for c, label in self.session.labels().items()]
        options += [(f"case:{case}", f"Case: {case}") for case in self.session.case_sizes]

        def chosen(key: str | None) -> None:
            if key is None:
                return
            kind, _, value = key.partition(":")
            n = self.session.set_filter(kind, value or None)
            self.session.search_term = None
            self.refresh_all()
            self.notify(f"{n} passages shown.")

        self.app.push_screen(ChoiceScreen("Show", options), chosen)

    def action_clear(self) -> None:
        if self.session.filter[0] != "all":
            self.session.search_term = None
            self.session.set_filter("all")
            self.refresh_all()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_quit(self) -> None:
        self.app.exit()


class CoderApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "coder"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, session: CodingSession):
        super().__init__()
        self.session = session
        self._held: list[events.Key] | None = None  # keys typed while a write waits

    def on_mount(self) -> None:
        self.push_screen(CodingScreen(self.session))

    def hold_keys(self) -> None:
        """A keypress's write is waiting for the database: keep the keys typed meanwhile."""
        if self._held is None:
            self._held = []

    def release_keys(self) -> None:
        """The write is saved: replay the held keys, in the order they were typed."""
        held, self._held = self._held, None
        for key in held or []:
            # the very events typed (not new ones: a key made here would have this screen as
            # its sender and would not bubble back up to ``on_key``), never forwarded yet
            self.post_message(key)

    async def on_event(self, event: events.Event) -> None:
        if (
            self._held is not None
            and isinstance(event, events.Key)
            and not event.is_forwarded
            and event.key not in ("ctrl+c", "ctrl+q")
        ):
            self._held.append(event)
            return
        await super().on_event(event)

    def on_key(self, event: events.Key) -> None:
        # Keys no widget handled bubble up to here, in the order typed; the bindings of the
        # coding screen (j, k, ...) run from this same queue. Handling code keys in the
        # screen instead let a digit typed after `j` overtake it and code the wrong passage.
        if isinstance(self.screen, CodingScreen):
            self.screen.code_key(event)


def make_app(
    store: Store,
    coder: str,
    *,
    blind: bool = False,
    order: str = "document",
    retrain_every: int = RETRAIN_EVERY,
) -> CoderApp:
    """The coding app for ``coder`` on ``store`` (used by the CLI and the tests alike)."""
    session = CodingSession(store, coder, blind=blind)
    session.retrain_every = retrain_every
    if order != "document":
        session.set_ordering(order)
    return CoderApp(session)
