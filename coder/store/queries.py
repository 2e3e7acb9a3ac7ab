"""Read-only queries over a project: status figures, the rows behind exports, and what
the coding screen browses (the suggester's rows are in ``suggestion_rows``, re-exported)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa

from coder.store import schema as t
from coder.store.cases import document_attributes as own_attributes
from coder.store.schema import in_context
from coder.store.store import Store
from coder.store.suggestion_rows import (
    SUGGESTION_COLUMNS,
    accepted_suggestion_events,
    iter_suggestions,
    segments_to_score,
    suggested_rows,
    suggestion_counts,
    suggestion_uncertainty,
    suggestions_for,
    suggestions_of_question,
    training_rows,
)

__all__ = [
    "CODING_COLUMNS",
    "PassageRow",
    "QuestionStatus",
    "SEGMENT_COLUMNS",
    "SUGGESTION_COLUMNS",
    "DocumentAttributes",
    "Status",
    "accepted_suggestion_events",
    "case_attributes",
    "cases_with_passages",
    "coded_rows",
    "coded_segment_ids",
    "coder_names",
    "document_attributes",
    "codes_on",
    "iter_codings",
    "iter_segments",
    "iter_suggestions",
    "last_coded_segment",
    "last_event_question",
    "latest_memo",
    "passages",
    "segment_documents",
    "search_segment_ids",
    "segment_count",
    "segment_order",
    "segments_to_score",
    "segments_with_code",
    "status",
    "suggested_rows",
    "suggestion_counts",
    "suggestion_uncertainty",
    "suggestions_for",
    "suggestions_of_question",
    "training_rows",
]


@dataclass
class QuestionStatus:
    id: str
    title: str
    mode: str
    coded_segments: int
    total_segments: int

    @property
    def share(self) -> float:
        return self.coded_segments / self.total_segments if self.total_segments else 0.0


@dataclass
class Status:
    db: str
    codebook_id: str
    codebook_digest: str
    cases: int
    documents: int
    segments: int
    questions: list[QuestionStatus] = field(default_factory=list)
    coders: dict[str, int] = field(default_factory=dict)  # coder -> current codings


def status(store: Store) -> Status:
    codebook = store.codebook()
    _, digest = store.codebook_version()
    count = sa.func.count
    with store.read() as conn:
        n_cases = conn.execute(sa.select(count()).select_from(t.cases)).scalar_one()
        n_docs = conn.execute(sa.select(count()).select_from(t.documents)).scalar_one()
        n_segs = conn.execute(sa.select(count()).select_from(t.segments)).scalar_one()
        c = t.codings.c
        per_question = sa.select(c.question_id, count(sa.distinct(c.segment_id))).group_by(
            c.question_id
        )
        coded: dict[str, int] = {q: n for q, n in conn.execute(per_question)}
        per_coder_query = (
            sa.select(t.coders.c.name, count(c.segment_id))
            .select_from(t.coders.outerjoin(t.codings, t.codings.c.coder_id == t.coders.c.id))
            .group_by(t.coders.c.name)
            .order_by(t.coders.c.name)
        )
        per_coder: dict[str, int] = {name: n for name, n in conn.execute(per_coder_query)}
    return Status(
        db=store.db,
        codebook_id=codebook.id,
        codebook_digest=digest,
        cases=n_cases,
        documents=n_docs,
        segments=n_segs,
        questions=[
            QuestionStatus(q.id, q.title, q.mode, coded.get(q.id, 0), n_segs)
            for q in codebook.questions
        ],
        coders=per_coder,
    )


SEGMENT_COLUMNS = ("segment_id", "external_id", "case", "document", "position", "text")
CODING_COLUMNS = (
    "segment_id",
    "external_id",
    "case",
    "question",
    "code",
    "coder",
    "origin",
    "time",
    "model",  # for codings accepted from a suggestion: the model and its score
    "score",
)


def iter_segments(store: Store) -> Iterator[dict]:
    """Every segment in ``SEGMENT_COLUMNS`` and its ``section``, the heading path above it
    ("" where there is none)."""
    s, d, c = t.segments.c, t.documents.c, t.cases.c
    query = (
        sa.select(
            s.id.label("segment_id"),
            s.external_id,
            c.name.label("case"),
            d.name.label("document"),
            s.position,
            s.text,
            sa.func.coalesce(s.section, "").label("section"),
        )
        .select_from(in_context())
        .order_by(c.name, d.name, s.position)
    )
    with store.read() as conn:
        for row in conn.execute(query):
            yield dict(row._mapping)


def iter_codings(store: Store) -> Iterator[dict]:
    """Current codings (the state derived from the event log), one row per code and coder.

    ``model`` and ``score`` say which suggestion a coding was accepted from ("" and None
    for human codings); the code ``n/a`` means "not applicable to this question"."""
    s, d, c, k, cod = t.segments.c, t.documents.c, t.cases.c, t.codings.c, t.coders.c
    e = t.coding_events.c
    query = (
        sa.select(
            s.id.label("segment_id"),
            s.external_id,
            c.name.label("case"),
            k.question_id.label("question"),
            k.code_id.label("code"),
            cod.name.label("coder"),
            k.origin,
            k.time,
            sa.func.coalesce(e.model_id, "").label("model"),
            e.score,
        )
        .select_from(
            in_context(t.codings)
            .join(t.coders, cod.id == k.coder_id)
            .outerjoin(t.coding_events, e.id == k.event_id)
        )
        .order_by(c.name, d.name, s.position, k.question_id, k.code_id, cod.name)
    )
    with store.read() as conn:
        for row in conn.execute(query):
            yield dict(row._mapping)


def case_attributes(store: Store) -> dict[str, dict]:
    """Every case's name and attributes (cases without documents included)."""
    with store.read() as conn:
        return {
            row.name: dict(row.attributes or {})
            for row in conn.execute(sa.select(t.cases.c.name, t.cases.c.attributes))
        }


