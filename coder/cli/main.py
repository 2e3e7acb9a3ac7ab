"""The ``coder`` command line: a thin Typer layer over the core functions.

Exit codes: 0 ok, 1 user error (one line on stderr, no traceback), 2 usage error.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import click
import typer
from typer.core import TyperGroup

from coder.errors import CoderError
from coder.model.codebook import Codebook, load_codebook


class _Group(TyperGroup):
    """Turns every ``CoderError`` raised below into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context):  # noqa: ANN201
        try:
            return super().invoke(ctx)
        except CoderError as exc:
            # one line, whatever a library put into the message
            message = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            click.echo(f"coder: error: {message}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("coder: interrupted; nothing half-done was kept", err=True)
            ctx.exit(130)


app = typer.Typer(
    cls=_Group,
    help="Qualitative text coding: codebooks, coding, suggestions and tally tables.",
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
codebook_app = typer.Typer(
    cls=_Group, help="Check, show, export, import and update codebooks.", no_args_is_help=True
)
app.add_typer(codebook_app, name="codebook")

Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Project database: an SQLite file or a database URL "
        "(default: $CODER_DB, else coder.db here).",
        show_default=False,
    ),
]


QuestionOpt = Annotated[str | None, typer.Option(help="Question id (default: every question).")]


def _db(db: str | None) -> str:
    from coder.store import default_db

    return db or default_db()


@contextmanager
def _open(db: str | None, *, read_only: bool = False) -> Iterator:
    """The project, closed afterwards; ``read_only`` for commands that only read: they never
    take the write lock (so never wait behind a writer) and never change the file."""
    from coder.store import Store

    store = Store.open(_db(db), read_only=read_only)
    try:
        yield store
    finally:
        store.close()


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
        click.echo(f"No project here: opening the demo project {db}", err=True)
    _run_tui(db, coder=None, blind=False)


class Order(StrEnum):
    document = "document"
    uncertain = "uncertain"


def _run_tui(
    db: str,
    coder: str | None,
    blind: bool,
    order: str = "document",
    retrain_every: int | None = None,
) -> None:
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


@app.command()
def code(
    db: Db = None,
    coder: Annotated[
        str | None, typer.Option(help="Your coder name (default: login name).")
    ] = None,
    blind: Annotated[bool, typer.Option(help="Hide other coders' codes.")] = False,
    order: Annotated[
        Order,
        typer.Option(help="Reading order, or most uncertain first taking turns between cases."),
    ] = Order.document,
    retrain_every: Annotated[
        int,
        typer.Option(
            min=0, help="Retrain the suggester in the background after N new codings (0: never)."
        ),
    ] = 20,
) -> None:
    """Open the coding screen: read passages and code them with single keypresses."""
    _run_tui(_db(db), coder, blind, order.value, retrain_every)


# -- codebooks ---------------------------------------------------------------------------------


def _print_codebook(codebook: Codebook) -> None:
    n_codes = sum(len(q.codes) for q in codebook.questions)
    typer.echo(f"{codebook.title}  [{codebook.id}, language {codebook.language}]")
    typer.echo(f"{_plural(len(codebook.questions), 'question')}, {_plural(n_codes, 'code')}")
    for question in codebook.questions:
        typer.echo(f"\n{question.id}: {question.title} ({question.mode})")
        for i, code in enumerate(question.codes, start=1):
            key = code.hotkey or (str(i) if i <= 9 else "c")
            parent = f"  (under {code.parent})" if code.parent else ""
            typer.echo(f"  [{key}] {code.id}: {code.label}{parent}")


@codebook_app.command("check")
def codebook_check(
    file: Annotated[Path, typer.Argument(help="Codebook YAML file to validate.")],
) -> None:
    """Validate a codebook file and print its questions and codes."""
    codebook = load_codebook(file)
    _print_codebook(codebook)
    typer.echo(f"\n{file}: OK")


@codebook_app.command("show")
def codebook_show(db: Db = None) -> None:
    """Print the codebook of the project."""
    with _open(db, read_only=True) as store:
        _print_codebook(store.codebook())


# -- project -----------------------------------------------------------------------------------


