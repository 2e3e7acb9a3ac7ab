"""Year over year (`tally --compare år`) and each coder's counts (`tally --by-coder`): the
numbers, every output format, and the bad input each refuses in one line."""

from __future__ import annotations

import copy
import csv
import io
from pathlib import Path

import openpyxl
import pytest

from coder.corpus.importer import import_documents
from coder.errors import CoderError
from coder.model import CONSENSUS_CODER
from coder.reports.formats import change_header, change_text, write_tallies
from coder.reports.tally import tally
from coder.store import Store, queries
from tests.conftest import CORPUS
from tests.demo_key import GA, KEY, OA, SR, code_demo, segment_ids
from tests.test_tally import add_case

# -- a project of two years ----------------------------------------------------------------------

# 2019: Halland, Skåne and Dalarna took up a strategic framework; Blekinge now follows up
# the RUS; Örebro did not report.
KEY_2019 = copy.deepcopy(KEY)
del KEY_2019["Örebro"]
KEY_2019["Halland"][0] = {"arbetssatt": [SR]}
KEY_2019["Skåne"][0] = {"arbetssatt": [SR]}
KEY_2019["Dalarna"][0] = {"arbetssatt": [SR]}
KEY_2019["Blekinge"][1] = {
    "insatser": ["lansgemensamma", "analyser-utredningar", "uppfoljning-rus"]
}


def _documents_by_year(store: Store) -> dict[tuple[str, str], list[int]]:
    """(case, year) -> the segment ids of the case's report of that year, in reading order."""
    docs = {d.id: d for d in queries.document_attributes(store)}
    found: dict[tuple[str, str], list[int]] = {}
    for seg, doc in sorted(queries.segment_documents(store, list(docs)).items()):
        d = docs[doc]
        found.setdefault((d.case, d.attributes.get("år", "")), []).append(seg)
    return found


def two_years(store: Store, folder: Path) -> Store:
    """The demo corpus as the reports of 2018 (coded by the key), the same regions' reports
    of 2019 but Örebro's (coded by ``KEY_2019``), and Gävleborg, a report without a year."""
    import_documents(store, [CORPUS], attributes={"år": "2018"})
    later = folder / "2019"
    later.mkdir()
    for path in CORPUS.glob("*.md"):
        if path.stem in KEY_2019:
            _, front, body = path.read_text("utf-8").split("---\n", 2)
            body = body.replace("\n", " Så även 2019.\n", 1)  # a new report: other text
            (later / f"{path.stem} 2019.md").write_text(f"---\n{front}---\n{body}", "utf-8")
    import_documents(store, [later], attributes={"år": "2019"})
    (folder / "Gävleborg.md").write_text(
        "---\ncase: Gävleborg\nattributes:\n  landsdel: Norrland\n---\n"
        "Region Gävleborg har tagit fram ett ramverk för uppföljning.\n",
        "utf-8",
    )
    import_documents(store, [folder / "Gävleborg.md"])
    segments = _documents_by_year(store)
    for year, key in (("2018", KEY), ("2019", KEY_2019)):
        for case, paragraphs in key.items():
            ids = segments[(case, year)]
            for pos, answers in enumerate(paragraphs):
                for question, codes in answers.items():
                    for code in codes:
                        store.toggle_code(ids[pos], question, code, "anna")
    store.toggle_code(segments[("Gävleborg", "")][0], "arbetssatt", SR, "anna")
    return store


@pytest.fixture
def years(store, tmp_path):
    return two_years(store, tmp_path)


def rows_of(result):
    return {r.code: r for r in result.rows}


def test_compare_counts_each_year_and_the_change(years):
    (result,) = tally(years, "arbetssatt", compare="år")
    assert (result.by, result.compare, result.by_values) == ("år", True, ["2018", "2019"])
    assert result.by_totals == {"2018": 14, "2019": 13}
    assert result.left_out == 1  # Gävleborg has no year
    rows = rows_of(result)
    assert rows[SR].by == {"2018": 6, "2019": 8}  # + Halland, Skåne, Dalarna; − Örebro
    assert rows[OA].by == {"2018": 4, "2019": 3}
    assert rows[GA].by == {"2018": 4, "2019": 2}
    assert [rows[c].change for c in (SR, OA, GA)] == [2, -1, -2]
    (insatser,) = tally(years, "insatser", compare="år")
    assert rows_of(insatser)["uppfoljning-rus"].by == {"2018": 6, "2019": 6}  # + Blekinge, − Örebro
    assert rows_of(insatser)["uppfoljning-rus"].change == 0


