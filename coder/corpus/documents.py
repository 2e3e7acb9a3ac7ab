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
    another_report,
    by_name,
    gone_parts,
    met_as_copy,
    met_earlier,
    other_values,
    part_name,
    parts_before,
    plan_files,
    refuse_whole,
    said,
)
from coder.corpus.importing import (
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
    project_files,
    sha,
)
from coder.corpus.parts import NoHeading, case_of, case_parts, match_parts, table_rows
from coder.corpus.project import ProjectBatch, ProjectStore, StoredDocument
from coder.corpus.readers import SourceText, Unreadable, read_document
from coder.corpus.segment import document_blocks, segment_document
from coder.corpus.span import Span
from coder.corpus.structure import Block
from coder.errors import CoderError, StoreError
from coder.i18n import _


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

    def read(self) -> tuple[str, str, str | None]:
        """Its text's sha256, its file's, its part."""
        return (self.sha, self.meta["file_sha256"], self.part)


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
    into new documents' ``meta["attributes"]`` (met again: ``corpus.earlier``).
    """
    level = heading_level(case_from)
    summary = ImportSummary()
    candidates = collect_files(paths, summary, project_files(store.db))
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
            summary.skipped.append(
                (str(cand.path), _("cannot read ({reason})").format(reason=exc.strerror))
            )
            continue
        except NoHeading:
            raise  # before anything is written: every file is read first
        except CoderError as exc:
            failure = str(exc)
        except (ValueError, MemoryError, RecursionError) as exc:  # spaCy, markdown-it: odd input
            failure = _("cannot segment it ({error}: {reason})").format(
                error=type(exc).__name__, reason=exc
            )
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
            report.skipped.append(
                _("'{heading}' has no text; skipped").format(heading=part.heading)
            )
            continue
        meta = {"part": name, "part_start": part.start, "part_end": part.end, "part_level": level}
        parsed.append(
            _Parsed(cand, plan, source, case_of(part.heading), part.text, sha(part.text), spans,
                    report, table_rows(spans, part.blocks), name, meta)
        )  # fmt: skip
    return parsed


def _kept(summary: ImportSummary) -> str:
    if not summary.documents:
        return _("nothing was imported")
    return _(
        "it was not imported; {documents} documents ({segments} segments) imported before it "
        "were kept"
    ).format(documents=summary.documents, segments=summary.segments)


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
            said = _(
                "{file}: cannot write to the project ({reason}); nothing from {first} on was "
                "imported"
            ).format(file=current.cand.path, reason=exc, first=parsed[i].cand.path)
            if summary.documents:
                said += "; " + _(
                    "the {documents} documents ({segments} segments) imported before it were kept"
                ).format(documents=summary.documents, segments=summary.segments)
            raise ImportStopped(said, summary) from None
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
            outcomes = [_whole_changes(b, first, segmentation, earlier, notes)]
        else:
            outcomes = _parts_changes(b, parsed, segmentation, earlier, notes)
    except Refused as refused:
        summary.skipped.append((str(first.cand.path), str(refused)))
        first.report.skipped[:] = [str(refused)]
        return
    for p, changes, outcome, _doc in outcomes:
        summary.new_cases += b.apply(changes).new_cases
        where = str(p.cand.path) + (f" ({p.part})" if p.part else "")
        summary.count(p.report, outcome, where, p.case, len(p.spans), p.table_rows)
    first.report.skipped += notes[read:]
    summary.notes += [f"{first.cand.path}: {note}" for note in notes]


def _whole_changes(
    b: ProjectBatch, p: _Parsed, segmentation: str, earlier: Earlier, notes: list[str]
) -> Outcome:
    """What importing a file as one document changes, and why not when it adds none:
    ``UNCHANGED``, ``LABELLED``, or the reason it is skipped. Its earlier document is the
    one of its name (``X``, or ``X (år=2019)`` beside another year's ``X``)."""
    given = p.meta.get("attributes") or {}
    now, others, free = by_name(b, p.plan.target(p.sha), p.cand, given)
    if now is not None:
        return (p, *met_earlier(now, p.read(), given, notes), now)
    if {str(p.cand.abs), None} & earlier.in_parts:
        refuse_whole(b, p.cand, given)
    return _new_changes(b, p, free, segmentation, earlier, notes, others)


def _parts_changes(
    b: ProjectBatch, parsed: list[_Parsed], segmentation: str, earlier: Earlier, notes: list[str]
) -> list[Outcome]:
    """A file's parts, each matched to its earlier document (``match_parts``) or new;
    the parts no longer in the file are noted. Earlier parts with another value of a given
    attribute are another report: not matched, and the new parts' names say the value."""
    given = parsed[0].meta.get("attributes") or {}
    before, others = parts_before(b, parsed[0].cand, given, parsed[0].meta["part_level"])
    matched = match_parts(
        [(p.part or "", p.sha) for p in parsed], before, parsed[0].meta["file_sha256"]
    )
    label = f" ({said(given)})" if others else ""
    outcomes: list[Outcome] = []
    taken: set[str] = set()
    for p, doc in zip(parsed, matched, strict=True):
        if doc is None:
            name = part_name(b, p.plan.name, p.cand, p.part or "", taken, label)
            taken.add(name)
            mine = [d for d in others if d.meta.get("part") == p.part or d.sha256 == p.sha]
            outcomes.append(_new_changes(b, p, name, segmentation, earlier, notes, mine))
            continue
        outcomes.append((p, *met_earlier(doc, p.read(), given, notes), doc))
    notes += gone_parts(before, matched)
    return outcomes


def _new_changes(
    b: ProjectBatch,
    p: _Parsed,
    name: str,
    segmentation: str,
    earlier: Earlier,
    notes: list[str],
    others: list[StoredDocument],
) -> Outcome:
    """A new document, unless its text or file is in its case already (a copy: said in
    ``notes``) with no other value of a given attribute; ``others``: the earlier documents
    the file matched that are other reports (the first is named in the note)."""
    given = p.meta.get("attributes") or {}
    case_id = b.case_id(p.case)
    if case_id is not None:
        copy, changes, outcome, conflicting = met_as_copy(
            b, earlier, case_id, p.read(), given, notes
        )
        if copy is not None:
            return (p, [AddCase(p.case, p.source.attributes), *changes], outcome, copy)
        others = [*others, *conflicting]
        older = earlier.read_before(case_id, p.cand.path.name, p.part, p.source.meta)
        if older is not None and not other_values(older, given):
            raise Refused(
                _(
                    "imported before as '{name}' by an earlier coder version that read it "
                    "differently; nothing imported (a different file of that name: rename it)"
                ).format(name=older.name)
            )
    if others:
        notes.append(another_report(name, others[0], given, p.sha))
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
