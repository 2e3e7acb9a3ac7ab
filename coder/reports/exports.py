"""Writing a project's data out: which rows an export holds and which writer a format takes,
for ``coder export``, ``coder tally`` and ``coder agreement``.

The command line only opens the stream or the file; what goes into it is decided here.
Formats are spelled alike everywhere: ``csv``, ``jsonl`` (one JSON object per line), ``md``;
``json`` (one indented JSON document) is kept for scripts written before ``jsonl``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from coder.errors import CoderError
from coder.reports import agreement as ag
from coder.reports import formats as fmt
from coder.reports.tally import Tally
from coder.store import queries
from coder.store.store import Store

# -- segments, codings, suggestions: stable columns ---------------------------------------------

SEGMENT_COLUMNS = (*queries.SEGMENT_COLUMNS, "section")


TABLES: dict[str, tuple[tuple[str, ...], Callable[[Store], Iterator[dict]]]] = {
    "segments": (SEGMENT_COLUMNS, queries.iter_segments),
    "codings": (queries.CODING_COLUMNS, queries.iter_codings),
    "suggestions": (queries.SUGGESTION_COLUMNS, queries.iter_suggestions),
}
TABLE_FORMATS = ("csv", "jsonl")


def write_table(store: Store, what: str, format: str, stream: IO[str]) -> None:
    """Every segment, coding or suggestion (``what``) as CSV or JSON lines, in the stable
    columns (new columns are only ever appended)."""
    if what not in TABLES:
        raise CoderError(f"unknown table '{what}' (expected {', '.join(TABLES)})")
    if format not in TABLE_FORMATS:
        raise CoderError(f"unknown format '{format}' (expected {' or '.join(TABLE_FORMATS)})")
    columns, rows_of = TABLES[what]
    rows = rows_of(store)
    if format == "csv":
        writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        write_json(({k: row[k] for k in columns} for row in rows), "jsonl", stream)


def write_json(items: Iterable[dict], format: str, stream: IO[str], *, one: bool = False) -> None:
    """``jsonl``: one compact object per line. ``json``: one indented document, the single
    item itself when ``one`` (a command asked about one question), else a list."""
    if format == "jsonl":
        for item in items:
            stream.write(json.dumps(item, ensure_ascii=False) + "\n")
        return
    body = list(items)
    stream.write(json.dumps(body[0] if one else body, ensure_ascii=False, indent=2) + "\n")


# -- agreement ----------------------------------------------------------------------------------


def write_agreement(
    store: Store, results: list[ag.Agreement], format: str, stream: IO[str], *, one: bool
) -> None:
    """The agreement figures as a Markdown table per question, CSV rows or JSON."""
    if format in ("json", "jsonl"):
        write_json((r.to_json() for r in results), format, stream, one=one)
    elif format == "csv":
        writer = csv.DictWriter(stream, fieldnames=ag.CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(ag.csv_rows(store, results))
    else:
        stream.write(ag.markdown(store, results))


# -- tallies ------------------------------------------------------------------------------------


def tally_format(format: str | None, out: Path | None) -> str | None:
    """The tally's format: as given, else told by the ``out`` file's suffix; None means a
    table on screen."""
    if format is not None or out is None:
        return format
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in fmt.FORMATS:
        raise CoderError(f"{out}: cannot tell the format from '{out.suffix}'; give --format")
    return suffix


def is_file_format(format: str) -> bool:
    """Whether the format is a file of its own (XLSX, PPTX, a chart) rather than text."""
    return format in fmt.FILE_FORMATS


def default_tally_file(format: str) -> Path:
    """Where a file format goes without ``--out``: ``tally.FORMAT`` here."""
    return Path(f"tally.{format}")


def save_tally(tallies: list[Tally], format: str, path: Path) -> None:
    """Write a file format (``xlsx``, ``pptx``, ``png``, ``svg``) to ``path``."""
    if format not in fmt.FILE_FORMATS:
        raise CoderError(f"'{format}' is a text format; it goes to a stream, not a file")
    fmt.write_tallies(tallies, path, format)


def write_tally(tallies: list[Tally], format: str, stream: IO[str]) -> None:
    """Write a text format (``md``, ``csv``) to ``stream``."""
    if format in fmt.FILE_FORMATS:
        raise CoderError(f"'{format}' is written to a file; give --out FILE.{format}")
    fmt.write_tallies(tallies, stream, format)
