"""Commands for working with other coders and other programs: ``agreement``, ``merge``,
``import-project`` and ``codebook export|import`` (REFI-QDA and YAML).

They are registered on the one ``coder`` app (``coder.cli`` imports this module), and like
every command they only parse options and call core functions.
"""

from __future__ import annotations

import csv
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from coder.cli import Db, _open, _output, app
from coder.errors import CoderError


class AgreementFormat(StrEnum):
    md = "md"
    csv = "csv"
    json = "json"


@app.command()
def agreement(
    question: Annotated[
        str | None, typer.Option(help="Question id (default: every question).")
    ] = None,
    coders: Annotated[
        str | None,
        typer.Option(help="Coders to compare, comma-separated (default: all but 'consensus')."),
    ] = None,
    format: Annotated[  # noqa: A002
        AgreementFormat, typer.Option("--format", help="Output format.")
    ] = AgreementFormat.md,
    out: Annotated[
        Path | None, typer.Option(help="Output file (default: standard output).")
    ] = None,
    db: Db = None,
) -> None:
    """Agreement between coders: percent agreement, Cohen's kappa, Krippendorff's alpha."""
    from coder import agreement as ag

    names = [c.strip() for c in coders.split(",") if c.strip()] if coders else None
    with _open(db) as store:
        codebook = store.codebook()
        ids = [codebook.question(question).id] if question else [q.id for q in codebook.questions]
        results = []
        for q in ids:
            try:
                results.append(ag.agreement(store, q, names))
            except CoderError:
                if question:  # asked for this question: say why it has no figures
                    raise
        if not results:
            raise CoderError(
                "no question has codings by two or more coders yet; "
                "code the same passages as another coder (or `coder merge` their project)"
            )
        with _output(out) as stream:
            if format is AgreementFormat.json:
                body = [r.to_json() for r in results]
                stream.write(
                    json.dumps(body[0] if question else body, ensure_ascii=False, indent=2) + "\n"
                )
            elif format is AgreementFormat.csv:
                writer = csv.DictWriter(stream, fieldnames=ag.CSV_COLUMNS, lineterminator="\n")
                writer.writeheader()
                writer.writerows(ag.csv_rows(store, results))
            else:
                stream.write(ag.markdown(store, results))
    if out:
        typer.echo(f"Wrote {out}", err=True)


@app.command()
def merge(
    other: Annotated[str, typer.Argument(help="The other copy of the project (file or URL).")],
    db: Db = None,
) -> None:
    """Add another copy's coders, codings and memos to this project (same corpus)."""
    from coder.merge import merge as merge_projects

    with _open(db) as store:
        summary = merge_projects(store, other)
    new = f" ({', '.join(summary.coders)} new)" if summary.coders else ""
    typer.echo(
        f"Merged {summary.other}: {summary.actions} coding actions ({summary.events} events), "
        f"{summary.memos} memos{new}; {summary.already} already here."
    )
    for note in summary.notes:
        typer.echo(f"  note: {note}")
