"""Where each field of a YAML file was written, and one-line errors that say so.

A codebook error names the file, the line and the field, e.g.
``codebooks/x.yaml:12: questions[0].codes[1].label: missing``. The field is a path of
mapping keys and list indexes; :func:`index_lines` maps every such path to its line while
the composed YAML is still at hand, and :class:`FieldReader` reads typed values out of the
plain data, failing with the line of the nearest path it knows.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from coder.errors import CodebookError, where
from coder.i18n import _

FieldPath = tuple[Any, ...]  # mapping keys and list indexes from the top of the file
Lines = dict[FieldPath, int]  # 1-based line of each field path

SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def index_lines(
    node: yaml.Node | None, path: FieldPath, lines: Lines, src: str, walked: set[int]
) -> None:
    """Record the line of every mapping key and sequence item; reject duplicate keys.

    Each node is walked once: a value reached again through an alias only gets its own
    line (problems inside it are reported there), so aliases cannot multiply the work."""
    if node is None:
        return
    lines.setdefault(path, node.start_mark.line + 1)
    if id(node) in walked:
        return
    walked.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                raise CodebookError(
                    _("{where}: {field}: duplicate key (first given on line {line})").format(
                        where=where(src, line), field=dotted(path + (key,)), line=seen[key]
                    )
                )
            seen[key] = line
            lines[path + (key,)] = line
            index_lines(value_node, path + (key,), lines, src, walked)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            index_lines(item, path + (i,), lines, src, walked)


def dotted(path: FieldPath) -> str:
    """A field path as a user reads it: ``questions[0].codes[1].label``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or _("(top level)")


class FieldReader:
    """Reads mappings, text and ids out of loaded YAML data; every refusal is a
    ``CodebookError`` naming the file, the line and the field."""

    def __init__(self, source_name: str, lines: Lines):
        self.src = source_name
        self.lines = lines

    def fail(self, path: FieldPath, message: str) -> CodebookError:
        """The error to raise for ``path``, at the line of the nearest field that has one
        (a missing field is reported at the mapping that lacks it)."""
        probe = path
        while probe and probe not in self.lines:
            probe = probe[:-1]
        line = self.lines.get(probe)
        return CodebookError(f"{where(self.src, line)}: {dotted(path)}: {message}")

    def mapping(self, value: Any, path: FieldPath, allowed: set[str]) -> dict[Any, Any]:
        if not isinstance(value, dict):
            raise self.fail(
                path, _("expected a mapping of fields, got {kind}").format(kind=kind(value))
            )
        for key in value:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                raise self.fail(
                    path + (key,), _("unknown field (known fields: {known})").format(known=hint)
                )
        return value

    def text(self, data: dict[Any, Any], key: str, path: FieldPath, required: bool = False) -> str:
        """The stripped text of ``data[key]`` ("" when absent and not required); numbers
        count as text (``id: 2024``), true/false and lists do not."""
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(path + (key,), _("missing") if value is None else _("is empty"))
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(path + (key,), _("expected text, got {kind}").format(kind=kind(value)))
        return str(value).strip()

    def ident(self, data: dict[Any, Any], path: FieldPath) -> str:
        value = self.text(data, "id", path, required=True)
        if not SLUG.match(value):
            raise self.fail(
                path + ("id",),
                _(
                    "'{value}' is not a valid id (letters, digits, '-', '_' or '.', no spaces)"
                ).format(value=value),
            )
        return value


def kind(value: Any) -> str:
    """What a value is, in the words of the YAML a user wrote."""
    if value is None:
        return _("nothing")
    kinds = {dict: _("a mapping"), list: _("a list"), str: _("text"), bool: _("true/false")}
    return kinds.get(type(value), type(value).__name__)
