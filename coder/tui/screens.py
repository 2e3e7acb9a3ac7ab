"""Modal screens of the coding UI: memo, search, filter, code picker and help."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from coder.model.codebook import Code

HELP_SECTIONS = [
    (
        "Coding keys",
        [
            ("1-9", "toggle the n-th code (a code's hotkey overrides its number)"),
            ("0", "toggle n/a: the question does not apply here"),
            ("c", "pick any code by typing part of its label (long codebooks)"),
            ("enter", "accept the top suggestion (marked ◀ enter)"),
            ("left/right", "highlight the previous/next code (its definition shows)"),
        ],
    ),
    (
        "Moving",
        [
            ("j / down", "next passage"),
            ("k / up", "previous passage"),
            ("n", "next passage I have not coded"),
            ("] / [", "next / previous case"),
            ("tab", "next question"),
            ("o", "order: reading / most uncertain first (by case)"),
        ],
    ),
    (
        "Other",
        [
            ("u", "undo my last coding"),
            ("m", "memo on this passage"),
            ("/", "search (hits are highlighted; an empty search clears it)"),
            ("f", "filter: all, uncoded, disagreements, by code, by case; escape clears"),
            ("a", "adjudicate: record the agreed code(s) as coder 'consensus'"),
            ("?", "this help"),
            ("q", "quit (everything is already saved)"),
        ],
    ),
]


def help_text() -> Text:
    out = Text()
    for title, keys in HELP_SECTIONS:
        out.append(f"{title}\n", style="bold")
        for key, what in keys:
            out.append(f"  {key:<11}", style="bold cyan")
            out.append(f"{what}\n")
    return out


class _Modal(ModalScreen):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]


class HelpScreen(_Modal):
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close"),
        Binding("question_mark", "dismiss(None)", "Close"),
        Binding("q", "dismiss(None)", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            with VerticalScroll(id="help-scroll"):  # at 80x24 not every key fits at once
                yield Static(help_text(), id="help-text")
            yield Label("up/down scroll · escape closes", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()


class TextPrompt(_Modal):
    """One line of text (a memo or a search term); enter returns it, escape cancels."""

    def __init__(self, title: str, value: str = "", placeholder: str = ""):
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")
            yield Label("enter saves · escape cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)


class ChoiceScreen(_Modal):
    """Pick one of a list of options (filters); returns the option id."""

    def __init__(self, title: str, options: list[tuple[str, str]]):
        super().__init__()
        self.title_text = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(*[Option(label, id=key) for key, label in self.options], id="choices")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)


def fuzzy_score(query: str, text: str) -> int | None:
    """Lower is better; None when the query's letters do not occur in order in ``text``."""
    query, text = query.casefold().strip(), text.casefold()
    if not query:
        return 0
    if query in text:
        return text.index(query)
    pos, gaps = -1, 0
    for ch in query:
        found = text.find(ch, pos + 1)
        if found < 0:
            return None
        gaps += found - pos - 1
        pos = found
    return 1000 + gaps


class CodePicker(_Modal):
    """Type part of a code's label or id; enter applies the highlighted match."""

    def __init__(self, codes: list[Code]):
        super().__init__()
        self.codes = codes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Code: type part of a label, enter applies", classes="dialog-title")
            yield Input(placeholder="e.g. ramverk", id="picker-input")
            yield OptionList(id="picker-options")

    def on_mount(self) -> None:
        self._refresh("")
        self.query_one(Input).focus()

    def _refresh(self, query: str) -> None:
        scored = []
        for i, code in enumerate(self.codes):
            score = fuzzy_score(query, f"{code.label} {code.id}")
            if score is not None:
                scored.append((score, i, code))
        scored.sort(key=lambda item: (item[0], item[1]))
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(code.label, id=code.id) for _, _, code in scored])
        if scored:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._refresh(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        option = self.query_one(OptionList).highlighted_option
        self.dismiss(option.id if option else None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def on_key(self, event: events.Key) -> None:
        if event.key in ("down", "up"):
            options = self.query_one(OptionList)
            options.action_cursor_down() if event.key == "down" else options.action_cursor_up()
            event.stop()
