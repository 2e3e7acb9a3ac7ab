"""``coder serve``: the coding screen in a browser, one ``coder code`` per session.

textual-serve does the part that is hard: ``AppService`` runs a Textual app as a child
process with Textual's web driver and relays its screen and keys through a websocket,
and its ``textual.js`` draws that screen in the browser. Around it this module adds what
a shared project needs, as an aiohttp application of its own (textual-serve's ``Server``
lets anyone in and starts the same command for everybody):

- every request (the page, its scripts and fonts, the websocket) needs a valid personal
  link (``coder.store.links``): the token from the link's ``?token=``, from the websocket's
  path, or from the cookie the page sets for its scripts. Anything else gets 401 before any
  process starts;
- each session runs ``coder code --coder NAME`` for the link's coder (the project through
  ``$CODER_DB``, so a PostgreSQL password never shows in a process list);
- at most ``max_sessions`` at once (503 beyond), a session idle for ``idle_minutes`` is
  ended, and a revoked link's sessions end within a second. Ending asks the app to quit
  (as ``q`` does; every keypress is saved already) and waits for it, then closes the
  websocket with the reason, which the page shows.

No access log: the requests carry the tokens. What the server says is one line per event.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from coder import i18n
from coder.errors import CoderError
from coder.i18n import _
from coder.serve import pages
from coder.store import Store
from coder.store.links import coder_for_token, live_hashes, mark_used, token_hash

COOKIE = "coder_link"
SERVED = "CODER_SERVED_SESSION"  # set for each session's coder code
CODER = web.RequestKey("coder", str)  # the link's coder and token, once the link is checked
TOKEN = web.RequestKey("token", str)
IDLE_CLOSE = 4000  # websocket close codes of our own (4000-4999 are the application's)
REVOKED_CLOSE = 4001
STOPPED_CLOSE = 4002
CRASHED_CLOSE = 4003
WATCH_SECONDS = 1.0  # how often sessions are checked for revoked links and idleness
QUIT_SECONDS = 15.0  # how long a session's app gets to quit before it is killed


@dataclass(frozen=True)
class ServeOptions:
    db: str
    host: str = "127.0.0.1"
    port: int = 8000
    max_sessions: int = 8
    idle_minutes: float = 60.0
    public_url: str | None = None
    blind: bool = False
    retrain_every: int | None = None  # None: coder code's own default


@dataclass(eq=False)
class Session:
    coder: str
    token_sha256: str
    websocket: web.WebSocketResponse
    service: AppService | None = None
    last_input: float = field(default_factory=time.monotonic)
    reason: tuple[int, str] | None = None  # why the server ends it: close code, words
    ending: bool = False

    # What the app draws goes to the browser while it is there. After that it is dropped,
    # but still read: an app whose output nobody reads blocks, and never gets to quit.
    async def send_bytes(self, data: bytes) -> None:
        if not self.websocket.closed:
            with contextlib.suppress(ConnectionError):
                await self.websocket.send_bytes(data)

    async def send_str(self, data: str) -> None:
        if not self.websocket.closed:
            with contextlib.suppress(ConnectionError):
                await self.websocket.send_str(data)

    async def close(self) -> None:
        """Close the websocket, saying why when the server ended the session (textual-serve
        calls this when the app has exited)."""
        if self.websocket.closed or not self.websocket.prepared:
            return
        process = getattr(self.service, "_process", None)  # textual-serve keeps it there
        if self.reason is None and process is not None:
            # the app said goodbye by itself (q, or an error it stopped on): which was it?
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), QUIT_SECONDS)
            if process.returncode:
                self.reason = (CRASHED_CLOSE, _crashed_words())
        if self.reason is None:
            await self.websocket.close()
        else:
            code, words = self.reason
            await self.websocket.close(code=code, message=_close_reason(words).encode("utf-8"))


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only (``localhost``, 127.x, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def public_url(options: ServeOptions) -> str:
    """Where browsers reach the server: ``--public-url``, else ``http://HOST:PORT``."""
    if options.public_url:
        return options.public_url.rstrip("/")
    host = options.host
    if host in ("0.0.0.0", "::", ""):  # every address: the one colleagues know, its name
        host = socket.gethostname()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{options.port}"


