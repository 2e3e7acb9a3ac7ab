"""What every command shares: the app, the error handler, the common options, opening the
project, writing output, progress bars and messages.

The command modules import from here and from the core, never from each other, so each
command reads as: parse the options, call one core function, print.

Output rule: data (tables, reports, CSV and JSON lines, summaries of what was done) goes to
standard output; status messages ("Wrote FILE", progress, hints, notes) go to standard
error, so ``coder export > file.csv`` holds only the data.
Exit codes: 0 ok, 1 user error (one line on stderr, no traceback), 2 usage error.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import click
import typer
from typer.core import TyperGroup
from typer.models import OptionInfo

from coder.errors import CoderError

if TYPE_CHECKING:
    from coder.store import Store


class _Group(TyperGroup):
    """Turns every ``CoderError`` raised below into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CoderError as exc:
            # one line, whatever a library put into the message
            message = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            click.echo(f"coder: error: {message}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("coder: interrupted; nothing half-done was kept", err=True)
            ctx.exit(130)


app = typer.Typer(
    cls=_Group,
    help="Qualitative text coding: codebooks, coding, suggestions and tally tables.",
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
codebook_app = typer.Typer(
    cls=_Group, help="Check, show, export, import and update codebooks.", no_args_is_help=True
)
app.add_typer(codebook_app, name="codebook")


# -- options with the same name and meaning in every command -----------------------------------

Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="PATH|URL",
        help="Project database: an SQLite file or a database URL "
        "(default: $CODER_DB, else coder.db here).",
        show_default=False,
    ),
]
Question = Annotated[
    str | None,
    typer.Option(metavar="QUESTION", help="Question id (default: every question)."),
]
Out = Annotated[
    Path | None,
    typer.Option(metavar="FILE", help="Output file (default: standard output)."),
]


def format_option(*shown: str, hidden: tuple[str, ...] = (), help: str = "Output format.") -> Any:
    """The ``--format`` option, the partner of ``Out``: one of ``shown``, listed in the help.

    ``hidden`` spellings are still accepted, so that scripts written for an earlier version
    keep working, but no longer advertised (``json`` where the common spelling is ``jsonl``).
    """
    accepted = (*shown, *hidden)

    def parse(value: str) -> str:
        if value not in accepted:
            listed = ", ".join(repr(choice) for choice in shown)
            raise typer.BadParameter(f"{value!r} is not one of {listed}.")
        return value

    return typer.Option("--format", metavar=f"<{'|'.join(shown)}>", parser=parse, help=help)


def coders_option(help: str) -> OptionInfo:
    """``--coders A,B,...``: the same name and form wherever a command takes several coders
    (``split_names`` turns it into a list)."""
    return typer.Option(metavar="A,B,...", help=help)


def hidden_alias(name: str) -> OptionInfo:
    """An older spelling of an option, accepted but left out of the help."""
    return typer.Option(name, hidden=True)


def split_names(text: str | None) -> list[str] | None:
    """``"anna, bo"`` -> ``["anna", "bo"]``; nothing given -> None (the command's default)."""
    return [name.strip() for name in text.split(",") if name.strip()] if text else None


# -- the project --------------------------------------------------------------------------------


def db_path(db: str | None) -> str:
    """The project ``--db`` names, else ``$CODER_DB``, else ``coder.db`` here."""
    from coder.store import default_db

    return db or default_db()


@contextmanager
def open_store(db: str | None, *, read_only: bool = False) -> Iterator[Store]:
    """The project, closed afterwards; ``read_only`` for commands that only read: they never
    take the write lock (so never wait behind a writer) and never change the file."""
    from coder.store import Store

    store = Store.open(db_path(db), read_only=read_only)
    try:
        yield store
    finally:
        store.close()


# -- output -------------------------------------------------------------------------------------


def say(message: str) -> None:
    """A status message: on stderr, so that it never mixes with the data on stdout."""
    typer.echo(message, err=True)


def wrote(out: Path | None, what: str = "") -> None:
    """Confirm a written file on stderr (nothing when the data went to stdout)."""
    if out is not None:
        say(f"Wrote {what}{' to ' if what else ''}{out}")


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


_WRITE_ERRORS = (
    errno.ENOSPC,
    errno.EFBIG,
    errno.EDQUOT,
    errno.EIO,
    errno.EROFS,
    errno.EACCES,
    errno.EPERM,
    errno.EISDIR,
    errno.ENOTDIR,
)


@contextmanager
def output(out: Path | None) -> Iterator[IO[str]]:
    """Standard output, or a text file that appears only once it is completely written."""
    if out is None:
        yield sys.stdout
        return
    with output_file(out) as tmp, open(tmp, "w", encoding="utf-8", newline="") as stream:
        yield stream


@contextmanager
def output_file(out: Path) -> Iterator[Path]:
    """A temporary path beside ``out`` for the caller to write; it becomes ``out`` only once
    complete.

    A target that cannot be written (a folder, a read-only or missing folder, a full disk)
    is one line naming the file and the cause; nothing is left half-written, an earlier
    file of that name stays as it was.
    """
    folder = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise CoderError(f"{out}: is a folder; give --out a file name")
    if not folder.exists():
        raise CoderError(f"{out}: folder {folder} does not exist")
    if not folder.is_dir():
        raise CoderError(f"{out}: {folder} is not a folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=folder)
    except OSError as exc:
        raise CoderError(f"{out}: cannot write in {folder} ({exc.strerror})") from None
    os.close(fd)
    try:
        yield Path(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file usual permissions
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.errno in _WRITE_ERRORS:
            raise CoderError(
                f"{out}: cannot write it ({exc.strerror}); nothing was written"
            ) from None
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback drawing a bar on stderr when it is a terminal (else silent)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    with Progress(
        f"[bold]{label}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
