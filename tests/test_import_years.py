"""A new year's reports never drop a report or its year silently (issue 13, item 3's
groundwork): ``--attribute år=2019`` is part of what a report is when a file is met again.

A document met again (same file, same name, or the same text in its case; whole files and
``--case-from heading`` parts alike) that has every given attribute is unchanged; one that
lacks it gets it (its codings untouched); one with another value is another year's report,
so the file becomes a new document beside it. Without ``--attribute`` a copy is not imported
again, and the import says so. The scenarios end in ``coder tally --compare år``: the demo
key's 2018 (framework 6, ambition 4, general 4) beside 2019's reports all coded framework.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pytest
import sqlalchemy as sa

from coder.corpus.changes import SetDocumentAttributes
from coder.corpus.importer import import_documents
from coder.store import Store, queries
from coder.store import schema as t
from tests.conftest import CORPUS
from tests.demo_key import GA, OA, SR, code_demo
from tests.invariants import check

REGIONS = sorted(p.stem for p in CORPUS.glob("*.md") if p.name != "README.md")


def year_folder(folder: Path, year: int, same: Iterable[str] = ()) -> Path:
    """The demo regions' reports of ``year`` in ``folder``: each demo report with a sentence
    of the year added to its first paragraph (same paragraphs, other text), but the regions
    in ``same``, which sent the demo's text again unchanged."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in CORPUS.glob("*.md"):
        if path.name == "README.md":
            continue
        if path.stem in same:
            shutil.copyfile(path, folder / path.name)
            continue
        _, front, body = path.read_text("utf-8").split("---\n", 2)
        body = body.replace("\n", f" Så även {year}.\n", 1)
        (folder / path.name).write_text(f"---\n{front}---\n{body}", "utf-8")
    return folder


def documents(db: str) -> dict[str, tuple[str, dict, str]]:
    """document name -> (case, its own attributes, text)."""
    d, c = t.documents.c, t.cases.c
    with Store.open(db) as store, store.read() as conn:
        rows = conn.execute(
            sa.select(d.name, c.name.label("case"), d.meta, d.text).join(t.cases, c.id == d.case_id)
        )
        return {r.name: (r.case, dict(r.meta).get("attributes", {}), r.text) for r in rows}


def cases_by_year(db: str) -> dict[str, set[str]]:
    """year -> the cases with a report (with passages) of that year."""
    found: dict[str, set[str]] = defaultdict(set)
    with Store.open(db) as store:
        for doc in queries.document_attributes(store):
            if doc.has_passages:
                found[doc.attributes.get("år", "–")].add(doc.case)
    return dict(found)


def code_year(db: str, year: str, code: str = SR) -> None:
    """Code the first passage of every report of ``year`` under ``code`` (arbetssatt)."""
    with Store.open(db) as store:
        docs = [d.id for d in queries.document_attributes(store) if d.attributes.get("år") == year]
        first: dict[int, int] = {}
        for seg, doc in queries.segment_documents(store, docs).items():
            first[doc] = min(seg, first.get(doc, seg))
        for seg in first.values():
            store.toggle_code(seg, "arbetssatt", code, "anna")


def code_first_year(db: str) -> None:
    """The demo key on the project's only reports (one per region)."""
    with Store.open(db) as store:
        code_demo(store)


def compare(cli, db: str, question: str = "arbetssatt") -> dict[str, dict[str, str]]:
    """``coder tally --compare år --format csv``: code -> its row."""
    out = cli("tally", "--compare", "år", "--format", "csv", "--question", question, "--db", db)
    assert out.exit_code == 0, out.output
    return {r["code"]: r for r in csv.DictReader(io.StringIO(out.stdout.lstrip("\ufeff")))}


def years_of(rows: dict[str, dict[str, str]], code: str) -> tuple[str, str, str]:
    row = rows[code]
    return (row["år=2018"], row["år=2019"], row["change"])


def codings(cli, db: str) -> str:
    out = cli("export", "--what", "codings", "--db", db)
    assert out.exit_code == 0, out.output
    return out.stdout


def notes(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("Note:")]


# -- 1: reports imported without a year, labelled afterwards -------------------------------------


