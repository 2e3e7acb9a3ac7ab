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
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import sqlalchemy as sa

from coder.corpus.segment import paragraphs
from coder.errors import CodebookError, CoderError
from coder.model.codebook import NOT_APPLICABLE, parse_codebook
from coder.refi.codebook import codebook_from_codes, codebook_yaml, slug, unique_guids
from coder.refi.xml import child, child_text, children, local, norm_guid, parse, split_tag
from coder.store import NewDocument, Span, Store
from coder.store import codings as coding_ops

MEDIA = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
MB = 1024 * 1024
_CHUNK = 1 * MB


@dataclass(frozen=True)
class ArchiveLimits:
    """What coder unpacks from a .qdpx at most: entries in the zip, bytes of any one entry
    it reads (the .qde and the text sources), and bytes of all the entries it reads.
    ``coder import-project --max-entries N --max-entry-mb N --max-total-mb N``."""

    max_entries: int = 10_000
    max_entry_bytes: int = 200 * MB
    max_total_bytes: int = 1024 * MB


def _size(n: int) -> str:
    return f"{n / (1024 * MB):.1f} GB" if n >= 1024 * MB else f"{n / MB:.1f} MB"


class _Unpacker:
    """Reads entries of the zip within the limits; every refusal is a one-line CoderError."""

    def __init__(self, archive: zipfile.ZipFile, path: Path, limits: ArchiveLimits):
        self.archive, self.path, self.limits = archive, path, limits
        self.total = 0  # bytes unpacked so far
        entries = len(archive.infolist())
        if entries > limits.max_entries:
            raise CoderError(
                f"{path}: holds {entries} entries, more than the limit of {limits.max_entries} "
                "(raise it with --max-entries)"
            )

    def check(self, infos: list[zipfile.ZipInfo]) -> None:
        """Refuse, from the sizes the zip declares, entries that would break a limit."""
        limits = self.limits
        for info in infos:
            if info.file_size > limits.max_entry_bytes:
                raise CoderError(
                    f"{self.path}: {info.filename} unpacks to {_size(info.file_size)}, more than "
                    f"the limit of {_size(limits.max_entry_bytes)} per entry "
                    "(raise it with --max-entry-mb)"
                )
        total = self.total + sum(info.file_size for info in infos)
        if total > limits.max_total_bytes:
            raise CoderError(
                f"{self.path}: its project file and text sources unpack to {_size(total)}, more "
                f"than the limit of {_size(limits.max_total_bytes)} in all "
                "(raise it with --max-total-mb)"
            )

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """The entry's bytes, read in chunks and stopped at the limits whatever it declares."""
        self.check([info])
        allowed = min(self.limits.max_entry_bytes, self.limits.max_total_bytes - self.total)
        chunks: list[bytes] = []
        got = 0
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(min(_CHUNK, allowed + 1 - got)):
                    chunks.append(chunk)
                    got += len(chunk)
                    if got > allowed:
                        raise CoderError(
                            f"{self.path}: {info.filename} unpacks to more than the limit of "
                            f"{_size(allowed)} though it declares {_size(info.file_size)} "
                            "(a damaged or hostile zip)"
                        )
        except CoderError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise CoderError(f"{self.path}: {info.filename} is damaged ({exc})") from None
        except (NotImplementedError, RuntimeError) as exc:  # other compression, encryption
            raise CoderError(f"{self.path}: {info.filename} cannot be unpacked ({exc})") from None
        self.total += got
        return b"".join(chunks)


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


_norm = norm_guid


def _qde(archive: zipfile.ZipFile, path: Path) -> zipfile.ZipInfo:
    infos = [i for i in archive.infolist() if i.filename.lower().endswith(".qde")]
    top = [i for i in infos if "/" not in i.filename.strip("/")]
    infos = top or infos
    if not infos:
        raise CoderError(f"{path}: no .qde file inside; not a REFI-QDA project")
    return next(
        (i for i in infos if i.filename.lower() == "project.qde"),
        sorted(infos, key=lambda i: i.filename)[0],
    )


