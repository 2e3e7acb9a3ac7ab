"""Snapshots of the coding screen at 80x24 (the smallest terminal we promise to be readable in).

Update after an intended visual change with: python -m pytest tests/test_tui_snapshots.py
--snapshot-update
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
    yield lambda: make_app(store, "anna")
    store.close()


def test_main_screen(snap_compare, app_factory):
    assert snap_compare(app_factory(), terminal_size=(80, 24))


def test_main_screen_after_coding_and_moving(snap_compare, app_factory):
    assert snap_compare(app_factory(), press=["2", "j", "tab"], terminal_size=(80, 24))


def test_not_applicable_suggested_and_marked(snap_compare, app_factory):
    assert snap_compare(app_factory(), press=["j", "0"], terminal_size=(80, 24))


def test_help_screen(snap_compare, app_factory):
    assert snap_compare(app_factory(), press=["question_mark"], terminal_size=(80, 24))
