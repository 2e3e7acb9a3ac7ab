"""Connecting to a project database: an SQLite file path or a database URL.

SQLite runs in WAL mode with foreign keys on and a generous busy timeout. Write
transactions start with ``BEGIN IMMEDIATE`` so that two writers queue up instead
of failing half-way when one of them upgrades its lock.

PostgreSQL write transactions first take one transaction-scoped advisory lock, so
writers queue up there exactly as they do on SQLite: a coding, an import and a
merge never interleave, and the same code (read, decide, write) is correct on both
back ends without retrying on serialization or unique-key conflicts. Readers never wait.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

BUSY_TIMEOUT_S = 30
WRITE_LOCK = 0x0C0DE5  # the advisory lock key every PostgreSQL write transaction takes


def is_url(db: str) -> bool:
    return "://" in db


def describe(db: str) -> str:
    """The database as shown to users (a URL without its password)."""
    if is_url(db):
        return sa.engine.make_url(db).render_as_string(hide_password=True)
    return db


def make_engine(db: str) -> sa.Engine:
    if is_url(db):
        url = sa.engine.make_url(db)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        if url.drivername.startswith("postgresql"):
            return _postgresql_engine(url, db)
        return sa.create_engine(url)
    return _sqlite_engine(Path(db))


def _postgresql_engine(url: sa.URL, db: str) -> sa.Engine:
    try:
        engine = sa.create_engine(url, pool_size=2, max_overflow=4, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        from coder.errors import StoreError

        raise StoreError(
            f"{describe(db)}: the PostgreSQL driver ({exc.name}) is not installed; install "
            "coder's 'postgres' extra (pip install '.[postgres]') or: pip install 'psycopg[binary]'"
        ) from None

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        if conn.get_execution_options().get("coder_write", False):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")

    return engine


def _sqlite_engine(path: Path) -> sa.Engine:
    # A small pool: the coding screen reads a few rows per keypress, and opening a
    # connection (with its pragmas) per read would cost more than the reads.
    engine = sa.create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
        poolclass=sa.pool.QueuePool,
        pool_size=2,
        max_overflow=4,
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001 - DBAPI objects
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get("coder_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
