"""The coding screen's history of a passage (H), filters, search and order worked out in the
background while keys keep working, and a few small things."""

from __future__ import annotations

import re
import threading

from coder.corpus.importer import import_documents
from coder.store import Store
from coder.tui.app import make_app
from coder.tui.case_list import CaseList
from coder.tui.history_screen import HistoryScreen
from coder.tui.widgets import PassageView
from tests.demo_key import segment_ids
from tests.tui_text import status_of, text_of


def notes(app) -> str:
    return " | ".join(str(n.message) for n in app._notifications)


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


# -- history ---------------------------------------------------------------------------------
async def test_h_shows_the_passages_history_newest_first(project):
    with Store.open(project) as store:
        first = segment_ids(store)[("Blekinge", 0)]
        store.toggle_code(first, "arbetssatt", "generell-ansats", "bo")
        app = make_app(store, "anna")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("1", "2", "u", "tab", "0", "j")  # the history is of passage 1
            await pilot.press("k", "H")
            assert isinstance(app.screen, HistoryScreen)
            text = str(app.screen.query_one("#history-text").render())
            rows = re.findall(r"^\S.*  (\w+)  (added|removed)\n  (.+?)  ·  (.+?)  ·  (.+)$",
                              text, flags=re.MULTILINE)  # fmt: skip
            assert [(who, what, code, how) for who, what, code, _, how in rows] == [
                ("anna", "added", "not applicable (n/a)", "by hand"),
                ("anna", "added", "Strategiskt ramverk", "undo"),  # undo put it back
                ("anna", "removed", "Övergripande ambition", "undo"),
                ("anna", "added", "Övergripande ambition", "by hand"),  # 2 replaced 1
                ("anna", "removed", "Strategiskt ramverk", "by hand"),
                ("anna", "added", "Strategiskt ramverk", "by hand"),
                ("bo", "added", "Generell ansats", "by hand"),
            ]
            assert rows[0][3] == "Utveckling framöver" and rows[-1][3] == "Hur bedrivs arbetet?"
            await pilot.press("escape")
            assert not isinstance(app.screen, HistoryScreen)
        app = make_app(store, "anna", blind=True)  # blind: my own codings only
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("H")
            text = str(app.screen.query_one("#history-text").render())
            assert "anna" in text and "bo" not in text
            await pilot.press("H")  # H closes it too
            await pilot.press("j", "H")
            assert "No codings of this passage yet." in str(
                app.screen.query_one("#history-text").render()
            )


# -- small things ------------------------------------------------------------------------------
async def test_no_suggestion_says_how_to_get_one(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("enter")
            assert "coder suggest" in notes(app) and "coder train" in notes(app)


async def test_choosing_a_case_in_the_list_goes_there(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.click(CaseList, offset=(3, 2))  # the third case
            await pilot.pause()
            assert text_of(app, PassageView).startswith("Gotland")


# -- work in the background --------------------------------------------------------------------
async def test_keys_work_while_an_order_is_worked_out(project, cli):
    """`o` on a large project reads every suggestion: meanwhile `j` still moves at once."""
    assert cli("suggest", "--question", "arbetssatt", "--db", project).exit_code == 0
    with Store.open(project) as store:
        app = make_app(store, "anna")
        release = threading.Event()
        compute = app.session.compute_view

        def slow(request):
            assert release.wait(10)
            return compute(request)

        app.session.compute_view = slow
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("o")
            assert "sorting…" in status_of(app)
            await pilot.press("j", "j")  # not waiting on the worker
            assert "passage 3 " in text_of(app, PassageView)
            assert "most uncertain first" not in status_of(app)
            await pilot.press("o")  # asked again: back to reading order, the first cancelled
            release.set()
            await settle(app, pilot)
            assert "most uncertain first" not in status_of(app) and "…" not in status_of(app)
            assert app.session.view == app.session.order
            assert "passage 3 " in text_of(app, PassageView)  # reading order: stayed put
            await pilot.press("o")
            await settle(app, pilot)
            assert "most uncertain first" in status_of(app)
            assert "Most uncertain first" in notes(app)


async def test_a_failing_filter_is_said_and_coding_goes_on(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")

        def broken(request):
            raise OSError("disk gone")

        app.session.compute_view = broken
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("slash", *"lärande", "enter")
            await settle(app, pilot)
            assert "OSError: disk gone" in notes(app)
            assert "filter" not in status_of(app) and "…" not in status_of(app)
            await pilot.press("1")
            assert store.codes_of(app.session.segment_id, "arbetssatt", "anna")


async def test_with_many_cases_the_filter_finds_a_case_by_typing(tmp_path, db):
    for n in range(45):
        (tmp_path / f"Kommun {n:02d}.txt").write_text(f"Text om kommun {n}.", "utf-8")
    with Store.open(db) as store:
        import_documents(store, sorted(tmp_path.glob("*.txt")))
        app = make_app(store, "anna")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("f")
            choices = app.screen.query_one("#choices")
            last = choices.get_option_at_index(choices.option_count - 1)
            assert str(last.prompt) == "Case… (type part of its name; 45)"
            assert choices.option_count < 45  # not every case listed
            await pilot.press("end", "enter", *"ommun 17", "enter")
            await settle(app, pilot)
            assert "filter: case Kommun 17" in status_of(app)
            assert text_of(app, PassageView).startswith("Kommun 17")
