"""A store's transactions and its codebook: the connection the store owns.

``batch()`` is the unit of work the rest of coder writes through (``coder.store.batch``);
``write()`` and ``read()`` hand out the raw connection to the store's own modules and to
the query helpers that still run their own SQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from coder.errors import StoreError
from coder.i18n import _
from coder.model.codebook import Codebook, parse_codebook
from coder.store import codings as coding_ops
from coder.store import schema as t
from coder.store.batch import Batch
from coder.store.engine import BUSY_TIMEOUT_S, StoreBusy, busy, describe

WRITE_ATTEMPTS = 3


class WriteFailed(StoreError):
    """The database refused a write (a full disk, say); the batch's transaction was rolled
    back. The message is the cause in a few words (``database or disk is full``)."""


class ConnectedStore:
    """An engine, the transactions on it, and the codebook it holds."""

    def __init__(self, db: str, engine: sa.Engine, *, read_only: bool = False):
        self.db = db
        self.engine = engine
        self.read_only = read_only
        self._codebook: Codebook | None = None
        self._read_only_medium = False
        self._wait = threading.local()

    @contextmanager
    def waiting(self, seconds: float) -> Iterator[None]:
        """Within this block (in this thread), a write waits at most ``seconds`` for the
        write lock and then raises ``StoreBusy`` having written nothing (the coding screen
        retries the keypress rather than freezing or failing)."""
        before = getattr(self._wait, "seconds", None)
        self._wait.seconds = seconds
        try:
            yield
        finally:
            self._wait.seconds = before

    @contextmanager
    def batch(self, *, write: bool = True) -> Iterator[Batch]:
        """One unit of work: ``with store.batch() as b: b.add_documents(...)``.

        Committed on success, rolled back on any error; a write the database refuses ends
        in ``WriteFailed``. ``write=False``: a read transaction (no write lock taken)."""
        if not write:
            with self.read() as conn:
                yield Batch(conn, write=False)
            return
        with self.write() as conn:
            yield Batch(conn, write=True)

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """One write transaction: committed on success, rolled back on any error.

        Writers queue for the write lock (SQLite: BEGIN IMMEDIATE with a busy timeout;
        PostgreSQL: an advisory lock). Should SQLite still answer "database is locked"
        when the transaction starts (nothing has been written yet), it is tried again.
        Within ``waiting(seconds)`` the wait is bounded instead and ends in ``StoreBusy``.
        A write the database refuses (a full disk, a read-only file) ends in ``WriteFailed``."""
        self._refuse_if_read_only()
        with refused_as_write_failed(self.db):
            yield from self._transaction()

    def _transaction(self) -> Iterator[sa.Connection]:
        wait = getattr(self._wait, "seconds", None)
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            conn = self.engine.connect().execution_options(coder_write=True, coder_wait=wait)
            try:
                transaction = conn.begin()
            except StoreBusy:
                conn.invalidate()
                conn.close()
                raise
            except sa.exc.OperationalError as exc:
                conn.invalidate()
                conn.close()
                if not busy(exc):
                    raise
                self._still_busy(wait, attempt)
                time.sleep(0.05 * attempt)
                continue
            with conn, transaction:
                yield conn
            return

    def _refuse_if_read_only(self) -> None:
        if not self.read_only:
            return
        if self._read_only_medium:
            raise StoreError(
                _(
                    "{db}: cannot write here: the file and its folder are read-only "
                    "(copy the project somewhere writable)"
                ).format(db=self.db)
            )
        raise StoreError(
            _("{db}: opened read-only; this command cannot write").format(db=describe(self.db))
        )

    def _still_busy(self, wait: float | None, attempt: int) -> None:
        """Give up on a write lock SQLite still refuses (else it is tried again)."""
        if wait is not None:
            raise StoreBusy(
                _("{db}: another coder process is writing").format(db=describe(self.db))
            ) from None
        if attempt == WRITE_ATTEMPTS:
            raise StoreError(
                _(
                    "{db}: the project stayed locked by another writer for {attempts} x "
                    "{seconds} s; try again"
                ).format(db=describe(self.db), attempts=WRITE_ATTEMPTS, seconds=BUSY_TIMEOUT_S)
            ) from None

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # -- codebook --------------------------------------------------------------------------
    def _install_codebook(self, conn: sa.Connection, codebook: Codebook) -> None:
        conn.execute(
            t.codebook_versions.insert().values(
                codebook_id=codebook.id,
                digest=codebook.digest,
                source=codebook.source,
                loaded_at=coding_ops.now(),
            )
        )
        for qpos, question in enumerate(codebook.questions):
            conn.execute(
                t.questions.insert().values(
                    id=question.id, title=question.title, mode=question.mode, position=qpos
                )
            )
            conn.execute(
                t.codes.insert(),
                [
                    dict(question_id=question.id, code_id=c.id, label=c.label, position=i,
                         active=True)
                    for i, c in enumerate(question.codes)
                ],
            )  # fmt: skip

    def codebook(self) -> Codebook:
        if self._codebook is None:
            with self.read() as conn:
                source = conn.execute(
                    sa.select(t.codebook_versions.c.source)
                    .order_by(t.codebook_versions.c.id.desc())
                    .limit(1)
                ).scalar_one()
            where = _("{db} (codebook)").format(db=describe(self.db))
            self._codebook = parse_codebook(source, source_name=where)
        return self._codebook

    def reload_codebook(self) -> Codebook:
        """Forget the cached codebook (a new version was installed) and read it again."""
        self._codebook = None
        return self.codebook()

    def codebook_version(self) -> tuple[int, str]:
        with self.read() as conn:
            row = conn.execute(
                sa.select(t.codebook_versions.c.id, t.codebook_versions.c.digest)
                .order_by(t.codebook_versions.c.id.desc())
                .limit(1)
            ).one()
        return row.id, row.digest


@contextmanager
def refused_as_write_failed(db: str) -> Iterator[None]:
    """A write the database refuses (full disk, a read-only file, a broken constraint) as
    ``WriteFailed``: one line naming the project instead of a driver's traceback."""
    try:
        yield
    except sa.exc.DBAPIError as exc:
        raise WriteFailed(f"{describe(db)}: {_cause(exc)}") from exc


def _cause(exc: sa.exc.DBAPIError) -> str:
    """A database or OS failure in a few words (``database or disk is full``)."""
    orig = exc.orig or exc
    text = getattr(orig, "strerror", None) or str(orig)
    return " ".join(str(text).split()) or type(orig).__name__
