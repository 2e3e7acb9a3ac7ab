"""Codebooks in REFI-QDA: coder's questions and codes as a QDA-XML code tree, and back.

Export: each question is a non-codable folder code named by its title, holding the
question's codes (a code's ``parent`` nests it under that code). A code's Description
holds its definition, ``Include:``/``Exclude:``/``Example:`` lines and a ``[coder {...}]``
tag with its id and hotkey; the folder's tag holds the question's id and mode.

Import: folders tagged by coder become their questions again. From other programs, each
top-level non-codable code with children becomes a ``multi`` question, and every other
top-level code (with the codes under it) goes into one ``multi`` question ``codes``;
empty non-codable folders are left out. Ids come from the tag, else from the name. A code
another program named "N/A" is kept as the code "N/A (code)": the name is coder's answer
"not applicable", which is no code.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from coder import __version__
from coder.errors import CodebookError, CoderError
from coder.i18n import _
from coder.model.codebook import NOT_APPLICABLE, Code, Codebook, parse_codebook
from coder.refi.xml import (
    CODEBOOK_NS,
    child_text,
    children,
    guid,
    is_rgb,
    local,
    norm_guid,
    parse,
    root_element,
    serialise,
    split_tag,
    sub,
    text_child,
    with_tag,
)

_LINE_FIELDS = (("Include: ", "include"), ("Exclude: ", "exclude"))
_EXAMPLE = "Example: "


def question_guid(codebook: Codebook, question_id: str) -> str:
    return guid("question", codebook.id, question_id)


def code_guid(codebook: Codebook, question_id: str, code_id: str) -> str:
    return guid("code", codebook.id, question_id, code_id)


def code_description(code: Code) -> str:
    lines = [code.definition] if code.definition else []
    for prefix, name in _LINE_FIELDS:
        if getattr(code, name):
            lines.append(prefix + " ".join(getattr(code, name).split()))
    lines += [_EXAMPLE + " ".join(example.split()) for example in code.examples]
    return with_tag("\n\n".join(lines), {"id": code.id, "hotkey": code.hotkey})


def add_codes(parent: ET.Element, codebook: Codebook) -> None:
    """The codebook as a tree of Code elements under ``parent`` (a Codes element)."""
    for question in codebook.questions:
        folder = sub(
            parent,
            "Code",
            guid=question_guid(codebook, question.id),
            name=question.title,
            isCodable="false",
        )
        text_child(
            folder,
            "Description",
            with_tag(question.description, {"question": question.id, "mode": question.mode}),
        )
        elements: dict[str, ET.Element] = {}
        pending = list(question.codes)
        while pending:  # parents before children, codebook order otherwise
            code = next(c for c in pending if c.parent is None or c.parent in elements)
            pending.remove(code)
            element = sub(
                elements[code.parent] if code.parent else folder,
                "Code",
                guid=code_guid(codebook, question.id, code.id),
                name=code.label,
                isCodable="true",
                color=code.color if is_rgb(code.color) else None,
            )
            # the Description comes first: nested Codes are added after it (schema order)
            text_child(element, "Description", code_description(code))
            elements[code.id] = element


def to_qdc(codebook: Codebook) -> bytes:
    root = root_element("CodeBook", CODEBOOK_NS, origin=f"coder {__version__}")
    add_codes(sub(root, "Codes"), codebook)
    return serialise(root)


# -- import ---------------------------------------------------------------------------------------


def slug(name: str, fallback: str = "code") -> str:
    """An id from a name: ASCII letters, digits and '-' (å, ä, ö become a, a, o)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    value = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()
    return value or fallback


@dataclass
class ImportedCodebook:
    data: dict  # the codebook as YAML-ready data
    guids: dict[str, tuple[str, str]] = field(default_factory=dict)  # GUID -> (question, code)
    left_out: list[str] = field(default_factory=list)  # names of empty folders


def _code_fields(
    element: ET.Element, question: dict, parent: str | None, out: ImportedCodebook
) -> None:
    description, tag = split_tag(child_text(element, "Description"))
    taken = {c["id"] for c in question["codes"]}
    code_id = str(tag.get("id") or slug(element.get("name") or ""))
    base, n = code_id, 2
    while code_id in taken:
        code_id, n = f"{base}-{n}", n + 1
    definition, fields, examples = [], {}, []
    for paragraph in re.split(r"\n\s*\n", description):
        paragraph = paragraph.strip()
        known = next((name for prefix, name in _LINE_FIELDS if paragraph.startswith(prefix)), None)
        if known:
            fields[known] = paragraph.split(": ", 1)[1]
        elif paragraph.startswith(_EXAMPLE):
            examples.append(paragraph[len(_EXAMPLE) :])
        elif paragraph:
            definition.append(paragraph)
    label = (element.get("name") or code_id).strip() or code_id
    if label.casefold() == NOT_APPLICABLE:
        label = f"{label} (code)"
    code = {
        "id": code_id,
        "label": label,
        "definition": "\n\n".join(definition),
        **fields,
        "examples": examples,
        "parent": parent,
        "hotkey": tag.get("hotkey"),
        "color": element.get("color") if is_rgb(element.get("color")) else None,
    }
    question["codes"].append({k: v for k, v in code.items() if v not in (None, "", [])})
    if norm_guid(element.get("guid")):
        out.guids[norm_guid(element.get("guid"))] = (question["id"], code_id)
    for nested in children(element, "Code"):
        _code_fields(nested, question, code_id, out)


