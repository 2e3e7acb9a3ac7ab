"""The project itself: ``coder`` alone, ``init``, ``status`` and ``code`` (the coding screen)."""

from __future__ import annotations

import contextlib
import os
import sys
from enum import StrEnum
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from coder.cli._util import Db, app, db_path, open_store, progress, say
from coder.errors import CoderError
from coder.i18n import _, ngettext
from coder.model.codebook import load_codebook

if TYPE_CHECKING:
    from coder.corpus.importer import ImportSummary


def _version(value: bool) -> None:
    if value:
        typer.echo(f"coder {version()}")
        raise typer.Exit()


def version() -> str:
    """The installed version (the package's own where it is not installed)."""
    try:
        return metadata.version("coder")
    except metadata.PackageNotFoundError:
        from coder import __version__

        return __version__


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=_version,
            help=_("Show the version and exit."),
        ),
    ] = False,
) -> None:
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
        say(_("No project here: opening the demo project {db}").format(db=db))
    _run_tui(db, coder=None, blind=False)


@app.command(help=_("Create a new project database with a codebook."))
def init(
    codebook: Annotated[
        Path, typer.Option("--codebook", metavar="FILE.yaml", help=_("Codebook YAML file."))
    ],
    db: Db = None,
) -> None:
    from coder.store import Store

    book = load_codebook(codebook)
    target = db_path(db)
    Store.create(target, book).close()
    n_codes = sum(len(q.codes) for q in book.questions)
    questions = ngettext("{n} question", "{n} questions", len(book.questions))
    codes = ngettext("{n} code", "{n} codes", n_codes)
    typer.echo(
        _("Created project {db} with codebook '{codebook}' ({questions}, {codes}).").format(
            db=target,
            codebook=book.id,
            questions=questions.format(n=len(book.questions)),
            codes=codes.format(n=n_codes),
        )
    )
    say(_("Next: coder import PATH..."))


class Segmentation(StrEnum):
    paragraph = "paragraph"
    sentence = "sentence"


@app.command("import", help=_("Import documents, or table rows with optional earlier codings."))
def import_(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help=_("Files or folders (TXT, MD, DOCX, PDF) or one CSV/XLSX table."),
        ),
    ],
    db: Db = None,
    case_from: Annotated[
        str,
        typer.Option(
            metavar="auto|folder|filename|heading|heading:N",
            help=_(
                "Case of each document: its folder, its file name, or auto "
                "(folder for files in sub-folders, else file name); front matter 'case:' wins. "
                "heading: each top-level heading (heading:N: level N) starts a case of that "
                "name, its section a document of its own; text before the first one is skipped."
            ),
        ),
    ] = "auto",
    segment: Annotated[
        Segmentation, typer.Option("--segment", help=_("Passage size."))
    ] = Segmentation.paragraph,
    text_column: Annotated[
        str | None,
        typer.Option(metavar="COLUMN", help=_("Table: column with the passage text.")),
    ] = None,
    case_column: Annotated[
        str | None,
        typer.Option(metavar="COLUMN", help=_("Table: column with the case name.")),
    ] = None,
    id_column: Annotated[
        str | None,
        typer.Option(metavar="COLUMN", help=_("Table: column with a stable row id.")),
    ] = None,
    code_column: Annotated[
        str | None,
        typer.Option(
            metavar="COLUMN",
            help=_("Table: column with earlier codes (ids or labels, ';' between)."),
        ),
    ] = None,
    question: Annotated[
        str | None,
        typer.Option(metavar="QUESTION", help=_("Question the --code-column answers.")),
    ] = None,
    coder: Annotated[
        str | None,
        typer.Option(metavar="NAME", help=_("Coder of the imported codes (default: login name).")),
    ] = None,
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help=_(
                "Table: a row whose id was imported from this file before with another text "
                "gives that passage its new text (its codings stay) instead of adding a passage."
            ),
        ),
    ] = False,
    attribute: Annotated[
        list[str] | None,
        typer.Option(
            metavar="KEY=VALUE",
            help=_(
                "An attribute of every imported document, e.g. år=2019 (repeatable); "
                "tally --by KEY counts by it."
            ),
        ),
    ] = None,
    attribute_column: Annotated[
        list[str] | None,
        typer.Option(
            metavar="COLUMN",
            help=_(
                "Table: a column whose value becomes an attribute of the row's case (repeatable)."
            ),
        ),
    ] = None,
) -> None:
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
        with open_store(db) as store, progress(_("Importing")) as bar:
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
    parts = [
        _("Imported {documents} documents ({segments} segments)").format(
            documents=summary.documents, segments=summary.segments
        )
    ]
    if summary.new_cases:
        # English keeps its wording in both numbers (scripts read it); Swedish: "1 nytt fall"
        parts.append(
            ngettext("{n} new cases", "{n} new cases", summary.new_cases).format(
                n=summary.new_cases
            )
        )
    if summary.codings:
        parts.append(
            ngettext("{n} codings", "{n} codings", summary.codings).format(n=summary.codings)
        )
    if summary.attached:
        parts.append(
            _("{n} rows matched to their passages of the same text").format(n=summary.attached)
        )
    if summary.new_versions:
        parts.append(
            _(
                "{n} rows whose id was imported before with another text "
                "added as new passages (--update replaces the earlier text instead)"
            ).format(n=summary.new_versions)
        )
    if summary.updated:
        if summary.updated_coded:
            parts.append(
                _(
                    "{n} passages given their row's new text ({coded} of them coded: codings kept)"
                ).format(n=summary.updated, coded=summary.updated_coded)
            )
        else:
            parts.append(_("{n} passages given their row's new text").format(n=summary.updated))
    if summary.ids_in_name_only:
        parts.append(
            _(
                "{n} row ids already held by passages of other files "
                "kept in the document names only"
            ).format(n=summary.ids_in_name_only)
        )
    if summary.unchanged:
        parts.append(_("{n} already imported and unchanged").format(n=summary.unchanged))
    if summary.empty_rows:
        parts.append(_("{n} rows without text left out").format(n=summary.empty_rows))
    typer.echo(", ".join(parts) + ".")
    for note in summary.notes:
        typer.echo(_("Note: {note}").format(note=note))
    if summary.skipped:
        n = len(summary.skipped)
        typer.echo(ngettext("Skipped {n} file(s):", "Skipped {n} file(s):", n).format(n=n))
        for file, reason in summary.skipped:
            typer.echo(f"  {file}: {reason}")