def _source_entries(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The entries in sources/ (any letter case), by lower-case file name."""
    found: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        parts = PurePosixPath(info.filename).parts
        if len(parts) == 2 and parts[0].lower() == "sources":
            found.setdefault(parts[1].lower(), info)
    return found


def _source_entry(
    element: ET.Element, entries: dict[str, zipfile.ZipInfo], where: str
) -> zipfile.ZipInfo | None:
    """The zip entry holding a TextSource's text (None when the text is inline)."""
    if child_text(element, "PlainTextContent") is not None:
        return None
    ref = element.get("plainTextPath") or ""
    if not ref.lower().startswith("internal://"):
        kind = "no plain text" if not ref else f"an external file ({ref})"
        raise LookupError(f"{where}: {kind}; coder reads text kept inside the .qdpx")
    info = entries.get(ref[len("internal://") :].lower())
    if info is None:
        raise LookupError(f"{where}: its text {ref} is missing from sources/ in the .qdpx")
    return info


def _source_text(
    unpacker: _Unpacker, element: ET.Element, info: zipfile.ZipInfo | None, where: str
) -> str:
    if info is None:
        return child_text(element, "PlainTextContent") or ""
    raw = unpacker.read(info)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LookupError(
            f"{where}: {info.filename} is not UTF-8 text (byte {exc.start})"
        ) from None


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
        raise CoderError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise CoderError(f"{path}: not a .qdpx file (not a readable zip: {exc})") from None
    with archive:
        try:
            unpacker = _Unpacker(archive, path, limits or ArchiveLimits())
            qde = _qde(archive, path)
            root = parse(unpacker.read(qde), f"{path}!{qde.filename}")
            if local(root.tag) != "Project":
                raise CoderError(
                    f"{path}!{qde.filename}: not a REFI-QDA project (root is <{local(root.tag)}>)"
                )
            return _import(unpacker, root, path, db, language)
        except MemoryError:  # within the limits, but more than this machine has
            raise CoderError(
                f"{path}: out of memory while importing; nothing was written (import it on a "
                "machine with more memory, or lower --max-entry-mb/--max-total-mb to find the "
                "large entry)"
            ) from None


def _import(
    unpacker: _Unpacker, root: ET.Element, path: Path, db: str, language: str | None
) -> ProjectImportSummary:
    summary = ProjectImportSummary()
    name = root.get("name") or path.stem
    project_text, project_tag = split_tag(child_text(root, "Description"))
    codebook_element = child(root, "CodeBook")
    try:
        imported = codebook_from_codes(
            child(codebook_element, "Codes") if codebook_element is not None else None,
            codebook_id=str(project_tag.get("codebook") or slug(name, "codebook")),
            title=str(project_tag.get("title") or name),
            language=language or str(project_tag.get("language") or "xx"),
        )
        user_elements = unique_guids(
            _items(root, "Users", "User"),
            "User",
            "users",
            same=lambda a, b: _user_name(a) == _user_name(b),
        )
        note_elements = unique_guids(_items(root, "Notes", "Note"), "Note", "notes")
        variable_elements = unique_guids(
            _items(root, "Variables", "Variable"), "Variable", "variables"
        )
        sources = child(root, "Sources")
        unique_guids(list(sources) if sources is not None else [], "TextSource", "text sources")
    except CoderError as exc:
        raise CoderError(f"{path}: {exc}") from None
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

    users = {key: _user_name(u) for key, u in user_elements.items()}
    notes = note_elements
    variables = {key: v.get("name") or "variable" for key, v in variable_elements.items()}
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

    documents = []  # (case, name, text, created, spans, codings, memos)
    used_names: set[str] = set()
    entries = _source_entries(unpacker.archive)
    texts: list[tuple[ET.Element, str, zipfile.ZipInfo | None]] = []
    for source in list(sources) if sources is not None else []:
        kind = local(source.tag)
        label = source.get("name") or _norm(source.get("guid"))
        if kind in MEDIA:
            summary.left_out.append(f"{kind} '{label}' (coder reads text only)")
            continue
        if kind != "TextSource":
            continue
        try:
            texts.append((source, label, _source_entry(source, entries, f"source '{label}'")))
        except LookupError as exc:
            summary.left_out.append(str(exc))
    # every text source's declared size against the limits, before any is unpacked (an
    # entry two sources name counts twice: it is unpacked twice)
    unpacker.check([info for _, _, info in texts if info is not None])
    for source, label, info in texts:
        try:
            text = _source_text(unpacker, source, info, f"source '{label}'")
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


def _user_name(user: ET.Element) -> str:
    return user.get("name") or user.get("id") or _norm(user.get("guid"))


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