def test_a_year_put_on_reports_imported_without_it_keeps_their_codings(cli, db, tmp_path):
    first = year_folder(tmp_path / "2018", 2018, same=REGIONS)
    assert cli("import", first, "--db", db).exit_code == 0
    code_first_year(db)
    before, texts = codings(cli, db), documents(db)

    labelled = cli("import", first, "--db", db, "--attribute", "år=2018")
    assert labelled.exit_code == 0, labelled.output
    assert labelled.stdout.splitlines()[0] == (
        "Imported 0 documents (0 segments), 14 already imported and unchanged."
    )
    note = "år=2018 set on '2018/Blekinge.md' (imported before without it)"
    assert f"Note: {first / 'Blekinge.md'}: {note}" in labelled.stdout.splitlines()
    assert f"  Blekinge.md: already imported; {note}" in labelled.stderr.splitlines()
    assert len(notes(labelled)) == 14
    assert "coder cases set" not in labelled.output
    assert codings(cli, db) == before  # no coding moved
    after = documents(db)
    assert {n: (c, text) for n, (c, _, text) in after.items()} == {
        n: (c, text) for n, (c, _, text) in texts.items()
    }  # no text changed, no document added
    assert {n: attrs for n, (_, attrs, _) in after.items()} == {
        f"2018/{region}.md": {"år": "2018"} for region in REGIONS
    }

    again = cli("import", first, "--db", db, "--attribute", "år=2018")
    assert again.stdout.splitlines() == [
        "Imported 0 documents (0 segments), 14 already imported and unchanged."
    ]
    assert "  Blekinge.md: already imported and unchanged" in again.stderr.splitlines()

    second = cli("import", year_folder(tmp_path / "2019", 2019), "--db", db,
                 "--attribute", "år=2019")  # fmt: skip
    assert second.stdout.splitlines()[0] == "Imported 14 documents (57 segments)."
    code_year(db, "2019")
    assert set(before.splitlines()) < set(codings(cli, db).splitlines())  # 2018's all kept
    assert cases_by_year(db) == {"2018": set(REGIONS), "2019": set(REGIONS)}
    rows = compare(cli, db)
    assert years_of(rows, SR) == ("6", "14", "8")
    assert years_of(rows, OA) == ("4", "0", "-4")
    assert years_of(rows, GA) == ("4", "0", "-4")
    check(db)


def test_the_year_given_to_the_same_folder_after_a_plain_import(cli, db, tmp_path):
    """The newcomer's run: ``coder import corpus/`` then ``coder import corpus/ --attribute
    år=2019`` used to import nothing and advise ``coder cases set``."""
    assert cli("import", CORPUS, "--db", db).exit_code == 0
    result = cli("import", CORPUS, "--db", db, "--attribute", "år=2019")
    assert result.exit_code == 0, result.output
    assert "14 already imported and unchanged" in result.stdout
    assert {attrs.get("år") for _, attrs, _ in documents(db).values()} == {"2019"}
    with Store.open(db) as store:  # the case keeps its own attributes, without år
        assert "år" not in queries.case_attributes(store)["Blekinge"]


# -- 2: a copy in another folder ------------------------------------------------------------------


def test_a_copy_in_another_folder_is_said_labelled_or_another_years(cli, db, tmp_path):
    """2018's reports with their year; this year's first imported plainly from an inbox
    (Blekinge sent last year's text again), then from their year's folder with the year."""
    first = year_folder(tmp_path / "2018", 2018, same=REGIONS)
    assert cli("import", first, "--db", db, "--attribute", "år=2018").exit_code == 0
    code_first_year(db)
    before = codings(cli, db)

    inbox = year_folder(tmp_path / "inkommet", 2019, same=["Blekinge"])
    plain = cli("import", inbox, "--db", db)
    assert plain.exit_code == 0, plain.output
    assert plain.stdout.splitlines()[0] == (
        "Imported 13 documents (53 segments), 1 already imported and unchanged."
    )
    copy = "the same text as '2018/Blekinge.md' (år=2018), imported before; not imported again"
    assert f"  Blekinge.md: already imported and unchanged; {copy}" in plain.stderr.splitlines()
    assert f"Note: {inbox / 'Blekinge.md'}: {copy}" in plain.stdout.splitlines()

    folder = tmp_path / "2019"
    shutil.copytree(inbox, folder)
    labelled = cli("import", folder, "--db", db, "--attribute", "år=2019")
    assert labelled.exit_code == 0, labelled.output
    assert labelled.stdout.splitlines()[0] == (
        "Imported 1 documents (4 segments), 13 already imported and unchanged."
    )
    lines = labelled.stderr.splitlines()
    assert (
        "  Dalarna.md: already imported; år=2019 set on 'inkommet/Dalarna.md' "
        "(the same text, imported before without it)"
    ) in lines
    assert (
        "  Blekinge.md: 1 case, 4 passages; new document '2019/Blekinge.md': "
        "'2018/Blekinge.md' (the same text) has år=2018"
    ) in lines
    docs = documents(db)
    assert docs["2019/Blekinge.md"][1:] == ({"år": "2019"}, docs["2018/Blekinge.md"][2])
    assert docs["inkommet/Dalarna.md"][1] == {"år": "2019"}
    assert "2019/Dalarna.md" not in docs  # labelled, not imported twice
    assert codings(cli, db) == before

    again = cli("import", folder, "--db", db, "--attribute", "år=2019")
    assert again.stdout.splitlines() == [
        "Imported 0 documents (0 segments), 14 already imported and unchanged.",
        *(
            f"Note: {folder / f'{region}.md'}: the same text as 'inkommet/{region}.md' "
            "(år=2019), imported before; not imported again"
            for region in REGIONS
            if region != "Blekinge"
        ),
    ]
    code_year(db, "2019")
    assert cases_by_year(db) == {"2018": set(REGIONS), "2019": set(REGIONS)}
    rows = compare(cli, db)
    assert years_of(rows, SR) == ("6", "14", "8")
    assert years_of(rows, OA) == ("4", "0", "-4")
    check(db)


