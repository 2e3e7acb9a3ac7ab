"""REFI-QDA exchange: .qdc codebooks and .qdpx projects, validated against the official
schemas in ../shared/refi-qda/ (tests that need them skip when it is absent), round trips,
and files written by other programs."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from coder.corpus.importer import import_documents, import_table
from coder.model.codebook import load_codebook, parse_codebook
from coder.store import NewDocument, Span, Store, queries
from tests.conftest import CORPUS, SHARED
from tests.demo_key import code_demo, segment_ids

REFI = SHARED / "refi-qda"
SAMPLES = REFI / "samples"
needs_refi = pytest.mark.skipif(not REFI.is_dir(), reason="../shared/refi-qda/ is absent")

BOOK = """\
id: test-book
title: Testbok
language: sv
description: En liten kodbok.
questions:
  - id: ansats
    title: Hur bedrivs arbetet?
    mode: single
    description: Välj en.
    codes:
      - id: ramverk
        label: Strategiskt ramverk
        definition: Arbetet utgår från en plan.
        include: Antagen lärandeplan.
        exclude: Allmän vilja att lära.
        examples: ["Vi följer lärandeplanen.", "Planen styr."]
        hotkey: s
        color: "#1f77b4"
      - id: ambition
        label: Övergripande ambition
        definition: En uttalad ambition.
  - id: insatser
    title: Genomförda insatser
    mode: multi
    codes:
      - id: analyser
        label: Analyser
      - id: regionala
        label: Regionala analyser
        parent: analyser
      - id: lokala
        label: Lokala analyser
        parent: regionala
      - id: konferenser
        label: Konferenser
