"""The list of cases down the left of the coding screen, with this coder's progress on the
current question. It draws only the lines on screen, so 2,000 cases (municipalities) cost no
more per keypress than 14 regions: a coding redraws one line, a new question the lines shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip


@dataclass
class CaseChosen(Message):
    """The coder picked a case in the case list (with the mouse): go to its first passage."""

    case: str


class CaseList(ScrollView, can_focus=False):
    """Cases with this coder's progress on the current question (``coded/passages name``,
    green when done); the current passage's case is highlighted; click one to go there."""

    COMPONENT_CLASSES = {"case-list--current"}
    DEFAULT_CSS = """
    CaseList > .case-list--current {
        color: $block-cursor-blurred-foreground;
        background: $block-cursor-blurred-background;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[tuple[str, int, int]] = []  # (case, coded, passages)
        self._index: dict[str, int] = {}
        self.current: int | None = None

    def show(self, progress: list[tuple[str, int, int]]) -> None:
        """All cases anew (another question): only the lines on screen are drawn."""
        if progress == self.rows:
            return
        self.rows = list(progress)
        self._index = {case: i for i, (case, _coded, _total) in enumerate(self.rows)}
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows))
        self.refresh()

    def update_case(self, case: str, coded: int, total: int) -> None:
        index = self._index.get(case)
        if index is not None and self.rows[index] != (case, coded, total):
            self.rows[index] = (case, coded, total)
            self.refresh_line(index)

    def point_at(self, case: str) -> None:
        """Highlight ``case`` and scroll it into view."""
        index = self._index.get(case)
        if index is None or index == self.current:
            return
        before, self.current = self.current, index
        if before is not None:
            self.refresh_line(before)
        self.refresh_line(index)
        self.scroll_to_region(Region(0, index, 1, 1), animate=False, immediate=True)

    def prompt_at(self, index: int) -> Text:
        """Line ``index`` of the list as text (as drawn)."""
        return self._prompt(*self.rows[index], self.scrollable_content_region.width)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows))
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        index = event.y + self.scroll_offset.y
        if 0 <= index < len(self.rows):
            event.stop()
            self.post_message(CaseChosen(self.rows[index][0]))

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self.rows):
            return Strip.blank(width, base)
        style = base
        if index == self.current:
            style = base + self.get_component_rich_style("case-list--current")
        text = self._prompt(*self.rows[index], width)
        segments = [Segment(" ", style)]
        segments += [
            Segment(seg.text, style + seg.style if seg.style else style)
            for seg in text.render(self.app.console)
        ]
        return Strip(segments).crop_extend(0, width, style)

    @staticmethod
    def _prompt(case: str, coded: int, total: int, width: int) -> Text:
        done = coded == total
        counts = f"{coded}/{total} "
        room = max(6, (width or 26) - len(counts) - 2)
        name = case if len(case) <= room else case[: room - 1] + "…"
        line = Text()
        line.append(counts, style="green" if done else "dim")
        line.append(name, style="green" if done else "")
        return line
