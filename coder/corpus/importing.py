"""What importing documents and tables share: the summary, the stop, recognising a file.

Files are read and segmented outside any transaction; what they add is then written in
short transactions (a few files, or a few thousand table rows, each well under a second),
so the coding screen never waits long for the write lock. A file is always written whole
or not at all: should writing fail (disk full, say), the import stops with one line naming
the file and the cause, and says what was imported before it. A refused import (unknown
code, missing column, clashing ids) is refused before anything is written. Files that
cannot be read are skipped and listed with their reason; importing the same material again
adds nothing twice.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coder.corpus.project import StoredDocument
from coder.corpus.readers import DOCUMENT_SUFFIXES, NOTE_NAMES, TABLE_SUFFIXES
from coder.errors import CoderError, ImportError_
from coder.i18n import _, ngettext

CASE_FROM = ("auto", "folder", "filename", "heading")  # and heading:N
Progress = Callable[[int, int], None]  # (done, total)
UNCHANGED = "unchanged"  # a file (part) imported before, left as it was
LABELLED = "labelled"  # a file (part) imported before, given the import's attributes

# Bounds on one write transaction: it ends after the file or row that passes either.
BATCH_SECONDS = 0.25  # documents: time spent writing in one transaction
BATCH_ROWS = 1000  # tables: rows per transaction (0.1-0.3 s here)
BATCH_CHARS = 4_000_000  # tables: characters of text per transaction


def heading_level(case_from: str) -> int | None:
    """The heading level a ``--case-from`` splits documents at (``heading`` is 1,
    ``heading:N`` is N), None for the other ways; an unknown one is refused."""
    name, colon, level = case_from.partition(":")
    if name == "heading" and not colon:
        return 1
    if name == "heading" and level.isdigit() and 1 <= int(level) <= 9:
        return int(level)
    if case_from in CASE_FROM:
        return None
    raise ImportError_(
        _(
            "unknown --case-from '{value}' (expected auto, folder, filename, heading or heading:N)"
        ).format(value=case_from)
    )


def parse_attributes(given: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``KEY=VALUE`` strings (``--attribute år=2019``) as a dict; a malformed one is refused."""
    found: dict[str, str] = {}
    for item in given:
        key, eq, value = item.partition("=")
        if not eq or not key.strip() or not value.strip():
            raise CoderError(
                _("--attribute '{item}': expected KEY=VALUE (e.g. år=2019)").format(item=item)
            )
        found[key.strip()] = value.strip()
    return found


@dataclass
class FileReport:
    """What an import did with one file: for the line ``coder import`` prints per file."""

    file: str
    cases: set[str] = field(default_factory=set)
    documents: int = 0
    passages: int = 0
    table_rows: int = 0  # of the passages: rows of tables
    unchanged: int = 0  # documents (parts) imported before, left as they were
    labelled: int = 0  # documents (parts) imported before, given the import's attributes
    skipped: list[str] = field(default_factory=list)  # parts left out, and why; notes

    def line(self) -> str:
        said = []
        if self.documents or not (self.unchanged or self.labelled or self.skipped):  # else: why
            n_cases, n_rows = len(self.cases), self.table_rows
            what = (
                ngettext("{n} case", "{n} cases", n_cases).format(n=n_cases)
                + ", "
                + ngettext("{n} passage", "{n} passages", self.passages).format(n=self.passages)
            )
            if n_rows:
                rows = ngettext("{n} table row", "{n} table rows", n_rows).format(n=n_rows)
                what += f" ({rows})"
            said.append(what)
        if self.unchanged:
            said.append(
                _("already imported and unchanged")
                if self.unchanged == 1 and not self.documents
                else ngettext(
                    "{n} part already imported and unchanged",
                    "{n} parts already imported and unchanged",
                    self.unchanged,
                ).format(n=self.unchanged)
            )
        if self.labelled:  # the notes say which attributes
            said.append(
                _("already imported")
                if self.labelled == 1 and not (self.documents or self.unchanged)
                else ngettext(
                    "{n} part already imported", "{n} parts already imported", self.labelled
                ).format(n=self.labelled)
            )
        said += self.skipped
        return f"{self.file}: " + "; ".join(said)


