"""Read-only queries for the suggester: training rows, passages to score, and the stored
suggestions (per passage, per question, for export)."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from coder.store import schema as t
from coder.store.schema import in_context
from coder.store.store import Store


def suggested_rows(
    store: Store, question_id: str, min_score: float
) -> list[tuple[str, int, str, float, bool]]:
    """(case, segment id, code, score, top) for stored suggestions at or above ``min_score``,
    and for every passage's top suggestion (rank 1) whatever its score; ``top``
    marks the latter."""
    g, c = t.suggestions.c, t.cases.c
    is_top = g.rank == 1  # ranks start at 1, the highest score
    query = (
        sa.select(c.name, g.segment_id, g.code_id, g.score, is_top)
        .select_from(in_context(t.suggestions))
        .where(g.question_id == question_id, sa.or_(g.score >= min_score, is_top))
    )
    with store.read() as conn:
        return [(*row[:4], bool(row[4])) for row in conn.execute(query)]


def suggestions_for(
    store: Store, segment_id: int, question_id: str
) -> list[tuple[str, float, str, str | None]]:
    """(code, score, model id, evidence) suggested for a passage, best first; evidence is
    ";"-separated words of the passage, or None."""
    g = t.suggestions.c
    query = (
        sa.select(g.code_id, g.score, g.model_id, g.evidence)
        .where(g.segment_id == segment_id, g.question_id == question_id)
        .order_by(g.rank)
    )
    with store.read() as conn:
        return [tuple(row) for row in conn.execute(query)]


def suggestion_counts(store: Store) -> dict[str, int]:
    """Stored suggestions per question."""
    g = t.suggestions.c
    query = sa.select(g.question_id, sa.func.count()).group_by(g.question_id)
    with store.read() as conn:
        return {question: n for question, n in conn.execute(query)}


def suggestion_uncertainty(store: Store, question_id: str, mode: str) -> dict[int, float]:
    """How unsure the stored suggestions are per passage, 0 (sure) to 1 (no idea).

    single: 1 - (top score - second score), the margin between the two best codes.
    multi: 1 - min |2 score - 1| over the stored codes: how close the closest call is to
    a coin flip.
    """
    g = t.suggestions.c
    query = (
        sa.select(g.segment_id, g.score)
        .where(g.question_id == question_id)
        .order_by(g.segment_id, g.rank)
    )
    scores: dict[int, list[float]] = {}
    with store.read() as conn:
        for seg, score in conn.execute(query):
            scores.setdefault(seg, []).append(score)
    if mode == "single":
        return {seg: 1.0 - (s[0] - (s[1] if len(s) > 1 else 0.0)) for seg, s in scores.items()}
    return {seg: 1.0 - min(abs(2 * x - 1) for x in s) for seg, s in scores.items()}


def training_rows(store: Store, question_id: str) -> list[tuple[int, str, str, str, str, str]]:
    """(segment id, case, text, code, coder, time) for every current coding of a question."""
    k, s, c, cod = t.codings.c, t.segments.c, t.cases.c, t.coders.c
    query = (
        sa.select(k.segment_id, c.name, s.text, k.code_id, cod.name, k.time)
        .select_from(in_context(t.codings).join(t.coders, cod.id == k.coder_id))
        .where(k.question_id == question_id)
        .order_by(k.segment_id)
    )
    with store.read() as conn:
        return [tuple(row) for row in conn.execute(query)]


def segments_to_score(store: Store, question_id: str, only_uncoded: bool) -> list[tuple[int, str]]:
    """(segment id, text) of every passage, or of those no one has coded for the question."""
    s, k = t.segments.c, t.codings.c
    query = sa.select(s.id, s.text).order_by(s.id)
    if only_uncoded:
        coded = sa.select(k.segment_id).where(k.question_id == question_id)
        query = query.where(s.id.not_in(coded))
    with store.read() as conn:
        return [tuple(row) for row in conn.execute(query)]


SUGGESTION_COLUMNS = (
    "segment_id",
    "external_id",
    "case",
    "question",
    "code",
    "score",
    "rank",
    "evidence",
    "model",
)


def iter_suggestions(store: Store) -> Iterator[dict]:
    g, s, d, c = t.suggestions.c, t.segments.c, t.documents.c, t.cases.c
    query = (
        sa.select(
            s.id.label("segment_id"),
            s.external_id,
            c.name.label("case"),
            g.question_id.label("question"),
            g.code_id.label("code"),
            g.score,
            g.rank,
            sa.func.coalesce(g.evidence, "").label("evidence"),
            g.model_id.label("model"),
        )
        .select_from(in_context(t.suggestions))
        .order_by(c.name, d.name, s.position, g.question_id, g.rank)
    )
    with store.read() as conn:
        for row in conn.execute(query):
            yield dict(row._mapping)


def suggestions_of_question(store: Store, question_id: str) -> list[tuple[int, str, float, int]]:
    """(segment id, code, score, rank) of the stored suggestions for a question."""
    g = t.suggestions.c
    query = sa.select(g.segment_id, g.code_id, g.score, g.rank).where(g.question_id == question_id)
    with store.read() as conn:
        return [tuple(row) for row in conn.execute(query)]


def accepted_suggestion_events(store: Store, question_id: str) -> tuple[int, int]:
    """(suggestions accepted, accepted suggestions later removed) in the event log."""
    e = t.coding_events.c
    query = (
        sa.select(e.event, sa.func.count())
        .where(e.question_id == question_id, e.origin == "accepted-suggestion")
        .group_by(e.event)
    )
    with store.read() as conn:
        counts: dict[str, int] = {event: n for event, n in conn.execute(query)}
    return counts.get("added", 0), counts.get("removed", 0)
