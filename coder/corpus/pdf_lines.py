"""A PDF page's words as lines with their font and position; running headers and footers.

Lines in the top or bottom band (8 % of the page height) whose text, digits aside, repeats on
at least half of the pages (two at least; three are enough: a chapter's running head) are
running headers and footers; a page number there ("3", "- 3 -", "Side 3 af 20", "Sida 3
(20)", "3/20") goes even alone. A line of a table of contents (a dot leader before a page
number) is no text of the report either.
"""

from __future__ import annotations

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
_CONTENTS_LINE = re.compile(r"(?:\.\s?){5,}\s*(?:\d{1,4}|[ivxlc]{1,6})?$|…{3,}\s*\d{1,4}$")


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
    """The page's words grouped into lines, top to bottom (pdfplumber orders them so)."""
    # A gap of 0.15 em between letters is a space: tightly set text has spaces under 3 pt.
    words = page.extract_words(extra_attrs=["size", "fontname"], x_tolerance_ratio=0.15)
    lines: list[Line] = []
    group: list[dict[str, Any]] = []
    for word in words:
        if group and (
            word["x0"] < group[-1]["x0"] or abs(word["top"] - group[0]["top"]) > word["size"] / 2
        ):
            lines.append(_line(group, number, float(page.height)))
            group = []
        group.append(word)
    if group:
        lines.append(_line(group, number, float(page.height)))
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
