"""Knowing whether an SQLite project is open in another coder process.

SQLite's own locks say whether someone is *writing*, not whether a coding screen has the
file open and will write its next keypress into it. Replacing such a file (``backup
--force``, ``restore --force``) under the open screen corrupts it, and the screen's next
keypress would still be reported as saved. So every ``Store`` on an SQLite file holds a
*shared* ``flock`` on a small lock file beside the database, ``<db>-lock``, for as long
as it is open; whoever replaces the file must first get the *exclusive* lock, without
waiting: if any coder process has the project open, it refuses in one line instead.

Why a separate file and not ``flock`` on the database itself: SQLite locks with POSIX
``fcntl`` byte-range locks, and a process that opens and closes any other descriptor of
the database file silently drops all of its POSIX locks (a second ``Store`` on the same
file in one process would do just that); on NFS, Linux emulates ``flock`` with the same
POSIX locks, so it would collide with SQLite's. The lock file is never written to and
never removed (removing lock files races with their next user); it is created with the
usual permissions so colleagues sharing the folder can lock it too.

Read-only opens (``status``, the source of a ``merge``) share the lock only where the lock
file already exists: they create nothing beside a file they only read.

Degrading gracefully: where the lock file cannot be opened or created (a read-only
medium or folder, where nothing can replace the project anyway) the shared lock is
skipped, and an exclusive one is not needed; on Windows (no ``fcntl``) there is no
check at all. Locks held by a process disappear when it dies (``kill -9`` included),
so a crash never leaves a project looking open.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from coder.errors import StoreError
from coder.i18n import _

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

SUFFIX = "-lock"


def lock_path(db: str) -> str:
    return db + SUFFIX


def _open(db: str, create: bool = True) -> int | None:
    """A descriptor of the project's lock file (created if need be and ``create``), or None
    if impossible."""
    path = lock_path(db)
    for flags in (os.O_RDWR | os.O_CREAT, os.O_RDONLY) if create else (os.O_RDONLY,):
        try:
            return os.open(path, flags, 0o666)
        except OSError:
            continue
    return None


class SharedLock:
    """Held by an open ``Store``: the project is in use. ``release`` is idempotent."""

    def __init__(self, fd: int | None):
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases the flock
            self.fd = None


def hold_shared(db: str, *, create: bool = True) -> SharedLock:
    """Mark the project as open by this process until ``release``.

    Refuses (one line) while another process holds the exclusive lock, i.e. is replacing
    the file right now. Read-only opens pass ``create=False``: they use a lock file that is
    there but never create one (reading a colleague's copy leaves their folder as it was)."""
    if fcntl is None:
        return SharedLock(None)
    fd = _open(db, create)
    if fd is None:
        return SharedLock(None)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StoreError(
            _(
                "{db}: is being replaced right now (a `coder backup --force` or `coder restore "
                "--force` is writing it); try again in a moment"
            ).format(db=db)
        ) from None
    except OSError:  # a file system without flock: no check
        pass
    return SharedLock(fd)


@contextmanager
def exclusive(db: str) -> Iterator[None]:
    """Own the project file while replacing it; refuse at once if a coder process has it
    open (a coding screen, a running import, ...)."""
    fd = _open(db) if fcntl is not None else None
    if fd is None:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(
                _(
                    "{db} is open in another coder process (a coding screen?); close it first"
                ).format(db=db)
            ) from None
        except OSError:  # a file system without flock: no check
            pass
        yield
    finally:
        os.close(fd)
