"""Importing along a document's structure: sections kept with passages, cases started at
headings (``--case-from heading``), document attributes (``--attribute år=2019``), the
per-file report, and a new year's reports imported beside last year's codings and models."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import docx
import sqlalchemy as sa

from coder.corpus.importer import import_documents
from coder.corpus.parts import heading_text, split_at_headings
from coder.corpus.structure import Block
from coder.store import Store, queries
from coder.store import schema as t
from coder.store.migrations import LATEST

COMPILATION = """\
Sammanställning av regionernas återrapportering, ÅK6.

# Region Kalmar

## Syfte

Regionen vill stärka analysförmågan i länet genom samverkan med kommunerna och lärosätena.

## Hur bedrivs arbetet?

Arbetet bedrivs i en analysgrupp som träffas varje månad och rapporterar till ledningen.

| Indikator | Värde |
|---|---|
| Sysselsättning | 72 % |
| Utbildningsnivå | 41 % |

# Region Jämtland

## Syfte

Syftet är att följa upp den regionala utvecklingsstrategin med ett fåtal tydliga indikatorer.
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def stored(db: str) -> tuple[list[sa.Row], list[sa.Row]]:
    """(documents, segments) of the project."""
    with Store.open(db) as store, store.read() as conn:
        d, s = t.documents.c, t.segments.c
        docs = conn.execute(
            sa.select(d.id, d.name, d.text, d.meta, t.cases.c.name.label("case"))
            .join(t.cases, t.cases.c.id == d.case_id)
            .order_by(d.name)
        ).all()
        segs = conn.execute(sa.select(t.segments).order_by(s.document_id, s.position)).all()
    return docs, segs


def export_segments(cli, db: str, fmt: str = "csv") -> list[dict]:
    result = cli("export", "--what", "segments", "--format", fmt, "--db", db)
    assert result.exit_code == 0, result.output
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(result.stdout)))
    return [json.loads(line) for line in result.stdout.splitlines()]


# -- core ---------------------------------------------------------------------------------------


def test_heading_text_is_the_heading_as_written():
    text = "# Region Kalmar #\n\nLandstinget Dalarna\n===\n## **Syfte**\n"
    assert heading_text(text, Block("heading", 0, 17, 1)) == "Region Kalmar"
    assert heading_text(text, Block("heading", 19, 42, 1)) == "Landstinget Dalarna"
    assert heading_text(text, Block("heading", 43, 55, 2)) == "Syfte"


def test_parts_run_to_the_next_heading_of_their_level_and_leave_out_what_is_above():
    text = "Inledning.\n# Del\n## A\nett\n### A1\ntvå\n## B\ntre\n# Bilaga\nfyra"
    at = text.index
    blocks = [
        Block("paragraph", 0, 10),
        Block("heading", at("# Del"), at("# Del") + 5, 1),
        Block("heading", at("## A"), at("## A") + 4, 2),
        Block("paragraph", at("ett"), at("ett") + 3),
        Block("heading", at("### A1"), at("### A1") + 6, 3),
        Block("paragraph", at("två"), at("två") + 3),
        Block("heading", at("## B"), at("## B") + 4, 2),
        Block("paragraph", at("tre"), at("tre") + 3),
        Block("heading", at("# Bilaga"), at("# Bilaga") + 8, 1),
        Block("paragraph", at("fyra"), at("fyra") + 4),
    ]
    split = split_at_headings(text, blocks, 2)
    assert [(p.heading, p.text) for p in split.parts] == [("A", "ett\n### A1\ntvå"), ("B", "tre")]
    a = split.parts[0]
    assert [(b.kind, a.text[b.start : b.end]) for b in a.blocks] == [
        ("paragraph", "ett"),
        ("heading", "### A1"),
        ("paragraph", "två"),
    ]
    assert split.before == len("Inledning.\n# Del")
    assert split.outside == len("# Bilaga\nfyra")
    assert split_at_headings(text, blocks, 4).parts == []


# -- --case-from heading ------------------------------------------------------------------------


