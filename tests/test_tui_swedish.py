"""The coding screen in Swedish: the footer's words, the help screen, the status line and
the notes, with their plurals; and English again as soon as the language is English.

The screen's bindings are made when its class is (at import, here in English): the screen
puts their words into the language chosen by the time it is created, as the command line
chooses it before it builds the app.
"""

from __future__ import annotations

import re

import pytest

from coder import i18n
from coder.coding.filters import Filter
from coder.store import Store
from coder.tui.app import make_app
from coder.tui.keymap import KeyFooter
from tests.tui_text import status_of


@pytest.fixture
def swedish():
    """Swedish while the test runs, English again after it (other tests read English)."""
    before = i18n.language()
    i18n.set_language("sv")
    yield
    i18n.set_language(before)


def footer_of(app) -> list[str]:
    footer = app.screen.query_one(KeyFooter)
    return [
        f"{key.key_display} {key.description}".strip()
        for key in footer.query("FooterKey")
        if key.display
    ]


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def settled(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_footer_speaks_swedish_at_80x24(project, swedish):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            shown = footer_of(app)
            assert shown[:2] == ["j Nästa", "k Föregående"]
            assert "u Ångra" in shown
            assert shown[-2:] == ["? Hjälp", "q Avsluta"]  # pinned at the right end
            footer = app.screen.query_one(KeyFooter)
            visible = [k for k in footer.query("FooterKey") if k.display]
            assert all(k.region.right <= 80 for k in visible)  # whole words, none cut
            assert not any("Next" in item or "Quit" in item for item in shown)


async def test_the_help_screen_is_swedish(project, swedish):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("question_mark")
            text = str(app.screen.query_one("#help-text").render())
            assert text.startswith("Kodningstangenter\n")
            assert re.search(r"\n  j / down +nästa avsnitt\n", text)
            assert re.search(r"\n  0 +slå på/av n/a", text)
            assert re.search(r"\n  H +avsnittets historik", text)
            assert "\nFörflyttning\n" in text and "\nÖvrigt\n" in text
            assert re.search(r"\n  \[x\] +kodad av mig", text)
            assert "next passage" not in text and "Coding keys" not in text
            await pilot.press("escape", "q")
            assert app.return_code == 0


async def test_the_status_line_and_the_notes_are_swedish_with_their_plurals(project, swedish):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            status = status_of(app)
            assert re.match(r"F1/\d+ \S+  ·  kodade 0/\d+ \(0%\)$", status), status
            await pilot.press("1")
            await pilot.pause()
            assert "  ·  kodade 1/" in status_of(app)
            screen = app.screen
            screen.show_view(Filter.case, "Blekinge", why="filter")
            await settled(app, pilot)
            assert "  ·  filter: fall Blekinge" in status_of(app)
            passages = len(screen.session.view)
            assert f"{passages} avsnitt visas." in notes(app)
            screen.show_view(Filter.search, "zzz-finns-inte", why="search")
            await settled(app, pilot)
            assert "0 avsnitt innehåller ”zzz-finns-inte”." in notes(app)
            await pilot.press("u")
            await pilot.pause()
            assert "Ångrat." in notes(app)


async def test_a_plural_follows_the_number_in_english_too(project):
    assert i18n.language() == "en"
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert re.match(r"Q1/\d+ \S+  ·  coded 0/\d+ \(0%\)$", status_of(app))
            screen = app.screen
            screen.show_view(Filter.search, "zzz-not-there", why="search")
            await settled(app, pilot)
            assert "0 passages contain “zzz-not-there”." in notes(app)
            screen.show_view(Filter.case, "Blekinge", why="filter")
            await settled(app, pilot)
            assert "  ·  filter: case Blekinge" in status_of(app)
            assert f"{len(screen.session.view)} passages shown." in notes(app)
            assert footer_of(app)[-2:] == ["? Help", "q Quit"]


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [
        ("en", "1 passage shown.", "2 passages shown."),
        ("sv", "1 avsnitt visas.", "2 avsnitt visas."),
    ],
)
def test_the_note_after_a_filter_has_its_plural(lang, one, two):
    from coder.tui.views import shown_note

    request = None  # what was asked for matters to a search's note only
    before = i18n.language()
    try:
        i18n.set_language(lang)
        assert shown_note(request, 1, "filter") == one
        assert shown_note(request, 2, "filter") == two
    finally:
        i18n.set_language(before)


def test_the_note_beside_uncalibrated_bars_has_its_plural_in_both_languages():
    from coder.coding.session import _uncalibrated

    before = i18n.language()
    try:
        i18n.set_language("en")
        assert [_uncalibrated(n) for n in (0, 1, 2)] == [
            "uncalibrated (0 codings)",
            "uncalibrated (1 coding)",
            "uncalibrated (2 codings)",
        ]
        i18n.set_language("sv")
        assert [_uncalibrated(n) for n in (1, 2)] == [
            "okalibrerad (1 kodning)",
            "okalibrerad (2 kodningar)",
        ]
    finally:
        i18n.set_language(before)
