"""The coding screen at every size (the code list scrolls to the highlighted code; list and
definition share the height by content), and codes with a parent shown under it."""

from __future__ import annotations

import re

import pytest

from coder.corpus.importer import import_documents
from coder.model.codebook import parse_codebook
from coder.store import Store
from coder.tui.app import make_app
from coder.tui.code_panel import CodeDetail, CodePanel, share
from tests.tui_text import text_of


def in_view(app, code_id: str) -> bool:
    """Whether the code's row (with its bar) is inside the visible part of the list."""
    box = app.screen.query_one("#codes")
    first, after = app.screen.query_one(CodePanel).spans[code_id]
    top = round(box.scroll_y)
    return top <= first and after <= top + box.scrollable_content_region.height


def squeezed(text: str) -> str:
    """``text`` without its spaces and line breaks (to compare wrapped text)."""
    return re.sub(r"\s+", "", text)


# -- sizes -------------------------------------------------------------------------------------
def test_list_and_definition_share_the_height_by_what_each_holds():
    assert share(20, 6, 8) == 6  # both fit: the list all it holds, the definition the rest
    assert share(20, 4, 30) == 4  # a short list stays whole, the definition scrolls
    assert share(20, 30, 5) == 15  # a short definition stays whole, the list scrolls
    assert share(20, 30, 30) == 10  # both long: half each
    assert share(0, 7, 3) == 7  # not laid out yet


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_every_code_is_reachable_and_the_highlighted_one_in_view(project, size):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=size) as pilot:
            await pilot.press("tab", "tab")  # insatser: six codes, long labels
            await pilot.pause()
            box = app.screen.query_one("#codes")
            panel = app.screen.query_one(CodePanel)
            if size == (80, 24):  # it must scroll here
                assert panel.lines > box.scrollable_content_region.height
            codes = [c.id for c in app.session.question.codes]
            for code_id in [*codes[1:], codes[0]]:  # right through them all, and round
                await pilot.press("right")
                await pilot.pause()
                assert app.screen.highlighted == code_id
                assert in_view(app, code_id), code_id
                label = app.session.question.code(code_id).label
                assert squeezed(text_of(app, CodeDetail)).startswith(squeezed(label))
            await pilot.press("6")  # a code off screen: coded, and scrolled into view
            await pilot.pause()
            assert store.codes_of(app.session.segment_id, "insatser", "anna") == {"konferenser"}
            assert app.screen.highlighted == "konferenser" and in_view(app, "konferenser")
            await pilot.press("1")
            await pilot.pause()
            assert in_view(app, "analyser-utredningar")


async def test_at_120x40_every_definition_is_readable_whole(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=(120, 40)) as pilot:
            for question in app.session.codebook.questions:
                for _ in question.codes:
                    await pilot.pause()
                    detail = app.screen.query_one(CodeDetail)
                    box = app.screen.query_one("#definition")
                    assert detail.lines <= box.scrollable_content_region.height
                    assert box.max_scroll_y == 0  # nothing hidden: no scrolling needed
                    code = question.code(app.screen.highlighted)
                    shown = squeezed(text_of(app, CodeDetail))
                    for part in (code.definition, code.include, code.exclude, code.examples[0]):
                        assert squeezed(part) in shown
                    assert in_view(app, code.id)
                    await pilot.press("right")
                await pilot.press("tab")


async def test_at_160x48_the_list_and_definition_show_whole_side_columns_widen(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("tab", "tab")
            await pilot.pause()
            box = app.screen.query_one("#codes")
            assert box.max_scroll_y == 0 and app.screen.query_one("#definition").max_scroll_y == 0
            assert app.screen.query_one("#right").size.width > 42
            lines = text_of(app, CodePanel).splitlines()
            assert lines[1] == "2 [ ] Uppföljning av RUS (indikatorer regional nivå)"


async def test_long_labels_wrap_under_their_text_not_under_the_key(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("tab", "tab")
            await pilot.pause()
            lines = text_of(app, CodePanel).splitlines()
            width = app.screen.query_one(CodePanel).content_size.width
            assert all(len(line) <= width for line in lines)
            at = lines.index("3 [ ] Uppföljning/")  # cut after the slash, not in a word
            assert lines[at + 1].startswith("      utvärdering")


# -- hierarchy -------------------------------------------------------------------------------
TREE = """\
id: tree
title: Tree
language: sv
questions:
  - id: q
    title: Vad görs?
    mode: multi
    codes:
      - {id: analys, label: Analys}
      - {id: uppfoljning, label: Uppföljning}
      - {id: utvardering, label: Utvärdering, definition: Värdering av resultat.}
      - {id: extern, label: Extern utvärdering, parent: utvardering}
      - {id: intern, label: Intern utvärdering, parent: utvardering}
      - {id: meta, label: Metautvärdering, parent: extern}
      - {id: rus, label: RUS-indikatorer, parent: uppfoljning}
"""


@pytest.fixture
def tree_project(tmp_path):
    path = tmp_path / "tree.yaml"
    path.write_text(TREE, "utf-8")
    from coder.model.codebook import load_codebook

    db = str(tmp_path / "tree.db")
    with Store.create(db, load_codebook(path)) as store:
        (tmp_path / "Kalmar.txt").write_text("Vi har utvärderat insatserna externt.", "utf-8")
        import_documents(store, [tmp_path / "Kalmar.txt"])
    return db


async def test_sub_codes_are_indented_under_their_parent_and_imply_it(tree_project):
    with Store.open(tree_project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=(100, 30)) as pilot:
            assert text_of(app, CodePanel).splitlines() == [
                "1 [ ] Analys",
                "2 [ ] Uppföljning",
                "  7 [ ] RUS-indikatorer",  # keys stay with codebook order
                "3 [ ] Utvärdering",
                "  4 [ ] Extern utvärdering",
                "    6 [ ] Metautvärdering",
                "  5 [ ] Intern utvärdering",
            ]
            await pilot.press("6")  # a grandchild: its parent and grandparent are implied
            seg = app.session.segment_id
            assert store.codes_of(seg, "q", "anna") == {"meta"}  # only what was coded
            lines = text_of(app, CodePanel).splitlines()
            assert "3 [·] Utvärdering" in lines
            assert "  4 [·] Extern utvärdering" in lines
            assert "    6 [x] Metautvärdering" in lines
            assert "2 [ ] Uppföljning" in lines
            assert text_of(app, CodeDetail).startswith("Metautvärdering\nUnder: Extern")
            await pilot.press("4")  # coding the parent itself: coded, not implied
            lines = text_of(app, CodePanel).splitlines()
            assert "  4 [x] Extern utvärdering" in lines and "3 [·] Utvärdering" in lines
            await pilot.press("6", "4")  # nothing coded: nothing implied
            assert "[·]" not in text_of(app, CodePanel)
            await pilot.press("c", *"meta")  # the picker names the parent
            assert "Extern utvärdering › Metautvärdering" in str(
                app.screen.query_one("#picker-options").get_option_at_index(0).prompt
            )


def test_implied_follows_parents_and_ignores_codes_without_one():
    from coder.coding.keys import implied, tree

    book = parse_codebook(TREE)
    (question,) = book.questions
    assert implied(question, {"meta", "analys"}) == {"extern", "utvardering"}
    assert implied(question, {"meta", "extern"}) == {"utvardering"}
    assert [(c.id, depth) for c, depth in tree(question)][:3] == [
        ("analys", 0),
        ("uppfoljning", 0),
        ("rus", 1),
    ]
