"""Which writer makes which tally format: the one table of format names.

Text formats (Markdown, CSV) go to a text stream, so that they can be printed; file
formats (XLSX, PPTX, PNG, SVG) are binary and go to a path. A CSV is spelled in the
``CsvStyle`` given (separator, byte-order mark, decimal sign).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import IO

from coder.errors import CoderError
from coder.i18n import _
from coder.reports.formats.chart_image import to_chart
from coder.reports.formats.csv_style import CsvStyle
from coder.reports.formats.csv_table import to_csv
from coder.reports.formats.markdown_table import to_markdown
from coder.reports.formats.pptx_deck import to_pptx
from coder.reports.formats.xlsx_workbook import to_xlsx
from coder.reports.tally import Tally


def _write_markdown(tallies: list[Tally], stream: IO[str], style: CsvStyle) -> None:
    stream.write(to_markdown(tallies))


TEXT_WRITERS: dict[str, Callable[[list[Tally], IO[str], CsvStyle], None]] = {
    "md": _write_markdown,
    "csv": to_csv,
}
FILE_WRITERS: dict[str, Callable[[list[Tally], Path], None]] = {
    "xlsx": to_xlsx,
    "pptx": to_pptx,
    "png": partial(to_chart, fmt="png"),
    "svg": partial(to_chart, fmt="svg"),
}
FORMATS = (*TEXT_WRITERS, *FILE_WRITERS)
FILE_FORMATS = tuple(FILE_WRITERS)


def write_tallies(
    tallies: list[Tally], target: Path | IO[str], fmt: str, style: CsvStyle | None = None
) -> None:
    """Write ``tallies`` in the format ``fmt`` (one of ``FORMATS``): a file format to the
    path ``target``, a text format to the text stream ``target`` (CSV in ``style``,
    default plain comma-separated without a byte-order mark)."""
    if fmt in FILE_WRITERS:
        if not isinstance(target, Path):
            raise TypeError(f"the {fmt} format is written to a path, not a stream")
        FILE_WRITERS[fmt](tallies, target)
    elif fmt in TEXT_WRITERS:
        if isinstance(target, Path):
            raise TypeError(f"the {fmt} format is written to a text stream, not a path")
        TEXT_WRITERS[fmt](tallies, target, style or CsvStyle())
    else:
        raise CoderError(
            _("unknown tally format '{format}' (expected {expected})").format(
                format=fmt, expected=", ".join(FORMATS)
            )
        )