def check_public_url(url: str) -> str:
    """``--public-url``: an http(s) address of a host (and port), no path: coder serve
    answers at the root of its name. Returned without a trailing slash."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CoderError(
            _("--public-url: {url} is not an http:// or https:// address").format(url=url)
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise CoderError(
            _(
                "--public-url: {url} has a path; serve coder at the root of a name of its own "
                "(https://coder.example.se)"
            ).format(url=url)
        )
    if not re.fullmatch(
        r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?", parts.netloc
    ):
        raise CoderError(_("--public-url: {url} is not a host name and port").format(url=url))
    try:
        parts.port  # noqa: B018 - raises for a port out of range
    except ValueError:
        raise CoderError(
            _("--public-url: {url} is not a host name and port").format(url=url)
        ) from None
    return f"{parts.scheme}://{parts.netloc}"


def link(options: ServeOptions, token: str) -> str:
    return f"{public_url(options)}/?token={token}"


def session_command(options: ServeOptions, coder: str) -> str:
    """The shell command textual-serve starts for one session (``exec``: no shell left)."""
    argv = [sys.executable, "-m", "coder.cli", "code", "--coder", coder]
    if options.blind:
        argv.append("--blind")
    if options.retrain_every is not None:
        argv += ["--retrain-every", str(options.retrain_every)]
    if os.name == "nt":
        return subprocess.list2cmdline(argv)
    return "exec " + shlex.join(argv)


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``values`` in ``os.environ`` (which textual-serve copies for each session) meanwhile."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class CodingServer:
    """The web server; ``serve()`` serves until stopped, ``app()`` is the aiohttp application
    (tests drive it in-process)."""

    def __init__(
        self,
        store: Store,
        options: ServeOptions,
        *,
        say: Callable[[str], None] = print,
        command: Callable[[str], str] | None = None,
    ):
        self.store = store
        self.options = options
        self.say = say
        self.command = command or (lambda coder: session_command(options, coder))
        self.sessions: set[Session] = set()
        self.downloads = DownloadManager()
        self.static = Path(str(files("textual_serve") / "static"))
        self._watcher: asyncio.Task[None] | None = None
        self._env = contextlib.ExitStack()
        self._tasks: set[asyncio.Task[None]] = set()

    # -- the application ----------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._require_link])
        app.add_routes(
            [
                web.get("/", self._page),
                web.get("/ws", self._websocket),
                web.get("/ws/{token}", self._websocket),
                web.static("/static", self.static),
            ]
        )
        app.on_startup.append(self._start)
        app.on_shutdown.append(self._end_all)
        app.on_cleanup.append(self._cleanup)
        return app

    @web.middleware
    async def _require_link(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        token = request.match_info.get("token") or request.query.get("token")
        if token is None and not request.path.startswith("/ws"):
            # the page's own scripts and font; never the websocket, which another page of
            # the same site could open with the cookie (the page opens it with the token)
            token = request.cookies.get(COOKIE)
        try:
            coder = await asyncio.to_thread(coder_for_token, self.store, token)
        except (CoderError, sa.exc.SQLAlchemyError) as exc:
            self.say(_("cannot read the links: {reason}").format(reason=_first_line(exc)))
            return web.Response(status=503, text=pages.unavailable_page(), content_type="text/html")
        if coder is None or token is None:
            return web.Response(
                status=401, text=pages.unauthorised_page(), content_type="text/html"
            )
        if request.path.startswith("/ws") and not self._same_origin(request):
            self.say(
                _(
                    "{name}: refused a session opened from {origin}, not from this server's "
                    "page (behind a proxy: give --public-url)"
                ).format(name=coder, origin=request.headers.get("Origin"))
            )
            return web.Response(
                status=403, text=pages.unauthorised_page(), content_type="text/html"
            )
        request[CODER] = coder
        request[TOKEN] = token
        response: web.StreamResponse = await handler(request)
        return response

    def _same_origin(self, request: web.Request) -> bool:
        """A browser's websocket comes from the coding page itself: its Origin names this
        server's host (as the browser reached it, or --public-url's). Programs that send no
        Origin are let through (the token is the key); a page elsewhere is not. Schemes are
        not compared: behind a TLS proxy the page is https and the request here is http."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        allowed = {request.host.lower()}
        if self.options.public_url:
            allowed.add(urlsplit(public_url(self.options)).netloc.lower())
        return urlsplit(origin).netloc.lower() in allowed

    def _busy(self) -> web.Response | None:
        if len(self.sessions) < self.options.max_sessions:
            return None
        return web.Response(
            status=503,
            text=pages.busy_page(self.options.max_sessions),
            content_type="text/html",
        )

    async def _page(self, request: web.Request) -> web.Response:
        busy = self._busy()
        if busy is not None:
            return busy
        # Behind a reverse proxy the page and its websocket are at --public-url; otherwise
        # at whatever address the browser used (the page works it out from its location:
        # nothing of the request's Host header goes into the page).
        base = public_url(self.options) if self.options.public_url else ""
        try:
            font_size = max(8, min(40, int(request.query.get("fontsize", "16"))))
        except ValueError:
            font_size = 16
        response = web.Response(
            text=pages.coding_page(
                coder=request[CODER],
                base=base,
                websocket=f"/ws/{request[TOKEN]}",
                font_size=font_size,
            ),
            content_type="text/html",
        )
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.set_cookie(
            COOKIE,
            request[TOKEN],
            httponly=True,
            samesite="Strict",
            secure=base.startswith("https:"),
        )
        return response

    # -- sessions -------------------------------------------------------------------------------
    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        busy = self._busy()
        if busy is not None:
            return busy
        coder: str = request[CODER]
        websocket = web.WebSocketResponse(heartbeat=15)
        session = Session(coder, token_hash(request[TOKEN]), websocket)
        self.sessions.add(session)  # counted before the first await: the limit holds
        try:
            await websocket.prepare(request)
        except BaseException:  # not a websocket request (a plain GET): aiohttp answers 400
            self.sessions.discard(session)
            raise
        try:
            session.service = service = AppService(
                self.command(coder),
                write_bytes=session.send_bytes,
                write_str=session.send_str,
                close=session.close,
                download_manager=self.downloads,
            )
            self.say(
                _("{name}: session started ({n} of at most {most})").format(
                    name=coder, n=len(self.sessions), most=self.options.max_sessions
                )
            )
            await service.start(_size(request, "width", 80), _size(request, "height", 24))
            self._track(self._on_exit(session))
            await asyncio.to_thread(mark_used, self.store, request[TOKEN])
            await self._relay(session)
        finally:
            # shielded: aiohttp cancels this handler when the browser goes, and the ending
            # (the app quitting, its process reaped) must still run to its end
            await asyncio.shield(self._ending(session, None))
        return websocket

    async def _on_exit(self, session: Session) -> None:
        """A session's app that ends by itself (``q``, or a crash) ends the session; one
        that did not say goodbye to the browser (killed, failed to start) is said so."""
        process = getattr(session.service, "_process", None)  # textual-serve keeps it there
        if process is None:
            return
        code = await process.wait()
        if session.ending or session.websocket.closed:
            return
        if code != 0:
            self.say(
                _("{name}: the coding screen stopped (exit code {code})").format(
                    name=session.coder, code=code
                )
            )
            session.reason = (CRASHED_CLOSE, _crashed_words())
        await session.close()

    async def _relay(self, session: Session) -> None:
        """The browser's keys, size and focus to the app, until the websocket closes."""
        service = session.service
        assert service is not None
        async for message in session.websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = message.json()
            except (ValueError, RecursionError):
                continue
            if not (isinstance(envelope, list) and len(envelope) == 2):
                continue
            kind, data = envelope
            if kind == "stdin" and isinstance(data, str):
                session.last_input = time.monotonic()
                await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await service.set_terminal_size(
                    _clamp(data.get("width"), 80), _clamp(data.get("height"), 24)
                )
            elif kind == "ping":
                await session.websocket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    def _ending(self, session: Session, reason: tuple[int, str] | None) -> asyncio.Task[None]:
        """``_end`` as a task of its own, kept until it is done."""
        return self._track(self._end(session, reason))

    def _track(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _end(self, session: Session, reason: tuple[int, str] | None) -> None:
        """Let the session's app quit (saving is done: every keypress is saved), wait for
        its process, then close the websocket, with ``reason`` (code, words) when the server
        ends it."""
        if session.ending:
            return
        session.ending = True
        session.reason = reason or session.reason
        service = session.service
        process = getattr(service, "_process", None)  # textual-serve keeps it there
        deadline = time.monotonic() + QUIT_SECONDS  # for the quitting, all told
        if service is not None:
            with contextlib.suppress(TimeoutError, ConnectionError):
                await asyncio.wait_for(service.stop(), QUIT_SECONDS)
        if process is not None and process.returncode is None:
            try:
                await asyncio.wait_for(process.wait(), max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                process.kill()
                await process.wait()
        try:
            await session.close()
        finally:
            self.sessions.discard(session)
        why = session.reason[1] if session.reason else _("closed")
        self.say(_("{name}: session ended ({why})").format(name=session.coder, why=why))

    async def _start(self, app: web.Application) -> None:
        # Each session's `coder code` finds the project and the language in its environment,
        # which textual-serve copies from ours.
        self._env.enter_context(_environment(self._session_environment()))
        self._watcher = asyncio.create_task(self._watch())

    def _session_environment(self) -> dict[str, str]:
        values = {
            "CODER_DB": self.options.db,
            "CODER_LANG": i18n.language(),
            SERVED: "1",  # coder code leaves the terminal's process group (cli/project.py)
        }
        if "CODER_EMBED_THREADS" not in os.environ:
            # Sessions that retrain at the same time share the cores: each encoder taking
            # every core stalled everyone's keys for seconds (benchmarks/serve_sessions.py)
            cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
            share = (cores or os.cpu_count() or 1) // self.options.max_sessions
            values["CODER_EMBED_THREADS"] = str(max(1, share))
        return values

    async def _cleanup(self, app: web.Application) -> None:
        self._env.close()

    async def _watch(self) -> None:
        """End the sessions of revoked links at once, and sessions idle too long."""
        idle_seconds = self.options.idle_minutes * 60
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            running = [s for s in self.sessions if not s.ending]
            if not running:
                continue
            try:
                live = await asyncio.to_thread(live_hashes, self.store)
            except Exception as exc:  # noqa: BLE001 - a watcher that stopped would let revoked
                # links' sessions run on; the database is away for a moment (a PostgreSQL
                # restart, say): say so and check again in a second
                self.say(_("cannot read the links: {reason}").format(reason=_first_line(exc)))
                continue
            now = time.monotonic()
            for session in running:
                if session.token_sha256 not in live:
                    words = _("This link was revoked. Everything you coded is saved.")
                    reason = (REVOKED_CLOSE, words)
                elif now - session.last_input > idle_seconds:
                    reason = (IDLE_CLOSE, _idle_words(self.options.idle_minutes))
                else:
                    continue
                self._ending(session, reason)

    def _stopping(self, stop: asyncio.Event) -> None:
        """Ctrl+C or SIGTERM: each browser is told the server stopped. (Ctrl+C in a terminal
        reaches the sessions' apps too, which then quit by themselves: said first here.)"""
        words = _("The server was stopped. Everything you coded is saved.")
        for session in self.sessions:
            if not session.ending:
                session.reason = (STOPPED_CLOSE, words)
        stop.set()

    async def _end_all(self, app: web.Application) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        words = _("The server was stopped. Everything you coded is saved.")
        await asyncio.gather(*(self._end(s, (STOPPED_CLOSE, words)) for s in list(self.sessions)))

    # -- running ------------------------------------------------------------------------------
    async def serve(self, started: Callable[[], None] | None = None) -> None:
        """Bind, say where, serve until SIGINT/SIGTERM (or cancelled), end every session."""
        runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.options.host.strip("[]"), self.options.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise CoderError(_bind_error(self.options, exc)) from None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C raises instead
            import signal

            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, self._stopping, stop)
        try:
            if started is not None:
                started()
            await stop.wait()
        finally:
            await runner.cleanup()


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _size(request: web.Request, name: str, default: int) -> int:
    return _clamp(request.query.get(name), default)


def _clamp(value: object, default: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return default
    return max(10, min(1000, number))


def _close_reason(words: str) -> str:
    """A websocket close reason holds at most 123 bytes of UTF-8."""
    return words.encode("utf-8")[:123].decode("utf-8", "ignore")


def _crashed_words() -> str:
    return _("The coding screen stopped unexpectedly. Everything you coded is saved.")


def _idle_words(minutes: float) -> str:
    shown = f"{minutes:g}"
    if i18n.language() == "sv":
        shown = shown.replace(".", ",")
    return _("Ended after {minutes} minutes without a key. Everything you coded is saved.").format(
        minutes=shown
    )


def _bind_error(options: ServeOptions, exc: OSError) -> str:
    where = f"{options.host}:{options.port}"
    import errno

    if exc.errno == errno.EADDRINUSE:
        return _("{where}: the port is in use; choose another with --port").format(where=where)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return _("{where}: not allowed to listen there (ports below 1024 need privileges)").format(
            where=where
        )
    reason = exc.strerror or str(exc)
    return _("{where}: cannot listen there ({reason})").format(where=where, reason=reason)


def warn_if_open(options: ServeOptions) -> str | None:
    """The warning for a server other machines can reach: nothing is encrypted."""
    if is_loopback(options.host):
        return None
    return _(
        "warning: serving on {host}:{port} for other machines, unencrypted: links and "
        "everything coded cross the network in plain text. Put a reverse proxy with TLS in "
        "front (docs/team.md, 'Coding in the browser') and give --public-url https://..."
    ).format(host=options.host, port=options.port)
