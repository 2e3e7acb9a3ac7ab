"""Project storage: SQLite (default) or any SQLAlchemy URL, behind one API."""

from coder.store.store import (
    DEFAULT_DB,
    NewDocument,
    Span,
    Store,
    default_coder,
    default_db,
)

__all__ = ["DEFAULT_DB", "NewDocument", "Span", "Store", "default_coder", "default_db"]
