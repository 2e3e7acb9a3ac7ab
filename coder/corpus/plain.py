"""Plain text's structure as blocks, by heuristics (text saved from slides, PDFs, web pages).

- Chunks of lines separated by blank lines. Within a chunk: lines starting with a bullet
  ("- ", "* ", "+ ", "• ", "– ", "▶ ", "1. ", "1) ") are list items (deeper by indentation;
  an unmarked line after an item continues it), pipe-table lines (``| a | b |``) are table
  rows (the first is the header when a delimiter row ``|---|`` follows it, or a row of its
  own when no other row does), other lines are
  a paragraph.
- A heading is a chunk of one short line (at most 80 characters and 10 words) that does not
  end in . , ; : or ! and does not start with a lower-case letter, followed by more text
  (not by a lower-case continuation), and that is not a line of four or more words ending
  in a number of 1-3 digits ("Antal regioner var 13", a figure or a page number); a
  numbered line ("2. Samla in") is a heading under the same conditions when no list item
  follows it. Six or more one-line chunks in a row (a list of titles or notes) are read as
  the items of one list instead. When the text opens with two or more headings, the first is
  the document's title (level 1) and all other headings are level 2; otherwise all are 1.
- Page numbers are left out: a chunk that is only a number, and a number glued to the end of
  a paragraph when it is one of a sequence of at least three page numbers (glued or alone)
  that grow by 1 (or 2) at a regular spacing of at least 150 characters a page, at least half
  of them after a sentence end ("erhvervslivet. 1"), before a paragraph that continues the
  sentence in lower case ("borgere og 2" + "virksomheder er ...") or alone.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from coder.corpus.markdown import clean_inline
from coder.corpus.structure import Block

MAX_HEADING = 80
MAX_HEADING_WORDS = 10
# At least this many one-line chunks in a row (each at most MAX_LISTED_LINE characters)
# are a list of lines, not headings and paragraphs: the titles of a web page's "related".
MIN_LINE_RUN = 6
MAX_LISTED_LINE = 200
# Page numbers glued to paragraphs: at least MIN_PAGES of them, MIN_PAGE characters apart.
MIN_PAGES = 3
MIN_PAGE = 150

BULLET = re.compile(r"[ \t]*(?:[-*+•–▶▪◦●·](?:[ \t]+|$)|\d{1,3}[.)][ \t]+)")
_NUMBERED = re.compile(r"[ \t]*\d{1,3}[.)][ \t]+")
_DELIMITER = re.compile(r"^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$")
_PAGE = re.compile(r"^\d{1,3}$")
_GLUED_AFTER_END = re.compile(r"(?<=[.!?\"”»)])[ \t]+\d{1,3}$")
_GLUED = re.compile(r"[ \t]+\d{1,3}$")


@dataclass
class _Line:
    start: int
    end: int  # without the line break
    text: str

    @property
    def indent(self) -> int:
        return len(self.text) - len(self.text.lstrip(" \t"))


def pipe_cells(line: str) -> tuple[str, ...]:
    """The cells of a pipe-table line as plain words: ``| a | *b* |`` -> ("a", "b")."""
    inner = line.strip()
    inner = inner.removeprefix("|")
    inner = inner.removesuffix("|")
    return tuple(clean_inline(c) for c in inner.split("|"))


def _chunks(text: str) -> list[list[_Line]]:
    chunks: list[list[_Line]] = [[]]
    at = 0
    for raw in text.split("\n"):
        line = _Line(at, at + len(raw), raw)
        at += len(raw) + 1
        if raw.strip():
            chunks[-1].append(line)
        elif chunks[-1]:
            chunks.append([])
    return [c for c in chunks if c]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    chunk = text[start:end]
    stripped = chunk.strip()
    lead = len(chunk) - len(chunk.lstrip())
    return start + lead, start + lead + len(stripped)


def _chunk_blocks(text: str, chunk: list[_Line]) -> list[Block]:
    blocks: list[Block] = []
    para: list[_Line] = []
    indents: list[int] = []  # the indentation of each open list level
    i = 0

    def close_para() -> None:
        if para:
            blocks.append(Block("paragraph", *_trimmed(text, para[0].start, para[-1].end)))
            para.clear()

    while i < len(chunk):
        line = chunk[i]
        if line.text.lstrip().startswith("|"):
            close_para()
            i = _table(text, chunk, i, blocks)
            continue
        if BULLET.match(line.text):
            close_para()
            while indents and line.indent < indents[-1]:
                indents.pop()
            if not indents or line.indent > indents[-1]:
                indents.append(line.indent)
            blocks.append(Block("item", *_trimmed(text, line.start, line.end), len(indents)))
        elif blocks and blocks[-1].kind == "item" and not para:  # an item's next line
            item = blocks[-1]
            blocks[-1] = Block(
                "item", item.start, _trimmed(text, item.start, line.end)[1], item.level
            )
        else:
            indents.clear()
            para.append(line)
        i += 1
    close_para()
    return blocks


def _table(text: str, chunk: list[_Line], i: int, blocks: list[Block]) -> int:
    rows: list[_Line] = []
    while i < len(chunk) and chunk[i].text.lstrip().startswith("|"):
        rows.append(chunk[i])
        i += 1
    header: tuple[str, ...] = ()
    if len(rows) >= 2 and _DELIMITER.match(rows[1].text.strip()):
        header = pipe_cells(rows[0].text)
        body = [r for r in rows[2:] if not _DELIMITER.match(r.text.strip())]
        rows = body or rows[:1]  # a table of only a header row: the header is a row
        header = header if body else ()
    for row in rows:
        if _DELIMITER.match(row.text.strip()):
            continue
        start, end = _trimmed(text, row.start, row.end)
        blocks.append(Block("row", start, end, cells=pipe_cells(row.text), header=header))
    return i


def _heading_like(text: str, block: Block, alone: bool) -> bool:
    line = text[block.start : block.end]
    if not alone or "\n" in line or len(line) > MAX_HEADING:
        return False
    words = _NUMBERED.sub("", line, count=1)
    if len(words.split()) > MAX_HEADING_WORDS or not any(c.isalpha() for c in words):
        return False
    return not line.endswith((".", ",", ";", ":", "!")) and not words.lstrip()[0].islower()


def _page_numbers(text: str, blocks: list[Block], alone: list[bool]) -> tuple[list[int], set[int]]:
    """Leave out page numbers: the indexes of the blocks kept (``blocks`` is trimmed in place),
    and those of the blocks that end in a number that may be a page's (never headings).

    A number glued to the end of a paragraph is a page number only as part of a sequence of
    at least MIN_PAGES page numbers (glued or on a line of their own) that grow by 1 (or 2,
    a page without one), at a regular spacing of at least MIN_PAGE characters a page, and at
    least half of them after a sentence end, before a lower-case continuation or alone.
    """
    found: dict[int, re.Match[str]] = {}
    marks: list[tuple[int, int, int, bool]] = []  # (block, offset, number, a clear sign)
    for n, block in enumerate(blocks):
        source = text[block.start : block.end]
        if block.kind == "paragraph" and alone[n] and _PAGE.match(source):
            marks.append((n, block.start, int(source), True))
            continue
        glued = _GLUED.search(source)
        if block.kind not in ("paragraph", "item") or len(source.split()) < 4 or not glued:
            continue
        found[n] = glued
        after = text[blocks[n + 1].start] if n + 1 < len(blocks) else ""
        sign = _GLUED_AFTER_END.search(source) is not None or after.islower()
        marks.append((n, block.start + glued.start(), int(glued.group()), sign))
    for n in _sequences(marks):
        if n in found:
            block = blocks[n]
            end = block.start + found[n].start()
            blocks[n] = Block(block.kind, block.start, end, block.level)
    kept = [
        n
        for n, b in enumerate(blocks)
        if not (b.kind == "paragraph" and alone[n] and _PAGE.match(text[b.start : b.end]))
    ]
    return kept, set(found)


def _sequences(marks: list[tuple[int, int, int, bool]]) -> set[int]:
    """The blocks of ``marks`` that are in a sequence of page numbers."""
    chains: dict[int, list[tuple[int, int, int, bool]]] = {}  # by the last page number
    for mark in marks:
        page = mark[2]
        best = max(chains.get(page - 1, []), chains.get(page - 2, []), key=len)
        if len(best) + 1 >= len(chains.get(page, [])):
            chains[page] = [*best, mark]
    pages: set[int] = set()
    for chain in chains.values():
        if len(chain) < MIN_PAGES or sum(m[3] for m in chain) * 2 < len(chain):
            continue
        spacing = [(b[1] - a[1]) / (b[2] - a[2]) for a, b in itertools.pairwise(chain)]
        body = spacing[:-1]  # the last page may be short
        if min(body) >= MIN_PAGE and max(spacing) <= 3 * min(body):
            pages.update(m[0] for m in chain)
    return pages


def plain_blocks(text: str) -> list[Block]:
    """The blocks of a plain text, in document order, offsets into ``text``."""
    blocks: list[Block] = []
    alone: list[bool] = []  # the block is its chunk's only block
    for chunk in _chunks(text):
        found = _chunk_blocks(text, chunk)
        blocks.extend(found)
        alone.extend([len(found) == 1] * len(found))
    kept, numbered = _page_numbers(text, blocks, alone)
    # A heading is decided on the text as it was: a line that ends in a number that may be
    # a page's ("... var 13") is not one, whether the number was left out or not.
    return _headings(
        text, [blocks[n] for n in kept], [alone[n] for n in kept], [n in numbered for n in kept]
    )


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """(start, stop) of each run of consecutive True values."""
    runs: list[tuple[int, int]] = []
    for n, flag in enumerate(flags):
        if flag and runs and runs[-1][1] == n:
            runs[-1] = (runs[-1][0], n + 1)
        elif flag:
            runs.append((n, n + 1))
    return runs


def _headings(
    text: str, blocks: list[Block], alone: list[bool], numbered: list[bool]
) -> list[Block]:
    result = list(blocks)
    # Many one-line chunks in a row: a list of titles or notes, one item each.
    lines = [
        b.kind == "paragraph"
        and alone[n]
        and "\n" not in text[b.start : b.end]
        and b.end - b.start <= MAX_LISTED_LINE
        for n, b in enumerate(blocks)
    ]
    for first, stop in _runs(lines):
        if stop - first >= MIN_LINE_RUN:
            for k in range(first, stop):
                result[k] = Block("item", blocks[k].start, blocks[k].end, 1)
    like = [
        _heading_like(text, b, alone[n])
        and not numbered[n]
        and (
            b.kind == "paragraph"
            or b.kind == "item"
            and _NUMBERED.match(text[b.start : b.end]) is not None
            and not (n + 1 < len(result) and result[n + 1].kind == "item")
        )
        and not (n + 1 < len(result) and text[result[n + 1].start].islower())
        for n, b in enumerate(result)
    ]
    top_run = 0
    for first, stop in _runs(like):
        if stop == len(result):  # nothing follows: not headings
            continue
        if first == 0:
            top_run = stop - first
        for k in range(first, stop):
            b = result[k]
            result[k] = Block("heading", b.start, b.end, 1)
    if top_run >= 2:
        result = [
            Block("heading", b.start, b.end, 1 if k == 0 else 2) if b.kind == "heading" else b
            for k, b in enumerate(result)
        ]
    return result
