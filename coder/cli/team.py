"""Keeping a (shared) project safe over time: ``coder backup`` and ``coder restore``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coder.cli._util import Db, app, db_path, open_store, say
from coder.i18n import _


def _figures(counts: dict[str, int]) -> str:
    return _(
        "{documents} documents, {passages} passages, {coders} coders, {actions} coding actions "
        "({events} events), {memos} memos"
    ).format(
        documents=counts["documents"],
        passages=counts["segments"],
        coders=counts["coders"],
        actions=counts["actions"],
        events=counts["coding_events"],
        memos=counts["memos"],
    )


@app.command(
    help=_(
        "Write a consistent backup of the project while others keep working (SQLite or PostgreSQL)."
    )
)
def backup(
    out: Annotated[
        Path,
        typer.Option(metavar="FILE", help=_("The backup file to write (an SQLite project file).")),
    ],
    db: Db = None,
    force: Annotated[
        bool,
        typer.Option(help=_("Replace an existing file (it is kept beside it first).")),
    ] = False,
) -> None:
    from coder.store.backup import backup_to

    with open_store(db, read_only=True) as store:
        done = backup_to(store, out, force=force)
    say(_("Wrote {file}: {what}").format(file=out, what=_figures(done.counts)) + ".")
    if done.saved_as:
        say(_("The file it replaced is kept as {file}.").format(file=done.saved_as))


@app.command(help=_("Restore a backup into --db (an SQLite file or a PostgreSQL database)."))
def restore(
    file: Annotated[
        Path, typer.Argument(metavar="BACKUP", help=_("A backup written by `coder backup`."))
    ],
    db: Db = None,
    force: Annotated[
        bool,
        typer.Option(help=_("Replace an existing project (an SQLite one is kept beside it).")),
    ] = False,
) -> None:
    from coder.store.backup import restore as restore_backup

    target = db_path(db)
    done = restore_backup(file, target, force=force)
    typer.echo(
        _("Restored {file} into {db}: {what}.").format(
            file=file, db=target, what=_figures(done.counts)
        )
    )
    if done.saved_as:
        say(_("The project it replaced is kept as {file}.").format(file=done.saved_as))
