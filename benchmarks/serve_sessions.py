"""How fast `coder serve` sessions start and answer keys, and what they cost in memory.

Builds a project of the demo corpus (``corpus/*.md``: 14 regions, 57 passages), or with
--passages N the synthetic project of ``tui_speed.py``, gives each benchmark coder a link,
and runs ``CodingServer`` in this process on a real loopback port (aiohttp's TestServer, as
tests/test_serve.py does). Each session is driven over its websocket as textual-serve's
page drives it (``["stdin", "j"]``), reading every frame as it comes. Each session's
``coder code`` runs as its own child process under Textual's web driver. Measured:

1. start: from opening the websocket until the first screen shows the first passage's
   case name (one session at a time), and from closing it until its process has exited;
2. keys, one session: ``j`` (and ``k``) from sending the key until the next frame arrives;
   ``1`` until the coding is in the database (and until its frame);
3. memory: RSS (VmRSS) of one session's ``coder code`` after its first screen, with
   ``retrain_every=0`` and after the keys; with the default retraining, after 25 codings
   (1/2/3 in turn), once the background retraining (which loads the embedding model) has
   shown "Suggestions updated"; its peak (VmHWM); ``j`` while it retrains;
4. 8 sessions at once (the default --max-sessions): all started together, until all show
   their first screen; then each presses j 50 times, all at the same time (round trip
   median/p95); the 8 children's RSS and CPU while idle; this process's RSS (the server,
   plus the benchmark's websocket clients);
5. with --all-retrain: the worst case of the default retraining, all 8 sessions coding 20
   passages each so that all retrain at the same time: until every one shows "Suggestions
   updated", j/k meanwhile, and the 8 children's RSS.

Each step reports how busy other programs kept the machine meanwhile (from /proc/stat):
the figures only hold on an otherwise idle machine.

    python benchmarks/serve_sessions.py [--passages N] [--starts 5] [--presses 100]
                                        [--sessions 8] [--skip-retrain] [--all-retrain]

Targets (issue 16): a session shows its first screen within 5 s alone; j round trip
median <= 50 ms with one session, p95 <= 150 ms with 8 sessions.

Measured on a 2-core machine (other programs idle), demo corpus
(python benchmarks/serve_sessions.py --all-retrain):

    measure                                         median   p95/max
    session start, alone (5x; max)                566.9 ms  577.7 ms
      CPU a session's process uses until its first screen: 0.55 s
    session end: close -> process exited (max)    124.4 ms  125.0 ms
    j -> next frame, 1 session (100x)               9.6 ms   11.5 ms
    k -> next frame, 1 session (56x)                9.5 ms   10.8 ms
    1 -> coding in the database (30x)               5.6 ms    9.0 ms
    1 -> next frame                                12.4 ms   18.9 ms
    RSS of one session (retrain_every=0): first screen 69 MB, after 156 j/k 71 MB,
      after 30 codings more 71 MB (peak 71 MB); idle CPU 0.2%
    RSS with default retraining: first screen 69 MB, after 25 codings and the
      retraining (finished 4.7 s after the 20th) 427 MB, peak 433 MB
    j/k -> frame while retraining (31x)            16.4 ms   41.2 ms
    8 sessions started at once: first screen     2626.1 ms 2727.9 ms
      all 8 shown after 2.73 s; each used 0.63 s CPU until then
    j -> next frame, 8 sessions x 50               12.2 ms   78.1 ms
      of which each session's first j              93.6 ms  107.1 ms
    RSS of the 8 children: 553 MB after their first screens (69 MB each), 573 MB
      after the presses; idle CPU of all 8: 1.0% of one core
    this process (server + benchmark clients): 64 MB (before any session: 47 MB)
    8 sessions closed at once: each ended         191.6 ms  207.1 ms
    8 sessions retraining at once (20 codings each): done after 19.3 s median,
      19.6 s max; RSS of the 8: 3280 MB
      j/k -> frame meanwhile (691x)                70.3 ms  314.6 ms
      slowest j/k meanwhile: 2806.7 ms
    targets: all met

The 8 retraining at once above found the passages embedded already (by the single
retraining before); with --skip-retrain each of the 8 embeds them itself: done after
37.7 s, RSS 3374 MB, j/k meanwhile median 55 ms, p95 148 ms, slowest 4.9 s. A session
keeps the embedding model loaded after its first retraining (~360 MB more than one without).
Since then coder serve gives each session's encoder the cores divided by --max-sessions
(here 1 thread instead of 2); the same run: done after 36.6 s, RSS 3382 MB, j/k median
65 ms, p95 123 ms, slowest 5.6 s. No real change on 2 cores, where 8 encoders are busy
either way; the share matters where 8 sessions would each start one thread per core of
a large machine.

With --passages 100000 --skip-retrain: start alone 725 ms (0.71 s CPU); j 11.3 ms
median, 13.5 ms p95; 1 to the database 6.0 ms; one session 102 MB; 8 at once all shown
after 3.56 s, j 17.2 ms median, 92.1 ms p95 (first j 112 ms); the 8 children 813 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUIET = 0.05  # seconds without a frame before a timed key is sent
# what is left out when looking for words on the screen: colours, cursor moves between them
ESCAPES = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[0-9=>@-Z\\-_])")
CORPUS = ROOT / "corpus"
CODEBOOK = ROOT / "codebooks" / "ak6-analys-uppfoljning.yaml"


# -- processes --------------------------------------------------------------------------------


def status_kb(pid: int, field: str) -> int:
    """A field of /proc/PID/status in kB (VmRSS, VmHWM); 0 once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def machine_busy() -> float:
    """CPU seconds every core of the machine has been busy so far (from /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_busy() -> float:
    """CPU seconds of this process and its children (the sessions, once reaped)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def mb(kb: float) -> str:
    return f"{kb / 1024:.0f} MB"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def p95(values: list[float]) -> float:
    return sorted(values)[round(0.95 * (len(values) - 1))]


