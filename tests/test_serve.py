"""``coder serve``: personal links, the 401 wall, and sessions that run the real coding
screen (``coder code`` under Textual's web driver) through a websocket.

The sessions here are driven over the websocket the way textual-serve's page drives them
(``["stdin", "1"]``); tests/test_serve_browser.py does the same from a real Chromium.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer

from coder import i18n
from coder.corpus.documents import import_documents
from coder.serve import server as serve_module
from coder.serve.server import (
    CRASHED_CLOSE,
    IDLE_CLOSE,
    REVOKED_CLOSE,
    STOPPED_CLOSE,
    CodingServer,
    ServeOptions,
    is_loopback,
    link,
    session_command,
    warn_if_open,
)
from coder.store import Store
from coder.store import schema as t
from coder.store.links import add_link, coder_for_token, links, revoke_link, token_hash
from tests.conftest import CORPUS, REPO

LINK = re.compile(r"^http://127\.0\.0\.1:8000/\?token=([A-Za-z0-9_-]{43})$")

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc for processes")


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def project(db: str) -> str:
    """The demo corpus in a fresh project."""
    with Store.open(db) as store:
        import_documents(store, sorted(CORPUS.glob("[!R]*.md"))[:3])
    return db


@pytest.fixture
def backend_project(backend_db: str) -> str:
    """The same, on an SQLite file and on PostgreSQL."""
    with Store.open(backend_db) as store:
        import_documents(store, sorted(CORPUS.glob("[!R]*.md"))[:3])
    return backend_db


def coded(db: str, coder: str = "anna") -> list[tuple[int, str]]:
    """(passage position in its document's order, code) of ``coder``'s current codings."""
    with Store.open(db, read_only=True) as store, store.read() as conn:
        rows = conn.execute(
            sa.select(t.codings.c.segment_id, t.codings.c.code_id)
            .join(t.coders, t.coders.c.id == t.codings.c.coder_id)
            .where(t.coders.c.name == coder)
            .order_by(t.codings.c.segment_id)
        ).all()
    return [(row[0], row[1]) for row in rows]


# -- links ------------------------------------------------------------------------------------


def test_add_coder_prints_a_personal_link_and_keeps_only_its_hash(cli, db):
    result = cli("serve", "--db", db, "--add-coder", "anna")
    assert result.exit_code == 0, result.output
    link = result.stdout.strip()
    match = LINK.match(link)
    assert match, link
    token = match.group(1)
    assert len(token) * 6 >= 128  # url-safe base64: 6 bits a character
    assert "Give this link to anna only" in result.stderr
    with Store.open(db) as store:
        assert coder_for_token(store, token) == "anna"
        with store.read() as conn:
            stored = conn.execute(sa.select(t.web_links.c.token_sha256)).scalars().all()
    assert stored == [token_hash(token)]
    assert token.encode() not in Path(db).read_bytes()


def test_a_new_link_replaces_the_old_one(cli, db):
    first = LINK.match(cli("serve", "--db", db, "--add-coder", "anna").stdout.strip())
    again = cli("serve", "--db", db, "--add-coder", "anna")
    second = LINK.match(again.stdout.strip())
    assert first and second and first.group(1) != second.group(1)
    assert "anna's earlier link no longer works" in again.stderr
    with Store.open(db) as store:
        assert coder_for_token(store, first.group(1)) is None
        assert coder_for_token(store, second.group(1)) == "anna"


def test_list_and_revoke(cli, db):
    assert "No coder has a link yet" in cli("serve", "--db", db, "--list").stderr
    token = LINK.match(cli("serve", "--db", db, "--add-coder", "anna").stdout.strip()).group(1)
    cli("serve", "--db", db, "--add-coder", "Bo Ek")
    listed = cli("serve", "--db", db, "--list").stdout.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["coder", "Bo Ek", "anna"]
    assert listed[1].split("\t")[2] == "-"  # never used
    result = cli("serve", "--db", db, "--revoke", "anna")
    assert result.exit_code == 0
    with Store.open(db) as store:
        assert coder_for_token(store, token) is None
        assert [link.coder for link in links(store)] == ["Bo Ek"]


def test_revoking_an_unknown_coder_is_one_line(cli, db):
    cli("serve", "--db", db, "--add-coder", "anna")
    result = cli("serve", "--db", db, "--revoke", "bo")
    assert result.exit_code == 1
    assert result.stderr == "coder: error: no link for coder 'bo'; links exist for: anna\n"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--add-coder", " "], "a coder name cannot be empty"),
        (["--add-coder", "a\tb"], "cannot hold control characters"),
        (["--add-coder", "anna", "--list"], "--add-coder and --list cannot be given together"),
        (["--public-url", "coder.example.se"], "is not an http:// or https:// address"),
        (["--public-url", "https://k.se/coder"], "has a path; serve coder at the root"),
        (["--public-url", 'https://k.se"><script>'], "is not a host name and port"),
    ],
)
def test_bad_options_are_one_line(cli, db, args, said):
    result = cli("serve", "--db", db, *args)
    assert result.exit_code == 1
    assert said in result.stderr and result.stderr.count("\n") == 1


def test_links_on_both_back_ends(backend_db):
    with Store.open(backend_db) as store:
        anna = add_link(store, "anna")
        add_link(store, "bo")
        assert coder_for_token(store, anna.token) == "anna"
        assert coder_for_token(store, anna.token + "x") is None
        revoke_link(store, "anna")
        assert coder_for_token(store, anna.token) is None
        assert [link.coder for link in links(store)] == ["bo"]


def test_only_loopback_is_quiet():
    assert all(is_loopback(host) for host in ("127.0.0.1", "localhost", "::1", "127.0.1.1"))
    assert not any(is_loopback(host) for host in ("0.0.0.0", "::", "192.168.1.10", "coder.se"))
    warning = warn_if_open(ServeOptions(db="x", host="0.0.0.0", port=8000))
    assert warning is not None and "unencrypted" in warning and "TLS" in warning
    assert warn_if_open(ServeOptions(db="x")) is None


# -- the command, as a program -------------------------------------------------------------


def serve_process(db: str, *args: str, new_group: bool = False) -> subprocess.Popen[str]:
    env = {**os.environ, "CODER_LANG": "en", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "coder.cli", "serve", "--db", db, *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        process_group=0 if new_group else None,
    )


def test_a_port_in_use_is_one_line_and_no_server(project):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = serve_process(project, "--port", str(port))
        out, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert (
        err == f"coder: error: 127.0.0.1:{port}: the port is in use; choose another with --port\n"
    )
    assert out == ""


def test_a_database_that_cannot_be_opened_is_one_line(tmp_path):
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database" * 100)
    process = serve_process(str(broken), "--port", str(free_port()))
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert err.startswith(f"coder: error: {broken}: not a readable project database")
    assert err.count("\n") == 1


def test_open_to_the_network_warns_and_ctrl_c_stops_cleanly(project):
    process = serve_process(project, "--host", "0.0.0.0", "--port", str(free_port()))
    try:
        said = [process.stderr.readline() for _ in range(3)]
    finally:
        process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0
    assert any("unencrypted" in line and "TLS" in line for line in said), said
    assert any(line.startswith("Serving the coding screen on http://") for line in said), said
    assert err.strip().endswith("Stopped.")


def test_a_link_made_later_points_where_the_server_listens(cli, project):
    port = free_port()
    process = serve_process(project, "--port", str(port))
    try:
        assert process.stderr.readline().startswith("Serving the coding screen on")
        made = cli("serve", "--db", project, "--add-coder", "anna")
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)
    assert made.stdout.startswith(f"http://127.0.0.1:{port}/?token=")
    assert "where coder serve last listened" in made.stderr
    given = cli("serve", "--db", project, "--add-coder", "bo", "--port", "9000")
    assert given.stdout.startswith("http://127.0.0.1:9000/?token=")
    proxied = cli("serve", "--db", project, "--add-coder", "cy", "--public-url", "https://k.se/")
    assert proxied.stdout.startswith("https://k.se/?token=")


def test_the_links_address_and_each_sessions_command():
    everywhere = ServeOptions(db="x", host="0.0.0.0", port=8001)
    assert link(everywhere, "T") == f"http://{socket.gethostname()}:8001/?token=T"
    assert link(ServeOptions(db="x", host="::1"), "T") == "http://[::1]:8000/?token=T"
    options = ServeOptions(db="x", blind=True, retrain_every=0)
    command = session_command(options, "Bo Ek")
    assert command.startswith("exec ") and command.endswith(
        "-m coder.cli code --coder 'Bo Ek' --blind --retrain-every 0"
    )


# -- the server, in this process ------------------------------------------------------------


class Viewer:
    """A browser's side of a session: reads everything the app draws as it comes (an app
    whose screen nobody reads stops drawing, and then stops reading keys), sends keys."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse):
        self.websocket = websocket
        self.drawn = b""
        self.closed: aiohttp.WSMessage | None = None
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        while True:
            message = await self.websocket.receive()
            if message.type == aiohttp.WSMsgType.BINARY:
                self.drawn += message.data
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                self.closed = message
                return

    async def shows(self, words: str) -> None:
        await wait_for(lambda: words.encode() in self.drawn, 60)

    async def press(self, *keys: str) -> None:
        for key in keys:
            await self.websocket.send_str(json.dumps(["stdin", key]))
            await asyncio.sleep(0.3)

    async def ended(self, seconds: float = 30) -> tuple[int | None, str]:
        """The close code and reason the server gave."""
        await asyncio.wait_for(self.reader, seconds)
        assert self.closed is not None
        return self.websocket.close_code, str(self.closed.extra or "")

    async def close(self) -> None:
        await self.websocket.close()
        await asyncio.wait_for(self.reader, 30)