@app.command()
def init(
    codebook: Annotated[Path, typer.Option("--codebook", help="Codebook YAML file.")],
    db: Db = None,
) -> None:
    """Create a new project database with a codebook."""
    from coder.store import Store

    book = load_codebook(codebook)
    target = _db(db)
    Store.create(target, book).close()
    n_codes = sum(len(q.codes) for q in book.questions)
    typer.echo(
        f"Created project {target} with codebook '{book.id}' "
        f"({_plural(len(book.questions), 'question')}, {_plural(n_codes, 'code')})."
    )
    typer.echo("Next: coder import PATH...")


class CaseFrom(StrEnum):
    auto = "auto"
    folder = "folder"
    filename = "filename"


class Segmentation(StrEnum):
    paragraph = "paragraph"
    sentence = "sentence"


@app.command("import")
def import_(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files or folders (TXT, MD, DOCX, PDF) or one CSV/XLSX table."),
    ],
    db: Db = None,
    case_from: Annotated[
        CaseFrom,
        typer.Option(
            help="Case of each document: its folder, its file name, or auto "
            "(folder for files in sub-folders, else file name). Front matter 'case:' wins."
        ),
    ] = CaseFrom.auto,
    segment: Annotated[
        Segmentation, typer.Option("--segment", help="Passage size.")
    ] = Segmentation.paragraph,
    text_column: Annotated[
        str | None, typer.Option(help="Table: column with the passage text.")
    ] = None,
    case_column: Annotated[
        str | None, typer.Option(help="Table: column with the case name.")
    ] = None,
    id_column: Annotated[
        str | None, typer.Option(help="Table: column with a stable row id.")
    ] = None,
    code_column: Annotated[
        str | None,
        typer.Option(help="Table: column with earlier codes (ids or labels, ';' between)."),
    ] = None,
    question: Annotated[
        str | None, typer.Option(help="Question the --code-column answers.")
    ] = None,
    coder: Annotated[
        str | None, typer.Option(help="Coder of the imported codes (default: login name).")
    ] = None,
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Table: a row whose id was imported from this file before with another text "
            "gives that passage its new text (its codings stay) instead of adding a passage.",
        ),
    ] = False,
) -> None:
    """Import documents, or table rows with optional earlier codings."""
    from coder.corpus.importer import ImportStopped, import_documents, import_table
    from coder.corpus.readers import TABLE_SUFFIXES

    tables = [p for p in paths if p.suffix.lower() in TABLE_SUFFIXES]
    table_options = [
        n
        for n, v in (
            ("--text-column", text_column),
            ("--case-column", case_column),
            ("--id-column", id_column),
            ("--code-column", code_column),
            ("--update", update),
        )
        if v
    ]
    if tables and len(paths) > 1:
        raise CoderError("import one table at a time (documents and tables go in separate imports)")
    if tables and not text_column:
        raise CoderError(f"{tables[0]}: a table needs --text-column (the column with the passages)")
    if table_options and not tables:
        raise CoderError(f"{table_options[0]} is for CSV/XLSX tables; no table was given")
    if (question or coder) and not code_column:
        raise CoderError("--question and --coder go with --code-column")
    try:
        with _open(db) as store, _progress("Importing") as progress:
            if tables:
                summary = import_table(
                    store,
                    tables[0],
                    text_column=text_column,
                    case_column=case_column,
                    id_column=id_column,
                    code_column=code_column,
                    question=question,
                    coder=coder,
                    update=update,
                    progress=progress,
                )
            else:
                summary = import_documents(
                    store,
                    paths,
                    case_from=case_from.value,
                    segmentation=segment.value,
                    progress=progress,
                )
    except ImportStopped as stopped:  # what was written before the failure is kept: say so
        done = stopped.summary
        if done.documents or done.updated or done.codings or done.skipped:
            _print_summary(done)
        raise
    _print_summary(summary)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@contextmanager
