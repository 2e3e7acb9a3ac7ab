"""What comes out of a project: ``coder tally``, ``coder export`` and ``coder agreement``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from coder.cli._util import (
    Db,
    Excel,
    Out,
    Question,
    Sep,
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
from coder.i18n import _

if TYPE_CHECKING:
    from coder.reports.formats.csv_style import CsvStyle
    from coder.reports.tally import Tally


class TallySort(StrEnum):
    codebook = "codebook"
    count = "count"


@app.command(
    help=_(
        "Count cases per category, with example cases: tables for slides.\n\n"
        "--compare år sets the years side by side with the change, --by-coder the coders; "
        "--cooccurrence counts the cases with both of two codes. Files: md, csv (for Excel: "
        "--excel), xlsx, pptx, and png or svg charts, one per question into a folder (tally/, "
        "or --out DIR/) unless --question or --out FILE.png is given."
    )
)
def tally(
    question: Question = None,
    by: Annotated[
        str | None,
        typer.Option(
            metavar="ATTRIBUTE",
            help=_("Cross-tabulate cases per code by this case attribute."),
        ),
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(
            metavar="ATTRIBUTE",
            help=_(
                "Compare the values of this attribute (e.g. år): cases per code in each "
                "year and the change from the first to the last."
            ),
        ),
    ] = None,
    by_coder: Annotated[
        bool, typer.Option("--by-coder", help=_("Each coder's counts side by side."))
    ] = False,
    cooccurrence: Annotated[
        bool,
        typer.Option(
            "--cooccurrence", help=_("A code x code table: the cases that have both codes.")
        ),
    ] = False,
    rollup: Annotated[
        bool,
        typer.Option(
            "--rollup",
            help=_(
                "Count a case under a code when the code or any of its subcodes (codes with "
                "it as parent) is coded there; the subcodes keep their own rows."
            ),
        ),
    ] = False,
    examples: Annotated[
        int, typer.Option(metavar="N", help=_("Example cases per code (most passages first)."))
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
            help=_("Output format (default: a table on screen, or from --out)."),
        ),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            metavar="FILE|DIR/",
            help=_(
                "Output file (default: standard output; tally.FORMAT for xlsx and pptx), "
                "or a folder for one png or svg chart per question (default tally/ when "
                "there is no --question)."
            ),
            show_default=False,
        ),
    ] = None,
    sep: Sep = None,
    excel: Excel = False,
    coders: Annotated[
        str | None,
        coders_option(_("Count only these coders' codings (comma-separated).")),
    ] = None,
    coder: Annotated[str | None, hidden_alias("--coder")] = None,
    consensus: Annotated[
        bool,
        typer.Option(help=_("Count only codes all coders agree on (or coder 'consensus').")),
    ] = False,
    include_suggestions: Annotated[
        float | None,
        typer.Option(
            metavar="MIN_SCORE",
            help=_("Add model suggestions scoring at least this (0-1), marked *."),
        ),
    ] = None,
    sort: Annotated[TallySort, typer.Option(help=_("Row order."))] = TallySort.codebook,
    db: Db = None,
) -> None:
    from coder.reports import exports
    from coder.reports.cooccurrence import cooccurrence as make_cooccurrence
    from coder.reports.cooccurrence import write_cooccurrence
    from coder.reports.formats import write_tallies
    from coder.reports.tally import tally as make_tally

    if cooccurrence:
        for option, given in (
            ("--by", by is not None),
            ("--compare", compare is not None),
            ("--by-coder", by_coder),
            ("--rollup", rollup),
        ):
            if given:
                raise CoderError(
                    _("--cooccurrence cannot be used with {option}").format(option=option)
                )
    format = exports.tally_format(format, out) or ("md" if cooccurrence else None)
    style = exports.output_style(format, sep, excel, to_file=out is not None)
    names = split_names(coders or coder)
    with open_store(db, read_only=True) as store:
        if cooccurrence:
            tables = make_cooccurrence(
                store,
                question,
                coders=names,
                consensus=consensus,
                include_suggestions=include_suggestions,
            )
        else:
            tallies = make_tally(
                store,
                question,
                coders=names,
                consensus=consensus,
                examples=examples,
                include_suggestions=include_suggestions,
                sort=sort.value,
                by=by,
                compare=compare,
                by_coder=by_coder,
                rollup=rollup,
            )
    one = question is not None
    if cooccurrence:
        _emit(tables, format, out, style, write_cooccurrence, one_question=one, name="cooccurrence")
    elif format is None:
        _print_tallies(tallies)
    else:
        _emit(tallies, format, out, style, write_tallies, one_question=one)


def _emit(
    results: Sequence[Any],
    format: str,
    out: str | None,
    style: CsvStyle,
    write: Callable[..., None],
    *,
    one_question: bool,
    name: str = "tally",
) -> None:
    """Write ``results`` with ``write(results, target, format, style)``: one chart per
    question into a folder, one file, or text to a file or standard output."""
    from coder.reports import exports

    folder = exports.chart_folder(out, format, one_question=one_question, default=Path(name))
    if folder is not None:
        written = exports.save_per_question(
            [(r.question.id, r) for r in results],
            format,
            folder,
            lambda one, path: write([one], path, format, style),
        )
        for path in written:
            wrote(path)
    elif exports.is_file_format(format):
        target = Path(out) if out else exports.default_tally_file(format, name)
        with output_file(target) as tmp:
            write(results, tmp, format, style)
        wrote(target)
    else:
        path = Path(out) if out else None
        with output(path) as stream:
            write(results, stream, format, style)
        wrote(path)


def _print_tallies(tallies: list[Tally]) -> None:
    """The tallies as tables on the terminal, one per question, with their footnotes; a
    comparison as its table of years and the change."""
    from rich.console import Console
    from rich.table import Table

    from coder.reports.formats import (
        by_header,
        cross_table,
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
        if t.compare:
            header, *lines = cross_table(t)
            table.add_column(header[0], overflow="fold")
            for text in header[1:]:
                table.add_column(text, justify="right")
            for line in lines:
                table.add_row(*line)
        else:
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


@app.command(
    help=_(
        "Export segments, codings or suggestions with stable columns (CSV or JSON lines), "
        "or the whole project as a REFI-QDA file (--format qdpx --out FILE.qdpx).\n\n"
        "The CSV has no byte-order mark, also in a file (scripts read it), unless --excel."
    )
)
def export(
    what: Annotated[What, typer.Option(help=_("What to export."))] = What.segments,
    format: Annotated[str, format_option("csv", "jsonl", "qdpx")] = "csv",
    out: Out = None,
    sep: Sep = None,
    excel: Excel = False,
    db: Db = None,
) -> None:
    from coder.reports.exports import output_style, write_table

    style = output_style(format, sep, excel, to_file=out is not None, mark=False)
    if format == "qdpx":
        _export_qdpx(out, db)
        return
    with open_store(db, read_only=True) as store, output(out) as stream:
        write_table(store, what.value, format, stream, style)
    wrote(out, what.value)


def _export_qdpx(out: Path | None, db: str | None) -> None:
    """The whole project as a REFI-QDA project file (a zip, so only to a file)."""
    from coder.refi.export import export_qdpx

    if out is None:
        raise CoderError(_("--format qdpx writes a zip file: give --out FILE.qdpx"))
    with open_store(db, read_only=True) as store, output_file(out) as tmp:
        done = export_qdpx(store, tmp)
    what = _(
        "{sources} sources, {passages} passages, {codings} codings by {coders} coders, "
        "{memos} memos"
    ).format(
        sources=done.sources,
        passages=done.selections,
        codings=done.codings,
        coders=done.users,
        memos=done.notes,
    )
    if done.left_out:
        what += "; " + _("{n} codings of retired codes left out").format(n=done.left_out)
    say(_("Wrote {file}: {what}").format(file=out, what=what) + ".")


@app.command(
    help=_(
        "Agreement between coders: percent agreement, Cohen's kappa, Krippendorff's alpha.\n\n"
        "Compares the coders given with --coders (default: everyone but 'consensus'), on every "
        "question two or more of them coded, or on the one --question. The CSV has no "
        "byte-order mark, also in a file (scripts read it), unless --excel."
    )
)
def agreement(
    question: Question = None,
    coders: Annotated[
        str | None,
        coders_option(_("Coders to compare, comma-separated (default: all but 'consensus').")),
    ] = None,
    format: Annotated[str, format_option("md", "csv", "jsonl", hidden=("json",))] = "md",
    out: Out = None,
    sep: Sep = None,
    excel: Excel = False,
    db: Db = None,
) -> None:
    from coder.reports.exports import output_style, write_agreement
    from coder.reports.runs import agreements

    style = output_style(format, sep, excel, to_file=out is not None, mark=False)
    with open_store(db, read_only=True) as store:
        results = agreements(store, question, split_names(coders))
        with output(out) as stream:
            write_agreement(store, results, format, stream, one=question is not None, style=style)
    wrote(out)
