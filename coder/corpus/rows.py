"""A table's rows as passages to import: columns checked, codes read, ids checked.

Everything here refuses before anything is written: a missing column, an unknown code,
one id on rows with different texts, or one case with two values of an attribute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from coder.corpus.importing import ImportSummary
from coder.errors import ImportError_
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
                    f"{path}: {option} '{column}' is not a column (columns: {', '.join(columns)})"
                )


def check_options(path: Path, columns: Columns, question: str | None, update: bool) -> None:
    if not path.is_file():
        raise ImportError_(f"{path}: no such file")
    if columns.code and not question:
        raise ImportError_(
            "--code-column needs --question (which codebook question the codes answer)"
        )
    if update and not columns.id:
        raise ImportError_(
            f"{path}: --update needs --id-column (rows are matched to their passages by id)"
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
                    f"{path} rows {first.line} and {row.line}: the same id '{row.external_id}' "
                    "with different texts (an id names one passage); nothing was imported"
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
                    f"{path} rows {first[1]} and {row.line}: case '{row.case}' has two values "
                    f"of attribute '{key}' ('{first[0]}', '{value}'); nothing was imported"
                )
    return {case: {k: v for k, (v, _) in attrs.items()} for case, attrs in found.items() if attrs}


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
                f"{path} row {line}: unknown code '{value}' for question '{question.id}' "
                f"(known codes: {known}); nothing was imported"
            )
        ids.append(code.id)
    ids = list(dict.fromkeys(ids))
    if NOT_APPLICABLE in ids and len(ids) > 1:
        raise ImportError_(
            f"{path} row {line}: '{NOT_APPLICABLE}' (not applicable) cannot be combined with "
            f"codes ({'; '.join(values)}); nothing was imported"
        )
    if question.mode == "single" and len(ids) > 1:
        raise ImportError_(
            f"{path} row {line}: question '{question.id}' takes one code, got {len(ids)} "
            f"({'; '.join(values)}); nothing was imported"
        )
    return ids
