"""Writing a project's data out: which rows an export holds and which writer a format takes,
for ``coder export``, ``coder tally`` and ``coder agreement``.

The command line only opens the stream or the file; what goes into it is decided here.
Formats are spelled alike everywhere: ``csv``, ``jsonl`` (one JSON object per line), ``md``;
``json`` (one indented JSON document) is kept for scripts written before ``jsonl``.

A CSV is spelled in a ``CsvStyle`` (``--sep``, ``--excel``; see ``csv_style``): tallies and
agreement files start with the UTF-8 byte-order mark, standard output does not; the exports
of segments, codings and suggestions are a machine contract and get the mark only with
``--excel``. Charts without ``--question`` go one file per question into a folder
(``save_per_question``), each written whole or not at all.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TypeVar

from coder.errors import CoderError
from coder.i18n import _
from coder.reports import agreement as ag
from coder.reports import formats as fmt
from coder.reports.formats.csv_style import CsvStyle, csv_style
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


def output_style(
    format: str | None, sep: str | None, excel: bool, *, to_file: bool, mark: bool = True
) -> CsvStyle:
    """The CSV style that ``--sep`` and ``--excel`` ask for (refused with any other format
    than CSV). ``mark``: whether a file gets the byte-order mark without ``--excel``."""
    if (sep is not None or excel) and format != "csv":
        option = "--excel" if excel else "--sep"
        shown = _("the {format} format").format(format=format) if format else _("a table on screen")
        raise CoderError(
            _("{option} is for CSV output, not {shown}; add --format csv").format(
                option=option, shown=shown
            )
        )
    return csv_style(sep, excel=excel, to_file=to_file and mark)


def _spelled(row: dict, style: CsvStyle) -> dict:
    """A row's decimal numbers with the style's decimal sign (``0,5`` for Excel)."""
    if style.decimal == ".":
        return row
    return {
        k: str(v).replace(".", style.decimal) if isinstance(v, float) else v for k, v in row.items()
    }


def write_table(
    store: Store, what: str, format: str, stream: IO[str], style: CsvStyle | None = None
) -> None:
    """Every segment, coding or suggestion (``what``) as CSV or JSON lines, in the stable
    columns (new columns are only ever appended); CSV in ``style`` (default: plain)."""
    if what not in TABLES:
        raise CoderError(
            _("unknown table '{what}' (expected {expected})").format(
                what=what, expected=", ".join(TABLES)
            )
        )
    if format not in TABLE_FORMATS:
        raise CoderError(
            _("unknown format '{format}' (expected {expected})").format(
                format=format, expected=_(" or ").join(TABLE_FORMATS)
            )
        )
    columns, rows_of = TABLES[what]
    rows = rows_of(store)
    if format == "csv":
        style = style or CsvStyle()
        writer = style.writer(stream, columns)
        writer.writeheader()
        writer.writerows(_spelled(row, style) for row in rows)
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
    store: Store,
    results: list[ag.Agreement],
    format: str,
    stream: IO[str],
    *,
    one: bool,
    style: CsvStyle | None = None,
) -> None:
    """The agreement figures as a Markdown table per question, CSV rows (in ``style``) or
    JSON."""
    if format in ("json", "jsonl"):
        write_json((r.to_json() for r in results), format, stream, one=one)
    elif format == "csv":
        style = style or CsvStyle()
        writer = style.writer(stream, ag.CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(_spelled(row, style) for row in ag.csv_rows(store, results))
    else:
        stream.write(ag.markdown(store, results))


# -- tallies ------------------------------------------------------------------------------------


CHART_FORMATS = ("png", "svg")
DEFAULT_FOLDER = Path("tally")


def is_folder(out: str | Path) -> bool:
    """Whether ``--out`` names a folder: it ends in "/" or is an existing folder."""
    text = str(out)
    return text.endswith(("/", os.sep)) or Path(text).is_dir()


def tally_format(format: str | None, out: str | Path | None) -> str | None:
    """The tally's format: as given, else told by the ``out`` file's suffix (a folder
    means PNG charts); None means a table on screen."""
    if format is not None or out is None:
        return format
    if is_folder(out):
        return "png"
    path = Path(out)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in fmt.FORMATS:
        raise CoderError(
            _("{file}: cannot tell the format from '{suffix}'; give --format").format(
                file=out, suffix=path.suffix
            )
        )
    return suffix


def chart_folder(
    out: str | Path | None, format: str, *, one_question: bool, default: Path = DEFAULT_FOLDER
) -> Path | None:
    """The folder to write one chart per question into, or None when the output is one
    file (or a stream): ``--out DIR/``, else ``default`` (``tally/``) for charts of every
    question."""
    if out is not None and format in CHART_FORMATS and not one_question and not Path(out).suffix:
        return Path(out)  # "--out charts": a name without a suffix is the folder, not a file
    if out is not None and is_folder(out):
        if format not in CHART_FORMATS:
            raise CoderError(
                _(
                    "{folder}: a folder takes one chart per question (png or svg); "
                    "give a file name for {format}"
                ).format(folder=out, format=format)
            )
        return Path(out)
    if out is None and format in CHART_FORMATS and not one_question:
        return default
    return None


T = TypeVar("T")


def save_per_question(
    items: Sequence[tuple[str, T]],
    format: str,
    folder: Path,
    write_one: Callable[[T, Path], None],
) -> list[Path]:
    """Write each (question id, item) to ``folder/<question id>.<format>`` with ``write_one``
    and return the files. The folder is created if it is missing (not its parent); every
    file is drawn into a temporary file first and renamed into place only once all are,
    so that a failure leaves nothing half-written (an earlier file of a name stays)."""
    if folder.exists() and not folder.is_dir():
        raise CoderError(_("{folder}: is a file, not a folder").format(folder=folder))
    parent = folder.parent
    if not folder.exists() and not parent.is_dir():
        raise CoderError(
            _("{file}: folder {folder} does not exist").format(file=f"{folder}/", folder=parent)
        )
    created = not folder.exists()
    targets = [folder / f"{_file_name(name)}.{format}" for name, _item in items]
    drawn: list[Path] = []
    try:
        folder.mkdir(exist_ok=True)
        for (_name, item), target in zip(items, targets, strict=True):
            handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
            os.close(handle)
            drawn.append(Path(temp))
            write_one(item, drawn[-1])
        umask = os.umask(0)
        os.umask(umask)
        for tmp, target in zip(drawn, targets, strict=True):
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
            os.replace(tmp, target)
    except BaseException as exc:
        for tmp in drawn:
            tmp.unlink(missing_ok=True)
        if created and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
        if isinstance(exc, OSError):
            raise CoderError(
                _("{folder}: cannot write in it ({reason}); nothing was written").format(
                    folder=folder, reason=exc.strerror
                )
            ) from None
        raise
    return targets


def _file_name(name: str) -> str:
    """A question id as a file name: no folder separators, no leading dot."""
    cleaned = "".join("_" if ch in '/\\:*?"<>|' else ch for ch in name).lstrip(".")
    return cleaned or "question"


def is_file_format(format: str) -> bool:
    """Whether the format is a file of its own (XLSX, PPTX, a chart) rather than text."""
    return format in fmt.FILE_FORMATS


def default_tally_file(format: str, name: str = "tally") -> Path:
    """Where a file format goes without ``--out``: ``tally.FORMAT`` here."""
    return Path(f"{name}.{format}")


def save_tally(tallies: list[Tally], format: str, path: Path) -> None:
    """Write a file format (``xlsx``, ``pptx``, ``png``, ``svg``) to ``path``."""
    if format not in fmt.FILE_FORMATS:
        raise CoderError(
            _("'{format}' is a text format; it goes to a stream, not a file").format(format=format)
        )
    fmt.write_tallies(tallies, path, format)
