"""Cases and their attributes: `coder cases list|import|set`, attribute columns of table
imports, and `tally --by` over case and document attributes (the year of a report)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from coder.corpus.table import import_table
from coder.errors import CoderError
from coder.reports.tally import tally
from coder.store import NewDocument, Span, Store
from coder.store.cases import case_rows, import_case_attributes, set_case_attributes


@pytest.fixture
def db(backend_db: str) -> str:
    """These tests run on SQLite and on PostgreSQL (see conftest)."""
    return backend_db


def add_document(
    store: Store,
    case: str,
    name: str,
    n_passages: int,
    *,
    case_attributes: dict | None = None,
    attributes: dict | None = None,
) -> list[int]:
    """A document of ``case`` with ``n_passages`` passages; ``attributes`` are its own."""
    with store.batch() as b:
        case_id = b.case(case, case_attributes or {})
        spans = [Span(i * 10, i * 10 + 5, f"{name} p{i}") for i in range(n_passages)]
        meta = {"attributes": attributes} if attributes else {}
        doc = NewDocument(case_id, name, "txt", "x" * (10 * n_passages), name, spans, meta)
        return b.add_documents([doc])[0]


def snapshot(store: Store) -> list[tuple]:
    return [(r.name, r.attributes, r.values, r.documents, r.passages) for r in case_rows(store)]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def regions(store):
    """Kalmar (two passages, one coded), Skåne (one passage), Gotland (no documents)."""
    kalmar = add_document(
        store, "Kalmar", "kalmar.txt", 2, case_attributes={"landsdel": "Götaland"}
    )
    add_document(store, "Skåne", "skane.txt", 1)
    with store.batch() as b:
        b.case("Gotland")
    store.toggle_code(kalmar[0], "insatser", "konferenser", "anna")
    return store


def test_list_prints_cases_with_attributes_and_counts(cli, db, regions):
    result = cli("cases", "list", "--format", "csv", "--db", db)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["case"] for r in rows] == ["Gotland", "Kalmar", "Skåne"]
    assert list(rows[0]) == ["case", "landsdel", "documents", "passages", "coded"]
    kalmar = rows[1]
    assert (kalmar["landsdel"], kalmar["documents"], kalmar["passages"], kalmar["coded"]) == (
        "Götaland",
        "1",
        "2",
        "1",
    )
    assert (rows[2]["landsdel"], rows[2]["passages"], rows[2]["coded"]) == ("", "1", "0")
    assert (rows[0]["documents"], rows[0]["passages"]) == ("0", "0")

    lines = cli("cases", "list", "--format", "jsonl", "--db", db).stdout.splitlines()
    assert json.loads(lines[1]) == {
        "case": "Kalmar",
        "landsdel": "Götaland",
        "documents": 1,
        "passages": 2,
        "coded": 1,
    }
    table = cli("cases", "list", "--db", db).stdout.splitlines()
    assert table[0] == "| case | landsdel | documents | passages | coded |"
    assert table[1] == "|---|---|---:|---:|---:|"
    assert table[3] == "| Kalmar | Götaland | 1 | 2 | 1 |"


def test_list_shows_each_document_s_own_value(cli, db, store, tmp_path):
    """A region with reports from two years: both years in one cell, the document's value
    winning over the case's."""
    add_document(store, "Kalmar", "2018/kalmar.txt", 1, case_attributes={"år": "2017"},
                 attributes={"år": "2018"})  # fmt: skip
    add_document(store, "Kalmar", "2019/kalmar.txt", 1, attributes={"år": "2019"})
    (kalmar,) = case_rows(store)
    assert kalmar.attributes == {"år": "2017"}
    assert kalmar.values == {"år": ["2018", "2019"]}
    out = tmp_path / "cases.csv"
    assert cli("cases", "list", "--format", "csv", "--out", out, "--db", db).exit_code == 0
    (row,) = list(csv.DictReader(out.open(encoding="utf-8")))
    assert row["år"] == "2018, 2019" and row["passages"] == "2"


def test_import_sets_every_other_column_and_empty_cells_set_nothing(cli, db, regions, tmp_path):
    path = write_csv(
        tmp_path / "regions.csv",
        ["region", "landsdel", "typ"],
        [["Kalmar", "", "blandad"], ["Skåne", "Götaland", "storstad"]],
    )
    result = cli("cases", "import", path, "--case-column", "region", "--db", db)
    assert result.exit_code == 0, result.output
    assert "2 cases (2 changed)" in result.stdout
    rows = {r.name: r.attributes for r in case_rows(regions)}
    assert rows["Kalmar"] == {"landsdel": "Götaland", "typ": "blandad"}  # kept, not emptied
    assert rows["Skåne"] == {"landsdel": "Götaland", "typ": "storstad"}
    assert rows["Gotland"] == {}