def _progress(label: str) -> Iterator:
    """A progress callback drawing a bar on stderr when it is a terminal (else silent)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    with Progress(
        f"[bold]{label}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _print_summary(summary) -> None:  # noqa: ANN001 - ImportSummary
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
    if summary.skipped:
        typer.echo(f"Skipped {len(summary.skipped)} file(s):")
        for file, reason in summary.skipped:
            typer.echo(f"  {file}: {reason}")


@app.command()
def status(db: Db = None) -> None:
    """Show documents, segments, coded share per question and coders."""
    from coder.store import queries

    with _open(db, read_only=True) as store:
        st = queries.status(store)
        models = store.models()
        counts = queries.suggestion_counts(store)
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
    latest = {}
    for model in models:  # newest first
        latest.setdefault(model.question_id, model)
    if not latest:
        typer.echo("  no model yet: `coder train` (suggestions meanwhile are cold-start scores)")
    for q in st.questions:
        model = latest.get(q.id)
        stored = counts.get(q.id, 0)
        if model is None:
            typer.echo(f"  {q.id:<24} no model  {stored:>7} suggestions")
            continue
        notes = []
        if model.codebook_digest != st.codebook_digest:
            notes.append("STALE: trained on another codebook version, run `coder train`")
        if model.cold_start:
            notes.append("cold start for some codes")
        metrics = model.metrics or {}
        notes.append(f"features {metrics.get('features', 'tfidf')}")
        if not metrics.get("calibrated"):
            notes.append(f"uncalibrated ({model.n_train} codings)")
        if metrics.get("macro_f1") is not None:
            where = "held-out" if metrics.get("held_out") else "CV"
            notes.append(f"{where} macro-F1 {metrics['macro_f1']:.2f}")
        if metrics.get("ece") is not None:
            notes.append(f"calibration error {metrics['ece']:.3f}")
        typer.echo(
            f"  {q.id:<24} {model.id}  {model.created_at[:16]}  {model.n_train} passages  "
            f"{stored} suggestions" + ("  (" + "; ".join(notes) + ")" if notes else "")
        )


class What(StrEnum):
    segments = "segments"
    codings = "codings"
    suggestions = "suggestions"


class Format(StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    qdpx = "qdpx"


@app.command()
def export(
    what: Annotated[What, typer.Option(help="What to export.")] = What.segments,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.csv,  # noqa: A002
    out: Annotated[
        Path | None, typer.Option(help="Output file (default: standard output).")
    ] = None,
    db: Db = None,
) -> None:
    """Export segments, codings or suggestions with stable columns (CSV or JSON lines),
    or the whole project as a REFI-QDA file (--format qdpx --out FILE.qdpx)."""
    from coder.store import queries

    if format is Format.qdpx:
        from coder.refi.export import export_qdpx

        if out is None:
            raise CoderError("--format qdpx writes a zip file: give --out FILE.qdpx")
        with _open(db, read_only=True) as store, _output(out, binary=True) as tmp:
            done = export_qdpx(store, tmp)
        left = f"; {done.left_out} codings of retired codes left out" if done.left_out else ""
        typer.echo(
            f"Wrote {out}: {done.sources} sources, {done.selections} passages, "
            f"{done.codings} codings by {done.users} coders, {done.notes} memos{left}."
        )
        return

    columns, rows_of = {
        What.segments: (queries.SEGMENT_COLUMNS, queries.iter_segments),
        What.codings: (queries.CODING_COLUMNS, queries.iter_codings),
        What.suggestions: (queries.SUGGESTION_COLUMNS, queries.iter_suggestions),
    }[what]
    with _open(db, read_only=True) as store, _output(out) as stream:
        rows = rows_of(store)
        if format is Format.csv:
            writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        else:
            for row in rows:
                stream.write(json.dumps({k: row[k] for k in columns}, ensure_ascii=False) + "\n")
    if out:
        typer.echo(f"Wrote {what.value} to {out}", err=True)


@contextmanager
def _output(out: Path | None, binary: bool = False) -> Iterator:
    """Standard output, or a file that appears only once it is completely written.

    With ``binary`` the caller gets the temporary file's path to write itself. A target
    that cannot be written (a folder, a read-only or missing folder, a full disk) is one
    line naming the file and the cause; nothing is left half-written, an earlier file of
    that name stays as it was.
    """
    import errno

    if out is None:
        yield sys.stdout
        return
    folder = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise CoderError(f"{out}: is a folder; give --out a file name")
    if not folder.exists():
        raise CoderError(f"{out}: folder {folder} does not exist")
    if not folder.is_dir():
        raise CoderError(f"{out}: {folder} is not a folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=folder)
    except OSError as exc:
        raise CoderError(f"{out}: cannot write in {folder} ({exc.strerror})") from None
    try:
        if binary:
            os.close(fd)
            yield Path(tmp)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
                yield stream
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file usual permissions
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.errno in (
            errno.ENOSPC,
            errno.EFBIG,
            errno.EDQUOT,
            errno.EIO,
            errno.EROFS,
            errno.EACCES,
            errno.EPERM,
            errno.EISDIR,
            errno.ENOTDIR,
        ):
            raise CoderError(
                f"{out}: cannot write it ({exc.strerror}); nothing was written"
            ) from None
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@app.command()
def train(
    question: Annotated[
        str | None, typer.Option(help="Question id (default: every question).")
    ] = None,
    folds: Annotated[int, typer.Option(help="Folds for the cross-validated metrics.")] = 5,
    db: Db = None,
) -> None:
    """Train the suggester on the project's codings: one model per question."""
    from coder.suggest.service import train as train_models

    with _open(db) as store:
        _embed(store)
        with _progress("Training") as progress:
            results = train_models(store, question, folds=folds, progress=progress)
    for r in results:
        cold = "  (cold start: some codes have fewer than 5 codings)" if r.cold_start else ""
        figures = ""
        m = r.metrics
        if m:
            where = (
                f"on {m['passages']} of its {r.n_train} passages, from cases it was not fitted on"
                if m.get("held_out")
                else f"grouped {m['folds']}-fold CV"
            )
            figures = (
                f"  {where}: accuracy {m['accuracy']:.2f}, macro-F1 {m['macro_f1']:.2f}, "
                f"top-3 {m['top3_accuracy']:.2f}"
            )
            if m.get("ece") is not None:
                figures += f", calibration error {m['ece']:.3f}"
        calibration = "" if r.model.calibrated else "  (uncalibrated: too few codings)"
        typer.echo(
            f"{r.question}: model {r.model_id} ({r.model.feature_set}) trained on {r.n_train} "
            f"passages{figures}{calibration}{cold}"
        )