def test_a_compilation_becomes_one_case_per_region_with_sections(cli, db, tmp_path):
    path = write(tmp_path / "Sammanställning.md", COMPILATION)
    result = cli("import", path, "--db", db, "--case-from", "heading")
    assert result.exit_code == 0, result.output
    docs, segs = stored(db)
    assert [(d.name, d.case) for d in docs] == [
        ("Sammanställning.md#Region Jämtland", "Region Jämtland"),
        ("Sammanställning.md#Region Kalmar", "Region Kalmar"),
    ]
    texts = [s.text for s in segs]
    assert not {"Syfte", "Hur bedrivs arbetet?", "Region Kalmar", "## Syfte"} & set(texts)
    assert not any(text.startswith("Sammanställning av") for text in texts)
    kalmar = next(d for d in docs if d.case == "Region Kalmar")
    assert kalmar.text.startswith("## Syfte") and "Region Jämtland" not in kalmar.text
    assert kalmar.meta["part"] == "Region Kalmar" and kalmar.meta["path"] == str(path)
    assert COMPILATION[kalmar.meta["part_start"] : kalmar.meta["part_end"]] == kalmar.text
    of_kalmar = [s for s in segs if s.document_id == kalmar.id]
    sections = {s.text: s.section for s in of_kalmar}
    assert sections[
        "Regionen vill stärka analysförmågan i länet genom samverkan med kommunerna och lärosätena."
    ] == ("Syfte")
    assert sections["Indikator: Sysselsättning; Värde: 72 %"] == "Hur bedrivs arbetet?"
    for s in of_kalmar:  # offsets relative to the part; a row's span covers its source line
        source = kalmar.text[s.start_char : s.end_char]
        if s.text.startswith("Indikator:"):
            assert source.startswith("|") and s.text.split("; ")[0].split(": ")[1] in source
        else:
            assert source == s.text
    before = len("Sammanställning av regionernas återrapportering, ÅK6.")
    assert result.stdout.splitlines() == [
        f"Imported 2 documents ({len(segs)} segments), 2 new cases.",
        f"Note: {path}: text before the first heading skipped ({before} characters)",
    ]
    assert (
        f"  Sammanställning.md: 2 cases, {len(segs)} passages (2 table rows); "
        f"text before the first heading skipped ({before} characters)"
    ) in result.stderr.splitlines()
    assert len(of_kalmar) == 4

    again = cli("import", path, "--db", db, "--case-from", "heading")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[0] == (
        "Imported 0 documents (0 segments), 2 already imported and unchanged."
    )
    assert "Sammanställning.md: 2 parts already imported and unchanged" in again.stderr
    assert stored(db)[1] == segs


def test_an_edited_region_is_not_imported_again_but_a_new_region_is(cli, db, tmp_path):
    path = write(tmp_path / "Sammanställning.md", COMPILATION)
    assert cli("import", path, "--db", db, "--case-from", "heading").exit_code == 0
    write(
        path,
        COMPILATION.replace("ett fåtal tydliga", "några få")
        + "\n# Landstinget Dalarna\n\nLandstinget samlar uppföljningen i en årlig rapport.\n",
    )
    result = cli("import", path, "--db", db, "--case-from", "heading")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "Imported 1 documents (1 segments), 1 new cases, 1 already imported and unchanged."
    )
    assert "Sammanställning.md#Region Jämtland'; not imported again" in result.stdout
    docs, _ = stored(db)
    assert [d.case for d in docs] == ["Landstinget Dalarna", "Region Jämtland", "Region Kalmar"]


def test_heading_2_starts_the_cases_at_the_second_level(cli, db, tmp_path):
    path = write(
        tmp_path / "Län.md",
        "# Norra Sverige\n\n## Region Norrbotten\n\nNorrbotten följer upp RUS årligen.\n\n"
        "### Metod\n\nEnkäter till kommunerna.\n\n## Region Västerbotten\n\n"
        "Västerbotten har en analysenhet.\n",
    )
    result = cli("import", path, "--db", db, "--case-from", "heading:2")
    assert result.exit_code == 0, result.output
    docs, segs = stored(db)
    assert [d.case for d in docs] == ["Region Norrbotten", "Region Västerbotten"]
    assert [(s.text, s.section) for s in segs if s.document_id == docs[0].id] == [
        ("Norrbotten följer upp RUS årligen.", None),
        ("Enkäter till kommunerna.", "Metod"),
    ]
    assert f"Note: {path}: text before the first heading skipped (15 characters)" in result.stdout


