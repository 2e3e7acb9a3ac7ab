"""What comes out of a project: ``coder tally``, ``coder export`` and ``coder agreement``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coder.cli._util import (
    Db,
    Out,
    Question,
    app,
    coders_option,
    format_option,
    hidden_alias,
    open_store,
    output,
    output_file,
    say,
    split_names,
    wrote,
)
from coder.errors import CoderError

if TYPE_CHECKING:
    from coder.reports.tally import Tally


class TallySort(StrEnum):
    codebook = "codebook"
    count = "count"


@app.command()
def tally(
    question: Question = None,
    by: Annotated[
        str | None,
        typer.Option(
            metavar="ATTRIBUTE", help="Cross-tabulate cases per code by this case attribute."
        ),
    ] = None,
    examples: Annotated[
        int, typer.Option(metavar="N", help="Example cases per code (most passages first).")
    ] = 4,
    format: Annotated[
        str | None,
        format_option(
            "md",
            "csv",
            "xlsx",
            "pptx",
            "png",
            "svg",
            help="Output format (default: a table on screen, or from --out).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Output file (default: standard output; tally.FORMAT for xlsx, pptx, png, svg).",
        ),
    ] = None,
    coders: Annotated[
        str | None,
        coders_option("Count only these coders' codings (comma-separated)."),
    ] = None,
    coder: Annotated[str | None, hidden_alias("--coder")] = None,
    consensus: Annotated[
        bool, typer.Option(help="Count only codes all coders agree on (or coder 'consensus').")
    ] = False,
    include_suggestions: Annotated[
        float | None,
        typer.Option(
            metavar="MIN_SCORE", help="Add model suggestions scoring at least this (0-1), marked *."
        ),
    ] = None,
    sort: Annotated[TallySort, typer.Option(help="Row order.")] = TallySort.codebook,
    db: Db = None,
) -> None:
    """Count cases per category, with example cases: tables for slides."""
    from coder.reports import exports
    from coder.reports.tally import tally as make_tally

    format = exports.tally_format(format, out)
    with open_store(db, read_only=True) as store:
        tallies = make_tally(
            store,
            question,
            coders=split_names(coders or coder),
            consensus=consensus,
            examples=examples,
            include_suggestions=include_suggestions,
            sort=sort.value,
            by=by,
        )
    if format is None:
        _print_tallies(tallies)
    elif exports.is_file_format(format):
        target = out or exports.default_tally_file(format)
        with output_file(target) as tmp:
            exports.save_tally(tallies, format, tmp)
        wrote(target)
    else:
        with output(out) as stream:
            exports.write_tally(tallies, format, stream)
        wrote(out)


def _print_tallies(tallies: list[Tally]) -> None:
    """The tallies as tables on the terminal, one per question, with their footnotes."""
    from rich.console import Console
    from rich.table import Table

    from coder.reports.formats import (
        by_header,
        examples_text,
        footnotes,
        label_text,
        percent,
        words,
    )

    console = Console()
    for t in tallies:
        w = words(t)
        table = Table(title=t.question.title, title_justify="left", title_style="bold")
        table.add_column(w.category, overflow="fold")
        table.add_column(w.cases, justify="right")
        table.add_column(w.share, justify="right")
        table.add_column(w.passages, justify="right")
        for value in t.by_values:
            table.add_column(by_header(t, value), justify="right")
        table.add_column(w.examples, overflow="fold")
        for row in t.rows:
            table.add_row(
                label_text(row),
                str(row.cases),
                percent(row.share, w),
                str(row.segments),
                *[str(row.by[v]) for v in t.by_values],
                examples_text(row),
            )
        console.print(table)
        for note in footnotes(t):
            console.print(note, style="italic")
        console.print()


class What(StrEnum):
    segments = "segments"
    codings = "codings"
    suggestions = "suggestions"


@app.command()
def export(
    what: Annotated[What, typer.Option(help="What to export.")] = What.segments,
    format: Annotated[str, format_option("csv", "jsonl", "qdpx")] = "csv",
    out: Out = None,
    db: Db = None,
) -> None:
    """Export segments, codings or suggestions with stable columns (CSV or JSON lines),
    or the whole project as a REFI-QDA file (--format qdpx --out FILE.qdpx)."""
    if format == "qdpx":
        _export_qdpx(out, db)
        return
    from coder.reports.exports import write_table

    with open_store(db, read_only=True) as store, output(out) as stream:
        write_table(store, what.value, format, stream)
    wrote(out, what.value)


def _export_qdpx(out: Path | None, db: str | None) -> None:
    """The whole project as a REFI-QDA project file (a zip, so only to a file)."""
    from coder.refi.export import export_qdpx

    if out is None:
        raise CoderError("--format qdpx writes a zip file: give --out FILE.qdpx")
    with open_store(db, read_only=True) as store, output_file(out) as tmp:
        done = export_qdpx(store, tmp)
    left = f"; {done.left_out} codings of retired codes left out" if done.left_out else ""
    say(
        f"Wrote {out}: {done.sources} sources, {done.selections} passages, "
        f"{done.codings} codings by {done.users} coders, {done.notes} memos{left}."
    )


@app.command()
def agreement(
    question: Question = None,
    coders: Annotated[
        str | None,
        coders_option("Coders to compare, comma-separated (default: all but 'consensus')."),
    ] = None,
    format: Annotated[str, format_option("md", "csv", "jsonl", hidden=("json",))] = "md",
    out: Out = None,
    db: Db = None,
) -> None:
    """Agreement between coders: percent agreement, Cohen's kappa, Krippendorff's alpha.

    Compares the coders given with --coders (default: everyone but 'consensus'), on every
    question two or more of them coded, or on the one --question.
    """
    from coder.reports.exports import write_agreement
    from coder.reports.runs import agreements

    with open_store(db, read_only=True) as store:
        results = agreements(store, question, split_names(coders))
        with output(out) as stream:
            write_agreement(store, results, format, stream, one=question is not None)
    wrote(out)
