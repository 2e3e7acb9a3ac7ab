"""Markdown's structure as blocks: headings, paragraphs, list items and table rows.

markdown-it-py parses the text (CommonMark with GitHub's pipe tables) and gives each block
the lines it came from; a block's offsets are those lines, trimmed of surrounding space.
A list item's block is its own lines, without the lists and tables nested in it (they are
blocks of their own, nested items one level deeper); the item's text after such a nested
block is another item block at the item's level, so that no two blocks overlap. Headings,
paragraphs and code inside a list item are part of the item's text. A table of only a
header row gives that row as a row. Heading levels are shifted so that the top level used
is 1.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from coder.corpus.structure import Block

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# Blocks of running text that are not paragraphs in Markdown's sense but are read as such.
_TEXT_BLOCKS = ("fence", "code_block", "html_block")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


class Lines:
    """Offsets of the lines of ``text``: line ranges (as markdown-it maps them) to spans."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def span(self, first: int, stop: int) -> tuple[int, int]:
        """Offsets of lines ``first`` up to ``stop`` (exclusive), trimmed of white space."""
        start = self.starts[first] if first < len(self.starts) else len(self.text)
        end = self.starts[stop] if stop < len(self.starts) else len(self.text)
        chunk = self.text[start:end]
        stripped = chunk.strip()
        if not stripped:
            return start, start
        start += len(chunk) - len(chunk.lstrip())
        return start, start + len(stripped)

    def line_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1


def clean_inline(text: str) -> str:
    """Inline Markdown as plain words: no tags, emphasis marks, link targets or extra space."""
    text = _LINK.sub(r"\1", _TAG.sub("", text))
    for _ in range(3):  # nested emphasis: ***a*** -> a
        text = _EMPHASIS.sub(r"\2", text)
    return " ".join(text.split())


@dataclass
class _OpenItem:
    index: int  # of its first block
    level: int
    stop: int  # the line after its last
    holes: list[tuple[int, int]] = field(default_factory=list)  # nested lists and tables


def markdown_blocks(text: str) -> list[Block]:
    """The blocks of a Markdown text, in document order, offsets into ``text``."""
    tokens = _parser().parse(text)
    lines = Lines(text)
    blocks: list[Block] = []
    open_items: list[_OpenItem] = []
    list_depth = 0
    header: tuple[str, ...] = ()
    header_map: list[int] = []
    body_rows = 0
    in_head = False
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        kind = tok.type
        if kind in ("bullet_list_open", "ordered_list_open", "table_open"):
            if open_items and tok.map:  # inside an item: a hole in the item's text
                _hole(blocks, open_items[-1], lines, tok.map)
            list_depth += kind != "table_open"
            header, body_rows = (), 0
        elif kind in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif kind == "list_item_open" and tok.map:
            open_items.append(_OpenItem(len(blocks), list_depth, tok.map[1]))
            blocks.append(_block("item", lines, tok.map, level=list_depth))
        elif kind == "list_item_close" and open_items:
            item = open_items.pop()
            _rest(blocks, item, lines, item.stop)  # the item's text after its last hole
        elif kind == "heading_open" and tok.map and list_depth == 0:
            first, stop = tok.map
            if tok.markup and tok.markup[0] in "=-":  # setext: the underline is not the title
                stop -= 1
            blocks.append(_block("heading", lines, (first, stop), level=int(tok.tag[1:])))
        elif kind == "tr_open" and tok.map:
            cells, i = _cells(tokens, i + 1)
            if in_head:
                header, header_map = tuple(cells), tok.map
            else:
                body_rows += 1
                blocks.append(_row(lines, tok.map, tuple(cells), header))
            continue
        elif kind in ("thead_open", "thead_close"):
            in_head = kind == "thead_open"
        elif kind == "table_close" and not body_rows and header_map:  # only a header row
            blocks.append(_row(lines, header_map, header, ()))
        elif list_depth == 0 and tok.map and (kind == "paragraph_open" or kind in _TEXT_BLOCKS):
            blocks.append(_block("paragraph", lines, tok.map))
        i += 1
    return _normalise_headings([b for b in blocks if b.end > b.start])


def _hole(blocks: list[Block], item: _OpenItem, lines: Lines, line_map: list[int]) -> None:
    """A list or table nested in ``item`` at ``line_map``: the item's text stops before it."""
    if not item.holes:
        _cap(blocks, item.index, lines, line_map[0])
    else:  # the item's text between the last nested block and this one
        _rest(blocks, item, lines, line_map[0])
    item.holes.append((line_map[0], line_map[1]))


def _rest(blocks: list[Block], item: _OpenItem, lines: Lines, stop: int) -> None:
    """The item's lines from the end of its last hole up to ``stop``, as an item block."""
    if item.holes and stop > item.holes[-1][1]:
        blocks.append(_block("item", lines, (item.holes[-1][1], stop), level=item.level))


def _block(kind: str, lines: Lines, line_map: tuple[int, int] | list[int], level: int = 0) -> Block:
    start, end = lines.span(line_map[0], line_map[1])
    return Block(kind, start, end, level)  # type: ignore[arg-type]  # kind is a BlockKind


def _row(
    lines: Lines, line_map: list[int], cells: tuple[str, ...], header: tuple[str, ...]
) -> Block:
    start, end = lines.span(line_map[0], line_map[1])
    return Block("row", start, end, cells=cells, header=header)


def _cap(blocks: list[Block], index: int, lines: Lines, stop_line: int) -> None:
    """The block at ``index`` stops before line ``stop_line`` (empty when it starts there)."""
    item = blocks[index]
    first = lines.line_of(item.start)
    end = lines.span(first, stop_line)[1] if stop_line > first else item.start
    blocks[index] = Block(item.kind, item.start, min(max(end, item.start), item.end), item.level)


def _cells(tokens: list[Token], i: int) -> tuple[list[str], int]:
    """The cells of the row whose first token is at ``i``; and the index after the row."""
    cells: list[str] = []
    while i < len(tokens) and tokens[i].type != "tr_close":
        if tokens[i].type == "inline":
            cells.append(clean_inline(tokens[i].content))
        i += 1
    return cells, i + 1


def _normalise_headings(blocks: list[Block]) -> list[Block]:
    levels = [b.level for b in blocks if b.kind == "heading"]
    shift = min(levels, default=1) - 1
    if not shift:
        return blocks
    return [
        Block("heading", b.start, b.end, b.level - shift) if b.kind == "heading" else b
        for b in blocks
    ]