def test_a_file_without_the_heading_level_is_refused_and_nothing_is_written(cli, db, tmp_path):
    good = write(tmp_path / "a.md", COMPILATION)
    flat = write(tmp_path / "b.md", "Bara löptext.\n\nInga rubriker alls.\n")
    result = cli("import", good, flat, "--db", db, "--case-from", "heading")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"coder: error: {flat}: no level-1 heading to start a case at (--case-from heading)"
    ]
    assert stored(db) == ([], [])
    deeper = cli("import", good, "--db", db, "--case-from", "heading:3")
    assert deeper.exit_code == 1
    assert "no level-3 heading to start a case at (--case-from heading:3)" in deeper.stderr
    wrong = cli("import", good, "--db", db, "--case-from", "rubrik")
    assert wrong.exit_code == 1 and "unknown --case-from 'rubrik'" in wrong.stderr
    assert stored(db) == ([], [])


def make_compilation_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("Återrapportering 2019 från regionerna.")
    for region, rows in (("Region Kalmar", 2), ("Region Jämtland", 1)):
        document.add_heading(region, level=1)
        document.add_heading("Uppföljning", level=2)
        document.add_paragraph(f"{region} följer upp strategin med egna indikatorer varje år.")
        table = document.add_table(rows=rows + 1, cols=2)
        table.rows[0].cells[0].text = "Indikator"
        table.rows[0].cells[1].text = "Utfall"
        for i in range(rows):
            table.rows[i + 1].cells[0].text = f"Mått {i + 1}"
            table.rows[i + 1].cells[1].text = f"{10 * (i + 1)} %"
    document.save(str(path))
    return path


def test_a_docx_compilation_with_heading_1_per_region_and_tables(cli, db, tmp_path):
    path = make_compilation_docx(tmp_path / "Regioner.docx")
    result = cli("import", path, "--db", db, "--case-from", "heading")
    assert result.exit_code == 0, result.output
    docs, segs = stored(db)
    assert [d.case for d in docs] == ["Region Jämtland", "Region Kalmar"]
    kalmar = docs[1]
    assert [(s.text, s.section) for s in segs if s.document_id == kalmar.id] == [
        ("Region Kalmar följer upp strategin med egna indikatorer varje år.", "Uppföljning"),
        ("Indikator: Mått 1; Utfall: 10 %", "Uppföljning"),
        ("Indikator: Mått 2; Utfall: 20 %", "Uppföljning"),
    ]
    assert "  Regioner.docx: 2 cases, 5 passages (3 table rows); text before the first " in (
        result.stderr
    )


# -- sections in the export, and in older projects ----------------------------------------------


def test_the_segments_export_ends_with_the_section(cli, db, tmp_path):
    write(tmp_path / "Kalmar.md", "# Syfte\n\nAtt stärka analysen.\n\n## Metod\n\nEnkäter.\n")
    write(tmp_path / "Halland.txt", "Ingen rubrik här, bara en mening som löper på.\n")
    assert cli("import", tmp_path, "--db", db).exit_code == 0
    rows = export_segments(cli, db)
    assert list(rows[0]) == [*queries.SEGMENT_COLUMNS, "section"]
    assert [(r["case"], r["text"], r["section"]) for r in rows] == [
        ("Halland", "Ingen rubrik här, bara en mening som löper på.", ""),
        ("Kalmar", "Att stärka analysen.", "Syfte"),
        ("Kalmar", "Enkäter.", "Syfte > Metod"),
    ]
    lines = export_segments(cli, db, "jsonl")
    assert [r["section"] for r in lines] == ["", "Syfte", "Syfte > Metod"]
    assert list(lines[0]) == [*queries.SEGMENT_COLUMNS, "section"]


def test_passages_of_an_older_project_have_no_section(cli, db, tmp_path):
    write(tmp_path / "Kalmar.md", "# Syfte\n\nAtt stärka analysen.\n")
    with Store.open(db) as store:
        import_documents(store, [tmp_path / "Kalmar.md"])
    with sqlite3.connect(db) as conn:  # as a project was before migration 8
        conn.execute("ALTER TABLE segments DROP COLUMN section")
        conn.execute("DELETE FROM schema_migrations WHERE version = 8")
    rows = export_segments(cli, db)  # read through a migrated copy
    assert [(r["text"], r["section"]) for r in rows] == [("Att stärka analysen.", "")]
    Store.open(db).close()  # migrated in place
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT section FROM segments").fetchall() == [(None,)]
        versions = sorted(v for (v,) in conn.execute("SELECT version FROM schema_migrations"))
        assert versions == list(range(1, LATEST + 1))


