"""A coder's working session: position, current question, filters and progress.

This is the model behind the coding screen, with no UI in it: the TUI only
calls these methods and renders what they return. Every change is written to
the store (one transaction) before the method returns. Per keypress it does
at most one indexed write and a few indexed reads; the reading order and the
coder's coded set are loaded once per question and then kept up to date.

Where the coder is lives in ``position``, which passages are shown in ``filters``
and in which order in ``ordering`` (worked out apart, perhaps in a thread: ``views``),
what is shown of a passage in ``passage``, which key codes what in ``keys``.
"""

from __future__ import annotations

from collections import Counter

from coder.coding import keys
from coder.coding.filters import Filter
from coder.coding.keys import NOT_APPLICABLE_LABEL
from coder.coding.ordering import Ordering, uncertain_first
from coder.coding.passage import Passage, Suggestion, ranked_suggestions, read_passage
from coder.coding.position import Position
from coder.coding.views import ShownPassages, ViewRequest
from coder.errors import CoderError
from coder.i18n import _, ngettext
from coder.model.codebook import Code, Question
from coder.reports.agreement import CONSENSUS
from coder.reports.history import Event, events
from coder.store import Store, queries
from coder.store.codings import ACCEPTED, HUMAN

__all__ = [
    "NOT_APPLICABLE_LABEL",
    "RETRAIN_EVERY",
    "CodingSession",
    "Filter",
    "Ordering",
    "Passage",
    "Suggestion",
    "ViewRequest",
    "ranked_suggestions",
    "uncertain_first",
]

RETRAIN_EVERY = 20  # new codings between background retrains in the coding screen


def _uncalibrated(n: int) -> str:
    """The note beside the bars of a model whose scores are not calibrated."""
    return ngettext("uncalibrated ({n} coding)", "uncalibrated ({n} codings)", n).format(n=n)