@app.command(help=_("Show documents, segments, coded share per question and coders."))
def status(db: Db = None) -> None:
    from coder.reports.status import project_status

    with open_store(db, read_only=True) as store:
        report = project_status(store)
    st = report.counts
    typer.echo(
        _("Project {db}  (codebook {codebook}, version {version})").format(
            db=st.db, codebook=st.codebook_id, version=st.codebook_digest
        )
    )
    typer.echo(
        _("{cases} cases, {documents} documents, {segments} segments").format(
            cases=st.cases, documents=st.documents, segments=st.segments
        )
    )
    typer.echo("\n" + _("Coded segments per question (any coder):"))
    for q in st.questions:
        typer.echo(
            f"  {q.id:<24} {q.coded_segments:>7} / {q.total_segments:<7} {q.share:6.1%}  "
            f"({q.mode}) {q.title}"
        )
    typer.echo("\n" + _("Coders (current codings):"))
    if not st.coders:
        typer.echo("  " + _("none yet"))
    for name, n in st.coders.items():
        typer.echo(f"  {name:<24} {n:>7}")
    typer.echo("\n" + _("Suggester (latest model per question):"))
    if not report.trained:
        typer.echo(
            "  " + _("no model yet: `coder train` (suggestions meanwhile are cold-start scores)")
        )
    for m in report.models:
        if m.model_id is None:
            typer.echo(
                f"  {m.question_id:<24} "
                + _("no model  {n:>7} suggestions").format(n=m.suggestions)
            )
            continue
        notes = "  (" + "; ".join(m.notes) + ")" if m.notes else ""
        typer.echo(
            f"  {m.question_id:<24} {m.model_id}  {m.trained_at}  "
            + _("{n} passages  {suggestions} suggestions").format(
                n=m.n_train, suggestions=m.suggestions
            )
            + notes
        )


class Order(StrEnum):
    """coder.coding.ordering.Ordering's names, spelled out here so that building the CLI
    (and `coder --help`) loads no database library; a test keeps the two in step."""

    document = "document"
    uncertain = "uncertain"


@app.command(help=_("Open the coding screen: read passages and code them with single keypresses."))
def code(
    db: Db = None,
    coder: Annotated[
        str | None,
        typer.Option(metavar="NAME", help=_("Your coder name (default: login name).")),
    ] = None,
    blind: Annotated[bool, typer.Option(help=_("Hide other coders' codes."))] = False,
    order: Annotated[
        Order,
        typer.Option(help=_("Reading order, or most uncertain first taking turns between cases.")),
    ] = Order.document,
    retrain_every: Annotated[
        int,
        typer.Option(
            min=0,
            metavar="N",
            help=_("Retrain the suggester in the background after N new codings (0: never)."),
        ),
    ] = 20,
) -> None:
    _run_tui(db_path(db), coder, blind, order.value, retrain_every)


def _quit_when_orphaned(app: Any) -> None:
    """A browser session whose server died (kill -9) has no one to draw for: it quits, as
    with ``q`` (everything is saved), instead of holding the project open."""
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        with contextlib.suppress(RuntimeError):  # the app has ended already
            app.call_from_thread(app.exit)

    threading.Thread(target=watch, name="coder-serve-parent", daemon=True).start()


def _run_tui(
    db: str,
    coder: str | None,
    blind: bool,
    order: str = "document",
    retrain_every: int | None = None,
) -> None:
    """The coding screen on the project ``db``; it needs a terminal to draw on."""
    from coder.store import Store, default_coder

    # In a browser (coder serve) Textual's web driver draws through pipes, not a terminal.
    if not (sys.stdin.isatty() and sys.stdout.isatty()) and "TEXTUAL_DRIVER" not in os.environ:
        raise CoderError(
            _("the coding screen needs a terminal; see `coder --help` for the commands")
        )
    served = bool(os.environ.get("CODER_SERVED_SESSION"))
    if served and hasattr(os, "setsid"):
        # A session of `coder serve`: Ctrl+C in the server's terminal is for the server,
        # which ends each session itself and tells its browser why (coder.serve.server).
        with contextlib.suppress(OSError):
            os.setsid()
    store = Store.open(db)
    try:
        from coder.coding.session import RETRAIN_EVERY
        from coder.tui.app import make_app

        app = make_app(
            store,
            coder or default_coder(),
            blind=blind,
            order=order,
            retrain_every=RETRAIN_EVERY if retrain_every is None else retrain_every,
        )
        if served:
            _quit_when_orphaned(app)
        app.run()
    finally:
        store.close()
    if app.return_code:  # the screen stopped on an error (Textual has shown it)
        raise typer.Exit(app.return_code)
