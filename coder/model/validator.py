"""What a well-formed codebook is: the checks that turn loaded YAML data into a ``Codebook``.

Each check raises the first problem it finds as one ``CodebookError`` line naming the file,
the line and the field (see :mod:`coder.model.fields`), so a user fixes one thing at a time
in the order the file is written. The ``changes:`` section is checked in
:mod:`coder.model.changes`.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

from coder.i18n import _
from coder.model.changes import read_changes
from coder.model.entities import MODES, NOT_APPLICABLE, Code, Codebook, Question
from coder.model.fields import FieldPath, FieldReader, Lines
from coder.model.keymap import reserved_characters

_LANG = re.compile(r"^[a-z]{2,3}$")
# the coding screen's own keys (its one keymap), and space, which a YAML hotkey cannot mean
_RESERVED_HOTKEYS = reserved_characters() | {" "}

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


def validate(data: Any, source: str, source_name: str, lines: Lines) -> Codebook:
    """The ``Codebook`` in ``data`` (loaded from the YAML text ``source``); ``lines`` gives
    the line of each field for the error messages."""
    return _Validator(source_name, lines).codebook(data, source)


class _Validator(FieldReader):
    def codebook(self, data: Any, source: str) -> Codebook:
        top = self.mapping(data, (), _TOP_FIELDS)
        cb_id = self.ident(top, ())
        title = self.text(top, "title", (), required=True)
        language = self.text(top, "language", (), required=True).lower()
        if not (language == "xx" or _LANG.match(language)) or not _spacy_has_language(language):
            raise self.fail(
                ("language",),
                _(
                    "'{language}' is not a language spaCy knows "
                    "(e.g. sv, da, en, or xx for multilingual)"
                ).format(language=language),
            )
        raw_questions = top.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            raise self.fail(("questions",), _("needs a list with at least one question"))
        questions = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(raw_questions):
            question = self.question(raw, ("questions", i))
            if question.id in seen:
                raise self.fail(
                    ("questions", i, "id"),
                    _("duplicate question id '{id}' (also questions[{other}])").format(
                        id=question.id, other=seen[question.id]
                    ),
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
            changes=read_changes(self, top.get("changes"), questions),
            source=source,
        )

    def question(self, raw: Any, path: FieldPath) -> Question:
        data = self.mapping(raw, path, _QUESTION_FIELDS)
        q_id = self.ident(data, path)
        title = self.text(data, "title", path, required=True)
        mode = self.text(data, "mode", path, required=True)
        if mode not in MODES:
            raise self.fail(
                path + ("mode",),
                _("unknown mode '{mode}' (expected single or multi)").format(mode=mode),
            )
        raw_codes = data.get("codes")
        if not isinstance(raw_codes, list) or not raw_codes:
            raise self.fail(path + ("codes",), _("needs a list with at least one code"))
        codes: list[Code] = []
        ids: dict[str, int] = {}
        hotkeys: dict[str, str] = {}
        for i, raw_code in enumerate(raw_codes):
            code_path = path + ("codes", i)
            code = self.code(raw_code, code_path)
            if code.id in ids:
                raise self.fail(
                    code_path + ("id",),
                    _("duplicate code id '{id}' (also codes[{other}] of this question)").format(
                        id=code.id, other=ids[code.id]
                    ),
                )
            ids[code.id] = i
            if code.hotkey:
                if code.hotkey in hotkeys:
                    raise self.fail(
                        code_path + ("hotkey",),
                        _("hotkey '{key}' is already used by code '{code}'").format(
                            key=code.hotkey, code=hotkeys[code.hotkey]
                        ),
                    )
                hotkeys[code.hotkey] = code.id
            codes.append(code)
        for i, code in enumerate(codes):
            if code.parent is not None and code.parent not in ids:
                raise self.fail(
                    path + ("codes", i, "parent"),
                    _("unknown parent code '{code}'").format(code=code.parent),
                )
        self.no_cycles(codes, path)
        return Question(
            id=q_id,
            title=title,
            mode=mode,
            codes=tuple(codes),
            description=self.text(data, "description", path),
        )

    def code(self, raw: Any, path: FieldPath) -> Code:
        data = self.mapping(raw, path, _CODE_FIELDS)
        for key in ("id", "label"):
            value = data.get(key)
            if isinstance(value, str) and value.strip().casefold() == NOT_APPLICABLE:
                raise self.fail(
                    path + (key,),
                    _(
                        "'{value}' is reserved for the answer 'not applicable' "
                        "(key 0 in the coding screen); name the code otherwise"
                    ).format(value=value.strip()),
                )
        code_id = self.ident(data, path)
        label = self.text(data, "label", path, required=True)
        examples = data.get("examples") or []
        if isinstance(examples, str):
            examples = [examples]
        if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
            raise self.fail(path + ("examples",), _("expected a list of example passages (text)"))
        hotkey = self.hotkey(data, path)
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

    def hotkey(self, data: dict[Any, Any], path: FieldPath) -> str | None:
        """A code's key in the coding screen: one character the screen does not use itself."""
        hotkey = self.text(data, "hotkey", path) or None
        if hotkey is None:
            return None
        if len(hotkey) != 1:
            raise self.fail(
                path + ("hotkey",), _("'{key}' must be a single character").format(key=hotkey)
            )
        if hotkey == "0":
            raise self.fail(
                path + ("hotkey",),
                _("'0' is reserved for the answer 'not applicable' in the coding screen"),
            )
        if hotkey in _RESERVED_HOTKEYS:
            raise self.fail(
                path + ("hotkey",),
                _("'{key}' is reserved for navigation in the coding screen").format(key=hotkey),
            )
        return hotkey

    def no_cycles(self, codes: list[Code], path: FieldPath) -> None:
        parents = {c.id: c.parent for c in codes}
        for i, code in enumerate(codes):
            seen = {code.id}
            current = code.parent
            while current is not None:
                if current in seen:
                    raise self.fail(
                        path + ("codes", i, "parent"),
                        _("parent chain of '{code}' loops").format(code=code.id),
                    )
                seen.add(current)
                current = parents.get(current)


def _spacy_has_language(lang: str) -> bool:
    """Whether spaCy ships a language class for ``lang``, without importing spaCy (slow)."""
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        return True  # cannot check here; segmentation will report it
    return any((Path(p) / "lang" / lang).is_dir() for p in spec.submodule_search_locations)
