"""The project itself: ``coder`` alone, ``init``, ``status`` and ``code`` (the coding screen)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coder.cli._util import Db, app, db_path, open_store, plural, progress, say
from coder.errors import CoderError
from coder.model.codebook import load_codebook

if TYPE_CHECKING:
    from coder.corpus.importer import ImportSummary


@app.callback(invoke_without_command=True)
def main(ctx: typer.Context) -> None:
    """coder: read passages, code them, and count cases per category.

    Without a command: opens the coding screen on ./coder.db (or $CODER_DB), or, where there
    is no project, on the bundled demo project.
    """
    if ctx.invoked_subcommand is not None:
        return
    from coder.demo import demo_project
    from coder.store import default_db

    db = default_db()
    if not Path(db).exists() and "://" not in db:
        db = str(demo_project())
        say(f"No project here: opening the demo project {db}")
    _run_tui(db, coder=None, blind=False)


@app.command()
def init(
    codebook: Annotated[
        Path, typer.Option("--codebook", metavar="FILE.yaml", help="Codebook YAML file.")
    ],
    db: Db = None,
) -> None:
    """Create a new project database with a codebook."""
    from coder.store import Store

    book = load_codebook(codebook)
    target = db_path(db)
    Store.create(target, book).close()
    n_codes = sum(len(q.codes) for q in book.questions)
    typer.echo(
        f"Created project {target} with codebook '{book.id}' "
        f"({plural(len(book.questions), 'question')}, {plural(n_codes, 'code')})."
    )
    say("Next: coder import PATH...")


class Segmentation(StrEnum):
    paragraph = "paragraph"
    sentence = "sentence"


@app.command("import")
def import_(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH", help="Files or folders (TXT, MD, DOCX, PDF) or one CSV/XLSX table."
        ),
    ],
    db: Db = None,
    case_from: Annotated[
        str,
        typer.Option(
            metavar="auto|folder|filename|heading|heading:N",
            help="Case of each document: its folder, its file name, or auto "
            "(folder for files in sub-folders, else file name); front matter 'case:' wins. "
            "heading: each top-level heading (heading:N: level N) starts a case of that name, "
            "its section a document of its own; text before the first one is skipped.",
        ),
    ] = "auto",
    segment: Annotated[
        Segmentation, typer.Option("--segment", help="Passage size.")
    ] = Segmentation.paragraph,
    text_column: Annotated[
        str | None, typer.Option(metavar="COLUMN", help="Table: column with the passage text.")
    ] = None,
    case_column: Annotated[
        str | None, typer.Option(metavar="COLUMN", help="Table: column with the case name.")
    ] = None,
    id_column: Annotated[
        str | None, typer.Option(metavar="COLUMN", help="Table: column with a stable row id.")
    ] = None,
    code_column: Annotated[
        str | None,
        typer.Option(
            metavar="COLUMN", help="Table: column with earlier codes (ids or labels, ';' between)."
        ),
    ] = None,
    question: Annotated[
        str | None, typer.Option(metavar="QUESTION", help="Question the --code-column answers.")
    ] = None,
    coder: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Coder of the imported codes (default: login name)."),
    ] = None,
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Table: a row whose id was imported from this file before with another text "
            "gives that passage its new text (its codings stay) instead of adding a passage.",
        ),
    ] = False,
    attribute: Annotated[
        list[str] | None,
        typer.Option(
            metavar="KEY=VALUE",
            help="An attribute of every imported document, e.g. år=2019 (repeatable); "
            "tally --by KEY counts by it.",
        ),
    ] = None,
    attribute_column: Annotated[
        list[str] | None,
        typer.Option(
            metavar="COLUMN",
            help="Table: a column whose value becomes an attribute of the row's case (repeatable).",
        ),
    ] = None,
) -> None:
    """Import documents, or table rows with optional earlier codings."""
    from coder.corpus.importer import ImportStopped, TableColumns, import_paths, parse_attributes

    attributes = parse_attributes(attribute or [])

    columns = TableColumns(
        text=text_column,
        case=case_column,
        id=id_column,
        code=code_column,
        question=question,
        coder=coder,
        update=update,
        attributes=tuple(attribute_column or ()),
    )
    try:
        with open_store(db) as store, progress("Importing") as bar:
            summary = import_paths(
                store,
                paths,
                table=columns,
                case_from=case_from,
                segmentation=segment.value,
                progress=bar,
                attributes=attributes,
            )
    except ImportStopped as stopped:  # what was written before the failure is kept: say so
        done = stopped.summary
        if done.documents or done.updated or done.codings or done.skipped:
            _print_summary(done, per_file=False)  # stderr: the one line saying why
        raise
    _print_summary(summary)


def _print_summary(summary: ImportSummary, *, per_file: bool = True) -> None:
    """What an import did: one line per file on stderr, then the totals and what was left
    out on stdout (the command's result)."""
    for report in summary.files if per_file else ():
        say(f"  {report.line()}")
    parts = [f"Imported {summary.documents} documents ({summary.segments} segments)"]
    if summary.new_cases:
        parts.append(f"{summary.new_cases} new cases")
    if summary.codings:
        parts.append(f"{summary.codings} codings")
    if summary.attached:
        parts.append(f"{summary.attached} rows matched to their passages of the same text")
    if summary.new_versions:
        parts.append(
            f"{summary.new_versions} rows whose id was imported before with another text "
            "added as new passages (--update replaces the earlier text instead)"
        )
    if summary.updated:
        coded = f" ({summary.updated_coded} of them coded: codings kept)"
        parts.append(
            f"{summary.updated} passages given their row's new text"
            + (coded if summary.updated_coded else "")
        )
    if summary.ids_in_name_only:
        parts.append(
            f"{summary.ids_in_name_only} row ids already held by passages of other files "
            "kept in the document names only"
        )
    if summary.unchanged:
        parts.append(f"{summary.unchanged} already imported and unchanged")
    if summary.empty_rows:
        parts.append(f"{summary.empty_rows} rows without text left out")
    typer.echo(", ".join(parts) + ".")
    for note in summary.notes:
        typer.echo(f"Note: {note}")
    if summary.skipped:
        typer.echo(f"Skipped {len(summary.skipped)} file(s):")
        for file, reason in summary.skipped:
            typer.echo(f"  {file}: {reason}")


@app.command()
def status(db: Db = None) -> None:
    """Show documents, segments, coded share per question and coders."""
    from coder.reports.status import project_status

    with open_store(db, read_only=True) as store:
        report = project_status(store)
    st = report.counts
    typer.echo(f"Project {st.db}  (codebook {st.codebook_id}, version {st.codebook_digest})")
    typer.echo(f"{st.cases} cases, {st.documents} documents, {st.segments} segments")
    typer.echo("\nCoded segments per question (any coder):")
    for q in st.questions:
        typer.echo(
            f"  {q.id:<24} {q.coded_segments:>7} / {q.total_segments:<7} {q.share:6.1%}  "
            f"({q.mode}) {q.title}"
        )
    typer.echo("\nCoders (current codings):")
    if not st.coders:
        typer.echo("  none yet")
    for name, n in st.coders.items():
        typer.echo(f"  {name:<24} {n:>7}")
    typer.echo("\nSuggester (latest model per question):")
    if not report.trained:
        typer.echo("  no model yet: `coder train` (suggestions meanwhile are cold-start scores)")
    for m in report.models:
        if m.model_id is None:
            typer.echo(f"  {m.question_id:<24} no model  {m.suggestions:>7} suggestions")
            continue
        notes = "  (" + "; ".join(m.notes) + ")" if m.notes else ""
        typer.echo(
            f"  {m.question_id:<24} {m.model_id}  {m.trained_at}  {m.n_train} passages  "
            f"{m.suggestions} suggestions{notes}"
        )


class Order(StrEnum):
    """coder.coding.ordering.Ordering's names, spelled out here so that building the CLI
    (and `coder --help`) loads no database library; a test keeps the two in step."""

    document = "document"
    uncertain = "uncertain"


@app.command()
def code(
    db: Db = None,
    coder: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Your coder name (default: login name)."),
    ] = None,
    blind: Annotated[bool, typer.Option(help="Hide other coders' codes.")] = False,
    order: Annotated[
        Order,
        typer.Option(help="Reading order, or most uncertain first taking turns between cases."),
    ] = Order.document,
    retrain_every: Annotated[
        int,
        typer.Option(
            min=0,
            metavar="N",
            help="Retrain the suggester in the background after N new codings (0: never).",
        ),
    ] = 20,
) -> None:
    """Open the coding screen: read passages and code them with single keypresses."""
    _run_tui(db_path(db), coder, blind, order.value, retrain_every)


def _run_tui(
    db: str,
    coder: str | None,
    blind: bool,
    order: str = "document",
    retrain_every: int | None = None,
) -> None:
    """The coding screen on the project ``db``; it needs a terminal to draw on."""
    from coder.store import Store, default_coder

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CoderError("the coding screen needs a terminal; see `coder --help` for the commands")
    store = Store.open(db)
    try:
        from coder.coding.session import RETRAIN_EVERY
        from coder.tui.app import make_app

        make_app(
            store,
            coder or default_coder(),
            blind=blind,
            order=order,
            retrain_every=RETRAIN_EVERY if retrain_every is None else retrain_every,
        ).run()
    finally:
        store.close()
