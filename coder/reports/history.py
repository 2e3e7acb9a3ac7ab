"""The history of a project's codings: every event of the coding log, for ``coder log`` and
the coding screen's history of a passage.

Codings are an append-only log (``coder.store.codings``): each keypress, import or undo
adds events, a code ``added`` to or ``removed`` from a passage by a coder. An undo is
recorded as the inverse events, so an undone coding shows as ``removed`` (origin
``undo``) after the ``added`` it reverts. ``origin`` says where an event came from:

- ``human``: coded by hand on the coding screen;
- ``accepted-suggestion``: a model suggestion the coder accepted;
- ``undo``: an undo (``u``) of the coder's previous action;
- ``import``: a column of codes in an imported table, or a REFI-QDA project's codings;
- ``codebook-update``: ``coder codebook update`` merging or retiring codes.

A ``coder merge`` copies the other copy's events with their own origin and time. The
events come oldest first (by their time, then in the order they were written); ``time``
is as recorded, ISO 8601 in UTC for everything coder wrote itself.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO

from coder.errors import CoderError
from coder.i18n import N_, _
from coder.reports.collation import collation_key
from coder.reports.formats.csv_style import CsvStyle
from coder.store import Store, queries
from coder.store import events as events_log

COLUMNS = (
    "time",
    "coder",
    "segment_id",
    "external_id",
    "case",
    "question",
    "code",
    "action",
    "origin",
)
FORMATS = ("csv", "jsonl")

# the action kinds (``actions.kind``) whose events are named by the kind, not the event's origin
_KIND_ORIGINS = {"undo": "undo", "import": "import", "codebook": "codebook-update"}
_SHOWN_NAMES = 10  # names listed when a case or coder is unknown


@dataclass(frozen=True)
class Event:
    """One coding event: ``code`` of ``question`` ``action`` (added or removed) on a
    passage by ``coder`` at ``time``."""

    time: str
    coder: str
    segment_id: int
    external_id: str | None
    case: str
    question: str
    code: str
    action: str  # added | removed
    origin: str  # human | accepted-suggestion | undo | import | codebook-update

    def to_json(self) -> dict:
        return dict(zip(COLUMNS, astuple(self), strict=True))


def events(
    store: Store,
    *,
    case: str | None = None,
    coder: str | None = None,
    since: str | datetime | None = None,
    question: str | None = None,
    segment: int | None = None,
) -> list[Event]:
    """The coding events, oldest first, of one case, coder, question or passage (``segment``,
    an id) when given, and from ``since`` on (a date, or a date and time: local time
    unless it says its zone). An unknown case, coder or question is refused in one line
    naming those there are."""
    start = parse_since(since) if isinstance(since, str) else _aware(since)
    if question is not None:
        store.codebook().question(question)  # raises for an unknown question, listing them
    if case is not None:
        _known("case", case, list(queries.case_attributes(store)), store)
    if coder is not None:
        _known("coder", coder, queries.coder_names(store), store)
    rows = events_log.event_rows(store, case=case, coder=coder, question=question, segment=segment)
    timed = [(_moment(row.time), row) for row in rows]
    if start is not None:
        timed = [(moment, row) for moment, row in timed if moment is not None and moment >= start]
    timed.sort(key=lambda pair: (pair[0] or _EARLIEST, pair[1].id))
    return [
        Event(
            time=row.time,
            coder=row.coder,
            segment_id=row.segment_id,
            external_id=row.external_id,
            case=row.case,
            question=row.question,
            code=row.code,
            action=row.event,
            origin=_KIND_ORIGINS.get(row.kind, row.origin),
        )
        for _when, row in timed
    ]


def parse_since(text: str) -> datetime:
    """``--since``: ``2026-12-01`` (from local midnight), ``2026-12-01 14:30`` or
    ``2026-12-01T14:30:00+01:00``; naive times are local time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CoderError(
            _("--since: '{text}' is not a date; give 2026-12-01 or 2026-12-01 14:30").format(
                text=text
            )
        ) from None
    return moment if moment.tzinfo is not None else moment.astimezone()


def log_format(format: str | None, out: str | Path | None) -> str | None:
    """The format asked for, else told by the ``out`` file's suffix (``.csv``, ``.jsonl``);
    None means a table on screen."""
    if format is not None or out is None:
        return format
    suffix = Path(out).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise CoderError(
            _("{file}: cannot tell the format from '{suffix}'; give --format {expected}").format(
                file=out, suffix=Path(out).suffix, expected=_(" or ").join(FORMATS)
            )
        )
    return suffix


def write_events(
    found: Sequence[Event], format: str, stream: IO[str], style: CsvStyle | None = None
) -> None:
    """The events in the stable columns (``COLUMNS``; new ones are only ever appended): CSV
    in ``style`` (default: plain) or JSON lines."""
    if format not in FORMATS:
        raise CoderError(
            _("unknown format '{format}' (expected {expected})").format(
                format=format, expected=_(" or ").join(FORMATS)
            )
        )
    if format == "jsonl":
        for event in found:
            stream.write(json.dumps(event.to_json(), ensure_ascii=False) + "\n")
        return
    writer = (style or CsvStyle()).writer(stream, COLUMNS)
    writer.writeheader()
    writer.writerows(event.to_json() for event in found)


