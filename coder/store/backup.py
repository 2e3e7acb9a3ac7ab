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

``backup_to`` (the ``coder backup`` command) follows the same rules for its target: an
existing file is replaced only with ``force``, and is then first kept beside it
(``FILE.replaced-TIME``, byte for byte where it is not a project). The backup is written to
a temporary file in the target's folder first, so a failure leaves the target as it was.

Neither replaces a project that a coder process has open (a coding screen whose next
keypress would land in the replaced file and be reported as saved): replacing needs the
exclusive lock of ``coder.store.lock``, which every open ``Store`` shares. The sources of
both are read without ever being written to (read-only SQLite connections).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from coder.errors import StoreError
from coder.i18n import _
from coder.store import lock as project_lock
from coder.store import schema as t
from coder.store.engine import copy_sqlite, describe, is_url, make_engine
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
        copy_sqlite(Path(store.sqlite_file), out)
    return Copied(_file_counts(out))


def _file_counts(path: Path) -> dict[str, int]:
    """The counts of an SQLite project file, read without locking or changing it."""
    engine = make_engine(str(path), read_only=True)
    try:
        with engine.connect() as conn, conn.begin():
            return _counts(conn)
    finally:
        engine.dispose()


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _kept_name(target: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    kept = target.with_name(f"{target.name}.replaced-{stamp}")
    n = 1
    while kept.exists():
        n += 1
        kept = target.with_name(f"{target.name}.replaced-{stamp}-{n}")
    return kept


def _keep_beside(target: Path) -> Path:
    """Save the file about to be replaced as ``TARGET.replaced-TIME`` (a project through the
    backup API, so its committed WAL pages come along; anything else byte for byte)."""
    kept = _kept_name(target)
    try:
        if _is_sqlite(target):
            copy_sqlite(target, kept)
        else:
            shutil.copy2(target, kept)
    except (OSError, sqlite3.Error) as exc:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{kept}{suffix}").unlink(missing_ok=True)
        raise StoreError(
            _("{file}: could not keep the replaced file beside it ({reason})").format(
                file=target, reason=exc
            )
        ) from None
    return kept


def _install(staged: Path, target: Path) -> None:
    """Put the project file ``staged`` in ``target``'s place, in one go."""
    if _is_sqlite(target):
        source = sqlite3.connect(staged)
        destination = sqlite3.connect(target, timeout=30)
        try:
            source.backup(destination)  # replaces the target's pages in one transaction
        finally:
            destination.close()
            source.close()
    else:
        os.replace(staged, target)
        for suffix in ("-wal", "-shm"):  # never let a stale journal meet the new file
            Path(f"{target}{suffix}").unlink(missing_ok=True)


def _check_target(out: Path) -> None:
    if out.is_dir():
        raise StoreError(_("{file}: is a folder; give the backup file's name").format(file=out))
    if not out.parent.exists():
        raise StoreError(
            _("{file}: folder {folder} does not exist").format(file=out, folder=out.parent)
        )


def backup_to(store: Store, out: Path, *, force: bool = False) -> Copied:
    """``coder backup``: write a backup of ``store`` to ``out``, replacing an existing file
    only with ``force`` (it is then kept beside it, and never while a coder process has it
    open). Nothing is left half-written: the backup is made in a temporary file first."""
    _check_target(out)
    if not is_url(store.db) and _same_file(Path(store.db), out):
        raise StoreError(_("{file}: is the project itself; give another --out").format(file=out))
    existing = out.exists() and out.stat().st_size > 0
    if existing and not force:
        raise StoreError(
            _(
                "{file}: already exists; give --force to replace it (it is kept beside it first)"
            ).format(file=out)
        )
    try:
        fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    except OSError as exc:
        raise StoreError(_cannot_write(out, exc)) from None
    os.close(fd)
    staged = Path(name)
    staged.unlink()
    try:
        try:
            done = backup(store, staged)
        except (OSError, sqlite3.Error, sa.exc.DBAPIError) as exc:
            raise StoreError(
                _("{file}: the backup could not be written ({reason})").format(
                    file=out, reason=_why(exc)
                )
            ) from None
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staged, 0o666 & ~umask)
        if not existing:
            os.replace(staged, out)
            return done
        with project_lock.exclusive(str(out)):
            done.saved_as = str(_keep_beside(out))
            _install(staged, out)
        return done
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{staged}{suffix}").unlink(missing_ok=True)


def _cannot_write(target: Path, exc: OSError) -> str:
    return _("{file}: cannot write there ({reason})").format(
        file=target, reason=exc.strerror or exc
    )


def _not_a_backup(backup_file: Path, reason: object) -> StoreError:
    return StoreError(
        _("{file}: not a coder backup ({reason})").format(file=backup_file, reason=reason)
    )


def _why(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).strip().splitlines()[0]


def restore(backup_file: Path, target: str, *, force: bool = False) -> Copied:
    """Put the project in ``backup_file`` into ``target`` (a file path or a database URL)."""
    if not backup_file.is_file():
        raise StoreError(_("{file}: no such backup file").format(file=backup_file))
    with tempfile.TemporaryDirectory() as scratch:
        # opening a project may migrate it: work on a copy, never on the backup itself
        staged = Path(scratch) / "staged.db"
        try:
            copy_sqlite(backup_file, staged)
        except sqlite3.Error as exc:
            raise _not_a_backup(backup_file, exc) from None
        try:
            with Store.open(str(staged)) as check, check.read() as conn:
                if conn.exec_driver_sql("PRAGMA integrity_check").scalar() != "ok":
                    raise StoreError(
                        _("{file}: damaged (integrity check failed)").format(file=backup_file)
                    )
        except sa.exc.DatabaseError as exc:
            raise _not_a_backup(backup_file, _why(exc)) from None
        except StoreError as exc:
            raise _not_a_backup(backup_file, exc) from None
        if is_url(target):
            return _restore_url(staged, target, force)
        return _restore_file(staged, Path(target), force)


def _restore_file(staged: Path, target: Path, force: bool) -> Copied:
    saved_as = None
    _check_target(target)
    if target.exists() and target.stat().st_size > 0:
        if not force:
            raise StoreError(
                _(
                    "{file}: a project is already here; give --force to replace it "
                    "(it is kept beside it first)"
                ).format(file=target)
            )
        with project_lock.exclusive(str(target)):
            saved_as = str(_keep_beside(target))
            _install(staged, target)
    else:  # a new file: it appears only once it is complete
        name = None
        try:
            fd, name = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".partial", dir=target.parent
            )
            os.close(fd)
            shutil.copyfile(staged, name)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(name, 0o666 & ~umask)
            os.replace(name, target)
        except OSError as exc:
            if name is not None:
                Path(name).unlink(missing_ok=True)
            raise StoreError(_cannot_write(target, exc)) from None
    return Copied(_file_counts(target), saved_as)


def _restore_url(staged: Path, target: str, force: bool) -> Copied:
    engine = make_engine(target)
    source = sa.create_engine(f"sqlite:///{staged}")
    try:
        with engine.connect().execution_options(coder_write=True) as dst, dst.begin():
            if applied_versions(dst) and not force:
                raise StoreError(
                    _("{file}: a project is already here; give --force to replace it").format(
                        file=describe(target)
                    )
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
