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
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from coder.errors import CodebookError, where
from coder.model import safe_yaml

MODES = ("single", "multi")
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_LANG = re.compile(r"^[a-z]{2,3}$")
_RESERVED_HOTKEYS = set("jknhl[] uqmfcoa/?0")  # navigation and commands in the coding screen
# The answer "this question does not apply to the passage": stored as this code id in the
# coding log and the suggestions, never a code of the codebook (a code may not be named so),
# never counted in a tally. TUI key 0; `n/a` (any case) in a --code-column cell.
NOT_APPLICABLE = "n/a"
_NOT_A_CODE = "'n/a' (not applicable) is an answer to every question, not a code to change"

_TOP_FIELDS = {
    "id",
    "title",
    "language",
    "questions",
    "description",
    "version",
    "pipeline",
    "changes",
}
_CHANGE_FIELDS = {"question", "merge", "into", "retire"}
_QUESTION_FIELDS = {"id", "title", "mode", "codes", "description"}
_CODE_FIELDS = {
    "id",
    "label",
    "definition",
    "include",
    "exclude",
    "examples",
    "parent",
    "hotkey",
    "color",
}


@dataclass(frozen=True)
class Code:
    id: str
    label: str
    definition: str = ""
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    parent: str | None = None
    hotkey: str | None = None
    color: str | None = None


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    mode: str
    codes: tuple[Code, ...]
    description: str = ""

    def code(self, code_id: str) -> Code:
        for code in self.codes:
            if code.id == code_id:
                return code
        raise KeyError(code_id)

    def resolve(self, value: str) -> Code | None:
        """Find a code by id, or by label (case-insensitive), as users write them in sheets."""
        value = value.strip()
        for code in self.codes:
            if code.id == value:
                return code
        folded = value.casefold()
        for code in self.codes:
            if code.label.casefold() == folded or code.id.casefold() == folded:
                return code
        return None


@dataclass(frozen=True)
class Change:
    """A declared codebook change, applied to codings by ``coder codebook update``:
    ``merge`` the codes ``codes`` into ``into``, or ``retire`` the one code in ``codes``."""

    question: str
    kind: str  # "merge" | "retire"
    codes: tuple[str, ...]
    into: str | None = None


@dataclass(frozen=True)
class Codebook:
    id: str
    title: str
    language: str
    questions: tuple[Question, ...]
    description: str = ""
    pipeline: str | None = None
    changes: tuple[Change, ...] = ()
    source: str = field(default="", compare=False, repr=False)  # the YAML text it came from

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        known = ", ".join(q.id for q in self.questions)
        raise CodebookError(f"unknown question '{question_id}' (codebook has: {known})")

    @property
    def digest(self) -> str:
        """A short fingerprint of the codebook's content, used as its version tag."""
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()[:12]


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook file; raise ``CodebookError`` naming file, line and field."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CodebookError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CodebookError(f"{path}: is a folder, not a codebook file") from None
    except OSError as exc:
        raise CodebookError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CodebookError(
            f"{where(path, line)}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
            "save the codebook as UTF-8"
        ) from None
    return parse_codebook(text, source_name=str(path))


def parse_codebook(text: str, source_name: str = "<codebook>") -> Codebook:
    """Validate codebook YAML text (safe loading only) and build a ``Codebook``."""
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise CodebookError(f"{source_name}: empty codebook (no YAML content)")
    try:
        node, data = safe_yaml.load(text)
    except safe_yaml.YamlError as exc:
        raise CodebookError(f"{where(source_name, exc.line)}: {exc.message}") from None
    lines: dict[tuple, int] = {}
    _index_lines(node, (), lines, source_name, set())
    return _Validator(source_name, lines).codebook(data, text)


def _index_lines(
    node: yaml.Node | None, path: tuple, lines: dict[tuple, int], src: str, walked: set[int]
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
                    f"{where(src, line)}: {_dotted(path + (key,))}: duplicate key "
                    f"(first given on line {seen[key]})"
                )
            seen[key] = line
            lines[path + (key,)] = line
            _index_lines(value_node, path + (key,), lines, src, walked)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            _index_lines(item, path + (i,), lines, src, walked)


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


