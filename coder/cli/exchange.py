"""Working with other copies and other programs: ``coder merge`` (a colleague's copy of the
project) and ``coder import-project`` (a REFI-QDA project from any QDA program)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coder.cli._util import Db, app, db_path, open_store, say


@app.command()
def merge(
    other: Annotated[
        str,
        typer.Argument(metavar="OTHER", help="The other copy of the project (file or URL)."),
    ],
    db: Db = None,
) -> None:
    """Add another copy's coders, codings and memos to this project (same corpus)."""
    from coder.store.merge import merge as merge_projects

    with open_store(db) as store:
        summary = merge_projects(store, other)
    new = f" ({', '.join(summary.coders)} new)" if summary.coders else ""
    typer.echo(
        f"Merged {summary.other}: {summary.actions} coding actions ({summary.events} events), "
        f"{summary.memos} memos{new}; {summary.already} already here."
    )
    for note in summary.notes:
        say(f"  note: {note}")
    if summary.conflicts:
        typer.echo(
            f"{len(summary.conflicts)} codings break this codebook's rules and were not applied; "
            "each is left for adjudication as a memo on its passage:"
        )
        for conflict in summary.conflicts[:20]:
            typer.echo(f"  conflict: {conflict}")
        if len(summary.conflicts) > 20:
            typer.echo(f"  ... and {len(summary.conflicts) - 20} more")


@app.command("import-project")
def import_project(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE.qdpx", help="A REFI-QDA project (.qdpx) from any QDA program."
        ),
    ],
    db: Db = None,
    language: Annotated[
        str | None,
        typer.Option(
            metavar="LANG",
            help="Language of the texts (spaCy code; default: from the file, else xx).",
        ),
    ] = None,
    max_entries: Annotated[
        int,
        typer.Option(min=1, metavar="N", help="Refuse a .qdpx holding more entries than this."),
    ] = 10_000,
    max_entry_mb: Annotated[
        int,
        typer.Option(
            min=1,
            metavar="MB",
            help="Refuse a .qde or text source that unpacks to more megabytes than this.",
        ),
    ] = 200,
    max_total_mb: Annotated[
        int,
        typer.Option(
            min=1,
            metavar="MB",
            help="Refuse a .qdpx whose .qde and text sources unpack to more MB than this.",
        ),
    ] = 1024,
) -> None:
    """Create a project from a REFI-QDA .qdpx file (NVivo, ATLAS.ti, MAXQDA, QualCoder)."""
    from coder.refi.importer import MB, ArchiveLimits, import_qdpx

    target = db_path(db)
    limits = ArchiveLimits(max_entries, max_entry_mb * MB, max_total_mb * MB)
    done = import_qdpx(file, target, language=language, limits=limits)
    typer.echo(
        f"Created project {target} from {file}: codebook '{done.codebook_id}' "
        f"({done.questions} questions, {done.codes} codes), {done.cases} cases, "
        f"{done.documents} documents ({done.segments} passages), {done.codings} codings, "
        f"{done.memos} memos" + (f" by {', '.join(done.coders)}." if done.coders else ".")
    )
    if done.left_out:
        typer.echo(f"Left out ({len(done.left_out)}):")
        for item in done.left_out[:20]:
            typer.echo(f"  {item}")
        if len(done.left_out) > 20:
            typer.echo(f"  ... and {len(done.left_out) - 20} more")