def _embed(store) -> None:  # noqa: ANN001 - Store
    """Compute the passages' missing sentence embeddings first, with a progress bar (each
    batch is saved: an interrupted run resumes where it stopped)."""
    from coder.suggest import embeddings

    missing = embeddings.missing_count(store) if embeddings.available() else 0
    if missing:
        typer.echo(
            f"Embedding {missing} passages (once: the vectors are stored in the project; "
            "an interrupted run resumes)",
            err=True,
        )
        with _progress("Embedding passages") as progress:
            embeddings.ensure(store, progress=progress)


class EvalFormat(StrEnum):
    md = "md"
    json = "json"


@app.command()
def evaluate(
    question: Annotated[
        str | None, typer.Option(help="Question id (default: every question).")
    ] = None,
    folds: Annotated[int, typer.Option(help="Folds, grouped by case.")] = 5,
    format: Annotated[  # noqa: A002
        EvalFormat, typer.Option("--format", help="Output format.")
    ] = EvalFormat.md,
    live: Annotated[
        bool, typer.Option(help="How coders treated suggestions, and model-human agreement.")
    ] = False,
    plot: Annotated[
        Path | None,
        typer.Option(metavar="FILE.png", help="Draw the reliability diagram to this PNG file."),
    ] = None,
    db: Db = None,
) -> None:
    """Cross-validate the suggester grouped by case: how far to trust its suggestions
    (accuracy, macro-F1, top-3, calibration error and reliability table)."""
    from coder.suggest import report

    if plot is not None and live:
        raise CoderError("--plot draws the cross-validated reliability; leave out --live")
    if plot is not None and plot.suffix.lower() != ".png":
        raise CoderError(f"{plot}: --plot writes a PNG file (FILE.png)")
    if plot is not None and plot.parent and not plot.parent.exists():
        raise CoderError(f"{plot}: folder {plot.parent} does not exist")
    with _open(db, read_only=live) as store:
        if live:
            from coder.suggest.live import live_report

            results = [live_report(store, q) for q in _question_ids(store, question)]
            render = report.live_markdown
        else:
            from coder.suggest.service import evaluate_question

            _embed(store)
            results = []
            with _progress("Cross-validating") as progress:
                for q in _question_ids(store, question):
                    results.append(
                        evaluate_question(
                            store, store.codebook().question(q), folds, progress=progress
                        )
                    )
            render = report.markdown
    if plot is not None:
        with _output(plot, binary=True) as tmp:
            report.reliability_plot(results, tmp)
    if format is EvalFormat.json:
        typer.echo(
            json.dumps(results if question is None else results[0], ensure_ascii=False, indent=2)
        )
    else:
        typer.echo(render(results))
    if plot is not None:
        typer.echo(f"Wrote {plot}", err=True)


