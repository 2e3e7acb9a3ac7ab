"""Reading a DOCX file into text and structure blocks.

The body is walked in document order. A paragraph's style says what it is: a heading
(``Heading 1`` .. ``Heading 9`` whatever the language of Word that wrote it - the style id is
localised, e.g. ``Rubrik1`` or ``Overskrift1``, the outline level is not - or ``Title``), a list
item (numbering in the paragraph or its style, or a list style), or running text. Each body
row of a table is a ``row`` block; the first row is the table's header unless the table has
only one row. Blocks are joined by blank lines; a row's text is its cells joined by `` | ``.
A table nested in a cell is part of the cell's text: its rows joined by `` / ``, its cells by
`` | ``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from coder.corpus.readers import BlockText, SourceText, Unreadable
from coder.corpus.structure import Block
from coder.i18n import _

# Style names and ids of headings: English (Word's internal names), Swedish, Danish,
# Norwegian, German, French, Dutch, Finnish; a digit after them is the level.
_HEADING = re.compile(
    r"^(?:heading|rubrik|overskrift|überschrift|titre|kop|otsikko)"
    r"\s*([1-9])$",
    re.IGNORECASE,
)
_TITLE = re.compile(r"^(?:title|titel|tittel|titre|otsikko)$", re.IGNORECASE)
# List styles: "List Paragraph", "List Bullet 2", "Liststycke", "Listeafsnit", "Listenabsatz",
# "Punktliste", "Opstilling-punkttegn" ...; a trailing digit is the nesting level.
_LIST_STYLE = re.compile(
    r"^(?:list(?!e?\s*continue)|liste|liststycke|listeafsnit|listenabsatz|punkt|opstilling)"
    r"[^0-9]*?([1-9])?$",
    re.IGNORECASE,
)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TITLE_LEVEL = 0  # a Title ranks above Heading 1


def read_docx(path: Path) -> SourceText:
    import docx  # python-docx; imported here because it is slow to load
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises zipfile, KeyError, lxml errors...
        raise Unreadable(
            _("not a readable DOCX file ({error}: {reason})").format(
                error=type(exc).__name__, reason=exc
            )
        ) from None
    out = BlockText()
    try:
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                _add_table(out, item)
            else:
                _add_paragraph(out, item)
    except (KeyError, ValueError, AttributeError, IndexError) as exc:
        # a damaged part: a style or numbering that is referred to but missing or malformed
        raise Unreadable(
            _("damaged DOCX ({error}: {reason})").format(error=type(exc).__name__, reason=exc)
        ) from None
    if not out.parts:
        raise Unreadable(_("empty (no text in the DOCX)"))
    meta = {}
    title = document.core_properties.title
    if title:
        meta["title"] = title
    return SourceText(out.text, "docx", meta=meta, blocks=_ranked_headings(out))


def _add_paragraph(out: BlockText, paragraph: Any) -> None:
    text = paragraph.text
    if not text.strip():
        return
    styles = list(_style_chain(paragraph.style))
    heading = _heading_level(paragraph._p, styles)
    if heading is not None:
        # A heading is one line: line breaks inside it are only layout.
        out.add("heading", " ".join(text.split()), level=heading)
        return
    item = _item_level(paragraph._p, styles)
    if item is not None:
        out.add("item", text, level=item)
    else:
        out.add("paragraph", text)


def _style_chain(style: Any) -> Any:
    """The paragraph's style and the styles it is based on (bounded: a loop ends it)."""
    seen = 0
    while style is not None and seen < 20:
        yield style
        style = style.base_style
        seen += 1


def _heading_level(p: Any, styles: list[Any]) -> int | None:
    for style in styles:
        for name in (style.name or "", style.style_id or ""):
            if _TITLE.match(name.strip()):
                return _TITLE_LEVEL
            match = _HEADING.match(name.strip())
            if match:
                return int(match.group(1))
    # A style of another language or a custom one: its outline level says it is a heading
    # (0 = level 1; 9 = body text).
    for element in [p, *(s.element for s in styles)]:
        value = _ppr_value(element, "outlineLvl")
        if value is not None and value.isdigit() and int(value) < 9:
            return int(value) + 1
    return None


