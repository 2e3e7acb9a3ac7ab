"""The coding screen's keys, as plain data: the one keymap behind the screen's key bindings,
its footer, its help screen and the keys a codebook may not take as hotkeys; and the user's
own keys, read from ``keys.toml``.

Nothing here needs Textual (the screen builds its ``Binding``s from ``ACTIONS``), nor any
other part of coder: the codebook validator can take the reserved keys from here too.

A keys file (``$XDG_CONFIG_HOME/coder/keys.toml``, else ``~/.config/coder/keys.toml``)
rebinds actions by their id, a key or several separated by commas::

    [keys]
    next = "j,down,space"
    search = "s"

Keys are written as typed (``j``, ``/``, ``?``, ``H``) or by name (``down``, ``tab``,
``shift+tab``, ``ctrl+n``, ``escape``). A file naming an unknown action, or binding a key
that another action, a code's number (1-9) or a code's hotkey already has, is refused in one
line naming the file and line; the screen then uses the default keys.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from coder.errors import CoderError, where
from coder.i18n import N_, _

# English, marked for the catalogue: the screen translates them where it shows them (this
# table is built at import, perhaps before the language is chosen).
SECTIONS = (N_("Coding"), N_("Moving"), N_("Other"))


@dataclass(frozen=True)
class KeyAction:
    """One thing the coding screen does on a key.

    ``id`` names it in a keys file (and is the Textual binding id); ``keys`` are the default
    keys as typed, the first one shown; ``action`` is the screen's action (``move(1)``);
    ``label`` is its word in the footer (``""``: not in the footer); ``help`` its line on
    the help screen, under ``section``. An action of ``""`` is a help line only (the code
    keys 1-9 are handled by the screen itself, not bound)."""

    id: str
    keys: tuple[str, ...]
    action: str
    label: str
    help: str
    section: str
    priority: bool = False  # before any widget gets the key (tab, shift+tab)


# In the order of the help screen, section by section. The footer shows the actions with a
# label in FOOTER order, as many as fit; the PINNED ones stay at its right end at any width.
# fmt: off
ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("codes", ("1-9",), "", "",
              N_("toggle the n-th code (a code's hotkey overrides its number)"), "Coding"),
    KeyAction("not_applicable", ("0",), "not_applicable", N_("n/a"),
              N_("toggle n/a: the question does not apply here"), "Coding"),
    KeyAction("pick_code", ("c",), "pick_code", N_("Codes"),
              N_("pick any code by typing part of its label (long codebooks)"), "Coding"),
    KeyAction("accept", ("enter",), "accept", "",
              N_("accept the top suggestion (marked ◀ enter)"), "Coding"),
    KeyAction("previous_code", ("left", "h"), "highlight(-1)", "",
              N_("highlight the previous code (its definition shows)"), "Coding"),
    KeyAction("next_code", ("right", "l"), "highlight(1)", "",
              N_("highlight the next code"), "Coding"),
    KeyAction("undo", ("u",), "undo", N_("Undo"),
              N_("undo my last coding"), "Coding"),
    KeyAction("next", ("j", "down"), "move(1)", N_("Next"),
              N_("next passage"), "Moving"),
    KeyAction("previous", ("k", "up"), "move(-1)", N_("Prev"),
              N_("previous passage"), "Moving"),
    KeyAction("next_uncoded", ("n",), "next_uncoded", N_("Uncoded"),
              N_("next passage I have not coded"), "Moving"),
    KeyAction("next_case", ("]",), "case(1)", "",
              N_("next case"), "Moving"),
    KeyAction("previous_case", ("[",), "case(-1)", "",
              N_("previous case"), "Moving"),
    KeyAction("next_question", ("tab",), "question(1)", N_("Question"),
              N_("next question"), "Moving", priority=True),
    KeyAction("previous_question", ("shift+tab",), "question(-1)", "",
              N_("previous question"), "Moving", priority=True),
    KeyAction("order", ("o",), "toggle_ordering", N_("Order"),
              N_("order: reading / most uncertain first (by case)"), "Moving"),
    KeyAction("memo", ("m",), "memo", N_("Memo"),
              N_("memo on this passage"), "Other"),
    KeyAction("search", ("/",), "search", N_("Search"),
              N_("search (hits are highlighted; an empty search clears it)"), "Other"),
    KeyAction("filter", ("f",), "filter", N_("Filter"),
              N_("filter: all, uncoded, disagreements, by code, by case"), "Other"),
    KeyAction("clear", ("escape",), "clear", "",
              N_("clear the filter or search"), "Other"),
    KeyAction("adjudicate", ("a",), "adjudicate", N_("Agree"),
              N_("adjudicate: record the agreed code(s) as coder 'consensus'"), "Other"),
    KeyAction("history", ("H",), "history", N_("History"),
              N_("history of this passage: who coded what, when"), "Other"),
    KeyAction("help", ("?",), "help", N_("Help"),
              N_("this help"), "Other"),
    KeyAction("quit", ("q",), "quit", N_("Quit"),
              N_("quit (everything is already saved)"), "Other"),
)

FOOTER = ("next", "previous", "undo", "next_uncoded", "next_question", "search", "filter",
          "pick_code", "not_applicable", "memo", "history", "order", "adjudicate")
PINNED = ("help", "quit")  # at the footer's right end, at any width
# fmt: on

BY_ID = {action.id: action for action in ACTIONS}
BOUND = tuple(action for action in ACTIONS if action.action)  # the ones with real keys

# Keys written as the character typed, and the names Textual gives them.
KEY_NAMES = {
    "/": "slash",
    "?": "question_mark",
    "[": "left_square_bracket",
    "]": "right_square_bracket",
    " ": "space",
}
_CHARACTERS = {name: char for char, name in KEY_NAMES.items()}
_MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}
_NAMED = {
    "up", "down", "left", "right", "home", "end", "pageup", "pagedown", "tab", "enter",
    "escape", "backspace", "delete", "insert", "space",
    *(f"f{n}" for n in range(1, 25)),
}  # fmt: skip

Keymap = dict[str, tuple[str, ...]]  # action id -> its keys, as typed


def default_keymap() -> Keymap:
    return {action.id: action.keys for action in BOUND}


def reserved_characters() -> frozenset[str]:
    """The single characters the coding screen binds by default: no code may take one as
    its hotkey (the code keys 1-9 are not among them; ``0`` is, for n/a)."""
    return frozenset(key for action in BOUND for key in action.keys if len(key) == 1)


def key_name(key: str) -> str:
    """A key as Textual names it (``/`` -> ``slash``); other keys unchanged."""
    return KEY_NAMES.get(key, key)


def canonical(key: str) -> str:
    """One spelling per key, to compare keys: the character where there is one."""
    key = key.strip()
    if len(key) == 1:
        return key
    if key.lower().startswith("shift+") and len(key) == 7 and key[-1].isalpha():
        return key[-1].upper()  # shift+h is H
    return _CHARACTERS.get(key.lower(), key.lower())


def known_key(key: str) -> bool:
    """Whether ``key`` names a key: a character, or ``down``, ``shift+tab``, ``ctrl+n`` ..."""
    if len(key) == 1:
        return key.isprintable()
    *modifiers, last = key.lower().split("+")
    if not last or any(m not in _MODIFIERS for m in modifiers):
        return False
    if len(last) == 1 or last in _NAMED or last in _CHARACTERS:
        return True
    try:  # Textual names other characters by their Unicode name: full_stop, comma, ...
        unicodedata.lookup(last.replace("_", " "))
    except KeyError:
        return False
    return True


def keys_file(environ: Mapping[str, str] | None = None) -> Path:
    """Where the user's keys file is: ``$XDG_CONFIG_HOME/coder/keys.toml``, else
    ``~/.config/coder/keys.toml``."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(base) / "coder" / "keys.toml"


