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

import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from coder import __version__
from coder.model.codebook import NOT_APPLICABLE
from coder.refi.codebook import add_codes, code_guid
from coder.refi.xml import PROJECT_NS, guid, root_element, serialise, sub, text_child, with_tag
from coder.store import Store
from coder.store.exchange import snapshot


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
    if kind == "Float":
        return format(Decimal(repr(float(value))), "f")  # xsd:decimal has no exponent
    return str(value)


def _excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _not_applicable_guid(pid: str, coding) -> str:  # noqa: ANN001 - a snapshot row
    return guid("not-applicable", pid, coding.segment_id, coding.question_id, coding.coder)


def export_qdpx(store: Store, path: Path) -> ExportSummary:
    snap = snapshot(store)
    codebook = store.codebook()
    known = {(q.id, c.id) for q in codebook.questions for c in q.codes}
    pid = snap.project_uuid
    summary = ExportSummary()
    root = root_element("Project", PROJECT_NS, name=codebook.title, origin=f"coder {__version__}")
    user_guid = {name: guid("user", pid, name) for name in snap.coders}
    if user_guid:
        users = sub(root, "Users")
        for name, user in user_guid.items():
            sub(users, "User", guid=user, name=name)
        summary.users = len(user_guid)
    add_codes(sub(sub(root, "CodeBook"), "Codes"), codebook)

    values: dict[str, list] = {}
    for case in snap.cases:
        for key, value in (case.attributes or {}).items():
            values.setdefault(key, []).append(value)
    kinds = {name: variable_type(vals) for name, vals in sorted(values.items())}
    if kinds:
        variables = sub(root, "Variables")
        for name, kind in kinds.items():
            sub(
                variables,
                "Variable",
                guid=guid("variable", pid, name),
                name=name,
                typeOfVariable=kind,
            )

    docs_of: dict[int, list] = {}
    for doc in snap.documents:
        docs_of.setdefault(doc.case_id, []).append(doc)
    if snap.cases:
        cases = sub(root, "Cases")
        for case in snap.cases:
            element = sub(cases, "Case", guid=guid("case", pid, case.id), name=case.name)
            for name, value in sorted((case.attributes or {}).items()):
                holder = sub(element, "VariableValue")
                sub(holder, "VariableRef", targetGUID=guid("variable", pid, name))
                sub(holder, f"{kinds[name]}Value").text = _value_text(kinds[name], value)
            for doc in docs_of.get(case.id, []):
                sub(element, "SourceRef", targetGUID=guid("source", pid, doc.id))

    segments_of: dict[int, list] = {}
    for seg in snap.segments:
        segments_of.setdefault(seg.document_id, []).append(seg)
    questions = {q.id: q for q in codebook.questions}
    codings_of: dict[int, list] = {}
    not_applicable_of: dict[int, list] = {}
    for coding in snap.codings:
        if (coding.question_id, coding.code_id) in known:
            codings_of.setdefault(coding.segment_id, []).append(coding)
        elif coding.code_id == NOT_APPLICABLE and coding.question_id in questions:
            not_applicable_of.setdefault(coding.segment_id, []).append(coding)
        else:
            summary.left_out += 1
    memos_of: dict[int, list] = {}
    for memo in snap.memos:
        memos_of.setdefault(memo.segment_id, []).append(memo)

    texts: dict[str, str] = {}
    sources = sub(root, "Sources") if snap.documents else None
    for doc in snap.documents:
        source_guid = guid("source", pid, doc.id)
        text, mapping = lf_only(doc.text)
        texts[source_guid] = text
        source = sub(
            sources,
            "TextSource",
            guid=source_guid,
            name=doc.name,
            plainTextPath=f"internal://{source_guid}.txt",
            creationDateTime=doc.imported_at,
        )
        summary.sources += 1
        for seg in segments_of.get(doc.id, []):
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
            summary.selections += 1
            for coding in codings_of.get(seg.id, []):
                element = sub(
                    selection,
                    "Coding",
                    guid=guid(
                        "coding", pid, seg.id, coding.question_id, coding.code_id, coding.coder
                    ),
                    creatingUser=user_guid[coding.coder],
                    creationDateTime=coding.time,
                )
                sub(
                    element,
                    "CodeRef",
                    targetGUID=code_guid(codebook, coding.question_id, coding.code_id),
                )
                summary.codings += 1
            for memo in memos_of.get(seg.id, []):
                sub(selection, "NoteRef", targetGUID=guid("memo", pid, memo.id))
            for coding in not_applicable_of.get(seg.id, []):
                sub(selection, "NoteRef", targetGUID=_not_applicable_guid(pid, coding))
    if snap.memos or not_applicable_of:
        notes = sub(root, "Notes")
        where = {
            seg.id: (doc.name, seg.position)
            for doc in snap.documents
            for seg in segments_of.get(doc.id, [])
        }
        for memo in snap.memos:
            doc_name, position = where[memo.segment_id]
            note = sub(
                notes,
                "Note",
                guid=guid("memo", pid, memo.id),
                name=f"Memo on {doc_name}, passage {position + 1}",
                creatingUser=user_guid[memo.coder],
                creationDateTime=memo.time,
            )
            text_child(note, "PlainTextContent", memo.text)
            summary.notes += 1
        for seg_id, codings in not_applicable_of.items():
            doc_name, position = where[seg_id]
            for coding in codings:
                question = questions[coding.question_id]
                note = sub(
                    notes,
                    "Note",
                    guid=_not_applicable_guid(pid, coding),
                    name=f"{NOT_APPLICABLE} on {doc_name}, passage {position + 1}: "
                    f"{question.title}",
                    creatingUser=user_guid[coding.coder],
                    creationDateTime=coding.time,
                )
                text_child(
                    note,
                    "Description",
                    with_tag(
                        f"Not applicable: the question '{question.title}' does not apply "
                        "to this passage.",
                        {"code": NOT_APPLICABLE, "question": question.id},
                    ),
                )
                text_child(note, "PlainTextContent", NOT_APPLICABLE)
                summary.not_applicable += 1

    # the codebook's description, and what a codebook has beyond its codes, in the tag
    description = codebook.description or f"A coder project on '{codebook.title}'."
    text_child(
        root,
        "Description",
        with_tag(
            description,
            {
                "codebook": codebook.id,
                "title": codebook.title,
                "language": codebook.language,
            },
        ),
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", serialise(root))
        for source_guid, text in texts.items():
            archive.writestr(f"sources/{source_guid}.txt", text.encode("utf-8"))
    return summary
