"""Importing documents and tables into a project, without ever leaving half a file.

``import_paths`` is what ``coder import`` does: one CSV/XLSX table with its columns, or
TXT/MD/DOCX/PDF files and folders. The work lives in ``documents`` (files and folders),
``table`` (table rows) and ``importing`` (the summary and what both share; see it for the
promises every import keeps).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from coder.corpus.documents import import_documents
from coder.corpus.importing import (
    FileReport,
    ImportStopped,
    ImportSummary,
    Progress,
    parse_attributes,
)
from coder.corpus.project import ProjectStore
from coder.corpus.readers import TABLE_SUFFIXES
from coder.corpus.table import import_table
from coder.errors import CoderError
from coder.i18n import _

__all__ = [
    "FileReport",
    "ImportStopped",
    "ImportSummary",
    "Progress",
    "TableColumns",
    "import_documents",
    "import_paths",
    "import_table",
    "parse_attributes",
]


@dataclass(frozen=True)
class TableColumns:
    """How to read a table: the passage text's column and the optional others, with the
    question and coder that a code column's earlier codings belong to, and the columns
    whose values become attributes of each row's case."""

    text: str | None = None
    case: str | None = None
    id: str | None = None
    code: str | None = None
    question: str | None = None
    coder: str | None = None
    update: bool = False
    attributes: tuple[str, ...] = ()

    def options_given(self) -> list[str]:
        """The table-only options set, by their command-line names."""
        named = (
            ("--text-column", self.text),
            ("--case-column", self.case),
            ("--id-column", self.id),
            ("--code-column", self.code),
            ("--update", self.update),
            ("--attribute-column", self.attributes),
        )
        return [name for name, value in named if value]


def import_paths(
    store: ProjectStore,
    paths: Sequence[Path],
    *,
    table: TableColumns | None = None,
    case_from: str = "auto",
    segmentation: str = "paragraph",
    progress: Progress | None = None,
    attributes: Mapping[str, str] | None = None,
) -> ImportSummary:
    """Import one table (``table`` says how to read it) or documents and folders;
    ``attributes`` (``år=2019``) go on every new document (``meta["attributes"]``).

    Refused before anything is read: a table among other paths, a table without its text
    column, table options without a table, a question or coder without a code column."""
    table = table or TableColumns()
    tables = [p for p in paths if p.suffix.lower() in TABLE_SUFFIXES]
    if tables and len(paths) > 1:
        raise CoderError(
            _("import one table at a time (documents and tables go in separate imports)")
        )
    if tables and not table.text:
        raise CoderError(
            _("{file}: a table needs --text-column (the column with the passages)").format(
                file=tables[0]
            )
        )
    if table.options_given() and not tables:
        raise CoderError(
            _("{option} is for CSV/XLSX tables; no table was given").format(
                option=table.options_given()[0]
            )
        )
    if (table.question or table.coder) and not table.code:
        raise CoderError(_("--question and --coder go with --code-column"))
    if tables and table.text:
        return import_table(
            store,
            tables[0],
            text_column=table.text,
            case_column=table.case,
            id_column=table.id,
            code_column=table.code,
            question=table.question,
            coder=table.coder,
            update=table.update,
            progress=progress,
            attribute_columns=table.attributes,
            attributes=attributes,
        )
    return import_documents(
        store,
        paths,
        case_from=case_from,
        segmentation=segmentation,
        progress=progress,
        attributes=attributes,
    )
