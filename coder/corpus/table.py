"""Importing a table (CSV, TSV, XLSX): one passage per row, optionally with codings.

A row's passage is known by its file and its id (without an id column: its row number),
never across files; the file's rows are documents named ``data.csv#ID`` (with as many
folders as tell the file apart from another of the same name). Rows are written a few
thousand at a time, each transaction planned in full (``RowsPlan``) before it is written.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coder.corpus import importing
from coder.corpus.changes import (
    AddCase,
    AddDocument,
    Change,
    CodePassages,
    Passage,
    ReplacePassageText,
)
from coder.corpus.importing import Candidate, ImportStopped, ImportSummary, Progress, same_file, sha
from coder.corpus.project import ProjectStore, StoredDocument
from coder.corpus.readers import Unreadable, read_table
from coder.corpus.rows import Columns, Row, case_attributes, check_options, table_rows
from coder.corpus.span import Span
from coder.errors import ImportError_, StoreError
from coder.i18n import _
from coder.model.codebook import Question


def import_table(
    store: ProjectStore,
    path: str | Path,
    *,
    text_column: str,
    case_column: str | None = None,
    id_column: str | None = None,
    code_column: str | None = None,
    question: str | None = None,
    coder: str | None = None,
    update: bool = False,
    progress: Progress | None = None,
    attribute_columns: Sequence[str] = (),
    attributes: Mapping[str, str] | None = None,
) -> ImportSummary:
    """Import one passage per row of a CSV/XLSX file, optionally with earlier codings.

    A row's passage is known by its file and its id (without an id column: its row
    number), never across files: a row imported before with the same text gets the
    codings attached, nothing is duplicated; a row whose id was imported before with
    another text becomes a new passage, or with ``update`` gives that passage its new text
    (its codings stay). Codes may be given by id or label, several separated by ``;`` in a
    ``multi`` question; ``n/a`` (any case) marks the passage not applicable to the
    question. Each of ``attribute_columns`` gives the row's case an attribute (merged into
    its attributes); ``attributes`` go on every row's document (``meta["attributes"]``, the
    year of the file, say). An unknown code or column, one id on rows with different texts,
    or one case with two values of an attribute refuses the whole import before anything
    is written.
    """
    path = Path(path)
    summary = ImportSummary()
    columns = Columns(text_column, case_column, id_column, code_column, tuple(attribute_columns))
    check_options(path, columns, question, update)
    if attributes and any(not str(key).strip() for key in attributes):
        raise ImportError_(_("{file}: an attribute needs a name (KEY=VALUE)").format(file=path))
    q = store.codebook().question(question) if question else None
    try:
        records = read_table(path)
    except Unreadable as exc:
        summary.skipped.append((str(path), str(exc)))
        return summary
    if not records:
        summary.skipped.append((str(path), _("no rows")))
        return summary
    columns.check(path, list(records[0].keys()))
    rows = table_rows(records, columns, q, path, summary)
    prefix, existing = _table_scope(store, path)
    table = _Table(path, q, coder, existing, _resolve_rows(rows, prefix, existing, update))
    table.case_attributes = case_attributes(rows, path)
    table.attributes = {str(k).strip(): str(v) for k, v in (attributes or {}).items()}
    table.read(store, rows)
    _write_rows(store, table, rows, summary, progress)
    return summary


def _table_scope(store: ProjectStore, path: Path) -> tuple[str, dict[str, StoredDocument]]:
    """The prefix of this file's document names (``data.csv#``), and its documents so far.

    The prefix is the file's name, with as many folders as tell it apart from another file
    of the same name imported before (``2025/data.csv#``)."""
    cand = Candidate(path, path.name, None, Path(os.path.abspath(path)))
    names = cand.names()
    with store.batch(write=False) as b:
        scopes = [(name + "#", b.documents_under(name + "#")) for name in names]
    unknown = None
    for prefix, docs in scopes:
        if not docs:
            continue
        judged = {same_file(doc.meta, cand.abs) for doc in docs.values()}
        if True in judged:
            return prefix, docs
        if judged == {None} and unknown is None and prefix == names[0] + "#":
            unknown = (prefix, docs)  # an older project's table, imported from elsewhere
    if unknown is not None:
        return unknown
    for prefix, docs in scopes:
        if not docs:
            return prefix, {}
    return cand.abs.as_posix() + "#", {}


@dataclass
class _Target:
    name: str  # the document (one passage) the row goes to
    new: bool  # a new document, created by the first row that goes there
    update: StoredDocument | None = None  # an earlier passage of the same id, given this text
    version: bool = False  # a new passage for an id imported before with another text


def _resolve_rows(
    rows: list[Row],
    prefix: str,
    existing: dict[str, StoredDocument],
    update: bool,
) -> dict[int, _Target]:
    """id(row) -> where it goes: its passage of the same text, a new one, or (``update``)
    its earlier passage of the same id, to be given the row's text."""
    targets: dict[int, _Target] = {}
    seen: set[str] = set()
    for r in rows:
        base = prefix + (r.external_id if r.external_id else f"row{r.line}")
        digest = sha(r.text)
        doc = existing.get(base)
        version = f"{base}~{digest[:12]}"  # the same id with another text, imported as well
        if doc is None:
            target = _Target(base, base not in seen)
        elif doc.sha256 == digest:
            target = _Target(base, False)
        elif version in existing:
            target = _Target(version, False)
        elif update:
            target = _Target(base, False, doc if base not in seen else None)
        else:
            target = _Target(version, version not in seen, version=True)
        seen.add(target.name)
        targets[id(r)] = target
    return targets


@dataclass
class _Table:
    """One import of a table: where its rows go, and what the project holds already."""

    path: Path
    question: Question | None
    coder: str | None
    existing: dict[str, StoredDocument]
    targets: dict[int, _Target]  # id(row) -> where it goes
    abs_path: str = ""
    scoped: bool = False  # two documents' passages may have the same external id
    segment_of: dict[str, int] = field(default_factory=dict)  # document name -> its passage
    taken_ids: set[str] = field(default_factory=set)  # external ids in use (unscoped ids)
    case_attributes: dict[str, dict[str, str]] = field(default_factory=dict)  # from columns
    cases_given: set[str] = field(default_factory=set)  # cases given them so far
    attributes: dict[str, str] = field(default_factory=dict)  # of every row's document

    def read(self, store: ProjectStore, rows: list[Row]) -> None:
        self.abs_path = str(Path(os.path.abspath(self.path)))
        with store.batch(write=False) as b:
            self.scoped = b.external_ids_scoped()
            if not self.scoped:
                wanted = [r.external_id for r in rows if r.external_id]
                self.taken_ids = set(b.segments_by_external_id(wanted))
            first_seg = b.first_segments([doc.id for doc in self.existing.values()])
        for doc in self.existing.values():
            if doc.id in first_seg:
                self.segment_of[doc.name] = first_seg[doc.id]

    def meta(self, row: Row) -> dict[str, Any]:
        meta: dict[str, Any] = {"source": str(self.path), "path": self.abs_path, "row": row.line}
        if self.attributes:
            meta["attributes"] = dict(self.attributes)
        return meta


def _write_rows(
    store: ProjectStore,
    table: _Table,
    rows: list[Row],
    summary: ImportSummary,
    progress: Progress | None,
) -> None:
    """Rows in transactions of at most ``BATCH_ROWS`` rows and ``BATCH_CHARS`` characters."""
    start = 0
    while start < len(rows):
        end, chars = start, 0
        while end < len(rows) and (
            end == start or (end - start < importing.BATCH_ROWS and chars < importing.BATCH_CHARS)
        ):
            chars += len(rows[end].text)
            end += 1
        batch = rows[start:end]
        plan = _plan_rows(table, batch)
        try:
            with store.batch() as b:
                applied = b.apply(plan.changes)
        except StoreError as exc:  # a full disk; locked too long
            before = (
                _(
                    "rows {first}-{last} were imported before it (importing the file again "
                    "completes it)"
                ).format(first=rows[0].line, last=rows[start - 1].line)
                if start
                else _("nothing was imported")
            )
            raise ImportStopped(
                _(
                    "{file} rows {first}-{last}: cannot write to the project ({reason}); {before}"
                ).format(
                    file=table.path,
                    first=batch[0].line,
                    last=batch[-1].line,
                    reason=exc,
                    before=before,
                ),
                summary,
            ) from None
        table.segment_of.update((name, ids[0]) for name, ids in applied.passages.items())
        table.taken_ids |= plan.ids_used
        plan.summary.new_cases = applied.new_cases
        plan.summary.updated_coded = applied.replaced_coded
        plan.summary.codings = applied.codings_added
        summary.add(plan.summary)
        if progress:
            progress(end, len(rows))
        start = end


@dataclass
class RowsPlan:
    """One transaction's rows: new passages, replaced texts, then the codings."""

    changes: list[Change] = field(default_factory=list)
    summary: ImportSummary = field(default_factory=ImportSummary)
    ids_used: set[str] = field(default_factory=set)  # external ids the new passages take


def _plan_rows(table: _Table, batch: list[Row]) -> RowsPlan:
    plan = RowsPlan()
    for case in dict.fromkeys(r.case for r in batch):  # with the first of its rows
        if case in table.case_attributes and case not in table.cases_given:
            plan.changes.append(AddCase(case, table.case_attributes[case]))
            table.cases_given.add(case)
    new_rows = [r for r in batch if table.targets[id(r)].new]
    for r in new_rows:
        plan.changes.append(_new_passage(table, r, plan))
    counts = plan.summary
    counts.documents = counts.segments = len(new_rows)
    counts.new_versions = sum(1 for r in new_rows if table.targets[id(r)].version)
    for r in batch:
        target = table.targets[id(r)]
        if not target.new and target.update is None and target.name in table.existing:
            counts.attached += 1
        if target.update is not None:
            plan.changes.append(_new_text(table, r, target.update))
            counts.updated += 1
    if table.question is not None and any(r.codes for r in batch):
        codes: list[tuple[Passage, list[str]]] = [
            (_passage(table, r), r.codes) for r in batch if r.codes
        ]
        plan.changes.append(CodePassages(table.coder, table.question, codes))
    return plan


def _new_passage(table: _Table, r: Row, plan: RowsPlan) -> AddDocument:
    """A row's new document; its id is the passage's external id unless another passage
    holds it already (then the id is kept in the document's metadata only)."""
    ext = r.external_id
    if ext and not table.scoped:
        if ext in table.taken_ids or ext in plan.ids_used:  # another file's (or version's)
            plan.summary.ids_in_name_only += 1
            ext = None
        else:
            plan.ids_used.add(ext)
    meta = table.meta(r)
    if ext is None and r.external_id:
        meta["id"] = r.external_id
    return AddDocument(
        r.case,
        table.targets[id(r)].name,
        table.path.suffix.lower()[1:],
        r.text,
        sha(r.text),
        [Span(0, len(r.text), r.text, ext)],
        meta,
    )


def _new_text(table: _Table, r: Row, earlier: StoredDocument) -> ReplacePassageText:
    meta = dict(earlier.meta)
    meta["earlier_texts"] = [*meta.get("earlier_texts", []), earlier.sha256]
    meta.update(table.meta(r))
    return ReplacePassageText(earlier.id, table.segment_of[earlier.name], r.text, sha(r.text), meta)


def _passage(table: _Table, r: Row) -> Passage:
    """The row's passage: stored already, or the first of its document added in this plan."""
    name = table.targets[id(r)].name
    return table.segment_of.get(name, (name, 0))