class _Validator:
    def __init__(self, source_name: str, lines: dict[tuple, int]):
        self.src = source_name
        self.lines = lines

    def fail(self, path: tuple, message: str) -> CodebookError:
        probe = path
        while probe and probe not in self.lines:
            probe = probe[:-1]
        line = self.lines.get(probe)
        return CodebookError(f"{where(self.src, line)}: {_dotted(path)}: {message}")

    def mapping(self, value: Any, path: tuple, allowed: set[str]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a mapping of fields, got {_kind(value)}")
        for key in value:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                raise self.fail(path + (key,), f"unknown field (known fields: {hint})")
        return value

    def text(self, data: dict, key: str, path: tuple, required: bool = False) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(path + (key,), "missing" if value is None else "is empty")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(path + (key,), f"expected text, got {_kind(value)}")
        return str(value).strip()

    def ident(self, data: dict, path: tuple) -> str:
        value = self.text(data, "id", path, required=True)
        if not _SLUG.match(value):
            raise self.fail(
                path + ("id",),
                f"'{value}' is not a valid id (letters, digits, '-', '_' or '.', no spaces)",
            )
        return value

    def codebook(self, data: Any, source: str) -> Codebook:
        top = self.mapping(data, (), _TOP_FIELDS)
        cb_id = self.ident(top, ())
        title = self.text(top, "title", (), required=True)
        language = self.text(top, "language", (), required=True).lower()
        if not (language == "xx" or _LANG.match(language)) or not _spacy_has_language(language):
            raise self.fail(
                ("language",),
                f"'{language}' is not a language spaCy knows "
                "(e.g. sv, da, en, or xx for multilingual)",
            )
        raw_questions = top.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            raise self.fail(("questions",), "needs a list with at least one question")
        questions = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(raw_questions):
            question = self.question(raw, ("questions", i))
            if question.id in seen:
                raise self.fail(
                    ("questions", i, "id"),
                    f"duplicate question id '{question.id}' (also questions[{seen[question.id]}])",
                )
            seen[question.id] = i
            questions.append(question)
        return Codebook(
            id=cb_id,
            title=title,
            language=language,
            questions=tuple(questions),
            description=self.text(top, "description", ()),
            pipeline=self.text(top, "pipeline", ()) or None,
            changes=self.changes(top.get("changes"), questions),
            source=source,
        )

    def changes(self, raw: Any, questions: list[Question]) -> tuple[Change, ...]:
        """``changes:`` entries: ``{question: Q, merge: [a, b], into: c}`` (or ``merge:
        "a, b -> c"``) and ``{question: Q, retire: x}``. Merged and retired codes must be
        gone from the question; the code merged into must be in it."""
        if raw is None:
            return ()
        if not isinstance(raw, list):
            raise self.fail(("changes",), "expected a list of changes")
        by_id = {q.id: q for q in questions}
        out = []
        for i, item in enumerate(raw):
            path = ("changes", i)
            data = self.mapping(item, path, _CHANGE_FIELDS)
            q_id = self.text(data, "question", path, required=True)
            if q_id not in by_id:
                raise self.fail(path + ("question",), f"unknown question '{q_id}'")
            codes = {c.id for c in by_id[q_id].codes}
            if ("merge" in data) == ("retire" in data):
                raise self.fail(path, "give either merge (with into) or retire")
            if "retire" in data:
                code = self.text(data, "retire", path, required=True)
                if code.casefold() == NOT_APPLICABLE:
                    raise self.fail(path + ("retire",), _NOT_A_CODE)
                if code in codes:
                    raise self.fail(
                        path + ("retire",), f"'{code}' is retired but still a code of '{q_id}'"
                    )
                out.append(Change(q_id, "retire", (code,)))
                continue
            merge, into = data.get("merge"), data.get("into")
            if isinstance(merge, str) and "->" in merge and into is None:
                merge, into = merge.split("->", 1)
                merge = [m.strip() for m in merge.split(",") if m.strip()]
                into = into.strip()
            if (
                not isinstance(merge, list)
                or not merge
                or not all(isinstance(m, str) and m.strip() for m in merge)
            ):
                raise self.fail(path + ("merge",), "expected a list of code ids (or 'a, b -> c')")
            if not isinstance(into, str) or not into.strip():
                raise self.fail(path + ("into",), "missing: the code the merged codes become")
            into = into.strip()
            if NOT_APPLICABLE in {m.strip().casefold() for m in merge} | {into.casefold()}:
                raise self.fail(
                    path + ("into" if into.casefold() == NOT_APPLICABLE else "merge",), _NOT_A_CODE
                )
            if into not in codes:
                raise self.fail(path + ("into",), f"'{into}' is not a code of '{q_id}'")
            for m in merge:
                if m.strip() != into and m.strip() in codes:
                    raise self.fail(
                        path + ("merge",), f"'{m.strip()}' is merged but still a code of '{q_id}'"
                    )
            out.append(Change(q_id, "merge", tuple(m.strip() for m in merge), into))
        return tuple(out)

    def question(self, raw: Any, path: tuple) -> Question:
        data = self.mapping(raw, path, _QUESTION_FIELDS)
        q_id = self.ident(data, path)
        title = self.text(data, "title", path, required=True)
        mode = self.text(data, "mode", path, required=True)
        if mode not in MODES:
            raise self.fail(path + ("mode",), f"unknown mode '{mode}' (expected single or multi)")
        raw_codes = data.get("codes")
        if not isinstance(raw_codes, list) or not raw_codes:
            raise self.fail(path + ("codes",), "needs a list with at least one code")
        codes: list[Code] = []
        ids: dict[str, int] = {}
        hotkeys: dict[str, str] = {}
        for i, raw_code in enumerate(raw_codes):
            code_path = path + ("codes", i)
            code = self.code(raw_code, code_path)
            if code.id in ids:
                raise self.fail(
                    code_path + ("id",),
                    f"duplicate code id '{code.id}' (also codes[{ids[code.id]}] of this question)",
                )
            ids[code.id] = i
            if code.hotkey:
                if code.hotkey in hotkeys:
                    raise self.fail(
                        code_path + ("hotkey",),
                        f"hotkey '{code.hotkey}' is already used by code '{hotkeys[code.hotkey]}'",
                    )
                hotkeys[code.hotkey] = code.id
            codes.append(code)
        for i, code in enumerate(codes):
            if code.parent is not None and code.parent not in ids:
                raise self.fail(
                    path + ("codes", i, "parent"), f"unknown parent code '{code.parent}'"
                )
        self.no_cycles(codes, path)
        return Question(
            id=q_id,
            title=title,
            mode=mode,
            codes=tuple(codes),
            description=self.text(data, "description", path),
        )

    def code(self, raw: Any, path: tuple) -> Code:
        data = self.mapping(raw, path, _CODE_FIELDS)
        for key in ("id", "label"):
            value = data.get(key)
            if isinstance(value, str) and value.strip().casefold() == NOT_APPLICABLE:
                raise self.fail(
                    path + (key,),
                    f"'{value.strip()}' is reserved for the answer 'not applicable' "
                    "(key 0 in the coding screen); name the code otherwise",
                )
        code_id = self.ident(data, path)
        label = self.text(data, "label", path, required=True)
        examples = data.get("examples") or []
        if isinstance(examples, str):
            examples = [examples]
        if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
            raise self.fail(path + ("examples",), "expected a list of example passages (text)")
        hotkey = self.text(data, "hotkey", path) or None
        if hotkey is not None:
            if len(hotkey) != 1:
                raise self.fail(path + ("hotkey",), f"'{hotkey}' must be a single character")
            if hotkey == "0":
                raise self.fail(
                    path + ("hotkey",),
                    "'0' is reserved for the answer 'not applicable' in the coding screen",
                )
            if hotkey in _RESERVED_HOTKEYS:
                raise self.fail(
                    path + ("hotkey",),
                    f"'{hotkey}' is reserved for navigation in the coding screen",
                )
        return Code(
            id=code_id,
            label=label,
            definition=self.text(data, "definition", path),
            include=self.text(data, "include", path),
            exclude=self.text(data, "exclude", path),
            examples=tuple(e.strip() for e in examples if e.strip()),
            parent=self.text(data, "parent", path) or None,
            hotkey=hotkey,
            color=self.text(data, "color", path) or None,
        )

    def no_cycles(self, codes: list[Code], path: tuple) -> None:
        parents = {c.id: c.parent for c in codes}
        for i, code in enumerate(codes):
            seen = {code.id}
            current = code.parent
            while current is not None:
                if current in seen:
                    raise self.fail(
                        path + ("codes", i, "parent"), f"parent chain of '{code.id}' loops"
                    )
                seen.add(current)
                current = parents.get(current)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def _spacy_has_language(lang: str) -> bool:
    """Whether spaCy ships a language class for ``lang``, without importing spaCy (slow)."""
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        return True  # cannot check here; segmentation will report it
    return any((Path(p) / "lang" / lang).is_dir() for p in spec.submodule_search_locations)
