"""From a document's blocks to its passages (paragraph segmentation).

- Headings are never passages; every passage gets the heading path above it as ``section``.
- A table row is one passage: ``Header: cell; Header: cell`` (empty cells left out; cells
  without a header by themselves), offsets covering the row's line.
- A list of short fragments (at least half of the items under 80 characters and at most a
  third of them ending in "." or "!"; a list of questions counts as fragments) is one
  passage together with its lead - the paragraph just before it when that ends with ":" or
  is at most 200 characters long; a long list of fragments is cut into passages of at
  most about 1,200 characters. Otherwise each top-level item is a passage with the items
  nested under it (a nested item before any item of its list, e.g. after a table row, is a
  passage of its own), and the lead is a passage of its own.
- A paragraph over 1,200 characters is cut at sentence boundaries into pieces of about 400 to
  1,200 characters (at a space when one sentence is longer than that).
- A passage under 25 characters (not a table row) joins the passage before it in the same
  section, or else the one after it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from coder.corpus.span import Span
from coder.corpus.structure import Block

LONG = 1_200  # a paragraph over this is cut
TARGET = 900  # the size aimed at when cutting
MIN_PIECE = 400  # a piece shorter than this takes the next sentence too
SHORT_LINE = 25  # a passage under this joins its neighbour
FRAGMENT = 80  # a list item under this is a fragment
SHORT_LEAD = 200  # a paragraph up to this long leads the list after it

_MARKER = re.compile(r"[ \t]*(?:[-*+•–▶▪◦●·](?:[ \t]+|$)|\d{1,3}[.)][ \t]+)")
_HEADING_MARKS = re.compile(r"^\s*#{1,6}\s*|\s*#+\s*$")
_SENTENCE_END = (".", "!", ".”", '."', ".)")

# (text, [(start, end), ...] of paragraphs) -> sentence (start, end) offsets for each
Splitter = Callable[[str, list[tuple[int, int]]], list[list[tuple[int, int]]]]


@dataclass
class _Draft:
    start: int
    end: int
    section: str | None
    row_text: str | None = None  # a table row's text

    def span(self, text: str) -> Span:
        body = self.row_text if self.row_text is not None else text[self.start : self.end]
        return Span(self.start, self.end, body, section=self.section)


def heading_title(source: str) -> str:
    """A heading's text without Markdown's ``#`` marks and with its space normalised."""
    from coder.corpus.markdown import clean_inline

    return clean_inline(_HEADING_MARKS.sub("", source))


def row_text(block: Block) -> str:
    parts = []
    for n, cell in enumerate(block.cells):
        if not cell:
            continue
        head = block.header[n] if n < len(block.header) else ""
        parts.append(f"{head}: {cell}" if head else cell)
    return "; ".join(parts)


def build(text: str, blocks: Sequence[Block], split: Splitter) -> list[Span]:
    drafts: list[_Draft] = []
    path: list[tuple[int, str]] = []
    long_paragraphs: list[int] = []  # indexes in drafts
    n = 0
    while n < len(blocks):
        block = blocks[n]
        section = " > ".join(t for _, t in path) or None
        if block.kind == "heading":
            while path and path[-1][0] >= block.level:
                path.pop()
            title = heading_title(text[block.start : block.end])
            if title:
                path.append((block.level, title))
        elif block.kind == "row":
            cells = row_text(block)
            if cells:
                drafts.append(_Draft(block.start, block.end, section, cells))
        elif block.kind == "item":
            stop = n
            while stop < len(blocks) and blocks[stop].kind == "item":
                stop += 1
            _list(text, blocks[n:stop], drafts, section)
            n = stop
            continue
        else:
            if block.end - block.start > LONG:
                long_paragraphs.append(len(drafts))
            drafts.append(_Draft(block.start, block.end, section))
        n += 1
    drafts = _cut_long(text, drafts, long_paragraphs, split)
    return [d.span(text) for d in _join_short(text, drafts)]


def _fragments(text: str, items: Sequence[Block]) -> bool:
    bodies = [text[b.start : b.end] for b in items]
    short = sum(len(b) < FRAGMENT for b in bodies)
    sentences = sum(b.rstrip().endswith(_SENTENCE_END) for b in bodies)
    return short * 2 >= len(bodies) and sentences * 3 <= len(bodies)


