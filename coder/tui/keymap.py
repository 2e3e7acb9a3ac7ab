"""The coding screen's key bindings and footer, built from the one keymap
(``coder.model.keymap``), and the user's keys file applied to them.

Each action of the keymap becomes a Textual ``Binding`` whose id is the action's id, so
``App.set_keymap`` rebinds it; the footer lists the bindings most important first, as
many as fit whole, with help and quit pinned to its right end at any width.

The keymap's words are English, marked for the catalogue; ``translate_bindings`` puts a
screen's into the current language when the screen is made (the bindings themselves are
built at import, perhaps before the command line has chosen the language).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from coder.i18n import _
from coder.model import keymap
from coder.model.codebook import Codebook


def bindings() -> list[Binding]:
    """The coding screen's bindings: the footer's in its order first, then the rest."""
    rank = {action_id: i for i, action_id in enumerate(keymap.FOOTER + keymap.PINNED)}
    ordered = sorted(keymap.BOUND, key=lambda a: rank.get(a.id, len(rank)))
    return [
        Binding(
            ",".join(action.keys),
            action.action,
            action.label,
            show=bool(action.label),
            priority=action.priority,
            id=action.id,
        )
        for action in ordered
    ]


def translate_bindings(node: DOMNode) -> None:
    """``node``'s key descriptions (the footer's words) in the current language: its
    bindings were made when its class was, in English."""
    found = node._bindings.key_to_bindings
    for key, bound in found.items():
        found[key] = [
            replace(binding, description=_(binding.description)) if binding.description else binding
            for binding in bound
        ]


def user_keymap(codebook: Codebook, path: Path | None = None) -> tuple[keymap.Keymap, str | None]:
    """The keys to use, the user's (``keys.toml``) over the defaults, and what is wrong
    with the file when it is refused (the defaults are then used). No action may take a
    key a code of ``codebook`` has as its hotkey."""
    hotkeys = {
        code.hotkey: code.label
        for question in codebook.questions
        for code in question.codes
        if code.hotkey
    }
    return keymap.load_keys(path or keymap.keys_file(), hotkeys)


def _width(key: FooterKey) -> int:
    """The cells a key takes in the compact footer: key, space, word, margin."""
    shown = cell_len(key.key_display) + 1
    return shown + (cell_len(key.description) + 1 if key.description else 0)


class KeyFooter(Footer):
    """The footer: the most important keys first, as many as fit whole; ``?`` (help) and
    ``q`` (quit) at the right end at any width."""

    DEFAULT_CSS = """
    KeyFooter HorizontalGroup.pinned {
        dock: right;
        width: auto;
    }
    """

    def compose(self) -> ComposeResult:
        keys = [widget for widget in super().compose() if isinstance(widget, FooterKey)]
        rank = {keymap.BY_ID[a].action: i for i, a in enumerate(keymap.FOOTER)}
        keys.sort(key=lambda key: rank.get(key.action, len(rank)))  # priority ones came first
        pinned_actions = {keymap.BY_ID[a].action for a in keymap.PINNED}
        pinned = [key.add_class("-pinned") for key in keys if key.action in pinned_actions]
        rest = [key for key in keys if key.action not in pinned_actions]
        self._fit(rest, pinned)
        yield from rest
        with HorizontalGroup(classes="pinned"):
            yield from pinned

    def on_resize(self) -> None:
        keys = list(self.query(FooterKey))
        pinned = [key for key in keys if key.has_class("-pinned")]
        self._fit([key for key in keys if key not in pinned], pinned)

    def _fit(self, keys: list[FooterKey], pinned: list[FooterKey]) -> None:
        room = self.size.width - sum(_width(key) for key in pinned)
        for key in keys:
            room -= _width(key)
            self._show(key, room >= 0 or not self.size.width)

    @staticmethod
    def _show(key: Widget, shown: bool) -> None:
        if key.display != shown:
            key.display = shown
