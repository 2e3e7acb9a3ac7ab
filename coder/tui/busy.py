"""A keypress whose write finds the database busy: say so, hold the keys, try again."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Static

from coder.coding.session import CodingSession
from coder.errors import CoderError
from coder.i18n import N_, _
from coder.store.engine import StoreBusy

# A keypress's write waits this long for the write lock before the screen says it is
# waiting; it is then tried again every RETRY_S, and the keys typed meanwhile are held
# and replayed in order once it is saved (nothing lost, nothing doubled, no freeze).
KEY_LOCK_WAIT_S = 0.5
RETRY_S = 0.2
RETRY_WAIT_S = 0.1
WAITING = N_(
    "waiting for the database… (another coder process is writing)"
)  # translated where shown


class SavesKeys:
    """The coding screen's part that runs a keypress's write until it is saved (a mixin of
    ``CodingScreen``, whose ``refresh_all`` redraws the screen)."""

    session: CodingSession
    waiting_for_lock: bool

    def saving(self, action: Callable[[], None], wait: float = KEY_LOCK_WAIT_S) -> None:
        """Run a keypress's handler, whose write may find another process holding the write
        lock: the write then raises ``StoreBusy`` before anything is written, the status line
        says so, and the SAME handler runs again shortly; keys typed meanwhile wait for it
        (``CoderApp.on_event``). Any other refusal is a notification: coding goes on."""
        try:
            with self.session.store.waiting(wait):
                action()
        except StoreBusy:
            if not self.waiting_for_lock:
                self.waiting_for_lock = True
                self.app.hold_keys()
            self.query_one("#status", Static).update(_(WAITING), layout=False)
            self.set_timer(RETRY_S, lambda: self.saving(action, RETRY_WAIT_S))
            return
        except CoderError as exc:
            self._release()
            self.refresh_all()
            self.notify(str(exc), severity="error")
            return
        self._release()

    def _release(self) -> None:
        if self.waiting_for_lock:
            self.waiting_for_lock = False
            self.refresh_all()  # the status line again
            self.app.release_keys()
