"""Importing document files and folders: one document per file, split into passages.

Document names (unique in a project) are the file's name, or for a folder the folder's
name and the path inside it; two different files that would get the same name (``a/x.txt``
and ``b/x.txt``) get as many of their folders as tell them apart. A file is recognised
again by the absolute path recorded with its document (older projects: the path it was
imported from). Each file's changes are planned from what the project holds in the
transaction that writes them, so a file imported meanwhile is not imported twice.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coder.corpus import importing
from coder.corpus.changes import AddCase, AddDocument, Change
from coder.corpus.importing import (
    CASE_FROM,
    Candidate,
    ImportStopped,
    ImportSummary,
    Progress,
    same_file,
    sha,
)
from coder.corpus.project import ProjectBatch, ProjectStore, StoredDocument
from coder.corpus.readers import (
    DOCUMENT_SUFFIXES,
    NOTE_NAMES,
    TABLE_SUFFIXES,
    SourceText,
    Unreadable,
    read_document,
)
from coder.corpus.segment import segment
from coder.corpus.span import Span
from coder.errors import CoderError, ImportError_, StoreError

UNCHANGED = "unchanged"


def collect_files(paths: Iterable[str | Path], summary: ImportSummary) -> list[Candidate]:
    """The document files under ``paths`` (folders recursively), in a stable order."""
    found: list[Candidate] = []
    seen: set[Path] = set()

    def add(cand: Candidate) -> None:
        if cand.abs not in seen:  # the same file given twice (a folder and a file in it)
            seen.add(cand.abs)
            found.append(cand)

    for given in paths:
        path = Path(given)
        if not path.exists():
            raise ImportError_(f"{path}: no such file or folder")
        if path.is_dir():
            root = path.resolve()
            for file in sorted(path.rglob("*")):
                rel = file.relative_to(path)
                if not file.is_file() or any(p.startswith(".") for p in rel.parts):
                    continue
                name = (Path(root.name) / rel).as_posix()
                if NOTE_NAMES.match(file.name):
                    summary.skipped.append((str(file), "a note about the folder, not a document"))
                elif file.suffix.lower() in TABLE_SUFFIXES:
                    summary.skipped.append(
                        (str(file), "a table: import it on its own with --text-column")
                    )
                elif file.suffix.lower() not in DOCUMENT_SUFFIXES:
                    summary.skipped.append((str(file), f"unsupported file type '{file.suffix}'"))
                else:
                    add(Candidate(file, name, path, root / rel))
        elif path.suffix.lower() in DOCUMENT_SUFFIXES:
            add(Candidate(path, path.name, None, Path(os.path.abspath(path))))
        else:
            summary.skipped.append((str(path), f"unsupported file type '{path.suffix}'"))
    return found


def case_name(candidate: Candidate, case_from: str) -> str:
    path = candidate.path
    in_subfolder = candidate.root is not None and path.parent.resolve() != candidate.root.resolve()
    if case_from == "folder" or (case_from == "auto" and in_subfolder):
        return path.resolve().parent.name
    if case_from in ("filename", "auto"):
        return path.stem
    raise ImportError_(f"unknown --case-from '{case_from}' (expected {', '.join(CASE_FROM)})")


@dataclass
class _Plan:
    """Where a file goes: its earlier document, or a new one named ``name``."""

    mine: StoredDocument | None  # its document, imported before
    maybe: StoredDocument | None  # a document of the same name that may be its own (older project)
    name: str  # the name for a new document
    clashes: bool  # another file of this import had the same name


def _plan(store: ProjectStore, candidates: list[Candidate]) -> list[_Plan]:
    options = [c.names() for c in candidates]
    shared = Counter(name for names in options for name in names)
    with store.batch(write=False) as b:
        existing = b.documents_by_name(sorted(shared))
    plans = []
    for cand, names in zip(candidates, options, strict=True):
        mine = maybe = None
        for name in names:
            doc = existing.get(name)
            if doc is None:
                continue
            same = same_file(doc.meta, cand.abs)
            if same:
                mine = doc
                break
            if same is None and name == cand.name and maybe is None:
                maybe = doc
        new_name = next(
            (n for n in names if shared[n] == 1 and n not in existing), cand.abs.as_posix()
        )
        plans.append(_Plan(mine, maybe, new_name, shared[cand.name] > 1))
    return plans


@dataclass
class _Parsed:
    cand: Candidate
    plan: _Plan
    source: SourceText
    case: str
    sha: str
    spans: list[Span]


def import_documents(
    store: ProjectStore,
    paths: Iterable[str | Path],
    *,
    case_from: str = "auto",
    segmentation: str = "paragraph",
    progress: Progress | None = None,
) -> ImportSummary:
    """Import TXT/MD/DOCX/PDF files and folders: one document per file, segmented.

    The case is the front matter's ``case`` if given, else from ``case_from``:
    ``filename`` (the file's name without suffix), ``folder`` (its folder's name),
    or ``auto`` (folder for files in sub-folders of an imported folder, else filename).
    """
    if case_from not in CASE_FROM:
        raise ImportError_(f"unknown --case-from '{case_from}' (expected {', '.join(CASE_FROM)})")
    summary = ImportSummary()
    candidates = collect_files(paths, summary)
    plans = _plan(store, candidates)
    language = store.codebook().language
    pending: list[_Parsed] = []
    for done, (cand, plan) in enumerate(zip(candidates, plans, strict=True), start=1):
        failure = None
        try:
            source = read_document(cand.path)
            spans = segment(source.text, segmentation, language)
        except Unreadable as exc:
            summary.skipped.append((str(cand.path), str(exc)))
            continue
        except CoderError as exc:
            failure = str(exc)
        except (ValueError, MemoryError, RecursionError) as exc:  # from spaCy, pypdf, ...
            failure = f"cannot segment it ({type(exc).__name__}: {exc})"
        finally:
            if progress:
                progress(done, len(candidates))
        if failure is not None:
            _write_documents(store, pending, segmentation, summary)  # the files before it
            raise ImportStopped(f"{cand.path}: {failure}; {_kept(summary)}", summary)
        case = source.case or case_name(cand, case_from)
        pending.append(_Parsed(cand, plan, source, case, sha(source.text), spans))
        if sum(len(p.spans) for p in pending) >= importing.BATCH_ROWS or len(pending) >= 50:
            _write_documents(store, pending, segmentation, summary)
            pending = []
    _write_documents(store, pending, segmentation, summary)
    return summary


def _kept(summary: ImportSummary) -> str:
    if not summary.documents:
        return "nothing was imported"
    return (
        f"it was not imported; {summary.documents} documents ({summary.segments} segments) "
        "imported before it were kept"
    )


def _write_documents(
    store: ProjectStore, parsed: list[_Parsed], segmentation: str, summary: ImportSummary
) -> None:
    """Write parsed files in transactions of about ``BATCH_SECONDS`` each, whole files only."""
    i = 0
    while i < len(parsed):
        part = ImportSummary()
        current = parsed[i]
        try:
            with store.batch() as b:
                started = time.monotonic()
                j = i
                while j < len(parsed) and (
                    j == i or time.monotonic() - started < importing.BATCH_SECONDS
                ):
                    current = parsed[j]
                    _write_document(b, current, segmentation, part)
                    j += 1
        except StoreError as exc:  # a full disk; locked too long
            raise ImportStopped(
                f"{current.cand.path}: cannot write to the project ({exc}); "
                f"nothing from {parsed[i].cand.path} on was imported"
                + (
                    f"; the {summary.documents} documents ({summary.segments} segments) "
                    "imported before it were kept"
                    if summary.documents
                    else ""
                ),
                summary,
            ) from None
        summary.add(part)
        i = j


def _write_document(b: ProjectBatch, p: _Parsed, segmentation: str, summary: ImportSummary) -> None:
    changes, outcome = _document_changes(b, p, segmentation)
    summary.new_cases += b.apply(changes).new_cases
    if outcome is None:
        summary.documents += 1
        summary.segments += len(p.spans)
    elif outcome == UNCHANGED:
        summary.unchanged += 1
    else:
        summary.skipped.append((str(p.cand.path), outcome))


def _document_changes(
    b: ProjectBatch, p: _Parsed, segmentation: str
) -> tuple[list[Change], str | None]:
    """What importing one file changes, and why not when it adds no document:
    ``UNCHANGED``, or the reason it is skipped."""
    plan = p.plan
    earlier = plan.mine
    # An older document of this name whose file cannot be told is this file's, unless
    # another file of this import has the same name (then only if the text is the same).
    if earlier is None and plan.maybe and (not plan.clashes or plan.maybe.sha256 == p.sha):
        earlier = plan.maybe
    now = b.document(earlier.name if earlier else plan.name)
    if now is not None:
        if now.sha256 == p.sha:
            return [], UNCHANGED
        return [], (
            f"changed since it was imported as '{now.name}'; not imported again "
            "(its codings stay on the earlier text)"
        )
    case_id = b.case_id(p.case)
    if case_id is not None and b.document_with_text(case_id, p.sha) is not None:
        return [AddCase(p.case, p.source.attributes)], UNCHANGED
    meta: dict[str, Any] = {
        **p.source.meta,
        "source": str(p.cand.path),
        "path": str(p.cand.abs),
        "segmentation": segmentation,
    }
    if p.source.encoding:
        meta["encoding"] = p.source.encoding
    source = p.source
    document = AddDocument(
        p.case, plan.name, source.fmt, source.text, p.sha, p.spans, meta, source.attributes
    )
    return [document], None
