"""Importing documents and tables into a project, without ever leaving half a file.

The import commands' entry points, gathered from where they live: ``documents``
(files and folders), ``table`` (CSV/TSV/XLSX rows), ``importing`` (the summary and what
both share). See ``coder.corpus.importing`` for the promises every import keeps.
"""

from __future__ import annotations

from coder.corpus.documents import case_name, collect_files, import_documents
from coder.corpus.importing import (
    BATCH_CHARS,
    BATCH_ROWS,
    BATCH_SECONDS,
    CASE_FROM,
    ImportStopped,
    ImportSummary,
    Progress,
)
from coder.corpus.readers import read_table
from coder.corpus.table import import_table

__all__ = [
    "BATCH_CHARS",
    "BATCH_ROWS",
    "BATCH_SECONDS",
    "CASE_FROM",
    "ImportStopped",
    "ImportSummary",
    "Progress",
    "case_name",
    "collect_files",
    "import_documents",
    "import_table",
    "read_table",
]
