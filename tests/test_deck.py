"""`coder deck`: the seminar deck read back with python-pptx; its text is a golden file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pptx import Presentation

from coder.corpus.importer import import_documents
from coder.model.codebook import load_codebook
from coder.reports.formats.seminar_deck import to_deck
from coder.reports.formats.seminar_text import method_paragraphs
from coder.reports.seminar import first_sentence, model_typicality, seminar, shorten
from coder.store import Store, queries
from tests.conftest import CODEBOOK, CORPUS
from tests.demo_key import code_demo
from tests.golden import check_golden


@pytest.fixture
def demo(tmp_path: Path) -> str:
    path = str(tmp_path / "demo.db")
    Store.create(path, load_codebook(CODEBOOK)).close()
    with Store.open(path) as store:
        import_documents(store, [CORPUS])
        code_demo(store)
    return path


def deck_text(path: Path) -> str:
    """Every slide's words, tables as pipe rows, charts as category: value, and the notes."""
    lines: list[str] = []
    for number, slide in enumerate(Presentation(str(path)).slides, start=1):
        lines.append(f"## slide {number}")
        for shape in slide.shapes:
            if shape.has_text_frame:
                lines += [p.text for p in shape.text_frame.paragraphs if p.text.strip()]
            if shape.has_table:
                rows = shape.table.rows
                lines += [
                    "| " + " | ".join(c.text.replace("\n", " ") for c in row.cells) + " |"
                    for row in rows
                ]
            if shape.has_chart:
                chart = shape.chart
                for series in chart.series:
                    values = ", ".join(
                        f"{c.replace(chr(10), ' ')}: {v:g}"
                        for c, v in zip(chart.plots[0].categories, series.values, strict=True)
                    )
                    lines.append(f"chart {series.name}: {values}")
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame.text:
            lines.append("notes: " + slide.notes_slide.notes_text_frame.text.replace("\n", " / "))
    return "\n".join(lines) + "\n"


