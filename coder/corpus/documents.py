"""Importing document files and folders: one document per file (or per case heading in it,
``--case-from heading``), split into passages along its structure.

Document names (unique in a project) are the file's name, or for a folder the folder's
name and the path inside it; two different files that would get the same name (``a/x.txt``
and ``b/x.txt``) get as many of their folders as tell them apart. How a file is
recognised again: ``coder.corpus.earlier``. Each file's changes are planned in the
transaction that writes them, so a file imported meanwhile is not imported twice.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coder.corpus import importing
from coder.corpus.changes import AddCase, AddDocument, Change
from coder.corpus.earlier import (
    Plan,
    Refused,
    attributes_note,
    compared,
    file_parts,
    part_name,
    plan_files,
    refuse_level,
    refuse_parts,
    refuse_whole,
)
from coder.corpus.importing import (
    UNCHANGED,
    Candidate,
    Earlier,
    FileReport,
    ImportStopped,
    ImportSummary,
    Progress,
    case_name,
    collect_files,
    file_sha,
    heading_level,
    sha,
)
from coder.corpus.parts import NoHeading, case_of, case_parts, match_parts, table_rows
from coder.corpus.project import ProjectBatch, ProjectStore, StoredDocument
from coder.corpus.readers import SourceText, Unreadable, read_document
from coder.corpus.segment import document_blocks, segment_document
from coder.corpus.span import Span
from coder.corpus.structure import Block
from coder.errors import CoderError, StoreError


@dataclass
class _Parsed:
    """A document to write: a whole file, or a part of it (``--case-from heading``)."""

    cand: Candidate
    plan: Plan
    source: SourceText
    case: str
    text: str
    sha: str
    spans: list[Span]
    report: FileReport  # the file's
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
    plans, earlier = plan_files(store, candidates)
    language = store.codebook().language
    given = {"attributes": dict(attributes)} if attributes else {}
    pending: list[_Parsed] = []
    for done, (cand, plan) in enumerate(zip(candidates, plans, strict=True), start=1):
        failure = None
        try:
            source = read_document(cand.path)
            blocks = document_blocks(source.text, source.blocks, source.fmt)
            report = FileReport(cand.path.name)
            extra = {**given, "file_sha256": file_sha(cand.path)}  # after reading it: it exists
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
                if not parsed:  # else said when it is written
                    summary.notes += [f"{cand.path}: {note}" for note in report.skipped]
        except Unreadable as exc:
            summary.skipped.append((str(cand.path), str(exc)))
            continue
        except OSError as exc:  # gone or locked since it was read
            summary.skipped.append((str(cand.path), f"cannot read ({exc.strerror})"))
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
            _write_documents(store, pending, segmentation, summary, earlier)  # the files before it
            raise ImportStopped(f"{cand.path}: {failure}; {_kept(summary)}", summary)
        pending += parsed
        if level is None and (
            sum(len(p.spans) for p in pending) >= importing.BATCH_ROWS or len(pending) >= 50
        ):
            _write_documents(store, pending, segmentation, summary, earlier)
            pending = []
    _write_documents(store, pending, segmentation, summary, earlier)
    return summary


def _parts(
    cand: Candidate,
    plan: Plan,
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
        meta = {"part": name, "part_start": part.start, "part_end": part.end, "part_level": level}
        parsed.append(
            _Parsed(cand, plan, source, case_of(part.heading), part.text, sha(part.text), spans,
                    report, table_rows(spans, part.blocks), name, meta)
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
    store: ProjectStore,
    parsed: list[_Parsed],
    segmentation: str,
    summary: ImportSummary,
    earlier: Earlier,
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
                    k = j + 1
                    while k < len(parsed) and parsed[k].cand is current.cand:  # a file's parts
                        k += 1
                    _write_file(b, parsed[j:k], segmentation, part, earlier)
                    j = k
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


Outcome = tuple[_Parsed, list[Change], str | None, StoredDocument | None]


def _write_file(
    b: ProjectBatch,
    parsed: list[_Parsed],
    segmentation: str,
    summary: ImportSummary,
    earlier: Earlier,
) -> None:
    """Write one file (or its parts): all of it, or nothing with one line saying why."""
    first = parsed[0]
    read = len(first.report.skipped)  # notes on what reading it left out
    notes = list(first.report.skipped)
    try:
        if first.part is None:
            outcomes = [_whole_changes(b, first, segmentation, earlier)]
        else:
            outcomes = _parts_changes(b, parsed, segmentation, earlier, notes)
    except Refused as refused:
        summary.skipped.append((str(first.cand.path), str(refused)))
        first.report.skipped[:] = [str(refused)]
        return
    kept = [d for _, _, outcome, d in outcomes if d is not None and outcome == UNCHANGED]
    case = f"'{first.case}'" if first.part is None else "CASE"
    notes += attributes_note(first.meta.get("attributes") or {}, kept, case)
    for p, changes, outcome, _ in outcomes:
        _record(b, p, changes, outcome, summary)
    first.report.skipped += notes[read:]
    summary.notes += [f"{first.cand.path}: {note}" for note in notes]


def _record(
    b: ProjectBatch, p: _Parsed, changes: list[Change], outcome: str | None, summary: ImportSummary
) -> None:
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


def _whole_changes(b: ProjectBatch, p: _Parsed, segmentation: str, earlier: Earlier) -> Outcome:
    """What importing a file as one document changes, and why not when it adds none:
    ``UNCHANGED``, or the reason it is skipped."""
    name = p.plan.target(p.sha)
    now = b.document(name)
    if now is not None:
        return (p, [], compared(now, p.sha, p.meta["file_sha256"]), now)
    if {str(p.cand.abs), None} & earlier.in_parts:
        refuse_whole(b, p.cand)
    return _new_changes(b, p, name, segmentation, earlier)


def _parts_changes(
    b: ProjectBatch, parsed: list[_Parsed], segmentation: str, earlier: Earlier, notes: list[str]
) -> list[Outcome]:
    """A file's parts, each matched to its earlier document (``match_parts``) or new;
    the parts no longer in the file are noted."""
    cand = parsed[0].cand
    refuse_parts(b, cand)
    before = refuse_level(file_parts(b, cand), parsed[0].meta["part_level"])
    matched = match_parts(
        [(p.part or "", p.sha) for p in parsed], before, parsed[0].meta["file_sha256"]
    )
    outcomes: list[Outcome] = []
    taken: set[str] = set()
    for p, doc in zip(parsed, matched, strict=True):
        if doc is None:
            name = part_name(b, p.plan.name, p.cand, p.part or "", taken)
            taken.add(name)
            outcomes.append(_new_changes(b, p, name, segmentation, earlier))
            continue
        outcome = compared(doc, p.sha, p.meta["file_sha256"])
        if outcome == UNCHANGED and doc.meta.get("part") != p.part:
            notes.append(
                f"'{p.part}' is the section imported before as '{doc.meta.get('part')}' "
                f"(the same text); its document '{doc.name}' was left as it was"
            )
        outcomes.append((p, [], outcome, doc))
    notes += [
        f"'{d.meta.get('part')}' is no longer in the file; its document '{d.name}' stays "
        "in the project"
        for d in before
        if d not in matched
    ]
    return outcomes


def _new_changes(
    b: ProjectBatch, p: _Parsed, name: str, segmentation: str, earlier: Earlier
) -> Outcome:
    """A new document, unless its text or file is in its case already (a copy)."""
    case_id = b.case_id(p.case)
    if case_id is not None:
        if b.document_with_text(case_id, p.sha) is not None or earlier.same_bytes(
            case_id, p.meta["file_sha256"], p.part
        ):
            return (p, [AddCase(p.case, p.source.attributes)], UNCHANGED, None)
        older = earlier.read_before(case_id, p.cand.path.name, p.part, p.source.meta)
        if older is not None:
            raise Refused(
                f"imported before as '{older.name}' by an earlier coder version that read it "
                "differently; nothing imported (a different file of that name: rename it)"
            )
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
    return (p, [document], None, None)