def _list(text: str, items: Sequence[Block], drafts: list[_Draft], section: str | None) -> None:
    if _fragments(text, items):
        start = items[0].start
        lead = drafts[-1] if drafts else None
        if (
            lead is not None
            and lead.row_text is None
            and lead.section == section
            and (text[lead.start : lead.end].endswith(":") or lead.end - lead.start <= SHORT_LEAD)
            and not text[lead.end : start].strip()
        ):
            drafts.pop()
            start = lead.start
        group = _Draft(start, items[0].end, section)
        for item in items:
            if item.end - group.start > LONG and group.end > group.start:
                drafts.append(group)
                group = _Draft(item.start, item.end, section)
            group.end = item.end
        drafts.append(group)
        return
    top = min(b.level for b in items)
    first = len(drafts)  # drafts from here on are this list's items
    for item in items:
        if item.level > top and len(drafts) > first:
            drafts[-1].end = item.end  # a nested item stays with its parent item
            continue
        marker = _MARKER.match(text, item.start, item.end)
        start = marker.end() if marker and marker.end() < item.end else item.start
        drafts.append(_Draft(start, item.end, section))


def _cut_long(
    text: str, drafts: list[_Draft], long_ones: list[int], split: Splitter
) -> list[_Draft]:
    if not long_ones:
        return drafts
    sentences = split(text, [(drafts[k].start, drafts[k].end) for k in long_ones])
    pieces = dict(zip(long_ones, sentences, strict=True))
    result: list[_Draft] = []
    for k, draft in enumerate(drafts):
        if k not in pieces:
            result.append(draft)
            continue
        for start, end in _pieces(text, pieces[k], draft.start, draft.end):
            result.append(_Draft(start, end, draft.section))
    return result


def _pieces(
    text: str, sentences: list[tuple[int, int]], start: int, end: int
) -> list[tuple[int, int]]:
    """Sentences grouped into pieces of about TARGET characters (at most LONG where possible)."""
    units: list[tuple[int, int]] = []
    for s, e in sentences or [(start, end)]:
        units.extend(_words(text, s, e) if e - s > LONG else [(s, e)])
    size = (end - start) / math.ceil((end - start) / TARGET)
    pieces: list[tuple[int, int]] = []
    for s, e in units:
        if pieces:
            first, last = pieces[-1]
            if e - first <= size or (last - first < MIN_PIECE and e - first <= LONG):
                pieces[-1] = (first, e)
                continue
        pieces.append((s, e))
    short_tail = len(pieces) > 1 and pieces[-1][1] - pieces[-1][0] < MIN_PIECE
    if short_tail and pieces[-1][1] - pieces[-2][0] <= LONG:  # it joins the piece before
        tail = pieces.pop()
        pieces[-1] = (pieces[-1][0], tail[1])
    return pieces


def _words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence too long for one passage, cut at spaces into parts of about TARGET."""
    parts: list[tuple[int, int]] = []
    at = start
    while end - at > LONG:
        cut = text.rfind(" ", at + TARGET // 2, at + TARGET)
        cut = cut if cut > at else at + TARGET
        parts.append((at, cut))
        at = cut + 1 if text[cut] == " " else cut
    parts.append((at, end))
    return [(s, e) for s, e in parts if e > s]


def _join_short(text: str, drafts: list[_Draft]) -> list[_Draft]:
    result: list[_Draft] = []
    carry: _Draft | None = None  # a short passage waiting for the next one
    for draft in drafts:
        if carry is not None:
            if draft.row_text is None and draft.section == carry.section:
                draft = _Draft(carry.start, draft.end, draft.section)
            else:
                result.append(carry)
            carry = None
        if draft.row_text is None and len(text[draft.start : draft.end].strip()) < SHORT_LINE:
            prev = result[-1] if result else None
            if prev is not None and prev.row_text is None and prev.section == draft.section:
                prev.end = draft.end
            else:
                carry = draft
            continue
        result.append(draft)
    if carry is not None:
        result.append(carry)
    return result
