"""A coder project as a REFI-QDA project file (.qdpx): a zip of ``project.qde`` and
``sources/`` with each document as LF-only UTF-8 text.

Every passage is a PlainTextSelection (code-point offsets, half-open) carrying one Coding
per current coding, its coder as a User; case attributes are Variables, cases list their
documents; memos are Notes referenced from their passage. The answer ``n/a`` (not
applicable) is no code of the codebook: it becomes a Note ``n/a`` referenced from the
passage, by its coder at its time, whose Description's ``[coder {...}]`` tag names the
code ``n/a`` and the question, so ``coder import-project`` makes it a coding again. GUIDs
are uuid5 of the project uuid and the object's id, so exporting the same project twice
gives the same GUIDs.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from coder import __version__
from coder.model.codebook import NOT_APPLICABLE, Codebook
from coder.refi.codebook import add_codes, code_guid
from coder.refi.xml import PROJECT_NS, guid, root_element, serialise, sub, text_child, with_tag
from coder.store import Store
from coder.store.exchange import Snapshot, snapshot


@dataclass
class ExportSummary:
    sources: int = 0
    selections: int = 0
    codings: int = 0
    notes: int = 0
    users: int = 0
    left_out: int = 0  # codings of codes no longer in the codebook
    not_applicable: int = 0  # n/a codings, written as Notes (not counted in ``notes``)


def lf_only(text: str) -> tuple[str, list[int] | None]:
    """The text with CRLF and CR turned into LF, and old offset -> new offset (None when
    the text had no CR)."""
    if "\r" not in text:
        return text, None
    shift, mapping = 0, []
    for i, ch in enumerate(text):
        mapping.append(i - shift)
        if ch == "\r" and text[i + 1 : i + 2] == "\n":
            shift += 1
    mapping.append(len(text) - shift)
    return text.replace("\r\n", "\n").replace("\r", "\n"), mapping


def variable_type(values: list) -> str:
    if all(isinstance(v, bool) for v in values):
        return "Boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "Integer"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "Float"
    return "Text"


def _value_text(kind: str, value: object) -> str:
    if kind == "Boolean":
        return "true" if value else "false"
    if kind == "Float" and isinstance(value, int | float):
        return format(Decimal(repr(float(value))), "f")  # xsd:decimal has no exponent
    return str(value)


def _excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _not_applicable_guid(pid: str, coding: Any) -> str:
    """The GUID of the Note for an ``n/a`` coding (a snapshot row)."""
    return guid("not-applicable", pid, coding.segment_id, coding.question_id, coding.coder)


@dataclass
class _Export:
    """One export: the project read at once, and its rows grouped by passage."""

    snap: Snapshot
    codebook: Codebook
    summary: ExportSummary = field(default_factory=ExportSummary)
    user_guid: dict[str, str] = field(default_factory=dict)
    segments_of: dict[int, list] = field(default_factory=dict)  # document id -> segments
    codings_of: dict[int, list] = field(default_factory=dict)  # segment id -> codings
    not_applicable_of: dict[int, list] = field(default_factory=dict)  # ... -> n/a codings
    memos_of: dict[int, list] = field(default_factory=dict)  # segment id -> memos
    texts: dict[str, str] = field(default_factory=dict)  # source GUID -> LF-only text

    @property
    def pid(self) -> str:
        return self.snap.project_uuid

    def group(self) -> None:
        snap, codebook = self.snap, self.codebook
        known = {(q.id, c.id) for q in codebook.questions for c in q.codes}
        questions = {q.id for q in codebook.questions}
        self.user_guid = {name: guid("user", self.pid, name) for name in snap.coders}
        for seg in snap.segments:
            self.segments_of.setdefault(seg.document_id, []).append(seg)
        for coding in snap.codings:
            if (coding.question_id, coding.code_id) in known:
                self.codings_of.setdefault(coding.segment_id, []).append(coding)
            elif coding.code_id == NOT_APPLICABLE and coding.question_id in questions:
                self.not_applicable_of.setdefault(coding.segment_id, []).append(coding)
            else:
                self.summary.left_out += 1
        for memo in snap.memos:
            self.memos_of.setdefault(memo.segment_id, []).append(memo)


def export_qdpx(store: Store, path: Path) -> ExportSummary:
    codebook = store.codebook()
    export = _Export(snapshot(store), codebook)
    export.group()
    root = root_element("Project", PROJECT_NS, name=codebook.title, origin=f"coder {__version__}")
    if export.user_guid:
        users = sub(root, "Users")
        for name, user in export.user_guid.items():
            sub(users, "User", guid=user, name=name)
        export.summary.users = len(export.user_guid)
    add_codes(sub(sub(root, "CodeBook"), "Codes"), codebook)
    kinds = _variables(root, export)
    _cases(root, export, kinds)
    if export.snap.documents:
        sources = sub(root, "Sources")
        for doc in export.snap.documents:
            _source(sources, export, doc)
    if export.snap.memos or export.not_applicable_of:
        _notes(sub(root, "Notes"), export)
    # the codebook's description, and what a codebook has beyond its codes, in the tag
    description = codebook.description or f"A coder project on '{codebook.title}'."
    tag = {"codebook": codebook.id, "title": codebook.title, "language": codebook.language}
    text_child(root, "Description", with_tag(description, tag))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", serialise(root))
        for source_guid, text in export.texts.items():
            archive.writestr(f"sources/{source_guid}.txt", text.encode("utf-8"))
    return export.summary


def _variables(root: ET.Element, export: _Export) -> dict[str, str]:
    """Case attributes as Variables; their names -> types."""
    values: dict[str, list] = {}
    for case in export.snap.cases:
        for key, value in (case.attributes or {}).items():
            values.setdefault(key, []).append(value)
    kinds = {name: variable_type(vals) for name, vals in sorted(values.items())}
    if kinds:
        variables = sub(root, "Variables")
        for name, kind in kinds.items():
            variable_guid = guid("variable", export.pid, name)
            sub(variables, "Variable", guid=variable_guid, name=name, typeOfVariable=kind)
    return kinds


def _cases(root: ET.Element, export: _Export, kinds: dict[str, str]) -> None:
    """Cases with their variables' values and their documents."""
    snap, pid = export.snap, export.pid
    if not snap.cases:
        return
    docs_of: dict[int, list] = {}
    for doc in snap.documents:
        docs_of.setdefault(doc.case_id, []).append(doc)
    cases = sub(root, "Cases")
    for case in snap.cases:
        element = sub(cases, "Case", guid=guid("case", pid, case.id), name=case.name)
        for name, value in sorted((case.attributes or {}).items()):
            holder = sub(element, "VariableValue")
            sub(holder, "VariableRef", targetGUID=guid("variable", pid, name))
            sub(holder, f"{kinds[name]}Value").text = _value_text(kinds[name], value)
        for doc in docs_of.get(case.id, []):
            sub(element, "SourceRef", targetGUID=guid("source", pid, doc.id))


