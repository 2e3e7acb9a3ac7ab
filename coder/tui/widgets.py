"""Widgets of the coding screen. They render what they are given; they never touch the store."""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from coder.coding.session import NOT_APPLICABLE_LABEL, Passage, Suggestion
from coder.model.codebook import NOT_APPLICABLE, Code, Question
from coder.reports.agreement import CONSENSUS

BAR_WIDTH = 6
_BLOCKS = " ▏▎▍▌▋▊▉█"


def score_bar(score: float, width: int = BAR_WIDTH) -> str:
    """A bar of ``width`` cells for a score between 0 and 1, in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, score)) * width * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + (_BLOCKS[rest] if rest else "")).ljust(width)


EVIDENCE_STYLE = "bold underline"
MAX_EVIDENCE = 5  # words shown after "why:"


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


class CaseList(OptionList):
    """Cases with this coder's progress on the current question; select one to jump there."""

    can_focus = False

    def show(self, progress: list[tuple[str, int, int]]) -> None:
        self._progress = {case: (coded, total) for case, coded, total in progress}
        self.clear_options()
        self.add_options([Option(self._prompt(*row), id=row[0]) for row in progress])
        self._index = {case: i for i, (case, _, _) in enumerate(progress)}

    def update_case(self, case: str, coded: int, total: int) -> None:
        index = getattr(self, "_index", {}).get(case)
        if index is not None:
            self._progress[case] = (coded, total)
            self.replace_option_prompt_at_index(index, self._prompt(case, coded, total))

    def on_resize(self) -> None:
        if getattr(self, "_progress", None):
            highlighted = self.highlighted
            self.show([(case, *counts) for case, counts in self._progress.items()])
            self.highlighted = highlighted

    def point_at(self, case: str) -> None:
        index = getattr(self, "_index", {}).get(case)
        if index is not None and self.highlighted != index:
            self.highlighted = index

    def _prompt(self, case: str, coded: int, total: int) -> Text:
        done = coded == total
        counts = f"{coded}/{total} "
        room = max(6, (self.size.width or 26) - len(counts) - 3)
        name = case if len(case) <= room else case[: room - 1] + "…"
        line = Text()
        line.append(counts, style="green" if done else "dim")
        line.append(name, style="green" if done else "")
        return line


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
                Text("No passage matches the filter. Press f to change it.", style="italic")
            )
            return
        out = Text()
        out.append(f"{passage.case}", style="bold")
        out.append(f"  ·  {passage.document}  ·  passage {passage.position + 1}", style="dim")
        out.append(f"  ·  {passage.index + 1}/{passage.view_size}\n", style="dim")
        if passage.section:
            out.append(_tail_line(passage.section, self.content_size.width) + "\n", style="dim")
        out.append("\n")
        if _adjudicable(passage):  # above the text, so it shows on a small screen
            out.append_text(coders_side_by_side(passage, labels or {}))
            out.append("\n")
        if passage.previous:
            out.append(_tail(passage.previous) + "\n\n", style="dim italic")
        top = passage.suggestions[0] if passage.suggestions else None
        evidence = top.evidence[:MAX_EVIDENCE] if top else ()
        out.append_text(highlight(passage.text, term, words=evidence))
        out.append("\n\n")
        if passage.following:
            out.append(_clip(passage.following), style="dim italic")
        if passage.memo:
            out.append("\n\nMemo: ", style="bold yellow")
            out.append(passage.memo, style="yellow")
        self.update(out)


def _adjudicable(passage: Passage) -> bool:
    """Two coders' answers to compare, or a consensus already recorded."""
    coders = [c for c, codes in passage.others.items() if codes and c != CONSENSUS]
    return len(coders) + bool(passage.mine) >= 2 or CONSENSUS in passage.others


def coders_side_by_side(passage: Passage, labels: dict[str, str]) -> Text:
    """Each coder's codes on the passage, one line each (yours first if you coded it,
    ``consensus`` last), so disagreements can be adjudicated; ``name: codes`` wraps
    readably in the narrow centre column of an 80-column terminal."""
    rows = [(f"you ({passage.coder})", passage.mine)] if passage.mine else []
    rows += sorted((c, codes) for c, codes in passage.others.items() if c != CONSENSUS)
    answers = {frozenset(codes) for _, codes in rows if codes}
    rows.append((CONSENSUS, passage.others.get(CONSENSUS, set())))
    order = {code_id: i for i, code_id in enumerate(labels)}  # codebook order
    out = Text()
    out.append("Coders" + ("  (they differ)" if len(answers) > 1 else "") + "\n", style="bold")
    for name, codes in rows:
        out.append(f"  {name}: ", style="bold" if name == CONSENSUS else "magenta")
        ranked = sorted(codes, key=lambda c: (order.get(c, len(order)), c))
        out.append(", ".join(labels.get(c, c) for c in ranked) or "—")
        out.append("\n")
    if len(answers) > 1:
        out.append("a: record the agreed code as consensus\n", style="dim")
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