def _item_level(p: Any, styles: list[Any]) -> int | None:
    """Nesting level (1 = top) of a list paragraph, None when the paragraph is no list item."""
    for element in [p, *(s.element for s in styles)]:
        num_pr = _ppr_child(element, "numPr")
        if num_pr is None:
            continue
        num_id = num_pr.find(f"{_W}numId")
        if num_id is not None and num_id.get(f"{_W}val") == "0":
            return None  # numbering switched off for this paragraph
        ilvl = num_pr.find(f"{_W}ilvl")
        value = ilvl.get(f"{_W}val") if ilvl is not None else None
        if value is not None and value.isdigit():
            return min(int(value) + 1, 9)
        return _list_style_level(styles) or 1  # "List Bullet 2": the level is in the name
    return _list_style_level(styles)


def _list_style_level(styles: list[Any]) -> int | None:
    for style in styles:
        match = _LIST_STYLE.match((style.name or "").strip())
        if match:
            return int(match.group(1) or 1)
    return None


def _ppr_child(element: Any, tag: str) -> Any:
    ppr = element.find(f"{_W}pPr")
    return None if ppr is None else ppr.find(f"{_W}{tag}")


def _ppr_value(element: Any, tag: str) -> str | None:
    child = _ppr_child(element, tag)
    return None if child is None else child.get(f"{_W}val")


def _add_table(out: BlockText, table: Any) -> None:
    rows = [_row_cells(row) for row in table.rows]
    rows = [row for row in rows if any(text for _column, text in row)]
    if not rows:
        return
    header_by_column: dict[int, str] = {}
    if len(rows) > 1:
        header_row, rows = rows[0], rows[1:]
        header_by_column = dict(header_row)
        out.add(None, _line(header_row))  # in the text, but no block: it is no passage
    for row in rows:
        cells = tuple(text for _column, text in row)
        header = tuple(header_by_column.get(column, "") for column, _text in row)
        out.add("row", _line(row), cells=cells, header=header if any(header) else ())


def _row_cells(row: Any) -> list[tuple[int, str]]:
    """(layout-grid column, text) of each cell of a row; a cell spanning columns counts once."""
    cells: list[tuple[int, str]] = []
    column = row.grid_cols_before
    previous = None
    for cell in row.cells:
        if cell._tc is not previous:
            cells.append((column, " ".join(_cell_text(cell, 0).split())))
            previous = cell._tc
        column += 1
    return cells


def _cell_text(cell: Any, depth: int) -> str:
    """A cell's paragraphs and the tables nested in it, in order: a nested table's rows are
    joined by `` / ``, its cells by `` | ``."""
    if depth > 8:  # nested deeper than any real form: the text of everything in the cell
        return " ".join(t.text or "" for t in cell._tc.iter(f"{_W}t"))
    from docx.table import Table

    texts = []
    for item in cell.iter_inner_content():
        if isinstance(item, Table):
            rows = [[_cell_text(c, depth + 1) for c in _unique(r.cells)] for r in item.rows]
            texts.append(" / ".join(" | ".join(c for c in r if c.strip()) for r in rows))
        else:
            texts.append(item.text)
    return " ".join(t for t in texts if t.strip())


def _unique(cells: Any) -> list[Any]:
    """The cells of a row, a cell spanning columns once."""
    out: list[Any] = []
    for cell in cells:
        if not out or cell._tc is not out[-1]._tc:
            out.append(cell)
    return out


def _line(row: list[tuple[int, str]]) -> str:
    return " | ".join(text for _column, text in row if text)


def _ranked_headings(out: BlockText) -> list[Block]:
    """Heading levels as ranks: the top heading level used in the document is 1, the next
    2, ...; a Title stays above them, at 0, so that ``--case-from heading`` starts a case
    at each Heading 1 of a compilation that opens with its title."""
    used = sorted({b.level for b in out.blocks if b.kind == "heading"} - {_TITLE_LEVEL})
    rank = {_TITLE_LEVEL: 0} | {level: i + 1 for i, level in enumerate(used)}
    return [replace(b, level=rank[b.level]) if b.kind == "heading" else b for b in out.blocks]
