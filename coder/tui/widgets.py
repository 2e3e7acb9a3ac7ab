"""The passage in the centre of the coding screen. Widgets render what they are given and
never touch the store; the cases are in ``case_list``, the right column in ``code_panel``."""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from coder.coding.session import Passage
from coder.i18n import _
from coder.reports.agreement import CONSENSUS
from coder.tui.code_panel import EVIDENCE_STYLE, MAX_EVIDENCE


def highlight(
    text: str,
    term: str | None,
    style: str = "reverse bold",
    words: tuple[str, ...] = (),
    words_style: str = EVIDENCE_STYLE,
) -> Text:
    """``text`` with the search ``term`` highlighted anywhere, and ``words`` (a suggestion's
    evidence) wherever they occur as whole words; case is ignored."""
    rendered = Text(text)
    for word in words:
        pattern = rf"(?<!\w){re.escape(word)}(?!\w)"
        for match in re.finditer(pattern, text, flags=re.IGNORECASE):
            rendered.stylize(words_style, match.start(), match.end())
    if term:
        for match in re.finditer(re.escape(term), text, flags=re.IGNORECASE):
            rendered.stylize(style, match.start(), match.end())
    return rendered


class PassageView(Static):
    """The current passage, with the previous and next passages of the document dimmed and
    the heading path above it (its section) on one dim line under the title."""

    _shown: tuple[Passage | None, str | None, dict[str, str] | None] = (None, None, None)

    def on_resize(self) -> None:
        if self._shown[0] is not None:  # the section line is cut to the width
            self.show(*self._shown)

    def show(
        self, passage: Passage | None, term: str | None, labels: dict[str, str] | None = None
    ) -> None:
        self._shown = (passage, term, labels)
        if passage is None:
            self.update(
                Text(_("No passage matches the filter. Press f to change it."), style="italic")
            )
            return
        out = Text()
        out.append(f"{passage.case}", style="bold")
        where = _("passage {n}").format(n=passage.position + 1)
        out.append(f"  ·  {passage.document}  ·  {where}", style="dim")
        out.append(f"  ·  {passage.index + 1}/{passage.view_size}\n", style="dim")
        if passage.section:
            out.append(_tail_line(passage.section, self.content_size.width) + "\n", style="dim")
        out.append("\n")
        if _adjudicable(passage):  # above the text, so it shows on a small screen
            out.append_text(coders_side_by_side(passage, labels or {}))
            out.append("\n")
        if passage.previous:
            out.append(_tail(passage.previous, self._room(8, 100)) + "\n\n", style="dim italic")
        top = passage.suggestions[0] if passage.suggestions else None
        evidence = top.evidence[:MAX_EVIDENCE] if top else ()
        out.append_text(highlight(passage.text, term, words=evidence))
        out.append("\n\n")
        if passage.following:
            out.append(_clip(passage.following, self._room(4, 160)), style="dim italic")
        if passage.memo:
            out.append("\n\n" + _("Memo: "), style="bold yellow")
            out.append(passage.memo, style="yellow")
        self.update(out)

    def _room(self, share: int, least: int) -> int:
        """How much of a neighbouring passage to show: about 1/``share`` of the lines of
        the centre column (a taller terminal shows more context), at least ``least``."""
        box = self.parent.size if self.parent is not None else None
        if box is None or not box.width:
            return least
        return max(least, box.width * (box.height // share))


def _adjudicable(passage: Passage) -> bool:
    """Two coders' answers to compare, or a consensus already recorded."""
    coders = [c for c, codes in passage.others.items() if codes and c != CONSENSUS]
    return len(coders) + bool(passage.mine) >= 2 or CONSENSUS in passage.others


def coders_side_by_side(passage: Passage, labels: dict[str, str]) -> Text:
    """Each coder's codes on the passage, one line each (yours first if you coded it,
    ``consensus`` last), so disagreements can be adjudicated; ``name: codes`` wraps
    readably in the narrow centre column of an 80-column terminal."""
    rows = [(_("you ({coder})").format(coder=passage.coder), passage.mine)] if passage.mine else []
    rows += sorted((c, codes) for c, codes in passage.others.items() if c != CONSENSUS)
    answers = {frozenset(codes) for _name, codes in rows if codes}
    rows.append((CONSENSUS, passage.others.get(CONSENSUS, set())))
    order = {code_id: i for i, code_id in enumerate(labels)}  # codebook order
    out = Text()
    differ = "  " + _("(they differ)") if len(answers) > 1 else ""
    out.append(_("Coders") + differ + "\n", style="bold")
    for name, codes in rows:
        out.append(f"  {name}: ", style="bold" if name == CONSENSUS else "magenta")
        ranked = sorted(codes, key=lambda c: (order.get(c, len(order)), c))
        out.append(", ".join(labels.get(c, c) for c in ranked) or "—")
        out.append("\n")
    if len(answers) > 1:
        out.append(_("a: record the agreed code as consensus") + "\n", style="dim")
    return out


def _tail_line(text: str, width: int) -> str:
    """``text`` on one line of ``width`` cells, its start cut with … where it is too long:
    of a heading path, the nearest heading says most about the passage."""
    line = " ".join(text.split())
    if width <= 0 or cell_len(line) <= width:
        return line
    while line and cell_len(line) > width - 1:
        line = line[1:]
    return "…" + line.lstrip()


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _tail(text: str, limit: int = 100) -> str:
    """The end of the previous passage: context, without pushing this one off the screen."""
    return text if len(text) <= limit else "…" + text[-(limit - 1) :].lstrip()
