"""A passage's place in its document: plain data, shared by segmenting and the store."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A segment to be stored: offsets into its document's text (half-open)."""

    start: int
    end: int
    text: str
    external_id: str | None = None