# -- attributes and years -----------------------------------------------------------------------


def test_attributes_go_on_every_new_document(cli, db, tmp_path):
    write(tmp_path / "Kalmar.md", "Kalmar följer upp.\n")
    path = write(tmp_path / "Sammanställning.md", COMPILATION)
    result = cli("import", tmp_path / "Kalmar.md", "--db", db, "--attribute", "år=2019",
                 "--attribute", "källa = enkät")  # fmt: skip
    assert result.exit_code == 0, result.output
    heading = cli("import", path, "--db", db, "--case-from", "heading", "--attribute", "år=2019")
    assert heading.exit_code == 0, heading.output
    docs, _ = stored(db)
    assert {d.name: d.meta.get("attributes") for d in docs} == {
        "Kalmar.md": {"år": "2019", "källa": "enkät"},
        "Sammanställning.md#Region Jämtland": {"år": "2019"},
        "Sammanställning.md#Region Kalmar": {"år": "2019"},
    }


def test_a_malformed_attribute_is_refused_in_one_line(cli, db, tmp_path):
    path = write(tmp_path / "Kalmar.md", "Kalmar följer upp.\n")
    for bad in ("år", "=2019", "år="):
        result = cli("import", path, "--db", db, "--attribute", bad)
        assert result.exit_code == 1
        assert result.stderr.strip().splitlines() == [
            f"coder: error: --attribute '{bad}': expected KEY=VALUE (e.g. år=2019)"
        ]
    column = cli("import", path, "--db", db, "--attribute-column", "län")
    assert column.exit_code == 1
    assert "--attribute-column is for CSV/XLSX tables" in column.stderr
    assert stored(db) == ([], [])


REGIONS = {
    "Kalmar": ("lärandeplan", "analys"),
    "Gotland": ("lärandeplan", "analys"),
    "Halland": ("ramverk", "seminarium"),
    "Skåne": ("ramverk", "seminarium"),
}


def year_reports(folder: Path, year: int) -> Path:
    folder.mkdir()
    for region, (first, second) in REGIONS.items():
        write(
            folder / f"{region}.md",
            f"# Arbetssätt\n\nRegion {region} arbetar {year} utifrån en {first} för hela länet.\n\n"
            f"# Insatser\n\nUnder {year} genomfördes en {second} tillsammans med kommunerna.\n\n"
            f"Regionen redovisar {year} också en {first} och en {second} i bilagan.\n",
        )
    return folder


def test_a_new_years_reports_keep_last_years_codings_and_models(cli, db, tmp_path):
    first = cli("import", year_reports(tmp_path / "2018", 2018), "--db", db,
                "--attribute", "år=2018")  # fmt: skip
    assert first.exit_code == 0, first.output
    with Store.open(db) as store:
        rows = list(queries.iter_segments(store))
        for row in rows:
            text = row["text"]
            code = "strategiskt-ramverk" if "ramverk" in text else "overgripande-ambition"
            store.toggle_code(row["segment_id"], "arbetssatt", code, "anna")
        codings = list(queries.iter_codings(store))
    assert len(codings) == len(rows) == 12
    trained = cli("train", "--question", "arbetssatt", "--folds", "2", "--db", db)
    assert trained.exit_code == 0, trained.output
    before = cli("status", "--db", db).stdout
    model_line = next(
        line for line in before.splitlines() if line.startswith("  arbetssatt") and "sugg" in line
    )
    assert "12 passages" in model_line

    second = cli("import", year_reports(tmp_path / "2019", 2019), "--db", db,
                 "--attribute", "år=2019")  # fmt: skip
    assert second.exit_code == 0, second.output
    assert second.stdout.startswith("Imported 4 documents (12 segments).")  # no new cases
    with Store.open(db) as store:
        assert list(queries.iter_codings(store)) == codings
    after = cli("status", "--db", db).stdout
    assert model_line in after and "STALE" not in after
    assert "4 cases, 8 documents, 24 segments" in after
    docs, _ = stored(db)
    years = {d.name: d.meta["attributes"]["år"] for d in docs}
    assert years == {
        **{f"2018/{region}.md": "2018" for region in REGIONS},
        **{f"2019/{region}.md": "2019" for region in REGIONS},
    }
    exported = export_segments(cli, db)
    assert {r["document"].split("/")[0] for r in exported} == {"2018", "2019"}
    assert {r["section"] for r in exported} == {"Arbetssätt", "Insatser"}


