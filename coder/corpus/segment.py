"""Splitting a document's text into segments (passages) with exact character offsets.

``segment_document`` (what ``coder import`` uses) reads the document's structure - the
reader's blocks, or Markdown / plain text parsed here - and makes passages from it (the rules
are in coder.corpus.passages). ``segment`` splits a text without looking at its structure
(REFI-QDA imports). ``text[span.start:span.end] == span.text`` holds for every passage but a
table row's, whose text is its cells with their headers.
"""

from __future__ import annotations

import re

from coder.corpus import passages
from coder.corpus import sentences as sentence_rules
from coder.corpus.markdown import markdown_blocks
from coder.corpus.plain import plain_blocks
from coder.corpus.sentences import sentencizer
from coder.corpus.span import Span
from coder.corpus.structure import Block
from coder.errors import CoderError
from coder.i18n import _

__all__ = ["SEGMENTATIONS", "document_blocks", "segment", "segment_document", "sentencizer"]

SEGMENTATIONS = ("paragraph", "sentence")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def paragraphs(text: str) -> list[Span]:
    """Paragraphs: runs of text separated by one or more blank lines, trimmed."""
    spans: list[Span] = []
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        _add_trimmed(spans, text, start, match.start())
        start = match.end()
    _add_trimmed(spans, text, start, len(text))
    return spans


def _add_trimmed(spans: list[Span], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    lead = len(chunk) - len(chunk.lstrip())
    s = start + lead
    spans.append(Span(s, s + len(stripped), stripped))


# spaCy refuses texts over ``nlp.max_length`` (1,000,000 characters, error E088) and needs
# memory in proportion to the text: a longer paragraph goes to it in pieces of at most this
# many characters, cut after a sentence end or a line break where there is one.
MAX_PIECE = 200_000
_PIECE_END = re.compile(r"[.!?][\"'»”)\]]*\s+|\n")


def _pieces(start: int, text: str) -> list[tuple[int, str]]:
    """``text`` (at offset ``start``) as pieces of at most ``MAX_PIECE`` characters."""
    pieces: list[tuple[int, str]] = []
    at = 0
    while len(text) - at > MAX_PIECE:
        window = text[at : at + MAX_PIECE]
        cut = max((m.end() for m in _PIECE_END.finditer(window, MAX_PIECE // 2)), default=0)
        if not cut:
            cut = window.rfind(" ", MAX_PIECE // 2) + 1 or MAX_PIECE
        pieces.append((start + at, window[:cut]))
        at += cut
    pieces.append((start + at, text[at:]))
    return pieces


def sentences(text: str, language: str) -> list[Span]:
    """Sentences within each paragraph (spaCy's sentencizer and the Nordic exceptions)."""
    pieces = [piece for para in paragraphs(text) for piece in _pieces(para.start, para.text)]
    found = sentence_rules.split([p for _start, p in pieces], language)
    spans: list[Span] = []
    for (start, _piece), bounds in zip(pieces, found, strict=True):
        for a, b in bounds:
            _add_trimmed(spans, text, start + a, start + b)
    return spans


def segment(text: str, how: str, language: str) -> list[Span]:
    if how == "paragraph":
        return paragraphs(text)
    if how == "sentence":
        return sentences(text, language)
    raise _unknown(how)


def _unknown(how: str) -> CoderError:
    return CoderError(
        _("unknown segmentation '{how}' (expected {expected})").format(
            how=how, expected=_(" or ").join(SEGMENTATIONS)
        )
    )


def document_blocks(text: str, blocks: list[Block] | None, fmt: str) -> list[Block]:
    """The document's structure: the reader's blocks, or parsed from Markdown or plain text."""
    if blocks is not None:
        return list(blocks)
    if fmt == "md":
        return markdown_blocks(text)
    return plain_blocks(text)


def segment_document(
    text: str, blocks: list[Block] | None, fmt: str, how: str, language: str
) -> list[Span]:
    """A document's passages from its structure (see coder.corpus.passages for the rules).

    ``how == "sentence"``: the sentences of each passage; table rows stay whole.
    """
    if how not in SEGMENTATIONS:
        raise _unknown(how)
    structure = document_blocks(text, blocks, fmt)
    spans = passages.build(text, structure, lambda t, ranges: _split(t, ranges, language))
    if how == "paragraph":
        return spans
    rows = {b.start for b in structure if b.kind == "row"}
    found = _split(text, [(s.start, s.end) for s in spans], language)
    result: list[Span] = []
    for span, sents in zip(spans, found, strict=True):
        if span.start in rows:
            result.append(span)
        else:
            result.extend(Span(a, b, text[a:b], section=span.section) for a, b in sents)
    return result


def _split(text: str, ranges: list[tuple[int, int]], language: str) -> list[list[tuple[int, int]]]:
    """The sentences of each range of ``text``, as offsets into ``text``."""
    pieces = [[*_pieces(start, text[start:end])] for start, end in ranges]
    flat = [p for group in pieces for p in group]
    found = iter(sentence_rules.split([p for _start, p in flat], language))
    result: list[list[tuple[int, int]]] = []
    for group in pieces:
        result.append([(at + a, at + b) for at, _text in group for a, b in next(found)])
    return result
