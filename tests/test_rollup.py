"""`tally --rollup`: a code with subcodes (codes whose `parent` it is, at any depth) counts
a case, and a passage, when the code or any subcode is coded there; the subcodes keep their
own rows, in codebook order. On both back ends."""

from __future__ import annotations

import pytest

from coder.errors import CoderError
from coder.model.codebook import load_codebook
from coder.reports.tally import tally
from coder.store import Store
from tests.conftest import CODEBOOK as SHIPPED
from tests.test_tally import add_case

CODEBOOK = """\
id: hierarki
title: Hierarki
language: sv
questions:
  - id: insatser
    title: Vilka insatser?
    mode: multi
    codes:
      - {id: analys, label: Analys}
      - {id: regional, label: Regional analys, parent: analys}
      - {id: nationell, label: Nationell analys, parent: analys}
      - {id: registerdata, label: Registerdata, parent: nationell}
      - {id: konferenser, label: Konferenser}
  - id: ansats
    title: Hur bedrivs arbetet?
    mode: single
    codes:
      - {id: plan, label: Lärandeplan, parent: ram}
      - {id: ram, label: Strategiskt ramverk}
      - {id: ad-hoc, label: Ad hoc}
  - id: platt
    title: Utan hierarki
    mode: single
    codes:
      - {id: ja, label: Ja}
      - {id: nej, label: Nej}
"""


@pytest.fixture
def db(location: str, tmp_path) -> str:
    """A project with the codebook above, on SQLite and on PostgreSQL (see conftest)."""
    path = tmp_path / "hierarki.yaml"
    path.write_text(CODEBOOK, encoding="utf-8")
    Store.create(location, load_codebook(path)).close()
    return location


@pytest.fixture
def coded(store):
    """Blekinge: a subcode; Dalarna: a sub-subcode; Gotland: the parent itself; Halland:
    two subcodes on two passages and the parent with one of them on a third; Kalmar:
    another code only."""
    cases = {
        name: add_case(store, name, n, {"landsdel": part})
        for name, n, part in [
            ("Blekinge", 1, "Götaland"),
            ("Dalarna", 1, "Svealand"),
            ("Gotland", 1, "Götaland"),
            ("Halland", 3, "Götaland"),
            ("Kalmar", 1, "Götaland"),
        ]
    }
    for case, position, code in [
        ("Blekinge", 0, "regional"),
        ("Dalarna", 0, "registerdata"),
        ("Gotland", 0, "analys"),
        ("Halland", 0, "regional"),
        ("Halland", 1, "nationell"),
        ("Halland", 2, "analys"),
        ("Halland", 2, "regional"),
        ("Kalmar", 0, "konferenser"),
    ]:
        store.toggle_code(cases[case][position], "insatser", code, "anna")
    return store, cases


def rows_of(result) -> dict:
    return {r.code: r for r in result.rows}


def counts(result) -> dict[str, tuple[int, int]]:
    return {r.code: (r.cases, r.segments) for r in result.rows}


def test_a_parent_counts_the_cases_and_passages_of_its_subcodes(coded):
    store, _ = coded
    (flat,) = tally(store, "insatser")
    (rolled,) = tally(store, "insatser", rollup=True)
    assert counts(flat) == {
        "analys": (2, 2),
        "regional": (2, 3),
        "nationell": (1, 1),
        "registerdata": (1, 1),
        "konferenser": (1, 1),
    }
    assert counts(rolled) == {
        # every passage with analys or a subcode once: Halland's third passage has both
        "analys": (4, 6),
        "regional": (2, 3),  # no subcodes: as it was
        "nationell": (2, 2),  # itself in Halland, its subcode registerdata in Dalarna
        "registerdata": (1, 1),
        "konferenser": (1, 1),
    }
    assert [r.code for r in rolled.rows] == [r.code for r in flat.rows]  # codebook order
    assert rows_of(rolled)["analys"].share == pytest.approx(4 / 5)
    assert rows_of(rolled)["analys"].examples == ["Halland", "Blekinge", "Dalarna", "Gotland"]
    assert [r.code for r in rolled.rows if r.rolled_up] == ["analys", "nationell"]
    assert rolled.rollup and not flat.rollup
    assert not any(r.rolled_up for r in flat.rows)


def test_rows_stay_in_codebook_order_with_a_child_listed_first(coded):
    store, cases = coded
    store.toggle_code(cases["Kalmar"][0], "ansats", "plan", "anna")
    store.toggle_code(cases["Blekinge"][0], "ansats", "ad-hoc", "anna")
    (result,) = tally(store, "ansats", rollup=True)
    assert [(r.code, r.cases) for r in result.rows] == [("plan", 1), ("ram", 1), ("ad-hoc", 1)]
    (by_count,) = tally(store, "ansats", rollup=True, sort="count", examples=0)
    assert [r.code for r in by_count.rows] == ["plan", "ram", "ad-hoc"]  # ties keep the order