async def until(condition: Callable[[], bool], seconds: float, what: str, step=0.005) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {seconds:.0f} s waiting for {what}")
        await asyncio.sleep(step)


# -- a browser's side of a session ------------------------------------------------------------


class Viewer:
    """Reads every frame as it comes (an app whose screen nobody reads stops), sends keys,
    and times a key to the first frame after it."""

    def __init__(self, websocket: Any, coder: str, session: Any):
        self.websocket = websocket
        self.coder = coder
        self.session = session  # the server's Session
        self.drawn = bytearray()  # the screen's text, without escape sequences
        self.frames: list[float] = []  # arrival time of every binary message
        self.arrived = asyncio.Event()
        self.closed = False
        self.start_cpu = 0.0  # CPU seconds its process used until the first screen
        self.reader = asyncio.create_task(self._read())

    @property
    def pid(self) -> int:
        return int(self.session.service._process.pid)

    async def _read(self) -> None:
        import aiohttp

        while True:
            message = await self.websocket.receive()
            if message.type == aiohttp.WSMsgType.BINARY:
                self.frames.append(time.perf_counter())
                self.drawn += ESCAPES.sub(b"", message.data)
                self.arrived.set()
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                self.closed = True
                return

    def shows(self, words: str) -> bool:
        return words.encode() in self.drawn

    async def quiet(self, seconds: float = QUIET) -> None:
        """Until no frame came for ``seconds``."""
        while self.frames and time.perf_counter() - self.frames[-1] < seconds:
            await asyncio.sleep(seconds - (time.perf_counter() - self.frames[-1]) + 0.001)

    async def send(self, key: str) -> None:
        await self.websocket.send_str(json.dumps(["stdin", key]))

    async def key(self, key: str) -> float:
        """Send ``key`` once the screen is quiet; seconds until the next frame arrives."""
        await self.quiet()
        seen = len(self.frames)
        self.arrived.clear()
        t0 = time.perf_counter()
        await self.send(key)
        while len(self.frames) <= seen:
            await asyncio.wait_for(self.arrived.wait(), 10)
            self.arrived.clear()
        return self.frames[seen] - t0

    async def close(self) -> None:
        await self.websocket.close()
        await asyncio.wait_for(self.reader, 30)


