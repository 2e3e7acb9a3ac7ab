"""Importing document files and folders: one document per file (or per case heading in it,
``--case-from heading``), split into passages along its structure.

Document names (unique in a project) are the file's name, or for a folder the folder's
name and the path inside it; two different files that would get the same name (``a/x.txt``
and ``b/x.txt``) get as many of their folders as tell them apart. A file is recognised
again by the absolute path recorded with its document (older projects: the path it was
imported from). Each file's changes are planned from what the project holds in the
transaction that writes them, so a file imported meanwhile is not imported twice.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coder.corpus import importing
from coder.corpus.changes import AddCase, AddDocument, Change
from coder.corpus.importing import (
    Candidate,
    FileReport,
    ImportStopped,
    ImportSummary,
    Progress,
    case_name,
    collect_files,
    heading_level,
    same_file,
    sha,
)
from coder.corpus.parts import NoHeading, case_parts, table_rows
from coder.corpus.project import ProjectBatch, ProjectStore, StoredDocument
from coder.corpus.readers import SourceText, Unreadable, read_document
from coder.corpus.segment import document_blocks, segment_document
from coder.corpus.span import Span
from coder.corpus.structure import Block
from coder.errors import CoderError, StoreError

UNCHANGED = "unchanged"


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
    """One document to write: a whole file, or one part of it (``--case-from heading``)."""

    cand: Candidate
    plan: _Plan
    source: SourceText
    case: str
    text: str
    sha: str
    spans: list[Span]
    report: FileReport  # the file's, shared by its parts
    table_rows: int = 0
    part: str | None = None  # the part's name in the file: its case heading
    meta: dict[str, Any] = field(default_factory=dict)


def import_documents(
    store: ProjectStore,
    paths: Iterable[str | Path],
    *,
    case_from: str = "auto",
    segmentation: str = "paragraph",
    progress: Progress | None = None,
    attributes: Mapping[str, str] | None = None,
) -> ImportSummary:
    """Import TXT/MD/DOCX/PDF files and folders: one document per file, segmented along
    its structure (headings, lists, tables; see ``coder.corpus.segment``).

    The case is the front matter's ``case`` if given, else from ``case_from``:
    ``filename`` (the file's name without suffix), ``folder`` (its folder's name),
    or ``auto`` (folder for files in sub-folders of an imported folder, else filename).
    ``heading`` (or ``heading:N``) makes each top-level (level-N) heading's section a
    document of its own, whose case is the heading's text (``coder.corpus.parts``); every
    file is read and checked before anything is written. ``attributes`` (``år=2019``) go
    into each new document's ``meta["attributes"]``.
    """
    level = heading_level(case_from)
    summary = ImportSummary()
    candidates = collect_files(paths, summary)
    plans = _plan(store, candidates)
    language = store.codebook().language
    extra = {"attributes": dict(attributes)} if attributes else {}
    pending: list[_Parsed] = []
    for done, (cand, plan) in enumerate(zip(candidates, plans, strict=True), start=1):
        failure = None
        try:
            source = read_document(cand.path)
            blocks = document_blocks(source.text, source.blocks, source.fmt)
            report = FileReport(cand.path.name)
            if level is None:
                case = source.case or case_name(cand, case_from)
                spans = segment_document(source.text, blocks, source.fmt, segmentation, language)
                rows = table_rows(spans, blocks)
                whole = _Parsed(cand, plan, source, case, source.text, sha(source.text), spans,
                                report, rows, meta=dict(extra))  # fmt: skip
                parsed = [whole]
            else:
                parsed = _parts(cand, plan, source, blocks, level, segmentation, language, report)
                for p in parsed:
                    p.meta.update(extra)
                summary.notes += [f"{cand.path}: {note}" for note in report.skipped]
        except Unreadable as exc:
            summary.skipped.append((str(cand.path), str(exc)))
            continue
        except NoHeading:
            raise  # before anything is written: every file is read first
        except CoderError as exc:
            failure = str(exc)
        except (ValueError, MemoryError, RecursionError) as exc:  # spaCy, markdown-it: odd input
            failure = f"cannot segment it ({type(exc).__name__}: {exc})"
        finally:
            if progress:
                progress(done, len(candidates))
        if failure is not None:
            _write_documents(store, pending, segmentation, summary)  # the files before it
            raise ImportStopped(f"{cand.path}: {failure}; {_kept(summary)}", summary)
        pending += parsed
        if level is None and (
            sum(len(p.spans) for p in pending) >= importing.BATCH_ROWS or len(pending) >= 50
        ):
            _write_documents(store, pending, segmentation, summary)
            pending = []
    _write_documents(store, pending, segmentation, summary)
    return summary


def _parts(
    cand: Candidate,
    plan: _Plan,
    source: SourceText,
    blocks: list[Block],
    level: int,
    segmentation: str,
    language: str,
    report: FileReport,
) -> list[_Parsed]:
    """A file's sections under its level-``level`` headings, each a document of its own."""
    parsed: list[_Parsed] = []
    for name, part in case_parts(str(cand.path), source.text, blocks, level, report.skipped):
        spans = segment_document(part.text, part.blocks, source.fmt, segmentation, language)
        if not spans:
            report.skipped.append(f"'{part.heading}' has no text; skipped")
            continue
        meta = {"part": name, "part_start": part.start, "part_end": part.end}
        parsed.append(
            _Parsed(cand, plan, source, part.heading, part.text, sha(part.text), spans, report,
                    table_rows(spans, part.blocks), name, meta)
        )  # fmt: skip
    return parsed


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
                    j == i
                    or parsed[j].cand is parsed[j - 1].cand  # a file's parts go together
                    or time.monotonic() - started < importing.BATCH_SECONDS
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
        for p in parsed[i:j]:
            if not any(r is p.report for r in summary.files):
                summary.files.append(p.report)
        i = j


