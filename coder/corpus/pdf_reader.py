"""Reading a PDF into text and structure blocks, from its words' fonts and positions.

pdfplumber (on pdfminer.six) gives each word with its font name, size and position on the
page, which is what structure needs: headings are set larger (or bold and alone), running
headers and footers sit in the page's top and bottom bands, paragraphs are separated by
vertical gaps. In order:

1. Running headers and footers and page numbers go (``coder.corpus.pdf_lines``).
2. The body size is the most common size by characters; a line set 15 % larger (in a size
   that is not a quarter of the text or more), or bold, short and alone, is a heading - three
   lines and 200 characters at most; the largest heading size is level 1, the next 2, ...
3. A line starting with a bullet or a list number starts an ``item``; a vertical gap larger
   than the usual line spacing (~1.5 times it) starts a new paragraph.
4. Lines are joined with spaces; a word hyphenated at a line end is joined ("udvik-" +
   "ling"), except a compound before "och"/"og"/"eller" ("kort- och långsiktig").
5. A paragraph whose last line on a page does not end a sentence (. ! ? :) goes on with the
   first paragraph of the next page.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

from coder.corpus.pdf_lines import Line, body_lines, page_lines
from coder.corpus.readers import BlockText, SourceText, Unreadable
from coder.corpus.structure import BlockKind
from coder.i18n import _

HEADING_RATIO = 1.15  # a heading is set at least this much larger than the body text
DEFAULT_BODY = 10.0  # the body size (points) where the text's own size is no size at all
# A bullet glyph, or a list number ("1.", "2)", "a)") before a capital; a dash only where a
# sentence could not go on ("– som pågått" after a line break is running text).
_BULLET = re.compile(r"^(?:[•▪●■◦◆►✓\uf0b7\uf0a7]|o(?=\s))\s*")
_DASH = re.compile(r"^[-–—]\s+")
_NUMBER = re.compile(r"^(?:\d{1,2}|[a-z])(?:\)\s*|\.\s+(?=[A-ZÅÄÖÆØÉ\"“(]))")
_ENDS_SENTENCE = re.compile(r"[.!?:…][\"”’)]*$")
_COMPOUND_BEFORE = {"och", "og", "eller", "samt", "and", "or", "und", "oder", "et", "ou"}


@dataclass
class _Piece:
    """A block being built: its kind, level and lines."""

    kind: BlockKind
    level: int
    lines: list[Line] = field(default_factory=list)
    text: str = ""


def read_pdf(path: Path) -> SourceText:
    import pdfplumber  # imported here: it is slow to load

    pages: list[list[Line]] = []
    try:
        with pdfplumber.open(str(path)) as pdf:
            for number, page in enumerate(pdf.pages):
                pages.append(page_lines(page, number))
                page.close()  # frees the page's cached objects
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds on damaged files
        raise Unreadable(_reason(exc)) from None
    if not pages:
        raise Unreadable(_("PDF has no pages"))
    try:
        out = _blocks(body_lines(pages))
    except Unreadable:
        raise
    except Exception as exc:  # noqa: BLE001 - odd sizes or positions skip the file, never crash
        raise Unreadable(_reason(exc)) from None
    return SourceText(out.text, "pdf", meta={"pages": len(pages)}, blocks=out.blocks)


def _blocks(lines: list[Line]) -> BlockText:
    if not any(line.text.strip() for line in lines):
        raise Unreadable(_("no extractable text in the PDF (a scan? run OCR first)"))
    out = BlockText()
    for piece in _pieces(lines):
        out.add(piece.kind, piece.text, level=piece.level)
    return out


def _reason(exc: BaseException) -> str:
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    name = type(cause).__name__
    if "Password" in name or "Encrypt" in name:
        return _("encrypted PDF (needs a password)")
    return _("not a readable PDF ({error}: {reason})").format(error=name, reason=cause)


# -- blocks ---------------------------------------------------------------------------------------


class _Layout:
    """The body text's size and line spacing, and where a paragraph breaks."""

    def __init__(self, lines: list[Line]) -> None:
        sizes: Counter[float] = Counter()
        for line in lines:
            sizes[line.size] += line.chars
        # text set at a size that rounds to 0 (or no size at all): measure as if 10 pt
        self.body = max(sizes.most_common(1)[0][0], 0.0) or DEFAULT_BODY
        total = sum(sizes.values()) or 1
        # a size that much of the text is set in is running text, however large
        self.running = {size for size, n in sizes.items() if n / total >= 0.25}
        steps = [
            b.top - a.top
            for a, b in zip(lines, lines[1:], strict=False)
            if a.page == b.page and a.size == b.size == self.body and b.top > a.top
        ]
        # the usual step from line to line; with few lines most steps may be paragraph gaps,
        # so no more than 1.7 times the size (Word's 1.5 line spacing is about that)
        spacing = min(median(steps), 1.7 * self.body) if steps else self.body * 1.2
        self.gap = min(1.5 * spacing, spacing + max(0.4 * self.body, 2.0))
        self.left: dict[int, float] = {}  # each page's left margin (mirrored on facing pages)
        for line in lines:
            if line.size == self.body or line.page not in self.left:
                edge = self.left.get(line.page, line.x0) if line.size == self.body else line.x0
                self.left[line.page] = min(edge, line.x0)

    def breaks(self, a: Line, b: Line) -> bool:
        """Does ``b`` start a new paragraph after ``a`` (on the same page)?"""
        step = b.top - a.top
        return (
            step <= 0 or step > self.gap * max(1.0, b.size / self.body) or abs(a.size - b.size) > 1
        )

    def heading_like(self, line: Line, before: Line | None, after: Line | None) -> bool:
        text = line.text
        if not re.search(r"[^\W\d_]", text) or len(text) > 200:
            return False
        if line.size >= HEADING_RATIO * self.body and line.size not in self.running:
            return True
        # bold, short and on its own line: not in the middle of a bold paragraph
        return (
            line.bold
            and len(text) <= 80
            and not text.endswith((".", ",", ";"))
            and (before is None or self.breaks(before, line) or not before.bold)
            and (after is None or self.breaks(line, after) or not after.bold)
            and (
                before is None
                or self.breaks(before, line)
                or bool(_ENDS_SENTENCE.search(before.text))
            )
        )