# -- the per-file report ------------------------------------------------------------------------


def test_import_says_per_file_what_it_did(cli, db, tmp_path):
    folder = tmp_path / "rapporter"
    folder.mkdir()
    write(folder / "Kalmar.md", "# Syfte\n\nAtt stärka analysen.\n\n| A | B |\n|---|---|\n"
                                "| 1 | 2 |\n| 3 | 4 |\n")  # fmt: skip
    write(folder / "Gotland.txt", "En mening.\n")
    result = cli("import", folder, "--db", db)
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert "  Gotland.txt: 1 case, 1 passage" in lines, result.stderr
    assert "  Kalmar.md: 1 case, 3 passages (2 table rows)" in lines, result.stderr
    assert result.stdout.splitlines() == ["Imported 2 documents (4 segments), 2 new cases."]
    again = cli("import", folder, "--db", db)
    assert "  Kalmar.md: already imported and unchanged" in again.stderr.splitlines()


def test_a_compilation_with_tables_keeps_every_project_invariant(cli, db, tmp_path):
    """The checks the kill tests run hold for table rows too: a row's passage reads
    'Indikator: Sysselsättning; Värde: 72 %' while its offsets cover the row's line."""
    from tests.invariants import check

    result = cli(
        "import", write(tmp_path / "s.md", COMPILATION), "--db", db, "--case-from", "heading"
    )
    assert result.exit_code == 0, result.output
    _, segs = stored(db)
    assert "Indikator: Sysselsättning; Värde: 72 %" in [s.text for s in segs]
    assert check(db)["documents"] == 2


# -- a compilation imported again ---------------------------------------------------------------


def test_a_file_imported_whole_is_not_imported_again_in_parts_nor_the_reverse(cli, db, tmp_path):
    path = write(tmp_path / "Sammanställning.md", COMPILATION)
    assert cli("import", path, "--db", db).exit_code == 0
    before = stored(db)
    parts = cli("import", path, "--db", db, "--case-from", "heading")
    assert parts.exit_code == 0, parts.output
    reason = (
        "imported before as one document ('Sammanställning.md'), not in parts; "
        "not imported again with --case-from heading"
    )
    assert f"  Sammanställning.md: {reason}" in parts.stderr.splitlines()
    assert f"  {path}: {reason}" in parts.stdout.splitlines()
    assert stored(db) == before

    other = write(tmp_path / "Andra.md", COMPILATION.replace("ÅK6", "ÅK7"))
    assert cli("import", other, "--db", db, "--case-from", "heading").exit_code == 0
    before = stored(db)
    whole = cli("import", other, "--db", db)
    assert (
        "  Andra.md: imported before in parts with --case-from heading "
        "('Andra.md#Region Jämtland' and 1 more); not imported again as one document"
    ) in whole.stderr.splitlines()
    assert stored(db) == before


def test_parts_are_matched_by_their_text_before_their_heading(cli, db, tmp_path):
    path = write(
        tmp_path / "S.md", COMPILATION + "\n# Region Kalmar\n\nAndra avsnittet om Kalmar.\n"
    )
    assert cli("import", path, "--db", db, "--case-from", "heading").exit_code == 0
    docs, segs = stored(db)
    assert [d.name for d in docs] == ["S.md#Region Jämtland", "S.md#Region Kalmar",
                                      "S.md#Region Kalmar (2)"]  # fmt: skip
    # the first Kalmar section deleted, Jämtland renamed: nothing is added
    edited = COMPILATION.replace("# Region Jämtland", "# Region Jämtlands län")
    start, end = edited.index("# Region Kalmar"), edited.index("# Region Jämtlands län")
    write(path, edited[:start] + edited[end:] + "\n# Region Kalmar\n\nAndra avsnittet om Kalmar.\n")
    result = cli("import", path, "--db", db, "--case-from", "heading")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "Imported 0 documents (0 segments), 2 already imported and unchanged."
    )
    notes = [line for line in result.stdout.splitlines() if line.startswith("Note:")]
    assert notes[1:] == [
        f"Note: {path}: 'Region Jämtlands län' is the section imported before as "
        "'Region Jämtland' (the same text); its document 'S.md#Region Jämtland' was left as it was",
        f"Note: {path}: 'Region Kalmar' is the section imported before as 'Region Kalmar (2)' "
        "(the same text); its document 'S.md#Region Kalmar (2)' was left as it was",
        f"Note: {path}: 'Region Kalmar' is no longer in the file; its document "
        "'S.md#Region Kalmar' stays in the project",
    ]
    assert "changed since" not in result.output
    assert stored(db) == (docs, segs)