@dataclass(frozen=True)
class DocumentAttributes:
    id: int
    case: str
    attributes: dict[str, str]  # the document's own (``meta["attributes"]``), not its case's
    has_passages: bool


def document_attributes(store: Store) -> list[DocumentAttributes]:
    """Every document with its case, its own attributes and whether it has passages."""
    d, c = t.documents.c, t.cases.c
    query = sa.select(
        d.id, c.name, d.meta, sa.exists().where(t.segments.c.document_id == d.id)
    ).select_from(t.documents.join(t.cases, c.id == d.case_id))
    with store.read() as conn:
        return [
            DocumentAttributes(id_, case, own_attributes(meta), bool(has))
            for id_, case, meta, has in conn.execute(query)
        ]


def segment_documents(store: Store, document_ids: list[int]) -> dict[int, int]:
    """segment id -> document id, of every passage of these documents."""
    s = t.segments.c
    found: dict[int, int] = {}
    if not document_ids:
        return found
    with store.read() as conn:
        for i in range(0, len(document_ids), 500):  # under SQLite's variable limit
            query = sa.select(s.id, s.document_id).where(
                s.document_id.in_(document_ids[i : i + 500])
            )
            found.update((seg, doc) for seg, doc in conn.execute(query))
    return found


def coded_rows(
    store: Store, question_id: str, coders: list[str] | None = None
) -> list[tuple[str, int, str, str]]:
    """(case, segment id, code, coder) for every current coding of a question."""
    k, c, cod = t.codings.c, t.cases.c, t.coders.c
    query = (
        sa.select(c.name, k.segment_id, k.code_id, cod.name)
        .select_from(in_context(t.codings).join(t.coders, cod.id == k.coder_id))
        .where(k.question_id == question_id)
    )
    if coders is not None:
        query = query.where(cod.name.in_(coders))
    with store.read() as conn:
        return [tuple(row) for row in conn.execute(query)]


def coding_times(
    store: Store, question_id: str, coders: list[str] | None = None
) -> dict[tuple[int, str], str]:
    """(segment id, code) -> when the code was first given there (ISO time, the earliest of
    the coders who gave it), for the current codings of a question."""
    k, cod = t.codings.c, t.coders.c
    query = (
        sa.select(k.segment_id, k.code_id, sa.func.min(k.time))
        .select_from(t.codings.join(t.coders, cod.id == k.coder_id))
        .where(k.question_id == question_id)
        .group_by(k.segment_id, k.code_id)
    )
    if coders is not None:
        query = query.where(cod.name.in_(coders))
    with store.read() as conn:
        return {(row[0], row[1]): row[2] for row in conn.execute(query)}


def cases_with_passages(store: Store) -> set[str]:
    """The names of the cases that have at least one passage."""
    d, c = t.documents.c, t.cases.c
    query = (
        sa.select(c.name)
        .distinct()
        .select_from(t.cases.join(t.documents, d.case_id == c.id))
        .where(sa.exists().where(t.segments.c.document_id == d.id))
    )
    with store.read() as conn:
        return set(conn.execute(query).scalars())


