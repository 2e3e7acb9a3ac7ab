"""``coder serve`` in a real browser: Debian's Chromium, driven by Playwright's Python
package (pointed at /usr/bin/chromium; nothing is downloaded), against ``coder serve`` run
as a program. The screen is drawn on a canvas, so what it shows is read from the frames the
websocket brings; what the keys did is read from the project.

.ci/run installs Chromium with apt where it is missing; without it these tests skip.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from coder.corpus.documents import import_documents
from coder.store import Store
from tests.conftest import CORPUS, REPO
from tests.test_serve import children, coded, free_port
from tests.test_serve import run_coder as cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip(
        "no Chromium on this machine (Debian: apt-get install chromium; .ci/run does)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install '.[test]')"
)
if sys.platform != "linux":
    pytest.skip("reads /proc for processes", allow_module_level=True)

# As the machine's own probe starts it: no sandbox (root in CI), no GPU, and none of the
# background connections a closed network refuses.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


class Running:
    """``coder serve`` as a program, with what it says on stderr."""

    def __init__(self, db: str, port: int):
        self.db = db
        self.base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "CODER_LANG": "en", "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "coder.cli", "serve", "--db", db, "--port", str(port)],
            cwd=REPO,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.said: list[str] = []
        threading.Thread(target=self._listen, daemon=True).start()
        self.wait_for_line("Serving the coding screen on")

    def _listen(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.said.append(line)

    def wait_for_line(self, words: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not any(words in line for line in self.said):
            assert self.process.poll() is None, "".join(self.said)
            assert time.monotonic() < deadline, "".join(self.said)
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=60)


@pytest.fixture
def served(db: str) -> Iterator[tuple[Running, str]]:
    """The server on a project of three regions, and anna's link."""
    with Store.open(db) as store:
        import_documents(store, sorted(CORPUS.glob("[!R]*.md"))[:3])
    link = cli("serve", "--db", db, "--add-coder", "anna").stdout.strip()
    port = free_port()
    running = Running(db, port)
    yield running, link.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    running.stop()


class Screen:
    """A page, and everything its websocket brought (the text of the screen, in pieces)."""

    def __init__(self, browser: object):
        self.page = browser.new_page(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
        self.drawn: list[bytes] = []
        self.page.on("websocket", self._watch)

    def _watch(self, websocket: object) -> None:
        def frame(payload: str | bytes) -> None:
            self.drawn.append(payload if isinstance(payload, bytes) else payload.encode())

        websocket.on("framereceived", frame)  # type: ignore[attr-defined]

    def shows(self, words: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while words.encode() not in b"".join(self.drawn):
            assert time.monotonic() < deadline, f"the screen never showed {words!r}"
            self.page.wait_for_timeout(100)


def test_the_link_opens_the_coding_screen_and_keys_code(browser, served):
    running, link = served
    screen = Screen(browser)
    response = screen.page.goto(link)
    assert response is not None and response.status == 200
    screen.shows("Blekinge")  # the first passage's region, in the case list and the header
    screen.shows("Strategiskt ramverk")  # the codebook's first code, at the decision
    screen.page.wait_for_selector("body.-first-byte")
    for key in ("1", "j", "2"):
        screen.page.keyboard.press(key)
        screen.page.wait_for_timeout(300)
    deadline = time.monotonic() + 30
    while len(coded(running.db)) < 2:
        assert time.monotonic() < deadline, coded(running.db)
        time.sleep(0.2)
    (first, code1), (second, code2) = coded(running.db)
    assert second > first  # j moved on to the next passage
    assert (code1, code2) == ("strategiskt-ramverk", "overgripande-ambition")
    assert "token" not in screen.page.url  # out of the address bar and the history
    screen.page.close()
    running.wait_for_line("anna: session ended")


def test_a_wrong_token_shows_401_and_starts_no_session(browser, served):
    running, link = served
    screen = Screen(browser)
    for wrong in (link[:-1] + ("A" if link[-1] != "A" else "B"), link.split("?")[0]):
        response = screen.page.goto(wrong)
        assert response is not None and response.status == 401
        assert "401" in screen.page.title()
        assert "does not open coder" in screen.page.inner_text("h1")
    screen.page.wait_for_timeout(500)
    assert screen.drawn == []
    assert children(running.process.pid) == []
    assert not any("session started" in line for line in running.said)
    screen.page.close()


def test_revoking_shows_why_in_the_page(browser, served):
    running, link = served
    screen = Screen(browser)
    screen.page.goto(link)
    screen.shows("Blekinge")
    assert len(children(running.process.pid)) == 1  # this session's coder code
    cli("serve", "--db", running.db, "--revoke", "anna")
    screen.page.wait_for_selector("body.-closed", timeout=15_000)
    assert re.search(r"revoked.*saved", screen.page.inner_text("#ended"))
    running.wait_for_line("anna: session ended (This link was revoked")
    assert children(running.process.pid) == []
    screen.page.close()


def test_the_page_loads_nothing_from_elsewhere(browser, served):
    running, link = served
    screen = Screen(browser)
    asked: list[str] = []
    screen.page.on("request", lambda request: asked.append(request.url))
    screen.page.goto(link)
    screen.shows("Blekinge")
    assert asked and all(url.startswith(running.base) for url in asked), asked
    screen.page.close()
