"""One document, several cases: splitting a compilation at its headings (``--case-from heading``).

A regional compilation holds one section per region, each under a heading of the same level
(``# Region Kalmar``, DOCX Heading 1). Each such section becomes a part: its own document,
whose case is the heading's text as written. A part runs from the end of its heading to the
next heading of the same or a higher level; its blocks are given relative to its own text, so
the heading path of its passages starts below the case heading. What lies outside every part
(text before the first heading, or under a higher heading between parts) belongs to no case.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, replace

from coder.corpus.project import StoredDocument
from coder.corpus.span import Span
from coder.corpus.structure import Block
from coder.errors import ImportError_
from coder.i18n import _

_ATX_OPEN = re.compile(r"^\s{0,3}#{1,6}(\s+|$)")
_ATX_CLOSE = re.compile(r"\s+#+\s*$")
_UNDERLINE = re.compile(r"^\s*(=+|-+)\s*$")  # a setext heading's underline
# An outline number before a heading's text: "1. ", "2.3 ", "4) ", "IV. " (not "2019 ").
_NUMBER = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*[.)]|\d{1,3}(?:\.\d{1,3})+|[IVXLC]{1,7}\.)\s+")


class NoHeading(ImportError_):
    """A file to split at headings has none of the level asked for: the import is refused."""


@dataclass(frozen=True)
class Part:
    """A section of a document that becomes a document of its own."""

    heading: str  # the case heading's text as written
    start: int  # the part's text in the document: ``text[start:end]``
    end: int
    text: str
    blocks: list[Block]  # its blocks, offsets relative to ``text``


@dataclass(frozen=True)
class Split:
    parts: list[Part]
    before: int  # characters of text before the first case heading (stripped)
    outside: int  # characters of text between parts, under higher headings (stripped)


def heading_text(text: str, block: Block) -> str:
    """A heading's text as written, without Markdown's ``#`` marks or a setext underline."""
    lines = [
        line for line in text[block.start : block.end].splitlines() if not _UNDERLINE.match(line)
    ]
    joined = " ".join(line.strip() for line in lines if line.strip())
    joined = _ATX_CLOSE.sub("", _ATX_OPEN.sub("", joined))
    for mark in ("**", "__"):  # a heading set in bold as a whole
        if len(joined) > 4 and joined.startswith(mark) and joined.endswith(mark):
            joined = joined[2:-2]
    return " ".join(joined.split())


def case_of(heading: str) -> str:
    """The case a part's heading names: the heading without an outline number."""
    return _NUMBER.sub("", heading).strip() or heading


def match_parts(
    parts: list[tuple[str, str]], earlier: list[StoredDocument], file_sha: str
) -> list[StoredDocument | None]:
    """Each part's (name, text sha256) document from an earlier import of its file, or None:
    the same text first (the same name before another: a renamed heading, a section that
    moved up when one of the same name above it was deleted), then the same name."""
    free = list(earlier)
    found: list[StoredDocument | None] = [None] * len(parts)

    def same(doc: StoredDocument, name: str, text: str, exact: bool | None) -> bool:
        part = doc.meta.get("part")
        if exact is True:
            return part == name and (doc.sha256 == text or doc.meta.get("file_sha256") == file_sha)
        return doc.sha256 == text if exact is False else part == name

    for exact in (True, False, None):
        for i, (name, text) in enumerate(parts):
            doc = (
                next((d for d in free if same(d, name, text, exact)), None)
                if not found[i]
                else None
            )
            if doc is not None:
                found[i] = doc
                free.remove(doc)
    return found


def split_at_headings(text: str, blocks: list[Block], level: int) -> Split:
    """The parts of ``text`` that start at its level-``level`` headings (``blocks`` in
    document order); no parts when there is no such heading."""
    heads = [b for b in blocks if b.kind == "heading"]
    starts = [i for i, b in enumerate(heads) if b.level == level]
    if not starts:
        return Split([], 0, 0)
    parts: list[Part] = []
    outside = 0
    for i in starts:
        head = heads[i]
        stop = next((h.start for h in heads[i + 1 :] if h.level <= level), len(text))
        following = next((heads[j].start for j in starts if j > i), len(text))
        if stop < following:  # a higher heading ends the part before the next one starts
            outside += len(text[stop:following].strip())
        start, end = _trimmed(text, head.end, stop)
        inside = [
            replace(b, start=b.start - start, end=b.end - start)
            for b in blocks
            if b.start >= start and b.end <= end
        ]
        parts.append(Part(heading_text(text, head), start, end, text[start:end], inside))
    before = len(text[: heads[starts[0]].start].strip())
    return Split(parts, before, outside)


def case_parts(
    file: str, text: str, blocks: list[Block], level: int, notes: list[str]
) -> list[tuple[str, Part]]:
    """The parts of ``file`` that become cases, each with its name in the file (the heading;
    ``Heading (2)`` for the second of the same text); what is left out goes to ``notes``.
    A file without a level-``level`` heading raises ``NoHeading``."""
    split = split_at_headings(text, blocks, level)
    if not split.parts:
        option = "heading" if level == 1 else f"heading:{level}"
        raise NoHeading(
            _("{file}: no level-{level} heading to start a case at (--case-from {option})").format(
                file=file, level=level, option=option
            )
        )
    if split.before:
        notes.append(
            _("text before the first heading skipped ({n} characters)").format(n=split.before)
        )
    if split.outside:
        notes.append(
            _("text under higher headings between the cases skipped ({n} characters)").format(
                n=split.outside
            )
        )
    named: list[tuple[str, Part]] = []
    seen: Counter[str] = Counter()
    for part in split.parts:
        if not part.heading:
            notes.append(
                _("a section under an empty heading skipped ({n} characters)").format(
                    n=len(part.text)
                )
            )
            continue
        seen[part.heading] += 1
        n = seen[part.heading]
        named.append((part.heading if n == 1 else f"{part.heading} ({n})", part))
    below = [b for b in blocks if b.kind == "heading" and b.level == level + 1]
    if len(named) == 1 and len(below) > 1:
        notes.append(
            _(
                "only one case, '{case}', and {n} level-{level} headings: --case-from "
                "heading:{level} makes a case of each"
            ).format(case=case_of(named[0][0]), n=len(below), level=level + 1)
        )
    return named


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    chunk = text[start:end]
    lead = len(chunk) - len(chunk.lstrip())
    return start + lead, start + len(chunk.rstrip())


def table_rows(spans: list[Span], blocks: list[Block]) -> int:
    """How many of ``spans`` are rows of a table (lie within a ``row`` block)."""
    rows = sorted((b.start, b.end) for b in blocks if b.kind == "row")
    if not rows:
        return 0
    starts = [start for start, _end in rows]
    count = 0
    for span in spans:
        i = bisect.bisect_right(starts, span.start) - 1
        if i >= 0 and span.end <= rows[i][1]:
            count += 1
    return count
