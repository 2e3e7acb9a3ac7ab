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

from coder.cli.main import Db, _open, _output, app, codebook_app
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
    from coder.reports import agreement as ag

    names = [c.strip() for c in coders.split(",") if c.strip()] if coders else None
    with _open(db, read_only=True) as store:
        codebook = store.codebook()
        ids = [codebook.question(question).id] if question else [q.id for q in codebook.questions]
        results = []
        for q in ids:
            try:
                results.append(ag.agreement(store, q, names))
            except ag.TooFewCoders:
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
    from coder.store.merge import merge as merge_projects

    with _open(db) as store:
        summary = merge_projects(store, other)
    new = f" ({', '.join(summary.coders)} new)" if summary.coders else ""
    typer.echo(
        f"Merged {summary.other}: {summary.actions} coding actions ({summary.events} events), "
        f"{summary.memos} memos{new}; {summary.already} already here."
    )
    for note in summary.notes:
        typer.echo(f"  note: {note}")
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
    file: Annotated[Path, typer.Argument(help="A REFI-QDA project (.qdpx) from any QDA program.")],
    db: Db = None,
    language: Annotated[
        str | None,
        typer.Option(help="Language of the texts (spaCy code; default: from the file, else xx)."),
    ] = None,
    max_entries: Annotated[
        int, typer.Option(min=1, help="Refuse a .qdpx holding more entries than this.")
    ] = 10_000,
    max_entry_mb: Annotated[
        int,
        typer.Option(
            min=1, help="Refuse a .qde or text source that unpacks to more megabytes than this."
        ),
    ] = 200,
    max_total_mb: Annotated[
        int,
        typer.Option(
            min=1, help="Refuse a .qdpx whose .qde and text sources unpack to more MB than this."
        ),
    ] = 1024,
) -> None:
    """Create a project from a REFI-QDA .qdpx file (NVivo, ATLAS.ti, MAXQDA, QualCoder)."""
    from coder.cli.main import _db
    from coder.refi.importer import MB, ArchiveLimits, import_qdpx

    target = _db(db)
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


class CodebookFormat(StrEnum):
    yaml = "yaml"
    qdc = "qdc"


@codebook_app.command("export")
def codebook_export(
    format: Annotated[  # noqa: A002
        CodebookFormat, typer.Option("--format", help="yaml, or qdc (REFI-QDA codebook).")
    ] = CodebookFormat.yaml,
    out: Annotated[
        Path | None, typer.Option(help="Output file (default: standard output).")
    ] = None,
    db: Db = None,
) -> None:
    """Write the project's codebook as YAML or as a REFI-QDA codebook (.qdc)."""
    with _open(db, read_only=True) as store:
        codebook = store.codebook()
    if format is CodebookFormat.qdc:
        from coder.refi.codebook import to_qdc

        body = to_qdc(codebook).decode("utf-8")
    else:
        body = codebook.source if codebook.source.endswith("\n") else codebook.source + "\n"
    with _output(out) as stream:
        stream.write(body)
    if out:
        typer.echo(f"Wrote {out}", err=True)


@codebook_app.command("import")
def codebook_import(
    file: Annotated[Path, typer.Argument(help="A REFI-QDA codebook (.qdc).")],
    out: Annotated[
        Path | None, typer.Option(help="Codebook YAML to write (default: standard output).")
    ] = None,
    language: Annotated[str, typer.Option(help="Language of the texts (spaCy code).")] = "xx",
    codebook_id: Annotated[
        str | None, typer.Option("--id", help="Codebook id (default: from the file name).")
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="Codebook title (default: the file name).")
    ] = None,
) -> None:
    """Turn a REFI-QDA codebook (.qdc) into a coder codebook (YAML) for `coder init`."""
    from coder.refi.codebook import codebook_yaml, from_qdc

    codebook, imported = from_qdc(file, codebook_id=codebook_id, title=title, language=language)
    with _output(out) as stream:
        stream.write(codebook_yaml(imported.data))
    n_codes = sum(len(q.codes) for q in codebook.questions)
    where = f"Wrote {out}: " if out else ""
    typer.echo(
        f"{where}codebook '{codebook.id}' with {len(codebook.questions)} questions, "
        f"{n_codes} codes from {file}",
        err=True,
    )
    for name in imported.left_out:
        typer.echo(f"  left out empty code folder '{name}'", err=True)
