"""The right column of the coding screen: the question, its codes, the highlighted code's
definition. They render what they are given; they never touch the store.

The code list is wrapped here, line by line, with a hanging indent, so that the screen
knows where each code's row is: it scrolls the list to keep the highlighted code in view
and shares the column's height between the list and the definition by what each holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from coder.coding.keys import tree
from coder.coding.session import NOT_APPLICABLE_LABEL, Passage, Suggestion
from coder.i18n import _
from coder.model.codebook import NOT_APPLICABLE, Code, Question

BAR_WIDTH = 6
_BLOCKS = " ▏▎▍▌▋▊▉█"
EVIDENCE_STYLE = "bold underline"
MAX_EVIDENCE = 5  # words shown after "why:"
INDENT = 2  # cells per level of sub-codes
IMPLIED = "[·] "  # a parent whose sub-code is coded: implied, not stored


def score_bar(score: float, width: int = BAR_WIDTH) -> str:
    """A bar of ``width`` cells for a score between 0 and 1, in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, score)) * width * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + (_BLOCKS[rest] if rest else "")).ljust(width)


@dataclass(frozen=True)
class CodeRow:
    """One code as the list shows it: its key, its place in the hierarchy, its score."""

    key: str
    code_id: str
    label: str
    depth: int = 0
    suggestion: Suggestion | None = None


def code_rows(
    question: Question, keyed: list[tuple[str, Code]], passage: Passage | None
) -> list[CodeRow]:
    """The codes in the order listed: those with a suggestion first, best score first (the
    first is what enter accepts); then the rest in codebook order, sub-codes indented under
    their parent. n/a (key 0) is listed when marked or suggested. Keys stay with codes."""
    mine = passage.mine if passage else set()
    others = passage.others if passage else {}
    scores: dict[str, Suggestion] = {}
    for suggestion in passage.suggestions if passage else []:  # best first
        scores.setdefault(suggestion.code, suggestion)
    key_of = {code.id: key for key, code in keyed}
    rows = [
        CodeRow(key_of.get(code.id, ""), code.id, code.label, depth, scores.get(code.id))
        for code, depth in tree(question)
    ]
    if (
        NOT_APPLICABLE in mine
        or NOT_APPLICABLE in scores
        or any(NOT_APPLICABLE in codes for codes in others.values())
    ):  # shown when marked or suggested; key 0 works always
        rows.append(
            CodeRow("0", NOT_APPLICABLE, _(NOT_APPLICABLE_LABEL), 0, scores.get(NOT_APPLICABLE))
        )
    place = {code_id: n for n, code_id in enumerate(scores)}
    suggested = sorted((r for r in rows if r.suggestion), key=lambda r: place[r.code_id])
    return [CodeRow(r.key, r.code_id, r.label, 0, r.suggestion) for r in suggested] + [
        r for r in rows if r.suggestion is None
    ]


# where a line may end: at spaces (not the one after ◆, which names the coders after it),
# and inside "a/b" and "a-b"
_BREAK = re.compile(r"(?<!◆)\s+|(?<=[/-])(?=\S)")


def _lines(plain: str, width: int) -> list[tuple[int, int]]:
    """Where to cut ``plain`` into lines of at most ``width`` characters: at spaces, or
    after a slash or hyphen (``Uppföljning/utvärdering``); a word longer than a line is
    cut where the line ends. Returns (start, end) of each line, trailing spaces left out."""
    breaks = [(m.start(), m.end()) for m in _BREAK.finditer(plain)] + [(len(plain), len(plain))]
    spans: list[tuple[int, int]] = []
    start = 0
    while start < len(plain):
        cut = None
        for end, resume in breaks:
            if end > start and end - start <= width:
                cut = (end, resume)
            elif end - start > width:
                break
        end, resume = cut or (start + width, start + width)
        spans.append((start, end))
        start = resume
    return spans or [(0, 0)]


def wrap_hanging(text: Text, width: int, indent: int) -> list[Text]:
    """``text`` in lines of ``width`` cells, the lines after the first indented by
    ``indent`` (its first ``indent`` cells are a prefix: key and mark)."""
    if width <= indent + 4:  # not laid out yet, or absurdly narrow: one line
        return [text]
    head, body = text[:indent], text[indent:]
    return [
        Text.assemble(head if n == 0 else " " * indent, body[start:end])
        for n, (start, end) in enumerate(_lines(body.plain, width - indent))
    ]


class QuestionHeader(Static):
    """The question's title, whether it takes one code or several, and the note that the
    scores are not calibrated (when there are scores to see)."""

    text = Text()

    def show(self, question: Question, calibration: str | None) -> None:
        out = Text()
        out.append(f"{question.title}\n", style="bold")
        out.append(
            _("(one code)") if question.mode == "single" else _("(several codes)"), style="dim"
        )
        if calibration:
            out.append(f"\n{calibration}", style="yellow")
        if out.plain != self.text.plain:
            self.text = out
            self.update(out)

    def height_for(self, width: int) -> int:
        """How many lines the header takes at ``width`` cells."""
        return len(self.text.wrap(self.app.console, width)) if width > 0 else 0


