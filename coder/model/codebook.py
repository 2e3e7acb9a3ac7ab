"""Codebooks: questions and their codes, loaded from YAML and validated.

A codebook file looks like::

    id: ak6
    title: Arbetet med att analysera, följa upp och utvärdera
    language: sv
    questions:
      - id: arbetssatt
        title: Hur bedrivs arbetet?
        mode: single            # single | multi
        codes:
          - id: strategiskt-ramverk
            label: Strategiskt ramverk
            definition: ...
            include: ...        # optional
            exclude: ...        # optional
            examples: [...]     # optional
            parent: ...         # optional, id of another code in the question
            hotkey: s           # optional, one character

Errors name the file, the line (where known) and the field, e.g.
``codebooks/x.yaml:12: questions[0].codes[1].label: missing``.

This module reads the file; the values are in :mod:`coder.model.entities`, the checks in
:mod:`coder.model.validator` and :mod:`coder.model.changes`. It re-exports the values so
``from coder.model.codebook import Codebook`` keeps working.
"""

from __future__ import annotations

from pathlib import Path

from coder.errors import CodebookError, where
from coder.i18n import _
from coder.model import safe_yaml
from coder.model.entities import (
    CONSENSUS_CODER,
    MODES,
    NOT_APPLICABLE,
    Change,
    Code,
    Codebook,
    Question,
)
from coder.model.fields import Lines, index_lines
from coder.model.validator import validate

__all__ = [
    "CONSENSUS_CODER",
    "MODES",
    "NOT_APPLICABLE",
    "Change",
    "Code",
    "Codebook",
    "Question",
    "load_codebook",
    "parse_codebook",
]


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook file; raise ``CodebookError`` naming file, line and field."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CodebookError(_("{file}: no such file").format(file=path)) from None
    except IsADirectoryError:
        raise CodebookError(
            _("{file}: is a folder, not a codebook file").format(file=path)
        ) from None
    except OSError as exc:
        raise CodebookError(
            _("{file}: cannot read ({reason})").format(file=path, reason=exc.strerror)
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CodebookError(
            _("{where}: not UTF-8 text (byte 0x{byte:02x}); save the codebook as UTF-8").format(
                where=where(path, line), byte=raw[exc.start]
            )
        ) from None
    return parse_codebook(text, source_name=str(path))


def parse_codebook(text: str, source_name: str = "<codebook>") -> Codebook:
    """Validate codebook YAML text (safe loading only) and build a ``Codebook``."""
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise CodebookError(_("{file}: empty codebook (no YAML content)").format(file=source_name))
    try:
        node, data = safe_yaml.load(text)
    except safe_yaml.YamlError as exc:
        raise CodebookError(f"{where(source_name, exc.line)}: {exc.message}") from None
    lines: Lines = {}
    index_lines(node, (), lines, source_name, set())
    return validate(data, text, source_name, lines)
