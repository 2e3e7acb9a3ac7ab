"""The coding screen's one keymap: the bindings, the footer, the help screen and the
reserved hotkeys all come from it; a keys file rebinds it, or is refused in one line."""

from __future__ import annotations

import re

import pytest

from coder.errors import CodebookError
from coder.model import keymap
from coder.model.codebook import parse_codebook
from coder.store import Store
from coder.tui.app import make_app
from coder.tui.keymap import KeyFooter
from tests.tui_text import status_of

SIZE = (100, 30)


@pytest.fixture
def config(tmp_path, monkeypatch):
    """An empty config folder as $XDG_CONFIG_HOME; returns where keys.toml goes."""
    folder = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    (folder / "coder").mkdir(parents=True)
    return folder / "coder" / "keys.toml"


def passage_of(app) -> str:
    return str(app.screen.query_one("#passage").render())


def footer_of(app) -> list[str]:
    """The footer's keys as shown: 'j Next', ... (those that fit)."""
    footer = app.screen.query_one(KeyFooter)
    return [
        f"{key.key_display} {key.description}".strip()
        for key in footer.query("FooterKey")
        if key.display
    ]


def notes(app) -> str:
    return " | ".join(str(n.message) for n in app._notifications)


# -- the table -------------------------------------------------------------------------------
def test_every_action_has_a_method_on_the_screen_and_a_unique_key():
    from coder.tui.coding_screen import CodingScreen

    seen: dict[str, str] = {}
    for action in keymap.BOUND:
        name = action.action.partition("(")[0]
        assert hasattr(CodingScreen, f"action_{name}"), action.id
        for key in action.keys:
            assert keymap.canonical(key) not in seen, (key, action.id, seen.get(key))
            seen[keymap.canonical(key)] = action.id
    assert set(keymap.FOOTER + keymap.PINNED) <= {a.id for a in keymap.BOUND}


def test_reserved_keys_are_the_keymaps_single_characters():
    reserved = keymap.reserved_characters()
    assert {"j", "k", "n", "u", "q", "m", "f", "c", "o", "a", "/", "?", "[", "]", "0", "H"} <= (
        reserved
    )
    assert not reserved & set("123456789")  # the code keys are not bound: they code


def test_the_codebook_refuses_every_reserved_key_as_a_hotkey():
    refused = set()
    for key in keymap.reserved_characters():
        text = (
            "id: x\ntitle: X\nlanguage: sv\nquestions:\n  - id: q\n    title: Q\n    mode: multi\n"
            f"    codes:\n      - {{id: a, label: A, hotkey: {key!r}}}\n"
        )
        with pytest.raises(CodebookError):
            parse_codebook(text)
        refused.add(key)
    assert refused == keymap.reserved_characters()


# -- the keys file ---------------------------------------------------------------------------
def test_keys_file_is_found_under_xdg_config_home_or_home(tmp_path):
    assert keymap.keys_file({"XDG_CONFIG_HOME": "/x"}) == keymap.Path("/x/coder/keys.toml")
    assert keymap.keys_file({"HOME": "/h"}) == keymap.Path("/h/.config/coder/keys.toml")


