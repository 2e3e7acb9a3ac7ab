"""Planning a merge: the other copy's actions and memos, placed on this project's passages.

Pure: given what the other copy holds (``Remote``) and what this project holds (``Here``,
read in the merge's transaction), it works out the changes to write, refuses a merge that
cannot be placed, and reports conflicts with the codebook's rules (see ``coder.store.merge``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from coder.corpus.changes import AddMemo, Change, Coding, RecordCodings
from coder.errors import CoderError
from coder.i18n import _
from coder.model.codebook import NOT_APPLICABLE, Codebook
from coder.store.batch import StoredPassage
from coder.store.migrations import UID_NAMESPACE


@dataclass
class MergeSummary:
    other: str
    coders: list[str] = field(default_factory=list)  # coders new to this project
    actions: int = 0
    events: int = 0
    memos: int = 0
    already: int = 0  # actions and memos this project had already
    notes: list[str] = field(default_factory=list)  # corpus differences that did not matter
    conflicts: list[str] = field(default_factory=list)  # codings not applied: adjudicate them


@dataclass
class Remote:
    """What the other copy holds (rows of its tables)."""

    passages: list[StoredPassage]
    coder_names: dict[int, str]
    actions: list[Any]  # id, coder_id, kind, time, undoes, uid
    events: dict[int, list[Any]]  # action id -> its events
    memos: list[Any]  # segment_id, coder_id, text, time, uid
    modes: dict[str, str]  # question id -> mode in the other copy's codebook


@dataclass
class Here:
    """What this project holds, read in the merge's transaction."""

    passages: list[StoredPassage]
    action_uids: set[str]
    memo_uids: set[str]
    coders: set[str]
    state: dict[tuple[int, str, str], set[str]]  # (segment, question, coder) -> codes


def _key(p: StoredPassage) -> tuple[str, str, int]:
    return (p.case, p.sha256, p.position)


def _where(p: StoredPassage) -> str:
    return _("document '{document}' passage {n}").format(document=p.document, n=p.position + 1)


def match(
    here: list[StoredPassage], there: list[StoredPassage]
) -> tuple[dict[int, int], dict[int, str]]:
    """other segment id -> this project's segment id, and other id -> why it has no match.

    By external id where the other passage has one (a table row's id is unique in its
    file), else by case, document text and position; the text must be the same."""
    by_ext = {(p.document, p.external_id): p for p in here if p.external_id}
    by_key = {_key(p): p for p in here}
    matched: dict[int, int] = {}
    unmatched: dict[int, str] = {}
    for p in there:
        mine = by_ext.get((p.document, p.external_id)) if p.external_id else None
        if mine is None:
            mine = by_key.get(_key(p))
        if mine is None:
            unmatched[p.id] = _("{where} (case '{case}') is not in this project").format(
                where=_where(p), case=p.case
            )
        elif mine.text != p.text:
            unmatched[p.id] = _(
                "{where} has other text here ({here}); segmented differently?"
            ).format(where=_where(p), here=_where(mine))
        else:
            matched[p.id] = mine.id
    return matched, unmatched