class Bench:
    """A CodingServer on a loopback port, with a link for each benchmark coder."""

    def __init__(self, db: str, first_case: str, question: str):
        self.db = db
        self.first_case = first_case
        self.question = question
        self.tokens: dict[str, str] = {}
        self.servers: list[tuple[Any, Any]] = []  # (CodingServer, TestClient)
        self.reader: Any = None  # a read-only Store, to see codings arrive

    def link(self, coder: str) -> None:
        from coder.store import Store
        from coder.store.links import add_link

        with Store.open(self.db) as store:
            self.tokens[coder] = add_link(store, coder).token

    async def server(self, **options: Any) -> tuple[Any, Any]:
        from aiohttp.test_utils import TestClient, TestServer

        from coder.serve.server import CodingServer, ServeOptions
        from coder.store import Store

        said: list[str] = []
        server = CodingServer(Store.open(self.db), ServeOptions(db=self.db, **options),
                              say=said.append)  # fmt: skip
        client = TestClient(TestServer(server.app()))
        await client.start_server()
        self.servers.append((server, client))
        return server, client

    async def open(self, server: Any, client: Any, coder: str) -> tuple[Viewer, float]:
        """A session for ``coder``; seconds from connecting until its first screen."""
        if coder not in self.tokens:
            self.link(coder)
        t0 = time.perf_counter()
        websocket = await client.ws_connect(f"/ws/{self.tokens[coder]}?width=120&height=40")
        await until(lambda: any(s.coder == coder for s in server.sessions), 30, "the session")
        session = next(s for s in server.sessions if s.coder == coder)
        viewer = Viewer(websocket, coder, session)
        await until(lambda: viewer.shows(self.first_case), 120, f"{coder}'s first screen")
        took = time.perf_counter() - t0
        viewer.start_cpu = cpu_seconds(viewer.pid)
        viewer.drawn.clear()
        return viewer, took

    async def end(self, server: Any, viewer: Viewer) -> float:
        """Close the browser's side; seconds until the session's process has exited and the
        server has let the session go."""
        process = viewer.session.service._process
        t0 = time.perf_counter()
        await viewer.close()
        await until(
            lambda: process.returncode is not None and viewer.session not in server.sessions,
            60,
            f"{viewer.coder}'s session to end",
        )
        return time.perf_counter() - t0

    def coded(self, coder: str) -> int:
        from coder.store import Store, queries

        if self.reader is None:  # kept open: each read sees the latest commit
            self.reader = Store.open(self.db, read_only=True)
        return len(queries.coded_segment_ids(self.reader, self.question, coder))

    async def close(self) -> None:
        for server, client in self.servers:
            await client.close()  # ends every session (the server's on_shutdown)
            server.store.close()
        self.servers.clear()
        if self.reader is not None:
            self.reader.close()
            self.reader = None


# -- the measurements -------------------------------------------------------------------------


async def starts(bench: Bench, n: int) -> dict[str, Any]:
    server, client = await bench.server(retrain_every=0)
    opened, ended, cpu = [], [], []
    for i in range(n):
        viewer, took = await bench.open(server, client, f"start{i}")
        opened.append(took)
        cpu.append(viewer.start_cpu)
        ended.append(await bench.end(server, viewer))
    return {"start": opened, "end": ended, "cpu": cpu}


async def one_session(bench: Bench, presses: int, codings: int, passages: int) -> dict[str, Any]:
    server, client = await bench.server(retrain_every=0)
    viewer, _ = await bench.open(server, client, "keys")
    await viewer.quiet(0.5)
    out: dict[str, Any] = {"rss_first": status_kb(viewer.pid, "VmRSS")}
    cpu0 = cpu_seconds(viewer.pid)
    await asyncio.sleep(5)
    out["idle_cpu"] = (cpu_seconds(viewer.pid) - cpu0) / 5
    j: list[float] = []
    k: list[float] = []
    at = 0  # the passage shown, counted from the first
    while len(j) < presses:
        if at < passages - 1:
            j.append(await viewer.key("j"))
            at += 1
        else:  # at the last passage: back to the first (k is timed too)
            while at > 0:
                k.append(await viewer.key("k"))
                at -= 1
    out["j"], out["k"] = j, k
    out["rss_keys"] = status_kb(viewer.pid, "VmRSS")  # after the j and k presses
    to_db: list[float] = []
    to_frame: list[float] = []
    for _ in range(codings):
        if at == passages - 1:
            await viewer.key("k")
            at -= 1
        else:
            await viewer.key("j")
            at += 1
        await viewer.quiet()
        before = bench.coded("keys")
        seen = len(viewer.frames)
        t0 = time.perf_counter()
        await viewer.send("1")
        # a passage coded earlier in this loop (passing it again) is un-coded by 1: either way
        # the count changes
        await until(lambda b=before: bench.coded("keys") != b, 10, "the coding", step=0.0005)
        to_db.append(time.perf_counter() - t0)
        await until(lambda s=seen: len(viewer.frames) > s, 10, "the frame after 1")
        to_frame.append(viewer.frames[seen] - t0)
    out["1_db"], out["1_frame"] = to_db, to_frame
    out["rss_end"] = status_kb(viewer.pid, "VmRSS")
    out["hwm"] = status_kb(viewer.pid, "VmHWM")
    await bench.end(server, viewer)
    return out


