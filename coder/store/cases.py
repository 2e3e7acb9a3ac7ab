"""Cases and their attributes: listing them, setting them by hand or from a table.

A case (a region) has attributes (``landsdel``, ``typ``) that ``tally --by`` groups by; its
documents may carry attributes of their own in ``documents.meta["attributes"]`` (the year
of a report, ``år``), and for a passage a document's attribute wins over its case's of the
same name. Every change here is one transaction: an attribute file is refused whole, before
anything is written, when it names a case twice or a case the project does not have.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from coder.corpus.readers import Unreadable, read_table
from coder.errors import CoderError
from coder.i18n import _, ngettext
from coder.store import schema as t
from coder.store.store import Store

SHOWN = 5  # names listed in a refusal before "and N more"


@dataclass
class CaseRow:
    """A case with its own attributes, the values its passages have (a document's attribute
    over the case's), and how many documents, passages and coded passages it has."""

    name: str
    attributes: dict[str, str]
    values: dict[str, list[str]]  # attribute -> the distinct values of its documents
    documents: int = 0
    passages: int = 0
    coded: int = 0  # passages with at least one current coding

    def shown(self, attribute: str) -> str:
        """The attribute as one cell: its values joined with ", " ("" when it has none)."""
        return ", ".join(self.values.get(attribute, []))


@dataclass
class AttributeImport:
    """What ``import_case_attributes`` did."""

    path: Path
    columns: list[str]  # the attribute columns
    cases: int = 0  # cases named in the file
    created: list[str] = field(default_factory=list)
    changed: int = 0  # cases whose attributes changed
    values: int = 0  # attribute values set or changed


def listed(names: Sequence[str], *, quote: bool = True) -> str:
    """``'a', 'b', 'c'``; after ``SHOWN`` names: ``... and 3 more``."""
    shown = ", ".join(f"'{n}'" if quote else n for n in names[:SHOWN])
    more = len(names) - SHOWN
    return _("{shown} and {n} more").format(shown=shown, n=more) if more > 0 else shown


def _cases(n: int) -> str:
    return ngettext("{n} case", "{n} cases", n).format(n=n)


def case_rows(store: Store) -> list[CaseRow]:
    """Every case (those without documents too), ordered by name."""
    c, d, s, k = t.cases.c, t.documents.c, t.segments.c, t.codings.c
    passages = sa.select(s.document_id, sa.func.count(s.id)).group_by(s.document_id)
    coded = (
        sa.select(s.document_id, sa.func.count(sa.distinct(k.segment_id)))
        .select_from(t.codings.join(t.segments, s.id == k.segment_id))
        .group_by(s.document_id)
    )
    with store.batch(write=False) as b:
        cases = list(b.execute(sa.select(c.id, c.name, c.attributes)))
        documents = list(b.execute(sa.select(d.id, d.case_id, d.meta)))
        passages_in = {doc: n for doc, n in b.execute(passages)}
        coded_in = {doc: n for doc, n in b.execute(coded)}
    rows: dict[int, CaseRow] = {
        id_: CaseRow(name, _strings(attrs), {}) for id_, name, attrs in cases
    }
    seen: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for doc_id, case_id, meta in documents:
        row = rows[case_id]
        row.documents += 1
        row.passages += passages_in.get(doc_id, 0)
        row.coded += coded_in.get(doc_id, 0)
        for key, value in {**row.attributes, **document_attributes(meta)}.items():
            seen[case_id][key].add(value)
    for case_id, row in rows.items():
        values = seen.get(case_id) or {k: {v} for k, v in row.attributes.items()}
        row.values = {k: sorted(v) for k, v in sorted(values.items()) if v}
    return sorted(rows.values(), key=lambda r: r.name)


def document_attributes(meta: Mapping[str, Any] | None) -> dict[str, str]:
    """A document's own attributes (``meta["attributes"]``), empty values left out."""
    found = (meta or {}).get("attributes")
    return _strings(found) if isinstance(found, Mapping) else {}


def _strings(attributes: Mapping[str, Any] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (attributes or {}).items() if v is not None and str(v) != ""}


def set_case_attributes(store: Store, case: str, values: Mapping[str, str]) -> dict[str, Any]:
    """Set attributes of one case (an empty value removes the attribute); return them all."""
    if not values:
        raise CoderError(_("case '{case}': no attributes given (KEY=VALUE ...)").format(case=case))
    for key in values:
        if not key.strip():
            raise CoderError(
                _("case '{case}': an attribute needs a name (KEY=VALUE)").format(case=case)
            )
    c = t.cases.c
    with store.batch() as b:
        found = b.execute(sa.select(c.id, c.attributes).where(c.name == case)).one_or_none()
        if found is None:
            known = list(b.execute(sa.select(c.name).order_by(c.name)).scalars())
            raise CoderError(
                _("no case '{case}' in the project (cases: {known})").format(
                    case=case, known=listed(known) or _("none yet")
                )
            )
        attributes = dict(found.attributes or {})
        for key, value in values.items():
            if value == "":
                attributes.pop(key.strip(), None)
            else:
                attributes[key.strip()] = value
        if attributes != (found.attributes or {}):
            b.execute(t.cases.update().where(c.id == found.id).values(attributes=attributes))
    return attributes


def import_case_attributes(
    store: Store, path: str | Path, case_column: str, *, create: bool = False
) -> AttributeImport:
    """Set the attributes of the cases a table (CSV, TSV, XLSX) names in ``case_column``:
    every other column is an attribute, an empty cell sets nothing. Refused whole when the
    file names a case twice, or a case the project does not have (unless ``create``)."""
    path = Path(path)
    records = _records(path)
    columns = list(records[0].keys())
    if case_column not in columns:
        raise CoderError(
            _("{file}: {option} '{column}' is not a column (columns: {columns})").format(
                file=path, option="--case-column", column=case_column, columns=", ".join(columns)
            )
        )
    attribute_columns = [col for col in columns if col != case_column and col]
    if not attribute_columns:
        raise CoderError(
            _("{file}: no attribute columns besides the case column '{column}'").format(
                file=path, column=case_column
            )
        )
    wanted = _wanted(path, records, case_column, attribute_columns)
    done = AttributeImport(path, attribute_columns, cases=len(wanted))
    c = t.cases.c
    with store.batch() as b:
        present = {
            name: (id_, dict(attrs or {}))
            for id_, name, attrs in b.execute(sa.select(c.id, c.name, c.attributes))
        }
        unknown = [name for name in wanted if name not in present]
        if unknown and not create:
            raise CoderError(
                _(
                    "{file}: {cases} the project does not have: {names} (--create adds them); "
                    "nothing was changed"
                ).format(file=path, cases=_cases(len(unknown)), names=listed(unknown))
            )
        for name, values in wanted.items():
            if name not in present:
                b.case(name, values)
                done.created.append(name)
                done.values += len(values)
                continue
            case_id, before = present[name]
            after = {**before, **values}
            if after != before:
                b.execute(t.cases.update().where(c.id == case_id).values(attributes=after))
                done.changed += 1
                done.values += sum(1 for k, v in values.items() if before.get(k) != v)
    return done


def _records(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise CoderError(_("{file}: no such file").format(file=path))
    try:
        records = read_table(path)
    except Unreadable as exc:
        raise CoderError(f"{path}: {exc}") from None
    if not records:
        raise CoderError(_("{file}: no rows").format(file=path))
    return records


def _wanted(
    path: Path, records: list[dict[str, str]], case_column: str, columns: list[str]
) -> dict[str, dict[str, str]]:
    """Case name -> the attributes its row sets; a case named twice refuses the file."""
    wanted: dict[str, dict[str, str]] = {}
    lines: dict[str, list[int]] = defaultdict(list)
    for line, record in enumerate(records, start=2):
        name = str(record.get(case_column) or "").strip()
        values = {col: str(record.get(col) or "").strip() for col in columns}
        values = {col: value for col, value in values.items() if value}
        if not name:
            if values:
                raise CoderError(
                    _(
                        "{file} row {line}: no case name in column '{column}'; nothing was changed"
                    ).format(file=path, line=line, column=case_column)
                )
            continue  # an empty line
        lines[name].append(line)
        wanted[name] = values
    twice = [
        _("'{name}' (rows {rows})").format(name=name, rows=", ".join(map(str, n)))
        for name, n in lines.items()
        if len(n) > 1
    ]
    if twice:
        raise CoderError(
            _("{file}: {cases} named more than once: {names}; nothing was changed").format(
                file=path, cases=_cases(len(twice)), names=listed(twice, quote=False)
            )
        )
    return wanted
