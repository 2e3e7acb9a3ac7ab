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
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import sqlalchemy as sa

from coder.codebook import NOT_APPLICABLE, parse_codebook
from coder.corpus.segment import paragraphs
from coder.errors import CodebookError, CoderError
from coder.refi.codebook import codebook_from_codes, codebook_yaml, slug
from coder.refi.xml import child, child_text, children, local, parse, split_tag
from coder.store import NewDocument, Span, Store
from coder.store import codings as coding_ops

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


def _norm(guid: str | None) -> str:
    return (guid or "").strip().strip("{}").lower()


def _qde(archive: zipfile.ZipFile, path: Path) -> str:
    names = [
        n for n in archive.namelist() if n.lower().endswith(".qde") and "/" not in n.strip("/")
    ]
    if not names:
        names = [n for n in archive.namelist() if n.lower().endswith(".qde")]
    if not names:
        raise CoderError(f"{path}: no .qde file inside; not a REFI-QDA project")
    return next((n for n in names if n.lower() == "project.qde"), sorted(names)[0])


def _source_text(archive: zipfile.ZipFile, element: ET.Element, where: str) -> str:
    inline = child_text(element, "PlainTextContent")
    if inline is not None:
        return inline
    ref = element.get("plainTextPath") or ""
    if not ref.lower().startswith("internal://"):
        kind = "no plain text" if not ref else f"an external file ({ref})"
        raise LookupError(f"{where}: {kind}; coder reads text kept inside the .qdpx")
    wanted = ref[len("internal://") :].lower()
    for name in archive.namelist():
        parts = PurePosixPath(name).parts
        if len(parts) == 2 and parts[0].lower() == "sources" and parts[1].lower() == wanted:
            raw = archive.read(name)
            try:
                return raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise LookupError(f"{where}: {name} is not UTF-8 text (byte {exc.start})") from None
    raise LookupError(f"{where}: its text {ref} is missing from sources/ in the .qdpx")


def import_qdpx(path: Path, db: str, *, language: str | None = None) -> ProjectImportSummary:
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise CoderError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise CoderError(f"{path}: not a .qdpx file (not a readable zip: {exc})") from None
    with archive:
        qde = _qde(archive, path)
        root = parse(archive.read(qde), f"{path}!{qde}")
        if local(root.tag) != "Project":
            raise CoderError(f"{path}!{qde}: not a REFI-QDA project (root is <{local(root.tag)}>)")
        return _import(archive, root, path, db, language)


def _import(
    archive: zipfile.ZipFile, root: ET.Element, path: Path, db: str, language: str | None
) -> ProjectImportSummary:
    summary = ProjectImportSummary()
    name = root.get("name") or path.stem
    project_text, project_tag = split_tag(child_text(root, "Description"))
    codebook_element = child(root, "CodeBook")
    imported = codebook_from_codes(
        child(codebook_element, "Codes") if codebook_element is not None else None,
        codebook_id=str(project_tag.get("codebook") or slug(name, "codebook")),
        title=str(project_tag.get("title") or name),
        language=language or str(project_tag.get("language") or "xx"),
    )
    if not imported.data["questions"]:
        raise CoderError(f"{path}: the project has no codable codes, so nothing to code with")
    if "codebook" in project_tag and project_text:  # written by coder: the codebook's own
        imported.data["description"] = project_text
    try:
        codebook = parse_codebook(codebook_yaml(imported.data), source_name=f"{path} (codebook)")
    except CodebookError as exc:
        raise CoderError(f"{path}: its codes cannot be used as a codebook: {exc}") from None
    summary.codebook_id = codebook.id
    summary.questions = len(codebook.questions)
    summary.codes = sum(len(q.codes) for q in codebook.questions)
    summary.left_out += [f"empty code folder '{n}'" for n in imported.left_out]

    users = {
        _norm(u.get("guid")): (u.get("name") or u.get("id") or _norm(u.get("guid")))
        for u in _items(root, "Users", "User")
    }
    notes = {_norm(n.get("guid")): n for n in _items(root, "Notes", "Note")}
    variables = {
        _norm(v.get("guid")): v.get("name") or "variable"
        for v in _items(root, "Variables", "Variable")
    }
    case_of: dict[str, str] = {}  # source GUID -> case name
    attributes: dict[str, dict] = {}
    for case in _items(root, "Cases", "Case"):
        case_name = case.get("name") or _norm(case.get("guid"))
        attributes[case_name] = {}
        for holder in children(case, "VariableValue"):
            ref = child(holder, "VariableRef")
            value = next((c for c in holder if local(c.tag).endswith("Value")), None)
            if ref is None or value is None:
                continue
            attributes[case_name][variables.get(_norm(ref.get("targetGUID")), "variable")] = _typed(
                local(value.tag), value.text or ""
            )
        for ref in children(case, "SourceRef"):
            case_of.setdefault(_norm(ref.get("targetGUID")), case_name)

    sources = child(root, "Sources")
    documents = []  # (case, name, text, created, spans, codings, memos)
    used_names: set[str] = set()
    for source in list(sources) if sources is not None else []:
        kind = local(source.tag)
        label = source.get("name") or _norm(source.get("guid"))
        if kind in MEDIA:
            summary.left_out.append(f"{kind} '{label}' (coder reads text only)")
            continue
        if kind != "TextSource":
            continue
        try:
            text = _source_text(archive, source, f"source '{label}'")
        except LookupError as exc:
            summary.left_out.append(str(exc))
            continue
        if not text.strip():
            summary.left_out.append(f"source '{label}': empty text")
            continue
        if children(source, "Coding"):
            summary.left_out.append(
                f"source '{label}': {len(children(source, 'Coding'))} codings of the whole "
                "source (coder codes passages)"
            )
        doc_name, n = label, 2
        while doc_name in used_names:
            doc_name, n = f"{label} ({n})", n + 1
        used_names.add(doc_name)
        documents.append(_document(source, text, doc_name, imported.guids, users, notes, summary))
        case = case_of.get(_norm(source.get("guid"))) or PurePosixPath(label).stem or label
        documents[-1]["case"] = case
    if not documents:
        summary.left_out.append("no text source could be read: the project has no passages")

    Store.create(
        db, codebook, lambda store, conn: _write(store, conn, documents, attributes, summary)
    ).close()
    return summary


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


