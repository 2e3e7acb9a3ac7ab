"""Importing documents and tables into a project, without ever leaving half a file.

Files are read and segmented outside any transaction; what they add is then written in
short transactions (a few files, or a few thousand table rows, each well under a second),
so the coding screen never waits long for the write lock. A file is always written whole
or not at all: should writing fail (disk full, say), the import stops with one line naming
the file and the cause, and says what was imported before it. A refused import (unknown
code, missing column, clashing ids) is refused before anything is written. Files that
cannot be read are skipped and listed with their reason; importing the same material again
adds nothing twice.

Document names (unique in a project) are the file's name, or for a folder the folder's
name and the path inside it; two different files that would get the same name (``a/x.txt``
and ``b/x.txt``) get as many of their folders as tells them apart. A file is recognised
again by the absolute path recorded with its document (older projects: the path it was
imported from).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from coder.corpus.readers import (
    DOCUMENT_SUFFIXES,
    NOTE_NAMES,
    TABLE_SUFFIXES,
    SourceText,
    Unreadable,
    decode_text,
    read_document,
)
from coder.corpus.segment import segment
from coder.errors import CoderError, ImportError_, StoreError
from coder.model.codebook import NOT_APPLICABLE
from coder.store import NewDocument, Span, Store, default_coder
from coder.store import schema as t
from coder.store.codings import Change, changes_to_set

CASE_FROM = ("auto", "folder", "filename")
Progress = Callable[[int, int], None]  # (done, total)

# Bounds on one write transaction: it ends after the file or row that passes either.
BATCH_SECONDS = 0.25  # documents: time spent writing in one transaction
BATCH_ROWS = 1000  # tables: rows per transaction (0.1-0.3 s here)
BATCH_CHARS = 4_000_000  # tables: characters of text per transaction


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


class ImportStopped(ImportError_):
    """Writing failed part-way; ``summary`` tells what was imported (and kept) before."""

    def __init__(self, message: str, summary: ImportSummary):
        super().__init__(message)
        self.summary = summary


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cause(exc: BaseException) -> str:
    """A database or OS failure in a few words (``database or disk is full``)."""
    if isinstance(exc, StoreError):
        return str(exc)
    orig = getattr(exc, "orig", None) or exc
    text = getattr(orig, "strerror", None) or str(orig)
    return " ".join(str(text).split()) or type(orig).__name__


# -- what a project already holds (reads and writes the Store has no method for yet) --------


@dataclass(frozen=True)
class _Existing:
    id: int
    name: str
    sha256: str
    meta: dict


def _existing_named(conn: sa.Connection, names: list[str]) -> dict[str, _Existing]:
    d = t.documents.c
    found: dict[str, _Existing] = {}
    for i in range(0, len(names), 500):
        for row in conn.execute(
            sa.select(d.id, d.name, d.sha256, d.meta).where(d.name.in_(names[i : i + 500]))
        ):
            found[row.name] = _Existing(row.id, row.name, row.sha256, dict(row.meta or {}))
    return found


def _existing_under(conn: sa.Connection, prefix: str) -> dict[str, _Existing]:
    """Documents whose name starts with ``prefix`` (a table file's rows: ``data.csv#``)."""
    d = t.documents.c
    return {
        row.name: _Existing(row.id, row.name, row.sha256, dict(row.meta or {}))
        for row in conn.execute(
            sa.select(d.id, d.name, d.sha256, d.meta).where(
                d.name.startswith(prefix, autoescape=True)
            )
        )
        if row.name.startswith(prefix)  # SQLite's LIKE ignores the case of ASCII letters
    }


def _replace_passage_texts(
    conn: sa.Connection, items: list[tuple[_Existing, int, str, str, dict]]
) -> int:
    """Give one-passage documents new text: (document, segment id, text, sha, meta).

    The passage keeps its id and so its codings, memos and history; its suggestions and
    stored embedding, computed from the old text, are dropped. Returns how many of the
    passages had codings."""
    d, s = t.documents.c, t.segments.c
    for doc, seg_id, text, sha, meta in items:
        conn.execute(
            t.documents.update().where(d.id == doc.id).values(text=text, sha256=sha, meta=meta)
        )
        conn.execute(
            t.segments.update()
            .where(s.id == seg_id)
            .values(text=text, start_char=0, end_char=len(text))
        )
    seg_ids = [seg_id for _, seg_id, *_ in items]
    coded = 0
    for i in range(0, len(seg_ids), 500):
        chunk = seg_ids[i : i + 500]
        conn.execute(t.suggestions.delete().where(t.suggestions.c.segment_id.in_(chunk)))
        conn.execute(
            t.segment_embeddings.delete().where(t.segment_embeddings.c.segment_id.in_(chunk))
        )
        coded += conn.execute(
            sa.select(sa.func.count(sa.distinct(t.codings.c.segment_id))).where(
                t.codings.c.segment_id.in_(chunk)
            )
        ).scalar_one()
    return coded


def _external_ids_scoped() -> bool:
    """Whether the schema lets two documents' passages have the same external id."""
    return not t.segments.c.external_id.unique


# -- documents ---------------------------------------------------------------------------------


@dataclass
class _Candidate:
    path: Path
    name: str  # the name it had before names could clash: relative to the folder's parent
    root: Path | None  # the folder given on the command line, if any
    abs: Path = field(default=Path())  # absolute path (folders resolved, the file itself not)

    def names(self) -> list[str]:
        """Possible document names, shortest first: ``name``, then with more folders."""
        parts = self.abs.parts[1:]  # without the anchor ("/")
        n = len(Path(self.name).parts)
        return [self.name] + ["/".join(parts[-k:]) for k in range(n + 1, len(parts) + 1)]


def collect_files(paths: Iterable[str | Path], summary: ImportSummary) -> list[_Candidate]:
    """The document files under ``paths`` (folders recursively), in a stable order."""
    found: list[_Candidate] = []
    seen: set[Path] = set()

    def add(cand: _Candidate) -> None:
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
                    add(_Candidate(file, name, path, root / rel))
        elif path.suffix.lower() in DOCUMENT_SUFFIXES:
            add(_Candidate(path, path.name, None, Path(os.path.abspath(path))))
        else:
            summary.skipped.append((str(path), f"unsupported file type '{path.suffix}'"))
    return found


def case_name(candidate: _Candidate, case_from: str) -> str:
    path = candidate.path
    in_subfolder = candidate.root is not None and path.parent.resolve() != candidate.root.resolve()
    if case_from == "folder" or (case_from == "auto" and in_subfolder):
        return path.resolve().parent.name
    if case_from in ("filename", "auto"):
        return path.stem
    raise ImportError_(f"unknown --case-from '{case_from}' (expected {', '.join(CASE_FROM)})")


def _same_file(doc: _Existing, path: Path) -> bool | None:
    """Whether ``doc`` was imported from the file at ``path`` (None: cannot tell)."""
    recorded = doc.meta.get("path")
    if recorded:
        return recorded == str(path)
    source = doc.meta.get("source")  # older projects: the path as it was given
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


@dataclass
class _Plan:
    """Where a file goes: its earlier document, or a new one named ``name``."""

    mine: _Existing | None  # its document, imported before
    maybe: _Existing | None  # a document of the same name that may be its own (older project)
    name: str  # the name for a new document
    clashes: bool  # another file of this import had the same name


def _plan(store: Store, candidates: list[_Candidate]) -> list[_Plan]:
    options = [c.names() for c in candidates]
    shared = Counter(name for names in options for name in names)
    with store.read() as conn:
        existing = _existing_named(conn, sorted(shared))
    plans = []
    for cand, names in zip(candidates, options, strict=True):
        mine = maybe = None
        for name in names:
            doc = existing.get(name)
            if doc is None:
                continue
            same = _same_file(doc, cand.abs)
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
    cand: _Candidate
    plan: _Plan
    source: SourceText
    case: str
    sha: str
    spans: list[Span]


def import_documents(
    store: Store,
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
        pending.append(_Parsed(cand, plan, source, case, _sha(source.text), spans))
        if sum(len(p.spans) for p in pending) >= BATCH_ROWS or len(pending) >= 50:
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
    store: Store, parsed: list[_Parsed], segmentation: str, summary: ImportSummary
) -> None:
    """Write parsed files in transactions of about ``BATCH_SECONDS`` each, whole files only."""
    i = 0
    while i < len(parsed):
        batch = ImportSummary()
        current = parsed[i]
        try:
            with store.write() as conn:
                started = time.monotonic()
                j = i
                while j < len(parsed) and (j == i or time.monotonic() - started < BATCH_SECONDS):
                    current = parsed[j]
                    _write_document(store, conn, current, segmentation, batch)
                    j += 1
        except (sa.exc.DBAPIError, StoreError) as exc:  # a full disk; locked too long
            raise ImportStopped(
                f"{current.cand.path}: cannot write to the project ({_cause(exc)}); "
                f"nothing from {parsed[i].cand.path} on was imported"
                + (
                    f"; the {summary.documents} documents ({summary.segments} segments) "
                    "imported before it were kept"
                    if summary.documents
                    else ""
                ),
                summary,
            ) from None
        for name in ("documents", "segments", "new_cases", "unchanged"):
            setattr(summary, name, getattr(summary, name) + getattr(batch, name))
        summary.skipped.extend(batch.skipped)
        i = j


def _write_document(
    store: Store, conn: sa.Connection, p: _Parsed, segmentation: str, summary: ImportSummary
) -> None:
    plan, cand = p.plan, p.cand
    earlier = plan.mine
    # An older document of this name whose file cannot be told is this file's, unless
    # another file of this import has the same name (then only if the text is the same).
    if earlier is None and plan.maybe and (not plan.clashes or plan.maybe.sha256 == p.sha):
        earlier = plan.maybe
    now = store.document_in(conn, earlier.name if earlier else plan.name)
    if now is not None:
        if now.sha256 == p.sha:
            summary.unchanged += 1
        else:
            summary.skipped.append(
                (
                    str(cand.path),
                    f"changed since it was imported as '{now.name}'; not imported again "
                    "(its codings stay on the earlier text)",
                )
            )
        return
    before = store.case_count_in(conn)
    case_id = store.case_in(conn, p.case, p.source.attributes)
    summary.new_cases += store.case_count_in(conn) - before
    if store.document_with_text_in(conn, case_id, p.sha) is not None:
        summary.unchanged += 1
        return
    meta: dict[str, Any] = {
        **p.source.meta,
        "source": str(cand.path),
        "path": str(cand.abs),
        "segmentation": segmentation,
    }
    if p.source.encoding:
        meta["encoding"] = p.source.encoding
    store.add_documents_in(
        conn, [NewDocument(case_id, plan.name, p.source.fmt, p.source.text, p.sha, p.spans, meta)]
    )
    summary.documents += 1
    summary.segments += len(p.spans)


# -- tables ------------------------------------------------------------------------------------


@dataclass
class _Row:
    line: int  # 1-based row in the sheet, the header being row 1
    text: str
    case: str
    external_id: str | None
    codes: list[str]


def read_table(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV/TSV/XLSX file as dicts of strings (cells never turned into numbers)."""
    import pandas as pd

    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        else:
            text, _ = decode_text(path.read_bytes())
            if not text.strip():
                raise Unreadable("empty (no rows)")
            sep = "\t" if suffix == ".tsv" else _sniff_separator(text)
            frame = pd.read_csv(
                io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, engine="c"
            )
    except Unreadable:
        raise
    except Exception as exc:  # pandas/openpyxl raise many kinds for damaged files
        raise Unreadable(
            f"not a readable {suffix[1:].upper()} table ({type(exc).__name__}: {exc})"
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.to_dict(orient="records")


def _sniff_separator(text: str) -> str:
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def import_table(
    store: Store,
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
) -> ImportSummary:
    """Import one passage per row of a CSV/XLSX file, optionally with earlier codings.

    A row's passage is known by its file and its id (without an id column: its row
    number), never across files: a row imported before with the same text gets the
    codings attached, nothing is duplicated; a row whose id was imported before with
    another text becomes a new passage, or with ``update`` gives that passage its new text
    (its codings stay). Codes may be given by id or label, several separated by ``;`` in a
    ``multi`` question; ``n/a`` (any case) marks the passage not applicable to the
    question. An unknown code, or one id on rows with different texts, refuses the whole
    import before anything is written.
    """
    path = Path(path)
    summary = ImportSummary()
    if not path.is_file():
        raise ImportError_(f"{path}: no such file")
    if code_column and not question:
        raise ImportError_(
            "--code-column needs --question (which codebook question the codes answer)"
        )
    if update and not id_column:
        raise ImportError_(
            f"{path}: --update needs --id-column (rows are matched to their passages by id)"
        )
    codebook = store.codebook()
    q = codebook.question(question) if question else None
    try:
        records = read_table(path)
    except Unreadable as exc:
        summary.skipped.append((str(path), str(exc)))
        return summary
    columns = list(records[0].keys()) if records else []
    if not records:
        summary.skipped.append((str(path), "no rows"))
        return summary
    for option, column in (
        ("--text-column", text_column),
        ("--case-column", case_column),
        ("--id-column", id_column),
        ("--code-column", code_column),
    ):
        if column and column not in columns:
            raise ImportError_(
                f"{path}: {option} '{column}' is not a column (columns: {', '.join(columns)})"
            )

    rows: list[_Row] = []
    first_of: dict[str, _Row] = {}
    for i, rec in enumerate(records, start=2):
        text = (rec.get(text_column) or "").replace("\r\n", "\n").strip()
        ext = (rec.get(id_column) or "").strip() if id_column else ""
        codes = _parse_codes(rec.get(code_column) or "", q, path, i) if code_column else []
        if not text:
            summary.empty_rows += 1
            continue
        case = (rec.get(case_column) or "").strip() if case_column else ""
        row = _Row(i, text, case or path.stem, ext or None, codes)
        if row.external_id:
            first = first_of.setdefault(row.external_id, row)
            if first.text != row.text:
                raise ImportError_(
                    f"{path} rows {first.line} and {row.line}: the same id '{row.external_id}' "
                    "with different texts (an id names one passage); nothing was imported"
                )
        rows.append(row)

    prefix, existing = _table_scope(store, path)
    targets = _resolve_rows(rows, prefix, existing, update)
    coder = coder or default_coder()
    scoped = _external_ids_scoped()
    abs_path = str(Path(os.path.abspath(path)))
    segment_of: dict[str, int] = {}  # document name -> its passage
    taken_ids: set[str] = set()  # external ids in use (without scoped ids)
    if not scoped:
        with store.read() as conn:
            wanted = [r.external_id for r in rows if r.external_id]
            taken_ids = set(store.segments_by_external_id_in(conn, wanted))
    with store.read() as conn:
        ids = [doc.id for doc in existing.values()]
        first_seg = store.first_segments_in(conn, ids)
    for doc in existing.values():
        if doc.id in first_seg:
            segment_of[doc.name] = first_seg[doc.id]

    batch_start = 0
    done_rows = 0
    while batch_start < len(rows):
        batch_end, chars = batch_start, 0
        while batch_end < len(rows) and (
            batch_end == batch_start
            or (batch_end - batch_start < BATCH_ROWS and chars < BATCH_CHARS)
        ):
            chars += len(rows[batch_end].text)
            batch_end += 1
        batch = rows[batch_start:batch_end]
        part = ImportSummary()
        try:
            with store.write() as conn:
                _write_rows(
                    store,
                    conn,
                    path,
                    abs_path,
                    batch,
                    targets,
                    existing,
                    segment_of,
                    taken_ids,
                    scoped,
                    q,
                    coder,
                    part,
                )
        except (sa.exc.DBAPIError, StoreError) as exc:  # a full disk; locked too long
            before = (
                f"rows {rows[0].line}-{rows[batch_start - 1].line} were imported before it "
                "(importing the file again completes it)"
                if batch_start
                else "nothing was imported"
            )
            raise ImportStopped(
                f"{path} rows {batch[0].line}-{batch[-1].line}: cannot write to the project "
                f"({_cause(exc)}); {before}",
                summary,
            ) from None
        _add(summary, part)
        done_rows += len(batch)
        if progress:
            progress(done_rows, len(rows))
        batch_start = batch_end
    return summary


def _add(total: ImportSummary, part: ImportSummary) -> ImportSummary:
    for name, value in vars(part).items():
        if isinstance(value, int):
            setattr(total, name, getattr(total, name) + value)
    total.skipped.extend(part.skipped)
    return total


def _table_scope(store: Store, path: Path) -> tuple[str, dict[str, _Existing]]:
    """The prefix of this file's document names (``data.csv#``), and its documents so far.

    The prefix is the file's name, with as many folders as tell it apart from another file
    of the same name imported before (``2025/data.csv#``)."""
    cand = _Candidate(path, path.name, None, Path(os.path.abspath(path)))
    names = cand.names()
    with store.read() as conn:
        scopes = [(name + "#", _existing_under(conn, name + "#")) for name in names]
    unknown = None
    for prefix, docs in scopes:
        if not docs:
            continue
        judged = {_same_file(doc, cand.abs) for doc in docs.values()}
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
    update: _Existing | None = None  # an earlier passage of the same id, given this text
    version: bool = False  # a new passage for an id imported before with another text


def _resolve_rows(
    rows: list[_Row],
    prefix: str,
    existing: dict[str, _Existing],
    update: bool,
) -> dict[int, _Target]:
    """id(row) -> where it goes: its passage of the same text, a new one, or (``update``)
    its earlier passage of the same id, to be given the row's text."""
    targets: dict[int, _Target] = {}
    seen: set[str] = set()
    for r in rows:
        base = prefix + (r.external_id if r.external_id else f"row{r.line}")
        sha = _sha(r.text)
        doc = existing.get(base)
        version = f"{base}~{sha[:12]}"  # the same id with another text, imported as well
        if doc is None:
            target = _Target(base, base not in seen)
        elif doc.sha256 == sha:
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


def _write_rows(
    store: Store,
    conn: sa.Connection,
    path: Path,
    abs_path: str,
    batch: list[_Row],
    targets: dict[int, _Target],
    existing: dict[str, _Existing],
    segment_of: dict[str, int],
    taken_ids: set[str],
    scoped: bool,
    q,  # noqa: ANN001 - Question | None
    coder: str,
    summary: ImportSummary,
) -> None:
    """One transaction's rows: new passages, replaced texts, then the codings."""
    new_rows = [r for r in batch if targets[id(r)].new]
    case_ids: dict[str, int] = {}
    before = store.case_count_in(conn)
    for case in dict.fromkeys(r.case for r in new_rows):
        case_ids[case] = store.case_in(conn, case)  # only cases that get a passage
    summary.new_cases += store.case_count_in(conn) - before
    docs: list[NewDocument] = []
    used: set[str] = set()
    for r in new_rows:
        ext = r.external_id
        if ext and not scoped:
            if ext in taken_ids or ext in used:  # another file's (or version's) id already
                summary.ids_in_name_only += 1
                ext = None
            else:
                used.add(ext)
        meta = {"source": str(path), "path": abs_path, "row": r.line}
        if ext is None and r.external_id:
            meta["id"] = r.external_id
        docs.append(
            NewDocument(
                case_ids[r.case],
                targets[id(r)].name,
                path.suffix.lower()[1:],
                r.text,
                _sha(r.text),
                [Span(0, len(r.text), r.text, ext)],
                meta,
            )
        )
    for r, seg_ids in zip(new_rows, store.add_documents_in(conn, docs), strict=True):
        segment_of[targets[id(r)].name] = seg_ids[0]
    taken_ids |= used
    summary.documents += len(new_rows)
    summary.segments += len(new_rows)
    summary.new_versions += sum(1 for r in new_rows if targets[id(r)].version)
    summary.attached += sum(
        1
        for r in batch
        if not targets[id(r)].new
        and targets[id(r)].update is None
        and targets[id(r)].name in existing
    )

    replaced = []
    for r in batch:
        earlier = targets[id(r)].update
        if earlier is None:
            continue
        meta = dict(earlier.meta)
        meta["earlier_texts"] = [*meta.get("earlier_texts", []), earlier.sha256]
        meta.update({"source": str(path), "path": abs_path, "row": r.line})
        replaced.append((earlier, segment_of[earlier.name], r.text, _sha(r.text), meta))
    if replaced:
        summary.updated_coded += _replace_passage_texts(conn, replaced)
        summary.updated += len(replaced)

    if q is None or not any(r.codes for r in batch):
        return
    coder_id = store.coder_in(conn, coder)
    segs = [segment_of[targets[id(r)].name] for r in batch]
    present = store.codes_in(conn, list(set(segs)), q.id, coder_id)
    changes: list[Change] = []
    for r, seg in zip(batch, segs, strict=True):
        if not r.codes:
            continue
        have = present.setdefault(seg, set())
        new = changes_to_set(have, q, seg, r.codes, replace=False)
        for ch in new:
            (have.add if ch.event == "added" else have.discard)(ch.code_id)
        changes.extend(new)
    summary.codings += sum(1 for ch in changes if ch.event == "added")
    store.record_in(conn, coder_id, "import", changes)


def _parse_codes(cell: str, question, path: Path, line: int) -> list[str]:  # noqa: ANN001
    values = [v.strip() for v in str(cell).split(";") if v.strip()]
    ids: list[str] = []
    for value in values:
        if value.casefold() == NOT_APPLICABLE:  # "this question does not apply"
            ids.append(NOT_APPLICABLE)
            continue
        code = question.resolve(value)
        if code is None:
            known = ", ".join(c.id for c in question.codes)
            raise ImportError_(
                f"{path} row {line}: unknown code '{value}' for question '{question.id}' "
                f"(known codes: {known}); nothing was imported"
            )
        ids.append(code.id)
    ids = list(dict.fromkeys(ids))
    if NOT_APPLICABLE in ids and len(ids) > 1:
        raise ImportError_(
            f"{path} row {line}: '{NOT_APPLICABLE}' (not applicable) cannot be combined with "
            f"codes ({'; '.join(values)}); nothing was imported"
        )
    if question.mode == "single" and len(ids) > 1:
        raise ImportError_(
            f"{path} row {line}: question '{question.id}' takes one code, got {len(ids)} "
            f"({'; '.join(values)}); nothing was imported"
        )
    return ids
