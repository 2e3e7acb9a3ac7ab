"""What every command shares: the app, the error handler, the common options, opening the
project, writing output, progress bars and messages.

The command modules import from here and from the core, never from each other, so each
command reads as: parse the options, call one core function, print.

Output rule: data (tables, reports, CSV and JSON lines, summaries of what was done) goes to
standard output; status messages ("Wrote FILE", progress, hints, notes) go to standard
error, so ``coder export > file.csv`` holds only the data.
Exit codes: 0 ok, 1 user error (one line on stderr, no traceback), 2 usage error.

Every command also takes ``--lang sv|en`` (the language of its messages and help) and lists
``--db`` last: ``_Group`` adds and orders them, so a new command cannot forget them.
Everything a user reads is marked with ``_()`` (``coder.i18n``).
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup
from typer.models import OptionInfo

from coder import i18n
from coder.errors import CoderError
from coder.i18n import _

if TYPE_CHECKING:
    from coder.store import Store


def _format_usage(self: Any, ctx: typer.Context, formatter: Any) -> None:
    """Click's "Usage:" line in the user's language."""
    pieces = self.collect_usage_pieces(ctx)
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage:") + " ")


def _get_help_option(self: Any, ctx: typer.Context) -> Any:
    """Click's ``--help`` with its text in the user's language."""
    option = super(type(self), self).get_help_option(ctx)
    if option is not None:
        option.help = _("Show this message and exit.")
    return option


class _Command(TyperCommand):
    """A command as ``_Group`` shows it: its usage line and ``--help`` in the user's
    language (the help's section titles follow through ``coder.cli._click``)."""

    format_usage = _format_usage
    get_help_option = _get_help_option


class _Group(TyperGroup):
    """Turns every ``CoderError`` raised below into one line on stderr and exit code 1;
    gives each command (and group) ``--lang`` and puts ``--db`` last in its help, and makes
    its commands ``_Command``s."""

    format_usage = _format_usage
    get_help_option = _get_help_option

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _shared_options(self)
        for command in self.commands.values():
            if not isinstance(command, TyperGroup):  # a group tidies its own commands
                _shared_options(command)
                if type(command) is TyperCommand:
                    command.__class__ = _Command

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # A run in this process (the tests) leaves the language as it found it.
        before = i18n.language()
        try:
            return super().main(*args, **kwargs)
        finally:
            i18n.set_language(before)

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CoderError as exc:
            # one line, whatever a library put into the message
            message = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            typer.echo(_("coder: error: {message}").format(message=message), err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            typer.echo(_("coder: interrupted; nothing half-done was kept"), err=True)
            ctx.exit(130)


def ui_language(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:
    """Callback of a ``--lang`` option: speak its language from here on, when it was given
    and is one the user interface speaks (``deck --lang da`` keeps the interface's)."""
    source = ctx.get_parameter_source(param.name or "lang")
    given = source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT")
    if given and value is not None and str(value) in i18n.LANGUAGES:
        i18n.set_language(str(value))
    return value


class UiLang(StrEnum):
    sv = "sv"
    en = "en"


def _lang_option() -> Any:
    """A new ``--lang sv|en`` option, built by Typer as for any command's parameter."""
    probe = typer.Typer()

    @probe.command()
    def lang_probe(
        lang: Annotated[
            UiLang | None,
            typer.Option(
                "--lang",
                expose_value=False,
                is_eager=True,
                callback=ui_language,
                show_default=False,
                help=_("Language of messages and help (default: $CODER_LANG, else from $LANG)."),
            ),
        ] = None,
    ) -> None:
        """Never run: only its option is used."""

    return typer.main.get_command(probe).params[0]


def _shared_options(command: Any) -> None:
    """``--lang`` on ``command`` (unless it has a ``--lang`` of its own, as ``deck`` does),
    then ``--db`` as its last option; arguments shown as the words they are."""
    params = command.params
    if not any("--lang" in param.opts for param in params):
        params.append(_lang_option())
    for param in [p for p in params if p.name == "db"]:
        params.remove(param)
        params.append(param)
    for param in params:
        if type(param) is TyperArgument:
            param.__class__ = _Argument


class _Argument(TyperArgument):
    """An argument shown by its name alone: ``coder import [OPTIONS] PATH...`` and
    ``PATH...  Files or folders ...``, not ``{PATH}...`` and ``PATH <list[Path]>``."""

    def display_type_rich(self, ctx: typer.Context) -> str | None:
        return None

    def _rich_display_name(self) -> str:
        return self.display_name_raw + ("..." if self.nargs != 1 else "")

    def _usage_display_name(self) -> str:
        name = self._rich_display_name()
        return name if self.required else f"[{name}]"


app = typer.Typer(
    cls=_Group,
    help=_("Qualitative text coding: codebooks, coding, suggestions and tally tables."),
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
codebook_app = typer.Typer(
    cls=_Group, help=_("Check, show, export, import and update codebooks."), no_args_is_help=True
)
app.add_typer(codebook_app, name="codebook")


# -- options with the same name and meaning in every command -----------------------------------

Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="PATH|URL",
        help=_(
            "Project database: an SQLite file or a database URL "
            "(default: $CODER_DB, else coder.db here)."
        ),
        show_default=False,
    ),
]
Question = Annotated[
    str | None,
    typer.Option(metavar="QUESTION", help=_("Question id (default: every question).")),
]
Out = Annotated[
    Path | None,
    typer.Option(metavar="FILE", help=_("Output file (default: standard output).")),
]


# CSV for Excel: the same two options on every command that writes CSV
Sep = Annotated[
    str | None,
    typer.Option(metavar="CHAR", help=_("CSV separator: ';', ',' or 'tab' (default ',').")),
]
Excel = Annotated[
    bool,
    typer.Option(
        "--excel",
        help=_("CSV for Swedish or Danish Excel: byte-order mark, ';' and decimal comma."),
    ),
]


def format_option(*shown: str, hidden: tuple[str, ...] = (), help: str | None = None) -> Any:
    """The ``--format`` option, the partner of ``Out``: one of ``shown``, listed in the help.

    ``hidden`` spellings are still accepted, so that scripts written for an earlier version
    keep working, but no longer advertised (``json`` where the common spelling is ``jsonl``).
    """
    accepted = (*shown, *hidden)

    def parse(value: str) -> str:
        if value not in accepted:
            listed = ", ".join(repr(choice) for choice in shown)
            raise typer.BadParameter(
                _("{value} is not one of {choices}.").format(value=repr(value), choices=listed)
            )
        return value

    return typer.Option(
        "--format",
        metavar=f"<{'|'.join(shown)}>",
        parser=parse,
        help=help if help is not None else _("Output format."),
    )


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
    if out is None:
        return
    if what:
        say(_("Wrote {what} to {file}").format(what=what, file=out))
    else:
        say(_("Wrote {file}").format(file=out))


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
        raise CoderError(_("{file}: is a folder; give --out a file name").format(file=out))
    if not folder.exists():
        raise CoderError(
            _("{file}: folder {folder} does not exist").format(file=out, folder=folder)
        )
    if not folder.is_dir():
        raise CoderError(_("{file}: {folder} is not a folder").format(file=out, folder=folder))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=folder)
    except OSError as exc:
        raise CoderError(
            _("{file}: cannot write in {folder} ({reason})").format(
                file=out, folder=folder, reason=exc.strerror
            )
        ) from None
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
                _("{file}: cannot write it ({reason}); nothing was written").format(
                    file=out, reason=exc.strerror
                )
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