class MergePlan:
    """The changes a merge writes, worked out from ``Remote`` and ``Here``."""

    def __init__(self, codebook: Codebook, remote: Remote, here: Here, summary: MergeSummary):
        self.remote, self.here, self.summary = remote, here, summary
        questions = codebook.questions
        self.known = {(q.id, c.id) for q in questions for c in q.codes}
        self.known |= {(q.id, NOT_APPLICABLE) for q in questions}
        self.single = {q.id for q in questions if q.mode == "single"}
        self.labels = {(q.id, c.id): c.label for q in questions for c in q.codes}
        self.where = {p.id: _where(p) for p in here.passages}
        self.matched, self.unmatched = match(here.passages, remote.passages)
        self.new_actions = [r for r in remote.actions if r.uid not in here.action_uids]
        self.new_memos = [r for r in remote.memos if r.uid not in here.memo_uids]
        self.conflict_memos: list[AddMemo] = []

    def changes(self) -> list[Change]:
        summary, remote = self.summary, self.remote
        for qid, mode in sorted(remote.modes.items()):
            if qid in self.single and mode != "single":
                summary.notes.append(
                    _(
                        "question '{question}' takes several codes in the other copy and one "
                        "code here"
                    ).format(question=qid)
                )
        summary.already = len(remote.actions) - len(self.new_actions)
        summary.already += len(remote.memos) - len(self.new_memos)
        self._refuse_what_cannot_be_placed()
        if self.unmatched:
            summary.notes.append(
                _(
                    "{n} passages of the other project are not in this one "
                    "(none of them coded; left out)"
                ).format(n=len(self.unmatched))
            )
        extra = len(self.here.passages) - len(self.matched)
        if extra > 0:
            summary.notes.append(
                _("{n} passages here are not in the other project").format(n=extra)
            )
        uid_of = {r.id: r.uid for r in remote.actions}
        changes: list[Change] = []
        for action in self.new_actions:
            coder = self._coder(action.coder_id)
            codings = self._replay(action, coder)
            undoes = uid_of.get(action.undoes) if action.undoes else None
            changes.append(
                RecordCodings(coder, action.kind, codings, action.time, action.uid, undoes)
            )
        changes += [m for m in self.conflict_memos if m.uid not in self.here.memo_uids]
        for memo in self.new_memos:
            coder = self._coder(memo.coder_id)
            changes.append(
                AddMemo(self.matched[memo.segment_id], coder, memo.text, memo.time, memo.uid)
            )
        summary.memos = len(self.new_memos)
        return changes

    def _refuse_what_cannot_be_placed(self) -> None:
        problems: list[str] = []
        for action in self.new_actions:
            for ev in self.remote.events[action.id]:
                if ev.segment_id in self.unmatched:
                    problems.append(
                        _("a coding on {where}").format(where=self.unmatched[ev.segment_id])
                    )
                elif (ev.question_id, ev.code_id) not in self.known:
                    problems.append(
                        _(
                            "code '{code}' of question '{question}' is not in this project's "
                            "codebook"
                        ).format(code=ev.code_id, question=ev.question_id)
                    )
        for memo in self.new_memos:
            if memo.segment_id in self.unmatched:
                problems.append(
                    _("a memo on {where}").format(where=self.unmatched[memo.segment_id])
                )
        if problems:
            unique = list(dict.fromkeys(problems))
            said = "; ".join(unique[:3])
            if len(unique) > 3:
                said += " " + _("(and {n} more)").format(n=len(unique) - 3)
            raise CoderError(
                _("{db}: cannot merge, the projects differ: {problems}; nothing was merged").format(
                    db=self.summary.other, problems=said
                )
            )

    def _coder(self, remote_id: int) -> str:
        name = self.remote.coder_names[remote_id]
        if name not in self.here.coders:
            self.summary.coders.append(name)
            self.here.coders.add(name)
        return name

    def _replay(self, action: Any, coder: str) -> list[Coding]:
        """The action's events here, keeping the codebook's rules (conflicts left out)."""
        codings = []
        for ev in self.remote.events[action.id]:
            seg = self.matched[ev.segment_id]
            codes = self.here.state[(seg, ev.question_id, coder)]
            if ev.event == "added" and ev.code_id not in codes:
                clash = codes and (
                    ev.question_id in self.single
                    or ev.code_id == NOT_APPLICABLE
                    or NOT_APPLICABLE in codes
                )
                if clash:
                    self._conflict(action, ev, seg, coder, sorted(codes))
                    continue
                codes.add(ev.code_id)
            elif ev.event == "removed":
                codes.discard(ev.code_id)
            codings.append(
                Coding(seg, ev.question_id, ev.code_id, ev.event, ev.origin, ev.model_id, ev.score)
            )
        return codings

    def _conflict(self, action: Any, ev: Any, seg: int, coder: str, have: list[str]) -> None:
        """A coding the codebook's rules do not allow here: report it, leave it for
        adjudication as a memo (its uid derived from the conflict: merging again adds none)."""

        def name(code: str) -> str:
            return self.labels.get((ev.question_id, code), code)

        here = ", ".join(f"'{name(c)}'" for c in have)
        if NOT_APPLICABLE in (ev.code_id, *have):
            rule = _("'{na}' cannot be combined with a code").format(na=NOT_APPLICABLE)
        else:
            rule = _("which takes one code")
        self.summary.conflicts.append(
            _(
                "{where}, question '{question}', coder {coder}: '{code}' in the other copy, "
                "{here} here"
            ).format(
                where=self.where[seg],
                question=ev.question_id,
                coder=coder,
                code=name(ev.code_id),
                here=here,
            )
        )
        key = f"merge-conflict:{action.uid}:{seg}:{ev.question_id}:{ev.code_id}"
        text = _(
            "Merge conflict ({other}): {coder} coded this passage '{code}' there and {here} "
            "here, in question '{question}' ({rule}); kept the answer here: adjudicate (key a)."
        ).format(
            other=self.summary.other,
            coder=coder,
            code=name(ev.code_id),
            here=here,
            question=ev.question_id,
            rule=rule,
        )
        self.conflict_memos.append(
            AddMemo(seg, coder, text, action.time, str(uuid.uuid5(UID_NAMESPACE, key)))
        )
