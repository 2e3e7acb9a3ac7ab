"""The project store: the one API the rest of coder uses to read and write a project.

Nothing outside ``coder.store`` writes SQL. Each public method that changes the
project runs in one transaction (one user action = one transaction); importers
that must be all-or-nothing take a connection from ``write()`` and pass it to
the ``*_in`` helpers.
"""

from __future__ import annotations

import getpass
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from coder.errors import StoreError
from coder.model.codebook import NOT_APPLICABLE, Codebook, parse_codebook
from coder.store import codings as coding_ops
from coder.store import lock as project_lock
from coder.store import schema as t
from coder.store.engine import (
    BUSY_TIMEOUT_S,
    StoreBusy,
    busy,
    copy_sqlite,
    describe,
    is_url,
    make_engine,
    read_only_medium,
)
from coder.store.migrations import applied_versions, migrate, pending

DEFAULT_DB = "coder.db"
WRITE_ATTEMPTS = 3


def default_db() -> str:
    return os.environ.get("CODER_DB") or DEFAULT_DB


def default_coder() -> str:
    try:
        return getpass.getuser() or "coder"
    except (KeyError, OSError):
        return "coder"


@dataclass(frozen=True)
class Span:
    """A segment to be stored: offsets into its document's text (half-open)."""

    start: int
    end: int
    text: str
    external_id: str | None = None


@dataclass
class NewDocument:
    case_id: int
    name: str
    fmt: str
    text: str
    sha256: str
    spans: list[Span]
    meta: dict[str, Any] = field(default_factory=dict)


