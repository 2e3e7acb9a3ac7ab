"""DOCX and PDF readers return the structure as blocks with offsets into the text; PDF running
headers, footers and page numbers go, line-end hyphens and page-split paragraphs are joined."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from coder.corpus.readers import Unreadable, read_document
from coder.store import Store, queries

# -- DOCX -----------------------------------------------------------------------------------------


def make_report_docx(path: Path) -> Path:
    document = docx.Document()
    document.core_properties.title = "Regionala rapporter 2019"
    document.add_heading("Region Kalmar", 1)
    document.add_heading("Uppföljning", 2)
    document.add_paragraph("Regionen följer upp arbetet med den regionala utvecklingsstrategin.")
    document.add_paragraph("")  # empty paragraphs are no blocks
    document.add_paragraph("Arbetet bedrivs i tre steg:")
    for item in ("kartläggning av behoven", "analys av resultaten", "spridning av lärdomar"):
        document.add_paragraph(item, style="List Bullet")
    document.add_paragraph("en underpunkt", style="List Bullet 2")
    table = document.add_table(rows=3, cols=3)
    rows = [
        ["Indikator", "2018", "2019"],
        ["Sysselsättning", "77 %", "78 %"],
        ["BRP", "3,1", "3,4"],
    ]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    document.add_heading("Region Gotland", 1)
    document.add_paragraph("Gotland har en egen plan.")
    document.save(str(path))
    return path


def blocks_of(source) -> list[tuple]:
    return [
        (b.kind, b.level, source.text[b.start : b.end], b.cells, b.header) for b in source.blocks
    ]


def test_docx_headings_paragraphs_items_and_table_rows_are_blocks(tmp_path):
    source = read_document(make_report_docx(tmp_path / "rapport.docx"))
    assert source.fmt == "docx"
    assert source.meta == {"title": "Regionala rapporter 2019"}
    header = ("Indikator", "2018", "2019")
    assert blocks_of(source) == [
        ("heading", 1, "Region Kalmar", (), ()),
        ("heading", 2, "Uppföljning", (), ()),
        (
            "paragraph",
            0,
            "Regionen följer upp arbetet med den regionala utvecklingsstrategin.",
            (),
            (),
        ),
        ("paragraph", 0, "Arbetet bedrivs i tre steg:", (), ()),
        ("item", 1, "kartläggning av behoven", (), ()),
        ("item", 1, "analys av resultaten", (), ()),
        ("item", 1, "spridning av lärdomar", (), ()),
        ("item", 2, "en underpunkt", (), ()),
        ("row", 0, "Sysselsättning | 77 % | 78 %", ("Sysselsättning", "77 %", "78 %"), header),
        ("row", 0, "BRP | 3,1 | 3,4", ("BRP", "3,1", "3,4"), header),
        ("heading", 1, "Region Gotland", (), ()),
        ("paragraph", 0, "Gotland har en egen plan.", (), ()),
    ]
    # blocks are joined by blank lines; the header row is text but no block
    assert "\n\nIndikator | 2018 | 2019\n\nSysselsättning" in source.text
    assert "\n\n\n" not in source.text


def test_docx_heading_levels_start_at_the_top_level_used(tmp_path):
    document = docx.Document()
    document.add_heading("Rapportens titel", 0)  # the Title style: above every heading, 0
    document.add_heading("Bakgrund", 3)
    document.add_paragraph("Text under bakgrund.")
    document.add_heading("Detaljer", 4)
    document.add_paragraph("Mer text.")
    source = read_document_saved(document, tmp_path / "nivåer.docx")
    assert [(b.kind, b.level) for b in source.blocks if b.kind == "heading"] == [
        ("heading", 0),
        ("heading", 1),
        ("heading", 2),
    ]


def test_a_titled_docx_compilation_splits_into_a_case_per_heading_1(cli, db, tmp_path):
    """A compilation opening with its Title: each Heading 1 (a region) starts a case."""
    document = docx.Document()
    document.add_heading("Sammanställning 2019", 0)
    document.add_paragraph("Inledning om hela sammanställningen, som inte hör till någon region.")
    for region in ("Region Kalmar", "Region Gotland"):
        document.add_heading(region, 1)
        document.add_paragraph(f"{region} följer upp sitt arbete med en lärandeplan varje år.")
    path = tmp_path / "sammanstallning.docx"
    document.save(str(path))
    result = cli("import", path, "--case-from", "heading", "--db", db)
    assert result.exit_code == 0, result.output
    assert "text before the first heading skipped" in result.output
    export = cli("export", "--what", "segments", "--format", "csv", "--db", db)
    assert "Region Kalmar" in export.stdout and "Region Gotland" in export.stdout
    assert "Sammanställning 2019," not in export.stdout  # the title names no case


def test_docx_localised_heading_and_list_styles(tmp_path):
    """Swedish Word writes "Rubrik 1" and "Liststycke": named so, they mean the same."""
    document = docx.Document()
    styles = document.styles
    rubrik = styles.add_style("Rubrik 1", 1)  # 1: a paragraph style
    rubrik.base_style = styles["Normal"]
    liststycke = styles.add_style("Liststycke", 1)
    liststycke.base_style = styles["Normal"]
    overskrift = styles.add_style("Egen rubrik", 1)  # no known name: the outline level says it
    overskrift.base_style = styles["Heading 2"]
    document.add_paragraph("Region Skåne", style="Rubrik 1")
    document.add_paragraph("Mål", style="Egen rubrik")
    document.add_paragraph("en punkt", style="Liststycke")
    document.add_paragraph("Vanlig text.")
    source = read_document_saved(document, tmp_path / "svensk.docx")
    assert [(b.kind, b.level, source.text[b.start : b.end]) for b in source.blocks] == [
        ("heading", 1, "Region Skåne"),
        ("heading", 2, "Mål"),
        ("item", 1, "en punkt"),
        ("paragraph", 0, "Vanlig text."),
    ]


def test_docx_merged_cells_count_once_and_a_one_row_table_has_no_header(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for c, value in enumerate(["Region", "Kommentar", "Not"]):
        table.cell(0, c).text = value
    table.cell(1, 0).text = "Kalmar"
    merged = table.cell(1, 1).merge(table.cell(1, 2))
    merged.text = "Bra arbete"
    single = document.add_table(rows=1, cols=2)
    single.cell(0, 0).text = "Ja"
    single.cell(0, 1).text = "Ja"  # equal texts in two cells are two cells
    source = read_document_saved(document, tmp_path / "tabell.docx")
    assert blocks_of(source) == [
        ("row", 0, "Kalmar | Bra arbete", ("Kalmar", "Bra arbete"), ("Region", "Kommentar")),
        ("row", 0, "Ja | Ja", ("Ja", "Ja"), ()),
    ]


def test_docx_a_table_nested_in_a_cell_is_part_of_the_cell_text(tmp_path):
    """Rows of the inner table joined by " / ", its cells by " | " - no text dropped."""
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Region", "Svar"
    table.cell(1, 0).text = "Kalmar"
    cell = table.cell(1, 1)
    cell.text = "Se tabellen:"
    inner = cell.add_table(rows=2, cols=2)
    for r, values in enumerate([["Mål", "Uppnått"], ["Sysselsättning", "Delvis"]]):
        for c, value in enumerate(values):
            inner.cell(r, c).text = value
    inner.cell(1, 1).add_table(rows=1, cols=1).cell(0, 0).text = "se bilaga"  # deeper still
    source = read_document_saved(document, tmp_path / "nästlad.docx")
    answer = "Se tabellen: Mål | Uppnått / Sysselsättning | Delvis se bilaga"
    assert blocks_of(source) == [
        ("row", 0, f"Kalmar | {answer}", ("Kalmar", answer), ("Region", "Svar")),
    ]


def read_document_saved(document, path: Path):
    document.save(str(path))
    return read_document(path)


def test_an_empty_docx_is_unreadable(tmp_path):
    document = docx.Document()
    document.add_paragraph("   ")
    with pytest.raises(Unreadable, match="empty"):
        read_document_saved(document, tmp_path / "tom.docx")


# -- PDF ------------------------------------------------------------------------------------------

BODY = [
    "Regionen arbetar med analys och uppföljning av det regionala",
    "utvecklingsarbetet och redovisar resultaten varje år.",
]


class Report(FPDF):
    """A running header and a page number in the footer of each page."""

    footer_format = "{n}"

    def header(self) -> None:
        self.set_font("helvetica", size=9)
        self.cell(0, 6, "Reglab 2019", align="C")
        self.ln(14)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("helvetica", size=9)
        self.cell(0, 8, self.footer_format.format(n=self.page_no()), align="C")


def write_lines(pdf: FPDF, lines: list[str], gap: bool = True) -> None:
    pdf.set_font("helvetica", size=11)
    for line in lines:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    if gap:
        pdf.ln(6)


def make_report_pdf(path: Path) -> Path:
    pdf = Report()
    pdf.core_fonts_encoding = "windows-1252"  # bullets and dashes in the core fonts
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("helvetica", size=16)
    pdf.cell(0, 10, "Hur bedrivs arbetet?", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    # "utveck-" + "ling" is one word; "kort- och långsiktiga" is a compound that keeps its hyphen
    write_lines(
        pdf,
        [
            "Vi har en plan för fortsatt utveck-",
            "ling av arbetet med kort-",
            "och långsiktiga mål.",
        ],
    )
    for _ in range(10):
        write_lines(pdf, BODY)
    write_lines(pdf, ["Den här meningen börjar längst ned på första sidan och"], gap=False)
    pdf.add_page()
    write_lines(pdf, ["fortsätter överst på nästa sida utan avbrott."])
    write_lines(pdf, ["Arbetet består av:"], gap=False)
    for item in ("kartläggning", "analys", "spridning"):
        write_lines(pdf, [f"\u2022 {item}"], gap=False)
    pdf.ln(6)
    for _ in range(4):
        write_lines(pdf, BODY)
    pdf.add_page()
    write_lines(pdf, ["Sista sidan har bara ett stycke."])
    pdf.output(str(path))
    return path


def test_pdf_structure_without_running_headers_and_page_numbers(tmp_path):
    source = read_document(make_report_pdf(tmp_path / "rapport.pdf"))
    text = source.text
    assert source.meta == {"pages": 3}
    assert "Reglab" not in text
    assert not [line for line in text.split("\n") if line.strip().isdigit()]
    assert "utveckling av arbetet med kort- och långsiktiga mål." in text
    assert "utveck-" not in text
    blocks = [(b.kind, b.level, text[b.start : b.end]) for b in source.blocks]
    assert blocks[0] == ("heading", 1, "Hur bedrivs arbetet?")
    assert blocks[1] == (
        "paragraph",
        0,
        "Vi har en plan för fortsatt utveckling av arbetet med kort- och långsiktiga mål.",
    )
    assert blocks[2] == ("paragraph", 0, " ".join(BODY))
    joined = (
        "Den här meningen börjar längst ned på första sidan och "
        "fortsätter överst på nästa sida utan avbrott."
    )
    assert ("paragraph", 0, joined) in blocks
    at = blocks.index(("paragraph", 0, joined))
    assert blocks[at + 1 : at + 5] == [
        ("paragraph", 0, "Arbetet består av:"),
        ("item", 1, "kartläggning"),
        ("item", 1, "analys"),
        ("item", 1, "spridning"),
    ]
    assert blocks[-1] == ("paragraph", 0, "Sista sidan har bara ett stycke.")
    assert [b for b in blocks if b[0] == "heading"] == [blocks[0]]
    assert len([b for b in blocks if b == ("paragraph", 0, " ".join(BODY))]) == 14


@pytest.mark.parametrize("footer", ["- {n} -", "Side {n} af 3", "Sida {n} (3)", "{n}/3", "{n}"])
def test_a_page_number_goes_even_when_only_one_page_has_it(tmp_path, footer):
    class OneFooter(FPDF):
        def footer(self) -> None:
            if self.page_no() == 2:
                self.set_y(-15)
                self.set_font("helvetica", size=9)
                self.cell(0, 8, footer.format(n=self.page_no()), align="C")

    pages = ["Kalmar följer upp.", "Gotland analyserar.", "Skåne sprider lärdomar."]
    pdf = OneFooter()
    for text in pages:
        pdf.add_page()
        write_lines(pdf, [text])
    path = tmp_path / "sidor.pdf"
    pdf.output(str(path))
    source = read_document(path)
    assert [source.text[b.start : b.end] for b in source.blocks] == pages


def test_a_paragraph_ending_a_sentence_at_the_page_end_is_not_joined(tmp_path):
    pdf = FPDF()
    pdf.add_page()
    write_lines(pdf, ["Första sidans stycke slutar här."])
    pdf.add_page()
    write_lines(pdf, ["andra sidan börjar ett nytt stycke."])
    path = tmp_path / "två.pdf"
    pdf.output(str(path))
    source = read_document(path)
    assert [source.text[b.start : b.end] for b in source.blocks] == [
        "Första sidans stycke slutar här.",
        "andra sidan börjar ett nytt stycke.",
    ]


def test_single_line_paragraphs_with_gaps_stay_apart(tmp_path):
    """Few lines: the step between paragraphs is no line spacing to measure by."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for text in ("Regionen strävar efter lärande.", "Två analyser är klara."):
        pdf.multi_cell(0, 6, text)
        pdf.ln(6)
    path = tmp_path / "kort.pdf"
    pdf.output(str(path))
    source = read_document(path)
    assert [(b.kind, source.text[b.start : b.end]) for b in source.blocks] == [
        ("paragraph", "Regionen strävar efter lärande."),
        ("paragraph", "Två analyser är klara."),
    ]


