"""Tally tables: cases (not passages) per code, examples, filters, and every output format
re-read with its own library."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from matplotlib import image as mpimg
from pptx import Presentation

from coder.corpus.importer import import_documents
from coder.errors import CoderError
from coder.reports.formats import write_tallies
from coder.reports.tally import collation_key, tally
from coder.store import NewDocument, Span
from tests.conftest import CORPUS
from tests.demo_key import code_demo, segment_ids


@pytest.fixture
def db(backend_db: str) -> str:
    """These tests run on SQLite and on PostgreSQL (see conftest)."""
    return backend_db


def add_case(store, name: str, n_passages: int, attributes: dict | None = None) -> list[int]:
    with store.batch() as b:
        case_id = b.case(name, attributes or {})
        spans = [Span(i * 10, i * 10 + 5, f"p{i:03d}") for i in range(n_passages)]
        doc = NewDocument(case_id, f"{name}.txt", "txt", "x" * (10 * n_passages), name, spans)
        return b.add_documents([doc])[0]


@pytest.fixture
def hand_built(store):
    """Three cases; Kalmar has three passages with the same code (it counts once)."""
    kalmar = add_case(store, "Kalmar", 3, {"landsdel": "Götaland"})
    skane = add_case(store, "Skåne", 2, {"landsdel": "Götaland"})
    umea = add_case(store, "Västerbotten", 1, {"landsdel": "Norrland"})
    for seg in kalmar:
        store.toggle_code(seg, "insatser", "analyser-utredningar", "anna")
    store.toggle_code(kalmar[0], "insatser", "konferenser", "anna")
    store.toggle_code(skane[0], "insatser", "analyser-utredningar", "anna")
    store.toggle_code(skane[0], "insatser", "konferenser", "anna")  # multi-label passage
    store.toggle_code(umea[0], "insatser", "analyser-utredningar", "bo")
    return store, kalmar, skane, umea


def rows_of(result):
    return {r.code: r for r in result.rows}


def test_a_case_counts_once_however_many_passages(hand_built):
    store, *_ = hand_built
    (result,) = tally(store, "insatser")
    rows = rows_of(result)
    assert (rows["analyser-utredningar"].cases, rows["analyser-utredningar"].segments) == (3, 5)
    assert (rows["konferenser"].cases, rows["konferenser"].segments) == (2, 2)
    assert rows["analyser-utredningar"].share == pytest.approx(1.0)
    assert result.total_cases == 3


def test_a_case_without_passages_is_not_in_the_denominator(hand_built):
    """A case an import left empty (no document, or none with passages) counts for nothing."""
    store, *_ = hand_built
    with store.batch() as b:
        b.case("Tomt län", {"landsdel": "Norrland"})
    (result,) = tally(store, "insatser", by="landsdel")
    assert result.total_cases == 3
    assert rows_of(result)["analyser-utredningar"].share == pytest.approx(1.0)
    assert result.by_totals == {"Götaland": 2, "Norrland": 1}


def test_examples_most_passages_first_then_by_name(hand_built):
    store, *_ = hand_built
    (result,) = tally(store, "insatser", examples=2)
    assert rows_of(result)["analyser-utredningar"].examples == ["Kalmar", "Skåne"]
    (result,) = tally(store, "insatser", examples=4)
    assert rows_of(result)["analyser-utredningar"].examples == ["Kalmar", "Skåne", "Västerbotten"]
    assert rows_of(result)["konferenser"].examples == ["Kalmar", "Skåne"]


def test_codes_with_no_cases_are_listed_in_codebook_order(hand_built):
    store, *_ = hand_built
    (result,) = tally(store, "insatser")
    assert [r.code for r in result.rows] == [
        c.id for c in store.codebook().question("insatser").codes
    ]
    assert rows_of(result)["uppfoljning-rus"].cases == 0
    assert rows_of(result)["uppfoljning-rus"].examples == []
    (by_count,) = tally(store, "insatser", sort="count")
    assert [r.code for r in by_count.rows][:2] == ["analyser-utredningar", "konferenser"]


def test_coder_restriction_and_consensus(hand_built):
    store, kalmar, skane, umea = hand_built
    (anna,) = tally(store, "insatser", coders=["anna"])
    assert rows_of(anna)["analyser-utredningar"].cases == 2
    # bo codes one Kalmar passage like anna; consensus needs every coder of the question
    store.toggle_code(kalmar[0], "insatser", "analyser-utredningar", "bo")
    (agreed,) = tally(store, "insatser", consensus=True)
    assert rows_of(agreed)["analyser-utredningar"].cases == 1
    assert rows_of(agreed)["analyser-utredningar"].examples == ["Kalmar"]
    assert rows_of(agreed)["konferenser"].cases == 0
    store.toggle_code(skane[0], "insatser", "konferenser", "consensus")
    (adjudicated,) = tally(store, "insatser", consensus=True)
    assert rows_of(adjudicated)["konferenser"].examples == ["Skåne"]
    with pytest.raises(CoderError, match="unknown coder 'nobody'"):
        tally(store, "insatser", coders=["nobody"])


def test_suggestions_only_when_asked_and_marked(hand_built):
    store, kalmar, skane, umea = hand_built
    store.replace_suggestions(
        "insatser",
        [
            (skane[1], "uppfoljning-rus", 0.92, 1),
            (umea[0], "lansgemensamma", 0.95, 1),
            (skane[1], "lansgemensamma", 0.40, 2),
        ],
        model_id="m1",
    )
    (plain,) = tally(store, "insatser")
    assert rows_of(plain)["uppfoljning-rus"].cases == 0
    (mixed,) = tally(store, "insatser", include_suggestions=0.7)
    rows = rows_of(mixed)
    assert (rows["uppfoljning-rus"].cases, rows["uppfoljning-rus"].suggested_cases) == (1, 1)
    assert rows["uppfoljning-rus"].example_suggested == [True]
    # Västerbotten's passage was coded by a human: the model's suggestion there does not count
    assert rows["lansgemensamma"].cases == 0


def test_cross_tabulation_by_case_attribute(hand_built):
    store, *_ = hand_built
    (result,) = tally(store, "insatser", by="landsdel")
    assert result.by_values == ["Götaland", "Norrland"]
    assert result.by_totals == {"Götaland": 2, "Norrland": 1}
    assert rows_of(result)["analyser-utredningar"].by == {"Götaland": 2, "Norrland": 1}
    assert rows_of(result)["konferenser"].by == {"Götaland": 2, "Norrland": 0}
    with pytest.raises(CoderError, match="no case has the attribute 'lan'"):
        tally(store, "insatser", by="lan")


def test_swedish_names_sort_with_a_ring_a_umlaut_o_umlaut_last():
    names = ["Örebro", "Östergötland", "Västerbotten", "Ängelholm", "Åland", "Blekinge"]
    assert sorted(names, key=collation_key("sv")) == [
        "Blekinge",
        "Västerbotten",
        "Åland",
        "Ängelholm",
        "Örebro",
        "Östergötland",
    ]


@pytest.fixture
def demo(db, store):
    import_documents(store, [CORPUS])
    code_demo(store)
    return db


EXPECTED_ARBETSSATT = {"strategiskt-ramverk": 6, "overgripande-ambition": 4, "generell-ansats": 4}


def test_demo_corpus_tally_matches_the_coding_key(store, demo):
    results = {t.question.id: t for t in tally(store)}
    assert {r.code: r.cases for r in results["arbetssatt"].rows} == EXPECTED_ARBETSSATT
    assert rows_of(results["insatser"])["analyser-utredningar"].cases == 10
    assert len(segment_ids(store)) == 57


def test_markdown_has_a_pipe_table_per_question(cli, demo):
    result = cli("tally", "--format", "md", "--db", demo)
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert md.count("| Kategori | Antal | Andel | Avsnitt | Exempel |") == 4
    assert "## Hur bedrivs arbetet?" in md
    assert (
        "| Strategiskt ramverk | 6 | 43 % | 6 "
        "| Gotland, Jämtland Härjedalen, Kronoberg, Norrbotten |" in md
    )
    assert "Antal fall totalt: 14." in md


def test_csv_columns_and_numbers(cli, demo, tmp_path):
    out = tmp_path / "tally.csv"
    result = cli("tally", "--format", "csv", "--out", out, "--db", demo)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbfquestion,")  # a file: Excel's UTF-8 mark
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert list(rows[0]) == ["question", "code", "label", "cases", "segments", "share", "examples"]
    first = {r["code"]: int(r["cases"]) for r in rows if r["question"] == "arbetssatt"}
    assert first == EXPECTED_ARBETSSATT
    assert len(rows) == 20


def test_write_tallies_picks_the_writer_by_format(cli, demo, store, tmp_path):
    """The one table of formats: text formats to a stream, as the command writes them;
    file formats to a path; a format it does not know is an error, not a guess."""
    tallies = tally(store)
    for fmt in ("md", "csv"):
        stream = io.StringIO()
        write_tallies(tallies, stream, fmt)
        assert stream.getvalue() == cli("tally", "--format", fmt, "--db", demo).stdout
    out = tmp_path / "t.xlsx"
    write_tallies(tallies, out, "xlsx")
    assert openpyxl.load_workbook(out).sheetnames == [t.question.id for t in tallies]
    with pytest.raises(TypeError):
        write_tallies(tallies, io.StringIO(), "xlsx")
    with pytest.raises(CoderError, match="unknown tally format 'doc'"):
        write_tallies(tallies, io.StringIO(), "doc")


def test_xlsx_sheet_per_question(cli, demo, tmp_path):
    out = tmp_path / "tally.xlsx"
    assert cli("tally", "--out", out, "--by", "landsdel", "--db", demo).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["arbetssatt", "utveckling", "insatser", "tillvaratagande"]
    sheet = book["arbetssatt"]
    assert sheet["A1"].value == "Hur bedrivs arbetet?"
    header = [c.value for c in sheet[3]]
    assert header[:5] == ["Kategori", "Antal", "Andel", "Avsnitt", "Exempel"]
    assert header[5:] == ["Götaland (n=7)", "Norrland (n=3)", "Svealand (n=4)"]
    assert sheet["A3"].font.bold
    values = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(4, 7)}
    assert values == {"Strategiskt ramverk": 6, "Övergripande ambition": 4, "Generell ansats": 4}
    assert sheet.column_dimensions["A"].width > 15


def test_pptx_slide_per_question_with_table_and_chart(cli, demo, tmp_path):
    out = tmp_path / "tally.pptx"
    assert cli("tally", "--out", out, "--db", demo).exit_code == 0
    deck = Presentation(str(out))
    assert len(deck.slides) == 4
    slide = deck.slides[0]
    assert slide.shapes.title.text == "Hur bedrivs arbetet?"
    table = next(s for s in slide.shapes if s.has_table).table
    assert [table.cell(0, c).text for c in range(2)] == ["Kategori", "Antal"]
    assert {table.cell(r, 0).text: int(table.cell(r, 1).text) for r in range(1, 4)} == {
        "Strategiskt ramverk": 6,
        "Övergripande ambition": 4,
        "Generell ansats": 4,
    }
    chart = next(s for s in slide.shapes if s.has_chart).chart
    assert list(chart.plots[0].categories) == [
        "Strategiskt ramverk",
        "Övergripande ambition",
        "Generell ansats",
    ]
    assert list(chart.series[0].values) == [6, 4, 4]


def test_png_and_svg_charts(cli, demo, tmp_path):
    png = tmp_path / "tally.png"
    assert cli("tally", "--out", png, "--question", "arbetssatt", "--db", demo).exit_code == 0
    pixels = mpimg.imread(png)
    assert pixels.shape[0] > 200 and pixels.shape[1] > 600
    svg = tmp_path / "tally.svg"
    assert cli("tally", "--format", "svg", "--out", svg, "--db", demo).exit_code == 0
    assert svg.read_text("utf-8").lstrip().startswith("<?xml")


def test_suggestions_are_marked_in_markdown_and_csv(cli, demo, store):
    ids = segment_ids(store)
    store.toggle_code(ids[("Halland", 1)], "insatser", "analyser-utredningar", "anna")  # undo-able
    store.replace_suggestions(
        "utveckling", [(ids[("Halland", 2)], "generella-termer", 0.9, 1)], "m"
    )
    md = cli(
        "tally",
        "--question",
        "utveckling",
        "--format",
        "md",
        "--include-suggestions",
        "0.8",
        "--db",
        demo,
    ).stdout
    assert "| Generella termer * | 4 |" in md
    assert "Halland*" in md
    assert "Inkluderar modellförslag med poäng ≥ 0.80 (1 fall endast via förslag)" in md
    out = cli(
        "tally",
        "--question",
        "utveckling",
        "--format",
        "csv",
        "--include-suggestions",
        "0.8",
        "--db",
        demo,
    ).stdout
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["generella-termer"]["suggested_cases"] == "1"


def test_terminal_table_and_errors(cli, demo, tmp_path):
    result = cli("tally", "--question", "arbetssatt", "--db", demo)
    assert result.exit_code == 0
    assert "Strategiskt ramverk" in result.stdout and "Antal fall totalt: 14." in result.stdout
    bad = cli("tally", "--question", "nope", "--db", demo)
    assert bad.exit_code == 1 and "unknown question 'nope'" in bad.stderr
    bad = cli("tally", "--out", tmp_path / "x.doc", "--db", demo)
    assert bad.exit_code == 1 and "cannot tell the format" in bad.stderr