"""


def schema(name: str):
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema(str(REFI / name))


@pytest.fixture
def book(tmp_path) -> Path:
    path = tmp_path / "book.yaml"
    path.write_text(BOOK, encoding="utf-8")
    return path


@pytest.fixture
def coded(cli, tmp_path, book):
    """A project with documents, table rows with external ids, two coders, memos and case
    attributes, and one document with Windows line ends."""
    db = str(tmp_path / "coded.db")
    assert cli("init", "--codebook", book, "--db", db).exit_code == 0
    table = tmp_path / "rows.csv"
    table.write_text("id,region,text\nr1,Kalmar,Vi följer planen.\nr2,Skåne,Vi lär oss.\n")
    with Store.open(db) as store:
        import_documents(store, [CORPUS])
        import_table(store, table, text_column="text", case_column="region", id_column="id")
        with store.batch() as b:
            case = b.case("Gotland", {"landsdel": "Götaland", "invånare": 60000})
            b.case("Kalmar", {"landsdel": "Götaland", "invånare": 245000})
            b.case("Skåne", {"kustlän": True})
            text = "Första stycket.\r\n\r\nAndra stycket, med å.\r\n"
            b.add_documents(
                [
                    NewDocument(
                        case,
                        "crlf.txt",
                        "txt",
                        text,
                        "x",
                        [Span(0, 15, text[:15]), Span(19, 40, text[19:40])],
                    )
                ],
            )
        ids = segment_ids(store)
        for (case, pos), seg in sorted(ids.items()):
            if pos == 0:
                store.toggle_code(seg, "ansats", "ramverk" if len(case) % 2 else "ambition", "anna")
                store.toggle_code(seg, "insatser", "lokala", "anna")
                store.toggle_code(seg, "insatser", "konferenser", "bo")
        store.toggle_code(ids[("Kalmar", 0)], "ansats", "ambition", "bo")
        store.add_memo(ids[("Kalmar", 0)], "bo", "Två tolkningar möjliga.")
        store.add_memo(ids[("Kalmar", 0)], "anna", "Se även stycke 2.")
        store.add_memo(ids[("Gotland", 1)], "anna", "Memo with\nline break.")
    return db


def read_back(db: str) -> dict:
    with Store.open(db) as store:
        segments = sorted(
            (r["case"], r["document"], r["position"], r["text"], r["external_id"])
            for r in queries.iter_segments(store)
        )
        codings = sorted(
            (r["case"], r["external_id"], r["question"], r["code"], r["coder"], r["time"])
            for r in queries.iter_codings(store)
        )
        memos = []
        texts = {
            r["segment_id"]: (r["case"], r["document"], r["position"])
            for r in queries.iter_segments(store)
        }
        for seg in texts:
            for coder in queries.coder_names(store):
                latest = queries.latest_memo(store, seg, coder)
                if latest:
                    memos.append((*texts[seg], coder, latest))
        return {
            "segments": segments,
            "codings": codings,
            "coders": queries.coder_names(store),
            "memos": sorted(memos),
            "attributes": queries.case_attributes(store),
            "codebook": store.codebook(),
        }


def export(cli, db: str, out: Path) -> Path:
    result = cli("export", "--format", "qdpx", "--out", out, "--db", db)
    assert result.exit_code == 0, result.output
    return out


# -- codebooks (.qdc) ---------------------------------------------------------------------------


@needs_refi
def test_codebook_export_validates_against_the_codebook_schema(cli, coded, tmp_path):
    out = tmp_path / "book.qdc"
    assert cli("codebook", "export", "--format", "qdc", "--out", out, "--db", coded).exit_code == 0
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    schema("Codebook.xsd").validate(raw.decode("utf-8"))


def test_codebook_round_trip_keeps_codes_hierarchy_descriptions_colours(cli, coded, tmp_path):
    qdc = tmp_path / "book.qdc"
    cli("codebook", "export", "--format", "qdc", "--out", qdc, "--db", coded)
    yaml_out = tmp_path / "back.yaml"
    result = cli(
        "codebook",
        "import",
        qdc,
        "--out",
        yaml_out,
        "--language",
        "sv",
        "--id",
        "test-book",
        "--title",
        "Testbok",
    )
    assert result.exit_code == 0, result.output
    back = load_codebook(yaml_out)
    original = parse_codebook(BOOK)
    assert back.questions == original.questions  # ids, modes, labels, notes, parents, colours
    lokala = back.question("insatser").code("lokala")
    assert lokala.parent == "regionala"
    assert back.question("ansats").code("ramverk").color == "#1f77b4"


@needs_refi
def test_codebooks_of_other_programs_import(cli, tmp_path):
    out = tmp_path / "a1.yaml"
    result = cli("codebook", "import", SAMPLES / "annexA1-codebook.qdc", "--out", out)
    assert result.exit_code == 0, result.output
    book = load_codebook(out)
    (question,) = book.questions
    assert [c.label for c in question.codes] == [
        "Economy",
        "Health care",
        "Conservatives",
        "Liberals",
    ]
    assert question.code("economy").color == "#ffff00"
    assert "jobs or taxes" in question.code("economy").definition
    assert "left out empty code folder 'Topics'" in result.output
    # ATLAS.ti 9 writes the older namespace urn:QDA-XML:codebook:0:4
    out = tmp_path / "atlas.yaml"
    assert (
        cli("codebook", "import", SAMPLES / "atlasti9-codebook-ns0_4.qdc", "--out", out).exit_code
        == 0
    )
    atlas = load_codebook(out)
    assert atlas.question("code3").code("code-3-1").label == "code:3.1"
    assert atlas.question("codes").code("code1-1").parent == "code1"


def test_a_malformed_codebook_is_one_line_naming_file_and_line(cli, tmp_path):
    bad = tmp_path / "bad.qdc"
    bad.write_text('<?xml version="1.0"?>\n<CodeBook>\n<Codes>\n</CodeBook>\n', encoding="utf-8")
    result = cli("codebook", "import", bad)
    assert result.exit_code == 1
    line = result.output.strip()
    assert "\n" not in line and f"{bad}:4: not well-formed XML" in line


# -- projects (.qdpx) ---------------------------------------------------------------------------


@needs_refi
def test_project_export_validates_and_follows_the_interchange_notes(cli, coded, tmp_path):
    out = export(cli, coded, tmp_path / "p.qdpx")
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        qde = archive.read("project.qde")
        sources = {n: archive.read(n) for n in names if n.startswith("sources/")}
    assert not qde.startswith(b"\xef\xbb\xbf")  # no BOM
    schema("Project-mrt2019.xsd").validate(qde.decode("utf-8"))
    assert len(sources) == 17  # 14 reports, 2 table rows, the CRLF document
    assert all("/" not in n[len("sources/") :] for n in sources)  # a flat folder
    assert all(b"\r" not in text for text in sources.values())  # LF-only
    assert f'plainTextPath="internal://{next(iter(sources))[len("sources/") :]}"'.encode() in qde


def test_guids_are_stable_across_exports(cli, coded, tmp_path):
    first = zipfile.ZipFile(export(cli, coded, tmp_path / "1.qdpx")).read("project.qde")
    second = zipfile.ZipFile(export(cli, coded, tmp_path / "2.qdpx")).read("project.qde")
    assert first == second


def test_round_trip_reproduces_segments_codings_coders_and_memos(cli, coded, tmp_path):
    out = export(cli, coded, tmp_path / "p.qdpx")
    back = str(tmp_path / "back.db")
    result = cli("import-project", out, "--db", back)
    assert result.exit_code == 0, result.output
    assert "Left out" not in result.output
    before, after = read_back(coded), read_back(back)
    assert after["segments"] == before["segments"]
    assert after["codings"] == before["codings"]  # times kept to the microsecond
    assert after["coders"] == before["coders"] == ["anna", "bo"]
    assert after["memos"] == before["memos"]
    assert after["attributes"] == before["attributes"]
    assert after["codebook"] == before["codebook"]
    # and the CRLF document's passages still sit on their text (offsets were remapped)
    crlf = [s for s in after["segments"] if s[1] == "crlf.txt"]
    assert [s[3] for s in crlf] == ["Första stycket.", "Andra stycket, med å."]


def test_import_project_refuses_to_overwrite_and_bad_files(cli, coded, tmp_path):
    out = export(cli, coded, tmp_path / "p.qdpx")
    result = cli("import-project", out, "--db", coded)
    assert result.exit_code == 1 and "already exists" in result.output
    not_zip = tmp_path / "x.qdpx"
    not_zip.write_bytes(b"PK but not really")
    result = cli("import-project", not_zip, "--db", tmp_path / "n.db")
    assert result.exit_code == 1 and "not a .qdpx file" in result.output
    assert not (tmp_path / "n.db").exists()


def hand_made_qdpx(path: Path) -> Path:
    """Written the way ATLAS.ti and NVivo write: Project.qde with a BOM, a capital
    Sources/ folder, brace-wrapped upper-case GUIDs, selections that leave text uncovered."""
    text = "Intro utan kod.\n\nRegionen har en lärandeplan. Den styr arbetet.\n\nSlutord."
    start = text.index("Regionen")
    end = text.index(" Den styr")
    qde = f"""\ufeff<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Other program" origin="QDA 9">
  <Users>
    <User guid="{{AAAAAAAA-0000-0000-0000-000000000001}}" name="Eva"/>
    <User guid="AAAAAAAA-0000-0000-0000-000000000002" id="JO"/>
  </Users>
  <CodeBook><Codes>
    <Code guid="BBBBBBBB-0000-0000-0000-000000000001" name="Lärande" isCodable="true">
      <Description>Om lärande.</Description>
      <Code guid="BBBBBBBB-0000-0000-0000-000000000002" name="Lärandeplan" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="CCCCCCCC-0000-0000-0000-000000000001" name="Region X.docx"
        plainTextPath="internal://CCCCCCCC-0000-0000-0000-000000000001.txt">
      <PlainTextSelection guid="DDDDDDDD-0000-0000-0000-000000000001" name="q1"
          startPosition="{start}" endPosition="{end}">
        <Coding guid="EEEEEEEE-0000-0000-0000-000000000001"
            creatingUser="{{aaaaaaaa-0000-0000-0000-000000000001}}"
            creationDateTime="2024-01-02T10:00:00Z">
          <CodeRef targetGUID="{{bbbbbbbb-0000-0000-0000-000000000002}}"/>
        </Coding>
        <Coding guid="EEEEEEEE-0000-0000-0000-000000000002"
            creatingUser="AAAAAAAA-0000-0000-0000-000000000002">
          <CodeRef targetGUID="BBBBBBBB-0000-0000-0000-000000000001"/>
        </Coding>
        <NoteRef targetGUID="FFFFFFFF-0000-0000-0000-000000000001"/>
      </PlainTextSelection>
      <PlainTextSelection guid="DDDDDDDD-0000-0000-0000-000000000002" name="out of range"
          startPosition="5" endPosition="5000"/>
    </TextSource>
    <PDFSource guid="CCCCCCCC-0000-0000-0000-000000000002" name="scan.pdf" path="x.pdf"/>
  </Sources>
  <Notes>
    <Note guid="FFFFFFFF-0000-0000-0000-000000000001" name="n"
        creatingUser="AAAAAAAA-0000-0000-0000-000000000001" creationDateTime="2024-01-02T10:05:00Z">
      <PlainTextContent>Tydligt exempel.</PlainTextContent>
    </Note>
  </Notes>
