"""Issue 17, crafted as a hostile or careless user would: backups over open projects, readers
behind long writers, keypresses that find the database busy, merging damaged, foreign,
older and read-only copies, and projects missing a table. Every failure is one line,
exit code 1, nothing half-written."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from coder.corpus.importer import import_documents
from coder.errors import StoreError
from coder.store import Store, queries
from coder.store.engine import WRITE_LOCK, StoreBusy
from coder.tui.app import WAITING, make_app
from tests.conftest import CODEBOOK, CORPUS, REPO
from tests.demo_key import segment_ids
from tests.invariants import check

# -- helpers ------------------------------------------------------------------------------------


def project(location: str, *, init: bool = True) -> str:
    if init:
        from coder.model.codebook import load_codebook

        Store.create(location, load_codebook(CODEBOOK)).close()
    with Store.open(location) as store:
        import_documents(store, [CORPUS])
    return location


def codings(db: str) -> list[tuple]:
    with Store.open(db, read_only=True) as store:
        return sorted(
            (r["case"], r["question"], r["code"], r["coder"]) for r in queries.iter_codings(store)
        )


def memo_texts(db: str) -> list[str]:
    with Store.open(db, read_only=True) as store, store.read() as conn:
        return sorted(conn.exec_driver_sql("SELECT text FROM memos").scalars())


def one_line_error(result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("coder: error: ")
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]


def fingerprint(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


class WriteLock:
    """Another process's writer holding the write lock (SQLite: BEGIN IMMEDIATE on a raw
    connection; PostgreSQL: the advisory lock every writer takes)."""

    def __init__(self, db: str):
        self.db = db
        if "://" in db:
            url = db.replace("postgresql://", "postgresql+psycopg://", 1)
            self.engine = sa.create_engine(url)
            self.conn = self.engine.connect()
            self.conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
        else:
            self.engine = None
            self.conn = sqlite3.connect(db, isolation_level=None)
            self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        if self.engine is not None:
            self.conn.rollback()
            self.conn.close()
            self.engine.dispose()
        else:
            self.conn.execute("ROLLBACK")
            self.conn.close()


# -- 1. backup never overwrites without --force, never an open project --------------------------


def test_backup_refuses_an_existing_file_and_with_force_keeps_it_beside(cli, backend_db, tmp_path):
    db = project(backend_db, init=False)
    other = project(str(tmp_path / "bo.db"))
    with Store.open(other) as store:
        store.toggle_code(segment_ids(store)[("Kalmar", 0)], "arbetssatt", "generell-ansats", "bo")
    bos_work = codings(other)
    before = fingerprint(Path(other))
    refused = cli("backup", "--db", db, "--out", other)
    one_line_error(refused, "bo.db", "already exists", "--force")
    assert fingerprint(Path(other)) == before
    done = cli("backup", "--db", db, "--out", other, "--force")
    assert done.exit_code == 0, done.output
    assert codings(other) == codings(db) == []
    kept = done.output.split("kept as ")[1].strip().rstrip(".")
    assert Path(kept).name.startswith("bo.db.replaced-")
    assert codings(kept) == bos_work
    check(other)
    check(kept)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".bo.db.")]  # no leftovers


def test_backup_force_refuses_a_project_open_in_a_coding_screen(cli, db, tmp_path):
    project(db, init=False)
    target = project(str(tmp_path / "bo.db"))
    with Store.open(target) as screen:  # bo's coding screen has the file open
        before = fingerprint(Path(target))
        result = cli("backup", "--db", db, "--out", target, "--force")
        one_line_error(result, "bo.db is open in another coder process", "close it first")
        assert fingerprint(Path(target)) == before
        assert not list(tmp_path.glob("bo.db.replaced-*"))
        # the screen's next keypress is saved in its own, intact file
        seg = segment_ids(screen)[("Kalmar", 0)]
        screen.toggle_code(seg, "arbetssatt", "generell-ansats", "bo")
    assert codings(target) == [("Kalmar", "arbetssatt", "generell-ansats", "bo")]
    check(target)
    # closed: now it may be replaced
    assert cli("backup", "--db", db, "--out", target, "--force").exit_code == 0


def test_a_project_being_replaced_cannot_be_opened_meanwhile(db):
    from coder.store import lock

    with lock.exclusive(db), pytest.raises(StoreError, match="being replaced"):
        Store.open(db)


def test_restore_force_refuses_a_project_open_elsewhere(cli, db, tmp_path):
    project(db, init=False)
    out = tmp_path / "b.db"
    assert cli("backup", "--db", db, "--out", out).exit_code == 0
    with Store.open(db):
        one_line_error(cli("restore", out, "--db", db, "--force"), "is open in another coder")
    assert cli("restore", out, "--db", db, "--force").exit_code == 0


def test_backup_to_bad_places_is_one_line_and_leaves_nothing(cli, db, tmp_path):
    one_line_error(cli("backup", "--db", db, "--out", tmp_path), "is a folder")
    one_line_error(cli("backup", "--db", db, "--out", tmp_path / "no" / "b.db"), "does not exist")
    one_line_error(cli("backup", "--db", db, "--out", db, "--force"), "is the project itself")
    assert check(db)
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        try:
            one_line_error(cli("backup", "--db", db, "--out", locked / "b.db"), "cannot write")
        finally:
            locked.chmod(0o755)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_backup_force_over_a_file_that_is_not_a_project_keeps_it_byte_for_byte(cli, db, tmp_path):
    notes = tmp_path / "notes.db"
    notes.write_bytes(b"my notes, not a database\n" * 10)
    done = cli("backup", "--db", db, "--out", notes, "--force")
    assert done.exit_code == 0, done.output
    kept = Path(done.output.split("kept as ")[1].strip().rstrip("."))
    assert kept.read_bytes() == b"my notes, not a database\n" * 10
    check(str(notes))


# -- 5. readers never wait, writers are bounded, keypresses retry --------------------------------


def test_a_reader_never_waits_for_a_writer(cli, backend_db):
    db = project(backend_db, init=False)
    writer = WriteLock(db)
    try:
        started = time.monotonic()
        for command in (["status"], ["export"], ["tally", "--format", "csv"], ["agreement"]):
            result = cli(*command, "--db", db)
            assert result.exit_code in (0, 1) and "locked" not in result.output, command
        with Store.open(db, read_only=True) as store:
            status = queries.status(store)
            assert status.segments == 57
            with pytest.raises(StoreError, match="read-only"):
                store.toggle_code(
                    segment_ids(store)[("Kalmar", 0)], "arbetssatt", "generell-ansats", "x"
                )
        # an up-to-date project opened for writing does not take the write lock either
        with Store.open(db) as store:
            assert queries.status(store).segments == 57
        assert time.monotonic() - started < 5
    finally:
        writer.release()


def test_a_bounded_write_gives_up_having_written_nothing(backend_db):
    db = project(backend_db, init=False)
    with Store.open(db) as store:
        seg = segment_ids(store)[("Kalmar", 0)]
        writer = WriteLock(db)
        try:
            started = time.monotonic()
            with store.waiting(0.3), pytest.raises(StoreBusy):
                store.toggle_code(seg, "arbetssatt", "generell-ansats", "anna")
            assert time.monotonic() - started < 5
        finally:
            writer.release()
        assert codings(db) == []
        with store.waiting(0.3):  # the same action again: done once
            store.toggle_code(seg, "arbetssatt", "generell-ansats", "anna")
    assert codings(db) == [("Kalmar", "arbetssatt", "generell-ansats", "anna")]
    check(db)


async def test_a_keypress_that_finds_the_database_busy_waits_and_retries(db):
    project(db, init=False)
    with Store.open(db) as store:
        app = make_app(store, "anna", retrain_every=0)
        async with app.run_test(size=(100, 30)) as pilot:
            writer = WriteLock(db)
            try:
                await pilot.press("1", "j", "3", "u", "2")
                await pilot.pause(0.3)
                assert WAITING in str(app.screen.query_one("#status").render())
                assert codings(db) == []  # nothing written yet, nothing lost
                assert app.is_running
            finally:
                writer.release()
            for _ in range(50):
                await pilot.pause(0.1)
                if not app.screen.waiting_for_lock and len(codings(db)) == 2:
                    break
            await pilot.pause(0.3)
            assert app.is_running
            # every key once, in the order typed: 1 on passage 1; j; 3 then undone; 2
            assert codings(db) == [
                ("Blekinge", "arbetssatt", "overgripande-ambition", "anna"),
                ("Blekinge", "arbetssatt", "strategiskt-ramverk", "anna"),
            ]
            assert WAITING not in str(app.screen.query_one("#status").render())
            assert "coded 2/57" in str(app.screen.query_one("#status").render())
    check(db)


# -- 7. merge reads the other copy read-only, checks it, keeps the codebook's rules --------------


def _single_to_multi(tmp_path: Path) -> Path:
    text = CODEBOOK.read_text(encoding="utf-8")
    head, sep, rest = text.partition("- id: arbetssatt")
    assert sep
    rest = rest.replace("mode: single", "mode: multi", 1)
    out = tmp_path / "multi.yaml"
    out.write_text(head + sep + rest, encoding="utf-8")
    return out


def _bo(cli, tmp_path: Path, codebook: Path = CODEBOOK) -> str:
    bo = str(tmp_path / "bo" / "coder.db")
    Path(bo).parent.mkdir()
    assert cli("init", "--codebook", codebook, "--db", bo).exit_code == 0
    assert cli("import", CORPUS, "--db", bo).exit_code == 0
    return bo


def test_merge_keeps_single_choice_and_leaves_conflicts_for_adjudication(cli, db, tmp_path):
    project(db, init=False)
    bo = _bo(cli, tmp_path, _single_to_multi(tmp_path))
    with Store.open(bo) as store:
        ids = segment_ids(store)
        store.toggle_code(ids[("Kalmar", 0)], "arbetssatt", "generell-ansats", "bo")
        store.toggle_code(ids[("Kalmar", 0)], "arbetssatt", "strategiskt-ramverk", "bo")
        store.toggle_code(ids[("Skåne", 0)], "arbetssatt", "generell-ansats", "bo")
    result = cli("merge", bo, "--db", db)
    assert result.exit_code == 0, result.output
    assert "takes several codes in the other copy" in result.output
    assert "1 codings break this codebook's rules" in result.output
    assert "Kalmar.md' passage 1, question 'arbetssatt', coder bo:" in result.output
    got = codings(db)
    assert got == [
        ("Kalmar", "arbetssatt", "generell-ansats", "bo"),
        ("Skåne", "arbetssatt", "generell-ansats", "bo"),
    ]
    memos = memo_texts(db)
    assert len(memos) == 1 and "Merge conflict" in memos[0] and "Strategiskt ramverk" in memos[0]
    check(db)
    again = cli("merge", bo, "--db", db)  # reported again, nothing doubled
    assert again.exit_code == 0 and "conflict:" in again.output
    assert codings(db) == got and len(memo_texts(db)) == 1


def test_the_same_coder_on_two_laptops_is_a_conflict_not_two_codes(cli, db, tmp_path):
    project(db, init=False)
    bo = _bo(cli, tmp_path)
    for path, code in ((db, "generell-ansats"), (bo, "strategiskt-ramverk")):
        with Store.open(path) as store:
            store.toggle_code(segment_ids(store)[("Kalmar", 0)], "arbetssatt", code, "anna")
    result = cli("merge", bo, "--db", db)
    assert result.exit_code == 0 and "conflict:" in result.output
    assert codings(db) == [("Kalmar", "arbetssatt", "generell-ansats", "anna")]
    check(db)


def test_merge_never_changes_the_other_file(cli, db, tmp_path):
    project(db, init=False)
    bo = _bo(cli, tmp_path)
    with Store.open(bo) as store:
        store.toggle_code(segment_ids(store)[("Kalmar", 0)], "arbetssatt", "generell-ansats", "bo")
    raw = sqlite3.connect(bo)  # a foreign copy: rollback journal, an older schema
    raw.executescript(
        "PRAGMA journal_mode=DELETE; DELETE FROM schema_migrations WHERE version = 6; "
        "DROP TABLE segment_embeddings; ALTER TABLE suggestions DROP COLUMN evidence;"
    )
    raw.close()
    time.sleep(0.01)
    before = fingerprint(Path(bo))
    files = sorted(p.name for p in Path(bo).parent.iterdir())
    result = cli("merge", bo, "--db", db)
    assert result.exit_code == 0, result.output
    assert codings(db) == [("Kalmar", "arbetssatt", "generell-ansats", "bo")]
    assert fingerprint(Path(bo)) == before
    assert sorted(p.name for p in Path(bo).parent.iterdir()) == files
    mode = sqlite3.connect(f"file:{bo}?mode=ro", uri=True).execute("PRAGMA journal_mode")
    assert mode.fetchone()[0] == "delete"


def test_a_byte_flipped_copy_is_refused_in_one_line(cli, db, tmp_path):
    project(db, init=False)
    bo = _bo(cli, tmp_path)
    with Store.open(bo) as store:
        store.toggle_code(segment_ids(store)[("Kalmar", 0)], "arbetssatt", "generell-ansats", "bo")
    raw = sqlite3.connect(bo)
    page_size = raw.execute("PRAGMA page_size").fetchone()[0]
    root = raw.execute(
        "SELECT rootpage FROM sqlite_master WHERE type = 'index'"
        " AND tbl_name IN ('segments', 'documents') ORDER BY tbl_name DESC, name LIMIT 1"
    ).fetchone()[0]
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    data = bytearray(Path(bo).read_bytes())
    offset = (root - 1) * page_size + page_size - 40  # inside the index's cells
    for i in range(8):
        data[offset + i] ^= 0xFF
    Path(bo).write_bytes(bytes(data))
    before = codings(db)
    result = cli("merge", bo, "--db", db)
    one_line_error(result, "coder.db", "nothing was merged")
    assert codings(db) == before
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 1000)
    one_line_error(cli("merge", junk, "--db", db), "junk.db", "nothing was merged")


def test_merge_from_a_postgresql_copy_reads_it_read_only(cli, pg_url, db):
    project(db, init=False)
    project(pg_url)
    with Store.open(pg_url) as store:
        ids = segment_ids(store)
        store.toggle_code(ids[("Kalmar", 0)], "arbetssatt", "generell-ansats", "bo")
    writer = WriteLock(pg_url)  # a coder writing there does not hold the merge up
    try:
        result = cli("merge", pg_url, "--db", db)
    finally:
        writer.release()
    assert result.exit_code == 0, result.output
    assert codings(db) == [("Kalmar", "arbetssatt", "generell-ansats", "bo")]


# -- 9. read-only media, older schemas, missing tables -------------------------------------------


def _read_only(folder: Path, *command: str) -> subprocess.CompletedProcess:
    """Run ``coder COMMAND`` with ``folder`` read-only: chmod for an ordinary user; for root
    (whom chmod does not stop) a read-only bind mount in a private mount namespace."""
    coder = [sys.executable, "-c", "from coder.cli import app; app()", *command]
    if os.geteuid() != 0:
        for p in [folder, *folder.iterdir()]:
            p.chmod(p.stat().st_mode & 0o555)
        try:
            return subprocess.run(coder, capture_output=True, text=True, cwd=REPO, timeout=120)
        finally:
            for p in [folder, *folder.iterdir()]:
                p.chmod(p.stat().st_mode | 0o200)
    if not shutil.which("unshare"):
        pytest.skip("no unshare(1) to mount a folder read-only")
    script = (
        'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" && touch "$0/probe" 2>/dev/null'
        ' && exit 99; exec "$@"'
    )
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, str(folder), *coder],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    if done.returncode == 99 or "mount:" in done.stderr:
        pytest.skip(f"cannot mount a folder read-only here: {done.stderr.strip()}")
    return done


def test_a_project_on_read_only_media_can_be_read_and_merged_from(cli, db, tmp_path):
    project(db, init=False)
    bo = _bo(cli, tmp_path)
    with Store.open(bo) as store:
        store.toggle_code(segment_ids(store)[("Kalmar", 0)], "arbetssatt", "generell-ansats", "bo")
    folder = Path(bo).parent
    for extra in folder.glob("coder.db-*"):
        extra.unlink()  # as copied onto a stick: the project file alone
    with Store.open(bo, read_only=True) as store:  # a backup on the same stick
        from coder.store.backup import backup

        backup(store, folder / "stick-backup.db")
    before = fingerprint(Path(bo))
    status = _read_only(folder, "status", "--db", bo)
    assert status.returncode == 0, status.stderr
    assert "57 segments" in status.stdout
    export = _read_only(folder, "export", "--what", "codings", "--db", bo)
    assert export.returncode == 0, export.stderr
    assert "generell-ansats" in export.stdout
    backup = _read_only(folder, "backup", "--db", bo, "--out", str(tmp_path / "b.db"))
    assert backup.returncode == 0, backup.stderr
    merged = _read_only(folder, "merge", bo, "--db", db)
    assert merged.returncode == 0, merged.stderr
    assert codings(db) == [("Kalmar", "arbetssatt", "generell-ansats", "bo")]
    restored = _read_only(
        folder, "restore", str(folder / "stick-backup.db"), "--db", str(tmp_path / "r.db")
    )
    assert restored.returncode == 0, restored.stderr
    assert codings(str(tmp_path / "r.db")) == [("Kalmar", "arbetssatt", "generell-ansats", "bo")]
    writing = _read_only(folder, "import", str(CORPUS), "--db", bo)
    assert writing.returncode == 1
    assert writing.stderr.count("\n") == 1 and "read-only" in writing.stderr
    assert "Traceback" not in writing.stderr
    assert fingerprint(Path(bo)) == before


def test_an_older_project_is_read_through_a_migrated_copy_left_as_it_was(db):
    project(db, init=False)
    raw = sqlite3.connect(db)
    raw.executescript(
        "DELETE FROM schema_migrations WHERE version = 6; DROP TABLE segment_embeddings; "
        "ALTER TABLE suggestions DROP COLUMN evidence; PRAGMA wal_checkpoint(TRUNCATE);"
    )
    raw.close()
    before = fingerprint(Path(db))
    with Store.open(db, read_only=True) as store:
        assert queries.status(store).segments == 57
    assert fingerprint(Path(db)) == before
    with Store.open(db) as store, store.read() as conn:  # a writer upgrades it
        assert 6 in set(conn.exec_driver_sql("SELECT version FROM schema_migrations").scalars())


def test_an_older_postgresql_project_opened_read_only_is_one_line(pg_url):
    project(pg_url)
    engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM schema_migrations WHERE version = 6")
    engine.dispose()
    with pytest.raises(StoreError, match="older than this coder"):
        Store.open(pg_url, read_only=True)


def test_a_project_missing_a_table_is_one_line(cli, backend_db, tmp_path):
    db = project(backend_db, init=False)
    out = tmp_path / "backup.db"
    assert cli("backup", "--db", db, "--out", out).exit_code == 0
    if "://" in db:
        engine = sa.create_engine(db.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE memos")
        engine.dispose()
    else:
        raw = sqlite3.connect(db)
        raw.execute("DROP TABLE memos")
        raw.close()
    one_line_error(cli("status", "--db", db), "table 'memos' is missing")
    one_line_error(cli("export", "--db", db), "table 'memos' is missing")
    # a backup that lacks a table is refused before it replaces anything
    raw = sqlite3.connect(out)
    raw.execute("DROP TABLE memos")
    raw.close()
    target = tmp_path / "restored.db"
    one_line_error(cli("restore", out, "--db", target), "not a coder backup", "memos")
    assert not target.exists()