async def retraining(bench: Bench, codings: int, timeout: float) -> dict[str, Any]:
    server, client = await bench.server()  # retrain_every: coder code's default (20)
    viewer, _ = await bench.open(server, client, "retrain")
    await viewer.quiet(0.5)
    out: dict[str, Any] = {"rss_first": status_kb(viewer.pid, "VmRSS")}
    t_due = 0.0
    for i in range(codings):
        before = bench.coded("retrain")
        await viewer.key(str(1 + i % 3))
        await until(lambda b=before: bench.coded("retrain") > b, 10, "the coding")
        if i == 19:
            t_due = time.perf_counter()
        await viewer.key("j")

    def done() -> bool:
        return viewer.shows("Suggestions updated") or viewer.shows("Retraining failed")

    during: list[float] = []
    deadline = time.monotonic() + timeout
    peak = 0
    while not done() and time.monotonic() < deadline:
        peak = max(peak, status_kb(viewer.pid, "VmRSS"))
        during.append(await viewer.key("k" if len(during) % 2 else "j"))
        await asyncio.sleep(0.05)
    out["finished"] = done()
    out["failed"] = viewer.shows("Retraining failed")
    out["retrain_s"] = time.perf_counter() - t_due
    out["during"] = during
    await viewer.quiet(1.0)
    out["rss_after"] = status_kb(viewer.pid, "VmRSS")
    out["hwm"] = max(status_kb(viewer.pid, "VmHWM"), peak)
    await bench.end(server, viewer)
    return out


async def all_retrain(bench: Bench, sessions: int, timeout: float) -> dict[str, Any]:
    """``sessions`` sessions with the default retraining each code 20 passages at once, so
    all of them retrain at the same time (the worst case); j/k in each until all are done."""
    server, client = await bench.server()
    coders = [f"r{i}" for i in range(1, sessions + 1)]
    for coder in coders:
        bench.link(coder)
    viewers = [v for v, _ in await asyncio.gather(*(bench.open(server, client, c) for c in coders))]
    pids = [v.pid for v in viewers]

    async def code(viewer: Viewer) -> None:
        for i in range(20):
            await viewer.key(str(1 + i % 3))
            await viewer.key("j")

    await asyncio.gather(*(code(v) for v in viewers))
    due = time.perf_counter()
    during: list[float] = []
    peak = 0

    async def keys(viewer: Viewer) -> float:
        while not (viewer.shows("Suggestions updated") or viewer.shows("Retraining failed")):
            during.append(await viewer.key("k" if len(during) % 2 else "j"))
            await asyncio.sleep(0.1)
        return time.perf_counter() - due

    async def sample() -> None:
        nonlocal peak
        while True:
            peak = max(peak, sum(status_kb(pid, "VmRSS") for pid in pids))
            await asyncio.sleep(0.2)

    sampler = asyncio.create_task(sample())
    try:
        took = await asyncio.wait_for(asyncio.gather(*(keys(v) for v in viewers)), timeout)
    finally:
        sampler.cancel()
    out: dict[str, Any] = {
        "took": took,
        "failed": sum(v.shows("Retraining failed") for v in viewers),
        "during": during,
        "rss": sum(status_kb(pid, "VmRSS") for pid in pids),
        "peak": peak,
    }
    await asyncio.gather(*(bench.end(server, v) for v in viewers))
    return out


