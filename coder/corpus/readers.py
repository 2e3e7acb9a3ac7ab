"""Reading documents (TXT, Markdown, DOCX, PDF) into plain text.

A file that cannot be read raises ``Unreadable`` with a short reason; the
importer skips it and lists the reason in its summary. Text always comes back
with LF line ends and no byte-order mark, so character offsets are stable.
DOCX and PDF come with their structure too (``SourceText.blocks``: headings,
paragraphs, list items, table rows; ``coder.corpus.docx_reader``,
``coder.corpus.pdf_reader``); Markdown and plain text are parsed when segmented.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coder.corpus.structure import Block, BlockKind
from coder.i18n import _
from coder.model import safe_yaml

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
DOCUMENT_SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf"}
TABLE_SUFFIXES = {".csv", ".tsv", ".xlsx"}
# Files that describe a folder rather than belong to it as a report.
NOTE_NAMES = re.compile(r"^(readme|license|licence|changelog|notice)(\..*)?$", re.IGNORECASE)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class Unreadable(Exception):
    """The file cannot be imported; ``str(exc)`` says why in a few words."""


@dataclass
class SourceText:
    text: str
    fmt: str
    encoding: str | None = None
    case: str | None = None  # from front matter, overrides --case-from
    attributes: dict[str, Any] = field(default_factory=dict)  # case attributes
    meta: dict[str, Any] = field(default_factory=dict)  # document metadata
    # The structure a reader knows from the file (DOCX styles, PDF fonts), offsets into
    # ``text``; None: read it from the text (Markdown, plain text).
    blocks: list[Block] | None = None


def decode_text(raw: bytes) -> tuple[str, str]:
    """Decode bytes of text as UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252.

    UTF-8 is tried strictly first: text in another 8-bit encoding with å, ä or ö
    almost never forms valid UTF-8, so there is no guessing between the two.
    Bytes that are not text at all raise ``Unreadable``.
    """
    if raw.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8-sig", raw[len(codecs.BOM_UTF8) :]
        try:
            return _clean(body.decode("utf-8")), encoding
        except UnicodeDecodeError as exc:
            raise Unreadable(
                _("starts as UTF-8 but byte {n} is not UTF-8").format(n=exc.start + 3)
            ) from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _clean(raw.decode("utf-16")), "utf-16"
        except UnicodeDecodeError:
            raise Unreadable(_("starts as UTF-16 but is not valid UTF-16")) from None
    if b"\x00" in raw:
        raise Unreadable(_("binary data, not text"))
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            text, encoding = raw.decode("latin-1"), "latin-1"
    text = _clean(text)
    if len(_CONTROL.findall(text)) > max(2, len(text) // 100):
        raise Unreadable(_("binary data, not text"))
    return text, encoding


def _clean(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split YAML front matter (between ``---`` lines at the very top) from the body.

    Returns the metadata and the body; offsets of segments refer to the body.
    """
    if not text.startswith("---\n"):
        return {}, text
    end = re.search(r"^(---|\.\.\.)[ \t]*$\n?", text[4:], flags=re.MULTILINE)
    if end is None:
        return {}, text
    block = text[4 : 4 + end.start()]
    try:
        _node, meta = safe_yaml.load(block)  # the codebooks' loader: aliases, nesting bounded
    except safe_yaml.YamlError as exc:
        where = (
            _("front matter line {line}").format(line=exc.line + 1)
            if exc.line
            else _("front matter")
        )
        raise Unreadable(f"{where}: {exc.message}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise Unreadable(_("front matter is not a mapping of keys and values"))
    return meta, text[4 + end.end() :]


def read_document(path: Path) -> SourceText:
    suffix = path.suffix.lower()
    try:
        if suffix == ".docx":
            return _read_docx(path)
        if suffix == ".pdf":
            return _read_pdf(path)
        raw = path.read_bytes()
    except Unreadable:
        raise
    except OSError as exc:
        raise Unreadable(_("cannot read ({reason})").format(reason=exc.strerror)) from None
    text, encoding = decode_text(raw)
    meta, body = split_front_matter(text)
    source = SourceText(body, "md" if suffix in (".md", ".markdown") else "txt", encoding)
    _apply_front_matter(source, meta)
    if not source.text.strip():
        raise Unreadable(_("empty (no text)"))
    return source


def _apply_front_matter(source: SourceText, meta: dict[str, Any]) -> None:
    meta = dict(meta)
    case = meta.pop("case", None)
    if case is not None:
        source.case = str(case).strip() or None
    attributes = meta.pop("attributes", None) or {}
    if not isinstance(attributes, dict):
        raise Unreadable(_("front matter 'attributes' must be a mapping"))
    source.attributes = {str(k): _plain(v) for k, v in attributes.items()}
    source.meta = {str(k): _plain(v) for k, v in meta.items()}


def _plain(value: Any) -> Any:
    """Keep JSON-friendly values (dates from YAML become ISO strings; booleans the text
    ``true``/``false``, as ``--attribute aktiv=true`` gives them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float) or value is None:
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


class BlockText:
    """A document's text built block by block, joined by blank lines, with each block's offsets.

    The DOCX and PDF readers add their pieces in reading order; ``add`` with ``kind=None``
    puts text in the document without a block (a table's header row).
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.blocks: list[Block] = []
        self._length = 0

    def add(
        self,
        kind: BlockKind | None,
        source: str,
        level: int = 0,
        cells: tuple[str, ...] = (),
        header: tuple[str, ...] = (),
    ) -> None:
        # A blank line inside a block would read as the end of it: keep single line breaks.
        source = _BLANK_LINES.sub("\n", _CONTROL.sub("", _clean(source))).strip()
        if not source:
            return
        if self.parts:
            self._length += 2
        start = self._length
        self.parts.append(source)
        self._length += len(source)
        if kind is not None:
            self.blocks.append(Block(kind, start, self._length, level, cells, header))

    @property
    def text(self) -> str:
        return "\n\n".join(self.parts)


_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")


def _read_docx(path: Path) -> SourceText:
    from coder.corpus.docx_reader import read_docx

    return read_docx(path)


def _read_pdf(path: Path) -> SourceText:
    from coder.corpus.pdf_reader import read_pdf

    return read_pdf(path)


def read_table(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV/TSV/XLSX file as dicts of strings (cells never turned into numbers)."""
    import pandas as pd

    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        else:
            text, _encoding = decode_text(path.read_bytes())
            if not text.strip():
                raise Unreadable(_("empty (no rows)"))
            sep = "\t" if suffix == ".tsv" else _sniff_separator(text)
            frame = pd.read_csv(
                io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, engine="c"
            )
    except Unreadable:
        raise
    except Exception as exc:  # noqa: BLE001 - pandas/openpyxl raise many kinds for damaged files
        raise Unreadable(
            _("not a readable {format} table ({error}: {reason})").format(
                format=suffix[1:].upper(), error=type(exc).__name__, reason=exc
            )
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.to_dict(orient="records")


def _sniff_separator(text: str) -> str:
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","