def unique_guids(
    elements: Iterable[ET.Element],
    name: str,
    kind: str,
    same: Callable[[ET.Element, ET.Element], bool] | None = None,
) -> dict[str, ET.Element]:
    """The ``name`` elements among ``elements`` by normalised GUID (see ``norm_guid``).

    Two elements whose GUIDs are the same once case and braces are ignored are refused
    with a ``CoderError`` naming both: references to that GUID could mean either, so
    matching them would silently move codings to the wrong code or coder. ``same(a, b)``
    may accept a repeated element as the same object (the first is kept)."""
    found: dict[str, ET.Element] = {}
    for element in elements:
        if local(element.tag) != name:
            continue
        key = norm_guid(element.get("guid"))
        if not key:
            continue
        first = found.get(key)
        if first is None:
            found[key] = element
        elif same is None or not same(first, element):
            raise CoderError(
                _(
                    "two {kind} have the same GUID {guid} once case and braces are ignored "
                    "({first} and {second}); refusing to guess which one a reference means: "
                    "give them different GUIDs"
                ).format(kind=kind, guid=key, first=_describe(first), second=_describe(element))
            )
    return found


def _describe(element: ET.Element) -> str:
    label = element.get("name") or element.get("id") or ""
    return f"'{label}' ({element.get('guid')})" if label else f"'{element.get('guid')}'"


def codebook_from_codes(
    codes: ET.Element | None, *, codebook_id: str, title: str, language: str
) -> ImportedCodebook:
    """Build codebook data from a QDA-XML Codes element (see the module docstring)."""
    out = ImportedCodebook(
        {"id": codebook_id, "title": title, "language": language, "questions": []}
    )
    if codes is not None:
        unique_guids(codes.iter(), "Code", _("codes"))
    questions = out.data["questions"]
    loose: dict = {"id": "codes", "title": "Codes", "mode": "multi", "codes": []}
    for top in children(codes, "Code") if codes is not None else []:
        description, tag = split_tag(child_text(top, "Description"))
        nested = children(top, "Code")
        folder = top.get("isCodable", "true").strip().lower() in ("false", "0")
        if "question" in tag or (folder and nested):
            question: dict[str, Any] = {
                "id": str(tag.get("question") or slug(top.get("name") or "", "question")),
                "title": (top.get("name") or "").strip() or "Codes",
                "mode": tag.get("mode") if tag.get("mode") in ("single", "multi") else "multi",
                "description": description,
                "codes": [],
            }
            if not question["description"]:
                del question["description"]
            ids = {q["id"] for q in questions}
            base, n = question["id"], 2
            while question["id"] in ids:
                question["id"], n = f"{base}-{n}", n + 1
            for element in nested:
                _code_fields(element, question, None, out)
            if question["codes"]:
                questions.append(question)
            else:
                out.left_out.append(top.get("name") or "?")
        elif folder:
            out.left_out.append(top.get("name") or "?")
        else:
            _code_fields(top, loose, None, out)
    if loose["codes"]:
        while loose["id"] in {q["id"] for q in questions}:
            loose["id"] += "-other"
        questions.append(loose)
    return out


def codebook_yaml(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def from_qdc(
    path: Path, *, codebook_id: str | None = None, title: str | None = None, language: str = "xx"
) -> tuple[Codebook, ImportedCodebook]:
    """Read a .qdc file (either namespace) into a validated codebook."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CoderError(
            _("{file}: cannot read ({reason})").format(file=path, reason=exc.strerror or exc)
        ) from None
    root = parse(raw, str(path))
    if local(root.tag) != "CodeBook":
        raise CoderError(
            _("{file}: not a REFI-QDA codebook (root element is <{element}>)").format(
                file=path, element=local(root.tag)
            )
        )
    codes = next((c for c in root if local(c.tag) == "Codes"), None)
    try:
        imported = codebook_from_codes(
            codes,
            codebook_id=codebook_id or slug(path.stem, "codebook"),
            title=title or path.stem,
            language=language,
        )
    except CoderError as exc:
        raise CoderError(f"{path}: {exc}") from None
    if not imported.data["questions"]:
        raise CoderError(_("{file}: the codebook has no codable codes").format(file=path))
    try:
        codebook = parse_codebook(codebook_yaml(imported.data), source_name=str(path))
    except CodebookError as exc:
        raise CoderError(
            _("{file}: cannot be used as a codebook: {reason}").format(file=path, reason=exc)
        ) from None
    return codebook, imported
