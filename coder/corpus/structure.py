"""A document's structure: headings, paragraphs, list items and table rows, with offsets.

Readers that know the structure (DOCX styles, PDF font sizes) return it as ``Block``s with
the text; for Markdown and plain text it is read from the text itself. Segmentation turns
blocks into passages; ``--case-from heading`` splits a document at its top headings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["heading", "paragraph", "item", "row"]


@dataclass(frozen=True)
class Block:
    """One structural piece of a document's text: ``text[start:end]`` is its source.

    - ``heading``: ``level`` 1 is the top level used in the document (DOCX Heading 1,
      the top Markdown level, the largest PDF font), 2 the next, ...; a DOCX Title is 0,
      above them all (it names the document, not a case).
    - ``paragraph``: running text.
    - ``item``: one item of a bulleted or numbered list; ``level`` its nesting (1 = top).
    - ``row``: one body row of a table; ``cells`` its cells and ``header`` the table's
      header cells (empty when the table has no header row).
    """

    kind: BlockKind
    start: int
    end: int
    level: int = 0
    cells: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