def test_a_bold_short_line_is_a_heading_below_the_larger_ones(tmp_path):
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=18)
    pdf.cell(0, 10, "Region Kalmar", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "B", size=11)
    pdf.cell(0, 6, "Syfte", new_x="LMARGIN", new_y="NEXT")
    write_lines(pdf, BODY)
    pdf.set_font("helvetica", size=14)
    pdf.cell(0, 10, "Region Gotland", new_x="LMARGIN", new_y="NEXT")
    write_lines(pdf, BODY)
    path = tmp_path / "rubriker.pdf"
    pdf.output(str(path))
    source = read_document(path)
    assert [(b.kind, b.level, source.text[b.start : b.end]) for b in source.blocks] == [
        ("heading", 1, "Region Kalmar"),
        ("heading", 3, "Syfte"),
        ("paragraph", 0, " ".join(BODY)),
        ("heading", 2, "Region Gotland"),
        ("paragraph", 0, " ".join(BODY)),
    ]


def test_encrypted_empty_and_damaged_pdfs_are_unreadable_with_a_reason(tmp_path):
    pdf = FPDF()
    pdf.set_encryption(owner_password="ägare", user_password="hemligt")
    pdf.add_page()
    write_lines(pdf, ["Hemlig text."])
    pdf.output(str(tmp_path / "låst.pdf"))
    with pytest.raises(Unreadable, match="encrypted PDF"):
        read_document(tmp_path / "låst.pdf")

    scan = FPDF()
    scan.add_page()
    scan.rect(20, 20, 100, 100)  # no text, as on a scanned page
    scan.output(str(tmp_path / "skannad.pdf"))
    with pytest.raises(Unreadable, match="no extractable text"):
        read_document(tmp_path / "skannad.pdf")

    whole = make_report_pdf(tmp_path / "hel.pdf").read_bytes()
    (tmp_path / "trasig.pdf").write_bytes(whole[: len(whole) // 3])
    with pytest.raises(Unreadable, match="PDF"):
        read_document(tmp_path / "trasig.pdf")


def test_dot_leaders_go_only_before_a_page_number(tmp_path):
    """A contents line ("Inledning ..... 3") is no text; dots ending a sentence or a form's
    field are."""
    pdf = FPDF()
    pdf.add_page()
    texts = ["Inledning .......... 3", "Bilagor . . . . . . iv", "Tabell 1 visar resultatet ...."]
    texts += ["Namn: ..............", "Vanlig text."]
    for text in texts:
        write_lines(pdf, [text])
    path = tmp_path / "punkter.pdf"
    pdf.output(str(path))
    source = read_document(path)
    assert [source.text[b.start : b.end] for b in source.blocks] == texts[2:]


def rotated(path: Path, turns: dict[int, int]) -> Path:
    """The PDF with pages turned (page index: degrees) by /Rotate, the text not turned back.

    pypdfium2 (which pdfplumber needs) writes it: pypdf is no dependency of coder's."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    for index, degrees in turns.items():
        document[index].set_rotation(degrees)
    out = path.with_name(f"vriden-{path.name}")
    document.save(str(out))
    document.close()
    return out


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_a_rotated_page_reads_as_its_text_turned_upright(tmp_path, degrees):
    path = make_report_pdf(tmp_path / "rapport.pdf")
    upright = read_document(path)
    source = read_document(rotated(path, {0: degrees, 1: degrees}))
    assert source.text == upright.text
    assert [(b.kind, b.level) for b in source.blocks] == [(b.kind, b.level) for b in upright.blocks]


def test_turned_text_on_an_upright_page_comes_after_the_page_text(tmp_path):
    pdf = FPDF()
    pdf.add_page()
    write_lines(pdf, BODY)
    pdf.set_font("helvetica", size=11)
    with pdf.rotation(90, 190, 150):
        pdf.text(190, 150, "Utkast till styrelsen")
    path = tmp_path / "etikett.pdf"
    pdf.output(str(path))
    source = read_document(path)
    assert [(b.kind, source.text[b.start : b.end]) for b in source.blocks] == [
        ("paragraph", " ".join(BODY)),
        ("paragraph", "Utkast till styrelsen"),
    ]


def tiny_pdf(path: Path) -> Path:
    """Text set so small that its size rounds to 0, and text at size 0."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_y(100)
    pdf.set_font("helvetica", size=0.2)
    for text in ("Liten text som knappt syns", "och en rad till"):
        pdf.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(0)
    pdf.cell(0, 6, "Osynlig text.", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_text_of_no_size_reads_with_a_default_body_size(tmp_path):
    source = read_document(tiny_pdf(tmp_path / "liten.pdf"))
    assert [source.text[b.start : b.end] for b in source.blocks] == [
        "Liten text som knappt syns",
        "och en rad till",
        "Osynlig text.",
    ]


def test_a_failure_in_the_pdf_structure_skips_the_file_with_its_reason(
    cli, db, tmp_path, monkeypatch
):
    from coder.corpus import pdf_reader

    folder = tmp_path / "rapporter"
    folder.mkdir()
    tiny_pdf(folder / "liten.pdf")
    result = cli("import", folder, "--db", db)  # no traceback: the file imports
    assert result.exit_code == 0, result.output
    assert "Imported 1 documents" in result.output

    def broken(lines):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(pdf_reader, "_pieces", broken)
    path = make_report_pdf(tmp_path / "trasig.pdf")
    with pytest.raises(Unreadable, match=r"not a readable PDF \(ZeroDivisionError: float"):
        read_document(path)
    result = cli("import", path, "--db", db)
    assert result.exit_code == 0, result.output
    assert "Skipped 1 file(s)" in result.output
    assert f"{path}: not a readable PDF (ZeroDivisionError: float division by zero)" in (
        result.output
    )
    assert "Traceback" not in result.output


# -- through the importer -------------------------------------------------------------------------


def test_import_uses_the_docx_structure(cli, db, tmp_path):
    path = make_report_docx(tmp_path / "rapport.docx")
    result = cli("import", path, "--db", db)
    assert result.exit_code == 0, result.output
    with Store.open(db) as store:
        rows = list(queries.iter_segments(store))
    texts = [row["text"] for row in rows]
    assert "Region Kalmar" not in texts and "Uppföljning" not in texts  # headings: no passages
    assert any("Regionen följer upp arbetet" in t for t in texts)
    assert any("Sysselsättning" in t and "77 %" in t for t in texts)
    assert "Indikator | 2018 | 2019" not in texts