def test_numbers_compare_as_numbers_and_the_change_runs_first_to_last(store):
    for name, year in (("Kalmar", "9"), ("Skåne", "10"), ("Gotland", "2020"), ("Uppsala", "10")):
        (seg,) = add_case(store, name, 1, {"år": year})
        store.toggle_code(seg, "arbetssatt", SR, "anna")
    (result,) = tally(store, "arbetssatt", compare="år")
    assert result.by_values == ["9", "10", "2020"]  # not "10" < "2020" < "9"
    assert rows_of(result)[SR].change == 1 - 1
    (by,) = tally(store, "arbetssatt", by="år")
    assert by.by_values == ["9", "10", "2020"]


def test_words_for_the_change(years):
    (result,) = tally(years, "arbetssatt", compare="år")
    assert change_header(result) == "Förändring 2018–2019"
    assert [change_text(n) for n in (2, -1, 0, None)] == ["+2", "\u22121", "0", ""]


def test_compare_in_every_format(cli, db, years, tmp_path):
    md = cli("tally", "--question", "arbetssatt", "--compare", "år", "--format", "md", "--db", db)
    assert md.exit_code == 0, md.output
    assert "| Kategori | 2018 (n=14) | 2019 (n=13) | Förändring 2018–2019 |" in md.stdout
    assert "| Generell ansats | 4 | 2 | \u22122 |" in md.stdout
    assert "1 fall utan år ingår inte i jämförelsen." in md.stdout
    screen = cli("tally", "--question", "arbetssatt", "--compare", "år", "--db", db).stdout
    assert "Förändring 2018–2019" in screen and "+2" in screen and "\u22122" in screen
    out = cli("tally", "--question", "arbetssatt", "--compare", "år", "--format", "csv", "--db", db)
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(out.stdout))}
    assert (rows[SR]["år=2018"], rows[SR]["år=2019"], rows[SR]["change"]) == ("6", "8", "2")
    assert rows[GA]["change"] == "-2"  # a plain integer for machines
    xlsx = tmp_path / "compare.xlsx"
    assert cli("tally", "--compare", "år", "--out", xlsx, "--db", db).exit_code == 0
    sheet = openpyxl.load_workbook(xlsx)["arbetssatt"]
    assert [c.value for c in sheet[3]] == [
        "Kategori",
        "2018 (n=14)",
        "2019 (n=13)",
        "Förändring 2018–2019",
    ]
    assert [c.value for c in sheet[6]] == ["Generell ansats", 4, 2, -2]
    assert sheet.cell(6, 4).number_format == "+0;-0;0"