def _document(source, text, name, code_guids, users, notes, summary) -> dict:  # noqa: ANN001
    """Passages (selections, then paragraphs of what they leave uncovered), their codings
    and memos, for one text source."""
    selections: dict[tuple[int, int], dict] = {}
    questions = {question for question, _ in code_guids.values()}
    for sel in children(source, "PlainTextSelection"):
        label = sel.get("name") or _norm(sel.get("guid"))
        try:
            start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
        except ValueError:
            summary.left_out.append(f"selection '{label}' in '{name}': no valid offsets")
            continue
        if not 0 <= start < end <= len(text):
            summary.left_out.append(
                f"selection '{label}' in '{name}': offsets {start}-{end} outside the text "
                f"({len(text)} characters)"
            )
            continue
        entry = selections.setdefault(
            (start, end), {"external_id": None, "codings": [], "memos": []}
        )
        _, tag = split_tag(child_text(sel, "Description"))
        if tag.get("external_id"):
            entry["external_id"] = str(tag["external_id"])
        for coding in children(sel, "Coding"):
            ref = child(coding, "CodeRef")
            target = code_guids.get(_norm(ref.get("targetGUID") if ref is not None else None))
            if target is None:
                summary.left_out.append(f"a coding in '{name}' refers to an unknown code")
                continue
            coder = users.get(_norm(coding.get("creatingUser"))) or "unknown"
            entry["codings"].append((*target, coder, coding.get("creationDateTime")))
        for ref in children(sel, "NoteRef"):
            note = notes.get(_norm(ref.get("targetGUID")))
            _, note_tag = split_tag(child_text(note, "Description") if note is not None else None)
            if note_tag.get("code") == NOT_APPLICABLE:  # "not applicable", as coder writes it
                question = str(note_tag.get("question") or "")
                if question not in questions:
                    summary.left_out.append(
                        f"an n/a answer in '{name}' for an unknown question '{question}'"
                    )
                    continue
                coder = users.get(_norm(note.get("creatingUser"))) or "unknown"
                entry["codings"].append(
                    (question, NOT_APPLICABLE, coder, note.get("creationDateTime"))
                )
                continue
            content = child_text(note, "PlainTextContent") if note is not None else None
            if not content or not content.strip():
                continue
            coder = users.get(_norm(note.get("creatingUser"))) or "unknown"
            entry["memos"].append((coder, content, note.get("creationDateTime")))
    covered = sorted(selections)
    spans: list[tuple[Span, dict]] = []
    cursor = 0
    for start, end in covered + [(len(text), len(text))]:
        if start > cursor:  # text no selection covers: paragraphs, to be coded in coder
            for para in paragraphs(text[cursor:start]):
                spans.append(
                    (
                        Span(cursor + para.start, cursor + para.end, para.text),
                        {"codings": [], "memos": []},
                    )
                )
        if end > start:
            entry = selections[(start, end)]
            spans.append((Span(start, end, text[start:end], entry["external_id"]), entry))
        cursor = max(cursor, end)
    spans.sort(key=lambda pair: (pair[0].start, pair[0].end))
    return {
        "name": name,
        "text": text,
        "created": source.get("creationDateTime"),
        "spans": spans,
    }


def _write(
    store: Store,
    conn: sa.Connection,
    documents: list[dict],
    attributes: dict,
    summary: ProjectImportSummary,
) -> None:
    """Cases, documents and passages, then codings and memos, in the new project."""
    for case, attrs in attributes.items():
        store.case_in(conn, case, attrs)
    new_docs = []
    for doc in documents:
        case_id = store.case_in(conn, doc["case"], attributes.get(doc["case"]))
        new_docs.append(
            NewDocument(
                case_id,
                doc["name"],
                "txt",
                doc["text"],
                hashlib.sha256(doc["text"].encode("utf-8")).hexdigest(),
                [span for span, _ in doc["spans"]],
                {"source": "qdpx"},
            )
        )
    seg_ids = store.add_documents_in(conn, new_docs)
    summary.cases = store.case_count_in(conn)
    summary.documents = len(new_docs)
    summary.segments = sum(len(ids) for ids in seg_ids)
    by_coder_time: dict[tuple[str, str], list] = defaultdict(list)
    memos = []
    for doc, ids in zip(documents, seg_ids, strict=True):
        for (_, entry), seg in zip(doc["spans"], ids, strict=True):
            for question, code, coder, time in entry["codings"]:
                by_coder_time[(coder, time or "")].append(
                    coding_ops.Change(seg, question, code, "added")
                )
            for coder, text, time in entry["memos"]:
                memos.append((seg, coder, text, time))
    coder_ids: dict[str, int] = {}

    def coder_id(name: str) -> int:
        if name not in coder_ids:
            coder_ids[name] = store.coder_in(conn, name)
        return coder_ids[name]

    for (coder, time), changes in sorted(by_coder_time.items(), key=lambda kv: kv[0][1]):
        coding_ops.record(conn, coder_id(coder), "import", changes, time=time or None)
        summary.codings += len(changes)
    for seg, coder, text, time in memos:
        store.add_memo_in(conn, seg, coder_id(coder), text, time)
    summary.memos = len(memos)
    summary.coders = sorted(coder_ids)
