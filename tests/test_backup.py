"""`coder backup` and `coder restore`, on both back ends, including a backup taken while
coders keep writing."""

from __future__ import annotations

from coder.corpus.importer import import_documents
from coder.model.codebook import load_codebook
from coder.store import Store, queries
from tests.conftest import CODEBOOK, CORPUS
from tests.demo_key import code_demo, segment_ids
from tests.invariants import check
from tests.test_concurrency import start


def state(db: str) -> tuple:
    with Store.open(db) as store:
        return (
            [tuple(r.values()) for r in queries.iter_segments(store)],
            [tuple(r.values()) for r in queries.iter_codings(store)],
            queries.coder_names(store),
        )


def coded_project(db: str) -> str:
    with Store.open(db) as store:
        import_documents(store, [CORPUS])
        code_demo(store, "anna")
        store.add_memo(segment_ids(store)[("Kalmar", 0)], "anna", "Kolla igen.")
    return db


def test_backup_then_restore_into_a_new_project(cli, backend_db, tmp_path):
    db = coded_project(backend_db)
    out = tmp_path / "backup.db"
    result = cli("backup", "--out", out, "--db", db)
    assert result.exit_code == 0, result.output
    assert "75 coding actions" in result.output and "1 memos" in result.output
    restored = str(tmp_path / "restored.db")
    assert cli("restore", out, "--db", restored).exit_code == 0
    assert state(restored) == state(db)
    check(restored)


def test_restore_replaces_a_project_only_with_force_and_keeps_the_old_one(
    cli, backend_db, tmp_path
):
    db = coded_project(backend_db)
    out = tmp_path / "backup.db"
    cli("backup", "--out", out, "--db", db)
    snapshot = state(db)
    with Store.open(db) as store:  # work done after the backup
        store.toggle_code(
            segment_ids(store)[("Skåne", 0)], "arbetssatt", "strategiskt-ramverk", "bo"
        )
    later = state(db)
    refused = cli("restore", out, "--db", db)
    assert refused.exit_code == 1 and "give --force" in refused.output
    assert state(db) == later
    result = cli("restore", out, "--db", db, "--force")
    assert result.exit_code == 0, result.output
    assert state(db) == snapshot
    check(db)
    if "://" not in db:  # the replaced SQLite project is kept beside it
        kept = result.output.split("kept as ")[1].strip().rstrip(".")
        assert state(kept) == later
    with Store.open(db) as store:  # and the restored project takes new work
        store.toggle_code(segment_ids(store)[("Skåne", 0)], "arbetssatt", "generell-ansats", "bo")
    check(db)


def test_a_backup_taken_while_coders_write_is_consistent(cli, backend_db, tmp_path):
    db = coded_project(backend_db)
    writers = [start("code", db, f"w{i}", "300", str(i)) for i in range(2)]
    backups = []
    for i in range(3):
        out = tmp_path / f"during-{i}.db"
        assert cli("backup", "--out", out, "--db", db).exit_code == 0
        backups.append(out)
    for proc in writers:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    final = check(db)["actions"]
    taken = [check(str(b))["actions"] for b in backups]  # each one consistent on its own
    assert taken == sorted(taken) and taken[-1] <= final


def test_restore_refuses_what_is_not_a_backup(cli, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    result = cli("restore", junk, "--db", tmp_path / "x.db")
    assert result.exit_code == 1 and "not a coder backup" in result.output
    assert not (tmp_path / "x.db").exists()
    missing = cli("restore", tmp_path / "none.db", "--db", tmp_path / "x.db")
    assert missing.exit_code == 1 and "no such backup file" in missing.output


def test_a_postgresql_project_restores_into_sqlite_and_back(cli, pg_url, tmp_path):
    Store.create(pg_url, load_codebook(CODEBOOK)).close()
    db = coded_project(pg_url)
    out = tmp_path / "pg.db"
    assert cli("backup", "--out", out, "--db", db).exit_code == 0
    assert state(str(out)) == state(db)  # the backup is itself a project coder opens
    as_file = str(tmp_path / "as-file.db")
    assert cli("restore", out, "--db", as_file).exit_code == 0
    assert state(as_file) == state(db)
    result = cli("restore", out, "--db", db, "--force")
    assert result.exit_code == 0, result.output
    with Store.open(db) as store:  # new ids continue after the restored ones
        store.toggle_code(segment_ids(store)[("Skåne", 0)], "arbetssatt", "generell-ansats", "bo")
    check(db)