def test_compare_chart_has_a_bar_per_year(cli, db, years, tmp_path):
    svg = tmp_path / "compare.svg"
    result = cli("tally", "--question", "arbetssatt", "--compare", "år", "--out", svg, "--db", db)
    assert result.exit_code == 0, result.output
    text = svg.read_text("utf-8")
    for label in ("2018 (n=14)", "2019 (n=13)", "Förändring 2018–2019", "Strategiskt ramverk (+2)"):
        assert label in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--compare", "year"],
            "no case has the attribute 'year' (attributes: landsdel, region, år)",
        ),
        (["--compare", "landsdel", "--by", "år"], "--compare and --by cannot be used together"),
        (
            ["--compare", "år", "--by-coder"],
            "--by-coder shows each coder's own codings; it cannot be used with --compare",
        ),
    ],
)
def test_compare_refuses_in_one_line(cli, db, years, tmp_path, args, message):
    out = tmp_path / "t.csv"
    result = cli("tally", *args, "--out", out, "--db", db)
    assert result.exit_code == 1
    assert result.stderr.startswith("coder: error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and not out.exists()


def test_compare_needs_two_values(cli, db, store):
    (seg,) = add_case(store, "Kalmar", 1, {"år": "2019"})
    store.toggle_code(seg, "arbetssatt", SR, "anna")
    add_case(store, "Skåne", 1)  # no year: left out, not a value
    with pytest.raises(CoderError, match=r"^only one value of år \(2019\): nothing to compare$"):
        tally(store, compare="år")
    result = cli("tally", "--compare", "år", "--db", db)
    assert result.exit_code == 1 and "only one value of år (2019)" in result.stderr


def test_a_question_nobody_coded_compares_as_zeros(cli, db, store):
    for name, year in (("Kalmar", "2018"), ("Skåne", "2019")):
        add_case(store, name, 1, {"år": year})
    (result,) = tally(store, "arbetssatt", compare="år")
    assert [(r.by, r.change) for r in result.rows] == [({"2018": 0, "2019": 0}, 0)] * 3
    md = cli("tally", "--question", "arbetssatt", "--compare", "år", "--format", "md", "--db", db)
    assert "| Strategiskt ramverk | 0 | 0 | 0 |" in md.stdout
    (coders,) = tally(store, "arbetssatt", by_coder=True)  # no coder: no columns
    assert coders.by_values == [] and coders.rows[0].by == {}
    md = cli("tally", "--question", "arbetssatt", "--by-coder", "--format", "md", "--db", db)
    assert md.exit_code == 0 and "Efter kodare" not in md.stdout


# -- by coder ------------------------------------------------------------------------------------


def code_by_two(store: Store) -> Store:
    """The demo coded by anna; bo codes it too, but sees a framework in Halland's and
    Skåne's approach and skips Uppsala; a consensus decision on Halland."""
    import_documents(store, [CORPUS])
    code_demo(store, "anna")
    code_demo(store, "bo")
    ids = segment_ids(store)
    for case in ("Halland", "Skåne"):
        store.toggle_code(ids[(case, 0)], "arbetssatt", GA, "bo")
        store.toggle_code(ids[(case, 0)], "arbetssatt", SR, "bo")
    for pos, answers in enumerate(KEY["Uppsala"]):
        for question, codes in answers.items():
            for code in codes:
                store.toggle_code(ids[("Uppsala", pos)], question, code, "bo")
    store.toggle_code(ids[("Halland", 0)], "arbetssatt", GA, CONSENSUS_CODER)
    return store


@pytest.fixture
def two_coders(store):
    return code_by_two(store)


def test_by_coder_counts_each_coders_own_cases(two_coders):
    (result,) = tally(two_coders, "arbetssatt", by_coder=True)
    assert (result.by, result.by_coder) == ("coder", True)
    assert result.by_values == ["anna", "bo", CONSENSUS_CODER]  # consensus last
    assert result.by_totals == {"anna": 14, "bo": 13, CONSENSUS_CODER: 1}
    rows = rows_of(result)
    assert rows[SR].by == {"anna": 6, "bo": 8, CONSENSUS_CODER: 0}
    assert rows[GA].by == {"anna": 4, "bo": 2, CONSENSUS_CODER: 1}
    assert rows[OA].by == {"anna": 4, "bo": 3, CONSENSUS_CODER: 0}
    assert rows[SR].cases == 8  # the table itself counts everyone's codings together
    (only,) = tally(two_coders, "arbetssatt", by_coder=True, coders=["bo", "anna"])
    assert only.by_values == ["bo", "anna"]


def test_by_coder_counts_cases_coded_not_applicable_in_the_total(store):
    (seg,) = add_case(store, "Kalmar", 1)
    store.toggle_code(seg, "arbetssatt", "n/a", "bo")
    (result,) = tally(store, "arbetssatt", by_coder=True)
    assert result.by_totals == {"bo": 1}
    assert all(r.by == {"bo": 0} for r in result.rows)


def test_by_coder_in_every_format(cli, db, two_coders, tmp_path):
    args = ("tally", "--question", "arbetssatt", "--by-coder", "--db", db)
    md = cli(*args, "--format", "md").stdout
    assert "Efter kodare:" in md
    assert "| Kategori | anna (n=14) | bo (n=13) | consensus (n=1) |" in md
    assert "| Strategiskt ramverk | 6 | 8 | 0 |" in md
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(cli(*args, "--format", "csv").stdout))}
    assert (rows[SR]["coder=anna"], rows[SR]["coder=bo"]) == ("6", "8")
    screen = cli(*args).stdout  # 80 columns: the headings wrap
    assert "consen" in screen and "(n=13)" in screen and "Strategi" in screen
    out = tmp_path / "coders.png"
    assert cli(*args, "--out", out).exit_code == 0 and out.stat().st_size > 10_000


@pytest.mark.parametrize(
    "option", [["--consensus"], ["--include-suggestions", "0.5"], ["--by", "landsdel"]]
)
def test_by_coder_refuses_what_mixes_coders(cli, db, two_coders, option):
    result = cli("tally", "--by-coder", *option, "--db", db)
    assert result.exit_code == 1
    assert result.stderr == (
        f"coder: error: --by-coder shows each coder's own codings; it cannot be used with "
        f"{option[0]}\n"
    )


def test_write_tallies_of_a_comparison_is_what_the_command_prints(cli, db, years):
    tallies = tally(years, compare="år")
    stream = io.StringIO()
    write_tallies(tallies, stream, "md")
    assert stream.getvalue() == cli("tally", "--compare", "år", "--format", "md", "--db", db).stdout
