"""Backups and restores of a project, on either back end.

A backup is itself a coder project: one SQLite file, which ``coder`` opens directly and
``restore`` puts back into an SQLite file or a PostgreSQL database. From SQLite it is made
with SQLite's online backup API; from PostgreSQL by copying every table in one
REPEATABLE READ transaction. Either way it is a consistent snapshot taken while coders
keep working.

A restore replaces the target in one go: an SQLite file through the backup API (after
the replaced project was itself saved beside it), a PostgreSQL database in one
transaction (its DDL is transactional). A restore into an existing project needs
``force``.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from coder.errors import StoreError
from coder.store import schema as t
from coder.store.engine import describe, is_url, make_engine
from coder.store.migrations import applied_versions
from coder.store.store import Store

COUNTED = ("cases", "documents", "segments", "coders", "actions", "coding_events", "memos")


@dataclass
class Copied:
    counts: dict[str, int]
    saved_as: str | None = None  # where a replaced SQLite project was kept


def _counts(conn: sa.Connection) -> dict[str, int]:
    return {
        name: conn.execute(
            sa.select(sa.func.count()).select_from(t.metadata.tables[name])
        ).scalar_one()
        for name in COUNTED
    }


def _copy_tables(src: sa.Connection, dst: sa.Connection) -> None:
    """Every coder table's rows from ``src`` into the empty tables of ``dst``."""
    for table in t.metadata.sorted_tables:
        rows = [dict(r._mapping) for r in src.execute(sa.select(table))]
        for i in range(0, len(rows), 5000):
            dst.execute(table.insert(), rows[i : i + 5000])
    if dst.dialect.name == "postgresql":  # ids were given explicitly: move the sequences on
        for table in t.metadata.sorted_tables:
            column = table.c.get("id")
            if column is not None and isinstance(column.type, sa.Integer) and column.primary_key:
                dst.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"
                )


def backup(store: Store, out: Path) -> Copied:
    """Write a consistent copy of ``store``'s project to the new SQLite file ``out``."""
    if is_url(store.db):
        target = sa.create_engine(f"sqlite:///{out}")
        try:
            t.metadata.create_all(target)
            with (
                store.engine.connect().execution_options(isolation_level="REPEATABLE READ") as src,
                src.begin(),
                target.begin() as dst,
            ):
                _copy_tables(src, dst)
        finally:
            target.dispose()
    else:
        source = sqlite3.connect(store.db)
        copy = sqlite3.connect(out)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    with Store.open(str(out)) as copied, copied.read() as conn:
        return Copied(_counts(conn))


def restore(backup_file: Path, target: str, *, force: bool = False) -> Copied:
    """Put the project in ``backup_file`` into ``target`` (a file path or a database URL)."""
    if not backup_file.is_file():
        raise StoreError(f"{backup_file}: no such backup file")
    with tempfile.TemporaryDirectory() as scratch:
        # opening a project may migrate it: work on a copy, never on the backup itself
        staged = Path(scratch) / "staged.db"
        shutil.copyfile(backup_file, staged)
        try:
            with Store.open(str(staged)) as check, check.read() as conn:
                if conn.exec_driver_sql("PRAGMA integrity_check").scalar() != "ok":
                    raise StoreError(f"{backup_file}: damaged (integrity check failed)")
        except StoreError as exc:
            raise StoreError(f"{backup_file}: not a coder backup ({exc})") from None
        if is_url(target):
            return _restore_url(staged, target, force)
        return _restore_file(staged, Path(target), force)


def _restore_file(staged: Path, target: Path, force: bool) -> Copied:
    saved_as = None
    if target.exists() and target.stat().st_size > 0:
        if not force:
            raise StoreError(
                f"{target}: a project is already here; give --force to replace it "
                "(it is kept beside it first)"
            )
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        saved_as = str(target.with_name(f"{target.name}.replaced-{stamp}"))
        with Store.open(str(target)) as old:
            backup(old, Path(saved_as))
    elif not target.parent.exists():
        raise StoreError(f"{target}: folder {target.parent} does not exist")
    source = sqlite3.connect(staged)
    destination = sqlite3.connect(target, timeout=30)
    try:
        source.backup(destination)  # replaces the target's pages in one transaction
    finally:
        destination.close()
        source.close()
    with Store.open(str(target)) as restored, restored.read() as conn:
        return Copied(_counts(conn), saved_as)


def _restore_url(staged: Path, target: str, force: bool) -> Copied:
    engine = make_engine(target)
    source = sa.create_engine(f"sqlite:///{staged}")
    try:
        with engine.connect().execution_options(coder_write=True) as dst, dst.begin():
            if applied_versions(dst) and not force:
                raise StoreError(
                    f"{describe(target)}: a project is already here; give --force to replace it"
                )
            t.metadata.drop_all(dst, checkfirst=True)
            t.metadata.create_all(dst)
            with source.connect() as src:
                _copy_tables(src, dst)
            counts = _counts(dst)
    finally:
        source.dispose()
        engine.dispose()
    return Copied(counts)
