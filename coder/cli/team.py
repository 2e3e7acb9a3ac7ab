"""Commands for keeping a (shared) project safe over time: ``codebook update``, ``backup``
and ``restore``. Registered on the one ``coder`` app by ``coder.cli``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coder.cli.main import Db, _db, _open, app, codebook_app
from coder.model.codebook import load_codebook


@codebook_app.command("update")
def codebook_update(
    file: Annotated[Path, typer.Argument(help="The new version of the project's codebook (YAML).")],
    db: Db = None,
) -> None:
    """Apply a new codebook version: added and renamed codes, declared merges and retirements."""
    from coder.store.evolve import update_codebook

    new = load_codebook(file)
    with _open(db) as store:
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


def _figures(counts: dict[str, int]) -> str:
    return (
        f"{counts['documents']} documents, {counts['segments']} passages, "
        f"{counts['coders']} coders, {counts['actions']} coding actions "
        f"({counts['coding_events']} events), {counts['memos']} memos"
    )


@app.command()
def backup(
    out: Annotated[Path, typer.Option(help="The backup file to write (an SQLite project file).")],
    db: Db = None,
    force: Annotated[
        bool,
        typer.Option(help="Replace an existing file (it is kept beside it first)."),
    ] = False,
) -> None:
    """Write a consistent backup of the project while others keep working (SQLite or PostgreSQL)."""
    from coder.store import Store
    from coder.store.backup import backup_to

    with Store.open(_db(db), read_only=True) as store:
        done = backup_to(store, out, force=force)
    typer.echo(f"Wrote {out}: {_figures(done.counts)}.")
    if done.saved_as:
        typer.echo(f"The file it replaced is kept as {done.saved_as}.")


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A backup written by `coder backup`.")],
    db: Db = None,
    force: Annotated[
        bool, typer.Option(help="Replace an existing project (an SQLite one is kept beside it).")
    ] = False,
) -> None:
    """Restore a backup into --db (an SQLite file or a PostgreSQL database)."""
    from coder.store.backup import restore as restore_backup

    target = _db(db)
    done = restore_backup(file, target, force=force)
    typer.echo(f"Restored {file} into {target}: {_figures(done.counts)}.")
    if done.saved_as:
        typer.echo(f"The project it replaced is kept as {done.saved_as}.")