def test_a_copy_without_attributes_is_said_never_silent(cli, db, tmp_path):
    first = year_folder(tmp_path / "a", 2018, same=["Kalmar"])
    assert cli("import", first / "Kalmar.md", "--db", db).exit_code == 0
    other = tmp_path / "b" / "Kalmar.md"
    other.parent.mkdir()
    shutil.copyfile(first / "Kalmar.md", other)
    result = cli("import", other, "--db", db)
    assert result.exit_code == 0, result.output
    said = "the same text as 'Kalmar.md', imported before; not imported again"
    assert result.stdout.splitlines() == [
        "Imported 0 documents (0 segments), 1 already imported and unchanged.",
        f"Note: {other}: {said}",
    ]
    assert result.stderr.splitlines()[0] == f"  Kalmar.md: already imported and unchanged; {said}"
    assert list(documents(db)) == ["Kalmar.md"]


# -- 3: the same text in another year ------------------------------------------------------------


def test_a_region_sending_the_same_text_next_year_is_in_both_years(cli, db, tmp_path):
    first = year_folder(tmp_path / "2018", 2018, same=REGIONS)
    assert cli("import", first, "--db", db, "--attribute", "år=2018").exit_code == 0
    code_first_year(db)
    before = codings(cli, db)

    folder = year_folder(tmp_path / "2019", 2019, same=["Blekinge", "Dalarna"])
    second = cli("import", folder, "--db", db, "--attribute", "år=2019")
    assert second.exit_code == 0, second.output
    assert second.stdout.splitlines() == [
        "Imported 14 documents (57 segments).",
        *(
            f"Note: {folder / f'{region}.md'}: new document '2019/{region}.md': "
            f"'2018/{region}.md' (the same text) has år=2018"
            for region in ("Blekinge", "Dalarna")
        ),
    ]
    assert (
        "  Blekinge.md: 1 case, 4 passages; new document '2019/Blekinge.md': "
        "'2018/Blekinge.md' (the same text) has år=2018"
    ) in second.stderr.splitlines()
    assert codings(cli, db) == before

    again = cli("import", folder, "--db", db, "--attribute", "år=2019")
    assert again.stdout.splitlines() == [
        "Imported 0 documents (0 segments), 14 already imported and unchanged."
    ]
    one = cli("import", folder / "Blekinge.md", "--db", db, "--attribute", "år=2019")
    assert one.stdout.splitlines() == [
        "Imported 0 documents (0 segments), 1 already imported and unchanged."
    ]
    plain = cli("import", folder, "--db", db)  # without the year: its own documents, unchanged
    assert plain.stdout.splitlines() == [
        "Imported 0 documents (0 segments), 14 already imported and unchanged."
    ]
    code_year(db, "2019")
    assert cases_by_year(db) == {"2018": set(REGIONS), "2019": set(REGIONS)}
    rows = compare(cli, db)
    assert years_of(rows, SR) == ("6", "14", "8")
    assert years_of(rows, GA) == ("4", "0", "-4")
    assert len(documents(db)) == 28
    check(db)


