"""The coding app (Textual): read a passage, press a key, it is saved.

The app is a thin layer over ``coder.coding.session.CodingSession``: key handlers call
one session method (which writes to the store before returning) and then re-render the
three panels of the one screen, ``coder.tui.coding_screen.CodingScreen``. The app itself
keeps the keys in the order typed, also while a write waits for the database, and applies
the user's keys file (``coder.model.keymap``) to the screen's bindings.
"""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.app import App

from coder.coding.ordering import Ordering
from coder.coding.session import RETRAIN_EVERY, CodingSession
from coder.model import keymap
from coder.store import Store
from coder.tui.busy import WAITING
from coder.tui.coding_screen import CodingScreen
from coder.tui.keymap import user_keymap

KEYS_PROBLEM_TIMEOUT_S = 20  # a refused keys file: long enough to read the line

__all__ = ["WAITING", "CoderApp", "CodingScreen", "make_app"]


class CoderApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "coder"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (90, "-medium"), (110, "-wide"), (150, "-widest")]
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        session: CodingSession,
        keys: keymap.Keymap | None = None,
        keys_problem: str | None = None,
    ):
        """``keys``: the keymap (action id -> keys) to use, default the default one;
        ``keys_problem``: why the user's keys file was refused, shown when the screen opens."""
        super().__init__()
        self.session = session
        self.keys = keys or keymap.default_keymap()
        self.keys_problem = keys_problem
        self._held: list[events.Key] | None = None  # keys typed while a write waits

    freeze_gc = False  # set by ``run``: the real screen, not a test's

    def run(self, *args, **kwargs):
        self.freeze_gc = True
        return super().run(*args, **kwargs)

    def on_mount(self) -> None:
        defaults = keymap.default_keymap()
        changed = {a: ",".join(k) for a, k in self.keys.items() if k != defaults.get(a)}
        if changed:
            self.set_keymap(changed)
        self.push_screen(CodingScreen(self.session))
        if self.keys_problem:
            self.notify(self.keys_problem, severity="error", timeout=KEYS_PROBLEM_TIMEOUT_S)

    def hold_keys(self) -> None:
        """A keypress's write is waiting for the database: keep the keys typed meanwhile."""
        if self._held is None:
            self._held = []

    def release_keys(self) -> None:
        """The write is saved: replay the held keys, in the order they were typed."""
        held, self._held = self._held, None
        for key in held or []:
            # the very events typed (not new ones: a key made here would have this screen as
            # its sender and would not bubble back up to ``on_key``), never forwarded yet
            self.post_message(key)

    async def on_event(self, event: events.Event) -> None:
        if (
            self._held is not None
            and isinstance(event, events.Key)
            and not event.is_forwarded
            and event.key not in ("ctrl+c", "ctrl+q")
        ):
            self._held.append(event)
            return
        await super().on_event(event)

    def on_key(self, event: events.Key) -> None:
        # Keys no widget handled bubble up to here, in the order typed; the bindings of the
        # coding screen (j, k, ...) run from this same queue. Handling code keys in the
        # screen instead let a digit typed after `j` overtake it and code the wrong passage.
        if isinstance(self.screen, CodingScreen):
            self.screen.code_key(event)


def make_app(
    store: Store,
    coder: str,
    *,
    blind: bool = False,
    order: Ordering | str = Ordering.document,
    retrain_every: int = RETRAIN_EVERY,
    keys_file: Path | None = None,
) -> CoderApp:
    """The coding app for ``coder`` on ``store`` (used by the CLI and the tests alike), with
    the user's keys from ``keys_file`` (default: ``coder.model.keymap.keys_file()``)."""
    session = CodingSession(store, coder, blind=blind)
    session.retrain_every = retrain_every
    if order != Ordering.document:
        session.set_ordering(order)
    keys, problem = user_keymap(session.codebook, keys_file)
    return CoderApp(session, keys, problem)