def _write_document(b: ProjectBatch, p: _Parsed, segmentation: str, summary: ImportSummary) -> None:
    changes, outcome = _document_changes(b, p, segmentation)
    summary.new_cases += b.apply(changes).new_cases
    report = p.report
    if outcome is None:
        summary.documents += 1
        summary.segments += len(p.spans)
        report.cases.add(p.case)
        report.documents += 1
        report.passages += len(p.spans)
        report.table_rows += p.table_rows
    elif outcome == UNCHANGED:
        summary.unchanged += 1
        report.unchanged += 1
    else:
        where = str(p.cand.path) + (f" ({p.part})" if p.part else "")
        summary.skipped.append((where, outcome))
        report.skipped.append(outcome)


def _document_changes(
    b: ProjectBatch, p: _Parsed, segmentation: str
) -> tuple[list[Change], str | None]:
    """What importing one file changes, and why not when it adds no document:
    ``UNCHANGED``, or the reason it is skipped."""
    plan = p.plan
    if p.part is not None:
        now, name = _part_target(b, p)
    else:
        earlier = plan.mine
        # An older document of this name whose file cannot be told is this file's, unless
        # another file of this import has the same name (then only if the text is the same).
        if earlier is None and plan.maybe and (not plan.clashes or plan.maybe.sha256 == p.sha):
            earlier = plan.maybe
        name = earlier.name if earlier else plan.name
        now = b.document(name)
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
        **p.meta,
    }
    if p.source.encoding:
        meta["encoding"] = p.source.encoding
    source = p.source
    document = AddDocument(
        p.case, name, source.fmt, p.text, p.sha, p.spans, meta, source.attributes
    )
    return [document], None


def _part_target(b: ProjectBatch, p: _Parsed) -> tuple[StoredDocument | None, str]:
    """A part's document from an earlier import of its file, or else the name for a new one:
    ``FILE#Heading``, with as many of the file's folders as tell it from other files' parts."""
    names = [f"{n}#{p.part}" for n in p.cand.names()]
    first = f"{p.plan.name}#{p.part}"
    found = b.documents_by_name([first, *names])
    for name in names:
        doc = found.get(name)
        if doc is not None and same_file(doc.meta, p.cand.abs):
            return doc, name
    free = next((n for n in [first, *names] if n not in found), None)
    return None, free or f"{p.cand.abs.as_posix()}#{p.part}"
