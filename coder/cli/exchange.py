"""Working with other copies and other programs: ``coder merge`` (a colleague's copy of the
project) and ``coder import-project`` (a REFI-QDA project from any QDA program)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coder.cli._util import Db, app, db_path, open_store, say
from coder.i18n import _


@app.command(help=_("Add another copy's coders, codings and memos to this project (same corpus)."))
def merge(
    other: Annotated[
        str,
        typer.Argument(metavar="OTHER", help=_("The other copy of the project (file or URL).")),
    ],
    db: Db = None,
) -> None:
    from coder.store.merge import merge as merge_projects

    with open_store(db) as store:
        summary = merge_projects(store, other)
    done = _("Merged {other}: {actions} coding actions ({events} events), {memos} memos").format(
        other=summary.other, actions=summary.actions, events=summary.events, memos=summary.memos
    )
    if summary.coders:
        done += " " + _("({coders} new)").format(coders=", ".join(summary.coders))
    typer.echo(done + "; " + _("{n} already here.").format(n=summary.already))
    for note in summary.notes:
        say("  " + _("note: {note}").format(note=note))
    if summary.conflicts:
        typer.echo(
            _(
                "{n} codings break this codebook's rules and were not applied; "
                "each is left for adjudication as a memo on its passage:"
            ).format(n=len(summary.conflicts))
        )
        for conflict in summary.conflicts[:20]:
            typer.echo("  " + _("conflict: {conflict}").format(conflict=conflict))
        if len(summary.conflicts) > 20:
            typer.echo("  " + _("... and {n} more").format(n=len(summary.conflicts) - 20))


@app.command(
    "import-project",
    help=_("Create a project from a REFI-QDA .qdpx file (NVivo, ATLAS.ti, MAXQDA, QualCoder)."),
)
def import_project(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE.qdpx", help=_("A REFI-QDA project (.qdpx) from any QDA program.")
        ),
    ],
    db: Db = None,
    language: Annotated[
        str | None,
        typer.Option(
            metavar="LANG",
            help=_("Language of the texts (spaCy code; default: from the file, else xx)."),
        ),
    ] = None,
    max_entries: Annotated[
        int,
        typer.Option(min=1, metavar="N", help=_("Refuse a .qdpx holding more entries than this.")),
    ] = 10_000,
    max_entry_mb: Annotated[
        int,
        typer.Option(
            min=1,
            metavar="MB",
            help=_("Refuse a .qde or text source that unpacks to more megabytes than this."),
        ),
    ] = 200,
    max_total_mb: Annotated[
        int,
        typer.Option(
            min=1,
            metavar="MB",
            help=_("Refuse a .qdpx whose .qde and text sources unpack to more MB than this."),
        ),
    ] = 1024,
) -> None:
    from coder.refi.importer import MB, ArchiveLimits, import_qdpx

    target = db_path(db)
    limits = ArchiveLimits(max_entries, max_entry_mb * MB, max_total_mb * MB)
    done = import_qdpx(file, target, language=language, limits=limits)
    created = _(
        "Created project {db} from {file}: codebook '{codebook}' "
        "({questions} questions, {codes} codes), {cases} cases, "
        "{documents} documents ({passages} passages), {codings} codings, {memos} memos"
    ).format(
        db=target,
        file=file,
        codebook=done.codebook_id,
        questions=done.questions,
        codes=done.codes,
        cases=done.cases,
        documents=done.documents,
        passages=done.segments,
        codings=done.codings,
        memos=done.memos,
    )
    if done.coders:
        created += " " + _("by {coders}").format(coders=", ".join(done.coders))
    typer.echo(created + ".")
    if done.left_out:
        typer.echo(_("Left out ({n}):").format(n=len(done.left_out)))
        for item in done.left_out[:20]:
            typer.echo(f"  {item}")
        if len(done.left_out) > 20:
            typer.echo("  " + _("... and {n} more").format(n=len(done.left_out) - 20))
