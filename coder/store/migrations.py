"""Ordered, named, transactional schema migrations, recorded in ``schema_migrations``.

Each step runs in the same transaction as its bookkeeping row, so a project is
never left half-migrated. Add a step by appending to ``MIGRATIONS``; never edit
or reorder a step that has shipped.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from coder.errors import StoreError
from coder.i18n import _
from coder.store import schema

UID_NAMESPACE = uuid.UUID("5b0e7a52-3c1d-4f0e-9a57-c0de2b0c0de5")


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


def _suggestions_by_question(conn: sa.Connection) -> None:
    """Rebuild suggestions keyed by (question, segment, code), without rowid and without
    the (question, code, score) index: replacing one question's 300,000 suggestions took
    8.7 s, mostly in that index, and takes 1.1 s now (benchmarks/suggest_speed.py)."""
    indexes = {ix["name"] for ix in sa.inspect(conn).get_indexes("suggestions")}
    if "ix_suggestions_question_code" not in indexes:
        return  # created by step 2 in the new form already
    conn.exec_driver_sql("ALTER TABLE suggestions RENAME TO suggestions_old")
    old = {c["name"] for c in sa.inspect(conn).get_columns("suggestions_old")}
    conn.exec_driver_sql("DROP INDEX ix_suggestions_question_code")
    schema.suggestions.create(conn)  # today's form: columns added later stay empty
    columns = ", ".join(c.name for c in schema.suggestions.columns if c.name in old)
    conn.exec_driver_sql(
        f"INSERT INTO suggestions ({columns}) SELECT {columns} FROM suggestions_old"
    )
    conn.exec_driver_sql("DROP TABLE suggestions_old")


def legacy_uid(kind: str, row_id: int, coder: str, time: str) -> str:
    """The uid of an action or memo written before uids existed: derived from what two
    copies of the project share (id, coder, time to the microsecond), so copies agree."""
    return str(uuid.uuid5(UID_NAMESPACE, f"{kind}:{row_id}:{coder}:{time}"))


def _global_ids(conn: sa.Connection) -> None:
    """A project uuid, and a uid on every action and memo, for merging copies."""
    has = conn.execute(
        sa.select(schema.project.c.key).where(schema.project.c.key == "project_uuid")
    ).scalar()
    if has is None:
        conn.execute(schema.project.insert().values(key="project_uuid", value=str(uuid.uuid4())))
    inspector = sa.inspect(conn)
    for table, kind in ((schema.actions, "action"), (schema.memos, "memo")):
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        if "uid" in columns:
            continue  # created by step 1 in the new form already
        conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN uid VARCHAR(36)")
        rows = conn.execute(
            sa.select(table.c.id, schema.coders.c.name, table.c.time).join(
                schema.coders, schema.coders.c.id == table.c.coder_id
            )
        ).all()
        if rows:
            conn.execute(
                table.update().where(table.c.id == sa.bindparam("row_id")),
                [{"row_id": r.id, "uid": legacy_uid(kind, r.id, r.name, r.time)} for r in rows],
            )
        index = next(ix for ix in table.indexes if str(ix.name).endswith("_uid"))
        index.create(conn)


def _evidence_and_embeddings(conn: sa.Connection) -> None:
    """Evidence words on suggestions, and stored passage embeddings."""
    columns = {c["name"] for c in sa.inspect(conn).get_columns("suggestions")}
    if "evidence" not in columns:  # created by step 2 in the new form already otherwise
        conn.exec_driver_sql("ALTER TABLE suggestions ADD COLUMN evidence TEXT")
    schema.segment_embeddings.create(conn, checkfirst=True)


def _external_ids_per_document(conn: sa.Connection) -> None:
    """A passage's external id is unique within its document, no longer across the project:
    two table files may both have a row "1" (issue 17)."""
    uniques = sa.inspect(conn).get_unique_constraints("segments")
    if any(u["column_names"] == ["document_id", "external_id"] for u in uniques):
        return  # created by step 1 in the new form already
    if conn.dialect.name == "postgresql":
        for u in uniques:
            if u["column_names"] == ["external_id"]:
                conn.exec_driver_sql(f'ALTER TABLE segments DROP CONSTRAINT "{u["name"]}"')
        conn.exec_driver_sql(
            "ALTER TABLE segments ADD CONSTRAINT uq_segment_external_id "
            "UNIQUE (document_id, external_id)"
        )
        return
    # SQLite cannot drop a constraint: the table is rebuilt. Five tables refer to segments
    # and foreign keys cannot be switched off inside a transaction, so their checks are
    # deferred to the commit (SQLite resets the pragma then), by which time every row is
    # back under its old id; DROP TABLE's implicit delete and the re-insert cancel out.
    old = {c["name"] for c in sa.inspect(conn).get_columns("segments")}
    columns = ", ".join(c.name for c in schema.segments.columns if c.name in old)
    # Deleting a parent row makes SQLite look for children: without an index led by
    # segment_id that is a scan of the child table per passage (hours on a large project)
    existing = set(sa.inspect(conn).get_table_names())
    helpers = [t for t in ("suggestions", "segment_embeddings") if t in existing]
    for table in helpers:
        conn.exec_driver_sql(f"CREATE INDEX tmp_m7_{table} ON {table} (segment_id)")
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    conn.exec_driver_sql(f"CREATE TEMP TABLE segments_before AS SELECT {columns} FROM segments")
    conn.exec_driver_sql("DROP TABLE segments")
    schema.segments.create(conn)
    conn.exec_driver_sql(
        f"INSERT INTO segments ({columns}) SELECT {columns} FROM temp.segments_before"
    )
    conn.exec_driver_sql("DROP TABLE temp.segments_before")
    for table in helpers:
        conn.exec_driver_sql(f"DROP INDEX tmp_m7_{table}")


def _sections(conn: sa.Connection) -> None:
    """The heading path above each passage; passages imported before have none (NULL)."""
    columns = {c["name"] for c in sa.inspect(conn).get_columns("segments")}
    if "section" not in columns:  # created by step 1 or rebuilt by step 7 in the new form
        conn.exec_driver_sql("ALTER TABLE segments ADD COLUMN section TEXT")


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
    Migration(4, "suggestions keyed by question first, without rowid", _suggestions_by_question),
    Migration(5, "global ids on actions and memos, and a project uuid", _global_ids),
    Migration(6, "evidence on suggestions, stored passage embeddings", _evidence_and_embeddings),
    Migration(7, "external ids unique per document, not per project", _external_ids_per_document),
    Migration(8, "the heading path (section) of each passage", _sections),
    Migration(9, "personal links for the browser, tokens hashed", _create(schema.web_links)),
)

LATEST = MIGRATIONS[-1].version


def applied_versions(conn: sa.Connection) -> set[int]:
    if not sa.inspect(conn).has_table("schema_migrations"):
        return set()
    return set(conn.execute(sa.select(schema.schema_migrations.c.version)).scalars())


def pending(conn: sa.Connection) -> list[Migration]:
    """The steps a project still needs (read only); refuses a schema newer than this coder's."""
    done = applied_versions(conn)
    newer = [v for v in done if v > LATEST]
    if newer:
        raise StoreError(
            _(
                "the project uses schema version {version}, newer than this coder understands "
                "({latest}); upgrade coder"
            ).format(version=max(newer), latest=LATEST)
        )
    return [step for step in MIGRATIONS if step.version not in done]


def migrate(conn: sa.Connection) -> list[Migration]:
    """Apply the missing steps inside the caller's transaction; return the ones applied."""
    schema.schema_migrations.create(conn, checkfirst=True)
    todo = pending(conn)
    applied = []
    for step in todo:
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