def test_import_reads_xlsx(db, regions, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["län", "år"])
    sheet.append(["Gotland", "2019"])
    path = tmp_path / "regions.xlsx"
    book.save(path)
    done = import_case_attributes(regions, path, "län")
    assert (done.cases, done.changed, done.columns) == (1, 1, ["år"])
    assert {r.name: r.attributes for r in case_rows(regions)}["Gotland"] == {"år": "2019"}


def test_duplicate_cases_are_refused_listed_and_nothing_changes(cli, db, regions, tmp_path):
    names = [f"Region {i}" for i in range(7)]
    rows = [["Kalmar", "Norrland"]] + [[n, "x"] for n in names for _ in range(2)]
    path = write_csv(tmp_path / "twice.csv", ["region", "landsdel"], rows)
    before = snapshot(regions)
    result = cli("cases", "import", path, "--case-column", "region", "--create", "--db", db)
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert message.startswith(f"coder: error: {path}: 7 cases named more than once:")
    assert "'Region 0' (rows 3, 4)" in message and "and 2 more" in message
    assert "Region 6" not in message
    assert snapshot(regions) == before


def test_unknown_cases_are_refused_unless_create(cli, db, regions, tmp_path):
    path = write_csv(
        tmp_path / "new.csv",
        ["region", "landsdel"],
        [["Kalmar", "Norrland"], ["Blekinge", "Götaland"], ["Halland", ""]],
    )
    before = snapshot(regions)
    result = cli("cases", "import", path, "--case-column", "region", "--db", db)
    assert result.exit_code == 1
    assert "2 cases the project does not have: 'Blekinge', 'Halland'" in result.stderr
    assert "--create" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert snapshot(regions) == before  # Kalmar was not changed either

    result = cli("cases", "import", path, "--case-column", "region", "--create", "--db", db)
    assert result.exit_code == 0, result.output
    assert "2 created" in result.stdout
    rows = {r.name: r for r in case_rows(regions)}
    assert rows["Blekinge"].attributes == {"landsdel": "Götaland"}
    assert (rows["Halland"].attributes, rows["Halland"].documents) == ({}, 0)
    assert rows["Kalmar"].attributes == {"landsdel": "Norrland"}


def test_a_missing_case_column_names_the_file_and_its_columns(cli, db, regions, tmp_path):
    path = write_csv(tmp_path / "a.csv", ["län", "typ"], [["Kalmar", "x"]])
    result = cli("cases", "import", path, "--case-column", "region", "--db", db)
    assert result.exit_code == 1
    assert result.stderr == (
        f"coder: error: {path}: --case-column 'region' is not a column (columns: län, typ)\n"
    )
    missing = cli("cases", "import", tmp_path / "none.csv", "--case-column", "län", "--db", db)
    assert missing.exit_code == 1 and "none.csv: no such file" in missing.stderr