# -- case names ---------------------------------------------------------------------------------


def test_outline_numbers_are_not_part_of_the_case(cli, db, tmp_path):
    text = (
        "# 1. Region Skåne\n\nSkåne.\n\n# 2.3 Region Kalmar\n\nKalmar.\n\n"
        "# IV. Landstinget Dalarna\n\nDalarna.\n\n# 2019 års uppföljning\n\nText.\n"
    )
    path = write(tmp_path / "S.md", text)
    assert cli("import", path, "--db", db, "--case-from", "heading").exit_code == 0
    docs, _ = stored(db)
    assert sorted((d.case, d.name) for d in docs) == [
        ("2019 års uppföljning", "S.md#2019 års uppföljning"),
        ("Landstinget Dalarna", "S.md#IV. Landstinget Dalarna"),
        ("Region Kalmar", "S.md#2.3 Region Kalmar"),
        ("Region Skåne", "S.md#1. Region Skåne"),
    ]


def test_a_compilation_under_one_title_is_told_about_heading_2(cli, db, tmp_path):
    path = write(
        tmp_path / "S.md", "# Återrapportering 2021\n\n" + COMPILATION.replace("# ", "## ")
    )
    result = cli("import", path, "--db", db, "--case-from", "heading")
    assert result.exit_code == 0, result.output
    assert (
        f"Note: {path}: only one case, 'Återrapportering 2021', and 2 level-2 headings: "
        "--case-from heading:2 makes a case of each"
    ) in result.stdout.splitlines()


# -- attributes on files imported before --------------------------------------------------------


def test_front_matter_booleans_read_as_the_text_an_attribute_option_gives(cli, db, tmp_path):
    write(tmp_path / "Kalmar.md", "---\nattributes:\n  aktiv: true\n  pilot: no\n---\nText.\n")
    assert cli("import", tmp_path / "Kalmar.md", "--db", db).exit_code == 0
    with Store.open(db) as store:
        assert queries.case_attributes(store)["Kalmar"] == {"aktiv": "true", "pilot": "false"}


def test_another_value_for_a_file_imported_before_is_another_report(cli, db, tmp_path):
    """Issue 13 (brief I): the same file given again with another år is another year's report
    (a new document beside the first), no longer a note that the attribute was not applied."""
    path = write(tmp_path / "Kalmar.md", "Kalmar följer upp.\n")
    assert cli("import", path, "--db", db, "--attribute", "år=2020").exit_code == 0
    same = cli("import", path, "--db", db, "--attribute", "år=2020")
    assert "  Kalmar.md: already imported and unchanged" in same.stderr.splitlines()
    other = cli("import", path, "--db", db, "--attribute", "år=2021")
    assert other.exit_code == 0, other.output
    note = "new document 'Kalmar.md (år=2021)': 'Kalmar.md' (the same text) has år=2020"
    assert f"  Kalmar.md: 1 case, 1 passage; {note}" in other.stderr.splitlines()
    assert f"Note: {path}: {note}" in other.stdout.splitlines()
    assert "coder cases set" not in other.output
    docs, _ = stored(db)
    assert {d.name: d.meta["attributes"] for d in docs} == {
        "Kalmar.md": {"år": "2020"},
        "Kalmar.md (år=2021)": {"år": "2021"},
    }


def test_a_compilation_split_at_one_level_is_not_split_again_at_another(cli, db, tmp_path):
    path = write(tmp_path / "S.md", "# Återrapportering\n\n" + COMPILATION.replace("# ", "## "))
    assert cli("import", path, "--db", db, "--case-from", "heading:2").exit_code == 0
    before = stored(db)
    result = cli("import", path, "--db", db, "--case-from", "heading")
    assert result.exit_code == 0, result.output
    assert (
        "  S.md: imported before in parts at level-2 headings (--case-from heading:2); "
        "not imported again at level 1"
    ) in result.stderr.splitlines()
    assert stored(db) == before