class Served:
    """A CodingServer on a free port, and the links of anna and bo."""

    def __init__(self, db: str, client: TestClient, server: CodingServer, tokens: dict[str, str]):
        self.db = db
        self.client = client
        self.server = server
        self.tokens = tokens
        self.said: list[str] = []

    async def session(self, coder: str = "anna") -> Viewer:
        websocket = await self.client.ws_connect(f"/ws/{self.tokens[coder]}?width=100&height=30")
        return Viewer(websocket)


async def serve_app(db: str, **options) -> Served:
    with Store.open(db) as store:
        tokens = {name: add_link(store, name).token for name in ("anna", "bo")}
    store = Store.open(db)
    said: list[str] = []
    server = CodingServer(store, ServeOptions(db=db, **options), say=said.append)
    client = TestClient(TestServer(server.app()))
    await client.start_server()
    served = Served(db, client, server, tokens)
    served.said = said
    return served


@contextlib.asynccontextmanager
async def serving(db: str, **options) -> AsyncIterator[Served]:
    running = await serve_app(db, **options)
    try:
        yield running
    finally:
        await running.client.close()
        running.server.store.close()


@pytest.fixture
async def served(backend_project):
    async with serving(backend_project) as running:
        yield running


async def wait_for(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


@pytest.mark.parametrize(
    "path",
    ["/", "/?token=", "/?token=wrong", "/static/js/textual.js", "/ws", "/ws/wrong", "/nothing"],
)
async def test_without_a_valid_link_everything_is_401_and_nothing_starts(served, path):
    before = children(os.getpid())
    response = await served.client.get(path)
    assert response.status == 401
    assert "401" in await response.text()
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await served.client.ws_connect("/ws?token=wrong")
    assert refused.value.status == 401
    assert served.server.sessions == set()
    assert children(os.getpid()) == before


async def test_the_link_opens_the_page_and_its_scripts(served):
    token = served.tokens["anna"]
    page = await served.client.get(f"/?token={token}")
    assert page.status == 200
    html = await page.text()
    assert f"/ws/{token}" in html and "coder – anna" in html
    assert "googleapis" not in html
    assert page.cookies["coder_link"]["httponly"]
    script = await served.client.get("/static/js/textual.js")  # with the page's cookie
    assert script.status == 200
    assert served.server.sessions == set()  # the page alone starts nothing


async def test_a_session_codes_as_the_links_coder(served):
    viewer = await served.session("anna")
    await viewer.shows("Blekinge")
    assert len(served.server.sessions) == 1
    await viewer.press("1", "j", "2")
    await wait_for(lambda: len(coded(served.db)) == 2)
    (first, code1), (second, code2) = coded(served.db)
    assert second > first and code1 != code2
    assert coded(served.db, "bo") == []
    await viewer.close()
    await wait_for(lambda: not served.server.sessions)
    assert "anna: session started (1 of at most 8)" in served.said
    assert "anna: session ended (closed)" in served.said
    assert links_used(served.db) == {"anna"}


def links_used(db: str) -> set[str]:
    with Store.open(db, read_only=True) as store:
        return {link.coder for link in links(store) if link.last_used_at}


def process_of(served: Served):
    (session,) = served.server.sessions
    return session.service._process


async def test_revoking_ends_the_session_at_once(served):
    viewer = await served.session("anna")
    await viewer.shows("Blekinge")
    process = process_of(served)
    with Store.open(served.db) as store:
        revoke_link(store, "anna")
    revoked = time.monotonic()
    code, reason = await viewer.ended()
    assert code == REVOKED_CLOSE and "revoked" in reason
    assert time.monotonic() - revoked < 5
    await wait_for(lambda: not served.server.sessions)
    assert [line for line in served.said if "session ended" in line] == [
        "anna: session ended (This link was revoked. Everything you coded is saved.)"
    ]
    assert await asyncio.wait_for(process.wait(), 30) == 0  # quit as with q, not killed
    response = await served.client.get(f"/?token={served.tokens['anna']}")
    assert response.status == 401


async def test_an_idle_session_ends_cleanly(project):
    async with serving(project, idle_minutes=0.05) as served:  # 3 seconds
        viewer = await served.session("bo")
        await viewer.shows("Blekinge")
        await viewer.press("1")
        process = process_of(served)
        code, reason = await viewer.ended(60)
        assert code == IDLE_CLOSE
        assert "without a key" in reason and "saved" in reason
        assert await asyncio.wait_for(process.wait(), 30) == 0
        assert len(coded(project, "bo")) == 1
        await wait_for(lambda: not served.server.sessions)


async def test_at_most_max_sessions(project):
    async with serving(project, max_sessions=1) as served:
        first = await served.session("anna")
        await first.shows("Blekinge")
        page = await served.client.get(f"/?token={served.tokens['bo']}")
        assert page.status == 503
        assert "at most 1 coding session" in await page.text()
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await served.session("bo")
        assert refused.value.status == 503
        await first.close()
        await wait_for(lambda: not served.server.sessions)
        again = await served.session("bo")
        await again.shows("Blekinge")
        await again.close()


async def test_a_session_whose_screen_dies_is_told_and_the_server_goes_on(served):
    viewer = await served.session("anna")
    await viewer.shows("Blekinge")
    await viewer.press("1")
    await wait_for(lambda: len(coded(served.db)) == 1)
    process_of(served).kill()
    code, reason = await viewer.ended()
    assert code == CRASHED_CLOSE and "stopped unexpectedly" in reason
    await wait_for(lambda: not served.server.sessions)
    assert "anna: the coding screen stopped (exit code -9)" in served.said
    again = await served.session("anna")
    await again.shows("Blekinge")
    await again.close()
    assert len(coded(served.db)) == 1


async def test_the_websocket_needs_the_token_itself_and_this_sites_origin(served):
    token = served.tokens["anna"]
    page = await served.client.get(f"/?token={token}")  # the client now holds the cookie
    assert page.status == 200
    with pytest.raises(aiohttp.WSServerHandshakeError) as cookie_only:
        await served.client.ws_connect("/ws")
    assert cookie_only.value.status == 401
    with pytest.raises(aiohttp.WSServerHandshakeError) as elsewhere:
        await served.client.ws_connect(f"/ws/{token}", origin="http://intranet.example.se")
    assert elsewhere.value.status == 403
    assert served.server.sessions == set()
    here = str(served.client.make_url("")).rstrip("/")
    viewer = Viewer(await served.client.ws_connect(f"/ws/{token}", origin=here))
    await viewer.shows("Blekinge")
    await viewer.close()
    # behind a TLS proxy the page is https while the request reaching coder is http
    proxied = "https://" + here.split("://", 1)[1]
    viewer = Viewer(await served.client.ws_connect(f"/ws/{token}", origin=proxied))
    await viewer.shows("Blekinge")
    await viewer.close()


async def test_junk_from_the_browser_is_ignored(served):
    viewer = await served.session("anna")
    await viewer.shows("Blekinge")
    for junk in ("null", "[]", '["stdin"]', '{"a": 1}', "[1, 2, 3]", '["resize", "x"]', "}{"):
        await viewer.websocket.send_str(junk)
    await viewer.press("1")
    await wait_for(lambda: len(coded(served.db)) == 1)
    assert len(served.server.sessions) == 1
    await viewer.close()


async def test_stopping_the_server_tells_each_browser(project):
    served = await serve_app(project)
    viewer = await served.session("anna")
    await viewer.shows("Blekinge")
    await viewer.press("1")
    process = process_of(served)
    closing = asyncio.create_task(served.client.server.close())  # as after Ctrl+C
    code, reason = await viewer.ended()
    await closing
    await served.client.close()
    served.server.store.close()
    assert code == STOPPED_CLOSE and "server was stopped" in reason
    assert process.returncode == 0
    assert len(coded(project)) == 1


async def test_a_database_away_is_503_not_a_traceback(served, monkeypatch):
    def away(store, token):
        raise sa.exc.OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(serve_module, "coder_for_token", away)
    response = await served.client.get(f"/?token={served.tokens['anna']}")
    assert response.status == 503
    assert "cannot reach the project" in await response.text()
    assert any("cannot read the links" in line for line in served.said)


def test_idle_minutes_in_words():
    assert "after 60 minutes" in serve_module._idle_words(60.0)
    assert "after 0.25 minutes" in serve_module._idle_words(0.25)
    before = i18n.language()
    i18n.set_language("sv")
    try:
        assert "efter 0,25 minuter" in serve_module._idle_words(0.25)
    finally:
        i18n.set_language(before)


def test_sessions_share_the_cores_when_they_retrain(monkeypatch):
    monkeypatch.delenv("CODER_EMBED_THREADS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16)), raising=False)
    four = CodingServer(None, ServeOptions(db="p.db", max_sessions=4))  # type: ignore[arg-type]
    assert four._session_environment()["CODER_EMBED_THREADS"] == "4"
    many = CodingServer(None, ServeOptions(db="p.db", max_sessions=40))  # type: ignore[arg-type]
    assert many._session_environment()["CODER_EMBED_THREADS"] == "1"
    assert many._session_environment()["CODER_DB"] == "p.db"
    monkeypatch.setenv("CODER_EMBED_THREADS", "3")
    assert "CODER_EMBED_THREADS" not in four._session_environment()  # the user's stands


async def test_a_plain_get_of_the_websocket_is_400_and_holds_no_session(project):
    async with serving(project, max_sessions=1) as served:
        for _ in range(3):
            response = await served.client.get(f"/ws/{served.tokens['anna']}")
            assert response.status == 400
        assert served.server.sessions == set()
        viewer = await served.session("anna")
        await viewer.shows("Blekinge")
        await viewer.close()


async def test_a_refused_origin_is_said_in_the_log(served):
    with pytest.raises(aiohttp.WSServerHandshakeError):
        await served.client.ws_connect(
            f"/ws/{served.tokens['anna']}", origin="https://intranet.example.se"
        )
    assert any(
        "anna: refused a session opened from https://intranet.example.se" in line
        for line in served.said
    )


CRASHING_APP = """
from textual.app import App

class Crashing(App):
    def on_key(self, event):
        raise RuntimeError("a bug in the screen")

app = Crashing()
app.run()
raise SystemExit(app.return_code or 0)  # as coder code does
"""


async def test_a_screen_that_stops_on_an_error_is_told_as_such(project, tmp_path):
    script = tmp_path / "crashing.py"
    script.write_text(CRASHING_APP)
    with Store.open(project) as store:
        token = add_link(store, "anna").token
    store = Store.open(project)
    said: list[str] = []
    server = CodingServer(
        store,
        ServeOptions(db=project),
        say=said.append,
        command=lambda coder: f"exec {sys.executable} {script}",
    )
    client = TestClient(TestServer(server.app()))
    await client.start_server()
    try:
        viewer = Viewer(await client.ws_connect(f"/ws/{token}"))
        await wait_for(lambda: len(viewer.drawn) > 0)
        await viewer.press("x")
        code, reason = await viewer.ended()
        assert code == CRASHED_CLOSE and "stopped unexpectedly" in reason
        await wait_for(lambda: not server.sessions)
    finally:
        await client.close()
        store.close()


async def open_session(base: str, token: str) -> tuple[aiohttp.ClientSession, Viewer]:
    client = aiohttp.ClientSession()
    viewer = Viewer(await client.ws_connect(f"{base}/ws/{token}?width=100&height=30"))
    await viewer.shows("Blekinge")
    return client, viewer


async def test_ctrl_c_in_the_servers_terminal_tells_the_browsers(project):
    token = LINK.match(cli_link(project)).group(1)
    port = free_port()
    # a terminal's Ctrl+C goes to its whole foreground process group
    process = serve_process(project, "--port", str(port), new_group=True)
    try:
        assert process.stderr.readline().startswith("Serving the coding screen on")
        client, viewer = await open_session(f"http://127.0.0.1:{port}", token)
        os.killpg(process.pid, signal.SIGINT)
        code, reason = await viewer.ended()
        await client.close()
        assert code == STOPPED_CLOSE and "server was stopped" in reason
        assert await asyncio.to_thread(process.wait, 60) == 0
    finally:
        if process.poll() is None:
            process.kill()


async def test_a_killed_server_leaves_no_session_behind(project):
    token = LINK.match(cli_link(project)).group(1)
    port = free_port()
    process = serve_process(project, "--port", str(port))
    assert process.stderr.readline().startswith("Serving the coding screen on")
    client, viewer = await open_session(f"http://127.0.0.1:{port}", token)
    (child,) = children(process.pid)
    process.kill()
    process.wait(timeout=60)
    await client.close()
    await wait_for(lambda: not Path(f"/proc/{child}").exists(), 30)


def run_coder(*args: str) -> subprocess.CompletedProcess[str]:
    """``coder ARGS...`` as a program, in English; it must succeed."""
    return subprocess.run(
        [sys.executable, "-m", "coder.cli", *args],
        cwd=REPO,
        env={**os.environ, "CODER_LANG": "en"},
        capture_output=True,
        text=True,
        check=True,
    )


def cli_link(db: str) -> str:
    return run_coder("serve", "--db", db, "--add-coder", "anna").stdout.strip()
