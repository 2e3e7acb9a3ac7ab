"""Snapshots of the coding screen: at 80x24 (the smallest terminal we promise to be readable
in), and a question with six codes (the shipped codebook's `insatser`) at 80x24, 100x30 and
160x48, where every code must be reachable and the highlighted one in view.

Update after an intended visual change with: python -m pytest tests/test_tui_snapshots.py
--snapshot-update (and look at each changed picture).
"""

from __future__ import annotations

import pytest

from coder.corpus.importer import import_documents
from coder.store import Store
from coder.tui.app import make_app
from tests.conftest import CORPUS
from tests.demo_key import segment_ids


@pytest.fixture
def app_factory(db):
    store = Store.open(db)
    import_documents(store, [CORPUS])
    ids = segment_ids(store)
    first, second = ids[("Blekinge", 0)], ids[("Blekinge", 1)]
    store.toggle_code(first, "arbetssatt", "overgripande-ambition", "bo")
    store.replace_suggestions(
        "arbetssatt",
        [
            (first, "overgripande-ambition", 0.74, 1, "ambition;lärande"),
            (first, "generell-ansats", 0.2, 2),
            (second, "n/a", 0.58, 1, "länsgemensam;analys"),
            (second, "strategiskt-ramverk", 0.3, 2),
        ],
        model_id="m",
    )
    yield lambda coder="anna": make_app(store, coder)
    store.close()


def test_main_screen(snap_compare, app_factory):
    assert snap_compare(app_factory(), terminal_size=(80, 24))


def test_main_screen_after_coding_and_moving(snap_compare, app_factory):
    assert snap_compare(app_factory(), press=["2", "j", "tab"], terminal_size=(80, 24))


def test_not_applicable_suggested_and_marked(snap_compare, app_factory):
    assert snap_compare(app_factory(), press=["j", "0"], terminal_size=(80, 24))


def test_help_screen(snap_compare, app_factory):
    assert snap_compare(app_factory(), press=["question_mark"], terminal_size=(80, 24))


@pytest.mark.parametrize(
    "size", [(80, 24), (100, 30), (160, 48)], ids=lambda s: "x".join(map(str, s))
)
def test_six_codes_the_last_one_coded_and_in_view(snap_compare, app_factory, size):
    """`insatser` has six codes; `6` codes the last one, which scrolls into view where the
    list does not fit, its definition under it."""
    assert snap_compare(app_factory(), press=["tab", "tab", "6"], terminal_size=size)


@pytest.mark.parametrize("press", [[], ["a"]], ids=["side_by_side", "agreeing"])
def test_adjudication_view(snap_compare, app_factory, db, press):
    """A third coder sees anna and bo disagree, side by side; `a` records the agreed code."""
    with Store.open(db) as store:
        first = segment_ids(store)[("Blekinge", 0)]
        store.toggle_code(first, "arbetssatt", "generell-ansats", "anna")
    assert snap_compare(app_factory("cilla"), press=press, terminal_size=(80, 24))


def test_code_picker(snap_compare, app_factory):
    assert snap_compare(app_factory(), press=["tab", "tab", "c", *"upp"], terminal_size=(80, 24))
