"""A passage's place in its document: plain data, shared by segmenting and the store."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A segment to be stored: offsets into its document's text (half-open).

    ``text`` is what the coder reads: the document's text between the offsets, except for a
    table row, whose text is its cells with their column headers (``Header: cell; ...``) so
    it reads on its own. ``section`` is the heading path above the passage
    (``Hur bedrivs arbetet? > Utveckling framöver``), or None where there is no heading.
    """

    start: int
    end: int
    text: str
    external_id: str | None = None
    section: str | None = None
