"""A coder's working session: position, current question, filters and progress.

This is the model behind the coding screen, with no UI in it: the TUI only
calls these methods and renders what they return. Every change is written to
the store (one transaction) before the method returns. Per keypress it does
at most one indexed write and a few indexed reads; the reading order and the
coder's coded set are loaded once per question and then kept up to date.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from itertools import zip_longest

from coder.errors import CoderError
from coder.model.codebook import NOT_APPLICABLE, Code, Question
from coder.reports.agreement import CONSENSUS, answers, disagreements
from coder.store import Store, queries
from coder.store.codings import ACCEPTED, HUMAN

FILTERS = ("all", "uncoded", "code", "case", "search", "disagreements")
ORDERINGS = ("document", "uncertain")
RETRAIN_EVERY = 20  # new codings between background retrains in the coding screen
NOT_APPLICABLE_LABEL = "not applicable (n/a)"  # how the screen names the answer NOT_APPLICABLE


def uncertain_first(
    view: list[int], case_of: dict[int, str], uncertainty: dict[int, float], coded: set[int]
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


@dataclass(frozen=True)
class Suggestion:
    code: str  # a code id, or NOT_APPLICABLE
    score: float
    model_id: str
    evidence: tuple[str, ...] = ()  # words of the passage that most raised the score


def ranked_suggestions(by_rank: list[Suggestion]) -> list[Suggestion]:
    """Suggestions best first: highest score, ties in stored rank order (``by_rank`` comes
    ordered by rank). The first is the top suggestion: drawn as such and taken by enter,
    even if the stored ranks disagree with the scores."""
    return sorted(by_rank, key=lambda s: -s.score)  # stable: ties keep rank order


@dataclass
class Passage:
    coder: str
    segment_id: int
    case: str
    document: str
    position: int
    text: str
    previous: str | None
    following: str | None
    mine: set[str]
    others: dict[str, set[str]]  # other coders' codes (none in blind mode)
    memo: str | None
    suggestions: list[Suggestion] = field(default_factory=list)
    index: int = 0  # position in the current view
    view_size: int = 0


class CodingSession:
    def __init__(self, store: Store, coder: str, *, blind: bool = False):
        self.store = store
        self.coder = coder
        self.blind = blind
        self.codebook = store.codebook()
        order = queries.segment_order(store)
        if not order:
            raise CoderError(
                f"{store.db}: the project has no passages yet; import documents with `coder import`"
            )
        self.order: list[int] = [seg for seg, _ in order]
        self.case_of: dict[int, str] = dict(order)
        self._rank = {seg: i for i, seg in enumerate(self.order)}
        self.case_sizes: Counter[str] = Counter(self.case_of.values())
        self.question_index = 0
        self.view: list[int] = self.order
        self.filter: tuple[str, str | None] = ("all", None)
        self.ordering = "document"
        self.new_codings = 0  # codes added since the suggester last retrained
        self.retrain_every = RETRAIN_EVERY  # 0: never retrain while coding
        self.search_term: str | None = None
        self.position = 0  # index into self.view
        self._writers: list[str] = []  # whose action each write of this session was, for undo
        last_question = queries.last_event_question(store, coder)
        for i, question in enumerate(self.codebook.questions):
            if question.id == last_question:
                self.question_index = i
        self._load_question()
        resume = queries.last_coded_segment(store, coder)
        if resume in self._rank:
            self.position = self._rank[resume]

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
            self.calibration_note: str | None = "uncalibrated (0 codings)"
            return
        metrics = model.metrics if isinstance(model.metrics, dict) else {}
        # calibration is about the scores, not about codes with few codings (cold start):
        # a 7,000-passage model with one rare code is calibrated all the same
        calibrated = metrics.get("calibrated") is True
        self.calibration_note = None if calibrated else f"uncalibrated ({model.n_train} codings)"

    def labels(self) -> dict[str, str]:
        """code id -> label for the current question, in codebook order, n/a last."""
        labels = {c.id: c.label for c in self.question.codes}
        labels[NOT_APPLICABLE] = NOT_APPLICABLE_LABEL
        return labels

    def next_question(self) -> Question:
        current = self.segment_id
        self.question_index = (self.question_index + 1) % len(self.codebook.questions)
        self._load_question()
        if self.filter[0] in ("uncoded", "code", "disagreements"):
            self.set_filter("all")
        elif self.ordering != "document":
            self.set_filter(*self.filter)  # uncertainty is per question
        self._go_to_segment(current)
        return self.question

    def keyed_codes(self) -> list[tuple[str, Code]]:
        """The current question's codes with their key: the hotkey, else 1-9, else none."""
        keyed = []
        for i, code in enumerate(self.question.codes, start=1):
            key = code.hotkey or (str(i) if i <= 9 else "")
            keyed.append((key, code))
        return keyed

    def code_for_key(self, key: str) -> Code | None:
        hotkeys = {c.hotkey: c for c in self.question.codes if c.hotkey}
        if key in hotkeys:
            return hotkeys[key]
        if key.isdigit() and key != "0":
            n = int(key)
            taken = set(hotkeys)
            if key in taken:
                return None
            if n <= min(9, len(self.question.codes)):
                code = self.question.codes[n - 1]
                return None if code.hotkey else code
        return None

    # -- position ----------------------------------------------------------------------------
    @property
    def segment_id(self) -> int | None:
        return self.view[self.position] if self.view else None

    def move(self, step: int) -> bool:
        if not self.view:
            return False
        new = max(0, min(len(self.view) - 1, self.position + step))
        moved = new != self.position
        self.position = new
        return moved

    def next_uncoded(self) -> bool:
        """Move to the next passage (after this one, wrapping) this coder has not coded."""
        n = len(self.view)
        for step in range(1, n + 1):
            i = (self.position + step) % n
            if self.view[i] not in self.coded:
                self.position = i
                return True
        return False

    def go_to_case(self, case: str) -> bool:
        for i, seg in enumerate(self.view):
            if self.case_of[seg] == case:
                self.position = i
                return True
        return False

    def _go_to_segment(self, segment_id: int | None) -> None:
        if segment_id is None or not self.view:
            self.position = 0
            return
        if self.view is self.order:
            self.position = self._rank[segment_id]
            return
        if self.ordering != "document":
            self.position = self.view.index(segment_id) if segment_id in self.view else 0
            return
        ranks = [self._rank[s] for s in self.view]  # views are kept in reading order
        self.position = min(bisect_left(ranks, self._rank[segment_id]), len(self.view) - 1)

    # -- filters and search ------------------------------------------------------------------
    def set_filter(self, kind: str, value: str | None = None) -> int:
        """Show all passages, uncoded ones, those with a code, or one case's; return the count."""
        if kind not in FILTERS:
            raise CoderError(f"unknown filter '{kind}'")
        current = self.segment_id
        if kind == "all":
            view = self.order
        elif kind == "uncoded":
            view = [s for s in self.order if s not in self.coded]
        elif kind == "code":
            with_code = queries.segments_with_code(self.store, self.question.id, value or "")
            view = [s for s in self.order if s in with_code]
        elif kind == "case":
            view = [s for s in self.order if self.case_of[s] == value]
        elif kind == "disagreements":
            if self.blind:
                raise CoderError("blind coding hides other coders' codes, and so disagreements")
            differ = disagreements(answers(self.store, self.question.id))
            view = [s for s in self.order if s in differ]
        else:
            hits = queries.search_segment_ids(self.store, value or "")
            view = [s for s in self.order if s in hits]
        self.filter = (kind, value)
        if self.ordering == "uncertain":
            uncertainty = queries.suggestion_uncertainty(
                self.store, self.question.id, self.question.mode
            )
            view = uncertain_first(view, self.case_of, uncertainty, self.coded)
        self.view = view
        self._go_to_segment(current)
        return len(view)

    def set_ordering(self, kind: str) -> None:
        """Reading order ("document") or active learning ("uncertain", see uncertain_first);
        the first passage of the new order becomes current."""
        if kind not in ORDERINGS:
            raise CoderError(f"unknown ordering '{kind}'")
        self.ordering = kind
        self.set_filter(*self.filter)
        self.position = 0

    def suggestions_changed(self) -> None:
        """The stored suggestions were replaced (e.g. after a retrain): re-sort, stay put.
        Codings made while the retrain ran still count towards the next one."""
        self._load_model()
        if self.ordering != "document":
            self.set_filter(*self.filter)

    def search(self, term: str) -> int:
        """Keep only passages containing ``term`` (highlighted); an empty term clears it."""
        term = term.strip()
        self.search_term = term or None
        if not term:
            return self.set_filter("all")
        return self.set_filter("search", term)

    # -- reading -----------------------------------------------------------------------------
    def passage(self) -> Passage | None:
        seg = self.segment_id
        if seg is None:
            return None
        rank = self._rank[seg]
        neighbours = [
            s
            for s in (
                self.order[rank - 1] if rank else None,
                self.order[rank + 1] if rank + 1 < len(self.order) else None,
            )
            if s is not None
        ]
        rows = queries.passages(self.store, [seg, *neighbours])
        row = rows[seg]

        def same_doc(other: int | None) -> str | None:
            if other is None or other not in rows:
                return None
            neighbour = rows[other]
            return neighbour.text if neighbour.document == row.document else None

        codes = queries.codes_on(self.store, seg, self.question.id)
        mine = codes.pop(self.coder, set())
        return Passage(
            coder=self.coder,
            segment_id=seg,
            case=row.case,
            document=row.document,
            position=row.position,
            text=row.text,
            previous=same_doc(self.order[rank - 1] if rank else None),
            following=same_doc(self.order[rank + 1] if rank + 1 < len(self.order) else None),
            mine=mine,
            others={} if self.blind else codes,
            memo=queries.latest_memo(self.store, seg, self.coder),
            suggestions=ranked_suggestions(
                [
                    Suggestion(code, score, model, tuple(filter(None, (evidence or "").split(";"))))
                    for code, score, model, evidence in queries.suggestions_for(
                        self.store, seg, self.question.id
                    )
                ]
            ),
            index=self.position,
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
            raise CoderError("no passage to code")
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
            raise CoderError("no passage to adjudicate")
        if self.blind:
            raise CoderError("blind coding hides other coders' codes; adjudicate without --blind")
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
        that came later); move to its passage and return it."""
        writer = self._writers.pop() if self._writers else self.coder
        if self.store.undo(writer) is None:
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
            self.set_filter("all")
        self._go_to_segment(seg)
        return seg

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
