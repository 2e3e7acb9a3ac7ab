"""Importing documents and tables into a project, all or nothing.

An import runs in one transaction: a refused import (unknown code, missing
column) changes nothing. Files that cannot be read are skipped and listed with
their reason; importing the same material again adds nothing twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from coder.codebook import NOT_APPLICABLE
from coder.corpus.readers import (
    DOCUMENT_SUFFIXES,
    NOTE_NAMES,
    TABLE_SUFFIXES,
    Unreadable,
    decode_text,
    read_document,
)
from coder.corpus.segment import segment
from coder.errors import ImportError_
from coder.store import NewDocument, Span, Store, default_coder
from coder.store.codings import Change, changes_to_set

CASE_FROM = ("auto", "folder", "filename")
Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class ImportSummary:
    documents: int = 0
    segments: int = 0
    new_cases: int = 0
    codings: int = 0
    unchanged: int = 0  # already imported, left as they were
    attached: int = 0  # table rows matched to existing segments
    empty_rows: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- documents ---------------------------------------------------------------------------------


@dataclass
class _Candidate:
    path: Path
    name: str  # stable document name: relative to the imported folder's parent
    root: Path | None  # the folder given on the command line, if any


def collect_files(paths: Iterable[str | Path], summary: ImportSummary) -> list[_Candidate]:
    """The document files under ``paths`` (folders recursively), in a stable order."""
    found: list[_Candidate] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise ImportError_(f"{path}: no such file or folder")
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                rel = file.relative_to(path)
                if not file.is_file() or any(p.startswith(".") for p in rel.parts):
                    continue
                name = (Path(path.resolve().name) / rel).as_posix()
                if NOTE_NAMES.match(file.name):
                    summary.skipped.append((str(file), "a note about the folder, not a document"))
                elif file.suffix.lower() in TABLE_SUFFIXES:
                    summary.skipped.append(
                        (str(file), "a table: import it on its own with --text-column")
                    )
                elif file.suffix.lower() not in DOCUMENT_SUFFIXES:
                    summary.skipped.append((str(file), f"unsupported file type '{file.suffix}'"))
                else:
                    found.append(_Candidate(file, name, path))
        elif path.suffix.lower() in DOCUMENT_SUFFIXES:
            found.append(_Candidate(path, path.name, None))
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
    language = store.codebook().language
    with store.write() as conn:
        for done, cand in enumerate(candidates, start=1):
            try:
                source = read_document(cand.path)
            except Unreadable as exc:
                summary.skipped.append((str(cand.path), str(exc)))
                continue
            finally:
                if progress:
                    progress(done, len(candidates))
            case = source.case or case_name(cand, case_from)
            existing = store.document_in(conn, cand.name)
            sha = _sha(source.text)
            if existing is not None:
                if existing.sha256 == sha:
                    summary.unchanged += 1
                else:
                    summary.skipped.append(
                        (
                            str(cand.path),
                            f"changed since it was imported as '{cand.name}'; not imported again "
                            "(its codings stay on the earlier text)",
                        )
                    )
                continue
            before = store.case_count_in(conn)
            case_id = store.case_in(conn, case, source.attributes)
            summary.new_cases += store.case_count_in(conn) - before
            if store.document_with_text_in(conn, case_id, sha) is not None:
                summary.unchanged += 1
                continue
            spans = segment(source.text, segmentation, language)
            meta = {**source.meta, "source": str(cand.path), "segmentation": segmentation}
            if source.encoding:
                meta["encoding"] = source.encoding
            store.add_documents_in(
                conn, [NewDocument(case_id, cand.name, source.fmt, source.text, sha, spans, meta)]
            )
            summary.documents += 1
            summary.segments += len(spans)
    return summary


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
    progress: Progress | None = None,
) -> ImportSummary:
    """Import one passage per row of a CSV/XLSX file, optionally with earlier codings.

    Rows whose id (or, without an id column, whose file and row) were imported
    before are matched to their existing passage: their codings are attached,
    nothing is duplicated. Codes may be given by id or label, several separated
    by ``;`` in a ``multi`` question; ``n/a`` (any case) marks the passage not applicable
    to the question. Any unknown code refuses the whole import.
    """
    path = Path(path)
    summary = ImportSummary()
    if not path.is_file():
        raise ImportError_(f"{path}: no such file")
    if code_column and not question:
        raise ImportError_(
            "--code-column needs --question (which codebook question the codes answer)"
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
    for i, rec in enumerate(records, start=2):
        text = (rec.get(text_column) or "").replace("\r\n", "\n").strip()
        ext = (rec.get(id_column) or "").strip() if id_column else ""
        codes = _parse_codes(rec.get(code_column) or "", q, path, i) if code_column else []
        if not text:
            summary.empty_rows += 1
            continue
        case = (rec.get(case_column) or "").strip() if case_column else ""
        rows.append(_Row(i, text, case or path.stem, ext or None, codes))

    coder = coder or default_coder()
    with store.write() as conn:
        coder_id = store.coder_in(conn, coder) if q else None
        by_ext = store.segments_by_external_id_in(
            conn, [r.external_id for r in rows if r.external_id]
        )
        names = {id(r): _row_document_name(path, r) for r in rows}
        by_name = store.documents_by_name_in(conn, list(names.values()))
        first_seg = store.first_segments_in(conn, [d.id for d in by_name.values()])
        n_cases = store.case_count_in(conn)
        case_ids = {name: store.case_in(conn, name) for name in dict.fromkeys(r.case for r in rows)}
        summary.new_cases = store.case_count_in(conn) - n_cases

        segment_of: dict[int, int] = {}  # id(row) -> segment id
        pending: list[tuple[_Row, NewDocument]] = []
        seen_ext: dict[str, _Row] = {}
        for r in rows:
            if r.external_id and r.external_id in by_ext:
                segment_of[id(r)] = by_ext[r.external_id].id
                summary.attached += 1
            elif not r.external_id and names[id(r)] in by_name:
                segment_of[id(r)] = first_seg[by_name[names[id(r)]].id]
                summary.attached += 1
            elif r.external_id and r.external_id in seen_ext:
                pass  # a repeated id within the file: resolved to the first row below
            else:
                if r.external_id:
                    seen_ext[r.external_id] = r
                span = Span(0, len(r.text), r.text, r.external_id)
                doc = NewDocument(
                    case_ids[r.case],
                    names[id(r)],
                    path.suffix.lower()[1:],
                    r.text,
                    _sha(r.text),
                    [span],
                    {"source": str(path), "row": r.line},
                )
                pending.append((r, doc))
        for done in range(0, len(pending), 2000):
            batch = pending[done : done + 2000]
            for (r, _), seg_ids in zip(
                batch, store.add_documents_in(conn, [d for _, d in batch]), strict=True
            ):
                segment_of[id(r)] = seg_ids[0]
            if progress:
                progress(min(done + 2000, len(pending)), len(pending))
        for r in rows:
            if id(r) not in segment_of:
                segment_of[id(r)] = segment_of[id(seen_ext[r.external_id])]
        summary.documents = summary.segments = len(pending)

        if q is not None and coder_id is not None:
            present = store.codes_in(conn, list(set(segment_of.values())), q.id, coder_id)
            changes: list[Change] = []
            for r in rows:
                if not r.codes:
                    continue
                seg = segment_of[id(r)]
                have = present.setdefault(seg, set())
                new = changes_to_set(have, q, seg, r.codes, replace=False)
                for ch in new:
                    (have.add if ch.event == "added" else have.discard)(ch.code_id)
                changes.extend(new)
            summary.codings = sum(1 for ch in changes if ch.event == "added")
            store.record_in(conn, coder_id, "import", changes)
    return summary


def _row_document_name(path: Path, row: _Row) -> str:
    return f"{path.name}#{row.external_id}" if row.external_id else f"{path.name}#row{row.line}"


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