class Store:
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
        self.db = db
        self.engine = engine
        self.read_only = read_only
        self._codebook: Codebook | None = None
        self._lock: project_lock.SharedLock | None = None
        self._scratch: str | None = None  # a migrated temporary copy read instead of db
        self._read_only_medium = False
        self._wait = threading.local()

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        db: str,
        codebook: Codebook,
        fill: Callable[[Store, sa.Connection], None] | None = None,
    ) -> Store:
        """Create a new project with ``codebook``; refuse to touch an existing project.

        ``fill`` may write the project's first content in the same transaction (a project
        imported from another program): if it fails, no project is left behind."""
        if not is_url(db):
            path = Path(db)
            if path.exists() and path.stat().st_size > 0:
                raise StoreError(f"{db}: already exists; choose another --db or remove it")
            if not path.parent.exists():
                raise StoreError(f"{db}: folder {path.parent} does not exist")
        store = cls(db, make_engine(db))
        try:
            if not is_url(db):
                store._lock = project_lock.hold_shared(db)
            with store.write() as conn:
                if applied_versions(conn):
                    raise StoreError(f"{describe(db)}: already holds a coder project")
                migrate(conn)
                conn.execute(
                    t.project.insert(),
                    [
                        {"key": "codebook_id", "value": codebook.id},
                        {"key": "created_at", "value": coding_ops.now()},
                    ],
                )
                store._install_codebook(conn, codebook)
                if fill is not None:
                    fill(store, conn)
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
                raise StoreError(f"{db}: is a folder, not a project file")
            if not path.is_file():
                raise StoreError(
                    f"{db}: no project here; create one with `coder init --codebook FILE --db {db}`"
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
                    raise StoreError(f"{describe(db)}: not a coder project")
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
                raise StoreError(
                    f"{describe(db)}: damaged project: table '{missing[0]}' is missing"
                    + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
                    + "; restore another backup"
                )
        except sa.exc.DatabaseError as exc:
            store.close()
            raise StoreError(
                f"{describe(db)}: not a readable project database ({_reason(exc)})"
            ) from None
        except BaseException:
            store.close()
            raise
        return store

    def _read_migrated_copy(self) -> None:
        """Read an older SQLite project through a migrated copy in a temporary folder."""
        if is_url(self.db):
            raise StoreError(
                f"{describe(self.db)}: the project's schema is older than this coder's; "
                "upgrade it once with a command that writes (e.g. `coder code` or `coder import`)"
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

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """One write transaction: committed on success, rolled back on any error.

        Writers queue for the write lock (SQLite: BEGIN IMMEDIATE with a busy timeout;
        PostgreSQL: an advisory lock). Should SQLite still answer "database is locked"
        when the transaction starts (nothing has been written yet), it is tried again.
        Within ``waiting(seconds)`` the wait is bounded instead and ends in ``StoreBusy``."""
        if self.read_only:
            if self._read_only_medium:
                raise StoreError(
                    f"{self.db}: cannot write here: the file and its folder are read-only "
                    "(copy the project somewhere writable)"
                )
            raise StoreError(f"{describe(self.db)}: opened read-only; this command cannot write")
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
                if wait is not None:
                    raise StoreBusy(
                        f"{describe(self.db)}: another coder process is writing"
                    ) from None
                if attempt == WRITE_ATTEMPTS:
                    raise StoreError(
                        f"{describe(self.db)}: the project stayed locked by another writer "
                        f"for {WRITE_ATTEMPTS} x {BUSY_TIMEOUT_S} s; try again"
                    ) from None
                time.sleep(0.05 * attempt)
                continue
            with conn, transaction:
                yield conn
            return

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
                    dict(
                        question_id=question.id,
                        code_id=c.id,
                        label=c.label,
                        position=i,
                        active=True,
                    )
                    for i, c in enumerate(question.codes)
                ],
            )

    def codebook(self) -> Codebook:
        if self._codebook is None:
            with self.read() as conn:
                source = conn.execute(
                    sa.select(t.codebook_versions.c.source)
                    .order_by(t.codebook_versions.c.id.desc())
                    .limit(1)
                ).scalar_one()
            self._codebook = parse_codebook(source, source_name=f"{describe(self.db)} (codebook)")
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

    # -- corpus (inside a caller's write transaction) -----------------------------------------
    def case_in(
        self, conn: sa.Connection, name: str, attributes: dict[str, Any] | None = None
    ) -> int:
        """The id of case ``name``, created if new; ``attributes`` are merged in."""
        row = conn.execute(
            sa.select(t.cases.c.id, t.cases.c.attributes).where(t.cases.c.name == name)
        ).one_or_none()
        if row is None:
            return conn.execute(
                t.cases.insert()
                .values(name=name, attributes=dict(attributes or {}))
                .returning(t.cases.c.id)
            ).scalar_one()
        if attributes:
            merged = {**(row.attributes or {}), **attributes}
            if merged != row.attributes:
                conn.execute(
                    t.cases.update().where(t.cases.c.id == row.id).values(attributes=merged)
                )
        return row.id

    def case_count_in(self, conn: sa.Connection) -> int:
        return conn.execute(sa.select(sa.func.count()).select_from(t.cases)).scalar_one()

    def coder_in(self, conn: sa.Connection, name: str) -> int:
        found = conn.execute(sa.select(t.coders.c.id).where(t.coders.c.name == name)).scalar()
        if found is not None:
            return found
        return conn.execute(
            t.coders.insert().values(name=name).returning(t.coders.c.id)
        ).scalar_one()

    def document_in(self, conn: sa.Connection, name: str) -> sa.Row | None:
        return self.documents_by_name_in(conn, [name]).get(name)

    def documents_by_name_in(self, conn: sa.Connection, names: list[str]) -> dict[str, sa.Row]:
        d = t.documents.c
        found: dict[str, sa.Row] = {}
        for chunk in _chunks(names):
            for row in conn.execute(
                sa.select(d.id, d.name, d.sha256, d.case_id).where(d.name.in_(chunk))
            ):
                found[row.name] = row
        return found

    def document_with_text_in(self, conn: sa.Connection, case_id: int, sha256: str) -> str | None:
        """The name of a document of this case with exactly this text, if any."""
        d = t.documents.c
        return conn.execute(
            sa.select(d.name).where(d.case_id == case_id, d.sha256 == sha256).limit(1)
        ).scalar()

    def first_segments_in(self, conn: sa.Connection, document_ids: list[int]) -> dict[int, int]:
        """document id -> id of its first segment (for one-passage documents such as table rows)."""
        s = t.segments.c
        found: dict[int, int] = {}
        for chunk in _chunks(document_ids):
            for row in conn.execute(
                sa.select(s.document_id, s.id).where(s.document_id.in_(chunk), s.position == 0)
            ):
                found[row.document_id] = row.id
        return found

    def codes_in(
        self, conn: sa.Connection, segment_ids: list[int], question_id: str, coder_id: int
    ) -> dict[int, set[str]]:
        """segment id -> the coder's current codes for the question (absent when none)."""
        c = t.codings.c
        found: dict[int, set[str]] = {}
        for chunk in _chunks(segment_ids):
            for row in conn.execute(
                sa.select(c.segment_id, c.code_id).where(
                    c.segment_id.in_(chunk), c.question_id == question_id, c.coder_id == coder_id
                )
            ):
                found.setdefault(row.segment_id, set()).add(row.code_id)
        return found

    def add_documents_in(self, conn: sa.Connection, docs: list[NewDocument]) -> list[list[int]]:
        """Store documents and their segments in bulk; return each one's new segment ids."""
        if not docs:
            return []
        time = coding_ops.now()
        doc_ids = (
            conn.execute(
                t.documents.insert().returning(t.documents.c.id, sort_by_parameter_order=True),
                [
                    dict(
                        case_id=d.case_id,
                        name=d.name,
                        format=d.fmt,
                        sha256=d.sha256,
                        text=d.text,
                        meta=dict(d.meta),
                        imported_at=time,
                    )
                    for d in docs
                ],
            )
            .scalars()
            .all()
        )
        rows = [
            dict(
                document_id=doc_id,
                position=i,
                start_char=s.start,
                end_char=s.end,
                text=s.text,
                external_id=s.external_id,
            )
            for doc_id, d in zip(doc_ids, docs, strict=True)
            for i, s in enumerate(d.spans)
        ]
        seg_ids = iter(
            conn.execute(
                t.segments.insert().returning(t.segments.c.id, sort_by_parameter_order=True), rows
            )
            .scalars()
            .all()
            if rows
            else []
        )
        return [[next(seg_ids) for _ in d.spans] for d in docs]

    def segments_by_external_id_in(self, conn: sa.Connection, ids: list[str]) -> dict[str, sa.Row]:
        s = t.segments.c
        found: dict[str, sa.Row] = {}
        for chunk in _chunks(ids):
            for row in conn.execute(
                sa.select(s.id, s.external_id, s.text).where(s.external_id.in_(chunk))
            ):
                found[row.external_id] = row
        return found

    def record_in(
        self, conn: sa.Connection, coder_id: int, kind: str, changes: list[coding_ops.Change]
    ) -> int | None:
        return coding_ops.record(conn, coder_id, kind, changes)

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
        with self.write() as conn:
            coder_id = self.coder_in(conn, coder)
            present = coding_ops.current_codes(conn, segment_id, question_id, coder_id)
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
            return coding_ops.record(conn, coder_id, "code", changes)

    def set_codes(
        self, segment_id: int, question_id: str, code_ids: list[str], coder: str
    ) -> int | None:
        """Make a coder's codes on a passage exactly ``code_ids`` (one undoable action);
        ``["n/a"]`` marks the passage not applicable to the question."""
        question = self.codebook().question(question_id)
        for code_id in code_ids:
            coding_ops.known_code(question, code_id)  # raises KeyError for an unknown code
        if question.mode == "single" and len(code_ids) > 1:
            raise StoreError(f"question '{question_id}' takes one code, got {len(code_ids)}")
        if NOT_APPLICABLE in code_ids and len(set(code_ids)) > 1:
            raise StoreError(f"'{NOT_APPLICABLE}' (not applicable) cannot be combined with codes")
        with self.write() as conn:
            coder_id = self.coder_in(conn, coder)
            present = coding_ops.current_codes(conn, segment_id, question_id, coder_id)
            changes = coding_ops.changes_to_set(
                present, question, segment_id, code_ids, replace=True
            )
            return coding_ops.record(conn, coder_id, "code", changes)

    def undo(self, coder: str) -> int | None:
        with self.write() as conn:
            return coding_ops.undo(conn, self.coder_in(conn, coder))

    def add_memo(self, segment_id: int, coder: str, text: str) -> None:
        with self.write() as conn:
            self.add_memo_in(conn, segment_id, self.coder_in(conn, coder), text)

    def add_memo_in(
        self,
        conn: sa.Connection,
        segment_id: int,
        coder_id: int,
        text: str,
        time: str | None = None,
    ) -> None:
        conn.execute(
            t.memos.insert().values(
                segment_id=segment_id,
                coder_id=coder_id,
                text=text,
                time=time or coding_ops.now(),
                uid=str(uuid.uuid4()),
            )
        )

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
                for chunk in _chunks(segment_ids):
                    conn.execute(
                        t.suggestions.delete().where(
                            g.question_id == question_id, g.segment_id.in_(chunk)
                        )
                    )
            time = coding_ops.now()
            for batch in rows if batched else [rows]:
                batch = [(*row, None)[:5] for row in batch]  # evidence is optional
                unknown = {row[1] for row in batch} - known
                if unknown:
                    raise StoreError(
                        f"suggestion for unknown code '{sorted(unknown)[0]}' "
                        f"of question '{question_id}'"
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
        _, digest = self.codebook_version()
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
            return conn.execute(
                sa.select(
                    m.id,
                    m.question_id,
                    m.codebook_digest,
                    m.created_at,
                    m.n_train,
                    m.cold_start,
                    m.metrics,
                ).order_by(m.created_at.desc())
            ).all()

    def rebuild_current_codings(self) -> int:
        with self.write() as conn:
            return coding_ops.rebuild_current_codings(conn)


def _reason(exc: sa.exc.DatabaseError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)


def _insert_many(conn: sa.Connection, table: sa.Table, rows: list[tuple]) -> None:
    """Insert rows (values in the table's column order) with one driver executemany.

    For hundreds of thousands of rows SQLAlchemy's per-row parameter processing costs more
    than the database's own work (``benchmarks/suggest_speed.py``), so the compiled INSERT
    goes straight to the driver, with positional or named parameters as the driver wants.
    """
    names = [c.name for c in table.columns]
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=names)
    if compiled.positional:
        order = [names.index(key) for key in compiled.positiontup]
        if order != list(range(len(names))):
            rows = [tuple(row[i] for i in order) for row in rows]
        conn.exec_driver_sql(str(compiled), rows)
    else:
        conn.exec_driver_sql(str(compiled), [dict(zip(names, row, strict=True)) for row in rows])


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
