"""Commands for keeping a (shared) project safe over time: ``codebook update``, ``backup``
and ``restore``. Registered on the one ``coder`` app by ``coder.cli``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coder.cli import Db, _open, codebook_app
from coder.codebook import load_codebook


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