def _source(sources: ET.Element, export: _Export, doc: Any) -> None:
    """A document as a TextSource, each passage a PlainTextSelection with its codings."""
    pid = export.pid
    source_guid = guid("source", pid, doc.id)
    text, mapping = lf_only(doc.text)
    export.texts[source_guid] = text
    source = sub(
        sources,
        "TextSource",
        guid=source_guid,
        name=doc.name,
        plainTextPath=f"internal://{source_guid}.txt",
        creationDateTime=doc.imported_at,
    )
    export.summary.sources += 1
    for seg in export.segments_of.get(doc.id, []):
        start, end = seg.start_char, seg.end_char
        if mapping is not None:
            start, end = mapping[start], mapping[end]
        selection = sub(
            source,
            "PlainTextSelection",
            guid=guid("segment", pid, seg.id),
            name=_excerpt(seg.text),
            startPosition=start,
            endPosition=end,
            creationDateTime=doc.imported_at,
        )
        if seg.external_id:
            text_child(selection, "Description", with_tag("", {"external_id": seg.external_id}))
        export.summary.selections += 1
        _codings(selection, export, seg.id)


def _codings(selection: ET.Element, export: _Export, seg_id: int) -> None:
    pid, codebook = export.pid, export.codebook
    for coding in export.codings_of.get(seg_id, []):
        element = sub(
            selection,
            "Coding",
            guid=guid("coding", pid, seg_id, coding.question_id, coding.code_id, coding.coder),
            creatingUser=export.user_guid[coding.coder],
            creationDateTime=coding.time,
        )
        code = code_guid(codebook, coding.question_id, coding.code_id)
        sub(element, "CodeRef", targetGUID=code)
        export.summary.codings += 1
    for memo in export.memos_of.get(seg_id, []):
        sub(selection, "NoteRef", targetGUID=guid("memo", pid, memo.id))
    for coding in export.not_applicable_of.get(seg_id, []):
        sub(selection, "NoteRef", targetGUID=_not_applicable_guid(pid, coding))


def _notes(notes: ET.Element, export: _Export) -> None:
    """Memos as Notes, then each ``n/a`` coding as a Note tagged for coder to read back."""
    snap, pid, summary = export.snap, export.pid, export.summary
    where = {
        seg.id: (doc.name, seg.position)
        for doc in snap.documents
        for seg in export.segments_of.get(doc.id, [])
    }
    for memo in snap.memos:
        doc_name, position = where[memo.segment_id]
        note = sub(
            notes,
            "Note",
            guid=guid("memo", pid, memo.id),
            name=f"Memo on {doc_name}, passage {position + 1}",
            creatingUser=export.user_guid[memo.coder],
            creationDateTime=memo.time,
        )
        text_child(note, "PlainTextContent", memo.text)
        summary.notes += 1
    questions = {q.id: q for q in export.codebook.questions}
    for seg_id, codings in export.not_applicable_of.items():
        doc_name, position = where[seg_id]
        for coding in codings:
            question = questions[coding.question_id]
            note = sub(
                notes,
                "Note",
                guid=_not_applicable_guid(pid, coding),
                name=f"{NOT_APPLICABLE} on {doc_name}, passage {position + 1}: {question.title}",
                creatingUser=export.user_guid[coding.coder],
                creationDateTime=coding.time,
            )
            description = (
                f"Not applicable: the question '{question.title}' does not apply to this passage."
            )
            tag = {"code": NOT_APPLICABLE, "question": question.id}
            text_child(note, "Description", with_tag(description, tag))
            text_child(note, "PlainTextContent", NOT_APPLICABLE)
            summary.not_applicable += 1
