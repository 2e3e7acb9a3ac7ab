"""What the keys of the coding screen do: each calls one session method, then redraws.

Keys that write (a code, n/a, enter, undo, adjudication, memo) go through ``saving``, so a
busy database holds them instead of losing them; keys that move or change what is shown
only read.
"""

from __future__ import annotations

from textual import events

from coder.coding.filters import Filter
from coder.coding.ordering import Ordering
from coder.coding.session import CodingSession
from coder.i18n import N_, _
from coder.model.codebook import NOT_APPLICABLE
from coder.reports.agreement import CONSENSUS
from coder.tui.case_list import CaseList
from coder.tui.history_screen import HistoryScreen
from coder.tui.screens import ChoiceScreen, CodePicker, HelpScreen, Picker, TextPrompt

LISTED_CASES = 40  # more cases than this: the filter menu finds a case by typing, not a list
NO_SUGGESTION = N_(
    "No suggestion for this passage: run `coder suggest`, or code more and `coder train`."
)


class KeyActions:
    """The coding screen's key handlers (a mixin of ``CodingScreen``, which draws with
    ``refresh_all``, ``refresh_codes`` and ``_refresh_case``, writes with ``saving``,
    retrains with ``retrain_if_due`` and shows filters in the background with
    ``show_view``)."""

    session: CodingSession
    highlighted: str | None
    rows: list[str]

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
            self.notify(_("No passage here: change the filter (f)."), severity="warning")
            return
        self.session.toggle(code_id)  # saved before we go on
        self.highlighted = code_id  # in view, with its definition, even if it was not
        self._after_write()

    def action_not_applicable(self) -> None:
        """Key 0: the question does not apply to this passage (again: take it back)."""
        self._toggle(NOT_APPLICABLE)

    def _after_write(self) -> None:
        if self.passage is not None:
            self._refresh_case(self.passage.case)
        self.refresh_all()
        self.retrain_if_due()

    def action_accept(self) -> None:
        self.saving(self._accept_now)

    def _accept_now(self) -> None:
        top = self.session.accept_top_suggestion()
        if top is None:
            self.notify(_(NO_SUGGESTION), severity="information")
            return
        self._after_write()

    def action_undo(self) -> None:
        self.saving(self._undo_now)

    def _undo_now(self) -> None:
        before_question = self.session.question_index
        seg = self.session.undo()
        if seg is None:
            self.notify(_("Nothing to undo."))
            return
        if self.session.question_index != before_question:
            self.query_one(CaseList).show(self.session.case_progress())
        self._refresh_case(self.session.case_of[seg])
        self.refresh_all()
        self.notify(_("Undone."))

    def action_adjudicate(self) -> None:
        """Record the agreed code(s) as coder `consensus`: take one coder's answer over,
        or toggle a code."""
        passage = self.passage
        if passage is None:
            return
        if self.session.blind:
            self.notify(_("Blind coding hides other coders: adjudicate without --blind."))
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
                _("As {coders}: {codes}").format(
                    coders=_(" and ").join(sorted(coders)),
                    codes=", ".join(labels[c] for c in labels if c in codes),
                ),
            )
            for codes, coders in answers.items()
        ]
        options += [
            (f"code:{code_id}", _("Code: {label}").format(label=label))
            for code_id, label in labels.items()
        ]

        def chosen(key: str | None) -> None:
            if key is None:
                return
            kind, _colon, value = key.partition(":")

            def agree() -> None:
                agreed = self.session.adjudicate(value.split(","), replace=kind == "take")
                self.refresh_all()
                shown = ", ".join(labels[c] for c in labels if c in agreed) or _("nothing")
                self.notify(_("Consensus: {codes}.").format(codes=shown))

            self.saving(agree)

        self.app.push_screen(
            ChoiceScreen(_("Agreed code(s), recorded as coder 'consensus'"), options), chosen
        )

    def action_pick_code(self) -> None:
        def picked(code_id: str | None) -> None:
            if code_id:
                self._toggle(code_id)

        self.app.push_screen(CodePicker(list(self.session.question.codes)), picked)

    def action_memo(self) -> None:
        if self.passage is None:
            return

        def saved(text: str | None) -> None:
            if text is not None and text.strip():

                def memo() -> None:
                    self.session.add_memo(text)
                    self.refresh_all()
                    self.notify(_("Memo saved."))

                self.saving(memo)

        self.app.push_screen(
            TextPrompt(_("Memo on this passage"), self.passage.memo or "", _("what to remember")),
            saved,
        )

    # -- moving ------------------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        if self.session.move(step):
            self.refresh_all()

    def action_next_uncoded(self) -> None:
        if self.session.next_uncoded():
            self.refresh_all()
        else:
            self.notify(_("Every passage here is coded for this question."))

    def action_question(self, step: int) -> None:
        """tab: the next question; shift+tab: the previous one."""
        asked, self.pending = self.pending, None  # asked for the question left: ask anew
        resort = self.session.next_question(step, resort=False)
        self.highlighted = None  # the first code listed
        self.query_one(CaseList).show(self.session.case_progress())
        self.refresh_all()
        if asked is not None:
            kept = asked.kind if not asked.kind.per_question else Filter.all
            self.show_view(kept, asked.value if kept is asked.kind else None, asked.ordering)
        elif resort:  # most uncertain first is per question: re-sorted in the background
            self.show_view()

    def action_highlight(self, step: int) -> None:
        """Highlight the next (previous) code in the order listed; its definition shows."""
        if not self.rows:
            return
        at = self.rows.index(self.highlighted) if self.highlighted in self.rows else 0
        self.highlighted = self.rows[(at + step) % len(self.rows)]
        self.refresh_codes()

    def action_case(self, step: int) -> None:
        cases = list(self.session.case_sizes)
        if self.passage is None or not cases:
            return
        i = cases.index(self.passage.case)
        for j in range(1, len(cases) + 1):
            if self.session.go_to_case(cases[(i + step * j) % len(cases)]):
                break
        self.refresh_all()

    # -- what is shown: order, search, filter; help and quit -----------------------------------
    def action_toggle_ordering(self) -> None:
        uncertain = self.wanted()[2] is Ordering.document
        ordering = Ordering.uncertain if uncertain else Ordering.document
        self.show_view(ordering=ordering, why="order")

    def action_search(self) -> None:
        def searched(term: str | None) -> None:
            if term is not None:
                self.show_view(Filter.search, term, why="search")

        self.app.push_screen(
            TextPrompt(_("Search passages"), self.session.search_term or ""), searched
        )

    def action_filter(self) -> None:
        options = [
            (Filter.all, _("All passages")),
            (Filter.uncoded, _("Passages I have not coded")),
        ]
        if not self.session.blind:
            options.append((Filter.disagreements, _("Coders disagree (adjudicate with a)")))
        labels = self.session.labels().items()
        options += [
            (f"{Filter.code}:{c}", _("Coded: {label}").format(label=label)) for c, label in labels
        ]
        cases = list(self.session.case_sizes)
        if len(cases) <= LISTED_CASES:
            options += [
                (f"{Filter.case}:{case}", _("Case: {case}").format(case=case)) for case in cases
            ]
        else:  # 2,000 regions or municipalities: found by typing, not listed
            options.append(
                (
                    f"{Filter.case}:",
                    _("Case… (type part of its name; {n})").format(n=len(cases)),
                )
            )

        def chosen(key: str | None) -> None:
            if key is None:
                return
            kind, _colon, value = key.partition(":")
            if kind == Filter.case and not value:
                self.app.push_screen(
                    Picker(_("Case: type part of its name"), [(c, c) for c in cases]),
                    case_chosen,
                )
                return
            self.show_view(kind, value or None, why="filter")

        def case_chosen(case: str | None) -> None:
            if case is not None:
                self.show_view(Filter.case, case, why="filter")

        self.app.push_screen(ChoiceScreen(_("Show"), options), chosen)

    def action_clear(self) -> None:
        if self.wanted()[0] is not Filter.all:
            self.show_view(Filter.all)

    def action_history(self) -> None:
        """The history of the passage on screen (H), newest first."""
        passage = self.passage
        if passage is None:
            return
        where = _("{case}, passage {n}").format(case=passage.case, n=passage.position + 1)
        self.app.push_screen(HistoryScreen(self.session.history(), self.session.codebook, where))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(getattr(self.app, "keys", None)))

    def action_quit(self) -> None:
        self.app.exit()