class CodePanel(Static):
    """The question's codes with keys, my marks (``[x]``, and ``[·]`` for a parent implied
    by a coded sub-code), other coders' marks and suggestion bars; the top suggestion is
    marked ◀ enter, with its evidence under it. Lines are wrapped here (``lines``), so
    ``spans`` knows which lines each code's row takes."""

    spans: dict[str, tuple[int, int]] = {}  # code id -> (first line, line after its row)
    lines = 0
    _shown: tuple | None = None
    _width = 0

    def on_resize(self) -> None:
        if self._shown is not None and self.content_size.width != self._width:
            self.show(*self._shown)  # wrapped anew at the new width

    def show(
        self,
        rows: list[CodeRow],
        passage: Passage | None,
        highlighted: str | None,
        implied: set[str],
    ) -> None:
        mine = passage.mine if passage else set()
        others = passage.others if passage else {}
        top = rows[0].suggestion if rows else None
        self._shown = (rows, passage, highlighted, implied)
        width = self._width = self.content_size.width or self.parent_width()
        lines: list[Text] = []
        spans: dict[str, tuple[int, int]] = {}
        for row in rows:
            start = len(lines)
            line = Text(" " * (INDENT * row.depth))
            line.append(f"{row.key or ' '} ", style="bold cyan")
            if row.code_id in mine:
                line.append("[x] ", style="bold green")
            elif row.code_id in implied:
                line.append(IMPLIED, style="dim green")
            else:
                line.append("[ ] ")
            prefix = len(line.plain)  # indent, key, mark: one cell per character
            line.append(row.label, style="italic" if row.code_id == NOT_APPLICABLE else "")
            by = sorted(c for c, codes in others.items() if row.code_id in codes)
            if by:
                line.append(f"  ◆ {', '.join(by)}", style="magenta")
            wrapped = wrap_hanging(line, width, prefix)
            if row.code_id == highlighted:
                for part in wrapped:
                    part.stylize("reverse")
            lines += wrapped
            if row.suggestion is not None:
                score = row.suggestion.score
                bar = Text(f"      {score_bar(score)} {score:.2f}", style="blue")
                if top is not None and row.suggestion is top:
                    bar.append(" ◀ enter", style="bold blue")
                lines.append(bar)
                if top is not None and row.suggestion is top and top.evidence:
                    why = Text(_("why: "), style="bold")
                    hang = cell_len(why.plain)  # the lines after the first go on under it
                    why.append(" · ".join(top.evidence[:MAX_EVIDENCE]), style=EVIDENCE_STYLE)
                    lines += wrap_hanging(why, width, hang)
            spans[row.code_id] = (start, len(lines))  # its bar and evidence included
        self.spans = spans
        relayout = len(lines) != self.lines
        self.lines = len(lines)
        # a list as long as before keeps its box: no screen re-layout for this keypress
        self.update(Text("\n").join(lines), layout=relayout)

    def parent_width(self) -> int:
        """The width to wrap at before this panel was laid out: its box's, if known."""
        parent = self.parent
        return parent.scrollable_content_region.width if isinstance(parent, Widget) else 0


class CodeDetail(Static):
    """The highlighted code's definition, include and exclude notes and an example, wrapped
    here (at spaces, slashes and hyphens) so that ``lines`` says how tall it is."""

    lines = 0
    _shown: tuple[Code | None, Code | None] = (None, None)
    _width = 0

    def on_resize(self) -> None:
        if self.content_size.width != self._width:
            self.show(*self._shown, force=True)

    def show(self, code: Code | None, parent: Code | None = None, *, force: bool = False) -> None:
        if (code, parent) == self._shown and not force:
            return  # the same code: no re-layout for this keypress
        self._shown = (code, parent)
        width = self._width = self.content_size.width
        if code is None:
            self.lines = 0
            self.update("")
            return
        parts = [Text(code.label, style="bold underline")]
        if parent is not None:
            parts.append(Text.assemble((_("Under: "), "bold"), parent.label))
        if code.definition:
            parts.append(Text(code.definition))
        if code.include:
            parts.append(Text.assemble((_("Include: "), "bold green"), code.include))
        if code.exclude:
            parts.append(Text.assemble((_("Exclude: "), "bold red"), code.exclude))
        if code.examples:
            example = (f"”{code.examples[0]}”", "italic")
            parts.append(Text.assemble((_("Example: "), "bold"), example))
        lines = [line for part in parts for line in wrap_hanging(part, width, 0)]
        self.lines = len(lines)
        self.update(Text("\n").join(lines))


def share(total: int, codes: int, detail: int) -> int:
    """How many of ``total`` lines the code list gets, the definition the rest: each what
    it holds if both fit; else the one that holds less all of it, if that is at most half;
    else half each (both scroll)."""
    if total <= 0:
        return max(codes, 1)
    if codes + detail <= total:
        return codes
    half = (total + 1) // 2
    if codes <= half:
        return codes
    if detail <= total - half:
        return total - detail
    return half