def test_consensus_compares_what_each_coder_implies(coded):
    """anna says regional, bo nationell: both put the passage under analys, and only there."""
    store, cases = coded
    seg = cases["Kalmar"][0]
    store.toggle_code(seg, "insatser", "regional", "anna")
    store.toggle_code(seg, "insatser", "nationell", "bo")
    (rolled,) = tally(store, "insatser", consensus=True, rollup=True)
    assert rows_of(rolled)["analys"].examples == ["Kalmar"]
    assert (rows_of(rolled)["regional"].cases, rows_of(rolled)["nationell"].cases) == (0, 0)
    (flat,) = tally(store, "insatser", consensus=True)
    assert rows_of(flat)["analys"].cases == 0


def test_suggestions_roll_up_and_stay_marked(coded):
    store, _ = coded
    (seg,) = add_case(store, "Jönköping", 1)  # no human decision there: the model's counts
    store.replace_suggestions("insatser", [(seg, "registerdata", 0.9, 1)], "m1", [seg])
    (rolled,) = tally(store, "insatser", rollup=True, include_suggestions=0.5)
    analys = rows_of(rolled)["analys"]
    assert (analys.cases, analys.suggested_cases) == (5, 1)
    assert dict(zip(analys.examples, analys.example_suggested, strict=True)) == {
        "Halland": False, "Blekinge": False, "Dalarna": False, "Gotland": False
    }  # fmt: skip
    (more,) = tally(store, "insatser", rollup=True, include_suggestions=0.5, examples=5)
    assert rows_of(more)["analys"].example_suggested[-1] is True  # Jönköping, marked
    assert (rows_of(rolled)["nationell"].cases, rows_of(rolled)["nationell"].suggested_cases) == (
        3,
        1,
    )


def test_not_applicable_is_never_rolled_up(coded):
    store, cases = coded
    store.toggle_code(cases["Kalmar"][0], "ansats", "n/a", "anna")
    (result,) = tally(store, "ansats", rollup=True)
    assert sum(r.cases for r in result.rows) == 0 and result.not_applicable == 1


def test_columns_by_attribute_and_by_coder_roll_up_too(coded):
    store, cases = coded
    (by,) = tally(store, "insatser", by="landsdel", rollup=True)
    assert rows_of(by)["analys"].by == {"Götaland": 3, "Svealand": 1}
    store.toggle_code(cases["Kalmar"][0], "insatser", "registerdata", "bo")
    (coders,) = tally(store, "insatser", by_coder=True, rollup=True)
    assert rows_of(coders)["analys"].by == {"anna": 4, "bo": 1}
    assert rows_of(coders)["nationell"].by == {"anna": 2, "bo": 1}
    assert rows_of(coders)["konferenser"].by == {"anna": 1, "bo": 0}


def test_questions_without_subcodes(coded):
    store, cases = coded
    store.toggle_code(cases["Kalmar"][0], "platt", "ja", "anna")
    results = {t.question.id: t for t in tally(store, rollup=True)}
    assert results["insatser"].rollup and not results["platt"].rollup  # no note to make there
    assert rows_of(results["platt"])["ja"].cases == 1
    with pytest.raises(CoderError, match="no code in question 'platt' has a parent"):
        tally(store, "platt", rollup=True)


def test_a_codebook_without_subcodes_is_refused_in_one_line(tmp_path):
    """The shipped codebook has no parents: --rollup would change nothing, and says so."""
    with Store.create(str(tmp_path / "ak6.db"), load_codebook(SHIPPED)) as store:
        (seg,) = add_case(store, "Kalmar", 1)
        store.toggle_code(seg, "insatser", "konferenser", "anna")
        with pytest.raises(CoderError) as refused:
            tally(store, rollup=True)
    assert str(refused.value) == (
        "--rollup counts codes under their parent codes, but no code in the codebook has a "
        "parent (see docs/codebook.md)"
    )


def test_tally_rollup_on_the_command_line_says_so_under_the_table(cli, coded, db):
    plain = cli("tally", "--question", "insatser", "--format", "md", "--db", db)
    rolled = cli("tally", "--question", "insatser", "--format", "md", "--rollup", "--db", db)
    assert plain.exit_code == 0 and rolled.exit_code == 0, rolled.output
    assert "Med underkategorier: Analys, Nationell analys" in rolled.stdout
    assert "underkategorier" not in plain.stdout
    assert plain.stdout != rolled.stdout
    refused = cli("tally", "--cooccurrence", "--rollup", "--db", db)
    assert refused.exit_code == 1
    assert "--cooccurrence cannot be used with --rollup" in refused.stderr