def test_set_adds_changes_and_removes_attributes(cli, db, regions):
    result = cli("cases", "set", "Kalmar", "typ=landsbygd", "landsdel=", "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Kalmar: typ=landsbygd\n"
    assert {r.name: r.attributes for r in case_rows(regions)}["Kalmar"] == {"typ": "landsbygd"}

    unknown = cli("cases", "set", "Kalmer", "typ=x", "--db", db)
    assert unknown.exit_code == 1
    assert "no case 'Kalmer' in the project (cases: 'Gotland', 'Kalmar', 'Skåne')" in (
        unknown.stderr
    )
    malformed = cli("cases", "set", "Kalmar", "typ", "--db", db)
    assert malformed.exit_code == 1 and "'typ': expected KEY=VALUE" in malformed.stderr
    with pytest.raises(CoderError, match="no attributes given"):
        set_case_attributes(regions, "Kalmar", {})


@pytest.fixture
def two_years(store):
    """Kalmar reported in 2018 and 2019, Skåne in 2019, Gotland's report has no year of
    its own (its case says 2018)."""
    k18 = add_document(store, "Kalmar", "2018/kalmar.txt", 1, attributes={"år": "2018"})
    k19 = add_document(store, "Kalmar", "2019/kalmar.txt", 2, attributes={"år": "2019"})
    s19 = add_document(store, "Skåne", "2019/skane.txt", 1, attributes={"år": "2019"})
    g = add_document(store, "Gotland", "gotland.txt", 1, case_attributes={"år": "2018"})
    code = "analyser-utredningar"
    for seg in (k18[0], k19[0], k19[1], s19[0], g[0]):
        store.toggle_code(seg, "insatser", code, "anna")
    store.toggle_code(k19[0], "insatser", "konferenser", "anna")
    return store


def test_tally_by_a_document_attribute_counts_a_case_once_per_year(two_years):
    (result,) = tally(two_years, "insatser", by="år")
    assert result.by_values == ["2018", "2019"]
    assert result.by_totals == {"2018": 2, "2019": 2}  # Kalmar and Gotland; Kalmar and Skåne
    rows = {r.code: r for r in result.rows}
    assert rows["analyser-utredningar"].cases == 3  # the total still counts a case once
    assert rows["analyser-utredningar"].by == {"2018": 2, "2019": 2}
    assert rows["konferenser"].by == {"2018": 0, "2019": 1}


def test_tally_by_year_on_the_command_line(cli, db, two_years):
    result = cli("tally", "--question", "insatser", "--by", "år", "--format", "md", "--db", db)
    assert result.exit_code == 0, result.output
    assert "2018 (n=2)" in result.stdout and "2019 (n=2)" in result.stdout
    unknown = cli("tally", "--by", "year", "--db", db)
    assert unknown.exit_code == 1 and "(attributes: år)" in unknown.stderr


TABLE = [
    ["1", "Kalmar", "Götaland", "Vi följer upp RUS varje år."],
    ["2", "Kalmar", "", "Analyser görs av länsstyrelsen."],
    ["3", "Jämtland", "Norrland", "Konferenser hålls två gånger om året."],
]


def test_attribute_columns_set_case_attributes_and_attributes_go_on_documents(store, tmp_path):
    path = write_csv(tmp_path / "svar.csv", ["id", "region", "landsdel", "text"], TABLE)
    summary = import_table(
        store, path, text_column="text", case_column="region", id_column="id",
        attribute_columns=["landsdel"], attributes={"år": "2019"},
    )  # fmt: skip
    assert (summary.documents, summary.new_cases) == (3, 2)
    rows = {r.name: r for r in case_rows(store)}
    assert rows["Kalmar"].attributes == {"landsdel": "Götaland"}
    assert rows["Jämtland"].attributes == {"landsdel": "Norrland"}
    assert rows["Kalmar"].values == {"landsdel": ["Götaland"], "år": ["2019"]}
    with store.batch(write=False) as b:
        docs = b.documents_under("svar.csv#")
    assert {d.meta["attributes"]["år"] for d in docs.values()} == {"2019"}
    (result,) = tally(store, "insatser", by="år")
    assert result.by_totals == {"2019": 2}


def test_a_case_with_two_values_of_an_attribute_is_refused(store, tmp_path):
    table = [*TABLE, ["4", "Jämtland", "Götaland", "Ännu en text."]]
    path = write_csv(tmp_path / "svar.csv", ["id", "region", "landsdel", "text"], table)
    with pytest.raises(CoderError) as refused:
        import_table(store, path, text_column="text", case_column="region",
                     attribute_columns=["landsdel"])  # fmt: skip
    assert str(refused.value) == (
        f"{path} rows 4 and 5: case 'Jämtland' has two values of attribute 'landsdel' "
        "('Norrland', 'Götaland'); nothing was imported"
    )
    assert case_rows(store) == []


def test_an_unknown_attribute_column_names_the_file_and_its_columns(store, tmp_path):
    path = write_csv(tmp_path / "svar.csv", ["id", "region", "landsdel", "text"], TABLE)
    with pytest.raises(CoderError) as refused:
        import_table(store, path, text_column="text", attribute_columns=["län"])
    assert str(refused.value) == (
        f"{path}: --attribute-column 'län' is not a column (columns: id, region, landsdel, text)"
    )
    assert case_rows(store) == []


def test_attribute_columns_and_a_year_from_the_command_line(cli, db, store, tmp_path):
    path = write_csv(tmp_path / "svar.csv", ["id", "region", "landsdel", "text"], TABLE)
    table = ["--text-column", "text", "--case-column", "region", "--attribute-column", "landsdel"]
    result = cli("import", path, *table, "--attribute", "år=2019", "--db", db)
    assert result.exit_code == 0, result.output
    shown = cli("cases", "list", "--format", "csv", "--db", db).stdout
    listed = list(csv.DictReader(io.StringIO(shown)))
    assert [(r["case"], r["landsdel"], r["år"], r["passages"]) for r in listed] == [
        ("Jämtland", "Norrland", "2019", "1"),
        ("Kalmar", "Götaland", "2019", "2"),
    ]
    bad = cli("import", path, "--text-column", "text", "--attribute-column", "län", "--db", db)
    assert bad.exit_code == 1
    assert f"{path}: --attribute-column 'län' is not a column" in bad.stderr
