"""``coder codebook check|show|export|import|update``: codebooks on their own and in a project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coder.cli._util import (
    Db,
    Out,
    codebook_app,
    format_option,
    open_store,
    output,
    say,
    wrote,
)
from coder.i18n import _, ngettext
from coder.model.codebook import Codebook, load_codebook


def _print_codebook(codebook: Codebook) -> None:
    n_codes = sum(len(q.codes) for q in codebook.questions)
    typer.echo(
        _("{title}  [{id}, language {language}]").format(
            title=codebook.title, id=codebook.id, language=codebook.language
        )
    )
    n_questions = len(codebook.questions)
    typer.echo(
        ngettext("{n} question", "{n} questions", n_questions).format(n=n_questions)
        + ", "
        + ngettext("{n} code", "{n} codes", n_codes).format(n=n_codes)
    )
    for question in codebook.questions:
        typer.echo(f"\n{question.id}: {question.title} ({question.mode})")
        for i, code in enumerate(question.codes, start=1):
            key = code.hotkey or (str(i) if i <= 9 else "c")
            parent = "  " + _("(under {parent})").format(parent=code.parent) if code.parent else ""
            typer.echo(f"  [{key}] {code.id}: {code.label}{parent}")


@codebook_app.command(
    "check", help=_("Validate a codebook file and print its questions and codes.")
)
def codebook_check(
    file: Annotated[
        Path, typer.Argument(metavar="FILE.yaml", help=_("Codebook YAML file to validate."))
    ],
) -> None:
    codebook = load_codebook(file)
    _print_codebook(codebook)
    typer.echo("\n" + _("{file}: OK").format(file=file))


@codebook_app.command("show", help=_("Print the codebook of the project."))
def codebook_show(db: Db = None) -> None:
    with open_store(db, read_only=True) as store:
        _print_codebook(store.codebook())


@codebook_app.command(
    "export", help=_("Write the project's codebook as YAML or as a REFI-QDA codebook (.qdc).")
)
def codebook_export(
    format: Annotated[
        str, format_option("yaml", "qdc", help=_("yaml, or qdc (REFI-QDA codebook)."))
    ] = "yaml",
    out: Out = None,
    db: Db = None,
) -> None:
    with open_store(db, read_only=True) as store:
        codebook = store.codebook()
    if format == "qdc":
        from coder.refi.codebook import to_qdc

        body = to_qdc(codebook).decode("utf-8")
    else:
        body = codebook.source if codebook.source.endswith("\n") else codebook.source + "\n"
    with output(out) as stream:
        stream.write(body)
    wrote(out)


@codebook_app.command(
    "import",
    help=_("Turn a REFI-QDA codebook (.qdc) into a coder codebook (YAML) for `coder init`."),
)
def codebook_import(
    file: Annotated[
        Path, typer.Argument(metavar="FILE.qdc", help=_("A REFI-QDA codebook (.qdc)."))
    ],
    out: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help=_("Codebook YAML to write (default: standard output).")),
    ] = None,
    language: Annotated[
        str, typer.Option(metavar="LANG", help=_("Language of the texts (spaCy code)."))
    ] = "xx",
    codebook_id: Annotated[
        str | None,
        typer.Option("--id", metavar="ID", help=_("Codebook id (default: from the file name).")),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option(metavar="TITLE", help=_("Codebook title (default: the file name).")),
    ] = None,
) -> None:
    from coder.refi.codebook import codebook_yaml, from_qdc

    codebook, imported = from_qdc(file, codebook_id=codebook_id, title=title, language=language)
    with output(out) as stream:
        stream.write(codebook_yaml(imported.data))
    n_codes = sum(len(q.codes) for q in codebook.questions)
    what = _("codebook '{id}' with {questions} questions, {codes} codes from {file}").format(
        id=codebook.id, questions=len(codebook.questions), codes=n_codes, file=file
    )
    say(_("Wrote {file}: {what}").format(file=out, what=what) if out else what)
    for name in imported.left_out:
        say("  " + _("left out empty code folder '{name}'").format(name=name))


@codebook_app.command(
    "update",
    help=_(
        "Apply a new codebook version: added and renamed codes, declared merges and retirements."
    ),
)
def codebook_update(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE.yaml", help=_("The new version of the project's codebook (YAML).")
        ),
    ],
    db: Db = None,
) -> None:
    from coder.store.evolve import update_codebook

    new = load_codebook(file)
    with open_store(db) as store:
        done = update_codebook(store, new, str(file))
    if done.unchanged:
        typer.echo(
            _("{file}: the project already has this codebook version; nothing to do.").format(
                file=file
            )
        )
        return
    typer.echo(
        _("Updated the codebook from {file} (version {version}).").format(
            file=file, version=new.digest
        )
    )
    for code in done.added:
        typer.echo("  " + _("added    {code}").format(code=code))
    for code, before, after in done.renamed:
        typer.echo(
            "  "
            + _("renamed  {code}: '{before}' -> '{after}' (codings kept)").format(
                code=code, before=before, after=after
            )
        )
    for label, n in done.merged:
        typer.echo("  " + _("merged   {label}: {n} codings moved").format(label=label, n=n))
    for label, n in done.retired:
        typer.echo(
            "  "
            + _("retired  {label}: {n} codings removed (kept in the history)").format(
                label=label, n=n
            )
        )
    for code in done.dropped:
        typer.echo("  " + _("removed  {code} (never used)").format(code=code))
    if done.stale_models:
        typer.echo(
            _("{n} suggester models were trained on an older version: run `coder train`.").format(
                n=done.stale_models
            )
        )