def _question_ids(store, question: str | None) -> list[str]:  # noqa: ANN001
    codebook = store.codebook()
    return [codebook.question(question).id] if question else [q.id for q in codebook.questions]


@app.command()
def suggest(
    question: Annotated[
        str | None, typer.Option(help="Question id (default: every question).")
    ] = None,
    top: Annotated[int, typer.Option(help="Suggestions kept per passage.")] = 3,
    only_uncoded: Annotated[bool, typer.Option(help="Only passages no one has coded.")] = False,
    db: Db = None,
) -> None:
    """Score every passage with the trained models and store the top suggestions, each
    with its score, rank (highest score first) and the words that raised it."""
    with _open(db) as store:
        _embed(store)
        _suggest(store, question, top, only_uncoded)


def _suggest(store, question: str | None, top: int, only_uncoded: bool) -> None:  # noqa: ANN001
    from coder.store import queries
    from coder.suggest import features

    with _progress("Suggesting") as progress:
        if queries.segment_count(store) >= features.PARALLEL_FROM:
            codebook = store.codebook()  # start spaCy's process while scikit-learn imports
            features.prestart(codebook.language, codebook.pipeline)
        try:
            from coder.suggest.service import COLD_START_ID
            from coder.suggest.service import suggest as run_suggest

            done = run_suggest(
                store, question, top=top, only_uncoded=only_uncoded, progress=progress
            )
        finally:
            features.stop_prestarted()
    for q, (model_id, n, cold) in done.items():
        note = ""
        if model_id == COLD_START_ID:
            note = "  (cold-start scores: similarity to the code definitions; no model trained yet)"
        elif cold:
            note = (
                "  (cold start: codes with fewer than 5 codings lean on their codebook "
                "definitions, which train as examples)"
            )
        typer.echo(f"{q}: {n} passages scored with {model_id}, top {top} stored{note}")
    typer.echo("See them with: coder export --what suggestions, or in coder code")


class TallyFormat(StrEnum):
    md = "md"
    csv = "csv"
    xlsx = "xlsx"
    pptx = "pptx"
    png = "png"
    svg = "svg"


class TallySort(StrEnum):
    codebook = "codebook"
    count = "count"


@app.command()
def tally(
    question: Annotated[
        str | None, typer.Option(help="Question id (default: every question).")
    ] = None,
    by: Annotated[
        str | None, typer.Option(help="Cross-tabulate cases per code by this case attribute.")
    ] = None,
    examples: Annotated[
        int, typer.Option(help="Example cases per code (most passages first).")
    ] = 4,
    format: Annotated[  # noqa: A002
        TallyFormat | None,
        typer.Option("--format", help="Output format (default: a table on screen, or from --out)."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Output file.")] = None,
    coder: Annotated[
        str | None, typer.Option(help="Count only these coders' codings (comma-separated).")
    ] = None,
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
    from coder.reports import formats as fmt
    from coder.reports.tally import tally as make_tally

    if format is None and out is not None:
        suffix = out.suffix.lower().lstrip(".")
        if suffix not in fmt.FORMATS:
            raise CoderError(f"{out}: cannot tell the format from '{out.suffix}'; give --format")
        format = TallyFormat(suffix)
    coders = [c.strip() for c in coder.split(",") if c.strip()] if coder else None
    with _open(db, read_only=True) as store:
        tallies = make_tally(
            store,
            question,
            coders=coders,
            consensus=consensus,
            examples=examples,
            include_suggestions=include_suggestions,
            sort=sort.value,
            by=by,
        )
    if format is None:
        _print_tallies(tallies)
        return
    if format.value in fmt.FILE_FORMATS:
        target = out or Path(f"tally.{format.value}")
        with _output(target, binary=True) as tmp:
            if format is TallyFormat.xlsx:
                fmt.to_xlsx(tallies, tmp)
            elif format is TallyFormat.pptx:
                fmt.to_pptx(tallies, tmp)
            else:
                fmt.to_chart(tallies, tmp, format.value)
        typer.echo(f"Wrote {target}")
        return
    with _output(out) as stream:
        if format is TallyFormat.md:
            stream.write(fmt.to_markdown(tallies))
        else:
            fmt.to_csv(tallies, stream)
    if out:
        typer.echo(f"Wrote {out}", err=True)


def _print_tallies(tallies) -> None:  # noqa: ANN001 - list[Tally]
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
