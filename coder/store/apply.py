"""Writing a planner's changes (``coder.corpus.changes``) in a batch's transaction."""

from __future__ import annotations

from typing import Any

from coder.corpus.changes import (
    AddCase,
    AddDocument,
    AddMemo,
    Applied,
    Change,
    CodePassages,
    Passage,
    RecordCodings,
    ReplacePassageText,
    SetDocumentAttributes,
)
from coder.store import codings as coding_ops
from coder.store.batch import Batch, NewDocument, ReplaceText
from coder.store.store import default_coder


class _Applying:
    """The state of one ``apply``: cases, coders and new passages by name."""

    def __init__(self, batch: Batch):
        self.batch = batch
        self.applied = Applied()
        self.cases: dict[str, int] = {}
        self.coders: dict[str, int] = {}
        self.documents: list[AddDocument] = []  # waiting for one bulk insert
        self.memos: list[dict[str, Any]] = []  # likewise
        self.replaced: list[ReplaceText] = []  # likewise

    def case(self, name: str, attributes: dict[str, Any] | None) -> int:
        if name not in self.cases or attributes:
            self.cases[name] = self.batch.case(name, attributes)
        return self.cases[name]

    def coder(self, coder: str | int | None) -> int:
        if isinstance(coder, int):
            return coder
        if coder is None:
            coder = default_coder()
        if coder not in self.coders:
            self.coders[coder] = self.batch.coder(coder)
        return self.coders[coder]

    def passage(self, passage: Passage) -> int:
        if isinstance(passage, int):
            return passage
        name, position = passage
        return self.applied.passages[name][position]

    def flush(self) -> None:
        """Store the documents and memos waiting for their bulk insert."""
        if self.documents:
            docs = [
                NewDocument(
                    self.case(d.case, d.case_attributes),
                    d.name, d.fmt, d.text, d.sha256, d.spans, d.meta,
                )
                for d in self.documents
            ]  # fmt: skip
            for doc, ids in zip(self.documents, self.batch.add_documents(docs), strict=True):
                self.applied.passages[doc.name] = ids
            self.documents = []
        if self.memos:
            self.batch.add_memos(self.memos)
            self.memos = []
        if self.replaced:
            self.applied.replaced_coded += self.batch.replace_passage_texts(self.replaced)
            self.replaced = []

    def code(self, change: CodePassages) -> None:
        coder_id, question = self.coder(change.coder), change.question
        targets = [(self.passage(p), codes) for p, codes in change.passages]
        present = self.batch.codes(list({seg for seg, _ in targets}), question.id, coder_id)
        events: list[coding_ops.Change] = []
        for seg, codes in targets:
            if not codes:
                continue
            have = present.setdefault(seg, set())
            new = coding_ops.changes_to_set(have, question, seg, codes, replace=False)
            for ch in new:
                (have.add if ch.event == "added" else have.discard)(ch.code_id)
            events.extend(new)
        self.applied.codings_added += sum(1 for ch in events if ch.event == "added")
        self.record(coder_id, change.kind, events)

    def record(
        self,
        coder_id: int,
        kind: str,
        events: list[coding_ops.Change],
        **given: Any,
    ) -> None:
        if self.batch.record(coder_id, kind, events, **given) is not None:
            self.applied.actions += 1
            self.applied.events += len(events)

    def record_codings(self, change: RecordCodings) -> None:
        coder_id = self.coder(change.coder)
        events = [
            coding_ops.Change(
                self.passage(c.passage), c.question_id, c.code_id, c.event, c.origin,
                c.model_id, c.score,
            )
            for c in change.codings
        ]  # fmt: skip
        undoes = self.batch.action_id(change.undoes) if change.undoes else None
        self.record(coder_id, change.kind, events, undoes=undoes, time=change.time, uid=change.uid)


def apply(batch: Batch, changes: list[Change]) -> Applied:
    """Write ``changes`` in order; documents, memos or new texts in a row are written in bulk."""
    state = _Applying(batch)
    cases_before = batch.case_count()
    for change in changes:
        if isinstance(change, AddDocument):
            state.documents.append(change)
            continue
        if isinstance(change, ReplacePassageText):
            state.replaced.append(
                (change.document_id, change.segment_id, change.text, change.sha256, change.meta)
            )
            continue
        if isinstance(change, AddMemo):
            if state.documents:  # its passage may be one of them
                state.flush()
            state.memos.append(
                dict(segment_id=state.passage(change.passage), coder_id=state.coder(change.coder),
                     text=change.text, time=change.time, uid=change.uid)
            )  # fmt: skip
            continue
        state.flush()
        if isinstance(change, AddCase):
            state.case(change.name, change.attributes)
        elif isinstance(change, CodePassages):
            state.code(change)
        elif isinstance(change, RecordCodings):
            state.record_codings(change)
        elif isinstance(change, SetDocumentAttributes):
            batch.set_document_attributes(change.document_id, change.attributes)
    state.flush()
    state.applied.new_cases = batch.case_count() - cases_before
    return state.applied