</Project>
"""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Project.qde", qde.encode("utf-8"))
        archive.writestr("Sources/CCCCCCCC-0000-0000-0000-000000000001.txt", text.encode())
    return path


def test_a_project_from_another_program(cli, tmp_path):
    db = str(tmp_path / "other.db")
    result = cli(
        "import-project", hand_made_qdpx(tmp_path / "o.qdpx"), "--db", db, "--language", "sv"
    )
    assert result.exit_code == 0, result.output
    assert "PDFSource 'scan.pdf'" in result.output and "outside the text" in result.output
    data = read_back(db)
    texts = [s[3] for s in data["segments"]]
    # the selection is a passage; the uncovered text around it is split into paragraphs
    assert texts == [
        "Intro utan kod.",
        "Regionen har en lärandeplan.",
        "Den styr arbetet.",
        "Slutord.",
    ]
    assert {s[0] for s in data["segments"]} == {"Region X"}
    codings = {(c[3], c[4]) for c in data["codings"]}
    assert codings == {("larandeplan", "Eva"), ("larande", "JO")}
    assert ("Region X", "Region X.docx", 1, "Eva", "Tydligt exempel.") in data["memos"]
    book = data["codebook"]
    assert book.language == "sv"
    assert book.question("codes").code("larandeplan").parent == "larande"


@needs_refi
def test_projects_written_by_nvivo_and_atlas_ti(cli, tmp_path):
    db = str(tmp_path / "nvivo.db")
    result = cli("import-project", SAMPLES / "nvivo-mac15-project.qdpx", "--db", db)
    assert result.exit_code == 0, result.output
    assert "empty text" in result.output  # its two sources are a single newline each
    with Store.open(db) as store:
        codes = store.codebook().question("codes").codes
    assert len(codes) > 100
    nested = [c for c in codes if c.parent]
    assert nested and all(any(p.id == c.parent for p in codes) for c in nested)
    db = str(tmp_path / "atlas.db")
    result = cli("import-project", SAMPLES / "annexA2-atlasti-TestProject.qdpx", "--db", db)
    assert result.exit_code == 0, result.output
    assert "missing from sources/" in result.output  # its Sources/ folder is empty
    assert "VideoSource" in result.output


@needs_refi
def test_the_atlas_ti_annex_project_reads_with_its_sources_supplied(cli, tmp_path):
    """The annex .qde with stand-in texts long enough for its selections: every text
    selection with a coding becomes a coded passage."""
    qde = (SAMPLES / "annexA2-atlasti-project.qde").read_bytes()
    import xml.etree.ElementTree as ET

    root = ET.fromstring(qde)
    ns = {"q": "urn:QDA-XML:project:1.0"}
    path = tmp_path / "annex.qdpx"
    n_coded = 0
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        for source in root.iterfind(".//q:TextSource", ns):
            ends = [int(s.get("endPosition")) for s in source.iterfind("q:PlainTextSelection", ns)]
            n_coded += sum(
                len(s.findall("q:Coding", ns)) for s in source.iterfind("q:PlainTextSelection", ns)
            )
            name = source.get("plainTextPath", "").split("internal://")[-1]
            if name:
                archive.writestr(f"sources/{name}", ("ord " * (max(ends, default=10) // 4 + 5)))
    db = str(tmp_path / "annex.db")
    result = cli("import-project", path, "--db", db)
    assert result.exit_code == 0, result.output
    data = read_back(db)
    assert n_coded == 7 and len(data["codings"]) == n_coded
    assert data["coders"] == ["Friedrich Markgraf"]
    assert "6 documents" in result.output


def test_demo_project_round_trips_through_the_cli(cli, db, tmp_path):
    with Store.open(db) as store:
        import_documents(store, [CORPUS])
        code_demo(store, "anna")
    out = export(cli, db, tmp_path / "demo.qdpx")
    back = str(tmp_path / "demo-back.db")
    assert cli("import-project", out, "--db", back).exit_code == 0
    tally_a = cli("tally", "--format", "md", "--db", db).output
    tally_b = cli("tally", "--format", "md", "--db", back).output
    assert tally_a == tally_b and "| Strategiskt ramverk | 6 |" in tally_a
    assert io.StringIO(tally_a).readline().startswith("## ")


def test_two_selections_claiming_one_external_id_import_with_a_note(cli, tmp_path):
    """A hand-edited (or foreign) project where two selections carry the same external id:
    the store keeps each id once, so the second passage comes in without it, said in the
    summary, instead of the import failing on the database's unique constraint."""
    path = hand_made_qdpx(tmp_path / "o.qdpx")
    with zipfile.ZipFile(path) as archive:
        qde = archive.read("Project.qde").decode("utf-8")
        text = archive.read("Sources/CCCCCCCC-0000-0000-0000-000000000001.txt")
    tag = '<Description>[coder {"external_id": "rad-7"}]</Description>'
    first = qde.index('name="q1"')
    qde = qde[:first] + qde[first:].replace(">", ">" + tag, 1)
    second = text.decode().index("Slutord")
    qde = qde.replace(
        "    </TextSource>",
        f'      <PlainTextSelection guid="DDDDDDDD-0000-0000-0000-000000000003" name="again"\n'
        f'          startPosition="{second}" endPosition="{second + 8}">{tag}'
        "</PlainTextSelection>\n    </TextSource>",
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Project.qde", qde.encode("utf-8"))
        archive.writestr("Sources/CCCCCCCC-0000-0000-0000-000000000001.txt", text)
    db = str(tmp_path / "other.db")
    result = cli("import-project", path, "--db", db, "--language", "sv")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "external id 'rad-7' is already another selection's" in result.output
    by_text = {s[3]: s[4] for s in read_back(db)["segments"]}
    assert by_text["Regionen har en lärandeplan."] == "rad-7"
    assert by_text["Slutord."] is None
