"""The coding screen, driven with Textual's pilot: press keys, then check the database and
the screen."""

from __future__ import annotations

import re

from coder.corpus.importer import import_documents
from coder.store import Store, queries
from coder.tui.app import make_app
from coder.tui.case_list import CaseList
from coder.tui.code_panel import CodeDetail, CodePanel, QuestionHeader, score_bar
from coder.tui.screens import fuzzy_score
from coder.tui.widgets import PassageView
from tests.conftest import CORPUS
from tests.demo_key import segment_ids
from tests.tui_text import status_of, text_of

SIZE = (100, 30)


async def settled(app, pilot) -> None:
    """Wait for the filter, search or order worked out in the background to be shown."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def codings(db) -> list[tuple]:
    with Store.open(db) as store:
        return sorted(
            (r["case"], r["question"], r["code"], r["coder"]) for r in queries.iter_codings(store)
        )


async def test_number_key_codes_the_passage_and_is_saved_at_once(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("1")
            # saved before the screen acknowledged it: visible to a second connection now
            assert codings(project) == [("Blekinge", "arbetssatt", "strategiskt-ramverk", "anna")]
            assert "[x] Strategiskt ramverk" in text_of(app, CodePanel)
            assert "coded 1/57" in status_of(app)
            assert "1/4 Blekinge" in str(app.screen.query_one(CaseList).prompt_at(0))


async def test_single_question_replaces_and_multi_toggles(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("1", "3")
            assert codings(project) == [("Blekinge", "arbetssatt", "generell-ansats", "anna")]
            await pilot.press("tab")  # utveckling (multi)
            await pilot.press("1", "2", "1")
            got = [c for c in codings(project) if c[1] == "utveckling"]
            assert got == [("Blekinge", "utveckling", "generella-termer", "anna")]
            assert "(several codes)" in text_of(app, QuestionHeader)


async def test_undo_restores_previous_single_code(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("1", "2", "j", "u")
            assert codings(project) == [("Blekinge", "arbetssatt", "strategiskt-ramverk", "anna")]
            # undo takes you back to the passage it changed
            assert "passage 1 " in text_of(app, PassageView)
            await pilot.press("u")
            assert codings(project) == []
            assert "coded 0/57" in status_of(app)


async def test_navigation_next_previous_and_next_uncoded(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("j", "j", "down")
            assert "passage 4 " in text_of(app, PassageView)
            await pilot.press("k", "up")
            assert "passage 2 " in text_of(app, PassageView)
            await pilot.press("k", "k", "k")  # stops at the first passage
            assert "1/57" in text_of(app, PassageView)
            await pilot.press("1", "n")  # code passage 1, jump to the next uncoded
            assert "2/57" in text_of(app, PassageView)
            await pilot.press("right_square_bracket")
            assert "Dalarna" in text_of(app, PassageView)


async def test_filter_uncoded_and_by_case(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("1")
            await pilot.press("f")
            await pilot.press("down", "enter")  # "Passages I have not coded"
            await settled(app, pilot)
            assert "filter: uncoded" in status_of(app)
            assert "1/56" in text_of(app, PassageView)
            await pilot.press("f")
            # all, uncoded, disagreements, three codes, n/a, Blekinge, then Dalarna: eight steps
            await pilot.press(*["down"] * 8, "enter")
            await settled(app, pilot)
            assert "filter: case Dalarna" in status_of(app)
            assert "1/4" in text_of(app, PassageView)
            await pilot.press("escape")
            await settled(app, pilot)
            assert "filter" not in status_of(app)


async def test_search_highlights_hits_and_filters(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("slash")
            await pilot.press(*"lärandeplan", "enter")
            await settled(app, pilot)
            view = app.screen.query_one(PassageView)
            rendered = view.render()
            assert "filter: search lärandeplan" in status_of(app)
            assert "Gotland" in str(rendered)
            spans = [s for s in rendered.spans if getattr(s.style, "reverse", False)]
            assert any(str(rendered)[s.start : s.end].lower() == "lärandeplan" for s in spans)


async def test_memo_is_saved_on_the_passage(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("m")
            await pilot.press(*"oklart", "enter")
            assert "Memo: oklart" in text_of(app, PassageView)
        first = segment_ids(store)[("Blekinge", 0)]
        assert queries.latest_memo(store, first, "anna") == "oklart"


async def test_reopening_resumes_where_the_coder_left_off(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("tab", "j", "j", "j", "j", "j", "2", "q")
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE):
            assert "Kalmar" not in text_of(app, PassageView)
            assert "Dalarna" in text_of(app, PassageView)
            assert "passage 2 " in text_of(app, PassageView)
            assert "Q2/4 utveckling" in status_of(app)
        app = make_app(store, "bo")  # another coder starts at the beginning
        async with app.run_test(size=SIZE):
            assert "1/57" in text_of(app, PassageView)


async def test_other_coders_marks_and_blind_mode(project):
    with Store.open(project) as store:
        first = segment_ids(store)[("Blekinge", 0)]
        store.toggle_code(first, "arbetssatt", "overgripande-ambition", "bo")
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE):
            assert "◆ bo" in text_of(app, CodePanel)
        app = make_app(store, "anna", blind=True)
        async with app.run_test(size=SIZE):
            assert "◆" not in text_of(app, CodePanel)


async def test_adjudication_shows_disagreements_side_by_side_and_records_consensus(project):
    with Store.open(project) as store:
        ids = segment_ids(store)
        for case, anna, bo in [
            ("Dalarna", "overgripande-ambition", "generell-ansats"),  # differ
            ("Kalmar", "generell-ansats", "generell-ansats"),  # agree
            ("Skåne", "strategiskt-ramverk", "generell-ansats"),  # differ
        ]:
            store.toggle_code(ids[(case, 0)], "arbetssatt", anna, "anna")
            store.toggle_code(ids[(case, 0)], "arbetssatt", bo, "bo")
        app = make_app(store, "cilla")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f", "down", "down", "enter")  # "Coders disagree"
            await settled(app, pilot)
            assert "filter: disagreements" in status_of(app)
            view = text_of(app, PassageView)
            assert "Dalarna" in view and "1/2" in view
            assert "(they differ)" in view
            assert re.search(r"\n  anna: Övergripande ambition\n", view)
            assert re.search(r"\n  bo: Generell ansats\n", view)
            assert re.search(r"\n  consensus: —\n", view)
            await pilot.press("a")  # options: as anna, as bo, then every code
            await pilot.press("down", "enter")  # take bo's answer over
            assert store.codes_of(ids[("Dalarna", 0)], "arbetssatt", "consensus") == {
                "generell-ansats"
            }
            assert re.search(r"consensus: Generell ansats", text_of(app, PassageView))
            await pilot.press("j")
            assert "Skåne" in text_of(app, PassageView)
            await pilot.press("a", *["down"] * 2, "enter")  # "Code: Strategiskt ramverk"
            assert store.codes_of(ids[("Skåne", 0)], "arbetssatt", "consensus") == {
                "strategiskt-ramverk"
            }
            await pilot.press("u")  # undo takes the adjudication back, not a coding
            assert store.codes_of(ids[("Skåne", 0)], "arbetssatt", "consensus") == set()
            assert store.codes_of(ids[("Skåne", 0)], "arbetssatt", "anna") == {
                "strategiskt-ramverk"
            }
        # the adjudicated passage counts in a consensus tally
        from coder.reports.tally import tally

        (result,) = tally(store, "arbetssatt", consensus=True)
        assert {r.code: r.cases for r in result.rows}["generell-ansats"] == 2  # Dalarna, Kalmar


async def test_definition_of_the_highlighted_code_is_shown(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE) as pilot:
            assert "lärandeplan" in text_of(app, CodeDetail)
            await pilot.press("right")
            detail = text_of(app, CodeDetail)
            assert detail.startswith("Övergripande ambition")
            assert "Exclude:" in detail and "Example:" in detail


async def test_code_picker_applies_a_fuzzy_match(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("tab", "tab")  # insatser
            await pilot.press("c", *"lansgem", "enter")
            assert codings(project) == [("Blekinge", "insatser", "lansgemensamma", "anna")]


async def test_suggestions_show_as_bars_and_enter_accepts_the_top_one(project):
    with Store.open(project) as store:
        first = segment_ids(store)[("Blekinge", 0)]
        store.replace_suggestions(
            "arbetssatt",
            [(first, "overgripande-ambition", 0.81, 1), (first, "generell-ansats", 0.12, 2)],
            model_id="model-1",
        )
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE) as pilot:
            panel = text_of(app, CodePanel)
            assert "0.81" in panel and "█" in panel
            await pilot.press("enter")
        with store.read() as conn:
            import sqlalchemy as sa

            from coder.store import schema as t

            row = conn.execute(sa.select(t.coding_events)).one()
        assert (row.code_id, row.origin, row.model_id, row.score) == (
            "overgripande-ambition",
            "accepted-suggestion",
            "model-1",
            0.81,
        )


async def test_help_and_quit(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("question_mark")
            help_text = str(app.screen.query_one("#help-text").render())
            assert "toggle the n-th code" in help_text
            assert re.search(r"\n  0 +toggle n/a", help_text)
            await pilot.press("escape", "q")
            # q quit the app, with success: an app still running has no return code (None)
            assert app.return_code == 0


def test_score_bar_and_fuzzy_score():
    assert score_bar(1.0) == "██████"
    assert score_bar(0.0).strip() == ""
    assert len(score_bar(0.37)) == 6
    assert fuzzy_score("ram", "Strategiskt ramverk") is not None
    assert fuzzy_score("srv", "Strategiskt ramverk") is not None
    assert fuzzy_score("xyz", "Strategiskt ramverk") is None
    assert fuzzy_score("ram", "ramverk") < fuzzy_score("ram", "Strategiskt ramverk")


def test_hotkeys_override_numbers(tmp_path):
    from coder.coding.session import CodingSession
    from coder.model.codebook import parse_codebook

    book = parse_codebook(
        "id: x\ntitle: X\nlanguage: sv\nquestions:\n  - id: q\n    title: Q\n    mode: multi\n"
        "    codes:\n"
        + "".join(f"      - {{id: c{i}, label: Kod {i}}}\n" for i in range(12))
        + "      - {id: s, label: Special, hotkey: x}\n"
    )
    db = str(tmp_path / "h.db")
    with Store.create(db, book) as store:
        (tmp_path / "A.txt").write_text("Text.", "utf-8")
        import_documents(store, [tmp_path / "A.txt"])
        session = CodingSession(store, "anna")
        assert session.code_for_key("x").id == "s"
        assert session.code_for_key("9").id == "c8"
        keys = [k for k, _ in session.keyed_codes()]
        assert keys[:9] == [str(i) for i in range(1, 10)] and keys[9:12] == ["", "", ""]


# -- active learning: most uncertain first, background retraining ------------------------------
def test_uncertain_first_takes_turns_between_cases_and_puts_coded_last():
    from coder.coding.session import uncertain_first

    case_of = {1: "A", 2: "A", 3: "A", 4: "B", 5: "B", 6: "C"}
    uncertainty = {1: 0.1, 2: 0.9, 3: 0.5, 4: 0.2, 5: 0.95, 6: 0.3}
    order = uncertain_first([1, 2, 3, 4, 5, 6], case_of, uncertainty, coded={6})
    # round 1: each case's most uncertain (B:5 0.95, A:2 0.9); round 2: A:3 0.5, B:4 0.2;
    # round 3: A:1; then the coded passage
    assert order == [5, 2, 3, 4, 1, 6]
    # passages never scored count as fully uncertain; ties keep reading order
    assert uncertain_first([1, 2, 4], case_of, {}, set()) == [1, 4, 2]


async def test_o_orders_most_uncertain_first_by_case(project, cli):
    assert cli("suggest", "--question", "arbetssatt", "--db", project).exit_code == 0
    with Store.open(project) as store:
        uncertainty = queries.suggestion_uncertainty(store, "arbetssatt", "single")
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("o")
            await settled(app, pilot)
            assert "most uncertain first" in status_of(app)
            session = app.session
            first_round = session.view[:14]
            assert len({session.case_of[s] for s in first_round}) == 14  # every case once
            scores = [uncertainty[s] for s in first_round]
            assert scores == sorted(scores, reverse=True)
            assert session.segment_id == first_round[0]
            await pilot.press("1", "j")
            assert session.segment_id == first_round[1]
            await pilot.press("o")
            await settled(app, pilot)
            assert "most uncertain first" not in status_of(app)
            assert session.view == session.order


async def test_model_retrains_in_the_background_after_n_codings(project):
    with Store.open(project) as store:
        app = make_app(store, "anna", retrain_every=3)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("1", "j", "3", "j")
            assert store.latest_model("arbetssatt") is None  # not yet: two codings
            await pilot.press("2", "j")
            await app.workers.wait_for_complete()
            await pilot.pause()
            model = store.latest_model("arbetssatt")
            assert model is not None and model.n_train == 3
            # the uncoded passages were re-scored by the new model
            rows = [r for r in queries.iter_suggestions(store) if r["question"] == "arbetssatt"]
            assert len({r["segment_id"] for r in rows}) == 57 - 3
            assert "Suggestions updated" in " ".join(str(n.message) for n in app._notifications)
            # the calibration note was re-read after the retrain: three codings are too few
            assert "uncalibrated (3 codings)" in text_of(app, QuestionHeader)
            # the passage on screen shows the new model's scores as bars
            shown = app.screen.passage.suggestions
            assert shown and {s.model_id for s in shown} == {model.id}
            assert score_bar(shown[0].score).strip() in text_of(app, CodePanel)


async def test_the_coding_screen_on_each_back_end(backend_db):
    """`coder code --db postgresql://...` is the same screen over the same store."""
    with Store.open(backend_db) as store:
        import_documents(store, [CORPUS])
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("2", "j", "1", "u")
            assert "[ ] Strategiskt ramverk" in text_of(app, CodePanel)
        assert codings(backend_db) == [("Blekinge", "arbetssatt", "overgripande-ambition", "anna")]


async def test_keys_typed_ahead_are_handled_in_the_order_typed(project):
    """A fast coder types `1 j 3` before the screen has caught up: passage 1 gets code 1
    and passage 2 gets code 3 (a digit must not overtake the `j` before it)."""
    from textual import events

    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE) as pilot:
            for key in ("1", "j", "3", "j", "2"):
                app.post_message(events.Key(key, key))  # all queued before any is handled
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
        ids = segment_ids(store)
        assert store.codes_of(ids[("Blekinge", 0)], "arbetssatt", "anna") == {"strategiskt-ramverk"}
        assert store.codes_of(ids[("Blekinge", 1)], "arbetssatt", "anna") == {"generell-ansats"}
        assert store.codes_of(ids[("Blekinge", 2)], "arbetssatt", "anna") == {
            "overgripande-ambition"
        }


# -- suggestions an evaluator can trust: top = highest score, n/a, evidence, calibration -------
def coding_events(store) -> list[tuple]:
    import sqlalchemy as sa

    from coder.store import schema as t

    with store.read() as conn:
        rows = conn.execute(sa.select(t.coding_events).order_by(t.coding_events.c.id)).all()
    return [(r.code_id, r.event, r.origin, r.score) for r in rows]


def bar_lines(panel: str) -> list[str]:
    return [line for line in panel.splitlines() if re.search(r"\d\.\d\d", line)]


async def test_enter_accepts_the_highest_score_even_when_stored_ranks_disagree(project):
    with Store.open(project) as store:
        first = segment_ids(store)[("Blekinge", 0)]
        store.replace_suggestions(
            "arbetssatt",
            [  # ranks out of order with the scores; a tie at 0.70 goes to the lower rank
                (first, "generell-ansats", 0.20, 1, None),
                (first, "strategiskt-ramverk", 0.70, 3, None),
                (first, "overgripande-ambition", 0.70, 2, None),
            ],
            model_id="model-1",
        )
        app = make_app(store, "anna")
        async with app.run_test(size=(80, 24)) as pilot:
            shown = app.screen.passage.suggestions
            assert [s.code for s in shown] == [
                "overgripande-ambition",
                "strategiskt-ramverk",
                "generell-ansats",
            ]
            panel = text_of(app, CodePanel)
            marked = [line for line in bar_lines(panel) if "◀ enter" in line]
            assert len(marked) == 1 and "0.70" in marked[0]
            # the bars are drawn best first: the first one shown is the one enter takes
            bars = bar_lines(panel)
            assert bars[0] == marked[0]
            assert [re.search(r"\d\.\d\d", line)[0] for line in bars] == ["0.70", "0.70", "0.20"]
            # the marked bar is the one under "Övergripande ambition"
            before = panel[: panel.index("◀ enter")]
            assert before.splitlines()[-2].endswith("[ ] Övergripande ambition")
            await pilot.press("enter")
            assert store.codes_of(first, "arbetssatt", "anna") == {"overgripande-ambition"}
            assert "[x] Övergripande ambition" in text_of(app, CodePanel)
        assert coding_events(store) == [
            ("overgripande-ambition", "added", "accepted-suggestion", 0.70)
        ]


async def test_zero_marks_not_applicable_toggles_and_is_exclusive(project):
    with Store.open(project) as store:
        ids = segment_ids(store)
        first = ids[("Blekinge", 0)]
        app = make_app(store, "anna")
        async with app.run_test(size=(80, 24)) as pilot:
            assert "not applicable" not in text_of(app, CodePanel)  # shown once it applies
            await pilot.press("0")
            assert store.codes_of(first, "arbetssatt", "anna") == {"n/a"}
            panel = text_of(app, CodePanel)
            assert "0 [x] not applicable (n/a)" in panel
            assert "[x] Strategiskt ramverk" not in panel
            assert "coded 1/57" in status_of(app)
            assert "1/4 Blekinge" in str(app.screen.query_one(CaseList).prompt_at(0))
            await pilot.press("1")  # a real code replaces n/a
            assert store.codes_of(first, "arbetssatt", "anna") == {"strategiskt-ramverk"}
            assert "[x] not applicable" not in text_of(app, CodePanel)
            await pilot.press("0")  # and n/a replaces the code
            assert store.codes_of(first, "arbetssatt", "anna") == {"n/a"}
            await pilot.press("0")  # pressing 0 again takes it back
            assert store.codes_of(first, "arbetssatt", "anna") == set()
            assert "coded 0/57" in status_of(app)
            await pilot.press("u")  # undo brings n/a back
            assert store.codes_of(first, "arbetssatt", "anna") == {"n/a"}
            assert "coded 1/57" in status_of(app)
            # a multi question: n/a removes every code of mine, a code removes n/a
            await pilot.press("tab", "1", "2")
            assert len(store.codes_of(first, "utveckling", "anna")) == 2
            await pilot.press("0")
            assert store.codes_of(first, "utveckling", "anna") == {"n/a"}
            await pilot.press("3")
            assert store.codes_of(first, "utveckling", "anna") == {"specifika-insatser"}
        # the other questions were left alone
        assert store.codes_of(first, "arbetssatt", "anna") == {"n/a"}


async def test_not_applicable_counts_as_done_for_next_uncoded_filter_and_order(project):
    with Store.open(project) as store:
        ids = segment_ids(store)
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("0", "j", "0", "k")  # Blekinge passages 1 and 2 are n/a
            assert "1/57" in text_of(app, PassageView)
            await pilot.press("n")  # skips passage 2: n/a counts as coded
            assert "passage 3 " in text_of(app, PassageView)
            assert "coded 2/57" in status_of(app)
            await pilot.press("f", "down", "enter")  # "Passages I have not coded"
            await settled(app, pilot)
            assert "filter: uncoded" in status_of(app)
            session = app.session
            assert len(session.view) == 55
            assert ids[("Blekinge", 0)] not in session.view
            assert ids[("Blekinge", 1)] not in session.view
            await pilot.press("escape", "o")  # most uncertain first: the n/a ones go last
            await settled(app, pilot)
            assert session.view[-2:] == [ids[("Blekinge", 0)], ids[("Blekinge", 1)]]
            await pilot.press("f", *["down"] * 6, "enter")  # "Coded: not applicable (n/a)"
            await settled(app, pilot)
            assert "filter: code n/a" in status_of(app)
            assert sorted(session.view) == sorted([ids[("Blekinge", 0)], ids[("Blekinge", 1)]])


async def test_a_not_applicable_suggestion_is_a_bar_and_enter_marks_it(project):
    with Store.open(project) as store:
        first = segment_ids(store)[("Blekinge", 0)]
        store.replace_suggestions(
            "arbetssatt",
            [(first, "n/a", 0.64, 1, None), (first, "generell-ansats", 0.31, 2, None)],
            model_id="model-1",
        )
        store.toggle_code(first, "arbetssatt", "n/a", "bo")
        app = make_app(store, "anna")
        async with app.run_test(size=(80, 24)) as pilot:
            panel = text_of(app, CodePanel)
            # at 80 columns the other coder's mark wraps under the label
            assert re.search(r"\n?0 \[ \] not applicable \(n/a\)\s+◆ bo\n", panel)
            (marked,) = [line for line in bar_lines(panel) if "◀ enter" in line]
            assert "0.64" in marked and "█" in marked
            await pilot.press("enter")
            assert store.codes_of(first, "arbetssatt", "anna") == {"n/a"}
            assert "0 [x] not applicable (n/a)" in text_of(app, CodePanel)
            assert "coded 1/57" in status_of(app)
            await pilot.press("enter")  # accepting again does not take it back
            assert store.codes_of(first, "arbetssatt", "anna") == {"n/a"}
            # adjudication names n/a, not a blank or a crash
            store.toggle_code(first, "arbetssatt", "generell-ansats", "cilla")
            await pilot.press("j", "k")
            view = text_of(app, PassageView)
            assert re.search(r"\n  bo: not applicable \(n/a\)\n", view)
            assert re.search(r"\n  cilla: Generell ansats\n", view)
        accepted = [e for e in coding_events(store) if e[2] == "accepted-suggestion"]
        assert accepted == [("n/a", "added", "accepted-suggestion", 0.64)]


async def test_evidence_of_the_top_suggestion_is_shown_and_highlighted(project):
    with Store.open(project) as store:
        first = segment_ids(store)[("Blekinge", 0)]
        store.replace_suggestions(
            "arbetssatt",
            [
                (first, "generell-ansats", 0.30, 1, "ambition"),
                (first, "strategiskt-ramverk", 0.55, 2, "lärande;strategier"),
            ],
            model_id="model-1",
        )
        app = make_app(store, "anna")
        async with app.run_test(size=(80, 24)):
            panel = text_of(app, CodePanel).splitlines()
            # under the top suggestion's bar, and only its evidence
            why = panel.index("why: lärande · strategier")
            assert panel[why - 2] == "1 [ ] Strategiskt ramverk"
            assert "◀ enter" in panel[why - 1]
            rendered = app.screen.query_one(PassageView).render()
            text = str(rendered)
            marked = sorted(
                text[s.start : s.end]
                for s in rendered.spans
                if getattr(s.style, "underline", False)
            )
            # whole words of the passage, as often as they occur; not "ambition" (not the top)
            assert marked == ["lärande", "lärande", "strategier"]


async def test_calibration_note_next_to_the_bars(project):
    with Store.open(project) as store:
        first = segment_ids(store)[("Blekinge", 0)]
        store.replace_suggestions(
            "arbetssatt", [(first, "generell-ansats", 0.6, 1, None)], model_id="model-1"
        )
        store.replace_suggestions(
            "utveckling", [(first, "generella-termer", 0.6, 1, None)], model_id="model-2"
        )
        model = dict(blob=b"", mac="0" * 64)
        store.save_model(
            model_id="model-1",
            question_id="arbetssatt",
            n_train=12,
            cold_start=False,
            metrics={"calibrated": False},
            **model,
        )
        store.save_model(
            model_id="model-2",
            question_id="utveckling",
            n_train=40,
            cold_start=True,  # a code with few codings: still calibrated scores, no note
            metrics={"calibrated": True},
            **model,
        )
        app = make_app(store, "anna")
        calls = []
        latest_model = store.latest_model
        store.latest_model = lambda q: calls.append(q) or latest_model(q)
        async with app.run_test(size=(80, 24)) as pilot:
            assert "uncalibrated (12 codings)" in text_of(app, QuestionHeader)
            await pilot.press("j")  # no suggestions here: no bars, no note
            assert "uncalibrated" not in text_of(app, QuestionHeader)
            await pilot.press("k", "1", "j", "k")
            assert calls == []  # read once per question, not per keypress
            await pilot.press("tab")
            assert calls == ["utveckling"]
            assert "0.60" in text_of(app, CodePanel)
            assert "uncalibrated" not in text_of(app, QuestionHeader)  # calibrated: no note
            await pilot.press("tab")  # insatser: no model at all, a cold start
            store.replace_suggestions(
                "insatser", [(first, "analyser-utredningar", 0.6, 1, None)], model_id="cold"
            )
            await pilot.press("j", "k")
            assert "uncalibrated (0 codings)" in text_of(app, QuestionHeader)


async def test_the_section_is_shown_above_the_passage_on_one_line(db, tmp_path):
    long = "Hur bedrivs arbetet med analys, uppföljning och utvärdering i regionen i dag"
    (tmp_path / "Kalmar.md").write_text(
        f"Inledande stycke utan rubrik.\n\n# {long}\n\n## Utveckling framöver\n\n"
        "Vi vill utveckla samarbetet med grannregionerna.\n",
        "utf-8",
    )
    with Store.open(db) as store:
        import_documents(store, [tmp_path / "Kalmar.md"])
        app = make_app(store, "anna")
        async with app.run_test(size=(240, 30)) as pilot:
            lines = text_of(app, PassageView).splitlines()
            assert lines[1] == "" and lines[2] == "Inledande stycke utan rubrik."  # no section
            await pilot.press("j")
            view = app.screen.query_one(PassageView)
            lines = str(view.render()).splitlines()
            assert lines[1] == f"{long} > Utveckling framöver"
            assert lines[2] == ""
            assert "Vi vill utveckla samarbetet med grannregionerna." in lines
            await pilot.resize_terminal(80, 30)
            await pilot.pause()
            line = str(view.render()).splitlines()[1]
            # cut at the start: the nearest heading is what says most about the passage
            assert line.startswith("…") and len(line) <= view.content_size.width
            assert line.endswith(" > Utveckling framöver")
            rendered = view.render()
            dim = [s for s in rendered.spans if "dim" in str(s.style)]
            assert any(str(rendered)[s.start : s.end].rstrip("\n") == line for s in dim)
