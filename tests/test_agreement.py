"""Agreement between coders, checked against the reference implementations
(the ``krippendorff`` package and scikit-learn's ``cohen_kappa_score``)."""

from __future__ import annotations

import csv
import io
import json
import math
import warnings

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from coder.corpus.importer import import_documents
from coder.reports.agreement import agreement
from coder.reports.agreement_measures import cohen_kappa, krippendorff_alpha, percent_agreement
from tests.conftest import CORPUS
from tests.demo_key import segment_ids


@pytest.fixture
def db(backend_db: str) -> str:
    """These tests run on SQLite and on PostgreSQL (see conftest)."""
    return backend_db


def reference_alpha(rows) -> float | None:
    """The krippendorff package on units x coders rows (None = missing)."""
    values = sorted({v for row in rows for v in row if v is not None}, key=repr)
    index = {v: i for i, v in enumerate(values)}
    matrix = np.array(
        [[np.nan if v is None else index[v] for v in row] for row in rows], dtype=float
    ).T  # the package wants coders x units
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nan (no pairable values) is compared as None
            return krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    except ValueError:  # "There has to be more than one value in the domain."
        return None


def reference_kappa(first, second) -> float | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = cohen_kappa_score([repr(v) for v in first], [repr(v) for v in second])
    return None if math.isnan(value) else float(value)


def same(ours: float | None, reference: float | None) -> bool:
    if ours is None or reference is None or math.isnan(reference):
        return ours is None and (reference is None or math.isnan(reference))
    return math.isclose(ours, reference, rel_tol=1e-9, abs_tol=1e-12)


# -- the measures -------------------------------------------------------------------------------


def test_alpha_reproduces_krippendorffs_own_nominal_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", 4 coders x 12 units,
    # nominal alpha = 0.743.
    a = [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None]
    b = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3]
    c = [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None]
    d = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]
    rows = list(zip(a, b, c, d, strict=True))
    assert krippendorff_alpha(rows) == pytest.approx(0.743, abs=5e-4)
    assert same(krippendorff_alpha(rows), reference_alpha(rows))


def test_perfect_agreement():
    rows = [("a", "a"), ("b", "b"), ("a", "a"), ("c", "c")]
    assert percent_agreement(rows) == 1.0
    assert krippendorff_alpha(rows) == pytest.approx(1.0)
    assert cohen_kappa(*zip(*rows, strict=True)) == pytest.approx(1.0)
    assert same(krippendorff_alpha(rows), reference_alpha(rows))


def test_chance_level_agreement_is_near_zero_and_matches_references():
    rng = np.random.default_rng(7)
    first = rng.choice(["a", "b", "c"], 400).tolist()
    second = rng.choice(["a", "b", "c"], 400).tolist()
    rows = list(zip(first, second, strict=True))
    kappa = cohen_kappa(first, second)
    assert abs(kappa) < 0.1
    assert same(kappa, reference_kappa(first, second))
    assert same(krippendorff_alpha(rows), reference_alpha(rows))
    assert percent_agreement(rows) == pytest.approx(np.mean([a == b for a, b in rows]))


def test_missing_values_with_three_coders():
    rows = [
        ("a", "a", None),
        ("a", "b", "a"),
        (None, "c", "c"),
        ("b", None, None),  # one value: not pairable, ignored
        ("c", "c", "b"),
    ]
    assert same(krippendorff_alpha(rows), reference_alpha(rows))
    # pairs agreeing per unit: 1/1, 1/3, 1/1, 1/3 -> mean 2/3
    assert percent_agreement(rows) == pytest.approx(2 / 3)


def test_undefined_figures_are_none_where_references_give_nan_or_refuse():
    rows = [("a", "a"), ("a", "a")]
    assert krippendorff_alpha(rows) is None and reference_alpha(rows) is None
    assert cohen_kappa(["a", "a"], ["a", "a"]) is None
    assert reference_kappa(["a", "a"], ["a", "a"]) is None
    assert krippendorff_alpha([("a", None)]) is None
    assert percent_agreement([]) is None


coder_values = st.one_of(st.none(), st.sampled_from(["a", "b", "c", "d"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(coder_values, min_size=3, max_size=3), min_size=1, max_size=30))
def test_alpha_equals_the_krippendorff_package_on_random_data(rows):
    assert same(krippendorff_alpha(rows), reference_alpha(rows))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(["a", "b", "c"])),
        min_size=1,
        max_size=40,
    )
)
def test_kappa_equals_scikit_learn_on_random_data(pairs):
    first, second = zip(*pairs, strict=True)
    assert same(cohen_kappa(first, second), reference_kappa(first, second))


# -- on a project, through the command line ---------------------------------------------------