def test_the_same_folder_with_next_years_files_and_year(cli, db, tmp_path):
    """The files of one folder replaced by next year's (Blekinge's unchanged): each file is
    another report, a new document named with its year; last year's stay as they were."""
    folder = year_folder(tmp_path / "rapporter", 2018, same=REGIONS)
    assert cli("import", folder, "--db", db, "--attribute", "år=2018").exit_code == 0
    code_first_year(db)
    before, texts = codings(cli, db), documents(db)
    year_folder(folder, 2019, same=["Blekinge"])
    second = cli("import", folder, "--db", db, "--attribute", "år=2019")
    assert second.exit_code == 0, second.output
    assert second.stdout.splitlines()[0] == "Imported 14 documents (57 segments)."
    assert (
        "  Kalmar.md: 1 case, 5 passages; new document 'rapporter/Kalmar.md (år=2019)': "
        "'rapporter/Kalmar.md' has år=2018"
    ) in second.stderr.splitlines()
    assert (
        "  Blekinge.md: 1 case, 4 passages; new document 'rapporter/Blekinge.md (år=2019)': "
        "'rapporter/Blekinge.md' (the same text) has år=2018"
    ) in second.stderr.splitlines()
    docs = documents(db)
    assert {n: docs[n] for n in texts} == texts
    assert docs["rapporter/Kalmar.md (år=2019)"][1] == {"år": "2019"}
    assert codings(cli, db) == before
    again = cli("import", folder, "--db", db, "--attribute", "år=2019")
    assert again.stdout.splitlines() == [
        "Imported 0 documents (0 segments), 14 already imported and unchanged."
    ]
    back = cli("import", folder, "--db", db, "--attribute", "år=2018")  # the files are 2019's
    assert back.stdout.splitlines()[0] == (
        "Imported 0 documents (0 segments), 1 already imported and unchanged."
    )
    assert "  Kalmar.md: changed since it was imported as 'rapporter/Kalmar.md'" in back.stderr
    code_year(db, "2019")
    rows = compare(cli, db)
    assert years_of(rows, SR) == ("6", "14", "8")
    check(db)


def test_a_changed_file_imported_without_a_year_is_not_labelled(cli, db, tmp_path):
    """Its document holds the earlier text: the year of the new text is not put on it."""
    folder = year_folder(tmp_path / "rapporter", 2018, same=REGIONS)
    assert cli("import", folder, "--db", db).exit_code == 0
    year_folder(folder, 2019, same=[r for r in REGIONS if r != "Kalmar"])
    result = cli("import", folder, "--db", db, "--attribute", "år=2019")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "Imported 0 documents (0 segments), 13 already imported and unchanged."
    )
    assert (
        f"  {folder / 'Kalmar.md'}: changed since it was imported as 'rapporter/Kalmar.md'; "
        "not imported again (its codings stay on the earlier text)"
    ) in result.stdout.splitlines()
    docs = documents(db)
    assert docs["rapporter/Kalmar.md"][1] == {}
    assert docs["rapporter/Gotland.md"][1] == {"år": "2019"}


# -- parts of a compilation (--case-from heading) ------------------------------------------------

COMPILATION = """\
Sammanställning av regionernas återrapportering.

# Region Kalmar

Regionen har tagit fram ett ramverk för analys, uppföljning och utvärdering.

# Region Jämtland

Regionen vill bli en lärande organisation där kunskap når politiken.
"""

NEXT_YEAR = """\
Sammanställning av regionernas återrapportering.

# Region Kalmar

Regionen har tagit fram ett ramverk för analys, uppföljning och utvärdering.

# Region Jämtland

Regionen har under året antagit ett ramverk för uppföljning av strategin.

# Region Gotland

Gotland följer upp den regionala utvecklingsstrategin med ett ramverk.
"""