def font_sizes(path: Path) -> tuple[list[float], list[float]]:
    """The point sizes of text outside tables, and of table cells."""
    text, table = [], []
    for slide in Presentation(str(path)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                text += [p.font.size.pt for p in shape.text_frame.paragraphs if p.font.size]
            if shape.has_table:
                table += [
                    p.font.size.pt
                    for row in shape.table.rows
                    for cell in row.cells
                    for p in cell.text_frame.paragraphs
                ]
    return text, table


def test_deck_of_the_demo_project_is_its_golden_text(demo, tmp_path):
    with Store.open(demo) as store:
        gathered = seminar(store, "arbetssatt", day=date(2026, 12, 7))
    out = tmp_path / "deck.pptx"
    to_deck(gathered, out)
    check_golden("deck.sv.txt", deck_text(out))
    text, table = font_sizes(out)
    assert text and min(text) >= 14
    assert table and min(table) >= 12


def test_deck_slides_in_order_title_table_chart_quotes_method(cli, demo, tmp_path):
    out = tmp_path / "seminar.pptx"
    result = cli("deck", "--question", "arbetssatt", "--out", out, "--db", demo)
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.stderr
    slides = list(Presentation(str(out)).slides)
    # title, table, chart, a quote slide for each of the three categories, method
    assert len(slides) == 7
    title = [p.text for p in slides[0].placeholders[1].text_frame.paragraphs]
    assert title[0].startswith("14 fall · ")
    table = next(s for s in slides[1].shapes if s.has_table).table
    assert [c.text for c in table.rows[0].cells] == ["Kategori", "Definition", "Antal", "Exempel"]
    first = [c.text for c in table.rows[1].cells]
    assert first[0] == "Strategiskt ramverk" and first[2] == "6"
    assert first[1].startswith("Arbetet beskrivs bedrivas med utgångspunkt i en lärandeplan")
    assert any(s.has_chart for s in slides[2].shapes)
    quotes = [p.text for s in slides[3].shapes if s.has_text_frame for p in s.text_frame.paragraphs]
    assert quotes[0] == "Citat: Strategiskt ramverk"
    marked = [q for q in quotes if q.startswith("▶ ”")]
    assert len(marked) == 2 and all(q.endswith("”") for q in marked)
    assert "– Gotland" in quotes
    method = " ".join(
        p.text for s in slides[-1].shapes if s.has_text_frame for p in s.text_frame.paragraphs
    )
    assert (
        "Metod" in method and "en kodare (anna)" in method and "modellförslag ingår inte" in method
    )


def test_english_deck_and_one_quote_per_category(cli, demo, tmp_path):
    out = tmp_path / "en.pptx"
    result = cli(
        "deck",
        "--question",
        "arbetssatt",
        "--lang",
        "en",
        "--quotes",
        "1",
        "--out",
        out,
        "--db",
        demo,
    )
    assert result.exit_code == 0, result.output
    text = deck_text(out)
    assert "| Category | Definition | Cases | Examples |" in text
    assert "Quotes: Strategiskt ramverk" in text
    assert text.count("▶ “") == 3  # one per category
    assert "Method" in text and "one coder (anna)" in text


def test_two_coders_put_agreement_in_the_method(cli, demo, tmp_path):
    """bo codes six of anna's passages, agreeing on five."""
    with Store.open(demo) as store:
        rows = sorted(queries.coded_rows(store, "arbetssatt", ["anna"]))
        for _case, seg, code, _coder in rows[:5]:
            store.toggle_code(seg, "arbetssatt", code, "bo")
        _case, seg, code, _coder = rows[5]
        other = "generell-ansats" if code != "generell-ansats" else "strategiskt-ramverk"
        store.toggle_code(seg, "arbetssatt", other, "bo")
    out = tmp_path / "two.pptx"
    result = cli("deck", "--question", "arbetssatt", "--out", out, "--db", demo)
    assert result.exit_code == 0, result.output
    text = deck_text(out)
    assert "2 kodare (anna, bo)" in text
    assert "Cohens κ = 0," in text and "(6 avsnitt kodade av båda)" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--quotes", "0"], "--quotes must be 1 or more"),
        (["--question", "arbetssatt", "--compare", "färg"], "no case has the attribute 'färg'"),
        (["--out", "{tmp}/missing/deck.pptx"], "does not exist"),
        (["--out", "{tmp}/deck.ppt"], "give --out FILE.pptx"),
        (["--question", "nope"], "nope"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(cli, demo, tmp_path, args, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "deck.pptx")]

    def written() -> list[str]:  # beside the project's own files
        return sorted(p.name for p in tmp_path.rglob("*") if not p.name.startswith("demo.db"))

    before = written()
    result = cli("deck", *args, "--db", demo)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert written() == before


def test_a_question_with_no_codings_is_refused_or_left_out(cli, tmp_path):
    path = str(tmp_path / "empty.db")
    Store.create(path, load_codebook(CODEBOOK)).close()
    with Store.open(path) as store:
        import_documents(store, [CORPUS])
        seg = queries.segment_order(store)[0][0]
        store.toggle_code(seg, "arbetssatt", "generell-ansats", "anna")
    alone = cli("deck", "--question", "insatser", "--out", tmp_path / "a.pptx", "--db", path)
    assert alone.exit_code == 1
    assert "question 'insatser' has no codings" in alone.stderr
    assert not (tmp_path / "a.pptx").exists()
    every = cli("deck", "--out", tmp_path / "b.pptx", "--db", path)
    assert every.exit_code == 0, every.output
    assert "left out, nothing coded yet: utveckling, insatser, tillvaratagande" in every.stderr
    assert len(Presentation(str(tmp_path / "b.pptx")).slides) == 1 + 3 + 1


def test_quotes_are_cut_at_a_sentence_end():
    text = (
        "Arbetet utgår från lärandeplanen, som antogs 2018. Den anger t.ex. vilka insatser "
        "som ska följas upp. " + "Mer text följer här. " * 20
    )
    short = shorten(text, 120, "sv")
    assert short == (
        "Arbetet utgår från lärandeplanen, som antogs 2018. Den anger t.ex. vilka insatser "
        "som ska följas upp. […]"
    )
    assert shorten("Kort.", 120, "sv") == "Kort."
    one_long = "ord " * 100
    cut = shorten(one_long, 50, "sv")
    assert cut.endswith("…") and len(cut) <= 50
    assert first_sentence("Första meningen. Andra.", 80, "sv") == "Första meningen."
    # a cut never leaves a parenthesis open
    assert first_sentence("Arbetet utgår från en plan (ett samlat ramverk för allt)", 40, "sv") == (
        "Arbetet utgår från en plan…"
    )


def test_with_a_trained_model_the_most_typical_passage_comes_first(cli, demo):
    assert cli("train", "--question", "arbetssatt", "--db", demo).exit_code == 0
    with Store.open(demo) as store:
        gathered = seminar(store, "arbetssatt", quotes=1)
        question = store.codebook().question("arbetssatt")
        (part,) = gathered.parts
        assert part.typical_by_model
        rows = queries.coded_rows(store, "arbetssatt")
        texts = queries.passages(store, sorted({seg for _, seg, _, _ in rows}))
        scores = model_typicality(store)(question, {s: r.text for s, r in texts.items()})
    assert scores is not None
    for category in part.categories:
        coded = [seg for _, seg, code, _ in rows if code == category.code.id]
        best = max(coded, key=lambda seg: scores[category.code.id][seg])
        assert [q.segment_id for q in category.quotes] == [best]
    assert "Citaten är de avsnitt som modellen bedömer som mest typiska" in " ".join(
        method_paragraphs(gathered)
    )


def test_compare_adds_a_slide_per_question_with_years_and_change(cli, tmp_path):
    from tests.test_tally_compare import two_years

    path = str(tmp_path / "years.db")
    Store.create(path, load_codebook(CODEBOOK)).close()
    (tmp_path / "in").mkdir()
    with Store.open(path) as store:
        two_years(store, tmp_path / "in")
        gathered = seminar(store, "arbetssatt", compare="år", day=date(2026, 12, 7))
    out = tmp_path / "years.pptx"
    to_deck(gathered, out)
    text = deck_text(out)
    check_golden("deck_compare.sv.txt", text)
    assert "Hur bedrivs arbetet? – Jämförelse efter år" in text
    # 2018 -> 2019: Halland, Skåne and Dalarna took up a framework; Örebro did not report
    assert "| Strategiskt ramverk | 6 | 8 | +2 |" in text
    assert "chart 2018 (n=14): Strategiskt ramverk: 6" in text
    result = cli("deck", "--compare", "år", "--out", tmp_path / "all.pptx", "--db", path)
    assert result.exit_code == 0, result.output
    slides = deck_text(tmp_path / "all.pptx")
    assert slides.count("– Jämförelse efter år") == 4


def test_a_passage_with_characters_xml_cannot_hold_still_makes_a_deck(cli, demo, tmp_path):
    hostile = tmp_path / "in"
    hostile.mkdir()
    (hostile / "Gävleborg.txt").write_text(
        "Region Gävleborg utgår från sin lärandeplan\ufffe för allt\x0c arbete med uppföljning.\n",
        "utf-8",
    )
    assert cli("import", hostile, "--db", demo).exit_code == 0
    with Store.open(demo) as store:
        seg = next(s for s, c in queries.segment_order(store) if c == "Gävleborg")
        store.toggle_code(seg, "arbetssatt", "strategiskt-ramverk", "anna")
    out = tmp_path / "deck.pptx"
    result = cli("deck", "--question", "arbetssatt", "--quotes", "9", "--out", out, "--db", demo)
    assert result.exit_code == 0, result.output
    assert "Region Gävleborg utgår från sin lärandeplan för allt arbete" in deck_text(out)


def test_many_categories_continue_on_a_second_table_slide(tmp_path):
    import yaml

    book = yaml.safe_load(CODEBOOK.read_text("utf-8"))
    question = book["questions"][0]
    question["codes"] = [
        {
            "id": f"kod-{i}",
            "label": f"Kategori nummer {i} med ett långt namn",
            "definition": "Ord " * 30,
        }
        for i in range(16)
    ]
    book["questions"] = [question]
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump(book, allow_unicode=True), "utf-8")
    db = str(tmp_path / "big.db")
    Store.create(db, load_codebook(path)).close()
    with Store.open(db) as store:
        import_documents(store, [CORPUS])
        for i, (seg, _case) in enumerate(queries.segment_order(store)[:16]):
            store.toggle_code(seg, question["id"], f"kod-{i}", "anna")
        gathered = seminar(store, day=date(2026, 12, 7), quotes=1)
    out = tmp_path / "big.pptx"
    to_deck(gathered, out)
    text = deck_text(out)
    assert f"{question['title']} (forts.)" in text
    rows = [line for line in text.splitlines() if line.startswith("| Kategori nummer")]
    assert len(rows) == 16  # every category once, over two slides


def test_three_coders_get_alpha_in_the_method(demo, tmp_path):
    with Store.open(demo) as store:
        rows = sorted(queries.coded_rows(store, "arbetssatt", ["anna"]))
        for coder in ("bo", "cy"):
            for _case, seg, code, _ in rows[:6]:
                store.toggle_code(seg, "arbetssatt", code, coder)
        gathered = seminar(store, "arbetssatt", day=date(2026, 12, 7))
    method = " ".join(method_paragraphs(gathered))
    assert "3 kodare (anna, bo, cy)" in method
    assert "Krippendorffs α = 1,00 (6 avsnitt kodade av minst två)" in method
    assert "κ" not in method
    assert "någon av kodarna" in method


def test_compare_needs_values_in_an_order(cli, demo):
    result = cli("tally", "--compare", "landsdel", "--db", demo)
    assert result.exit_code == 1
    assert "--compare needs values in an order, such as years; landsdel has" in result.stderr
    assert "--by landsdel" in result.stderr