@pytest.fixture
def two_coders(store):
    """The demo corpus with anna and bo coding the first passage of every region."""
    import_documents(store, [CORPUS])
    ids = segment_ids(store)
    cases = sorted({case for case, _ in ids})
    anna = ["strategiskt-ramverk", "overgripande-ambition", "generell-ansats"]
    bo = ["strategiskt-ramverk", "overgripande-ambition", "overgripande-ambition"]
    for i, case in enumerate(cases):
        store.toggle_code(ids[(case, 0)], "arbetssatt", anna[i % 3], "anna")
        if i < 12:  # bo leaves two regions uncoded: missing values
            store.toggle_code(ids[(case, 0)], "arbetssatt", bo[i % 3], "bo")
        # insatser is multi: anna gives one or two codes, bo sometimes differs
        store.toggle_code(ids[(case, 1)], "insatser", "analyser-utredningar", "anna")
        store.toggle_code(ids[(case, 1)], "insatser", "analyser-utredningar", "bo")
        if i % 2:
            store.toggle_code(ids[(case, 1)], "insatser", "konferenser", "anna")
        if i % 4 == 1:
            store.toggle_code(ids[(case, 1)], "insatser", "konferenser", "bo")
    return store, ids, cases, anna, bo


def test_json_figures_equal_the_references_on_a_two_coder_project(two_coders, cli, db):
    _store, _ids, cases, anna, bo = two_coders
    result = cli("agreement", "--db", db, "--question", "arbetssatt", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"question", "coders", "units", "overall", "codes"}
    assert data["question"] == "arbetssatt" and data["coders"] == ["anna", "bo"]
    assert data["units"] == 12  # passages both coded
    first = [anna[i % 3] for i in range(12)]
    second = [bo[i % 3] for i in range(12)]
    overall = data["overall"]
    assert overall["percent_agreement"] == pytest.approx(
        np.mean([a == b for a, b in zip(first, second, strict=True)])
    )
    assert same(overall["cohen_kappa"], reference_kappa(first, second))
    assert same(
        overall["krippendorff_alpha"], reference_alpha(list(zip(first, second, strict=True)))
    )
    for code in ("strategiskt-ramverk", "generell-ansats"):
        a = [x == code for x in first]
        b = [x == code for x in second]
        figures = data["codes"][code]
        assert same(figures["cohen_kappa"], reference_kappa(a, b))
        assert same(figures["krippendorff_alpha"], reference_alpha(list(zip(a, b, strict=True))))
    assert set(data["codes"]) == {"strategiskt-ramverk", "overgripande-ambition", "generell-ansats"}


def test_multi_question_compares_codes_as_presence_and_absence(two_coders):
    store, _ids, cases, *_ = two_coders
    result = agreement(store, "insatser")
    n = len(cases)
    anna = [(i % 2 == 1) for i in range(n)]
    bo = [(i % 4 == 1) for i in range(n)]
    konf = result.codes["konferenser"]
    assert same(konf.cohen_kappa, reference_kappa(anna, bo))
    assert same(konf.krippendorff_alpha, reference_alpha(list(zip(anna, bo, strict=True))))
    # everyone gave analyser-utredningar everywhere: agreement 100 %, alpha undefined
    always = result.codes["analyser-utredningar"]
    assert always.percent_agreement == 1.0 and always.krippendorff_alpha is None
    # overall: the whole answer (set of codes) must match
    assert result.overall.percent_agreement == pytest.approx(
        np.mean([a == b for a, b in zip(anna, bo, strict=True)])
    )
    assert result.units == n


def test_markdown_and_csv_outputs(two_coders, cli, db, tmp_path):
    md = cli("agreement", "--db", db, "--question", "arbetssatt")
    assert md.exit_code == 0
    assert "| **All codes** |" in md.output and "Krippendorff" in md.output
    out = tmp_path / "agreement.csv"
    result = cli("agreement", "--db", db, "--format", "csv", "--out", out)
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0]["code"] == "(overall)" and rows[0]["coders"] == "anna,bo"
    # every question both coded, overall row plus one row per code
    assert {r["question"] for r in rows} == {"arbetssatt", "insatser"}


def test_three_coders_have_alpha_but_no_kappa(two_coders, cli, db):
    store, ids, cases, *_ = two_coders
    store.toggle_code(ids[(cases[0], 0)], "arbetssatt", "generell-ansats", "cilla")
    data = json.loads(
        cli("agreement", "--db", db, "--question", "arbetssatt", "--format", "json").output
    )
    assert data["coders"] == ["anna", "bo", "cilla"]
    assert data["overall"]["cohen_kappa"] is None
    assert data["overall"]["krippendorff_alpha"] is not None


def test_one_coder_is_a_clear_error(store, cli, db):
    import_documents(store, [CORPUS])
    ids = segment_ids(store)
    store.toggle_code(ids[("Kalmar", 0)], "arbetssatt", "generell-ansats", "anna")
    result = cli("agreement", "--db", db, "--question", "arbetssatt")
    assert result.exit_code == 1
    assert "needs at least two coders" in result.output and "anna" in result.output
    unknown = cli("agreement", "--db", db, "--coders", "anna,nobody", "--question", "arbetssatt")
    assert unknown.exit_code == 1 and "unknown coder 'nobody'" in unknown.output
    # over every question too: the unknown coder is named, not hidden behind "no question"
    unknown = cli("agreement", "--db", db, "--coders", "anna,nobody")
    assert unknown.exit_code == 1 and "unknown coder 'nobody'" in unknown.output