def load_keys(
    path: Path,
    hotkeys: Mapping[str, str] | None = None,
    *,
    valid: Callable[[str], bool] = known_key,
) -> tuple[Keymap, str | None]:
    """The keymap with the user's keys from ``path`` (the defaults where it is absent), and
    what is wrong with the file (one line naming it and the line), when it is refused: the
    defaults are then used, whole. ``hotkeys``: the codebook's hotkeys (key -> the code's
    label), which no action may take."""
    if not path.is_file():
        return default_keymap(), None
    try:
        return read_keys(path, hotkeys or {}, valid=valid), None
    except CoderError as exc:
        return default_keymap(), _("{problem}; using the default keys").format(problem=exc)


def read_keys(
    path: Path, hotkeys: Mapping[str, str], *, valid: Callable[[str], bool] = known_key
) -> Keymap:
    """The keymap with ``path``'s keys over the defaults; a ``CoderError`` naming the file
    and line for the first thing wrong in it."""
    try:
        text = path.read_text("utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise CoderError(
            _("{path}: cannot read the keys file ({problem})").format(path=path, problem=exc)
        ) from None
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise CoderError(
            _("{where}: not a TOML keys file ({problem})").format(
                where=where(path, int(line[1]) if line else None), problem=exc
            )
        ) from None
    lines = text.splitlines()
    for section in data:
        if section != "keys":
            raise CoderError(
                _(
                    "{where}: unknown section [{section}] (a keys file has one section, [keys])"
                ).format(where=where(path, _line_of(lines, section, table=True)), section=section)
            )
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        raise CoderError(
            _("{where}: [keys] must be a table").format(where=where(path, _line_of(lines, "keys")))
        )
    keymap = default_keymap()
    for action_id, value in keys.items():
        at = where(path, _line_of(lines, action_id))
        if action_id not in keymap:
            known = ", ".join(keymap)
            raise CoderError(
                _("{where}: unknown action '{action}' (actions: {known})").format(
                    where=at, action=action_id, known=known
                )
            )
        keymap[action_id] = _keys_of(value, at, valid)
    _refuse_clashes(keymap, list(keys), hotkeys, path, lines)
    return keymap


