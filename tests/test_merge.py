"""`coder merge`: coders who coded copies of a project on their own laptops bring their
work together; nothing is duplicated, corpus conflicts are refused whole."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from coder.store import Store, queries
from tests.conftest import CODEBOOK, CORPUS
from tests.demo_key import segment_ids


def project(cli, path) -> str:
    db = str(path)
    assert cli("init", "--codebook", CODEBOOK, "--db", db).exit_code == 0
    assert cli("import", CORPUS, "--db", db).exit_code == 0
    return db


def codings(db: str) -> list[tuple]:
    with Store.open(db) as store:
        return sorted(
            (r["case"], r["question"], r["code"], r["coder"], r["time"])
            for r in queries.iter_codings(store)
        )


def memos(db: str) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return sorted(
            con.execute(
                "SELECT coders.name, memos.text, memos.time FROM memos "
                "JOIN coders ON coders.id = memos.coder_id"
            ).fetchall()
        )
    finally:
        con.close()


@pytest.fixture
def laptops(cli, tmp_path):
    """Two separately created projects on the same corpus: anna codes one, bo the other."""
    a = project(cli, tmp_path / "anna.db")
    b = project(cli, tmp_path / "bo.db")
    with Store.open(a) as store:
        ids = segment_ids(store)
        store.toggle_code(ids[("Kalmar", 0)], "arbetssatt", "generell-ansats", "anna")
        store.toggle_code(ids[("Skåne", 0)], "arbetssatt", "generell-ansats", "anna")
    with Store.open(b) as store:
        ids = segment_ids(store)
        store.toggle_code(ids[("Kalmar", 0)], "arbetssatt", "strategiskt-ramverk", "bo")
        store.toggle_code(ids[("Skåne", 0)], "arbetssatt", "generell-ansats", "bo")
        store.toggle_code(ids[("Skåne", 1)], "insatser", "konferenser", "bo")
        store.undo("bo")  # the undo travels too: konferenser is not on Skåne 1
        store.toggle_code(ids[("Skåne", 1)], "insatser", "lansgemensamma", "bo")
        store.add_memo(ids[("Kalmar", 0)], "bo", "Planen nämns men används den?")
    return a, b


def test_merge_adds_the_other_coders_codings_and_memos(cli, laptops):
    a, b = laptops
    before_b = codings(b)
    result = cli("merge", b, "--db", a)
    assert result.exit_code == 0, result.output
    assert "bo new" in result.output and "1 memos" in result.output
    merged = codings(a)
    assert [c for c in merged if c[3] == "bo"] == before_b  # times kept exactly
    assert {c[3] for c in merged} == {"anna", "bo"}
    assert ("bo", "Planen nämns men används den?") in [m[:2] for m in memos(a)]
    with Store.open(a) as store:
        ids = segment_ids(store)
        assert store.codes_of(ids[("Skåne", 1)], "insatser", "bo") == {"lansgemensamma"}
        # the state derived from the log equals a replay of it
        n = len(list(queries.iter_codings(store)))
        assert store.rebuild_current_codings() == n


def test_merging_twice_or_back_and_forth_duplicates_nothing(cli, laptops):
    a, b = laptops
    assert cli("merge", b, "--db", a).exit_code == 0
    once = (codings(a), memos(a), _count(a, "actions"), _count(a, "coding_events"))
    again = cli("merge", b, "--db", a)
    assert again.exit_code == 0 and "0 coding actions" in again.output
    assert (codings(a), memos(a), _count(a, "actions"), _count(a, "coding_events")) == once
    # bo takes anna's merged project back: bo's own work is not added a second time
    assert cli("merge", a, "--db", b).exit_code == 0
    assert codings(b) == codings(a)
    assert _count(b, "coding_events") == _count(a, "coding_events")


def _count(db: str, table: str) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def test_a_copied_project_shares_its_history(cli, tmp_path):
    a = project(cli, tmp_path / "a.db")
    with Store.open(a) as store:
        ids = segment_ids(store)
        store.toggle_code(ids[("Kalmar", 0)], "arbetssatt", "generell-ansats", "anna")
    b = str(tmp_path / "b.db")
    shutil.copy(a, b)
    with Store.open(b) as store:
        store.toggle_code(ids[("Kalmar", 0)], "arbetssatt", "generell-ansats", "bo")
    result = cli("merge", b, "--db", a)
    assert "1 coding actions" in result.output and "1 already here" in result.output
    assert codings(a) == codings(b)


def test_copies_made_before_uids_existed_agree_on_them(cli, tmp_path):
    """Migration 5 derives the uids of old actions from what copies share."""
    a = project(cli, tmp_path / "a.db")
    with Store.open(a) as store:
        ids = segment_ids(store)
        store.toggle_code(ids[("Kalmar", 0)], "arbetssatt", "generell-ansats", "anna")
        store.add_memo(ids[("Kalmar", 0)], "anna", "memo")
    con = sqlite3.connect(a)
    con.executescript(
        """
        DROP INDEX ix_actions_uid; ALTER TABLE actions DROP COLUMN uid;
        DROP INDEX ix_memos_uid; ALTER TABLE memos DROP COLUMN uid;
        DELETE FROM schema_migrations WHERE version = 5;
        DELETE FROM project WHERE key = 'project_uuid';
        """
    )
    con.close()
    b = str(tmp_path / "b.db")
    shutil.copy(a, b)
    result = cli("merge", b, "--db", a)  # both copies migrate on opening
    assert result.exit_code == 0, result.output
    assert "0 coding actions" in result.output and "2 already here" in result.output


def test_corpus_conflicts_refuse_the_whole_merge(cli, laptops, tmp_path):
    a, b = laptops
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "Gävleborg.txt").write_text("Region Gävleborg följer upp allt.\n", encoding="utf-8")
    assert cli("import", extra, "--db", b).exit_code == 0
    with Store.open(b) as store:
        ids = segment_ids(store)
        store.toggle_code(ids[("Gävleborg", 0)], "arbetssatt", "generell-ansats", "bo")
    before = codings(a)
    result = cli("merge", b, "--db", a)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Gävleborg" in lines[0] and "nothing was merged" in lines[0]
    assert codings(a) == before and memos(a) == []


def test_uncoded_extra_documents_are_only_noted(cli, laptops, tmp_path):
    a, b = laptops
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "Gävleborg.txt").write_text("Ingen har kodat detta.\n", encoding="utf-8")
    assert cli("import", extra, "--db", b).exit_code == 0
    result = cli("merge", b, "--db", a)
    assert result.exit_code == 0
    assert "1 passages of the other project are not in this one" in result.output


def test_codes_missing_from_this_codebook_refuse_the_merge(cli, laptops, tmp_path):
    a, _ = laptops
    text = CODEBOOK.read_text(encoding="utf-8").replace(
        "      - id: generell-ansats\n",
        "      - id: ny-ansats\n        label: Ny ansats\n      - id: generell-ansats\n",
        1,
    )
    assert "ny-ansats" in text
    book = tmp_path / "newer.yaml"
    book.write_text(text, encoding="utf-8")
    c = str(tmp_path / "c.db")
    assert cli("init", "--codebook", book, "--db", c).exit_code == 0
    assert cli("import", CORPUS, "--db", c).exit_code == 0
    with Store.open(c) as store:
        store.toggle_code(segment_ids(store)[("Kalmar", 0)], "arbetssatt", "ny-ansats", "cilla")
    result = cli("merge", c, "--db", a)
    assert result.exit_code == 1
    assert "code 'ny-ansats' of question 'arbetssatt' is not in this project's codebook" in (
        result.output
    )


def test_merging_a_project_into_itself_is_refused(cli, laptops):
    a, _ = laptops
    result = cli("merge", a, "--db", a)
    assert result.exit_code == 1 and "is this project itself" in result.output
