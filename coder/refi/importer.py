"""A REFI-QDA project file (.qdpx) into a new coder project.

Read as other programs write it: any ``*.qde`` name in the zip, either namespace, a BOM
or none, ``sources/`` in any letter case, GUIDs with or without braces. Text sources
become documents (from ``sources/`` or inline PlainTextContent); every distinct text
selection becomes a passage with its exact offsets, and text no selection covers is
split into paragraph passages, so everything can still be coded. Codings on selections
become coding events by their User, at their time; Notes referenced from selections
become memos, except the Notes coder writes for the answer ``n/a`` (tagged with the code
``n/a`` and a question), which become ``n/a`` codings again. Picture, PDF, audio and
video sources, external files, and codings or notes that are not on a text selection are
listed as left out. The project is written in one go: if anything fails, no file is left
behind.

A .qdpx is a zip file from anywhere, so it is read within ``ArchiveLimits`` (how many
entries, how large each entry coder reads, how much in all), checked against the sizes
the zip declares before anything is unpacked and again while unpacking (in chunks, so a
zip that lies about its sizes stops at the limit); the XML is parsed with defusedxml.
GUIDs are compared without case and braces; two users, codes, notes, variables or
sources whose GUIDs are then the same are refused, never merged.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from coder.corpus.changes import AddCase, AddDocument, AddMemo, Change, Coding, RecordCodings
from coder.errors import CodebookError, CoderError
from coder.i18n import _
from coder.model.codebook import Codebook, parse_codebook
from coder.refi.archive import (
    MB,
    ArchiveLimits,
    Unpacker,
    qde_entry,
    source_entries,
    source_entry,
    source_text,
)
from coder.refi.codebook import (
    ImportedCodebook,
    codebook_from_codes,
    codebook_yaml,
    slug,
    unique_guids,
)
from coder.refi.passages import Context, SourceDocument, source_document
from coder.refi.xml import child, child_text, children, local, norm_guid, parse, split_tag
from coder.store import Store

__all__ = ["MB", "ArchiveLimits", "ProjectImportSummary", "import_qdpx"]

MEDIA = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")


@dataclass
class ProjectImportSummary:
    codebook_id: str = ""
    questions: int = 0
    codes: int = 0
    cases: int = 0
    documents: int = 0
    segments: int = 0
    codings: int = 0
    memos: int = 0
    coders: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


def import_qdpx(
    path: Path,
    db: str,
    *,
    language: str | None = None,
    limits: ArchiveLimits | None = None,
) -> ProjectImportSummary:
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise CoderError(_("{file}: no such file").format(file=path)) from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise CoderError(
            _("{file}: not a .qdpx file (not a readable zip: {reason})").format(
                file=path, reason=exc
            )
        ) from None
    with archive:
        try:
            unpacker = Unpacker(archive, path, limits or ArchiveLimits())
            qde = qde_entry(archive, path)
            root = parse(unpacker.read(qde), f"{path}!{qde.filename}")
            if local(root.tag) != "Project":
                raise CoderError(
                    _("{file}: not a REFI-QDA project (root is <{element}>)").format(
                        file=f"{path}!{qde.filename}", element=local(root.tag)
                    )
                )
            return _import(unpacker, root, path, db, language)
        except MemoryError:  # within the limits, but more than this machine has
            raise CoderError(
                _(
                    "{file}: out of memory while importing; nothing was written (import it on a "
                    "machine with more memory, or lower --max-entry-mb/--max-total-mb to find "
                    "the large entry)"
                ).format(file=path)
            ) from None


def _import(
    unpacker: Unpacker, root: ET.Element, path: Path, db: str, language: str | None
) -> ProjectImportSummary:
    summary = ProjectImportSummary()
    try:
        imported = _imported_codebook(root, path, language)
        users = {
            key: _user_name(u)
            for key, u in unique_guids(
                _items(root, "Users", "User"),
                "User",
                _("users"),
                same=lambda a, b: _user_name(a) == _user_name(b),
            ).items()
        }
        notes = unique_guids(_items(root, "Notes", "Note"), "Note", _("notes"))
        variables = unique_guids(_items(root, "Variables", "Variable"), "Variable", _("variables"))
        sources = child(root, "Sources")
        unique_guids(list(sources) if sources is not None else [], "TextSource", _("text sources"))
    except CoderError as exc:
        raise CoderError(f"{path}: {exc}") from None
    codebook = _codebook(imported, path, summary)
    case_of, attributes = _cases(
        root, {k: v.get("name") or "variable" for k, v in variables.items()}
    )
    context = Context(imported.guids, users, notes, summary.left_out)
    documents = []
    used_names: set[str] = set()
    for source, label, text in _texts(unpacker, sources, summary):
        doc_name, n = label, 2
        while doc_name in used_names:
            doc_name, n = f"{label} ({n})", n + 1
        used_names.add(doc_name)
        case = case_of.get(norm_guid(source.get("guid"))) or PurePosixPath(label).stem or label
        documents.append(source_document(source, text, doc_name, case, context))
    if not documents:
        summary.left_out.append(_("no text source could be read: the project has no passages"))
    Store.create(db, codebook, _changes(documents, attributes, summary)).close()
    return summary


def _imported_codebook(root: ET.Element, path: Path, language: str | None) -> ImportedCodebook:
    name = root.get("name") or path.stem
    project_text, project_tag = split_tag(child_text(root, "Description"))
    codebook_element = child(root, "CodeBook")
    imported = codebook_from_codes(
        child(codebook_element, "Codes") if codebook_element is not None else None,
        codebook_id=str(project_tag.get("codebook") or slug(name, "codebook")),
        title=str(project_tag.get("title") or name),
        language=language or str(project_tag.get("language") or "xx"),
    )
    if imported.data["questions"] and "codebook" in project_tag and project_text:
        imported.data["description"] = project_text  # written by coder: the codebook's own
    return imported


def _codebook(imported: ImportedCodebook, path: Path, summary: ProjectImportSummary) -> Codebook:
    if not imported.data["questions"]:
        raise CoderError(
            _("{file}: the project has no codable codes, so nothing to code with").format(file=path)
        )
    try:
        codebook = parse_codebook(codebook_yaml(imported.data), source_name=f"{path} (codebook)")
    except CodebookError as exc:
        raise CoderError(
            _("{file}: its codes cannot be used as a codebook: {reason}").format(
                file=path, reason=exc
            )
        ) from None
    summary.codebook_id = codebook.id
    summary.questions = len(codebook.questions)
    summary.codes = sum(len(q.codes) for q in codebook.questions)
    summary.left_out += [f"empty code folder '{n}'" for n in imported.left_out]
    return codebook


def _cases(root: ET.Element, variables: dict[str, str]) -> tuple[dict[str, str], dict[str, dict]]:
    """source GUID -> case name, and case name -> attributes (its variables' values)."""
    case_of: dict[str, str] = {}
    attributes: dict[str, dict] = {}
    for case in _items(root, "Cases", "Case"):
        case_name = case.get("name") or norm_guid(case.get("guid"))
        attributes[case_name] = {}
        for holder in children(case, "VariableValue"):
            ref = child(holder, "VariableRef")
            value = next((c for c in holder if local(c.tag).endswith("Value")), None)
            if ref is None or value is None:
                continue
            variable = variables.get(norm_guid(ref.get("targetGUID")), "variable")
            attributes[case_name][variable] = _typed(local(value.tag), value.text or "")
        for ref in children(case, "SourceRef"):
            case_of.setdefault(norm_guid(ref.get("targetGUID")), case_name)
    return case_of, attributes


def _texts(
    unpacker: Unpacker, sources: ET.Element | None, summary: ProjectImportSummary
) -> Iterator[tuple[ET.Element, str, str]]:
    """(source, label, text) of the text sources that can be read, one by one (what is
    left out of each is listed before the next is read)."""
    entries = source_entries(unpacker.archive)
    found: list[tuple[ET.Element, str, zipfile.ZipInfo | None]] = []
    for source in list(sources) if sources is not None else []:
        kind = local(source.tag)
        label = source.get("name") or norm_guid(source.get("guid"))
        if kind in MEDIA:
            summary.left_out.append(
                _("{kind} '{label}' (coder reads text only)").format(kind=kind, label=label)
            )
        elif kind == "TextSource":
            try:
                where = _("source '{label}'").format(label=label)
                found.append((source, label, source_entry(source, entries, where)))
            except LookupError as exc:
                summary.left_out.append(str(exc))
    # every text source's declared size against the limits, before any is unpacked (an
    # entry two sources name counts twice: it is unpacked twice)
    unpacker.check([info for _, _, info in found if info is not None])
    for source, label, info in found:
        try:
            text = source_text(unpacker, source, info, _("source '{label}'").format(label=label))
        except LookupError as exc:
            summary.left_out.append(str(exc))
            continue
        if not text.strip():
            summary.left_out.append(_("source '{label}': empty text").format(label=label))
            continue
        if children(source, "Coding"):
            summary.left_out.append(
                _(
                    "source '{label}': {n} codings of the whole source (coder codes passages)"
                ).format(label=label, n=len(children(source, "Coding")))
            )
        yield source, label, text


def _user_name(user: ET.Element) -> str:
    return user.get("name") or user.get("id") or norm_guid(user.get("guid"))


def _items(root: ET.Element, container: str, name: str) -> list[ET.Element]:
    """The ``name`` elements inside the project's ``container`` element (if it has one)."""
    holder = child(root, container)
    return children(holder, name) if holder is not None else []


def _typed(kind: str, text: str) -> object:
    text = text.strip()
    try:
        if kind == "IntegerValue":
            return int(text)
        if kind == "FloatValue":
            return float(text)
        if kind == "BooleanValue":
            return text.lower() in ("true", "1")
    except ValueError:
        pass
    return text


def _changes(
    documents: list[SourceDocument], attributes: dict[str, dict], summary: ProjectImportSummary
) -> list[Change]:
    """The new project's content: cases, documents and passages, then codings (one action
    per coder and time, oldest first) and memos."""
    changes: list[Change] = [AddCase(case, attrs) for case, attrs in attributes.items()]
    for doc in documents:
        sha = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
        spans = [span for span, _ in doc.spans]
        changes.append(
            AddDocument(
                doc.case, doc.name, "txt", doc.text, sha, spans, {"source": "qdpx"},
                attributes.get(doc.case),
            )
        )  # fmt: skip
    by_coder_time: dict[tuple[str, str], list[Coding]] = defaultdict(list)
    memos: list[AddMemo] = []
    for doc in documents:
        for position, (_span, entry) in enumerate(doc.spans):
            passage = (doc.name, position)
            for question, code, coder, time in entry.codings:
                by_coder_time[(coder, time or "")].append(Coding(passage, question, code))
            memos += [AddMemo(passage, coder, text, time) for coder, text, time in entry.memos]
    for (coder, time), codings in sorted(by_coder_time.items(), key=lambda kv: kv[0][1]):
        changes.append(RecordCodings(coder, "import", codings, time=time or None))
    summary.cases = len(set(attributes) | {doc.case for doc in documents})
    summary.documents = len(documents)
    summary.segments = sum(len(doc.spans) for doc in documents)
    summary.codings = sum(len(codings) for codings in by_coder_time.values())
    summary.memos = len(memos)
    summary.coders = sorted({coder for coder, _ in by_coder_time} | {str(m.coder) for m in memos})
    return changes + memos
