"""The project store: WAL, migrations, the coding event log, undo and the derived state."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from coder.corpus.importer import import_documents
from coder.errors import StoreError
from coder.model.codebook import load_codebook
from coder.store import Store
from coder.store import schema as t
from coder.store.migrations import LATEST
from tests.conftest import CODEBOOK, CORPUS


@pytest.fixture
def store(backend_db):
    """The store tests run on SQLite and on PostgreSQL (see conftest)."""
    with Store.open(backend_db) as opened:
        yield opened


@pytest.fixture
def seg(store) -> int:
    import_documents(store, [CORPUS / "Kronoberg.md"])
    with store.read() as conn:
        return conn.execute(sa.select(sa.func.min(t.segments.c.id))).scalar_one()


def events(store) -> list[tuple]:
    e = t.coding_events.c
    with store.read() as conn:
        return [tuple(r) for r in conn.execute(sa.select(e.code_id, e.event).order_by(e.id))]


def test_project_is_sqlite_in_wal_mode_with_recorded_migrations(db):
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    assert versions == list(range(1, LATEST + 1))
    conn.close()


def test_init_refuses_an_existing_project(db):
    with pytest.raises(StoreError, match="already exists"):
        Store.create(db, load_codebook(CODEBOOK))


def test_open_refuses_missing_and_foreign_files(tmp_path):
    with pytest.raises(StoreError, match="no project here"):
        Store.open(str(tmp_path / "missing.db"))
    assert not (tmp_path / "missing.db").exists()
    foreign = tmp_path / "other.db"
    sqlite3.connect(foreign).execute("CREATE TABLE x (a)").connection.commit()
    with pytest.raises(StoreError, match="not a coder project"):
        Store.open(str(foreign))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a readable project database"):
        Store.open(str(junk))


def test_single_question_code_replaces_the_previous_one(store, seg):
    store.toggle_code(seg, "arbetssatt", "generell-ansats", "anna")
    store.toggle_code(seg, "arbetssatt", "strategiskt-ramverk", "anna")
    assert store.codes_of(seg, "arbetssatt", "anna") == {"strategiskt-ramverk"}
    assert events(store) == [
        ("generell-ansats", "added"),
        ("generell-ansats", "removed"),
        ("strategiskt-ramverk", "added"),
    ]


def test_multi_question_toggles_codes_independently(store, seg):
    store.toggle_code(seg, "insatser", "konferenser", "anna")
    store.toggle_code(seg, "insatser", "uppfoljning-rus", "anna")
    store.toggle_code(seg, "insatser", "konferenser", "anna")
    assert store.codes_of(seg, "insatser", "anna") == {"uppfoljning-rus"}


def test_coders_have_their_own_codes(store, seg):
    store.toggle_code(seg, "arbetssatt", "generell-ansats", "anna")
    store.toggle_code(seg, "arbetssatt", "strategiskt-ramverk", "bo")
    assert store.codes_of(seg, "arbetssatt", "anna") == {"generell-ansats"}
    assert store.codes_of(seg, "arbetssatt", "bo") == {"strategiskt-ramverk"}


def test_undo_restores_previous_single_code_exactly(store, seg):
    store.toggle_code(seg, "arbetssatt", "generell-ansats", "anna")
    store.toggle_code(seg, "arbetssatt", "strategiskt-ramverk", "anna")
    store.toggle_code(seg, "arbetssatt", "generell-ansats", "bo")
    store.undo("anna")
    assert store.codes_of(seg, "arbetssatt", "anna") == {"generell-ansats"}
    assert store.codes_of(seg, "arbetssatt", "bo") == {"generell-ansats"}
    store.undo("anna")
    assert store.codes_of(seg, "arbetssatt", "anna") == set()
    assert store.undo("anna") is None
    # the log only grows: 3 + 1 events by anna and bo, then 2 + 1 inverse events
    assert len(events(store)) == 7


def test_current_state_equals_a_replay_of_the_log(store, seg):
    for code in ("konferenser", "uppfoljning-rus", "konferenser", "lansgemensamma"):
        store.toggle_code(seg, "insatser", code, "anna")
    store.toggle_code(seg + 1, "arbetssatt", "generell-ansats", "bo")
    store.undo("anna")
    with store.read() as conn:
        before = sorted(tuple(r) for r in conn.execute(sa.select(t.codings)))
    store.rebuild_current_codings()
    with store.read() as conn:
        after = sorted(tuple(r) for r in conn.execute(sa.select(t.codings)))
    assert before == after
    assert store.codes_of(seg, "insatser", "anna") == {"uppfoljning-rus"}


def test_unknown_code_is_refused_before_writing(store, seg):
    with pytest.raises(KeyError):
        store.toggle_code(seg, "arbetssatt", "nope", "anna")
    assert events(store) == []


def test_memos_are_kept(store, seg):
    store.add_memo(seg, "anna", "Otydligt: plan eller ambition?")
    with store.read() as conn:
        assert (
            conn.execute(sa.select(t.memos.c.text)).scalar_one() == "Otydligt: plan eller ambition?"
        )


def test_status_counts_coded_share(cli, backend_db):
    db = backend_db
    cli("import", CORPUS, "--db", db)
    with Store.open(db) as store:
        store.toggle_code(1, "arbetssatt", "generell-ansats", "anna")
    result = cli("status", "--db", db)
    assert result.exit_code == 0
    assert "14 cases, 14 documents" in result.stdout
    assert "anna" in result.stdout
    assert "arbetssatt" in result.stdout and "1 /" in result.stdout


def test_commands_without_a_project_say_how_to_make_one(cli, tmp_path):
    result = cli("status", "--db", tmp_path / "none.db")
    assert result.exit_code == 1
    assert "coder init" in result.stderr


def test_coder_db_environment_variable_selects_the_project(cli, db):
    result = cli("status", env={"CODER_DB": db})
    assert result.exit_code == 0, result.output
    assert db in result.stdout


KILLER = """
import sys
from coder.store import Store
store = Store.open(sys.argv[1])
store.toggle_code(int(sys.argv[2]), "arbetssatt", "generell-ansats", "anna")
print("coded", flush=True)
import time
time.sleep(60)
"""


def test_a_coding_survives_kill_9_right_after_the_keypress(store, seg, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    script = tmp_path / "code_then_hang.py"
    script.write_text(KILLER, "utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), store.db, str(seg)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=str(CORPUS.parent),
    )
    assert proc.stdout.readline().strip() == "coded"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Store.open(store.db) as reopened:
        assert reopened.codes_of(seg, "arbetssatt", "anna") == {"generell-ansats"}


def test_coding_screen_needs_a_terminal(cli, db):
    result = cli("code", "--db", db)
    assert result.exit_code == 1
    assert "needs a terminal" in result.stderr


def test_migration_4_rebuilds_old_suggestions_keeping_them(db):
    """A project whose suggestions table has the step-2 form of the first version (rowid,
    segment-first key, a (question, code, score) index) is rebuilt on open, rows kept."""
    with Store.open(db) as store:
        import_documents(store, [CORPUS / "Kronoberg.md"])
    raw = sqlite3.connect(db)
    raw.executescript(
        """
        DROP TABLE suggestions;
        CREATE TABLE suggestions (
            segment_id INTEGER NOT NULL REFERENCES segments (id),
            question_id VARCHAR(200) NOT NULL, code_id VARCHAR(200) NOT NULL,
            score FLOAT NOT NULL, rank INTEGER NOT NULL, model_id VARCHAR(100) NOT NULL,
            created_at VARCHAR(40) NOT NULL,
            PRIMARY KEY (segment_id, question_id, code_id));
        CREATE INDEX ix_suggestions_question_code ON suggestions (question_id, code_id, score);
        INSERT INTO suggestions VALUES (1, 'arbetssatt', 'generell-ansats', 0.7, 1, 'm', 't');
        DELETE FROM schema_migrations WHERE version = 4;
        """
    )
    raw.commit()
    raw.close()
    with Store.open(db) as store, store.read() as conn:
        rows = conn.execute(sa.select(t.suggestions)).all()
        indexes = sa.inspect(conn).get_indexes("suggestions")
        versions = conn.execute(sa.select(t.schema_migrations.c.version)).scalars().all()
    kept = (1, "arbetssatt", "generell-ansats", 0.7, 1, "m", "t", None)  # evidence: none yet
    assert [tuple(r) for r in rows] == [kept]
    assert indexes == [] and 4 in versions
    sql = (
        sqlite3.connect(db)
        .execute("SELECT sql FROM sqlite_master WHERE name = 'suggestions'")
        .fetchone()[0]
    )
    assert "WITHOUT ROWID" in sql.upper()


def test_a_missing_postgresql_driver_is_one_clear_line():
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['psycopg'] = None; from coder.cli import app; "
        "app(['status', '--db', 'postgresql://anna@127.0.0.1:1/team'])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "coder: error: postgresql://anna@127.0.0.1:1/team: the PostgreSQL driver (psycopg) is "
        "not installed; install coder's 'postgres' extra (pip install '.[postgres]') or: "
        "pip install 'psycopg[binary]'"
    ]


def test_migration_7_lets_two_files_share_an_external_id_keeping_everything(db, tmp_path):
    """A project from before migration 7 (external ids unique across the project) is rebuilt
    on open with every passage, coding and reference intact; afterwards two table files may
    both have a row "1"."""
    from coder.corpus.importer import import_table

    sheet = tmp_path / "2024.csv"
    sheet.write_text("id,region,text,kod\n1,Skåne,Lärandeplanen styr.,generell-ansats\n", "utf-8")
    with Store.open(db) as store:
        import_table(
            store,
            sheet,
            text_column="text",
            case_column="region",
            id_column="id",
            code_column="kod",
            question="arbetssatt",
            coder="anna",
        )
    raw = sqlite3.connect(db)
    raw.executescript(
        """
        PRAGMA foreign_keys = OFF;
        CREATE TABLE segments_copy AS SELECT * FROM segments;
        DROP TABLE segments;
        CREATE TABLE segments (
            id INTEGER NOT NULL PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents (id),
            position INTEGER NOT NULL, start_char INTEGER NOT NULL, end_char INTEGER NOT NULL,
            text TEXT NOT NULL, external_id VARCHAR(500) UNIQUE,
            CONSTRAINT uq_segment_position UNIQUE (document_id, position));
        INSERT INTO segments SELECT id, document_id, position, start_char, end_char, text,
            external_id FROM segments_copy;
        DROP TABLE segments_copy;
        DELETE FROM schema_migrations WHERE version = 7;
        """
    )
    raw.commit()
    raw.close()
    with Store.open(db) as store, store.read() as conn:
        versions = conn.execute(sa.select(t.schema_migrations.c.version)).scalars().all()
        codings = conn.execute(sa.select(t.codings.c.segment_id, t.codings.c.code_id)).all()
    assert 7 in versions and codings == [(1, "generell-ansats")]
    check = sqlite3.connect(db)
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert check.execute("PRAGMA foreign_key_check").fetchall() == []
    check.close()
    other = tmp_path / "2025.csv"
    other.write_text("id,region,text\n1,Skåne,Ett nytt år med nya mål.\n", "utf-8")
    with Store.open(db) as store:
        import_table(store, other, text_column="text", case_column="region", id_column="id")
        with store.read() as conn:
            ids = conn.execute(sa.select(t.segments.c.external_id)).scalars().all()
    assert sorted(ids) == ["1", "1"]
