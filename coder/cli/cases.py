"""``coder cases list|import|set``: the cases (regions) of a project and their attributes."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import IO, Annotated

import typer

from coder.cli._util import Db, Out, _Group, app, format_option, open_store, output, wrote
from coder.errors import CoderError
from coder.i18n import _, ngettext

cases_app = typer.Typer(
    cls=_Group,
    help=_("List cases (regions) and their attributes; set or import attributes."),
    no_args_is_help=True,
)
app.add_typer(cases_app, name="cases")

COUNTS = ("documents", "passages", "coded")


@cases_app.command(
    "list",
    help=_(
        "Print every case with its attributes and passage counts.\n\n"
        "An attribute's values are those of the case's documents (a document's own value, the "
        "year of a report, over the case's); documents, passages and coded passages are counted."
    ),
)
def cases_list(
    format: Annotated[str, format_option("md", "csv", "jsonl")] = "md",
    out: Out = None,
    db: Db = None,
) -> None:
    from coder.reports.collation import collation_key
    from coder.store.cases import case_rows

    with open_store(db, read_only=True) as store:
        rows = case_rows(store)
        language = store.codebook().language
    rows.sort(key=lambda r: collation_key(language)(r.name))
    attributes = sorted({key for row in rows for key in row.values})
    header = ["case", *attributes, *COUNTS]
    records = [
        [row.name, *(row.shown(a) for a in attributes), row.documents, row.passages, row.coded]
        for row in rows
    ]
    with output(out) as stream:
        _write(stream, format, header, records)
    wrote(out)


def _write(stream: IO[str], format: str, header: list[str], records: list[list]) -> None:
    if format == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(records)
    elif format == "jsonl":
        for record in records:
            stream.write(json.dumps(dict(zip(header, record, strict=True)), ensure_ascii=False))
            stream.write("\n")
    else:

        def cell(value: object) -> str:
            return str(value).replace("|", "\\|").replace("\n", " ")

        right = len(header) - len(COUNTS)
        stream.write("| " + " | ".join(cell(h) for h in header) + " |\n")
        stream.write("|" + "|".join("---:" if i >= right else "---" for i in range(len(header))))
        stream.write("|\n")
        for record in records:
            stream.write("| " + " | ".join(cell(v) for v in record) + " |\n")


@cases_app.command(
    "import",
    help=_(
        "Set case attributes from a CSV, TSV or XLSX table.\n\n"
        "One row per case, every column but --case-column an attribute (an empty cell sets "
        "nothing). A file naming a case twice, or a case the project does not have (without "
        "--create), changes nothing."
    ),
)
def cases_import(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help=_("A table of cases: CSV, TSV or XLSX."))
    ],
    case_column: Annotated[
        str,
        typer.Option(
            metavar="COL",
            help=_("The column naming the case; every other column is an attribute."),
        ),
    ],
    create: Annotated[
        bool, typer.Option(help=_("Create cases the project does not have (else refused)."))
    ] = False,
    db: Db = None,
) -> None:
    from coder.store.cases import import_case_attributes

    with open_store(db) as store:
        done = import_case_attributes(store, file, case_column, create=create)
    cases = ngettext("{n} case", "{n} cases", done.cases).format(n=done.cases)
    values = ngettext("{n} value", "{n} values", done.values).format(n=done.values)
    if done.created:
        changed = _("{changed} changed, {created} created").format(
            changed=done.changed, created=len(done.created)
        )
    else:
        changed = _("{changed} changed").format(changed=done.changed)
    typer.echo(
        _("{file}: {cases} ({changed}), {values} set; attributes: {attributes}").format(
            file=file,
            cases=cases,
            changed=changed,
            values=values,
            attributes=", ".join(done.columns),
        )
    )


@cases_app.command(
    "set", help=_("Set attributes of one case: `coder cases set Kalmar landsdel=Götaland`.")
)
def cases_set(
    case: Annotated[str, typer.Argument(metavar="CASE", help=_("The case's name."))],
    values: Annotated[
        list[str],
        typer.Argument(metavar="KEY=VALUE", help=_("Attributes to set; KEY= removes one.")),
    ],
    db: Db = None,
) -> None:
    from coder.store.cases import set_case_attributes

    with open_store(db) as store:
        attributes = set_case_attributes(store, case, _assignments(values))
    shown = ", ".join(f"{k}={v}" for k, v in sorted(attributes.items())) or _("no attributes")
    typer.echo(f"{case}: {shown}")


def _assignments(items: list[str]) -> dict[str, str]:
    """``["år=2019", "typ="]`` -> ``{"år": "2019", "typ": ""}``; a malformed one is refused."""
    found: dict[str, str] = {}
    for item in items:
        key, sign, value = item.partition("=")
        if not sign or not key.strip():
            raise CoderError(
                _("'{item}': expected KEY=VALUE (KEY= removes the attribute)").format(item=item)
            )
        found[key.strip()] = value.strip()
    return found
