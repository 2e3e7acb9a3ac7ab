"""Connecting to a project database: an SQLite file path or a database URL.

SQLite runs in WAL mode with foreign keys on and a generous busy timeout. Write
transactions start with ``BEGIN IMMEDIATE`` so that two writers queue up instead
of failing half-way when one of them upgrades its lock.

PostgreSQL write transactions first take one transaction-scoped advisory lock, so
writers queue up there exactly as they do on SQLite: a coding, an import and a
merge never interleave, and the same code (read, decide, write) is correct on both
back ends without retrying on serialization or unique-key conflicts. Readers never wait.

Read-only engines (``make_engine(db, read_only=True)``, for the read commands and for the
sources of ``merge`` and ``restore``) never take the write lock and never change the
database: SQLite opens the file through a ``file:...?mode=ro`` URI (with ``immutable=1``
where the file and its folder are not writable, e.g. a read-only medium: there is no
``-shm`` to create and nobody can write meanwhile), sets no journal mode (switching a
foreign file to WAL is a write) and runs with ``query_only``; PostgreSQL transactions are
``READ ONLY``. A reader of an SQLite project in WAL mode sees the last committed state
without waiting for a writer.

A writer may bound its wait for the write lock (``coder_wait`` execution option, seconds):
the coding screen waits briefly per keypress and retries rather than freezing, and gets
``StoreBusy`` (nothing written) when the lock stays taken.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from coder.errors import StoreError
from coder.i18n import _

BUSY_TIMEOUT_S = 30
WRITE_LOCK = 0x0C0DE5  # the advisory lock key every PostgreSQL write transaction takes


class StoreBusy(StoreError):
    """Another process held the write lock for longer than this writer would wait.
    Raised before anything was written: the same action can simply be tried again."""


def is_url(db: str) -> bool:
    return "://" in db


def describe(db: str) -> str:
    """The database as shown to users (a URL without its password)."""
    if is_url(db):
        return sa.engine.make_url(db).render_as_string(hide_password=True)
    return db


def make_engine(db: str, *, read_only: bool = False) -> sa.Engine:
    if is_url(db):
        url = sa.engine.make_url(db)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        if url.drivername.startswith("postgresql"):
            return _postgresql_engine(url, db, read_only)
        return sa.create_engine(url)
    if read_only:
        return _sqlite_read_only_engine(Path(db))
    return _sqlite_engine(Path(db))


def busy(exc: BaseException) -> bool:
    """Whether a database error means "another writer holds the lock"."""
    text = str(getattr(exc, "orig", exc)).lower()
    return "locked" in text or "busy" in text


def _postgresql_engine(url: sa.URL, db: str, read_only: bool = False) -> sa.Engine:
    try:
        engine = sa.create_engine(url, pool_size=2, max_overflow=4, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        from coder.errors import StoreError

        raise StoreError(
            _(
                "{db}: the PostgreSQL driver ({driver}) is not installed; install coder's "
                "'postgres' extra (pip install '.[postgres]') or: pip install 'psycopg[binary]'"
            ).format(db=describe(db), driver=exc.name)
        ) from None

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        options = conn.get_execution_options()
        if read_only:
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        elif options.get("coder_write", False):
            wait = options.get("coder_wait")
            if wait is None:
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
                return
            deadline = time.monotonic() + wait
            while not conn.exec_driver_sql(
                f"SELECT pg_try_advisory_xact_lock({WRITE_LOCK})"
            ).scalar():
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        _("{db}: another coder process is writing").format(db=describe(db))
                    )
                time.sleep(0.02)

    return engine


def sqlite_uri(path: Path) -> str:
    """The read-only URI of an SQLite file (immutable where nothing can write to it)."""
    uri = path.absolute().as_uri() + "?mode=ro"  # percent-encoded; drive letters on Windows
    if read_only_medium(path):
        uri += "&immutable=1"
    return uri


def read_only_medium(path: Path) -> bool:
    """Neither the file nor its folder can be written: SQLite could not create the
    ``-shm`` file a WAL reader needs, and no one can change the file while we read."""
    folder = path.absolute().parent
    return not os.access(path, os.W_OK) and not os.access(folder, os.W_OK)


def connect_read_only(path: Path, timeout: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    """A plain sqlite3 connection that cannot change the file (for copies and checks)."""
    conn = sqlite3.connect(sqlite_uri(path), uri=True, timeout=timeout, check_same_thread=False)
    conn.execute("PRAGMA query_only=ON")
    return conn


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy an SQLite database with SQLite's online backup API, reading the source
    read-only (its committed WAL pages included, even from read-only media)."""
    reader = connect_read_only(source)
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)
    finally:
        writer.close()
        reader.close()


def _sqlite_pool(url: str, pragmas: list[str], **arguments: Any) -> sa.Engine:
    """An SQLite engine with a small pool (the coding screen reads a few rows per
    keypress, and opening a connection, with its pragmas, per read would cost more than
    the reads) whose connections leave transactions to the engine's "begin" event and
    run ``pragmas`` when they open."""
    engine = sa.create_engine(
        url, poolclass=sa.pool.QueuePool, pool_size=2, max_overflow=4, **arguments
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in [*pragmas, f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}"]:
            cur.execute(pragma)
        cur.close()

    return engine


def _sqlite_read_only_engine(path: Path) -> sa.Engine:
    engine = _sqlite_pool("sqlite://", [], creator=lambda: connect_read_only(path))

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def _sqlite_engine(path: Path) -> sa.Engine:
    engine = _sqlite_pool(
        f"sqlite:///{path}",
        ["PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=FULL"],
        connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
    )

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        options = conn.get_execution_options()
        if not options.get("coder_write", False):
            conn.exec_driver_sql("BEGIN")
            return
        wait = options.get("coder_wait")
        if wait is None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait * 1000)}")
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except sa.exc.OperationalError as exc:
            if busy(exc):
                raise StoreBusy(
                    _("{db}: another coder process is writing").format(db=path)
                ) from None
            raise
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")

    return engine