def coder_names(store: Store) -> list[str]:
    with store.read() as conn:
        return list(conn.execute(sa.select(t.coders.c.name).order_by(t.coders.c.name)).scalars())


# -- browsing (the coding screen) --------------------------------------------------------------


def segment_order(store: Store) -> list[tuple[int, str]]:
    """(segment id, case) for every segment in reading order: case, document, position."""
    s, d, c = t.segments.c, t.documents.c, t.cases.c
    query = sa.select(s.id, c.name).select_from(in_context()).order_by(c.name, d.name, s.position)
    with store.read() as conn:
        return [(row[0], row[1]) for row in conn.execute(query)]


@dataclass(frozen=True)
class PassageRow:
    segment_id: int
    case: str
    document: str
    position: int
    text: str
    external_id: str | None
    section: str | None  # the heading path above it


def passages(store: Store, segment_ids: list[int]) -> dict[int, PassageRow]:
    s, d, c = t.segments.c, t.documents.c, t.cases.c
    query = (
        sa.select(s.id, c.name, d.name, s.position, s.text, s.external_id, s.section)
        .select_from(in_context())
        .where(s.id.in_(segment_ids))
    )
    with store.read() as conn:
        return {row[0]: PassageRow(*row) for row in conn.execute(query)}


def coded_segment_ids(store: Store, question_id: str, coder: str) -> set[int]:
    k, cod = t.codings.c, t.coders.c
    query = (
        sa.select(k.segment_id)
        .distinct()
        .select_from(t.codings.join(t.coders, cod.id == k.coder_id))
        .where(cod.name == coder, k.question_id == question_id)
    )
    with store.read() as conn:
        return set(conn.execute(query).scalars())


def codes_on(store: Store, segment_id: int, question_id: str) -> dict[str, set[str]]:
    """coder -> current codes on one passage for a question."""
    k, cod = t.codings.c, t.coders.c
    query = (
        sa.select(cod.name, k.code_id)
        .select_from(t.codings.join(t.coders, cod.id == k.coder_id))
        .where(k.segment_id == segment_id, k.question_id == question_id)
    )
    found: dict[str, set[str]] = {}
    with store.read() as conn:
        for coder, code in conn.execute(query):
            found.setdefault(coder, set()).add(code)
    return found


def latest_memo(store: Store, segment_id: int, coder: str) -> str | None:
    m, cod = t.memos.c, t.coders.c
    query = (
        sa.select(m.text)
        .select_from(t.memos.join(t.coders, cod.id == m.coder_id))
        .where(m.segment_id == segment_id, cod.name == coder)
        .order_by(m.id.desc())
        .limit(1)
    )
    with store.read() as conn:
        return conn.execute(query).scalar()


def search_segment_ids(store: Store, term: str) -> set[int]:
    """Segments whose text contains ``term`` (case-insensitive)."""
    s = t.segments.c
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = sa.select(s.id).where(s.text.ilike(f"%{escaped}%", escape="\\"))
    with store.read() as conn:
        return set(conn.execute(query).scalars())


def segments_with_code(store: Store, question_id: str, code_id: str) -> set[int]:
    k = t.codings.c
    query = (
        sa.select(k.segment_id).distinct().where(k.question_id == question_id, k.code_id == code_id)
    )
    with store.read() as conn:
        return set(conn.execute(query).scalars())


def last_coded_segment(store: Store, coder: str) -> int | None:
    """The passage of this coder's most recent coding event (where to resume)."""
    e, cod = t.coding_events.c, t.coders.c
    query = (
        sa.select(e.segment_id)
        .select_from(t.coding_events.join(t.coders, cod.id == e.coder_id))
        .where(cod.name == coder)
        .order_by(e.id.desc())
        .limit(1)
    )
    with store.read() as conn:
        return conn.execute(query).scalar()


def segment_count(store: Store) -> int:
    with store.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(t.segments)).scalar_one()


def last_event_question(store: Store, coder: str) -> str | None:
    """The question of this coder's most recent coding event."""
    e, cod = t.coding_events.c, t.coders.c
    query = (
        sa.select(e.question_id)
        .select_from(t.coding_events.join(t.coders, cod.id == e.coder_id))
        .where(cod.name == coder)
        .order_by(e.id.desc())
        .limit(1)
    )
    with store.read() as conn:
        return conn.execute(query).scalar()
