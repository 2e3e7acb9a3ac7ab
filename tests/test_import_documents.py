"""Importing documents: formats, encodings, segmentation offsets, skipped files, re-import."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
import sqlalchemy as sa
from fpdf import FPDF

from coder.corpus.importer import import_documents
from coder.store import queries
from coder.store import schema as t
from tests.conftest import CORPUS


@pytest.fixture
def db(backend_db: str) -> str:
    """These tests run on SQLite and on PostgreSQL (see conftest)."""
    return backend_db


SWEDISH = "Regionen följer upp arbetet. Åtgärderna utvärderas årligen i Örebro."


def make_docx(path: Path, paragraphs: list[str]) -> Path:
    document = docx.Document()
    for para in paragraphs:
        document.add_paragraph(para)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Indikator"
    table.rows[0].cells[1].text = "Värde"
    document.save(str(path))
    return path


def make_pdf(path: Path, paragraphs: list[str]) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for para in paragraphs:
        pdf.multi_cell(0, 6, para)
        pdf.ln(6)
    pdf.output(str(path))
    return path


def segments_of(store) -> list[dict]:
    return list(queries.iter_segments(store))


def test_demo_corpus_imports_one_case_per_region_and_skips_the_note(store):
    summary = import_documents(store, [CORPUS])
    regions = sorted(p.stem for p in CORPUS.glob("*.md") if p.name != "README.md")
    assert len(regions) >= 12
    assert summary.documents == len(regions)
    assert summary.new_cases == len(regions)
    assert [reason for f, reason in summary.skipped if f.endswith("README.md")]
    cases = sorted({row["case"] for row in segments_of(store)})
    assert cases == sorted(regions)
    with store.read() as conn:
        attrs = conn.execute(
            sa.select(t.cases.c.attributes).where(t.cases.c.name == "Örebro")
        ).scalar_one()
        meta = conn.execute(sa.select(t.documents.c.meta).limit(1)).scalar_one()
    assert attrs["landsdel"] == "Svealand"
    assert "Påhittad" in meta["sample"]


def test_segment_offsets_point_into_the_document_text(store, tmp_path):
    (tmp_path / "Halland.txt").write_text(
        "Första stycket.\r\nFortsätter här.\r\n\r\n\r\n  Andra stycket. Med två meningar!\n",
        "utf-8",
    )
    import_documents(store, [tmp_path / "Halland.txt"], segmentation="sentence")
    with store.read() as conn:
        text = conn.execute(sa.select(t.documents.c.text)).scalar_one()
        rows = conn.execute(
            sa.select(t.segments.c.start_char, t.segments.c.end_char, t.segments.c.text).order_by(
                t.segments.c.position
            )
        ).all()
    assert "\r" not in text
    assert [r.text for r in rows][-2:] == ["Andra stycket.", "Med två meningar!"]
    for r in rows:
        assert text[r.start_char : r.end_char] == r.text


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("cp1252", b""),
        ("latin-1", b""),
        ("utf-16", b""),
    ],
)
def test_text_encodings_keep_swedish_letters(store, tmp_path, encoding, prefix):
    path = tmp_path / "Kalmar.txt"
    path.write_bytes(prefix + SWEDISH.encode(encoding))
    summary = import_documents(store, [path])
    assert summary.documents == 1, summary.skipped
    assert segments_of(store)[0]["text"] == SWEDISH


def test_cp1252_punctuation_is_not_mistaken_for_latin1(store, tmp_path):
    path = tmp_path / "Skåne.txt"
    path.write_bytes("”Vi har lärt oss mycket” – säger regionen.".encode("cp1252"))
    import_documents(store, [path])
    assert segments_of(store)[0]["text"] == "”Vi har lärt oss mycket” – säger regionen."


def test_docx_and_pdf_are_imported_with_their_paragraphs(store, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    gotland = [
        "Arbetet utgår från lärandeplanen som regionen antog tillsammans med kommunerna.",
        "Analyser har gjorts av näringslivets behov av kompetens i hela länet under året.",
    ]
    uppsala = [
        "Regionen strävar efter lärande i allt utvecklingsarbete och följer upp det varje år.",
        "Två analyser är klara och används nu i arbetet med den regionala strategin.",
    ]
    make_docx(folder / "Gotland.docx", gotland)
    make_pdf(folder / "Uppsala.pdf", uppsala)
    summary = import_documents(store, [folder])
    assert summary.documents == 2, summary.skipped
    by_case: dict[str, list[str]] = {}
    for row in segments_of(store):
        by_case.setdefault(row["case"], []).append(row["text"])
    # the table's one row (no header row): its cells, not the row's source line
    assert by_case["Gotland"] == [*gotland, "Indikator; Värde"]
    assert by_case["Uppsala"] == uppsala
    assert [r.line() for r in summary.files] == [
        "Gotland.docx: 1 case, 3 passages (1 table row)",
        "Uppsala.pdf: 1 case, 2 passages",
    ]


def test_corrupt_and_empty_files_are_skipped_with_reasons(store, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n this is not really a pdf")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not a zip at all")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text("\n\n   \n", "utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "image.png").write_bytes(b"\x89PNG")
    (folder / "Kalmar.txt").write_text(SWEDISH, "utf-8")
    summary = import_documents(store, [folder])
    assert summary.documents == 1
    reasons = {Path(f).name: r for f, r in summary.skipped}
    assert set(reasons) == {
        "broken.pdf",
        "broken.docx",
        "empty.txt",
        "blank.md",
        "binary.txt",
        "image.png",
    }
    assert "PDF" in reasons["broken.pdf"]
    assert "DOCX" in reasons["broken.docx"]
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]


def test_reimport_adds_nothing_twice(store):
    first = import_documents(store, [CORPUS])
    second = import_documents(store, [CORPUS])
    assert second.documents == 0
    assert second.unchanged == first.documents
    assert len(segments_of(store)) == first.segments


def test_changed_file_is_not_reimported_over_its_codings(store, tmp_path):
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "Kalmar.txt"
    path.write_text(SWEDISH, "utf-8")
    import_documents(store, [path.parent])
    path.write_text(SWEDISH + "\n\nNytt stycke.", "utf-8")
    summary = import_documents(store, [path.parent])
    assert summary.documents == 0
    assert "changed since it was imported" in summary.skipped[0][1]


@pytest.mark.parametrize(
    ("case_from", "expected"),
    [
        ("auto", {"Jämtland", "Blekinge"}),
        ("folder", {"Jämtland", "reports"}),
        ("filename", {"2018", "Blekinge"}),
    ],
)
def test_case_from_folder_or_filename(store, tmp_path, case_from, expected):
    root = tmp_path / "reports"
    (root / "Jämtland").mkdir(parents=True)
    (root / "Jämtland" / "2018.txt").write_text("Text från Jämtland.", "utf-8")
    (root / "Blekinge.txt").write_text("Text från Blekinge.", "utf-8")
    import_documents(store, [root], case_from=case_from)
    assert {row["case"] for row in segments_of(store)} == expected


def test_missing_path_refuses_the_import(cli, db, tmp_path):
    result = cli("import", tmp_path / "nowhere", "--db", db)
    assert result.exit_code == 1
    assert "nowhere: no such file or folder" in result.stderr


def test_cli_import_prints_a_summary(cli, db):
    result = cli("import", CORPUS, "--db", db)
    assert result.exit_code == 0, result.output
    assert "Imported 14 documents" in result.stdout
    assert "README.md: a note about the folder" in result.stdout


def _old_document(store, path: Path, case: str, text: str, **meta) -> None:
    """A document as an earlier coder version stored it: no ``file_sha256``, its text read
    another way."""
    from coder.corpus.changes import AddDocument
    from coder.corpus.span import Span

    meta = {"source": str(path), "path": str(path.resolve()), **meta}
    spans = [Span(0, len(text), text)]
    with store.batch() as b:
        b.apply([AddDocument(case, path.name, path.suffix[1:], text, sha(text), spans, meta)])


def sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_every_document_records_its_files_bytes(store, tmp_path):
    import hashlib

    path = make_docx(tmp_path / "Kalmar.docx", [SWEDISH])
    import_documents(store, [path])
    with store.read() as conn:
        meta = conn.execute(sa.select(t.documents.c.meta)).scalar_one()
    assert meta["file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_file_an_earlier_version_read_differently_is_not_imported_twice(store, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    old = make_docx(tmp_path / "a" / "Kalmar.docx", [SWEDISH])
    _old_document(store, old, "Kalmar", "Regionen följer upp arbetet.\nÅtgärderna utvärderas.")
    moved = make_docx(tmp_path / "b" / "Kalmar.docx", [SWEDISH])  # the folder copied
    summary = import_documents(store, [moved])
    assert summary.documents == 0 and summary.unchanged == 0
    assert summary.skipped == [(str(moved), (
        "imported before as 'Kalmar.docx' by an earlier coder version that read it "
        "differently; nothing imported (a different file of that name: rename it)"
    ))]  # fmt: skip
    assert summary.files[0].line() == f"Kalmar.docx: {summary.skipped[0][1]}"
    assert len(segments_of(store)) == 1
    longer = make_pdf(tmp_path / "b" / "Gotland.pdf", [SWEDISH])
    _old_document(store, tmp_path / "a" / "Gotland.pdf", "Gotland", "Old text.", pages=3)
    assert import_documents(store, [longer]).documents == 1  # another year's: 1 page, not 3
    same_path = import_documents(store, [old])
    assert same_path.documents == 0
    assert "(or read differently by an earlier coder version)" in same_path.skipped[0][1]
    other_case = import_documents(store, [tmp_path / "b"], case_from="folder")
    assert other_case.documents == 1  # case 'b': not the same report


def test_the_same_bytes_from_another_folder_are_unchanged(store, tmp_path):
    import hashlib

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    old = make_pdf(tmp_path / "a" / "Gotland.pdf", [SWEDISH])
    digest = hashlib.sha256(old.read_bytes()).hexdigest()
    _old_document(store, old, "Gotland", "Text read by another version.", file_sha256=digest)
    (tmp_path / "b" / "Gotland.pdf").write_bytes(old.read_bytes())
    moved = import_documents(store, [tmp_path / "b" / "Gotland.pdf"])
    assert (moved.documents, moved.unchanged, moved.skipped) == (0, 1, [])
    again = import_documents(store, [old])
    assert (again.documents, again.unchanged, again.skipped) == (0, 1, [])
    assert len(segments_of(store)) == 1
