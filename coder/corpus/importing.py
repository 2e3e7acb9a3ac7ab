"""What importing documents and tables share: the summary, the stop, recognising a file.

Files are read and segmented outside any transaction; what they add is then written in
short transactions (a few files, or a few thousand table rows, each well under a second),
so the coding screen never waits long for the write lock. A file is always written whole
or not at all: should writing fail (disk full, say), the import stops with one line naming
the file and the cause, and says what was imported before it. A refused import (unknown
code, missing column, clashing ids) is refused before anything is written. Files that
cannot be read are skipped and listed with their reason; importing the same material again
adds nothing twice.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coder.errors import ImportError_

CASE_FROM = ("auto", "folder", "filename")
Progress = Callable[[int, int], None]  # (done, total)

# Bounds on one write transaction: it ends after the file or row that passes either.
BATCH_SECONDS = 0.25  # documents: time spent writing in one transaction
BATCH_ROWS = 1000  # tables: rows per transaction (0.1-0.3 s here)
BATCH_CHARS = 4_000_000  # tables: characters of text per transaction


@dataclass
class ImportSummary:
    documents: int = 0
    segments: int = 0
    new_cases: int = 0
    codings: int = 0
    unchanged: int = 0  # already imported, left as they were
    attached: int = 0  # table rows matched to existing segments of the same file
    updated: int = 0  # table passages given the row's new text (--update)
    updated_coded: int = 0  # of which had codings (they stay on the passage)
    new_versions: int = 0  # table rows whose id was imported before with another text
    ids_in_name_only: int = 0  # ids another file's passage holds already as external id
    empty_rows: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)

    def add(self, part: ImportSummary) -> None:
        """Count ``part`` (one transaction's work) in."""
        for name, value in vars(part).items():
            if isinstance(value, int):
                setattr(self, name, getattr(self, name) + value)
        self.skipped.extend(part.skipped)


class ImportStopped(ImportError_):
    """Writing failed part-way; ``summary`` tells what was imported (and kept) before."""

    def __init__(self, message: str, summary: ImportSummary):
        super().__init__(message)
        self.summary = summary


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Candidate:
    """A file to import and where it was found."""

    path: Path
    name: str  # the name it had before names could clash: relative to the folder's parent
    root: Path | None  # the folder given on the command line, if any
    abs: Path = field(default=Path())  # absolute path (folders resolved, the file itself not)

    def names(self) -> list[str]:
        """Possible document names, shortest first: ``name``, then with more folders."""
        parts = self.abs.parts[1:]  # without the anchor ("/")
        n = len(Path(self.name).parts)
        return [self.name] + ["/".join(parts[-k:]) for k in range(n + 1, len(parts) + 1)]


def same_file(meta: dict[str, Any], path: Path) -> bool | None:
    """Whether the document with ``meta`` was imported from the file at ``path`` (None:
    cannot tell). Newer projects record the absolute path; older ones the path as given."""
    recorded = meta.get("path")
    if recorded:
        return bool(recorded == str(path))
    source = meta.get("source")
    if not source:
        return None
    earlier = Path(os.path.abspath(source))
    if earlier == path:
        return True
    try:
        if earlier.exists():
            return os.path.samefile(earlier, path)
    except OSError:
        return None
    return None  # given relative to another folder, or moved since