def test_parts_of_a_compilation_follow_the_same_rule(cli, db, tmp_path):
    path = tmp_path / "Sammanställning.md"
    path.write_text(COMPILATION, "utf-8")
    heading = ("--case-from", "heading")
    assert cli("import", path, "--db", db, *heading).exit_code == 0
    with Store.open(db) as store:  # Kalmar a framework, Jämtland an ambition
        case = {d.id: d.case for d in queries.document_attributes(store)}
        for seg, doc in queries.segment_documents(store, list(case)).items():
            code = SR if case[doc] == "Region Kalmar" else OA
            store.toggle_code(seg, "arbetssatt", code, "anna")
    before = codings(cli, db)

    labelled = cli("import", path, "--db", db, *heading, "--attribute", "år=2018")
    assert labelled.exit_code == 0, labelled.output
    assert labelled.stdout.splitlines()[0] == (
        "Imported 0 documents (0 segments), 2 already imported and unchanged."
    )
    assert notes(labelled)[1:] == [
        f"Note: {path}: år=2018 set on 'Sammanställning.md#Region {region}' "
        "(imported before without it)"
        for region in ("Kalmar", "Jämtland")
    ]
    assert labelled.stderr.splitlines()[0].startswith("  Sammanställning.md: 2 parts already imp")
    assert codings(cli, db) == before

    path.write_text(NEXT_YEAR, "utf-8")  # next year's compilation in the same file
    second = cli("import", path, "--db", db, *heading, "--attribute", "år=2019")
    assert second.exit_code == 0, second.output
    assert second.stdout.splitlines()[0] == "Imported 3 documents (3 segments), 1 new cases."
    assert notes(second)[1:] == [
        f"Note: {path}: new document 'Sammanställning.md#Region Kalmar (år=2019)': "
        "'Sammanställning.md#Region Kalmar' (the same text) has år=2018",
        f"Note: {path}: new document 'Sammanställning.md#Region Jämtland (år=2019)': "
        "'Sammanställning.md#Region Jämtland' has år=2018",
    ]
    assert "no longer in the file" not in second.stdout
    docs = documents(db)
    assert {n: a for n, (_, a, _) in docs.items()} == {
        "Sammanställning.md#Region Kalmar": {"år": "2018"},
        "Sammanställning.md#Region Jämtland": {"år": "2018"},
        "Sammanställning.md#Region Kalmar (år=2019)": {"år": "2019"},
        "Sammanställning.md#Region Jämtland (år=2019)": {"år": "2019"},
        "Sammanställning.md#Region Gotland (år=2019)": {"år": "2019"},
    }
    assert codings(cli, db) == before

    again = cli("import", path, "--db", db, *heading, "--attribute", "år=2019")
    assert again.stdout.splitlines()[0] == (
        "Imported 0 documents (0 segments), 3 already imported and unchanged."
    )
    whole = cli("import", path, "--db", db, "--attribute", "år=2019")  # still refused whole
    assert "imported before in parts with --case-from heading" in whole.stdout
    code_year(db, "2019")
    assert cases_by_year(db) == {
        "2018": {"Region Kalmar", "Region Jämtland"},
        "2019": {"Region Kalmar", "Region Jämtland", "Region Gotland"},
    }
    rows = compare(cli, db)
    assert years_of(rows, SR) == ("1", "3", "2")
    assert years_of(rows, OA) == ("1", "0", "-1")
    check(db)


# -- the core: the change record and its one transaction ------------------------------------------


def test_import_documents_reports_a_labelled_file(store, tmp_path):
    folder = year_folder(tmp_path / "2018", 2018, same=["Kalmar"])
    import_documents(store, [folder / "Kalmar.md"])
    summary = import_documents(store, [folder / "Kalmar.md"], attributes={"år": "2018"})
    assert (summary.documents, summary.unchanged, summary.skipped) == (0, 1, [])
    (report,) = summary.files
    assert (report.unchanged, report.labelled, report.documents) == (0, 1, 0)
    assert report.line() == (
        "Kalmar.md: already imported; år=2018 set on 'Kalmar.md' (imported before without it)"
    )
    more = import_documents(store, [folder / "Kalmar.md"], attributes={"år": "2018", "k": "v"})
    assert more.files[0].line() == (
        "Kalmar.md: already imported; k=v set on 'Kalmar.md' (imported before without it)"
    )
    assert [d.attributes for d in queries.document_attributes(store)] == [{"år": "2018", "k": "v"}]


@pytest.fixture
def backend_store(backend_db: str):
    with Store.open(backend_db) as opened:
        yield opened


def test_setting_document_attributes_is_part_of_its_batch(backend_store, tmp_path):
    """On SQLite and PostgreSQL: merged into the document's own, rolled back with its batch."""
    store = backend_store
    import_documents(store, [year_folder(tmp_path / "a", 2018, same=["Kalmar"]) / "Kalmar.md"])
    (doc,) = queries.document_attributes(store)
    with pytest.raises(RuntimeError), store.batch() as b:
        b.apply([SetDocumentAttributes(doc.id, {"år": "2018"})])
        raise RuntimeError("stopped before the end of the transaction")
    assert [d.attributes for d in queries.document_attributes(store)] == [{}]
    with store.batch() as b:
        b.apply([SetDocumentAttributes(doc.id, {"år": "2018"})])
        b.apply([SetDocumentAttributes(doc.id, {"källa": "enkät"})])
    assert [d.attributes for d in queries.document_attributes(store)] == [
        {"år": "2018", "källa": "enkät"}
    ]