# -- the table on screen ------------------------------------------------------------------------

# the columns of the table on screen, each with its heading (translated where it is shown),
# the event's column it shows and how narrow it may become to fit the terminal (None: never
# narrowed)
SCREEN_COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    (N_("Time"), "time", None),
    (N_("Coder"), "coder", 6),
    (N_("Case"), "case", 10),
    (N_("Passage"), "segment_id", None),
    (N_("Question"), "question", 10),
    (N_("Code"), "code", 14),
    (N_("Action"), "action", None),
    (N_("Origin"), "origin", 10),
)


def table_lines(
    found: Sequence[Event], width: int, *, left_out: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """The events as a table ``width`` characters wide (if it can be), the newest last, in
    local time: (kind, line) pairs, kind ``header``, ``day`` (a line with the day, before
    the times of its events), ``added`` or ``removed``; an event whose cells wrap (at spaces
    and hyphens) has lines of its own, joined with newlines. Columns in ``left_out``
    (event columns: ``coder``, ``case``, ``question``) are not shown."""
    skip = set(left_out)
    shown = [
        (title, column, floor) for title, column, floor in SCREEN_COLUMNS if column not in skip
    ]
    columns = [column for _title, column, _floor in shown]
    days, rows = [], []
    for event in found:
        day, _space, clock = local_time(event.time).partition(" ")
        days.append(day)
        rows.append([_cell(event, column, clock) for column in columns])
    titles = [_(title) for title, _column, _floor in shown]
    natural = [max(len(title), *(len(row[i]) for row in rows)) for i, title in enumerate(titles)]
    widths = _fit(natural, [floor for _title, _column, floor in shown], width - (len(shown) - 1))
    right = columns.index("segment_id")
    lines = [("header", _line(titles, widths, right))]
    for i, (event, row) in enumerate(zip(found, rows, strict=True)):
        if i == 0 or days[i] != days[i - 1]:
            lines.append(("day", days[i]))
        lines.append((event.action, _line(row, widths, right)))
    return lines


def _cell(event: Event, column: str, clock: str) -> str:
    if column == "time":
        return clock
    if column == "segment_id":
        seg = str(event.segment_id)
        return f"{seg} ({event.external_id})" if event.external_id else seg
    if column == "origin":
        return event.origin.replace("-", " ")  # "accepted suggestion" wraps between the words
    return str(getattr(event, column))


def _fit(widths: list[int], floors: list[int | None], room: int) -> list[int]:
    """Column widths that fit ``room`` characters, if they can: of the columns that may be
    narrowed (a floor), the one furthest above its floor loses a character first."""
    widths = list(widths)
    while sum(widths) > room:
        slack = [w - f if f is not None else 0 for w, f in zip(widths, floors, strict=True)]
        i = max(range(len(slack)), key=slack.__getitem__)
        if slack[i] <= 0:
            break
        widths[i] -= 1
    return widths


def _line(cells: list[str], widths: list[int], right: int | None) -> str:
    """One row: each cell wrapped to its column's width, the columns one space apart, the
    ``right`` one aligned right."""
    wrapped = [_wrap(cell, w) for cell, w in zip(cells, widths, strict=True)]
    lines = []
    for n in range(max(len(cell_lines) for cell_lines in wrapped)):
        parts = []
        for i, (cell_lines, w) in enumerate(zip(wrapped, widths, strict=True)):
            text = cell_lines[n] if n < len(cell_lines) else ""
            parts.append(text.rjust(w) if i == right else text.ljust(w))
        lines.append(" ".join(parts).rstrip())
    return "\n".join(lines)


@lru_cache(maxsize=4096)
def _wrap(text: str, width: int) -> tuple[str, ...]:
    return (text,) if len(text) <= width else tuple(textwrap.wrap(text, width)) or ("",)


def local_time(time: str) -> str:
    """A recorded time as the reader's local time to the minute (``2026-12-01 14:30``);
    a time that is not ISO 8601 as it was recorded."""
    moment = _moment(time)
    if moment is None:
        return time
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def _aware(moment: datetime | None) -> datetime | None:
    """A time with its zone: a naive one is local time."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.astimezone()


def _moment(time: str) -> datetime | None:
    """A recorded time (naive ones are UTC, as coder writes them); None if unreadable."""
    try:
        moment = datetime.fromisoformat(time)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _known(what: str, name: str, names: list[str], store: Store) -> None:
    """Refuse a name that is not there, listing (the first of) those that are."""
    if name in names:
        return
    listed = sorted(names, key=collation_key(store.codebook().language))
    shown = ", ".join(listed[:_SHOWN_NAMES]) + (" …" if len(listed) > _SHOWN_NAMES else "")
    unknown = (
        _("unknown case '{name}' (cases: {known})")
        if what == "case"
        else _("unknown coder '{name}' (coders: {known})")
    )
    raise CoderError(unknown.format(name=name, known=shown or _("none yet")))