def test_a_keys_file_rebinds_actions(tmp_path):
    path = tmp_path / "keys.toml"
    path.write_text('[keys]\nnext = "j,down,space"\nsearch = ["s", "/"]\n', "utf-8")
    keys, problem = keymap.load_keys(path)
    assert problem is None
    assert keys["next"] == ("j", "down", "space")
    assert keys["search"] == ("s", "/")
    assert keys["previous"] == ("k", "up")  # the rest as they were
    # two actions may swap their keys
    path.write_text('[keys]\nnext = "k"\nprevious = "j"\n', "utf-8")
    keys, problem = keymap.load_keys(path)
    assert problem is None and keys["next"] == ("k",) and keys["previous"] == ("j",)


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ('[keys]\nnext = "j"\nnxt = "x"\n', 3, "unknown action 'nxt' (actions: not_applicable, "),
        ('[keys]\n\nsearch = "j"\n', 3, "'j' for 'search' is already the key of 'next'"),
        ('[keys]\nsearch = "/"\nfilter = "slash"\n', 3, "'slash' for 'filter' is already"),
        ('[keys]\nmemo = "3"\n', 2, "'3' for 'memo' is already the key of code 3"),
        ('[keys]\nmemo = "x"\n', 2, "'x' for 'memo' is already the hotkey of code 'Special'"),
        ('[keys]\nmemo = "dwon"\n', 2, "'dwon' is not a key"),
        ('[keys]\nmemo = ""\n', 2, "no key given"),
        ("[keys]\nmemo = 3\n", 2, "expected keys in quotes"),
        ('[keys]\nmemo = "m"\n[colours]\nx = 1\n', 3, "unknown section [colours]"),
        ('[keys]\nmemo = "m\n', 2, "not a TOML keys file"),
    ],
)
def test_a_bad_keys_file_is_refused_in_one_line_naming_file_and_line(tmp_path, text, line, says):
    path = tmp_path / "keys.toml"
    path.write_text(text, "utf-8")
    keys, problem = keymap.load_keys(path, {"x": "Special"})
    assert keys == keymap.default_keymap()  # the defaults, whole
    assert problem is not None and "\n" not in problem
    assert problem.startswith(f"{path}:{line}: ")
    assert says in problem
    assert problem.endswith("; using the default keys")


def test_no_keys_file_is_the_defaults(tmp_path):
    assert keymap.load_keys(tmp_path / "missing.toml") == (keymap.default_keymap(), None)


async def test_the_screen_uses_the_users_keys(project, config):
    config.write_text('[keys]\nnext = "space"\nsearch = "s"\nhistory = "y"\n', "utf-8")
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("space")
            assert "passage 2 " in passage_of(app)
            await pilot.press("j")  # no longer bound
            assert "passage 2 " in passage_of(app)
            shown = footer_of(app)
            assert "space Next" in shown and "s Search" in shown and "j Next" not in shown
            await pilot.press("question_mark")
            help_text = str(app.screen.query_one("#help-text").render())
            assert re.search(r"\n  space +next passage", help_text)
            assert re.search(r"\n  y +history of this passage", help_text)
            await pilot.press("escape", "y")
            assert app.screen.query_one("#history-text")
            assert notes(app) == ""


async def test_a_bad_keys_file_is_shown_and_the_defaults_used(project, config):
    config.write_text('[keys]\nnext = "j"\nsearch = "k"\n', "utf-8")
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert notes(app) == (
                f"{config}:3: 'k' for 'search' is already the key of 'previous'; "
                "using the default keys"
            )
            await pilot.press("j", "j", "k")
            assert "passage 2 " in passage_of(app)


# -- the footer and help -----------------------------------------------------------------------
@pytest.mark.parametrize("width", [60, 80, 100, 160])
async def test_the_footer_shows_the_most_important_keys_first_and_help_always(project, width):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=(width, 24)) as pilot:
            await pilot.pause()
            shown = footer_of(app)
            assert shown[-2:] == ["? Help", "q Quit"]  # at the right end, at any width
            rest = shown[:-2]
            assert rest[:2] == ["j Next", "k Prev"]
            order = [keymap.BY_ID[a].label for a in keymap.FOOTER]
            labels = [item.split(" ", 1)[1] for item in rest]
            assert labels == order[: len(labels)]  # most important first, none skipped
            footer = app.screen.query_one(KeyFooter)
            visible = [k for k in footer.query("FooterKey") if k.display]
            assert all(k.region.right <= width for k in visible)  # whole keys only
            if width >= 160:
                assert len(labels) == len(order)


async def test_help_lists_every_key_from_the_keymap(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("question_mark")
            text = str(app.screen.query_one("#help-text").render())
            for action in keymap.ACTIONS:
                assert action.help.split()[0] in text
            assert re.search(r"\n  shift\+tab +previous question", text)
            assert re.search(r"\n  H +history of this passage", text)
            assert re.search(r"\n  \[·\] +implied", text)
            # a long line goes on under its text, not under the keys
            assert re.search(r"hotkey overrides\n {13}its number\)", text)


async def test_shift_tab_goes_to_the_previous_question(project):
    with Store.open(project) as store:
        app = make_app(store, "anna")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("shift+tab")
            assert "Q4/4 " in status_of(app)
            await pilot.press("shift+tab", "tab", "tab")
            assert "Q1/4 arbetssatt" in status_of(app)
