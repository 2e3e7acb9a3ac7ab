"""Where and how a tally is written: CSV for Excel (byte-order mark, separator, decimal
comma) in `tally`, `export` and `agreement`; charts readable on a slide, one file per
question in a folder; co-occurrence through `tally --cooccurrence`; and the bad input each
refuses in one line, writing nothing."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from matplotlib import image as mpimg
from matplotlib.text import Text

from coder.corpus.importer import import_documents
from coder.errors import CoderError
from coder.reports.exports import save_per_question, save_tally
from coder.reports.formats.chart_image import chart_figure
from coder.reports.tally import tally
from tests.conftest import CORPUS
from tests.demo_key import code_demo, segment_ids
from tests.test_tally import add_case

BOM = b"\xef\xbb\xbf"
QUESTIONS = ["arbetssatt", "utveckling", "insatser", "tillvaratagande"]


@pytest.fixture
def demo(store, db):
    import_documents(store, [CORPUS])
    code_demo(store)
    return db


def listing(folder: Path) -> list[str]:
    """The files in ``folder``, but the project's own."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("project.db"))


# -- CSV for Excel --------------------------------------------------------------------------------


def test_tally_csv_has_the_mark_in_a_file_not_on_standard_output(cli, demo, tmp_path):
    args = ("tally", "--question", "arbetssatt", "--format", "csv", "--db", demo)
    stdout = cli(*args).stdout
    assert stdout.startswith("question,code,label")
    out = tmp_path / "t.csv"
    assert cli(*args, "--out", out).exit_code == 0
    assert out.read_bytes() == BOM + stdout.encode("utf-8")


def test_excel_means_mark_semicolon_and_decimal_comma(cli, demo, tmp_path):
    result = cli("tally", "--question", "arbetssatt", "--format", "csv", "--excel", "--db", demo)
    assert result.stdout.startswith("\ufeffquestion;code;label;cases;segments;share;examples\n")
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff")), delimiter=";"))
    assert rows[0]["share"] == "0,4286"  # 6 of 14
    assert rows[0]["examples"] == "Gotland, Jämtland Härjedalen, Kronoberg, Norrbotten"
    tab = cli("tally", "--question", "arbetssatt", "--format", "csv", "--sep", "tab", "--db", demo)
    assert tab.stdout.splitlines()[0] == "\t".join(
        ["question", "code", "label", "cases", "segments", "share", "examples"]
    )
    assert "\t0.4286\t" in tab.stdout  # --sep alone keeps the decimal point


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "md", "--excel"], "--excel is for CSV output, not the md format"),
        (["--sep", ";"], "--sep is for CSV output, not a table on screen"),
        (["--format", "csv", "--sep", "ab"], "--sep takes one character"),
        (["--format", "csv", "--excel", "--sep", ","], "--excel already means --sep ';'"),
    ],
)
def test_csv_options_refused_in_one_line(cli, demo, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = cli("tally", *args, "--db", demo)
    assert result.exit_code == 1 and message in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert listing(tmp_path) == []


def test_export_keeps_its_columns_plain_unless_excel(cli, demo, store, tmp_path):
    kalmar = segment_ids(store)[("Kalmar", 1)]
    store.replace_suggestions("arbetssatt", [(kalmar, "generell-ansats", 0.75, 1)], "m")
    out = tmp_path / "s.csv"
    args = ("export", "--what", "suggestions", "--db", demo)
    assert cli(*args, "--out", out).exit_code == 0
    plain = out.read_bytes()
    assert not plain.startswith(BOM) and b",0.75," in plain  # a machine contract: no mark
    excel = cli(*args, "--excel").stdout
    assert excel.startswith("\ufeff") and ";0,75;" in excel
    semi = cli(*args, "--sep", ";").stdout
    assert not semi.startswith("\ufeff") and ";0.75;" in semi
    bad = cli("export", "--format", "jsonl", "--sep", ";", "--db", demo)
    assert bad.exit_code == 1 and "--sep is for CSV output, not the jsonl format" in bad.stderr


def test_agreement_csv_is_plain_for_scripts_unless_excel(cli, demo, store, tmp_path):
    code_demo(store, "bo")
    halland = segment_ids(store)[("Halland", 0)]
    store.toggle_code(halland, "arbetssatt", "generell-ansats", "bo")  # bo sees a framework
    store.toggle_code(halland, "arbetssatt", "strategiskt-ramverk", "bo")
    out = tmp_path / "a.csv"
    args = ("agreement", "--question", "arbetssatt", "--format", "csv", "--db", demo)
    assert cli(*args, "--out", out).exit_code == 0
    assert out.read_bytes().startswith(b"question,code,label,coders")  # no mark: for scripts
    excel = cli(*args, "--excel").stdout
    assert excel.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(excel.lstrip("\ufeff")), delimiter=";"))
    assert rows[0]["code"] == "(overall)" and rows[0]["percent_agreement"] == "0,9286"  # 13/14
    assert not cli(*args).stdout.startswith("\ufeff")
    bad = cli("agreement", "--excel", "--db", demo)
    assert bad.exit_code == 1 and "--excel is for CSV output, not the md format" in bad.stderr