@dataclass
class ImportSummary:
    documents: int = 0
    segments: int = 0
    new_cases: int = 0
    codings: int = 0
    unchanged: int = 0  # already imported, left as they were
    attached: int = 0  # table rows matched to existing segments of the same file
    updated: int = 0  # table passages given the row's new text (--update)
    updated_coded: int = 0  # of which had codings (they stay on the passage)
    new_versions: int = 0  # table rows whose id was imported before with another text
    ids_in_name_only: int = 0  # ids another file's passage holds already as external id
    empty_rows: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    notes: list[str] = field(default_factory=list)  # parts of files left out, and why
    files: list[FileReport] = field(default_factory=list)  # per document file

    def count(
        self,
        report: FileReport,
        outcome: str | None,
        where: str,
        case: str,
        passages: int,
        rows: int,
    ) -> None:
        """Count a document written (``outcome`` None), one imported before (``UNCHANGED``;
        ``LABELLED``: given attributes, its text unchanged), or one skipped (why)."""
        if outcome is None:
            self.documents += 1
            self.segments += passages
            report.cases.add(case)
            report.documents += 1
            report.passages += passages
            report.table_rows += rows
        elif outcome in (UNCHANGED, LABELLED):
            self.unchanged += 1
            report.unchanged += outcome == UNCHANGED
            report.labelled += outcome == LABELLED
        else:
            self.skipped.append((where, outcome))
            report.skipped.append(outcome)

    def add(self, part: ImportSummary) -> None:
        """Count ``part`` (one transaction's work) in."""
        for name, value in vars(part).items():
            if isinstance(value, int):
                setattr(self, name, getattr(self, name) + value)
        self.skipped.extend(part.skipped)
        self.notes.extend(part.notes)
        self.files.extend(part.files)


