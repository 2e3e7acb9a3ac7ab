"""A table's rows as passages to import: columns checked, codes read, ids checked.

Everything here refuses before anything is written: a missing column, an unknown code,
one id on rows with different texts, or one case with two values of an attribute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from coder.corpus.importing import ImportSummary
from coder.errors import ImportError_
from coder.i18n import _
from coder.model.codebook import NOT_APPLICABLE, Question


@dataclass
class Row:
    line: int  # 1-based row in the sheet, the header being row 1
    text: str
    case: str
    external_id: str | None
    codes: list[str]
    attributes: dict[str, str] = field(default_factory=dict)  # of its case, non-empty


@dataclass
class Columns:
    text: str
    case: str | None
    id: str | None
    code: str | None
    attributes: tuple[str, ...] = ()

    def check(self, path: Path, columns: list[str]) -> None:
        for option, column in (
            ("--text-column", self.text),
            ("--case-column", self.case),
            ("--id-column", self.id),
            ("--code-column", self.code),
            *(("--attribute-column", a) for a in self.attributes),
        ):
            if column and column not in columns:
                raise ImportError_(
                    _("{file}: {option} '{column}' is not a column (columns: {columns})").format(
                        file=path, option=option, column=column, columns=", ".join(columns)
                    )
                )


def check_options(path: Path, columns: Columns, question: str | None, update: bool) -> None:
    if not path.is_file():
        raise ImportError_(_("{file}: no such file").format(file=path))
    if columns.code and not question:
        raise ImportError_(
            _("--code-column needs --question (which codebook question the codes answer)")
        )
    if update and not columns.id:
        raise ImportError_(
            _(
                "{file}: --update needs --id-column (rows are matched to their passages by id)"
            ).format(file=path)
        )


def table_rows(
    records: list[dict[str, str]],
    columns: Columns,
    q: Question | None,
    path: Path,
    summary: ImportSummary,
) -> list[Row]:
    """The rows with text; an id on rows with different texts refuses the import."""
    rows: list[Row] = []
    first_of: dict[str, Row] = {}
    for i, rec in enumerate(records, start=2):
        text = (rec.get(columns.text) or "").replace("\r\n", "\n").strip()
        ext = (rec.get(columns.id) or "").strip() if columns.id else ""
        codes = []
        if columns.code and q is not None:
            codes = parse_codes(rec.get(columns.code) or "", q, path, i)
        if not text:
            summary.empty_rows += 1
            continue
        case = (rec.get(columns.case) or "").strip() if columns.case else ""
        attributes = {a: str(rec.get(a) or "").strip() for a in columns.attributes}
        attributes = {k: v for k, v in attributes.items() if v}
        row = Row(i, text, case or path.stem, ext or None, codes, attributes)
        if row.external_id:
            first = first_of.setdefault(row.external_id, row)
            if first.text != row.text:
                raise ImportError_(
                    _(
                        "{file} rows {first} and {second}: the same id '{id}' with different "
                        "texts (an id names one passage); nothing was imported"
                    ).format(file=path, first=first.line, second=row.line, id=row.external_id)
                )
        rows.append(row)
    return rows


def case_attributes(rows: list[Row], path: Path) -> dict[str, dict[str, str]]:
    """case -> the attributes its rows give it; two rows of a case with different values of
    one attribute refuse the import."""
    found: dict[str, dict[str, tuple[str, int]]] = {}
    for row in rows:
        have = found.setdefault(row.case, {})
        for key, value in row.attributes.items():
            first = have.setdefault(key, (value, row.line))
            if first[0] != value:
                raise ImportError_(
                    _(
                        "{file} rows {first} and {second}: case '{case}' has two values of "
                        "attribute '{key}' ('{value}', '{other}'); nothing was imported"
                    ).format(
                        file=path,
                        first=first[1],
                        second=row.line,
                        case=row.case,
                        key=key,
                        value=first[0],
                        other=value,
                    )
                )
    return {
        case: {k: v for k, (v, _line) in attrs.items()} for case, attrs in found.items() if attrs
    }


def parse_codes(cell: str, question: Question, path: Path, line: int) -> list[str]:
    values = [v.strip() for v in str(cell).split(";") if v.strip()]
    ids: list[str] = []
    for value in values:
        if value.casefold() == NOT_APPLICABLE:  # "this question does not apply"
            ids.append(NOT_APPLICABLE)
            continue
        code = question.resolve(value)
        if code is None:
            known = ", ".join(c.id for c in question.codes)
            raise ImportError_(
                _(
                    "{file} row {line}: unknown code '{code}' for question '{question}' "
                    "(known codes: {known}); nothing was imported"
                ).format(file=path, line=line, code=value, question=question.id, known=known)
            )
        ids.append(code.id)
    ids = list(dict.fromkeys(ids))
    if NOT_APPLICABLE in ids and len(ids) > 1:
        raise ImportError_(
            _(
                "{file} row {line}: '{na}' (not applicable) cannot be combined with codes "
                "({codes}); nothing was imported"
            ).format(file=path, line=line, na=NOT_APPLICABLE, codes="; ".join(values))
        )
    if question.mode == "single" and len(ids) > 1:
        raise ImportError_(
            _(
                "{file} row {line}: question '{question}' takes one code, got {n} ({codes}); "
                "nothing was imported"
            ).format(
                file=path, line=line, question=question.id, n=len(ids), codes="; ".join(values)
            )
        )
    return ids