# -- charts ---------------------------------------------------------------------------------------


def test_charts_go_one_file_per_question_into_a_folder(cli, demo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("tally", "--format", "png", "--db", demo)
    assert result.exit_code == 0, result.output
    assert listing(tmp_path / "tally") == [f"{q}.png" for q in sorted(QUESTIONS)]
    assert result.stderr.splitlines() == [f"Wrote tally/{q}.png" for q in QUESTIONS]
    for q in QUESTIONS:
        assert mpimg.imread(tmp_path / "tally" / f"{q}.png").shape[1] == 1600
    assert cli("tally", "--out", "figs/", "--format", "svg", "--db", demo).exit_code == 0
    assert listing(tmp_path / "figs") == [f"{q}.svg" for q in sorted(QUESTIONS)]
    (tmp_path / "existing").mkdir()
    assert cli("tally", "--out", "existing", "--db", demo).exit_code == 0  # a folder: png
    assert listing(tmp_path / "existing") == [f"{q}.png" for q in sorted(QUESTIONS)]


def test_one_question_one_chart_and_a_file_name_one_image(cli, demo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli("tally", "--question", "insatser", "--format", "png", "--db", demo).exit_code == 0
    assert listing(tmp_path) == ["tally.png"]
    one = mpimg.imread(tmp_path / "tally.png")
    assert cli("tally", "--out", "all.png", "--db", demo).exit_code == 0  # a panel per question
    every = mpimg.imread(tmp_path / "all.png")
    assert one.shape[1] == every.shape[1] == 1600 and every.shape[0] > 3 * one.shape[0]
    assert cli("tally", "--question", "insatser", "--out", "q/", "--db", demo).exit_code == 0
    assert listing(tmp_path / "q") == ["insatser.png"]


@pytest.mark.parametrize(
    "setting",
    [{}, {"by": "landsdel"}, {"by_coder": True}, {"include_suggestions": 0.5}],
    ids=["plain", "by", "by-coder", "suggestions"],
)
def test_chart_text_is_12_points_and_the_axis_ends_at_the_largest_bar(store, demo, setting):
    halland = segment_ids(store)[("Halland", 0)]
    store.replace_suggestions("insatser", [(halland, "konferenser", 0.9, 1)], "m")
    tallies = tally(store, **setting)
    figure = chart_figure(tallies)
    figure.draw_without_rendering()  # lays it out as saving does
    assert figure.get_figwidth() * 160 == 1600
    texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert texts and min(t.get_fontsize() for t in texts) >= 12
    drawn = figure.get_tightbbox().transformed(figure.dpi_scale_trans)  # all that is drawn
    assert drawn.x0 >= -1 and drawn.x1 <= figure.bbox.x1 + 1  # nothing cut off at an edge
    assert drawn.y0 >= -1 and drawn.y1 <= figure.bbox.y1 + 1
    if setting.get("by") or setting.get("by_coder"):
        largest = max(n for t in tallies for r in t.rows for n in r.by.values())
    else:
        largest = max(r.cases for t in tallies for r in t.rows)
    for ax in figure.axes:
        assert ax.get_xlim() == (0, largest)  # the same axis in every panel, no empty stretch
        assert all(float(tick).is_integer() for tick in ax.get_xticks())


def test_a_question_without_codings_is_a_chart_of_zeros(cli, db, store, tmp_path):
    add_case(store, "Kalmar", 2)
    out = tmp_path / "zero.png"
    result = cli("tally", "--question", "arbetssatt", "--out", out, "--db", db)
    assert result.exit_code == 0, result.output
    (zero,) = tally(store, "arbetssatt")
    assert [r.cases for r in zero.rows] == [0, 0, 0]
    assert mpimg.imread(out).shape[1] == 1600


def test_a_folder_whose_parent_is_missing_is_one_line_and_nothing_written(cli, demo, tmp_path):
    result = cli("tally", "--out", f"{tmp_path}/no/charts/", "--db", demo)
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"coder: error: {tmp_path}/no/charts/: folder {tmp_path}/no does not exist\n"
    )
    assert not (tmp_path / "no").exists()
    text = cli("tally", "--out", f"{tmp_path}/x/", "--format", "md", "--db", demo)
    assert text.exit_code == 1 and "a folder takes one chart per question" in text.stderr
    assert not (tmp_path / "x").exists()
    missing = cli("tally", "--out", tmp_path / "no" / "t.xlsx", "--db", demo)
    assert missing.exit_code == 1 and "does not exist" in missing.stderr


def test_per_question_files_are_written_all_or_none(store, demo, tmp_path):
    tallies = tally(store)
    folder = tmp_path / "charts"
    folder.mkdir()
    (folder / "insatser.png").write_bytes(b"last year's")

    def fail_on_the_third(one, path):
        if one.question.id == "insatser":
            raise OSError(28, "No space left on device")
        save_tally([one], "png", path)

    items = [(t.question.id, t) for t in tallies]
    with pytest.raises(CoderError, match="charts: cannot write in it .No space left on device."):
        save_per_question(items, "png", folder, fail_on_the_third)
    assert listing(folder) == ["insatser.png"]  # no half set, no temporary files
    assert (folder / "insatser.png").read_bytes() == b"last year's"
    new = tmp_path / "new"
    with pytest.raises(CoderError):
        save_per_question(items, "png", new, fail_on_the_third)
    assert not new.exists()  # the folder it made is gone again
    written = save_per_question(items, "svg", new, lambda one, path: save_tally([one], "svg", path))
    assert [p.name for p in written] == [f"{q}.svg" for q in QUESTIONS]
    assert oct(os.stat(written[0]).st_mode & 0o777) != oct(0o600)


# -- co-occurrence through tally ------------------------------------------------------------------


def test_cooccurrence_is_wired_into_tally(cli, demo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    md = cli("tally", "--cooccurrence", "--question", "arbetssatt", "--db", demo)
    assert md.exit_code == 0, md.output
    assert md.stdout.startswith("## ") and "Strategiskt ramverk" in md.stdout
    out = cli("tally", "--cooccurrence", "--format", "csv", "--excel", "--db", demo).stdout
    assert out.startswith("\ufeffquestion;code;")
    assert cli("tally", "--cooccurrence", "--format", "png", "--db", demo).exit_code == 0
    assert listing(tmp_path / "cooccurrence") == [f"{q}.png" for q in sorted(QUESTIONS)]
    assert cli("tally", "--cooccurrence", "--out", "co.xlsx", "--db", demo).exit_code == 0
    assert (tmp_path / "co.xlsx").stat().st_size > 0


@pytest.mark.parametrize("option", [["--by", "landsdel"], ["--compare", "år"], ["--by-coder"]])
def test_cooccurrence_refuses_columns(cli, demo, option):
    result = cli("tally", "--cooccurrence", *option, "--db", demo)
    assert result.exit_code == 1
    assert result.stderr == f"coder: error: --cooccurrence cannot be used with {option[0]}\n"


def test_a_chart_folder_named_without_a_slash(cli, demo, tmp_path, monkeypatch):
    """`--out charts` (no suffix) is the folder of one chart per question, not a file
    called charts."""
    monkeypatch.chdir(tmp_path)
    result = cli("tally", "--format", "png", "--out", "charts", "--db", demo)
    assert result.exit_code == 0, result.output
    assert listing(tmp_path / "charts") == [f"{q}.png" for q in sorted(QUESTIONS)]


def test_pptx_with_many_columns_gives_the_table_the_slide(cli, demo, store, tmp_path):
    """--by with a value per region: no column gets a negative width; the table takes the
    slide's width and the chart a slide of its own."""
    from pptx import Presentation

    out = tmp_path / "wide.pptx"
    result = cli("tally", "--question", "arbetssatt", "--by", "region", "--out", out, "--db", demo)
    assert result.exit_code == 0, result.output
    deck = Presentation(str(out))
    assert len(deck.slides) == 2
    table = next(s for s in deck.slides[0].shapes if s.has_table)
    widths = [c.width for c in table.table.columns]
    assert min(widths) > 0 and table.left + table.width <= deck.slide_width
    assert any(s.has_chart for s in deck.slides[1].shapes)
