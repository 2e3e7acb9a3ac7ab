"""Splitting a document's text into segments (passages) with exact character offsets.

``text[span.start:span.end] == span.text`` always holds, so passages can be shown
in context and exported to REFI-QDA with their positions.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from coder.corpus.span import Span
from coder.errors import CoderError

if TYPE_CHECKING:
    from spacy.language import Language

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


@lru_cache(maxsize=8)
def sentencizer(language: str) -> Language:
    """A blank spaCy pipeline for ``language`` with a rule-based sentencizer (no downloads)."""
    import spacy

    try:
        nlp = spacy.blank(language)
    except (ImportError, KeyError, ValueError) as exc:
        raise CoderError(f"spaCy has no language '{language}' ({exc})") from None
    nlp.add_pipe("sentencizer")
    return nlp


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
    """Sentences within each paragraph, found by spaCy's sentencizer for the language."""
    pieces = [piece for para in paragraphs(text) for piece in _pieces(para.start, para.text)]
    nlp = sentencizer(language)
    spans: list[Span] = []
    for (start, _), doc in zip(pieces, nlp.pipe(p for _, p in pieces), strict=True):
        for sent in doc.sents:
            _add_trimmed(spans, text, start + sent.start_char, start + sent.end_char)
    return spans


def segment(text: str, how: str, language: str) -> list[Span]:
    if how == "paragraph":
        return paragraphs(text)
    if how == "sentence":
        return sentences(text, language)
    raise CoderError(f"unknown segmentation '{how}' (expected {' or '.join(SEGMENTATIONS)})")
