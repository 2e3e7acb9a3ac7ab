"""Keeping a (shared) project safe over time: ``coder backup`` and ``coder restore``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coder.cli._util import Db, app, db_path, open_store, say


def _figures(counts: dict[str, int]) -> str:
    return (
        f"{counts['documents']} documents, {counts['segments']} passages, "
        f"{counts['coders']} coders, {counts['actions']} coding actions "
        f"({counts['coding_events']} events), {counts['memos']} memos"
    )


@app.command()
def backup(
    out: Annotated[
        Path,
        typer.Option(metavar="FILE", help="The backup file to write (an SQLite project file)."),
    ],
    db: Db = None,
    force: Annotated[
        bool,
        typer.Option(help="Replace an existing file (it is kept beside it first)."),
    ] = False,
) -> None:
    """Write a consistent backup of the project while others keep working (SQLite or PostgreSQL)."""
    from coder.store.backup import backup_to

    with open_store(db, read_only=True) as store:
        done = backup_to(store, out, force=force)
    say(f"Wrote {out}: {_figures(done.counts)}.")
    if done.saved_as:
        say(f"The file it replaced is kept as {done.saved_as}.")


@app.command()
def restore(
    file: Annotated[
        Path, typer.Argument(metavar="BACKUP", help="A backup written by `coder backup`.")
    ],
    db: Db = None,
    force: Annotated[
        bool, typer.Option(help="Replace an existing project (an SQLite one is kept beside it).")
    ] = False,
) -> None:
    """Restore a backup into --db (an SQLite file or a PostgreSQL database)."""
    from coder.store.backup import restore as restore_backup

    target = db_path(db)
    done = restore_backup(file, target, force=force)
    typer.echo(f"Restored {file} into {target}: {_figures(done.counts)}.")
    if done.saved_as:
        say(f"The project it replaced is kept as {done.saved_as}.")
