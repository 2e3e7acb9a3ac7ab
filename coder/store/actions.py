"""What a coding screen and the suggester do to a project: one transaction per action.

Coding, undo and memos append to the event log (``coder.store.codings``); suggestions
and models are stored whole, replacing what they supersede in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import sqlalchemy as sa

from coder.errors import StoreError
from coder.i18n import _
from coder.model.codebook import NOT_APPLICABLE
from coder.store import codings as coding_ops
from coder.store import schema as t
from coder.store.batch import chunks
from coder.store.connection import ConnectedStore


class ProjectActions(ConnectedStore):
    """The store's methods that change codings, memos, suggestions and models."""

    # -- coding (one transaction per action) --------------------------------------------------
    def toggle_code(
        self,
        segment_id: int,
        question_id: str,
        code_id: str,
        coder: str,
        *,
        origin: str = coding_ops.HUMAN,
        model_id: str | None = None,
        score: float | None = None,
    ) -> int | None:
        """Toggle a code on a passage for a coder; in a single question it replaces the old code.

        ``code_id`` may be ``n/a`` (not applicable): it replaces the coder's codes on the
        passage in either mode, and a code added later replaces it."""
        question = self.codebook().question(question_id)
        coding_ops.known_code(question, code_id)  # raises KeyError for an unknown code
        with self.batch() as b:
            coder_id = b.coder(coder)
            present = b.codes([segment_id], question_id, coder_id).get(segment_id, set())
            if code_id in present:
                changes = [coding_ops.Change(segment_id, question_id, code_id, "removed", origin)]
            else:
                changes = coding_ops.changes_to_set(
                    present,
                    question,
                    segment_id,
                    [code_id],
                    replace=False,
                    origin=origin,
                    model_id=model_id,
                    score=score,
                )
            return b.record(coder_id, "code", changes)

    def set_codes(
        self, segment_id: int, question_id: str, code_ids: list[str], coder: str
    ) -> int | None:
        """Make a coder's codes on a passage exactly ``code_ids`` (one undoable action);
        ``["n/a"]`` marks the passage not applicable to the question."""
        question = self.codebook().question(question_id)
        for code_id in code_ids:
            coding_ops.known_code(question, code_id)  # raises KeyError for an unknown code
        if question.mode == "single" and len(code_ids) > 1:
            raise StoreError(
                _("question '{question}' takes one code, got {n}").format(
                    question=question_id, n=len(code_ids)
                )
            )
        if NOT_APPLICABLE in code_ids and len(set(code_ids)) > 1:
            raise StoreError(
                _("'{na}' (not applicable) cannot be combined with codes").format(na=NOT_APPLICABLE)
            )
        with self.batch() as b:
            coder_id = b.coder(coder)
            present = b.codes([segment_id], question_id, coder_id).get(segment_id, set())
            changes = coding_ops.changes_to_set(
                present, question, segment_id, code_ids, replace=True
            )
            return b.record(coder_id, "code", changes)

    def undo(self, coder: str) -> int | None:
        with self.batch() as b:
            return b.undo(b.coder(coder))

    def add_memo(self, segment_id: int, coder: str, text: str) -> None:
        with self.batch() as b:
            b.add_memo(segment_id, b.coder(coder), text)

    def codes_of(self, segment_id: int, question_id: str, coder: str) -> set[str]:
        with self.read() as conn:
            coder_id = conn.execute(
                sa.select(t.coders.c.id).where(t.coders.c.name == coder)
            ).scalar()
            if coder_id is None:
                return set()
            return coding_ops.current_codes(conn, segment_id, question_id, coder_id)

    def replace_suggestions(
        self,
        question_id: str,
        rows: Iterable[tuple[int, str, float, int]] | Iterable[list[tuple[int, str, float, int]]],
        model_id: str,
        segment_ids: list[int] | None = None,
        *,
        batched: bool = False,
    ) -> int:
        """Store a model's suggestions (segment, code, score, rank[, evidence]) for a question.

        Earlier suggestions for the question (only for ``segment_ids`` when given) are
        replaced in the same transaction, so readers see the old set or the new one, never a
        mix. With ``batched``, ``rows`` yields lists of rows, consumed as they come, so a
        caller can keep scoring while earlier batches are written; an exception raised by
        the iterable rolls everything back.
        """
        question = self.codebook().question(question_id)
        known = {c.id for c in question.codes} | {NOT_APPLICABLE}
        g = t.suggestions.c
        written = 0
        with self.write() as conn:
            if segment_ids is None:
                conn.execute(t.suggestions.delete().where(g.question_id == question_id))
            else:
                for chunk in chunks(segment_ids):
                    conn.execute(
                        t.suggestions.delete().where(
                            g.question_id == question_id, g.segment_id.in_(chunk)
                        )
                    )
            time = coding_ops.now()
            batches = (
                cast("Iterable[list[tuple[Any, ...]]]", rows)
                if batched
                else [list(cast("Iterable[tuple[Any, ...]]", rows))]
            )
            for given in batches:
                batch = [(*row, None)[:5] for row in given]  # evidence is optional
                unknown = {row[1] for row in batch} - known
                if unknown:
                    raise StoreError(
                        _("suggestion for unknown code '{code}' of question '{question}'").format(
                            code=sorted(unknown)[0], question=question_id
                        )
                    )
                if batch:
                    _insert_many(
                        conn,
                        t.suggestions,
                        [
                            (seg, question_id, code, float(score), rank, model_id, time, evidence)
                            for seg, code, score, rank, evidence in batch
                        ],
                    )
                written += len(batch)
        return written

    def model_key(self) -> bytes:
        """The project's secret for signing models (see coder.suggest.artifact)."""
        with self.read() as conn:
            value = conn.execute(
                sa.select(t.project.c.value).where(t.project.c.key == "model_key")
            ).scalar_one()
        return bytes.fromhex(value)

    def save_model(
        self,
        *,
        model_id: str,
        question_id: str,
        n_train: int,
        cold_start: bool,
        metrics: dict,
        blob: bytes,
        mac: str,
    ) -> None:
        _version, digest = self.codebook_version()
        with self.write() as conn:
            conn.execute(
                t.models.insert().values(
                    id=model_id,
                    question_id=question_id,
                    codebook_digest=digest,
                    created_at=coding_ops.now(),
                    n_train=n_train,
                    cold_start=cold_start,
                    metrics=metrics,
                    blob=blob,
                    mac=mac,
                )
            )

    def latest_model(self, question_id: str) -> sa.Row | None:
        m = t.models.c
        with self.read() as conn:
            return conn.execute(
                sa.select(t.models)
                .where(m.question_id == question_id)
                .order_by(m.created_at.desc(), m.id.desc())
                .limit(1)
            ).one_or_none()

    def models(self) -> list[sa.Row]:
        """Every stored model without its blob, newest first."""
        m = t.models.c
        with self.read() as conn:
            return list(
                conn.execute(
                    sa.select(
                        m.id,
                        m.question_id,
                        m.codebook_digest,
                        m.created_at,
                        m.n_train,
                        m.cold_start,
                        m.metrics,
                    ).order_by(m.created_at.desc())
                )
            )

    def rebuild_current_codings(self) -> int:
        with self.write() as conn:
            return coding_ops.rebuild_current_codings(conn)


def _insert_many(conn: sa.Connection, table: sa.Table, rows: list[tuple]) -> None:
    """Insert rows (values in the table's column order) with one driver executemany.

    For hundreds of thousands of rows SQLAlchemy's per-row parameter processing costs more
    than the database's own work (``benchmarks/suggest_speed.py``), so the compiled INSERT
    goes straight to the driver, with positional or named parameters as the driver wants.
    """
    names = [c.name for c in table.columns]
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=names)
    if compiled.positional:
        order = [names.index(key) for key in compiled.positiontup or ()]
        if order != list(range(len(names))):
            rows = [tuple(row[i] for i in order) for row in rows]
        conn.exec_driver_sql(str(compiled), rows)
    else:
        conn.exec_driver_sql(str(compiled), [dict(zip(names, row, strict=True)) for row in rows])