class CodingSession(ShownPassages):
    """One coder on one project, one question at a time; it opens where the coder left off
    (the question and passage of their last coding)."""

    def __init__(self, store: Store, coder: str, *, blind: bool = False):
        self.store = store
        self.coder = coder
        self.blind = blind
        self.codebook = store.codebook()
        order = queries.segment_order(store)
        if not order:
            raise CoderError(
                _(
                    "{db}: the project has no passages yet; import documents with `coder import`"
                ).format(db=store.db)
            )
        self.position = Position([seg for seg, _ in order], dict(order))
        self.case_sizes: Counter[str] = Counter(self.case_of.values())
        self.question_index = 0
        self.filter: tuple[Filter, str | None] = (Filter.all, None)
        self.ordering = Ordering.document
        self.new_codings = 0  # codes added since the suggester last retrained
        self.retrain_every = RETRAIN_EVERY  # 0: never retrain while coding
        self.search_term: str | None = None
        self._writers: list[str] = []  # whose action each write of this session was, for undo
        last_question = queries.last_event_question(store, coder)
        for i, question in enumerate(self.codebook.questions):
            if question.id == last_question:
                self.question_index = i
        self._load_question()
        resume = queries.last_coded_segment(store, coder)
        if resume in self.position.rank:
            self.position.index = self.position.rank[resume]

    @property
    def view(self) -> list[int]:
        """The passages shown, in the order they are gone through."""
        return self.position.view

    # -- question --------------------------------------------------------------------------
    @property
    def question(self) -> Question:
        return self.codebook.questions[self.question_index]

    def _load_question(self) -> None:
        # n/a is a coding like any other here: it counts as done for progress, `n`, the
        # uncoded filter and the uncertain-first order, which all read this set.
        self.coded: set[int] = queries.coded_segment_ids(self.store, self.question.id, self.coder)
        self.case_coded: Counter[str] = Counter(self.case_of[s] for s in self.coded)
        self._load_model()

    def _load_model(self) -> None:
        """Read the current question's latest model (once per question and per retrain,
        not per keypress) for the calibration note next to the bars."""
        model = self.store.latest_model(self.question.id)
        if model is None:
            self.calibration_note: str | None = _uncalibrated(0)
            return
        metrics = model.metrics if isinstance(model.metrics, dict) else {}
        # calibration is about the scores, not about codes with few codings (cold start):
        # a 7,000-passage model with one rare code is calibrated all the same
        calibrated = metrics.get("calibrated") is True
        self.calibration_note = None if calibrated else _uncalibrated(model.n_train)

    def labels(self) -> dict[str, str]:
        """code id -> label for the current question, in codebook order, n/a last."""
        return keys.labels(self.question)

    def next_question(self, step: int = 1, *, resort: bool = True) -> bool:
        """Go to the next question (``step`` -1: the previous one), on the same passage. A
        filter that depends on the question's codings is dropped. Most uncertain first is
        per question: with ``resort`` False the view is left to re-sort (``view_request``,
        in the background) and True is returned."""
        current = self.segment_id
        self.question_index = (self.question_index + step) % len(self.codebook.questions)
        self._load_question()
        kind, value = (Filter.all, None) if self.filter[0].per_question else self.filter
        stale = False
        if self.ordering is Ordering.document:
            if (kind, value) != self.filter:
                self.set_filter(kind, value)  # all passages in reading order: no reads
        elif resort:
            self.set_filter(kind, value)
        else:
            self.filter, stale = (kind, value), True
        self.position.go_to(current)
        return stale

    def implied(self, codes: set[str]) -> set[str]:
        """The codes of the current question that ``codes`` imply (their parents)."""
        return keys.implied(self.question, codes)

    def keyed_codes(self) -> list[tuple[str, Code]]:
        """The current question's codes with their key: the hotkey, else 1-9, else none."""
        return keys.keyed_codes(self.question)

    def code_for_key(self, key: str) -> Code | None:
        return keys.code_for_key(self.question, key)

    # -- position ----------------------------------------------------------------------------
    @property
    def segment_id(self) -> int | None:
        return self.position.segment_id

    def move(self, step: int) -> bool:
        return self.position.move(step)

    def next_uncoded(self) -> bool:
        """Move to the next passage (after this one, wrapping) this coder has not coded."""
        return self.position.next_not_in(self.coded)

    def go_to_case(self, case: str) -> bool:
        return self.position.go_to_case(case)

    # -- filters, search and ordering --------------------------------------------------------
    def suggestions_changed(self, *, resort: bool = True) -> bool:
        """The stored suggestions were replaced (e.g. after a retrain): re-sort, stay put;
        with ``resort`` False leave that to the caller and return whether it is due.
        Codings made while the retrain ran still count towards the next one."""
        self._load_model()
        if self.ordering is Ordering.document:
            return False
        if resort:
            self.set_filter(*self.filter)
        return not resort

    # -- reading -----------------------------------------------------------------------------
    def passage(self) -> Passage | None:
        seg = self.segment_id
        if seg is None:
            return None
        return read_passage(
            self.store,
            seg,
            self.position.neighbours(seg),
            question_id=self.question.id,
            coder=self.coder,
            blind=self.blind,
            index=self.position.index,
            view_size=len(self.view),
        )

    def progress(self) -> tuple[int, int]:
        """(passages this coder has coded for the current question, all passages)."""
        return len(self.coded), len(self.order)

    def case_progress(self) -> list[tuple[str, int, int]]:
        """(case, coded by this coder for the question, passages) in reading order."""
        return [(case, self.case_coded[case], n) for case, n in self.case_sizes.items()]

    # -- writing -----------------------------------------------------------------------------
    def toggle(self, code_id: str, *, suggestion: Suggestion | None = None) -> set[str]:
        """Toggle a code on the current passage (saved before returning); return my codes.
        ``code_id`` may be NOT_APPLICABLE (key 0): the store keeps it exclusive, replacing
        my codes for the question, and a code added later replaces it."""
        seg = self.segment_id
        if seg is None:
            raise CoderError(_("no passage to code"))
        if suggestion is not None:
            self.store.toggle_code(
                seg,
                self.question.id,
                code_id,
                self.coder,
                origin=ACCEPTED,
                model_id=suggestion.model_id,
                score=suggestion.score,
            )
        else:
            self.store.toggle_code(seg, self.question.id, code_id, self.coder, origin=HUMAN)
        self._writers.append(self.coder)
        mine = self.store.codes_of(seg, self.question.id, self.coder)
        if code_id in mine:
            self.new_codings += 1
        self._mark(seg, bool(mine))
        return mine

    def adjudicate(self, code_ids: list[str], *, replace: bool) -> set[str]:
        """Record the agreed codes of the current passage as coder ``consensus``.

        With ``replace`` the consensus becomes exactly ``code_ids`` (one coder's answer
        taken over); else the one code is toggled (in a ``single`` question it replaces).
        Saved before returning; ``undo`` takes it back. Returns the consensus codes."""
        seg = self.segment_id
        if seg is None:
            raise CoderError(_("no passage to adjudicate"))
        if self.blind:
            raise CoderError(
                _("blind coding hides other coders' codes; adjudicate without --blind")
            )
        if replace:
            self.store.set_codes(seg, self.question.id, code_ids, CONSENSUS)
        else:
            (code_id,) = code_ids
            self.store.toggle_code(seg, self.question.id, code_id, CONSENSUS)
        self._writers.append(CONSENSUS)
        return self.store.codes_of(seg, self.question.id, CONSENSUS)

    def accept_top_suggestion(self) -> Suggestion | None:
        """Accept the suggestion with the highest score (the one drawn as the top one);
        an n/a suggestion marks the passage not applicable. Accepting what is already
        coded changes nothing."""
        passage = self.passage()
        if passage is None or not passage.suggestions:
            return None
        top = passage.suggestions[0]  # ranked_suggestions: highest score first
        if top.code not in passage.mine:
            self.toggle(top.code, suggestion=top)
        return top

    def undo(self) -> int | None:
        """Undo this coder's last coding action (or this session's last adjudication, if
        that came later); move to its passage and return it. Whose action comes next is
        forgotten only once the store has taken the undo: a busy or refused store leaves
        it, so the same undo can be tried again."""
        writer = self._writers[-1] if self._writers else self.coder
        undone = self.store.undo(writer)
        if self._writers:
            self._writers.pop()
        if undone is None:
            return None
        seg = queries.last_coded_segment(self.store, writer)
        if seg is None:
            return None
        last_question = queries.last_event_question(self.store, writer)
        for question_index, question in enumerate(self.codebook.questions):
            if question.id == last_question and question_index != self.question_index:
                self.question_index = question_index
                self._load_question()
        self._mark(seg, bool(self.store.codes_of(seg, self.question.id, self.coder)))
        if seg not in self.view:
            self.set_filter(Filter.all)
        self.position.go_to(seg)
        return seg

    def history(self) -> list[Event]:
        """The coding events of the current passage, newest first: every coder's, or in
        blind coding this coder's own."""
        seg = self.segment_id
        if seg is None:
            return []
        found = events(self.store, segment=seg)
        if self.blind:
            found = [event for event in found if event.coder == self.coder]
        return found[::-1]

    def add_memo(self, text: str) -> None:
        seg = self.segment_id
        if seg is not None and text.strip():
            self.store.add_memo(seg, self.coder, text.strip())

    def _mark(self, seg: int, coded: bool) -> None:
        case = self.case_of[seg]
        if coded and seg not in self.coded:
            self.coded.add(seg)
            self.case_coded[case] += 1
        elif not coded and seg in self.coded:
            self.coded.discard(seg)
            self.case_coded[case] -= 1