async def concurrent(bench: Bench, sessions: int, presses: int) -> dict[str, Any]:
    server, client = await bench.server(retrain_every=0)
    coders = [f"c{i}" for i in range(1, sessions + 1)]
    for coder in coders:
        bench.link(coder)
    t0 = time.perf_counter()
    opened = await asyncio.gather(*(bench.open(server, client, c) for c in coders))
    all_shown = time.perf_counter() - t0
    viewers = [v for v, _ in opened]
    await asyncio.gather(*(v.quiet(0.5) for v in viewers))
    pids = [v.pid for v in viewers]
    out: dict[str, Any] = {
        "start": [took for _, took in opened],
        "all_shown": all_shown,
        "cpu": [v.start_cpu for v in viewers],
        "rss": [status_kb(pid, "VmRSS") for pid in pids],
    }
    cpu0 = sum(cpu_seconds(pid) for pid in pids)
    await asyncio.sleep(5)
    out["idle_cpu"] = (sum(cpu_seconds(pid) for pid in pids) - cpu0) / 5

    async def presses_of(viewer: Viewer) -> list[float]:
        return [await viewer.key("j") for _ in range(presses)]

    t0 = time.perf_counter()
    times = await asyncio.gather(*(presses_of(v) for v in viewers))
    out["presses_s"] = time.perf_counter() - t0
    out["j"] = [t for each in times for t in each]
    out["first_j"] = [each[0] for each in times]
    out["rss_after"] = [status_kb(pid, "VmRSS") for pid in pids]
    out["server_rss"] = status_kb(os.getpid(), "VmRSS")
    out["end"] = list(await asyncio.gather(*(bench.end(server, v) for v in viewers)))
    return out


# -- the project ------------------------------------------------------------------------------


def build(folder: Path, passages: int | None) -> tuple[str, str, str, int]:
    """The project; its path, first case, first question and number of passages."""
    from coder.corpus.documents import import_documents
    from coder.model.codebook import load_codebook
    from coder.store import Store, queries

    db = str(folder / "serve.db")
    if passages:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from tui_speed import build as build_big  # the same synthetic project

        build_big(db, passages)
    else:
        with Store.create(db, load_codebook(CODEBOOK)) as store:
            import_documents(store, [CORPUS])  # the folder: its README is not a report
    with Store.open(db, read_only=True) as store:
        order = queries.segment_order(store)
        question = store.codebook().questions[0].id
    return db, order[0][1], question, len(order)


async def run(args: argparse.Namespace, folder: Path) -> None:
    t0 = time.perf_counter()
    db, first_case, question, passages = build(folder, args.passages)
    print(f"project: {passages:,} passages, first case {first_case!r}, "
          f"built in {time.perf_counter() - t0:.1f} s")  # fmt: skip
    bench = Bench(db, first_case, question)
    base_rss = status_kb(os.getpid(), "VmRSS")
    steps: list[tuple[str, Callable[[], Awaitable[dict[str, Any]]]]] = [
        ("start", lambda: starts(bench, args.starts)),
        ("one", lambda: one_session(bench, args.presses, args.codings, passages)),
    ]
    if not args.skip_retrain:
        steps.append(("retrain", lambda: retraining(bench, 25, args.retrain_timeout)))
    steps.append(("many", lambda: concurrent(bench, args.sessions, args.concurrent_presses)))
    if args.all_retrain:
        steps.append(("all_retrain", lambda: all_retrain(bench, args.sessions, 900)))
    results: dict[str, dict[str, Any]] = {}
    try:
        for name, step in steps:
            t0, busy0, own0 = time.perf_counter(), machine_busy(), own_busy()
            results[name] = await step()
            await bench.close()
            took = time.perf_counter() - t0
            others = max(0.0, (machine_busy() - busy0) - (own_busy() - own0)) / took
            results[name]["others"] = others
            print(f"({name}: {took:.0f} s; other programs kept {others:.2f} cores busy)",
                  file=sys.stderr)  # fmt: skip
    finally:
        await bench.close()
    left = children(os.getpid())
    report(results, base_rss, args, left)