def _keys_of(value: object, at: str, valid: Callable[[str], bool]) -> tuple[str, ...]:
    if isinstance(value, str):
        # "," is the separator; a comma key is written by its name, "comma"
        value = value.split(",") if value.strip() else []
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise CoderError(_('{where}: expected keys in quotes, e.g. "j,down"').format(where=at))
    keys = tuple(k.strip() for k in value)
    if not keys or not all(keys):
        raise CoderError(_("{where}: no key given").format(where=at))
    for key in keys:
        if not valid(key):
            raise CoderError(
                _("{where}: '{key}' is not a key (e.g. j, /, down, tab, ctrl+n)").format(
                    where=at, key=key
                )
            )
    return keys


def _refuse_clashes(
    keymap: Keymap, changed: list[str], hotkeys: Mapping[str, str], path: Path, lines: list[str]
) -> None:
    """Refuse a key bound twice: to two actions, or to an action and a code (1-9, a hotkey).
    Reported at the line of the file's own entry that makes the clash."""
    taken: dict[str, str] = {str(n): _("the key of code {n}").format(n=n) for n in range(1, 10)}
    taken.update(
        {
            canonical(k): _("the hotkey of code '{label}'").format(label=label)
            for k, label in hotkeys.items()
        }
    )
    owners: dict[str, str] = {}
    for action_id in sorted(keymap, key=lambda a: a in changed):  # the file's entries last
        for key in keymap[action_id]:
            name = canonical(key)
            other = owners.get(name) or taken.get(name)
            if other is not None and action_id in changed:
                at = where(path, _line_of(lines, action_id))
                raise CoderError(
                    _("{where}: '{key}' for '{action}' is already {other}").format(
                        where=at, key=key, action=action_id, other=other
                    )
                )
            owners.setdefault(name, _("the key of '{action}'").format(action=action_id))


def _line_of(lines: Iterable[str], name: str, *, table: bool = False) -> int | None:
    """The line (from 1) where ``name`` is set (or, with ``table``, opened as [name])."""
    quoted = rf"(?:{re.escape(name)}|\"{re.escape(name)}\"|'{re.escape(name)}')"
    pattern = re.compile(rf"^\s*\[\s*{quoted}\s*\]" if table else rf"^\s*{quoted}\s*=")
    for number, line in enumerate(lines, start=1):
        if pattern.match(line):
            return number
    return None


def help_rows(keymap: Keymap | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The help screen's sections: (title, [(keys as shown, what they do)]), with the
    keys of ``keymap`` (the user's) where given; titles and texts in English, as marked
    (the screen translates them)."""
    keymap = keymap or default_keymap()
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for title in SECTIONS:
        rows = [
            (" / ".join(keymap.get(a.id, a.keys)), a.help) for a in ACTIONS if a.section == title
        ]
        sections.append((title, rows))
    return sections