def _mark_headings(lines: list[Line], layout: _Layout) -> dict[tuple[float, bool], int]:
    """Mark the heading lines; their levels by (size, bold): the largest is 1, the next 2, ..."""
    run: list[Line] = []

    def close(run: list[Line]) -> None:
        # More than three lines or 200 characters in a row is a lead-in set large, and a
        # sentence (60 characters and a full stop) is text: no heading.
        text = " ".join(x.text for x in run)
        if len(run) > 3 or len(text) > 200 or (len(text) > 60 and text.endswith(".")):
            for x in run:
                x.heading = False

    for i, line in enumerate(lines):
        before = lines[i - 1] if i and lines[i - 1].page == line.page else None
        after = lines[i + 1] if i + 1 < len(lines) and lines[i + 1].page == line.page else None
        line.heading = layout.heading_like(line, before, after)
        if run and not (
            line.heading
            and before is run[-1]
            and (line.size, line.bold) == (before.size, before.bold)
            and not layout.breaks(before, line)
        ):
            close(run)
            run = []
        if line.heading:
            run.append(line)
    close(run)
    keys = {(x.size, x.bold) for x in lines if x.heading}
    return {k: n + 1 for n, k in enumerate(sorted(keys, key=lambda k: (-k[0], not k[1])))}