def report(r: dict[str, dict[str, Any]], base_rss: int, args: argparse.Namespace,
           left: list[int]) -> None:  # fmt: skip
    s, one = r["start"], r["one"]
    print(f"{'measure':<44} {'median':>9} {'p95/max':>9}")

    def row(what: str, values: list[float], last: str = "p95") -> None:
        top = p95(values) if last == "p95" else max(values)
        print(f"{what:<44} {ms(statistics.median(values)):>9} {ms(top):>9}")

    row(f"session start, alone ({len(s['start'])}x; max)", s["start"], "max")
    print(f"  CPU a session's process uses until its first screen: "
          f"{statistics.median(s['cpu']):.2f} s")  # fmt: skip
    row("session end: close -> process exited (max)", s["end"], "max")
    row(f"j -> next frame, 1 session ({len(one['j'])}x)", one["j"])
    if one["k"]:
        row(f"k -> next frame, 1 session ({len(one['k'])}x)", one["k"])
    row(f"1 -> coding in the database ({len(one['1_db'])}x)", one["1_db"])
    row("1 -> next frame", one["1_frame"])
    print(f"RSS of one session (retrain_every=0): first screen {mb(one['rss_first'])}, "
          f"after {len(one['j']) + len(one['k'])} j/k {mb(one['rss_keys'])}, after "
          f"{len(one['1_db'])} codings more {mb(one['rss_end'])} (peak {mb(one['hwm'])}); "
          f"idle CPU {one['idle_cpu'] * 100:.1f}%")  # fmt: skip
    if "retrain" in r:
        t = r["retrain"]
        state = ("failed" if t["failed"] else "finished") if t["finished"] else "NOT finished"
        print(f"RSS with default retraining: first screen {mb(t['rss_first'])}, after 25 "
              f"codings and the retraining ({state} {t['retrain_s']:.1f} s after the 20th) "
              f"{mb(t['rss_after'])}, peak {mb(t['hwm'])}")  # fmt: skip
        if t["during"]:
            row(f"j/k -> frame while retraining ({len(t['during'])}x)", t["during"])
    m = r["many"]
    n = len(m["start"])
    row(f"{n} sessions started at once: first screen", m["start"], "max")
    print(f"  all {n} shown after {m['all_shown']:.2f} s; each used "
          f"{statistics.median(m['cpu']):.2f} s CPU until then")  # fmt: skip
    row(f"j -> next frame, {n} sessions x {args.concurrent_presses}", m["j"])
    row("  of which each session's first j", m["first_j"], "max")
    print(f"  {len(m['j'])} presses in {m['presses_s']:.1f} s")
    print(f"RSS of the {n} children: {mb(sum(m['rss']))} after their first screens "
          f"({mb(statistics.median(m['rss']))} each), {mb(sum(m['rss_after']))} after the "
          f"presses; idle CPU of all {n}: {m['idle_cpu'] * 100:.1f}% of one core")  # fmt: skip
    print(f"this process (server + benchmark clients): {mb(m['server_rss'])} "
          f"(before any session: {mb(base_rss)})")  # fmt: skip
    row(f"{n} sessions closed at once: each ended", m["end"], "max")
    if "all_retrain" in r:
        a = r["all_retrain"]
        print(
            f"{n} sessions retraining at once (default retraining, 20 codings each): done "
            f"after {statistics.median(a['took']):.1f} s median, {max(a['took']):.1f} s max "
            f"({a['failed']} failed); RSS of the {n}: {mb(a['rss'])} (peak {mb(a['peak'])})"
        )
        row(f"  j/k -> frame meanwhile ({len(a['during'])}x)", a["during"])
        print(f"  slowest j/k meanwhile: {ms(max(a['during']))}")
    print(f"processes left behind: {left or 'none'}")
    others = ", ".join(f"{name} {step['others']:.2f}" for name, step in r.items())
    print(f"other programs' load during each step (cores busy of {os.cpu_count()}): {others}")
    start_ok = max(s["start"]) <= 5
    j_ok = statistics.median(one["j"]) <= 0.050
    many_ok = p95(m["j"]) <= 0.150
    print(f"targets: first screen alone <= 5 s: {'met' if start_ok else 'NOT met'}; "
          f"j median <= 50 ms (1 session): {'met' if j_ok else 'NOT met'}; "
          f"j p95 <= 150 ms ({n} sessions): {'met' if many_ok else 'NOT met'}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, help="a synthetic project of N passages")
    parser.add_argument("--starts", type=int, default=5, help="sessions started one by one")
    parser.add_argument("--presses", type=int, default=100, help="j presses in one session")
    parser.add_argument("--codings", type=int, default=30, help="1 presses in one session")
    parser.add_argument("--sessions", type=int, default=8, help="sessions at once")
    parser.add_argument("--concurrent-presses", type=int, default=50)
    parser.add_argument("--skip-retrain", action="store_true", help="no default-retrain step")
    parser.add_argument("--retrain-timeout", type=float, default=600.0)
    parser.add_argument(
        "--all-retrain",
        action="store_true",
        help="also: all sessions retrain at once (default retraining; about 2 minutes)",
    )
    args = parser.parse_args()
    if sys.platform != "linux":
        parser.error("reads /proc for the sessions' memory: Linux only")
    with tempfile.TemporaryDirectory() as tmp:
        # what each session's `coder code` inherits: English words (the notification this
        # waits for) and no personal keys file
        os.environ["CODER_LANG"] = "en"
        os.environ["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")
        from coder import i18n

        i18n.set_language("en")
        asyncio.run(run(args, Path(tmp)))


if __name__ == "__main__":
    main()
