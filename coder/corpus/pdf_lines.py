"""A PDF page's words as lines with their font and position; running headers and footers.

Lines in the top or bottom band (8 % of the page height) whose text, digits aside, repeats on
at least half of the pages (two at least; three are enough: a chapter's running head) are
running headers and footers; a page number there ("3", "- 3 -", "Side 3 af 20", "Sida 3
(20)", "3/20") goes even alone. A line of a table of contents (a dot leader before a page
number) is no text of the report either; dots without a page number (a sentence trailing
off, a form's field) are. Text turned on the page - a page rotated by /Rotate without its text
turned back, a label up the margin - is read turned upright.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

BAND = 0.08  # top and bottom share of a page where running headers and footers sit
_PAGE_NUMBER = re.compile(
    r"^(?:(?:side|sida|page|seite|s\.|p\.)\s*)?[-–—(\[]?\s*(?:\d{1,4}|[ivxlc]{1,6})\s*"
    r"(?:(?:/|af|av|of|von|de|\()\s*\d{1,4}\s*\)?)?\s*[-–—)\]]?$",
    re.IGNORECASE,
)
# a dot leader before a page number; dots alone end a sentence or a form's field, and stay
_CONTENTS_LINE = re.compile(r"(?:(?:\.\s?){5,}|…{3,})\s*(?:\d{1,4}|[ivxlc]{1,6})$")


# -- lines of words ------------------------------------------------------------------------------


@dataclass
class Line:
    """One line of text on a page, with its position (points from the top-left) and font."""

    page: int
    page_height: float
    text: str
    top: float
    bottom: float
    x0: float
    x1: float
    size: float  # the most used font size in the line, to half a point
    bold: bool  # all of its words set in a bold font
    chars: int
    heading: bool = False


_LIGATURES = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
)
_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)


def page_lines(page: Any, number: int) -> list[Line]:
    """The page's words grouped into lines, top to bottom (pdfplumber orders them so).

    Text turned on the page (a page with /Rotate whose text is not turned back, a rotated
    table) is read turned upright: its lines come after the page's main text."""
    from pdfplumber.utils import extract_words

    width, height = float(page.width), float(page.height)
    turns: dict[int, list[dict[str, Any]]] = {}
    for char in page.chars:
        a, b = (char.get("matrix") or (1, 0))[:2]
        turns.setdefault(round(math.degrees(math.atan2(b, a)) / 90) % 4, []).append(char)
    lines: list[Line] = []
    for turn, chars in sorted(turns.items(), key=lambda x: -len(x[1])):
        upright, turned_height = _turned(chars, turn, width, height)
        # A gap of 0.15 em between letters is a space: tightly set text has spaces under 3 pt.
        words = extract_words(upright, extra_attrs=["size", "fontname"], x_tolerance_ratio=0.15)
        lines += _lines(words, number, turned_height)
    return lines


def _turned(
    chars: list[dict[str, Any]], turn: int, width: float, height: float
) -> tuple[list[dict[str, Any]], float]:
    """The characters turned upright by ``turn`` quarter turns, and the height of the page
    so turned (1: the text runs up the page, 2: upside down, 3: down the page)."""
    if turn == 0:
        return chars, height
    out = []
    for c in chars:
        x0, x1, top, bottom = c["x0"], c["x1"], c["top"], c["bottom"]
        if turn == 1:
            x0, x1, top, bottom = height - bottom, height - top, x0, x1
        elif turn == 2:
            x0, x1, top, bottom = width - x1, width - x0, height - bottom, height - top
        else:
            x0, x1, top, bottom = top, bottom, width - x1, width - x0
        box = {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top}
        out.append(c | box | {"upright": True, "size": bottom - top})
    return out, height if turn == 2 else width


def _lines(words: list[dict[str, Any]], number: int, height: float) -> list[Line]:
    lines: list[Line] = []
    group: list[dict[str, Any]] = []
    for word in words:
        if group and (
            word["x0"] < group[-1]["x0"] or abs(word["top"] - group[0]["top"]) > word["size"] / 2
        ):
            lines.append(_line(group, number, height))
            group = []
        group.append(word)
    if group:
        lines.append(_line(group, number, height))
    return sorted((line for line in lines if line.text), key=lambda x: (x.top, x.x0))


def _line(words: list[dict[str, Any]], page: int, height: float) -> Line:
    sizes: Counter[float] = Counter()
    for word in words:
        sizes[round(float(word["size"]) * 2) / 2] += len(word["text"])
    text = " ".join(w["text"] for w in words).translate(_LIGATURES)
    return Line(
        page=page,
        page_height=height,
        text=" ".join(text.split()),
        top=min(float(w["top"]) for w in words),
        bottom=max(float(w["bottom"]) for w in words),
        x0=float(words[0]["x0"]),
        x1=float(words[-1]["x1"]),
        size=sizes.most_common(1)[0][0],
        bold=all(_BOLD.search(str(w.get("fontname", ""))) for w in words),
        chars=sum(len(w["text"]) for w in words),
    )


# -- 1. running headers, footers and page numbers -------------------------------------------------


def body_lines(pages: list[list[Line]]) -> list[Line]:
    """The lines of all pages less running headers, footers, page numbers and contents lines."""

    def key(line: Line) -> tuple[bool, str]:
        return line.top < line.page_height / 2, " ".join(re.sub(r"\d+", "#", line.text).split())

    def in_band(line: Line) -> bool:
        band = BAND * line.page_height
        return line.top < band or line.bottom > line.page_height - band

    pages_with = Counter(k for page in pages for k in {key(x) for x in page if in_band(x)})
    # half of the pages, two at least; three do in a long document (a chapter's running head)
    needed = max(2, min((len(pages) + 1) // 2, 3))
    kept = []
    for page in pages:
        for line in page:
            if in_band(line) and (
                pages_with[key(line)] >= needed or _PAGE_NUMBER.match(line.text.strip())
            ):
                continue
            if not _CONTENTS_LINE.search(line.text):
                kept.append(line)
    return kept
