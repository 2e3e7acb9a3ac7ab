"""Ordered, named, transactional schema migrations, recorded in ``schema_migrations``.

Each step runs in the same transaction as its bookkeeping row, so a project is
never left half-migrated. Add a step by appending to ``MIGRATIONS``; never edit
or reorder a step that has shipped.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from coder.errors import StoreError
from coder.store import schema


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[sa.Connection], None]


def _create(*tables: sa.Table) -> Callable[[sa.Connection], None]:
    def apply(conn: sa.Connection) -> None:
        for table in tables:
            table.create(conn, checkfirst=True)

    return apply


def _models(conn: sa.Connection) -> None:
    """The models table, and the key that signs the models this project writes."""
    schema.models.create(conn, checkfirst=True)
    has_key = conn.execute(
        sa.select(schema.project.c.key).where(schema.project.c.key == "model_key")
    ).scalar()
    if has_key is None:
        conn.execute(schema.project.insert().values(key="model_key", value=secrets.token_hex(32)))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "project, codebook, corpus and coding event log",
        _create(
            schema.project,
            schema.codebook_versions,
            schema.questions,
            schema.codes,
            schema.cases,
            schema.documents,
            schema.segments,
            schema.coders,
            schema.actions,
            schema.coding_events,
            schema.codings,
            schema.memos,
        ),
    ),
    Migration(2, "model suggestions per segment, question and code", _create(schema.suggestions)),
    Migration(3, "trained suggester models, signed with a project key", _models),
)

LATEST = MIGRATIONS[-1].version


def applied_versions(conn: sa.Connection) -> set[int]:
    if not sa.inspect(conn).has_table("schema_migrations"):
        return set()
    return set(conn.execute(sa.select(schema.schema_migrations.c.version)).scalars())


def migrate(conn: sa.Connection) -> list[Migration]:
    """Apply the missing steps inside the caller's transaction; return the ones applied."""
    schema.schema_migrations.create(conn, checkfirst=True)
    done = applied_versions(conn)
    newer = [v for v in done if v > LATEST]
    if newer:
        raise StoreError(
            f"the project uses schema version {max(newer)}, newer than this coder "
            f"understands ({LATEST}); upgrade coder"
        )
    applied = []
    for step in MIGRATIONS:
        if step.version in done:
            continue
        step.apply(conn)
        conn.execute(
            schema.schema_migrations.insert().values(
                version=step.version,
                name=step.name,
                applied_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
        )
        applied.append(step)
    return applied
