"""Stored passage embeddings (``segment_embeddings``): one vector per passage and encoder.

The rows the suggester's embeddings (``coder.suggest.embeddings``) read and write; the
vectors are stored as bytes and decoded there.
"""

from __future__ import annotations

import sqlalchemy as sa

from coder.store import schema as t
from coder.store.batch import chunks
from coder.store.connection import ConnectedStore


def missing_count(store: ConnectedStore, encoder: str) -> int:
    """How many passages have no stored vector of ``encoder``."""
    s, e = t.segments.c, t.segment_embeddings.c
    with store.read() as conn:
        return conn.execute(
            sa.select(sa.func.count())
            .select_from(t.segments)
            .where(~sa.exists().where(e.segment_id == s.id, e.encoder == encoder))
        ).scalar_one()


def texts_without_vector(
    store: ConnectedStore, encoder: str, segment_ids: list[int] | None
) -> tuple[list[tuple[int, str]], list[int]]:
    """(segment id, text) of the passages without a vector of ``encoder`` (of every passage
    when ``segment_ids`` is None), in id (or given) order; and the given ids that are no
    passage."""
    s, e = t.segments.c, t.segment_embeddings.c
    with store.read() as conn:
        if segment_ids is None:
            query = (
                sa.select(s.id, s.text)
                .where(~sa.exists().where(e.segment_id == s.id, e.encoder == encoder))
                .order_by(s.id)
            )
            return [(seg, text) for seg, text in conn.execute(query)], []
        wanted = list(dict.fromkeys(int(i) for i in segment_ids))
        have = _with_vector(conn, encoder, wanted)
        need = [i for i in wanted if i not in have]
        texts: dict[int, str] = {}
        for chunk in chunks(need):
            texts.update((seg, text) for seg, text in conn.execute(
                sa.select(s.id, s.text).where(s.id.in_(chunk))
            ))  # fmt: skip
    return [(i, texts[i]) for i in need if i in texts], [i for i in need if i not in texts]


def add_vectors(store: ConnectedStore, encoder: str, vectors: dict[int, bytes]) -> int:
    """Store the vectors (segment id -> bytes) that are not stored yet; return how many.

    Another process may have stored some meanwhile: writers are serialised, so the check
    and the insert, in one transaction, see the same state."""
    with store.write() as conn:
        present = _with_vector(conn, encoder, list(vectors))
        rows = [
            {"segment_id": seg, "encoder": encoder, "vector": blob}
            for seg, blob in vectors.items()
            if seg not in present
        ]
        if rows:
            conn.execute(t.segment_embeddings.insert(), rows)
    return len(rows)


def vectors(store: ConnectedStore, encoder: str, segment_ids: list[int]) -> dict[int, bytes]:
    """The stored vectors of ``encoder`` for these passages (those that have one)."""
    e = t.segment_embeddings.c
    found: dict[int, bytes] = {}
    with store.read() as conn:
        for chunk in chunks(list(dict.fromkeys(segment_ids))):
            query = sa.select(e.segment_id, e.vector).where(
                e.encoder == encoder, e.segment_id.in_(chunk)
            )
            found.update((seg, vector) for seg, vector in conn.execute(query))
    return found


def _with_vector(conn: sa.Connection, encoder: str, segment_ids: list[int]) -> set[int]:
    e = t.segment_embeddings.c
    found: set[int] = set()
    for chunk in chunks(segment_ids):
        query = sa.select(e.segment_id).where(e.encoder == encoder, e.segment_id.in_(chunk))
        found.update(conn.execute(query).scalars())
    return found
