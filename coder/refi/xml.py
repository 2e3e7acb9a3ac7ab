"""QDA-XML helpers: namespaces, stable GUIDs, the ``[coder {...}]`` tag, reading and writing."""

from __future__ import annotations

import json
import re
import uuid
import xml.etree.ElementTree as ET
from typing import Any

import defusedxml
import defusedxml.ElementTree as SafeET

from coder.errors import CoderError
from coder.i18n import _

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
# Every GUID coder writes is uuid5 in this namespace of names that say what the object is
# (code:CODEBOOK:QUESTION:CODE, segment:PROJECT-UUID:ID, ...), so exports are stable.
GUID_NAMESPACE = uuid.UUID("0c0de7e1-5e9a-4d1b-8f0a-52ef1a9da000")
_TAG = re.compile(r"\s*\[coder (\{.*\})\]\s*$", re.DOTALL)
_RGB = re.compile(r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")


def guid(*parts: object) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, ":".join(str(p) for p in parts)))


def norm_guid(value: str | None) -> str:
    """A GUID as compared: without spaces and braces, in lower case ("{ABC-1}" is "abc-1");
    "" when there is none."""
    return (value or "").strip().strip("{}").strip().lower()


def is_rgb(value: str | None) -> bool:
    return bool(value and _RGB.match(value))


def with_tag(text: str, tag: dict[str, Any]) -> str:
    """Description text followed by coder's own fields on a last line."""
    fields = {k: v for k, v in tag.items() if v not in (None, "", [], ())}
    line = f"[coder {json.dumps(fields, ensure_ascii=False, sort_keys=True)}]"
    return f"{text}\n\n{line}" if text else line


def split_tag(text: str | None) -> tuple[str, dict[str, Any]]:
    """(description without the tag, the tag's fields) — ({} when there is no tag)."""
    if not text:
        return "", {}
    match = _TAG.search(text)
    if not match:
        return text.strip(), {}
    try:
        fields = json.loads(match.group(1))
    except json.JSONDecodeError:
        return text.strip(), {}
    return text[: match.start()].strip(), fields if isinstance(fields, dict) else {}


def root_element(name: str, ns: str, /, **attrs: object) -> ET.Element:
    """A document's root, declaring ``ns`` as the default namespace of every element in it.

    Elements below are made with plain names (``sub``): ElementTree's own namespace
    handling refuses the unqualified attributes QDA-XML uses next to a default namespace."""
    return ET.Element(name, {"xmlns": ns, **{k: str(v) for k, v in attrs.items() if v is not None}})


def sub(parent: ET.Element, name: str, /, **attrs: object) -> ET.Element:
    """A child element; attributes that are None are left out."""
    return ET.SubElement(parent, name, {k: str(v) for k, v in attrs.items() if v is not None})


def text_child(parent: ET.Element, name: str, text: str | None) -> None:
    if text:
        sub(parent, name).text = text


def serialise(root: ET.Element) -> bytes:
    """UTF-8 without a BOM, with an XML declaration."""
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def local(tag: str) -> str:
    """An element's name without its namespace (REFI files come in 1.0 and 0:4 namespaces)."""
    return tag.rsplit("}", 1)[-1]


def children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if local(child.tag) == name]


def child(element: ET.Element, name: str) -> ET.Element | None:
    found = children(element, name)
    return found[0] if found else None


def child_text(element: ET.Element, name: str) -> str | None:
    found = child(element, name)
    return found.text if found is not None else None


def parse(data: bytes, source: str) -> ET.Element:
    """Parse QDA-XML bytes; a malformed file is a one-line error naming file and line.

    Parsed with defusedxml, whatever the expat version: entity declarations (a "billion
    laughs" file) and external references are refused, never expanded or fetched."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except ET.ParseError as exc:
        line = exc.position[0]
        raise CoderError(
            _("{where}: not well-formed XML ({reason})").format(
                where=f"{source}:{line}", reason=exc
            )
        ) from None
    except defusedxml.EntitiesForbidden as exc:
        raise CoderError(
            _(
                "{file}: refused: the XML declares entities (&{name};), which QDA-XML never "
                "needs and coder does not expand"
            ).format(file=source, name=exc.name)
        ) from None
    except defusedxml.DefusedXmlException as exc:
        raise CoderError(_("{file}: refused: {reason}").format(file=source, reason=exc)) from None
