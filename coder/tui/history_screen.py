"""Key ``H``: the history of the passage on screen, newest first, in a modal screen.

Every coding event of the passage (all questions; in blind coding only the coder's own):
when, who, which code of which question, added or removed, and where it came from.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from coder.i18n import N_, _
from coder.model.codebook import NOT_APPLICABLE, Codebook
from coder.reports.history import Event, local_time
from coder.tui.keymap import translate_bindings

# Words for the events' values (English, translated where shown).
ORIGINS = {
    "human": N_("by hand"),
    "accepted-suggestion": N_("accepted suggestion"),
    "undo": N_("undo"),
    "import": N_("imported"),
    "codebook-update": N_("codebook update"),
}
ACTIONS = {"added": N_("added"), "removed": N_("removed")}
NOT_APPLICABLE_WORDS = N_("not applicable (n/a)")


def history_text(found: list[Event], codebook: Codebook) -> Text:
    """The events (newest first) two lines each: when, who, what happened; which code of
    which question, and how."""
    out = Text()
    if not found:
        out.append(_("No codings of this passage yet."), style="italic")
        return out
    titles = {q.id: q.title for q in codebook.questions}
    labels = {(q.id, c.id): c.label for q in codebook.questions for c in q.codes}
    for n, event in enumerate(found):
        if n:
            out.append("\n\n")
        out.append(local_time(event.time), style="dim")
        out.append(f"  {event.coder}  ", style="bold magenta")
        out.append(
            _(ACTIONS[event.action]) if event.action in ACTIONS else event.action,
            style="bold green" if event.action == "added" else "bold red",
        )
        out.append("\n  ")
        if event.code == NOT_APPLICABLE:
            out.append(_(NOT_APPLICABLE_WORDS), style="italic")
        else:
            out.append(labels.get((event.question, event.code), event.code))
        out.append(f"  ·  {titles.get(event.question, event.question)}", style="dim")
        origin = _(ORIGINS[event.origin]) if event.origin in ORIGINS else event.origin
        out.append(f"  ·  {origin}", style="dim")
    return out


class HistoryScreen(ModalScreen[None]):
    """The passage's coding history; escape, q or H closes it."""

    BINDINGS = [Binding("escape,q,H", "dismiss(None)", N_("Close"))]

    def __init__(self, found: list[Event], codebook: Codebook, where: str):
        super().__init__()
        translate_bindings(self)
        self.found = found
        self.codebook = codebook
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                _("History of {passage}").format(passage=self.where), classes="dialog-title"
            )
            with VerticalScroll(id="history-scroll"):
                yield Static(history_text(self.found, self.codebook), id="history-text")
            yield Label(_("newest first · up/down scroll · escape closes"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#history-scroll").focus()
