"""Importing CSV/XLSX rows with earlier codings: ids or labels, atomic refusal, re-import."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from coder.corpus.importer import import_table
from coder.errors import CoderError
from coder.store import queries


@pytest.fixture
def db(backend_db: str) -> str:
    """These tests run on SQLite and on PostgreSQL (see conftest)."""
    return backend_db


ROWS = [
    {
        "id": "r1",
        "region": "Kronoberg",
        "text": "Arbetet utgår från lärandeplanen.",
        "ansats": "strategiskt-ramverk",
        "insatser": "Analyser/utredningar; konferenser",
    },
    {
        "id": "r2",
        "region": "Kronoberg",
        "text": "Vi följer upp RUS.",
        "ansats": "",
        "insatser": "uppfoljning-rus",
    },
    {
        "id": "r3",
        "region": "Halland",
        "text": "Uppföljning sker kontinuerligt.",
        "ansats": "Generell ansats",
        "insatser": "",
    },
]


def write_csv(path: Path, rows: list[dict], delimiter: str = ",", encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def snapshot(store) -> tuple[list, list]:
    return list(queries.iter_segments(store)), list(queries.iter_codings(store))


def test_rows_become_passages_with_cases_and_ids(store, tmp_path):
    path = write_csv(tmp_path / "sheet.csv", ROWS)
    summary = import_table(store, path, text_column="text", case_column="region", id_column="id")
    assert (summary.documents, summary.new_cases) == (3, 2)
    segments, _ = snapshot(store)
    assert [(s["external_id"], s["case"], s["text"]) for s in segments] == [
        ("r3", "Halland", ROWS[2]["text"]),
        ("r1", "Kronoberg", ROWS[0]["text"]),
        ("r2", "Kronoberg", ROWS[1]["text"]),
    ]


def test_codes_by_id_or_label_and_multi_with_semicolons(store, tmp_path):
    path = write_csv(tmp_path / "sheet.csv", ROWS, delimiter=";")
    import_table(
        store,
        path,
        text_column="text",
        case_column="region",
        id_column="id",
        code_column="insatser",
        question="insatser",
        coder="anna",
    )
    import_table(
        store,
        path,
        text_column="text",
        case_column="region",
        id_column="id",
        code_column="ansats",
        question="arbetssatt",
        coder="anna",
    )
    _, codings = snapshot(store)
    got = sorted((c["external_id"], c["question"], c["code"], c["coder"]) for c in codings)
    assert got == [
        ("r1", "arbetssatt", "strategiskt-ramverk", "anna"),
        ("r1", "insatser", "analyser-utredningar", "anna"),
        ("r1", "insatser", "konferenser", "anna"),
        ("r2", "insatser", "uppfoljning-rus", "anna"),
        ("r3", "arbetssatt", "generell-ansats", "anna"),
    ]
    assert {c["origin"] for c in codings} == {"human"}


def test_reimport_attaches_codings_to_existing_segments(store, tmp_path):
    path = write_csv(tmp_path / "sheet.csv", ROWS)
    import_table(store, path, text_column="text", case_column="region", id_column="id")
    summary = import_table(
        store,
        path,
        text_column="text",
        case_column="region",
        id_column="id",
        code_column="ansats",
        question="arbetssatt",
        coder="bo",
    )
    again = import_table(
        store,
        path,
        text_column="text",
        case_column="region",
        id_column="id",
        code_column="ansats",
        question="arbetssatt",
        coder="bo",
    )
    segments, codings = snapshot(store)
    assert len(segments) == 3
    assert (summary.documents, summary.attached, summary.codings) == (0, 3, 2)
    assert (again.documents, again.codings) == (0, 0)
    assert len(codings) == 2


def test_reimport_without_id_column_matches_rows(store, tmp_path):
    path = write_csv(tmp_path / "sheet.csv", ROWS)
    import_table(store, path, text_column="text")
    import_table(store, path, text_column="text", code_column="ansats", question="arbetssatt")
    segments, codings = snapshot(store)
    assert len(segments) == 3 and len(codings) == 2
    assert {s["case"] for s in segments} == {"sheet"}


def test_unknown_code_refuses_the_whole_import(store, tmp_path):
    rows = [
        *ROWS,
        {
            "id": "r4",
            "region": "Skåne",
            "text": "Något.",
            "ansats": "Okänd kategori",
            "insatser": "",
        },
    ]
    path = write_csv(tmp_path / "sheet.csv", rows)
    before = snapshot(store)
    with pytest.raises(CoderError, match=r"sheet.csv row 5: unknown code 'Okänd kategori'"):
        import_table(
            store,
            path,
            text_column="text",
            case_column="region",
            id_column="id",
            code_column="ansats",
            question="arbetssatt",
            coder="anna",
        )
    assert snapshot(store) == before


def test_two_codes_in_a_single_question_are_refused(store, tmp_path):
    rows = [dict(ROWS[0], ansats="strategiskt-ramverk; generell-ansats")]
    path = write_csv(tmp_path / "sheet.csv", rows)
    with pytest.raises(CoderError, match=r"row 2: question 'arbetssatt' takes one code"):
        import_table(store, path, text_column="text", code_column="ansats", question="arbetssatt")


def test_missing_column_names_the_columns(store, tmp_path):
    path = write_csv(tmp_path / "sheet.csv", ROWS)
    with pytest.raises(
        CoderError, match=r"--text-column 'body' is not a column \(columns: id, region"
    ):
        import_table(store, path, text_column="body")


def test_xlsx_and_cp1252_csv(store, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "region", "text"])
    sheet.append([101, "Örebro", "Lärandeplanen uppdateras."])
    book.save(tmp_path / "sheet.xlsx")
    import_table(
        store, tmp_path / "sheet.xlsx", text_column="text", case_column="region", id_column="id"
    )
    write_csv(
        tmp_path / "old.csv",
        [{"text": "Åtgärder i Västerås", "lan": "Västmanland"}],
        delimiter=";",
        encoding="cp1252",
    )
    import_table(store, tmp_path / "old.csv", text_column="text", case_column="lan")
    segments, _ = snapshot(store)
    assert [(s["external_id"], s["case"], s["text"]) for s in segments] == [
        (None, "Västmanland", "Åtgärder i Västerås"),
        ("101", "Örebro", "Lärandeplanen uppdateras."),
    ]


def test_corrupt_xlsx_is_skipped(store, tmp_path):
    (tmp_path / "bad.xlsx").write_bytes(b"not a workbook")
    summary = import_table(store, tmp_path / "bad.xlsx", text_column="text")
    assert summary.documents == 0
    assert "XLSX" in summary.skipped[0][1]


def test_cli_unknown_code_exits_1_with_one_line(cli, db, tmp_path):
    rows = [dict(ROWS[0], ansats="nonsense")]
    path = write_csv(tmp_path / "sheet.csv", rows)
    result = cli(
        "import",
        path,
        "--db",
        db,
        "--text-column",
        "text",
        "--code-column",
        "ansats",
        "--question",
        "arbetssatt",
    )
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "unknown code 'nonsense'" in result.stderr and "row 2" in result.stderr


def test_cli_table_without_text_column_is_refused(cli, db, tmp_path):
    path = write_csv(tmp_path / "sheet.csv", ROWS)
    result = cli("import", path, "--db", db)
    assert result.exit_code == 1
    assert "--text-column" in result.stderr
