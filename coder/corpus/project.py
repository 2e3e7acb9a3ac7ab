"""What the importers need of a project, as protocols: the store implements them.

The corpus never imports the store (``tests/test_architecture.py``); an importer is given
a store and reads and writes through ``store.batch()``, a unit of work whose ``apply``
writes a list of changes (``coder.corpus.changes``) in its transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from coder.corpus.changes import Applied, Change
from coder.model.codebook import Codebook


@dataclass(frozen=True)
class StoredDocument:
    """A document the project holds already."""

    id: int
    name: str
    sha256: str
    case_id: int
    meta: dict[str, Any]


class ProjectBatch(Protocol):
    """One transaction of a project (``coder.store.batch.Batch``)."""

    def apply(self, changes: Iterable[Change]) -> Applied: ...

    def case_id(self, name: str) -> int | None: ...

    def document(self, name: str) -> StoredDocument | None: ...

    def documents_by_name(self, names: list[str]) -> dict[str, StoredDocument]: ...

    def documents_under(self, prefix: str) -> dict[str, StoredDocument]: ...

    def documents_with_text(self, case_id: int, sha256: str) -> list[StoredDocument]: ...

    def first_segments(self, document_ids: list[int]) -> dict[int, int]: ...

    def external_ids_scoped(self) -> bool: ...

    def segments_by_external_id(self, ids: list[str]) -> dict[str, int]: ...


class ProjectStore(Protocol):
    """An open project (``coder.store.Store``)."""

    db: str  # where it is: an SQLite path or a database URL

    def codebook(self) -> Codebook: ...

    def batch(self, *, write: bool = True) -> AbstractContextManager[ProjectBatch]: ...
