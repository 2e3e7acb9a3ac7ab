"""The coding screen in a browser: ``coder serve`` (coder.serve does the work)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer

from coder.cli._util import Db, app, db_path, open_store, say
from coder.errors import CoderError
from coder.i18n import _

if TYPE_CHECKING:
    from coder.serve.server import ServeOptions


@app.command(
    help=_(
        "Serve the coding screen to browsers: each coder opens their own link.\n\n"
        "Give each coder a personal link with --add-coder NAME (run it once per coder; it\n"
        "prints the link), then run coder serve and leave it running. Every request needs a\n"
        "valid link; --revoke NAME ends that coder's sessions at once. Outside this machine\n"
        "(--host other than 127.0.0.1) put a reverse proxy with TLS in front."
    ),
)
def serve(
    host: Annotated[
        str | None,
        typer.Option(metavar="ADDRESS", help=_("Address to listen on (default 127.0.0.1).")),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, metavar="N", help=_("Port to listen on (default 8000).")),
    ] = None,
    add_coder: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help=_("Print a new personal link for NAME (an earlier one stops working)."),
        ),
    ] = None,
    revoke: Annotated[
        str | None,
        typer.Option(metavar="NAME", help=_("Revoke NAME's link; their sessions end at once.")),
    ] = None,
    list_: Annotated[
        bool, typer.Option("--list", help=_("List the coders who have a link."))
    ] = False,
    max_sessions: Annotated[
        int,
        typer.Option(min=1, metavar="N", help=_("At most N coding sessions at a time.")),
    ] = 8,
    idle_minutes: Annotated[
        float,
        typer.Option(
            min=0.01, metavar="MINUTES", help=_("End a session after this long without a key.")
        ),
    ] = 60.0,
    public_url: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help=_(
                "The address browsers use, when it is not http://HOST:PORT (behind a reverse "
                "proxy: https://...); links are printed with it."
            ),
        ),
    ] = None,
    blind: Annotated[
        bool, typer.Option(help=_("Every session hides other coders' codes."))
    ] = False,
    retrain_every: Annotated[
        int | None,
        typer.Option(
            min=0,
            metavar="N",
            help=_(
                "Each session retrains the suggester after N new codings (0: never; "
                "default as coder code). Retraining loads the embedding model into the "
                "session (about 400 MB)."
            ),
        ),
    ] = None,
    db: Db = None,
) -> None:
    from coder.serve.server import ServeOptions, check_public_url

    actions = [name for name, given in
               (("--add-coder", add_coder is not None), ("--revoke", revoke is not None),
                ("--list", list_)) if given]  # fmt: skip
    if len(actions) > 1:
        raise CoderError(
            _("{first} and {second} cannot be given together").format(
                first=actions[0], second=actions[1]
            )
        )
    if public_url is not None:
        public_url = check_public_url(public_url)
    options = ServeOptions(
        db=db_path(db),
        host=host or "127.0.0.1",
        port=port or 8000,
        max_sessions=max_sessions,
        idle_minutes=idle_minutes,
        public_url=public_url,
        blind=blind,
        retrain_every=retrain_every,
    )
    if add_coder is not None:
        # no address given: the one the server last listened on, where the link must go
        _add(options, add_coder, own_address=host is None and port is None and not public_url)
    elif revoke is not None:
        _revoke(options, revoke)
    elif list_:
        _list(options)
    else:
        _serve(options)


def _add(options: ServeOptions, name: str, *, own_address: bool) -> None:
    from coder.serve.server import link, warn_if_open
    from coder.store.links import add_link, remembered_address

    with open_store(options.db) as store:
        new = add_link(store, name)
        served_at = remembered_address(store) if own_address else None
    if served_at:
        options = replace(options, public_url=served_at)
    typer.echo(link(options, new.token))
    if new.replaced:
        say(_("{name}'s earlier link no longer works.").format(name=new.coder))
    say(
        _(
            "Give this link to {name} only: it opens the coding screen as {name}. "
            "It cannot be shown again (a new --add-coder replaces it)."
        ).format(name=new.coder)
    )
    if served_at:
        say(_("The address is where coder serve last listened; --public-url gives another."))
    warning = warn_if_open(options)
    if warning and options.public_url is None:
        say(warning)


def _revoke(options: ServeOptions, name: str) -> None:
    from coder.store.links import revoke_link

    with open_store(options.db) as store:
        revoke_link(store, name)
    say(
        _("Revoked {name}'s link; a running session of theirs ends within a second.").format(
            name=name.strip()
        )
    )


def _list(options: ServeOptions) -> None:
    from coder.store.links import links

    with open_store(options.db, read_only=True) as store:
        found = links(store)
    if not found:
        say(_("No coder has a link yet: coder serve --add-coder NAME"))
        return
    typer.echo("\t".join((_("coder"), _("created"), _("last used"))))
    for item in found:
        typer.echo("\t".join((item.coder, _when(item.created_at), _when(item.last_used_at))))


def _when(time: str | None) -> str:
    """``2026-12-07T11:19:49.816881+00:00`` -> ``2026-12-07 11:19 UTC``; None -> ``-``."""
    return f"{time[:10]} {time[11:16]} UTC" if time else "-"


def _serve(options: ServeOptions) -> None:
    import asyncio

    from coder.serve.server import CodingServer, public_url, warn_if_open
    from coder.store.links import links, remember_address

    with open_store(options.db) as store:
        server = CodingServer(store, options, say=say)

        def started() -> None:  # said once listening: a port in use is the only line
            remember_address(store, public_url(options))  # a read-only project stops here
            warning = warn_if_open(options)
            if warning:
                say(warning)
            say(
                _("Serving the coding screen on {url} (Ctrl+C stops; sessions end saved)").format(
                    url=public_url(options)
                )
            )
            if not links(store):
                say(
                    _(
                        "No coder has a link yet: coder serve --add-coder NAME "
                        "(every request is refused)"
                    )
                )

        asyncio.run(server.serve(started))
    say(_("Stopped."))
