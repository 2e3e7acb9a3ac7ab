"""Co-occurrence tables (issue 13, item 4): per question, the cases (and passages) that carry
both of two codes, counted as the tally counts, in every output format re-read with its own
library."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
import yaml
from matplotlib import image as mpimg
from pptx import Presentation
from pptx.util import Inches, Pt

from coder.corpus.importer import import_documents
from coder.errors import CoderError
from coder.model import NOT_APPLICABLE
from coder.model.codebook import load_codebook
from coder.reports.cooccurrence import cooccurrence, write_cooccurrence
from coder.reports.formats.csv_style import EXCEL, CsvStyle
from coder.reports.tally import tally
from coder.store import Store
from tests.conftest import CODEBOOK, CORPUS
from tests.demo_key import code_demo
from tests.golden import check_golden
from tests.test_tally import add_case

AU, RUS, LG, KONF = "analyser-utredningar", "uppfoljning-rus", "lansgemensamma", "konferenser"
SR, OA, GA = "strategiskt-ramverk", "overgripande-ambition", "generell-ansats"


@pytest.fixture
def db(backend_db: str) -> str:
    """These tests run on SQLite and on PostgreSQL (see conftest)."""
    return backend_db


@pytest.fixture
def hand_built(store):
    """Four cases, the matrices known by hand.

    insatser (multi): Kalmar's first passage carries analyser and konferenser, its second
    analyser, its third is n/a; Skåne has analyser and länsgemensamma on two passages;
    Västerbotten has konferenser (by bo); Gotland is coded by nobody.
    arbetssatt (single): anna and bo differ on Kalmar's first passage; Skåne has two
    passages with two different codes.
    """
    seg = {
        "Kalmar": add_case(store, "Kalmar", 3),
        "Skåne": add_case(store, "Skåne", 2),
        "Västerbotten": add_case(store, "Västerbotten", 1),
        "Gotland": add_case(store, "Gotland", 1),
    }
    kalmar, skane = seg["Kalmar"], seg["Skåne"]
    for code in (AU, KONF):
        store.toggle_code(kalmar[0], "insatser", code, "anna")
    store.toggle_code(kalmar[1], "insatser", AU, "anna")
    store.toggle_code(kalmar[2], "insatser", NOT_APPLICABLE, "anna")
    store.toggle_code(skane[0], "insatser", AU, "anna")
    store.toggle_code(skane[1], "insatser", LG, "anna")
    store.toggle_code(seg["Västerbotten"][0], "insatser", KONF, "bo")
    store.toggle_code(kalmar[0], "arbetssatt", SR, "anna")
    store.toggle_code(kalmar[0], "arbetssatt", GA, "bo")
    store.toggle_code(skane[0], "arbetssatt", OA, "anna")
    store.toggle_code(skane[1], "arbetssatt", GA, "anna")
    return store, seg


def cell(result, code: str, other: str) -> tuple[int, int]:
    """(cases, passages) of a cell, by code ids."""
    i, j = result.codes.index(code), result.codes.index(other)
    return result.cases[i][j], result.passages[i][j]


def test_a_multi_question_counts_cases_with_both_and_passages_with_both(hand_built):
    store, _ = hand_built
    (result,) = cooccurrence(store, "insatser")
    assert result.codes == [c.id for c in store.codebook().question("insatser").codes]
    assert NOT_APPLICABLE not in result.codes
    assert result.total_cases == 4
    assert cell(result, AU, AU) == (2, 3)  # Kalmar (two passages) and Skåne
    assert cell(result, KONF, KONF) == (2, 2)  # Kalmar and Västerbotten
    assert cell(result, LG, LG) == (1, 1)
    assert cell(result, AU, KONF) == (1, 1)  # Kalmar's first passage carries both
    assert cell(result, AU, LG) == (1, 0)  # Skåne has both, on different passages
    assert cell(result, KONF, LG) == (0, 0)
    assert cell(result, RUS, RUS) == (0, 0)
    i, j = result.codes.index(AU), result.codes.index(LG)
    assert result.names[i][j] == ["Skåne"]
    assert result.names[i][i] == ["Kalmar", "Skåne"]
    assert result.cases == [list(row) for row in zip(*result.cases, strict=True)]  # symmetric
    assert result.passages == [list(row) for row in zip(*result.passages, strict=True)]
    assert result.not_applicable == 1  # Kalmar's third passage, in no cell


def test_a_single_question_shares_a_passage_only_where_coders_differ(hand_built):
    store, _ = hand_built
    (result,) = cooccurrence(store, "arbetssatt")
    assert cell(result, SR, GA) == (1, 1)  # anna and bo on Kalmar's first passage
    assert cell(result, OA, GA) == (1, 0)  # Skåne: two passages, one code each
    assert cell(result, GA, GA) == (2, 2)
    (anna,) = cooccurrence(store, "arbetssatt", coders=["anna"])
    assert cell(anna, SR, GA) == (0, 0)
    assert cell(anna, GA, GA) == (1, 1)
    (agreed,) = cooccurrence(store, "arbetssatt", consensus=True)
    assert agreed.cases == [[0] * 3 for _ in range(3)]  # anna and bo agree on nothing here


def test_coders_and_suggestions_are_counted_as_the_tally_counts_them(hand_built):
    store, seg = hand_built
    store.replace_suggestions(
        "insatser",
        [
            (seg["Gotland"][0], AU, 0.9, 1),
            (seg["Gotland"][0], KONF, 0.8, 2),
            (seg["Gotland"][0], LG, 0.3, 3),  # below the score
            (seg["Skåne"][1], KONF, 0.95, 1),  # a human coded the passage: ignored
        ],
        "m1",
    )
    (plain,) = cooccurrence(store, "insatser")
    assert cell(plain, AU, KONF) == (1, 1)
    (mixed,) = cooccurrence(store, "insatser", include_suggestions=0.7)
    assert mixed.min_score == 0.7
    assert cell(mixed, AU, KONF) == (2, 2)  # Kalmar, and Gotland by suggestion
    assert cell(mixed, KONF, LG) == (0, 0)
    assert cell(mixed, LG, LG) == (1, 1)
    (anna,) = cooccurrence(store, "insatser", coders=["anna"])
    assert cell(anna, KONF, KONF) == (1, 1)  # bo's Västerbotten left out
    assert anna.coders == ["anna"]
    for options in ({}, {"coders": ["anna"]}, {"include_suggestions": 0.7}, {"consensus": True}):
        assert _diagonal(cooccurrence(store, "insatser", **options)[0]) == _tallied(
            tally(store, "insatser", **options)[0]
        ), options


def _diagonal(result) -> dict[str, tuple[int, int]]:
    return {c: (result.cases[i][i], result.passages[i][i]) for i, c in enumerate(result.codes)}


def _tallied(result) -> dict[str, tuple[int, int]]:
    return {r.code: (r.cases, r.segments) for r in result.rows}


def test_bad_input_is_one_line(hand_built):
    store, _ = hand_built
    with pytest.raises(CoderError, match="unknown coder 'nobody'"):
        cooccurrence(store, coders=["nobody"])
    with pytest.raises(CoderError, match="between 0 and 1"):
        cooccurrence(store, include_suggestions=1.5)
    with pytest.raises(CoderError, match="unknown question 'nope'"):
        cooccurrence(store, "nope")
    results = cooccurrence(store, "insatser")
    with pytest.raises(CoderError, match="unknown co-occurrence format 'doc'"):
        write_cooccurrence(results, io.StringIO(), "doc")
    with pytest.raises(TypeError):
        write_cooccurrence(results, io.StringIO(), "xlsx")


# -- the demo project, every format ---------------------------------------------------------------


@pytest.fixture
def demo(db, store):
    import_documents(store, [CORPUS])
    code_demo(store)
    return db


def test_the_diagonal_is_the_tally(store, demo):
    results = cooccurrence(store)
    tallies = tally(store)
    assert [r.question.id for r in results] == [t.question.id for t in tallies]
    for result, counted in zip(results, tallies, strict=True):
        assert _diagonal(result) == _tallied(counted)
        assert result.total_cases == counted.total_cases == 14
    insatser = results[2]
    assert cell(insatser, AU, RUS) == (3, 3)
    assert cell(insatser, LG, KONF) == (3, 1)


def text_of(results, fmt: str, style: CsvStyle | None = None) -> str:
    stream = io.StringIO()
    write_cooccurrence(results, stream, fmt, style)
    return stream.getvalue()


def test_markdown_and_csv_of_the_demo_match_their_golden_files(store, demo):
    results = cooccurrence(store)
    md = text_of(results, "md")
    check_golden("cooccurrence.md", md)
    assert md.count("| Kategori | 1 | 2 | 3 | 4 | 5 | 6 |") == 2
    assert "| 1. Analyser/utredningar | **10 (10)** | 3 (3) | 3 (2) |" in md
    assert "## Samförekomst: Hur bedrivs arbetet?" in md
    assert "Antal fall totalt: 14." in md
    text = text_of(results, "csv")
    check_golden("cooccurrence.csv", text)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "question",
        "code",
        "label",
        "other_code",
        "other_label",
        "cases",
        "passages",
        "case_names",
    ]
    assert len(rows) == sum(len(r.codes) * (len(r.codes) + 1) // 2 for r in results)
    pair = next(r for r in rows if (r["code"], r["other_code"]) == (LG, KONF))
    assert (pair["question"], pair["cases"], pair["passages"]) == ("insatser", "3", "1")
    assert pair["case_names"] == "Blekinge, Skåne, Sörmland"


def test_csv_in_the_excel_style(store, demo):
    text = text_of(cooccurrence(store, "arbetssatt"), "csv", EXCEL)
    assert text.startswith("\ufeffquestion;code;label;other_code;")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert [(r["code"], r["other_code"], r["cases"]) for r in rows][:2] == [
        (SR, SR, "6"),
        (SR, OA, "0"),
    ]


def test_xlsx_a_sheet_per_question_with_cases_and_passages(store, demo, tmp_path):
    out = tmp_path / "co.xlsx"
    write_cooccurrence(cooccurrence(store), out, "xlsx")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["arbetssatt", "utveckling", "insatser", "tillvaratagande"]
    sheet = book["insatser"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Samförekomst: Genomförda insatser"
    first = rows.index(["Fall med båda koderna", *[None] * 6])
    assert rows[first + 1] == ["Kategori", 1, 2, 3, 4, 5, 6]
    assert rows[first + 2] == ["1. Analyser/utredningar", 10, 3, 3, 2, 3, 1]
    second = rows.index(["Passager med båda koderna", *[None] * 6])
    assert rows[second + 2] == ["1. Analyser/utredningar", 10, 3, 2, 1, 3, 1]
    assert sheet.cell(first + 2, 1).font.bold  # the header (rows are 1-based)
    assert sheet.cell(first + 3, 2).font.bold  # the diagonal
    assert not sheet.cell(first + 3, 3).font.bold
    assert sheet.column_dimensions["A"].width > 30
    assert ["Antal fall totalt: 14.", *[None] * 6] in rows


def test_pptx_a_slide_per_question_with_a_native_table(store, demo, tmp_path):
    out = tmp_path / "co.pptx"
    write_cooccurrence(cooccurrence(store), out, "pptx")
    deck = Presentation(str(out))
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
    assert len(deck.slides) == 4
    slide = deck.slides[2]
    assert slide.shapes.title.text == "Samförekomst: Genomförda insatser"
    table = next(s for s in slide.shapes if s.has_table).table
    assert [c.text for c in table.rows[0].cells] == ["Kategori", "1", "2", "3", "4", "5", "6"]
    assert [c.text for c in table.rows[1].cells] == [
        "1. Analyser/utredningar",
        *["10", "3", "3", "2", "3", "1"],
    ]
    assert table.cell(1, 1).text_frame.paragraphs[0].font.bold
    for shape in slide.shapes:
        frames = (
            [c.text_frame for row in shape.table.rows for c in row.cells]
            if shape.has_table
            else [shape.text_frame]
        )
        for frame in frames:
            for paragraph in frame.paragraphs:
                if paragraph.text and paragraph.font.size is not None:
                    assert paragraph.font.size >= Pt(12), paragraph.text
    notes = next(s for s in slide.shapes if s.has_text_frame and "totalt" in s.text_frame.text)
    assert "Antal fall totalt: 14." in notes.text_frame.text


def test_png_and_svg_a_panel_per_question_1600_pixels_wide(store, demo, tmp_path):
    one, every = tmp_path / "one.png", tmp_path / "every.png"
    write_cooccurrence(cooccurrence(store, "insatser"), one, "png")
    write_cooccurrence(cooccurrence(store), every, "png")
    single, several = mpimg.imread(one), mpimg.imread(every)
    assert single.shape[1] == several.shape[1] == 1600
    assert several.shape[0] > 2.5 * single.shape[0]  # four panels stacked
    assert single.std() > 0.05  # drawn, not blank
    svg = tmp_path / "co.svg"
    write_cooccurrence(cooccurrence(store), svg, "svg")
    text = svg.read_text("utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text


def test_words_follow_the_codebook_language(tmp_path):
    data = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    data["language"] = "en"
    path = tmp_path / "en.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    db = str(tmp_path / "en.db")
    with Store.create(db, load_codebook(path)) as store:
        (seg,) = add_case(store, "Kent", 1)
        store.toggle_code(seg, "insatser", AU, "anna")
        store.toggle_code(seg, "insatser", KONF, "anna")
        md = text_of(cooccurrence(store, "insatser", coders=["anna"]), "md")
    assert "## Co-occurrence: Genomförda insatser" in md
    assert "| Category | 1 | 2 |" in md
    assert "Cases in total: 1." in md and "Only codings by anna." in md


# -- the command (wired by `coder tally --cooccurrence`) ------------------------------------------


def test_cli_markdown_is_the_core_writers(cli, store, demo):
    result = cli(
        "tally", "--cooccurrence", "--question", "insatser", "--format", "md", "--db", demo
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == text_of(cooccurrence(store, "insatser"), "md")


def test_cli_csv_for_swedish_excel_and_xlsx_files(cli, demo, tmp_path):
    out = tmp_path / "co.csv"
    result = cli("tally", "--cooccurrence", "--excel", "--out", out, "--db", demo)
    assert result.exit_code == 0, result.output
    assert out.read_text("utf-8").startswith("\ufeffquestion;code;label;")
    book = tmp_path / "co.xlsx"
    assert cli("tally", "--cooccurrence", "--out", book, "--db", demo).exit_code == 0
    assert openpyxl.load_workbook(book).sheetnames[0] == "arbetssatt"


def test_cli_bad_question_is_one_line_and_writes_nothing(cli, demo, tmp_path):
    out = tmp_path / "co.xlsx"
    result = cli("tally", "--cooccurrence", "--question", "nope", "--out", out, "--db", demo)
    assert result.exit_code == 1
    assert "unknown question 'nope'" in result.stderr
    assert not out.exists()
