"""The errors the core raises for problems a user can fix.

The command line turns every ``CoderError`` into one line on stderr and exit
code 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class CoderError(Exception):
    """A problem with the user's input or project, explained in one line."""


class CodebookError(CoderError):
    """A codebook file is malformed or inconsistent."""


class ImportError_(CoderError):  # the trailing underscore keeps clear of the builtin
    """An import was refused; nothing was written."""


class StoreError(CoderError):
    """The project database is missing, foreign or in an unusable state."""


def where(path: object, line: int | None = None) -> str:
    """Format a location as ``file:line`` (or just ``file``)."""
    return f"{path}:{line}" if line else f"{path}"