class ImportStopped(ImportError_):
    """Writing failed part-way; ``summary`` tells what was imported (and kept) before."""

    def __init__(self, message: str, summary: ImportSummary):
        super().__init__(message)
        self.summary = summary


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_sha(path: Path) -> str:
    """The sha256 of a file's bytes: the same file however a coder version reads it."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


REREAD = (".pdf", ".docx")  # formats earlier coder versions read into other text


class Earlier:
    """The project's documents at the start of an import, to recognise a file imported
    from another folder: by its bytes (``meta["file_sha256"]``), or, for a PDF/DOCX
    document of an earlier coder version (no ``file_sha256``), by case and file name."""

    def __init__(self, docs: Iterable[StoredDocument]):
        self.by_bytes: dict[tuple[int, str, str | None], list[str]] = {}  # -> document names
        self.older: dict[tuple[int, str, str | None], StoredDocument] = {}
        self.in_parts: set[str | None] = set()  # files imported in parts (None: not told)
        for doc in docs:
            part = doc.meta.get("part")
            if part is not None:
                self.in_parts.add(doc.meta.get("path"))
            if doc.meta.get("file_sha256"):
                key = (doc.case_id, doc.meta["file_sha256"], part)
                self.by_bytes.setdefault(key, []).append(doc.name)
                continue
            where = doc.meta.get("path") or doc.meta.get("source")
            if isinstance(where, str) and Path(where).suffix.lower() in REREAD:
                self.older.setdefault((doc.case_id, Path(where).name, part), doc)

    def same_bytes(self, case_id: int, digest: str, part: str | None) -> list[str]:
        """The names of the documents of this case (and part) read from these bytes."""
        return self.by_bytes.get((case_id, digest, part), [])

    def read_before(
        self, case_id: int, file: str, part: str | None, meta: dict[str, Any]
    ) -> StoredDocument | None:
        """An earlier version's document of this case and file name (a PDF's of as many
        pages: a report of another year of the same name has other text and pages)."""
        doc = self.older.get((case_id, file, part))
        if doc is not None and doc.meta.get("pages", meta.get("pages")) != meta.get("pages"):
            return None
        return doc


@dataclass
class Candidate:
    """A file to import and where it was found."""

    path: Path
    name: str  # the name it had before names could clash: relative to the folder's parent
    root: Path | None  # the folder given on the command line, if any
    abs: Path = field(default=Path())  # absolute path (folders resolved, the file itself not)

    def names(self) -> list[str]:
        """Possible document names, shortest first: ``name``, then with more folders."""
        parts = self.abs.parts[1:]  # without the anchor ("/")
        n = len(Path(self.name).parts)
        return [self.name] + ["/".join(parts[-k:]) for k in range(n + 1, len(parts) + 1)]


def same_file(meta: dict[str, Any], path: Path) -> bool | None:
    """Whether the document with ``meta`` was imported from the file at ``path`` (None:
    cannot tell). Newer projects record the absolute path; older ones the path as given."""
    recorded = meta.get("path")
    if recorded:
        return bool(recorded == str(path))
    source = meta.get("source")
    if not source:
        return None
    earlier = Path(os.path.abspath(source))
    if earlier == path:
        return True
    try:
        if earlier.exists():
            return os.path.samefile(earlier, path)
    except OSError:
        return None
    return None  # given relative to another folder, or moved since


PROJECT_FILE_ENDINGS = ("", "-wal", "-shm", "-journal", "-lock")  # an SQLite project's files


def project_files(db: str) -> set[Path]:
    """The files of the project at ``db`` (an SQLite path; nothing for a database URL): the
    database and the files SQLite and coder keep beside it."""
    if "://" in db:
        return set()
    base = os.path.realpath(db)
    return {Path(base + ending) for ending in PROJECT_FILE_ENDINGS}


def collect_files(
    paths: Iterable[str | Path], summary: ImportSummary, own: Set[Path] = frozenset()
) -> list[Candidate]:
    """The document files under ``paths`` (folders recursively), in a stable order; the
    project's ``own`` files (``coder import .`` beside coder.db) are passed over silently."""
    found: list[Candidate] = []
    seen: set[Path] = set()

    def add(cand: Candidate) -> None:
        if cand.abs not in seen:  # the same file given twice (a folder and a file in it)
            seen.add(cand.abs)
            found.append(cand)

    for given in paths:
        path = Path(given)
        if not path.exists():
            raise ImportError_(_("{file}: no such file or folder").format(file=path))
        if path.is_dir():
            root = path.resolve()
            for file in sorted(path.rglob("*")):
                rel = file.relative_to(path)
                if not file.is_file() or any(p.startswith(".") for p in rel.parts):
                    continue
                if root / rel in own:
                    continue
                name = (Path(root.name) / rel).as_posix()
                if NOTE_NAMES.match(file.name):
                    summary.skipped.append(
                        (str(file), _("a note about the folder, not a document"))
                    )
                elif file.suffix.lower() in TABLE_SUFFIXES:
                    summary.skipped.append(
                        (str(file), _("a table: import it on its own with --text-column"))
                    )
                elif file.suffix.lower() not in DOCUMENT_SUFFIXES:
                    summary.skipped.append((str(file), _unsupported(file)))
                else:
                    add(Candidate(file, name, path, root / rel))
        elif path.suffix.lower() in DOCUMENT_SUFFIXES:
            add(Candidate(path, path.name, None, Path(os.path.abspath(path))))
        else:
            summary.skipped.append((str(path), _unsupported(path)))
    return found


def _unsupported(path: Path) -> str:
    return _("unsupported file type '{suffix}'").format(suffix=path.suffix)


def case_name(candidate: Candidate, case_from: str) -> str:
    path = candidate.path
    in_subfolder = candidate.root is not None and path.parent.resolve() != candidate.root.resolve()
    if case_from == "folder" or (case_from == "auto" and in_subfolder):
        return path.resolve().parent.name
    if case_from in ("filename", "auto"):
        return path.stem
    raise ImportError_(
        _("unknown --case-from '{value}' (expected {expected})").format(
            value=case_from, expected=", ".join(CASE_FROM)
        )
    )
