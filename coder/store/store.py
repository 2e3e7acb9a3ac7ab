"""The project store: the one API the rest of coder uses to read and write a project.

Nothing outside ``coder.store`` writes SQL. Each public method that changes the
project runs in one transaction (one user action = one transaction); work that must be
all-or-nothing goes through one ``batch()`` (a unit of work, ``coder.store.batch``).
This module opens, creates and closes projects; ``connection`` holds the transactions
and the codebook, ``actions`` the coding, suggestion and model methods.
"""

from __future__ import annotations

import getpass
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa

from coder.corpus.changes import Change
from coder.corpus.span import Span
from coder.errors import StoreError
from coder.i18n import _
from coder.model.codebook import Codebook
from coder.store import codings as coding_ops
from coder.store import lock as project_lock
from coder.store import schema as t
from coder.store.actions import ProjectActions
from coder.store.batch import Batch, NewDocument
from coder.store.engine import copy_sqlite, describe, is_url, make_engine, read_only_medium
from coder.store.migrations import applied_versions, migrate, pending

__all__ = ["DEFAULT_DB", "NewDocument", "Span", "Store", "default_coder", "default_db"]

DEFAULT_DB = "coder.db"


def default_db() -> str:
    return os.environ.get("CODER_DB") or DEFAULT_DB


def default_coder() -> str:
    try:
        return getpass.getuser() or "coder"
    except (KeyError, OSError):
        return "coder"


class Store(ProjectActions):
    """An open project.

    Opening: ``Store.open(db)`` for commands that write; ``Store.open(db, read_only=True)``
    for commands that only read (``status``, ``export``, ``tally``, ...) and for the
    projects ``merge`` and ``restore`` read from. A read-only store never takes the write
    lock, never migrates and never changes the database in any way (no WAL switch, no
    ``-shm`` on a read-only medium); ``write()`` on it is refused. A read-only open of
    an SQLite project whose schema is older than this coder reads through a migrated
    temporary copy (the file itself is left as it is); of a PostgreSQL one, it is refused
    in one line.

    Every store on an SQLite file holds a shared lock on ``<db>-lock`` while it is open,
    so that ``backup --force`` and ``restore --force`` can refuse to replace a project a
    coding screen has open (see ``coder.store.lock``).
    """

    def __init__(self, db: str, engine: sa.Engine, *, read_only: bool = False):
        super().__init__(db, engine, read_only=read_only)
        self._lock: project_lock.SharedLock | None = None
        self._scratch: str | None = None  # a migrated temporary copy read instead of db

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        db: str,
        codebook: Codebook,
        changes: Sequence[Change] = (),
    ) -> Store:
        """Create a new project with ``codebook``; refuse to touch an existing project.

        ``changes`` are the project's first content, written in the same transaction (a
        project imported from another program): if it fails, no project is left behind."""
        if not is_url(db):
            path = Path(db)
            if path.exists() and path.stat().st_size > 0:
                raise StoreError(
                    _("{db}: already exists; choose another --db or remove it").format(db=db)
                )
            if not path.parent.exists():
                raise StoreError(
                    _("{file}: folder {folder} does not exist").format(file=db, folder=path.parent)
                )
        store = cls(db, make_engine(db))
        try:
            if not is_url(db):
                store._lock = project_lock.hold_shared(db)
            with store.write() as conn:
                if applied_versions(conn):
                    raise StoreError(
                        _("{db}: already holds a coder project").format(db=describe(db))
                    )
                migrate(conn)
                conn.execute(
                    t.project.insert(),
                    [
                        {"key": "codebook_id", "value": codebook.id},
                        {"key": "created_at", "value": coding_ops.now()},
                    ],
                )
                store._install_codebook(conn, codebook)
                if changes:
                    Batch(conn, write=True).apply(changes)
        except BaseException:
            store.close()
            if not is_url(db):
                for suffix in ("", "-wal", "-shm", project_lock.SUFFIX):
                    Path(db + suffix).unlink(missing_ok=True)
            raise
        return store

    @classmethod
    def open(cls, db: str | None = None, *, read_only: bool = False) -> Store:
        """Open an existing project.

        Writing (the default): pending migrations are applied (taking the write lock only
        then). ``read_only``: see the class docstring. Either way the project's tables
        are checked to be all there, so a damaged or partial project is one clear line."""
        db = db or default_db()
        on_read_only_medium = False
        if not is_url(db):
            path = Path(db)
            if path.is_dir():
                raise StoreError(_("{db}: is a folder, not a project file").format(db=db))
            if not path.is_file():
                raise StoreError(
                    _(
                        "{db}: no project here; create one with `coder init --codebook FILE "
                        "--db {db}`"
                    ).format(db=db)
                )
            # nothing can be written there: read it (a command that writes says why it cannot)
            on_read_only_medium = not read_only and read_only_medium(path)
            read_only = read_only or on_read_only_medium
        store = cls(db, make_engine(db, read_only=read_only), read_only=read_only)
        store._read_only_medium = on_read_only_medium
        try:
            if not is_url(db):
                store._lock = project_lock.hold_shared(db, create=not read_only)
            with store.read() as conn:
                if not applied_versions(conn):
                    raise StoreError(_("{db}: not a coder project").format(db=describe(db)))
                try:
                    todo = pending(conn)
                except StoreError as exc:
                    raise StoreError(f"{describe(db)}: {exc}") from None
            if todo and read_only:
                store._read_migrated_copy()
            elif todo:
                with store.write() as conn:
                    migrate(conn)
            with store.read() as conn:
                missing = sorted(set(t.metadata.tables) - set(sa.inspect(conn).get_table_names()))
            if missing:
                if len(missing) > 1:
                    said = _(
                        "{db}: damaged project: table '{table}' is missing (and {n} more); "
                        "restore another backup"
                    )
                else:
                    said = _(
                        "{db}: damaged project: table '{table}' is missing; restore another backup"
                    )
                raise StoreError(said.format(db=describe(db), table=missing[0], n=len(missing) - 1))
        except sa.exc.DatabaseError as exc:
            store.close()
            raise StoreError(
                _("{db}: not a readable project database ({reason})").format(
                    db=describe(db), reason=_reason(exc)
                )
            ) from None
        except BaseException:
            store.close()
            raise
        return store

    def _read_migrated_copy(self) -> None:
        """Read an older SQLite project through a migrated copy in a temporary folder."""
        if is_url(self.db):
            raise StoreError(
                _(
                    "{db}: the project's schema is older than this coder's; upgrade it once "
                    "with a command that writes (e.g. `coder code` or `coder import`)"
                ).format(db=describe(self.db))
            )
        self._scratch = tempfile.mkdtemp(prefix="coder-read-")
        copy = Path(self._scratch) / "migrated.db"
        copy_sqlite(Path(self.db), copy)
        self.engine.dispose()
        self.engine = make_engine(str(copy))
        with self.engine.connect().execution_options(coder_write=True) as conn, conn.begin():
            migrate(conn)

    @property
    def sqlite_file(self) -> str:
        """The SQLite file this store reads (a migrated temporary copy, if it reads one)."""
        return str(Path(self._scratch) / "migrated.db") if self._scratch else self.db

    def close(self) -> None:
        self.engine.dispose()
        if self._lock is not None:
            self._lock.release()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reason(exc: sa.exc.DatabaseError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