def _pieces(lines: list[Line]) -> list[_Piece]:
    layout = _Layout(lines)
    levels = _mark_headings(lines, layout)
    pieces: list[_Piece] = []
    for i, line in enumerate(lines):
        prev = lines[i - 1] if i else None
        cur = pieces[-1] if pieces else None
        same_page = prev is not None and prev.page == line.page
        if line.heading:
            if (
                cur is not None
                and cur.kind == "heading"
                and same_page
                and prev is not None
                and prev.heading
                and (prev.size, prev.bold) == (line.size, line.bold)
                and not layout.breaks(prev, line)
            ):
                cur.lines.append(line)
            else:
                pieces.append(_Piece("heading", levels[(line.size, line.bold)], [line]))
            continue
        marker = _item_marker(line, prev, cur, layout)
        if marker is not None:
            line.text = line.text[len(marker) :].lstrip()
            pieces.append(_Piece("item", 1, [line]))
        elif (
            cur is not None
            and cur.kind != "heading"
            and prev is not None
            and (
                (same_page and not layout.breaks(prev, line) and _goes_on(cur, prev, line))
                or (not same_page and _runs_over(prev))
            )
        ):
            cur.lines.append(line)
        else:
            pieces.append(_Piece("paragraph", 0, [line]))
    for piece in pieces:
        piece.text = _joined([x.text for x in piece.lines])
    _nest_items(pieces, layout)
    return pieces


def _item_marker(line: Line, prev: Line | None, cur: _Piece | None, layout: _Layout) -> str | None:
    for pattern in (_BULLET, _NUMBER, _DASH):
        match = pattern.match(line.text)
        if match is None or len(match.group(0)) >= len(line.text):
            continue
        if pattern is _DASH and not (
            prev is None
            or prev.page != line.page
            or layout.breaks(prev, line)
            or prev.heading
            or (cur is not None and cur.kind == "item")
            or _ENDS_SENTENCE.search(prev.text)
            or prev.text.endswith(";")
        ):
            return None
        return match.group(0)
    return None


def _nest_items(pieces: list[_Piece], layout: _Layout) -> None:
    """Item levels by indent from the page's left margin: the least indented items are 1."""
    items = [p for p in pieces if p.kind == "item"]
    indents = {id(p): p.lines[0].x0 - layout.left[p.lines[0].page] for p in items}
    level, last = 0, None
    depth: dict[float, int] = {}
    for indent in sorted(set(indents.values())):
        if last is None or indent - last > 6:  # 6 pt or more further in: one level deeper
            level += 1
        depth[indent], last = level, indent
    for p in items:
        p.level = depth[indents[id(p)]]


def _goes_on(cur: _Piece, prev: Line, line: Line) -> bool:
    """Is ``line`` (close below ``prev``) more of the same paragraph or item?"""
    if cur.kind == "item":
        # an item's further lines hang under its text, or continue an unfinished sentence
        return line.x0 > cur.lines[0].x0 + 2 or not _ENDS_SENTENCE.search(prev.text)
    right = max(x.x1 for x in cur.lines)
    short = prev.x1 < right - 0.25 * (right - cur.lines[0].x0)
    return not (short and _ENDS_SENTENCE.search(prev.text) and line.text[:1].isupper())


def _runs_over(prev: Line) -> bool:
    """Does the last paragraph or item of a page go on at the top of the next one?"""
    return not prev.heading and not _ENDS_SENTENCE.search(prev.text)


def _joined(texts: list[str]) -> str:
    out = ""
    for text in texts:
        text = text.strip()
        if not out:
            out = text
            continue
        first = text.split(" ", 1)[0]
        if (
            out.endswith(("-", "\u00ad", "\u2010"))
            and out[-2:-1].isalpha()
            and first[:1].islower()
            and first.lower() not in _COMPOUND_BEFORE
        ):
            # a word broken at the line end; "EU-" + "projekt" keeps its hyphen
            keep = out[-1] != "\u00ad" and out[-2].isupper()
            out = (out if keep else out[:-1]) + text
            continue
        out = f"{out} {text}"
    return out
