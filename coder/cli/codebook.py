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
    plural,
    say,
    wrote,
)
from coder.model.codebook import Codebook, load_codebook


def _print_codebook(codebook: Codebook) -> None:
    n_codes = sum(len(q.codes) for q in codebook.questions)
    typer.echo(f"{codebook.title}  [{codebook.id}, language {codebook.language}]")
    typer.echo(f"{plural(len(codebook.questions), 'question')}, {plural(n_codes, 'code')}")
    for question in codebook.questions:
        typer.echo(f"\n{question.id}: {question.title} ({question.mode})")
        for i, code in enumerate(question.codes, start=1):
            key = code.hotkey or (str(i) if i <= 9 else "c")
            parent = f"  (under {code.parent})" if code.parent else ""
            typer.echo(f"  [{key}] {code.id}: {code.label}{parent}")


@codebook_app.command("check")
def codebook_check(
    file: Annotated[
        Path, typer.Argument(metavar="FILE.yaml", help="Codebook YAML file to validate.")
    ],
) -> None:
    """Validate a codebook file and print its questions and codes."""
    codebook = load_codebook(file)
    _print_codebook(codebook)
    typer.echo(f"\n{file}: OK")


@codebook_app.command("show")
def codebook_show(db: Db = None) -> None:
    """Print the codebook of the project."""
    with open_store(db, read_only=True) as store:
        _print_codebook(store.codebook())


@codebook_app.command("export")
def codebook_export(
    format: Annotated[
        str, format_option("yaml", "qdc", help="yaml, or qdc (REFI-QDA codebook).")
    ] = "yaml",
    out: Out = None,
    db: Db = None,
) -> None:
    """Write the project's codebook as YAML or as a REFI-QDA codebook (.qdc)."""
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


@codebook_app.command("import")
def codebook_import(
    file: Annotated[Path, typer.Argument(metavar="FILE.qdc", help="A REFI-QDA codebook (.qdc).")],
    out: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Codebook YAML to write (default: standard output)."),
    ] = None,
    language: Annotated[
        str, typer.Option(metavar="LANG", help="Language of the texts (spaCy code).")
    ] = "xx",
    codebook_id: Annotated[
        str | None,
        typer.Option("--id", metavar="ID", help="Codebook id (default: from the file name)."),
    ] = None,
    title: Annotated[
        str | None, typer.Option(metavar="TITLE", help="Codebook title (default: the file name).")
    ] = None,
) -> None:
    """Turn a REFI-QDA codebook (.qdc) into a coder codebook (YAML) for `coder init`."""
    from coder.refi.codebook import codebook_yaml, from_qdc

    codebook, imported = from_qdc(file, codebook_id=codebook_id, title=title, language=language)
    with output(out) as stream:
        stream.write(codebook_yaml(imported.data))
    n_codes = sum(len(q.codes) for q in codebook.questions)
    where = f"Wrote {out}: " if out else ""
    say(
        f"{where}codebook '{codebook.id}' with {len(codebook.questions)} questions, "
        f"{n_codes} codes from {file}"
    )
    for name in imported.left_out:
        say(f"  left out empty code folder '{name}'")


@codebook_app.command("update")
def codebook_update(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE.yaml", help="The new version of the project's codebook (YAML)."
        ),
    ],
    db: Db = None,
) -> None:
    """Apply a new codebook version: added and renamed codes, declared merges and retirements."""
    from coder.store.evolve import update_codebook

    new = load_codebook(file)
    with open_store(db) as store:
        done = update_codebook(store, new, str(file))
    if done.unchanged:
        typer.echo(f"{file}: the project already has this codebook version; nothing to do.")
        return
    typer.echo(f"Updated the codebook from {file} (version {new.digest}).")
    for code in done.added:
        typer.echo(f"  added    {code}")
    for code, before, after in done.renamed:
        typer.echo(f"  renamed  {code}: '{before}' -> '{after}' (codings kept)")
    for label, n in done.merged:
        typer.echo(f"  merged   {label}: {n} codings moved")
    for label, n in done.retired:
        typer.echo(f"  retired  {label}: {n} codings removed (kept in the history)")
    for code in done.dropped:
        typer.echo(f"  removed  {code} (never used)")
    if done.stale_models:
        typer.echo(
            f"{done.stale_models} suggester models were trained on an older version: "
            "run `coder train`."
        )
