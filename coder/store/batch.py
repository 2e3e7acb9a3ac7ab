"""A unit of work: one transaction's reads and writes (``with store.batch() as b: ...``).

The store owns its connection; a ``Batch`` holds the transaction's connection privately
and offers what importers, merging and codebook updates read and write in it. Everything
done through one batch is committed together, or rolled back together on any error.
``apply`` writes a planner's list of changes (``coder.corpus.changes``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from coder.corpus.project import StoredDocument
from coder.corpus.span import Span
from coder.errors import StoreError
from coder.i18n import _
from coder.store import codings as coding_ops
from coder.store import schema as t

if TYPE_CHECKING:
    from coder.corpus.changes import Applied, Change


@dataclass
class NewDocument:
    case_id: int
    name: str
    fmt: str
    text: str
    sha256: str
    spans: list[Span]
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredPassage:
    """A passage with where it is: for matching passages between two copies of a project."""

    id: int
    case: str
    document: str
    sha256: str  # the document's
    position: int
    external_id: str | None
    text: str


def chunks(items: Sequence, size: int = 500) -> Iterator[list]:
    """``items`` in lists of at most ``size``: an IN (...) under SQLite's variable limit."""
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


class Batch:
    """One transaction of a store (read-only when opened with ``write=False``)."""

    def __init__(self, conn: sa.Connection, *, write: bool):
        self._conn = conn
        self._write = write

    def _writing(self) -> sa.Connection:
        if not self._write:
            raise StoreError(_("this batch only reads; open it with store.batch()"))
        return self._conn

    def apply(self, changes: Iterable[Change]) -> Applied:
        """Write a planner's changes, in order (see ``coder.corpus.changes``)."""
        from coder.store.apply import apply  # imported here: apply builds on this module

        return apply(self, list(changes))

    # -- cases, coders, documents ---------------------------------------------------------
    def case(self, name: str, attributes: dict[str, Any] | None = None) -> int:
        """The id of case ``name``, created if new; ``attributes`` are merged in."""
        conn = self._writing()
        row = conn.execute(
            sa.select(t.cases.c.id, t.cases.c.attributes).where(t.cases.c.name == name)
        ).one_or_none()
        if row is None:
            return conn.execute(
                t.cases.insert()
                .values(name=name, attributes=dict(attributes or {}))
                .returning(t.cases.c.id)
            ).scalar_one()
        if attributes:
            merged = {**(row.attributes or {}), **attributes}
            if merged != row.attributes:
                conn.execute(
                    t.cases.update().where(t.cases.c.id == row.id).values(attributes=merged)
                )
        return row.id

    def case_id(self, name: str) -> int | None:
        """The id of case ``name``, if there is one."""
        return self._conn.execute(sa.select(t.cases.c.id).where(t.cases.c.name == name)).scalar()

    def case_count(self) -> int:
        return self._conn.execute(sa.select(sa.func.count()).select_from(t.cases)).scalar_one()

    def coder(self, name: str) -> int:
        """The id of coder ``name``, created if new."""
        found = self._conn.execute(sa.select(t.coders.c.id).where(t.coders.c.name == name)).scalar()
        if found is not None:
            return found
        return (
            self._writing()
            .execute(t.coders.insert().values(name=name).returning(t.coders.c.id))
            .scalar_one()
        )

    def coder_names(self) -> dict[int, str]:
        """coder id -> name, of every coder."""
        return {
            id_: name for id_, name in self._conn.execute(sa.select(t.coders.c.id, t.coders.c.name))
        }

    def document(self, name: str) -> StoredDocument | None:
        return self.documents_by_name([name]).get(name)

    def _documents(self, where: sa.ColumnElement[bool]) -> list[StoredDocument]:
        d = t.documents.c
        query = sa.select(d.id, d.name, d.sha256, d.case_id, d.meta).where(where).order_by(d.id)
        return [_document(row) for row in self._conn.execute(query)]

    def documents_by_name(self, names: list[str]) -> dict[str, StoredDocument]:
        found: dict[str, StoredDocument] = {}
        for chunk in chunks(names):
            found.update((doc.name, doc) for doc in self._documents(t.documents.c.name.in_(chunk)))
        return found

    def documents_under(self, prefix: str) -> dict[str, StoredDocument]:
        """Documents whose name starts with ``prefix`` (a table file's rows: ``data.csv#``)."""
        return {
            doc.name: doc
            for doc in self._documents(t.documents.c.name.startswith(prefix, autoescape=True))
            if doc.name.startswith(prefix)  # SQLite's LIKE ignores the case of ASCII letters
        }

    def documents_with_text(self, case_id: int, sha256: str) -> list[StoredDocument]:
        """The documents of this case with exactly this text, oldest first."""
        d = t.documents.c
        return self._documents(sa.and_(d.case_id == case_id, d.sha256 == sha256))

    def set_document_attributes(self, document_id: int, attributes: dict[str, str]) -> None:
        """Merge ``attributes`` into a document's own (``meta["attributes"]``)."""
        conn, d = self._writing(), t.documents.c
        meta = dict(conn.execute(sa.select(d.meta).where(d.id == document_id)).scalar_one() or {})
        meta["attributes"] = {**(meta.get("attributes") or {}), **attributes}
        conn.execute(t.documents.update().where(d.id == document_id).values(meta=meta))

    def add_documents(self, docs: list[NewDocument]) -> list[list[int]]:
        """Store documents and their segments in bulk; return each one's new segment ids."""
        if not docs:
            return []
        conn, time = self._writing(), coding_ops.now()
        doc_ids = (
            conn.execute(
                t.documents.insert().returning(t.documents.c.id, sort_by_parameter_order=True),
                [
                    dict(case_id=d.case_id, name=d.name, format=d.fmt, sha256=d.sha256,
                         text=d.text, meta=dict(d.meta), imported_at=time)
                    for d in docs
                ],
            )
            .scalars()
            .all()
        )  # fmt: skip
        rows = [
            dict(document_id=doc_id, position=i, start_char=s.start, end_char=s.end,
                 text=s.text, external_id=s.external_id, section=s.section)
            for doc_id, d in zip(doc_ids, docs, strict=True)
            for i, s in enumerate(d.spans)
        ]  # fmt: skip
        insert = t.segments.insert().returning(t.segments.c.id, sort_by_parameter_order=True)
        seg_ids = iter(conn.execute(insert, rows).scalars().all() if rows else [])
        return [[next(seg_ids) for _span in d.spans] for d in docs]

    # -- passages -------------------------------------------------------------------------
    def first_segments(self, document_ids: list[int]) -> dict[int, int]:
        """document id -> id of its first segment (for one-passage documents such as rows)."""
        s = t.segments.c
        found: dict[int, int] = {}
        for chunk in chunks(document_ids):
            query = sa.select(s.document_id, s.id).where(s.document_id.in_(chunk), s.position == 0)
            found.update((key, value) for key, value in self._conn.execute(query))
        return found

    def external_ids_scoped(self) -> bool:
        """Whether the schema lets two documents' passages have the same external id."""
        return not t.segments.c.external_id.unique

    def segments_by_external_id(self, ids: list[str]) -> dict[str, int]:
        """external id -> the segment holding it (schemas where external ids are unique)."""
        s = t.segments.c
        found: dict[str, int] = {}
        for chunk in chunks(ids):
            query = sa.select(s.external_id, s.id).where(s.external_id.in_(chunk))
            found.update((key, value) for key, value in self._conn.execute(query))
        return found

    def passages(self) -> list[StoredPassage]:
        """Every passage with its case, document and position."""
        s, d, c = t.segments.c, t.documents.c, t.cases.c
        query = sa.select(s.id, c.name, d.name, d.sha256, s.position, s.external_id, s.text)
        rows = self._conn.execute(query.select_from(t.in_context()))
        return [StoredPassage(*row) for row in rows]

    def replace_passage_texts(self, items: list[ReplaceText]) -> int:
        """Give one-passage documents new text (see ``ReplacePassageText``); return how many
        of the passages had codings."""
        conn = self._writing()
        d, s = t.documents.c, t.segments.c
        for doc_id, seg_id, text, sha, meta in items:
            conn.execute(
                t.documents.update().where(d.id == doc_id).values(text=text, sha256=sha, meta=meta)
            )
            conn.execute(
                t.segments.update()
                .where(s.id == seg_id)
                .values(text=text, start_char=0, end_char=len(text))
            )
        coded = 0
        for chunk in chunks([item[1] for item in items]):
            conn.execute(t.suggestions.delete().where(t.suggestions.c.segment_id.in_(chunk)))
            conn.execute(
                t.segment_embeddings.delete().where(t.segment_embeddings.c.segment_id.in_(chunk))
            )
            coded += conn.execute(
                sa.select(sa.func.count(sa.distinct(t.codings.c.segment_id))).where(
                    t.codings.c.segment_id.in_(chunk)
                )
            ).scalar_one()
        return coded

    # -- codings and memos ----------------------------------------------------------------
    def codes(self, segment_ids: list[int], question_id: str, coder_id: int) -> dict[int, set[str]]:
        """segment id -> the coder's current codes for the question (absent when none)."""
        c = t.codings.c
        found: dict[int, set[str]] = {}
        for chunk in chunks(segment_ids):
            query = sa.select(c.segment_id, c.code_id).where(
                c.segment_id.in_(chunk), c.question_id == question_id, c.coder_id == coder_id
            )
            for seg, code in self._conn.execute(query):
                found.setdefault(seg, set()).add(code)
        return found

    def coding_state(self) -> defaultdict[tuple[int, str, str], set[str]]:
        """(segment, question, coder name) -> current codes, of every current coding."""
        c, cod = t.codings.c, t.coders.c
        state: defaultdict[tuple[int, str, str], set[str]] = defaultdict(set)
        query = sa.select(c.segment_id, c.question_id, cod.name, c.code_id).join(
            t.coders, cod.id == c.coder_id
        )
        for seg, question, coder, code in self._conn.execute(query):
            state[(seg, question, coder)].add(code)
        return state

    def current_codings(self) -> list[sa.Row]:
        """Every current coding: question_id, code_id, segment_id, coder_id, origin."""
        k = t.codings.c
        query = sa.select(k.question_id, k.code_id, k.segment_id, k.coder_id, k.origin)
        return list(self._conn.execute(query))

    def action_id(self, uid: str) -> int | None:
        a = t.actions.c
        return self._conn.execute(sa.select(a.id).where(a.uid == uid)).scalar()

    def action_ids_by_uid(self) -> dict[str, int]:
        a = t.actions.c
        query = sa.select(a.uid, a.id).where(a.uid.is_not(None))
        return {uid: id_ for uid, id_ in self._conn.execute(query)}

    def memo_uids(self) -> set[str]:
        m = t.memos.c
        return set(self._conn.execute(sa.select(m.uid).where(m.uid.is_not(None))).scalars())

    def record(
        self,
        coder_id: int,
        kind: str,
        changes: list[coding_ops.Change],
        *,
        undoes: int | None = None,
        time: str | None = None,
        uid: str | None = None,
    ) -> int | None:
        """Append one action with its events (see ``coder.store.codings.record``)."""
        return coding_ops.record(
            self._writing(), coder_id, kind, changes, undoes=undoes, time=time, uid=uid
        )

    def undo(self, coder_id: int) -> int | None:
        """Revert the coder's latest action not yet undone (``coder.store.codings.undo``)."""
        return coding_ops.undo(self._writing(), coder_id)

    def add_memo(self, segment_id: int, coder_id: int, text: str, time: str | None = None) -> None:
        self.add_memos([dict(segment_id=segment_id, coder_id=coder_id, text=text, time=time)])

    def add_memos(self, memos: list[dict[str, Any]]) -> None:
        """Memos (segment_id, coder_id, text, and time and uid when known) in bulk."""
        if memos:
            self._writing().execute(
                t.memos.insert(),
                [
                    {**memo, "time": memo.get("time") or coding_ops.now(),
                     "uid": memo.get("uid") or str(uuid.uuid4())}
                    for memo in memos
                ],
            )  # fmt: skip

    def execute(self, statement: sa.Executable) -> sa.CursorResult:
        """A statement of the store's own modules (``coder.store``) in this transaction."""
        return self._conn.execute(statement)


ReplaceText = tuple[int, int, str, str, dict]  # document id, segment id, text, sha256, meta


def _document(row: sa.Row) -> StoredDocument:
    return StoredDocument(row.id, row.name, row.sha256, row.case_id, dict(row.meta or {}))
