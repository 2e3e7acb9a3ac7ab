"""The history of the codings: ``coder log``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coder.cli._util import (
    Db,
    Excel,
    Question,
    Sep,
    app,
    format_option,
    open_store,
    output,
    say,
    wrote,
)
from coder.i18n import _

if TYPE_CHECKING:
    from coder.reports.history import Event


@app.command(
    "log",
    help=_(
        # the line breaks as docs/commands.md shows them (the terminal rewraps them)
        "List coding events, oldest first: when, who, which passage, question and code,\n"
        "added or removed, and its origin.\n\n"
        "The origin is human, accepted-suggestion, undo, import or codebook-update; an undone\n"
        "coding shows as removed (origin undo). CSV and JSON lines have stable columns\n"
        "(time,coder,segment_id,external_id,case,question,code,action,origin; time in UTC);\n"
        "the CSV has no byte-order mark, also in a file, unless --excel."
    ),
)
def log(
    case: Annotated[
        str | None, typer.Option(metavar="CASE", help=_("Only the passages of this case."))
    ] = None,
    coder: Annotated[str | None, typer.Option(metavar="NAME", help=_("Only this coder."))] = None,
    since: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help=_(
                "Only events from this day on (2026-12-01), or from this time "
                "(2026-12-01 14:30); local time."
            ),
        ),
    ] = None,
    question: Question = None,
    format: Annotated[
        str | None,
        format_option(
            "csv", "jsonl", help=_("Output format (default: a table on screen, or from --out).")
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help=_("Output file (default: standard output).")),
    ] = None,
    sep: Sep = None,
    excel: Excel = False,
    db: Db = None,
) -> None:
    from coder.reports.exports import output_style
    from coder.reports.history import events, log_format, write_events

    format = log_format(format, out)
    style = output_style(format, sep, excel, to_file=out is not None, mark=False)
    with open_store(db, read_only=True) as store:
        found = events(store, case=case, coder=coder, since=since, question=question)
    if format is None:
        given = {"case": case, "coder": coder, "question": question}
        _print_events(found, {name for name, value in given.items() if value is not None})
        return
    with output(out) as stream:
        write_events(found, format, stream, style)
    wrote(out)


def _print_events(found: list[Event], left_out: set[str]) -> None:
    """The events as a table fitted to the terminal, the newest last, in local time;
    removals dimmed."""
    from rich.console import Console
    from rich.segment import Segment, Segments
    from rich.style import Style

    from coder.reports.history import table_lines

    if not found:
        say(_("No coding events."))
        return
    console = Console()
    styles = {"header": Style(bold=True), "day": Style(bold=True), "removed": Style(dim=True)}
    lines = table_lines(found, console.width, left_out=left_out)
    # the lines as they are: a rich Table would measure and wrap each again (slow)
    console.print(
        Segments(Segment(f"{text}\n", styles.get(kind)) for kind, text in lines),
        end="",
        soft_wrap=True,
    )