class CodePanel(Static):
    """The question's codes with keys, my marks, other coders' marks and suggestion bars.

    Codes with a suggestion come first, best score first, so the first bar shown is the
    top suggestion, the one enter accepts (also marked ◀ enter), with its evidence under
    it; above the bars, when the scores are not calibrated, a note says so. The other codes
    follow in codebook order; keys stay with their codes. At 80x24 long codebooks do not
    fit: this order keeps what enter takes, and why, on screen."""

    def show(
        self,
        question: Question,
        keyed: list[tuple[str, Code]],
        passage: Passage | None,
        highlighted: int,
        calibration: str | None = None,
    ) -> None:
        mine = passage.mine if passage else set()
        others = passage.others if passage else {}
        suggestions = passage.suggestions if passage else []  # best first
        top = suggestions[0] if suggestions else None
        scores: dict[str, Suggestion] = {}
        for suggestion in suggestions:
            scores.setdefault(suggestion.code, suggestion)
        place = {code_id: n for n, code_id in enumerate(scores)}
        out = Text()
        out.append(f"{question.title}\n", style="bold")
        out.append(
            "(one code)\n" if question.mode == "single" else "(several codes)\n", style="dim"
        )
        rows = [(key, code.id, code.label) for key, code in keyed]
        not_applicable = (
            NOT_APPLICABLE in mine
            or NOT_APPLICABLE in scores
            or any(NOT_APPLICABLE in codes for codes in others.values())
        )
        if not_applicable:  # shown when marked or suggested; key 0 works always
            rows.append(("0", NOT_APPLICABLE, NOT_APPLICABLE_LABEL))
        numbered = list(enumerate(rows))  # the number is what `highlighted` counts
        suggested = sorted((r for r in numbered if r[1][1] in scores), key=lambda r: place[r[1][1]])
        if suggested and calibration:
            out.append(f"{calibration}\n", style="yellow")
        for i, (key, code_id, label) in suggested:
            out.append_text(self._row(key, code_id, label, mine, others, i == highlighted))
            score = scores[code_id].score
            out.append(f"      {score_bar(score)} {score:.2f}", style="blue")
            if top is not None and code_id == top.code:
                out.append(" ◀ enter", style="bold blue")
                if top.evidence:
                    out.append("\nwhy: ", style="bold")
                    out.append(" · ".join(top.evidence[:MAX_EVIDENCE]), style=EVIDENCE_STYLE)
            out.append("\n")
        for i, (key, code_id, label) in numbered:
            if code_id not in scores:
                out.append_text(self._row(key, code_id, label, mine, others, i == highlighted))
        self.update(out, layout=False)  # a fixed-size box: no screen re-layout per keypress

    @staticmethod
    def _row(
        key: str,
        code_id: str,
        label: str,
        mine: set[str],
        others: dict[str, set[str]],
        highlighted: bool,
    ) -> Text:
        line = Text()
        line.append(f"{key or ' '} ", style="bold cyan")
        line.append(
            "[x] " if code_id in mine else "[ ] ", style="bold green" if code_id in mine else ""
        )
        line.append(label, style="italic" if code_id == NOT_APPLICABLE else "")
        by = sorted(c for c, codes in others.items() if code_id in codes)
        if by:
            line.append(f"  ◆ {', '.join(by)}", style="magenta")
        if highlighted:
            line.stylize("reverse")
        line.append("\n")
        return line


class CodeDetail(Static):
    """The highlighted code's definition, include and exclude notes and an example."""

    def show(self, code: Code | None) -> None:
        if code is None:
            self.update("")
            return
        out = Text()
        out.append(f"{code.label}\n", style="bold underline")
        if code.definition:
            out.append(code.definition + "\n")
        if code.include:
            out.append("Include: ", style="bold green")
            out.append(code.include + "\n")
        if code.exclude:
            out.append("Exclude: ", style="bold red")
            out.append(code.exclude + "\n")
        if code.examples:
            out.append("Example: ", style="bold")
            out.append(f"”{code.examples[0]}”", style="italic")
        self.update(out, layout=False)
