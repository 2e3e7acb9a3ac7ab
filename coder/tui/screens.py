"""Modal screens of the coding UI: memo, search, filter, code picker and help. Each is a
``ModalScreen[T]`` that dismisses with what was chosen (None: nothing, escape)."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from coder.i18n import N_, _
from coder.model.codebook import Code
from coder.model.keymap import Keymap, help_rows
from coder.tui.code_panel import wrap_hanging
from coder.tui.keymap import translate_bindings

# What the marks in the code list mean, after the keys on the help screen (the words in
# English, translated where shown, like the keymap's).
MARKS = [
    ("[x]", N_("coded by me")),
    ("[·]", N_("implied: a sub-code of it is coded (not stored)")),
    (N_("◆ name"), N_("coded by another coder")),
    ("██ 0.74", N_("a suggestion and its score; ◀ enter marks the top one")),
]
SECTION_TITLES = {"Coding": N_("Coding keys"), "Moving": N_("Moving"), "Other": N_("Other")}


def help_text(keys: Keymap | None = None, width: int = 0) -> Text:
    """Every key of the coding screen (the user's, where rebound), then the marks; lines
    wrapped at ``width`` under the text they continue (0: not wrapped)."""
    lines: list[Text] = []
    sections = [(SECTION_TITLES.get(t, t), rows, "bold cyan") for t, rows in help_rows(keys)]
    marks = [(_(mark), what) for mark, what in MARKS]  # "◆ name" has a word in it
    for title, rows, style in [*sections, (N_("Marks"), marks, "bold green")]:
        if lines:
            lines.append(Text())
        lines.append(Text(_(title), style="bold"))
        for key, what in rows:
            row = Text.assemble((f"  {key:<11}", style), _(what))
            lines += wrap_hanging(row, width, max(13, 2 + len(key) + 1))
    return Text("\n").join(lines)


class HelpText(Static):
    """The help text, wrapped to the dialog's width."""

    def __init__(self, keys: Keymap | None, **kwargs) -> None:
        super().__init__(help_text(keys), **kwargs)
        self.keys = keys

    def on_resize(self) -> None:
        self.update(help_text(self.keys, self.content_size.width))


class _Modal(ModalScreen[str | None]):
    """A dialog that returns a text (an option's id, what was typed), or None: escape."""

    BINDINGS = [Binding("escape", "dismiss(None)", N_("Cancel"))]

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss(None)", N_("Close"))]

    def __init__(self, keys: Keymap | None = None):
        super().__init__()
        translate_bindings(self)
        self.keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            with VerticalScroll(id="help-scroll"):  # at 80x24 not every key fits at once
                yield HelpText(self.keys, id="help-text")
            yield Label(_("up/down scroll · escape closes"), classes="hint")

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
            yield Label(_("enter saves · escape cancels"), classes="hint")

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


class Picker(_Modal):
    """Type part of a name; enter takes the highlighted match. ``options``: (id, name); at
    most ``shown`` matches are listed, so a long list (2,000 cases) opens at once."""

    def __init__(
        self, title: str, options: list[tuple[str, str]], placeholder: str = "", shown: int = 50
    ):
        super().__init__()
        self.title_text = title
        self.options = options
        self.placeholder = placeholder
        self.shown = shown

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(placeholder=self.placeholder, id="picker-input")
            yield OptionList(id="picker-options")

    def on_mount(self) -> None:
        self._refresh("")
        self.query_one(Input).focus()

    def _refresh(self, query: str) -> None:
        scored = []
        for i, (key, name) in enumerate(self.options):
            score = fuzzy_score(query, f"{name} {key}")
            if score is not None:
                scored.append((score, i, key, name))
        scored.sort(key=lambda item: (item[0], item[1]))
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            [Option(name, id=key) for _score, _i, key, name in scored[: self.shown]]
        )
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


class CodePicker(Picker):
    """Type part of a code's label or id; enter applies the highlighted match."""

    def __init__(self, codes: list[Code]):
        labels = {code.id: code.label for code in codes}
        # a sub-code with its parent, as "Parent › Sub-code", to tell it apart and find it
        named = [
            (
                code.id,
                f"{labels[code.parent]} › {code.label}" if code.parent in labels else code.label,
            )
            for code in codes
        ]
        super().__init__(_("Code: type part of a label, enter applies"), named, _("e.g. ramverk"))
