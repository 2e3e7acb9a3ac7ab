"""Imports at the edges, as a careless or hostile user would drive them: clashing table ids,
files of the same name in different folders, a paragraph of over a million characters, a
full disk, an unwritable --out. Every failure is one line naming the file, exit code 1, and
nothing half-written; every test asserts on the database."""

from __future__ import annotations

import csv
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from coder.corpus import documents as document_import
from coder.corpus import importer, importing
from coder.reports.tally import tally
from coder.store import Store, queries
from coder.store import schema as t
from tests.conftest import CODEBOOK, REPO

SCOPED_IDS = not t.segments.c.external_id.unique  # migration: unique per (document, id)


def write_csv(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def import_table(cli, db: str, path: Path, *extra: str):
    return cli(
        "import", path, "--db", db, "--text-column", "text", "--case-column", "region", *extra
    )


def coded(*extra: str) -> tuple[str, ...]:
    return ("--code-column", "ansats", "--question", "arbetssatt", *extra)


def segments(db: str) -> list[dict]:
    with Store.open(db) as store:
        return list(queries.iter_segments(store))


def codings(db: str) -> list[dict]:
    with Store.open(db) as store:
        return list(queries.iter_codings(store))


def documents(db: str) -> dict[str, sa.Row]:
    with Store.open(db) as store, store.read() as conn:
        return {
            row.name: row for row in conn.execute(sa.select(t.documents.c.name, t.documents.c.text))
        }


def case_names(db: str) -> set[str]:
    with Store.open(db) as store, store.read() as conn:
        return set(conn.execute(sa.select(t.cases.c.name)).scalars())


def one_line_error(result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("coder: error: "), result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]


def snapshot(db: str) -> tuple:
    return segments(db), codings(db), sorted(case_names(db))


# -- 2: table ids belong to their file ---------------------------------------------------------

Y2024 = [
    {"id": "1", "region": "Kalmar", "text": "2024: lärandeplanen styr arbetet.",
     "ansats": "strategiskt-ramverk"},
    {"id": "2", "region": "Kalmar", "text": "2024: vi följer upp årligen.",
     "ansats": "generell-ansats"},
]  # fmt: skip
Y2025 = [
    {"id": "1", "region": "Kalmar", "text": "2025: en ny strategi antogs.",
     "ansats": "overgripande-ambition"},
    {"id": "2", "region": "Ny region", "text": "2025: uppföljningen gjordes om.",
     "ansats": "generell-ansats"},
]  # fmt: skip


def test_a_new_years_file_with_the_same_ids_keeps_its_own_passages(cli, db, tmp_path):
    import_table(cli, db, write_csv(tmp_path / "2024.csv", Y2024), "--id-column", "id",
                 *coded("--coder", "anna"))  # fmt: skip
    before = {(c["segment_id"], c["code"]) for c in codings(db)}
    result = import_table(cli, db, write_csv(tmp_path / "2025.csv", Y2025), "--id-column", "id",
                          *coded("--coder", "anna"))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "matched" not in result.stdout
    assert "Imported 2 documents" in result.stdout
    texts = {s["text"]: s for s in segments(db)}
    assert set(texts) == {r["text"] for r in Y2024 + Y2025}  # nothing dropped
    by_segment = {c["segment_id"]: c["code"] for c in codings(db)}
    for row in Y2025:  # the 2025 codings are on the 2025 passages
        assert by_segment[texts[row["text"]]["segment_id"]] == row["ansats"]
    assert before <= {(c["segment_id"], c["code"]) for c in codings(db)}  # 2024 untouched
    assert len(codings(db)) == 4
    assert set(documents(db)) == {"2024.csv#1", "2024.csv#2", "2025.csv#1", "2025.csv#2"}


@pytest.mark.skipif(not SCOPED_IDS, reason="needs external ids unique per document (migration)")
def test_both_files_keep_their_ids_as_external_ids(cli, db, tmp_path):
    import_table(cli, db, write_csv(tmp_path / "2024.csv", Y2024), "--id-column", "id")
    import_table(cli, db, write_csv(tmp_path / "2025.csv", Y2025), "--id-column", "id")
    assert sorted(s["external_id"] for s in segments(db)) == ["1", "1", "2", "2"]


def test_same_file_name_in_another_folder_is_another_file(cli, db, tmp_path):
    import_table(cli, db, write_csv(tmp_path / "2024" / "data.csv", Y2024), "--id-column", "id")
    result = import_table(
        cli, db, write_csv(tmp_path / "2025" / "data.csv", Y2025), "--id-column", "id"
    )
    assert result.exit_code == 0, result.output
    assert set(documents(db)) == {"data.csv#1", "data.csv#2", "2025/data.csv#1", "2025/data.csv#2"}
    again = import_table(
        cli, db, tmp_path / "2025" / "data.csv", "--id-column", "id", *coded("--coder", "bo")
    )
    assert "Imported 0 documents" in again.stdout and "2 rows matched" in again.stdout
    texts = {c["segment_id"] for c in codings(db)}
    assert texts == {s["segment_id"] for s in segments(db) if s["text"].startswith("2025")}


def test_an_id_with_another_text_becomes_a_new_passage_and_update_replaces(cli, db, tmp_path):
    path = write_csv(tmp_path / "sheet.csv", Y2024)
    import_table(cli, db, path, "--id-column", "id", *coded("--coder", "anna"))
    edited = [dict(Y2024[0], text="2024: lärandeplanen styr hela arbetet."), Y2024[1]]
    write_csv(path, edited)
    result = import_table(cli, db, path, "--id-column", "id")
    assert result.exit_code == 0, result.output
    assert "1 rows whose id was imported before with another text" in result.stdout
    assert {s["text"] for s in segments(db)} == {r["text"] for r in Y2024 + edited}
    again = import_table(cli, db, path, "--id-column", "id")  # nothing new the second time
    assert "Imported 0 documents" in again.stdout and len(segments(db)) == 3

    path2 = write_csv(tmp_path / "other.csv", Y2024)
    import_table(cli, db, path2, "--id-column", "id", *coded("--coder", "anna"))
    coded_before = {c["segment_id"] for c in codings(db)}
    write_csv(path2, edited)
    updated = import_table(cli, db, path2, "--id-column", "id", "--update")
    assert updated.exit_code == 0, updated.output
    assert "1 passages given their row's new text (1 of them coded: codings kept)" in (
        updated.stdout
    )
    other = [s for s in segments(db) if s["document"].startswith("other.csv")]
    assert sorted(s["text"] for s in other) == sorted(r["text"] for r in edited)
    assert {c["segment_id"] for c in codings(db)} == coded_before  # the codings stayed
    with Store.open(db) as store, store.read() as conn:
        meta = conn.execute(
            sa.select(t.documents.c.meta).where(t.documents.c.name == "other.csv#1")
        ).scalar_one()
    assert meta["earlier_texts"]  # the text it replaced is on record


def test_one_id_on_two_rows_with_different_texts_refuses_everything(cli, db, tmp_path):
    rows = [*Y2024, dict(Y2024[0], text="En helt annan text.")]
    before = snapshot(db)
    result = import_table(cli, db, write_csv(tmp_path / "dup.csv", rows), "--id-column", "id")
    one_line_error(result, "dup.csv rows 2 and 4", "same id '1'", "nothing was imported")
    assert snapshot(db) == before


def test_update_needs_an_id_column(cli, db, tmp_path):
    before = snapshot(db)
    result = import_table(cli, db, write_csv(tmp_path / "s.csv", Y2024), "--update")
    one_line_error(result, "--update needs --id-column")
    assert snapshot(db) == before
    docs = cli("import", tmp_path, "--db", db, "--update")
    one_line_error(docs, "--update is for CSV/XLSX tables")


def test_rows_matched_to_their_passages_make_no_empty_case(cli, db, tmp_path):
    path = write_csv(tmp_path / "s.csv", Y2024)
    import_table(cli, db, path, "--id-column", "id")
    renamed = [dict(r, region="Nytt namn") for r in Y2024]
    write_csv(path, renamed)
    result = import_table(cli, db, path, "--id-column", "id", *coded())
    assert result.exit_code == 0, result.output
    assert case_names(db) == {"Kalmar"}
    assert len(codings(db)) == 2


def test_tally_counts_only_cases_with_passages(store):
    with store.batch() as b:
        b.case("Tomt län", {"landsdel": "Norrland"})  # a case left empty
    importer.import_documents(store, [REPO / "corpus"])
    n_with_passages = len({case for _, case in queries.segment_order(store)})
    [result] = tally(store, "arbetssatt", by="landsdel")
    assert result.total_cases == n_with_passages
    assert sum(result.by_totals.values()) == n_with_passages


# -- 8: files of the same name in different folders -------------------------------------------


def test_same_file_name_in_two_folders_makes_two_documents(cli, db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for folder, text in (("a", "Rapport från a."), ("b", "Rapport från b.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "rapport.txt").write_text(text, "utf-8")
    result = cli("import", "a/rapport.txt", "b/rapport.txt", "--db", db, "--case-from", "folder")
    assert result.exit_code == 0, result.output
    assert "Imported 2 documents" in result.stdout and "changed" not in result.stdout
    docs = documents(db)
    assert {name: d.text for name, d in docs.items()} == {
        "a/rapport.txt": "Rapport från a.",
        "b/rapport.txt": "Rapport från b.",
    }
    again = cli("import", "a/rapport.txt", "b/rapport.txt", "--db", db, "--case-from", "folder")
    assert "Imported 0 documents" in again.stdout and "2 already imported" in again.stdout
    (tmp_path / "b" / "rapport.txt").write_text("Rapport från b, ändrad.", "utf-8")
    changed = cli("import", "b/rapport.txt", "--db", db, "--case-from", "folder")
    assert "b/rapport.txt: changed since it was imported as 'b/rapport.txt'" in changed.stdout
    assert documents(db)["b/rapport.txt"].text == "Rapport från b."


def test_a_later_file_of_the_same_name_is_another_document(cli, db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for folder, text in (("a", "Text a."), ("b", "Text b.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "rapport.txt").write_text(text, "utf-8")
    cli("import", "a/rapport.txt", "--db", db, "--case-from", "folder")
    result = cli("import", "b/rapport.txt", "--db", db, "--case-from", "folder")
    assert result.exit_code == 0 and "Imported 1 documents" in result.stdout, result.output
    assert {n: d.text for n, d in documents(db).items()} == {
        "rapport.txt": "Text a.",
        "b/rapport.txt": "Text b.",
    }
    same = cli("import", "a/rapport.txt", "b/rapport.txt", "--db", db, "--case-from", "folder")
    assert "2 already imported" in same.stdout and len(documents(db)) == 2


def test_two_folders_of_the_same_name(cli, db, tmp_path):
    for parent in ("x", "y"):
        (tmp_path / parent / "2024").mkdir(parents=True)
        (tmp_path / parent / "2024" / "Kalmar.txt").write_text(f"Från {parent}.", "utf-8")
    result = cli("import", tmp_path / "x" / "2024", tmp_path / "y" / "2024", "--db", db)
    assert result.exit_code == 0, result.output
    assert set(documents(db)) == {"x/2024/Kalmar.txt", "y/2024/Kalmar.txt"}


def test_documents_of_an_older_project_are_recognised(cli, db, tmp_path, monkeypatch):
    """Documents imported before the path was recorded: known by name and source path."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "rapport.txt").write_text("Gammal text.", "utf-8")
    cli("import", "a/rapport.txt", "--db", db)
    with Store.open(db) as store, store.write() as conn:  # as an older coder stored it
        d = t.documents.c
        meta = conn.execute(sa.select(d.meta).where(d.name == "rapport.txt")).scalar_one()
        del meta["path"]
        conn.execute(t.documents.update().where(d.name == "rapport.txt").values(meta=meta))
    again = cli("import", "a/rapport.txt", "--db", db)
    assert "1 already imported" in again.stdout
    (tmp_path / "a" / "rapport.txt").write_text("Ändrad text.", "utf-8")
    changed = cli("import", "a/rapport.txt", "--db", db)
    assert "changed since it was imported as 'rapport.txt'" in changed.stdout
    assert list(documents(db)) == ["rapport.txt"]


# -- 9: a paragraph of over a million characters, a full disk, an unwritable --out ------------


def test_sentences_of_a_paragraph_over_a_million_characters(cli, db, tmp_path):
    text = "Regionen följer upp arbetet noga. " * 32_000  # 1.09 M characters, no blank line
    (tmp_path / "Lång.txt").write_text(text, "utf-8")
    result = cli("import", tmp_path / "Lång.txt", "--db", db, "--segment", "sentence")
    assert result.exit_code == 0, result.output
    with Store.open(db) as store, store.read() as conn:
        body = conn.execute(sa.select(t.documents.c.text)).scalar_one()
        spans = conn.execute(
            sa.select(t.segments.c.start_char, t.segments.c.end_char, t.segments.c.text)
        ).all()
    assert len(spans) == 32_000
    assert all(body[s:e] == seg == "Regionen följer upp arbetet noga." for s, e, seg in spans)


def test_pieces_cut_after_a_sentence_and_keep_offsets(monkeypatch):
    from coder.corpus import segment

    monkeypatch.setattr(segment, "MAX_PIECE", 50)
    text = "Första meningen är här. Andra meningen följer. " * 5 + "x" * 120
    spans = segment.sentences(text, "sv")
    assert all(text[s.start : s.end] == s.text for s in spans)
    assert [s.text for s in spans][:4] == ["Första meningen är här.", "Andra meningen följer."] * 2
    assert "".join(s.text for s in spans).replace(" ", "") == text.replace(" ", "")


def test_a_file_that_cannot_be_segmented_stops_with_one_line(cli, db, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("A.txt", "B.txt", "C.txt"):
        (folder / name).write_text(f"Text i {name}.", "utf-8")
    real = document_import.segment_document

    def failing(text, blocks, fmt, how, language):
        if "B.txt" in text:
            raise ValueError("[E088] Text of length 1000001 exceeds maximum")
        return real(text, blocks, fmt, how, language)

    monkeypatch.setattr(document_import, "segment_document", failing)
    result = cli("import", folder, "--db", db)
    one_line_error(result, "B.txt", "E088", "1 documents")
    assert set(documents(db)) == {"in/A.txt"}  # the file before it, whole; nothing after


def run_limited(args: list[str], limit: int, cwd: Path) -> subprocess.CompletedProcess:
    """``coder ARGS`` in a process that may write no file beyond ``limit`` bytes (a full
    disk, as SQLite sees it); SIGXFSZ ignored so that write() fails with EFBIG."""

    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-c", "from coder.cli import app; app()", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        preexec_fn=limit_files,
        capture_output=True,
        text=True,
        timeout=300,
    )


def make_reports(folder: Path, n: int, paragraphs: int) -> Path:
    folder.mkdir()
    for i in range(n):
        body = "\n\n".join(
            f"Rapport {i}, stycke {p}: " + "uppföljning " * 60 for p in range(paragraphs)
        )
        (folder / f"R{i:03d}.txt").write_text(body, "utf-8")
    return folder


def test_disk_full_during_a_folder_import(db, tmp_path):
    folder = make_reports(tmp_path / "reports", 150, 5)
    limit = Path(db).stat().st_size + 400_000  # room for a few transactions, not all
    result = run_limited(["import", str(folder), "--db", db], limit, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "cannot write to the project" in lines[0] and "reports/R" in lines[0]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        kept = conn.execute(
            "SELECT d.name, count(s.id) FROM documents d JOIN segments s ON s.document_id = d.id "
            "GROUP BY d.id"
        ).fetchall()
    assert kept and all(n == 5 for _, n in kept)  # whole files only
    assert f"the {len(kept)} documents ({5 * len(kept)} segments) imported before" in lines[0]
    assert f"Imported {len(kept)} documents" in result.stdout
    # without the limit, importing again completes it: each file once
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from coder.cli import app; app()",
            "import",
            str(folder),
            "--db",
            db,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert len(documents(db)) == 150 and len(segments(db)) == 750


def test_disk_full_during_a_table_import(db, tmp_path):
    rows = [
        {"id": str(i), "region": f"R{i % 7}", "text": f"Rad {i}: " + "analys " * 12,
         "ansats": "generell-ansats"}
        for i in range(6000)
    ]  # fmt: skip
    path = write_csv(tmp_path / "big.csv", rows)
    limit = Path(db).stat().st_size + 3_000_000  # room for a transaction or two
    args = ["import", str(path), "--db", db, "--text-column", "text", "--id-column", "id",
            "--case-column", "region", *coded("--coder", "anna")]  # fmt: skip
    result = run_limited(args, limit, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "big.csv rows " in lines[0], result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        n_docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        n_codings = conn.execute("SELECT count(*) FROM codings").fetchone()[0]
    assert n_docs == n_codings  # every kept row has its coding: whole rows only
    assert 0 < n_docs < 6000 and n_docs % importing.BATCH_ROWS == 0
    assert f"rows 2-{n_docs + 1} were imported before it" in lines[0]
    assert f"Imported {n_docs} documents" in result.stdout
    done = subprocess.run(
        [sys.executable, "-c", "from coder.cli import app; app()", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert len(segments(db)) == 6000 and len(codings(db)) == 6000


def test_out_a_folder_or_a_missing_folder(cli, db, tmp_path):
    result = cli("export", "--db", db, "--out", tmp_path)
    one_line_error(result, "is a folder")
    missing = cli("export", "--db", db, "--out", tmp_path / "nowhere" / "x.csv")
    one_line_error(missing, "does not exist")
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("", "utf-8")
    under_file = cli("export", "--db", db, "--out", not_a_folder / "x.csv")
    one_line_error(under_file, "is not a folder")


@pytest.fixture
def read_only_folder(tmp_path: Path):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "old.csv").write_text("earlier\n", "utf-8")
    if os.geteuid() == 0:  # root writes anywhere, except into an immutable folder
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
            pytest.skip("running as root without chattr +i: cannot make a read-only folder")
        yield folder
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)


def test_out_in_a_read_only_folder(cli, db, tmp_path, read_only_folder):
    for args in (
        ("export", "--out", read_only_folder / "old.csv"),
        ("tally", "--out", read_only_folder / "t.md"),
        ("export", "--format", "qdpx", "--out", read_only_folder / "p.qdpx"),
    ):
        result = cli(*args, "--db", db)
        one_line_error(result, str(read_only_folder), "cannot write")
    assert sorted(p.name for p in read_only_folder.iterdir()) == ["old.csv"]
    assert (read_only_folder / "old.csv").read_text("utf-8") == "earlier\n"


def test_out_on_a_full_disk_leaves_the_earlier_file(cli, db, tmp_path):
    with Store.open(db) as store:  # about 300 kB of passages to export
        importer.import_documents(store, [make_reports(tmp_path / "reports", 20, 20)])
    out = tmp_path / "segments.csv"
    out.write_text("earlier\n", "utf-8")
    result = run_limited(["export", "--db", db, "--out", str(out)], 65536, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "segments.csv: cannot write it" in lines[0], result.stderr
    assert out.read_text("utf-8") == "earlier\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".segments")] == []


# -- 5: an import holds the write lock in short transactions only ------------------------------


def test_a_large_import_writes_in_short_transactions(store, tmp_path, monkeypatch):
    spans: list[float] = []

    @sa.event.listens_for(store.engine, "begin")
    def _begin(conn):
        if conn.get_execution_options().get("coder_write"):
            conn.info["t0"] = time.perf_counter()

    def _end(conn):
        if "t0" in conn.info:
            spans.append(time.perf_counter() - conn.info.pop("t0"))

    sa.event.listen(store.engine, "commit", _end)
    sa.event.listen(store.engine, "rollback", _end)
    monkeypatch.setattr(importing, "BATCH_ROWS", 300)
    rows = [{"id": str(i), "region": f"R{i % 5}", "text": f"Rad {i}."} for i in range(1000)]
    importer.import_table(
        store, write_csv(tmp_path / "t.csv", rows), text_column="text", id_column="id"
    )
    assert len(spans) == 4  # 300 + 300 + 300 + 100 rows
    folder = make_reports(tmp_path / "reports", 60, 10)
    spans.clear()
    summary = importer.import_documents(store, [folder])
    assert summary.documents == 60 and len(spans) >= 2
    assert max(spans) < 1.0


@pytest.mark.parametrize(
    ("make_args", "words"),
    [
        (lambda t, d: [t, d], ["import one table at a time"]),
        (lambda t, d: [t], ["s.csv: a table needs --text-column"]),
        (lambda t, d: [d, "--case-column", "region"], ["--case-column is for CSV/XLSX tables"]),
        (
            lambda t, d: [t, "--text-column", "text", "--question", "q"],
            ["--question and --coder go with --code-column"],
        ),
    ],
    ids=["table-and-documents", "no-text-column", "table-option-alone", "question-alone"],
)
def test_import_options_that_do_not_go_together_are_refused_before_anything(
    cli, db, tmp_path, make_args, words
):
    table = write_csv(tmp_path / "s.csv", Y2024)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "Kalmar.txt").write_text("Ett stycke om uppföljning.\n", encoding="utf-8")
    before = snapshot(db)
    one_line_error(cli("import", *make_args(table, docs), "--db", db), *words)
    assert snapshot(db) == before


def test_importing_the_project_folder_passes_over_its_own_database(cli, tmp_path, monkeypatch):
    """`coder import .` beside coder.db: the project's files are no documents and no note."""
    monkeypatch.chdir(tmp_path)
    assert cli("init", "--codebook", CODEBOOK).exit_code == 0
    (tmp_path / "Kalmar.txt").write_text("Region Kalmar följer upp sina insatser varje år.\n")
    (tmp_path / "coder.db-wal").write_bytes(b"")
    (tmp_path / "other.db").write_bytes(b"SQLite format 3\x00")
    result = cli("import", ".")
    assert result.exit_code == 0, result.output
    assert "coder.db" not in result.output
    assert "other.db" in result.output  # someone else's database is still said
    assert "Imported 1 documents" in result.stdout
