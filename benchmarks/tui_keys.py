"""How long the coding screen takes to answer each kind of key on a large project.

Builds (or reuses, with --keep) the synthetic project of ``tui_speed.py`` (default 100,000
passages: 2,000 cases x 50), adds what makes the slow keys slow (three suggestions per
passage for the first question, read by ``o``; two coders who coded 5,000 passages each and
disagree on a third of them, read by the disagreements filter), then drives the real app
with Textual's pilot at 120x40 (as ``coder code`` runs it) and reports, per key, the time
from the key being sent until the app writes the first frame after the key's handler has
run (median and p95: the latency a coder sees):

- ``open``: from opening the project until the first screen is drawn (once);
- ``j``: next passage;  ``1``: code a passage (saved to disk before the frame);
- ``/``: open the search prompt; ``/ enter``: submit a search ("lärandeplanen");
- ``f``: open the filter menu; ``f enter``: choose "coders disagree";
- ``o``: most uncertain first (and back).

Filters, search and order are worked out in a worker thread: the frame after the key shows
"searching…" (or "filtering…", "sorting…") and keys keep working; the time until the new
passages are shown is reported apart ("shown after").

    python benchmarks/tui_keys.py [--passages 100000] [--presses 200] [--keep PATH]

Targets (issue 14): each key <= 30 ms median and <= 100 ms p95.

Measured on a 2-core machine, 100,000 passages, 200 presses of j, 100 of 1, 20 of each
other key (python benchmarks/tui_keys.py; background retraining off):

    key          median      p95   (shown after, median)
    open          432 ms
    j            9.1 ms   11.8 ms
    1           12.5 ms   16.3 ms
    /           16.9 ms   49.2 ms
    / enter      7.4 ms   21.3 ms   204 ms
    f           17.7 ms   22.7 ms
    f enter      5.8 ms    7.1 ms   217 ms
    o            1.3 ms    1.6 ms   292 ms
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from coder.store import Store, queries
from coder.store.codings import Change

if TYPE_CHECKING:
    from rich.console import RenderableType
    from textual.screen import Screen

SEARCH = "lärandeplanen"
CODES = ("strategiskt-ramverk", "overgripande-ambition", "generell-ansats")


def add_load(path: str, coded: int = 5000) -> None:
    """Three suggestions per passage for ``arbetssatt``, and two coders' codings."""
    store = Store.open(path)
    segments = [seg for seg, _ in queries.segment_order(store)]
    rows = []
    for i, seg in enumerate(segments):
        scores = [((i * 37 + k * 11) % 100) / 100 for k in range(3)]
        for rank, (code, score) in enumerate(sorted(zip(CODES, scores, strict=True),
                                                    key=lambda cs: -cs[1]), start=1):  # fmt: skip
            rows.append((seg, code, score, rank))
    store.replace_suggestions("arbetssatt", rows, model_id="bench")
    with store.batch() as b:
        for n, coder in enumerate(("anna", "bo")):
            changes = [
                Change(seg, "arbetssatt", CODES[(i + n * (i % 3 == 0)) % 3], "added")
                for i, seg in enumerate(segments[: coded * 20 : 20])
            ]
            b.record(b.coder(coder), "import", changes)
    store.close()


async def drive(path: str, presses: int, slow_presses: int) -> dict[str, dict[str, float]]:
    from coder.tui.app import make_app

    started = time.perf_counter()
    store = Store.open(path)
    # no retraining in the background (it would score all passages again, competing for
    # the CPU: that is tui_speed.py's and suggest_speed.py's business), no user keys
    app = make_app(store, "bench", retrain_every=0, keys_file=Path("/nonexistent/keys.toml"))
    app.freeze_gc = True  # as `coder code` runs it
    frames: list[float] = []
    display = app._display

    def recording_display(screen: Screen, renderable: RenderableType | None) -> None:
        if renderable is not None:
            frames.append(time.perf_counter())
        return display(screen, renderable)

    app._display = recording_display
    latency: dict[str, list[float]] = {}
    shown: dict[str, list[float]] = {}

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        opened = time.perf_counter() - started
        screen = app.screen
        handled: list[float] = []  # when the key's handler returned: its frame comes after

        def stamping(method):
            if asyncio.iscoroutinefunction(method):

                async def stamped_async(*args, **kwargs):
                    result = await method(*args, **kwargs)
                    handled.append(time.perf_counter())
                    return result

                return stamped_async

            def stamped(*args, **kwargs):
                result = method(*args, **kwargs)
                handled.append(time.perf_counter())
                return result

            return stamped

        app.run_action = stamping(app.run_action)  # every bound key
        screen.code_key = stamping(screen.code_key)  # code keys
        screen.show_view = stamping(screen.show_view)  # a search or filter chosen in a dialog

        async def timed(name: str, *keys: str, wait_view: bool = False) -> None:
            """Press ``keys`` (all but the last untimed), time the last one to its frame."""
            for key in keys[:-1]:
                await pilot.press(key)
                await pilot.pause()
            await pilot.pause()
            frames.clear()
            handled.clear()
            t0 = time.perf_counter()
            await pilot.press(keys[-1])
            if wait_view:
                while screen.working is not None or screen.pending is not None:
                    await asyncio.sleep(0.0005)
                shown.setdefault(name, []).append(time.perf_counter() - t0)
            await pilot.pause()
            after = [f for f in frames if handled and f >= handled[-1]]
            if after:
                latency.setdefault(name, []).append(after[0] - t0)

        for i in range(presses):
            await timed("j", "j")
            if i % 2 == 0:
                await timed("1", "1")
        for _ in range(slow_presses):
            await timed("/", "slash")
            await pilot.press("escape")
            await timed("/ enter", "slash", *SEARCH, "enter", wait_view=True)
            await pilot.press("escape")  # clears the search
            await timed("f", "f")
            await pilot.press("escape")
            await timed("f enter", "f", "down", "down", "enter", wait_view=True)
            await pilot.press("escape")
            await app.workers.wait_for_complete()
            await timed("o", "o", wait_view=True)
            await timed("o", "o", wait_view=True)
    store.close()

    def q(values: list[float], p: float) -> float:
        return sorted(values)[round(p * (len(values) - 1))] * 1000

    out = {"open": {"median": opened * 1000, "p95": opened * 1000}}
    for name, values in latency.items():
        out[name] = {"median": statistics.median(values) * 1000, "p95": q(values, 0.95)}
        if name in shown:
            out[name]["shown"] = statistics.median(shown[name]) * 1000
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--slow-presses", type=int, default=20)
    parser.add_argument("--keep", help="build the project here (and reuse it if it exists)")
    args = parser.parse_args()
    path = args.keep or str(Path(tempfile.mkdtemp()) / "bench.db")
    if not Path(path).exists():
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from tui_speed import build  # the same synthetic project

        t0 = time.perf_counter()
        build(path, args.passages)
        add_load(path)
        print(f"built {args.passages:,} passages in {time.perf_counter() - t0:.1f} s")
    result = asyncio.run(drive(path, args.presses, args.slow_presses))
    print(f"{'key':<10} {'median':>8} {'p95':>8}   (shown after, median)")
    for name, figures in result.items():
        after = f"   {figures['shown']:.0f} ms" if "shown" in figures else ""
        print(f"{name:<10} {figures['median']:>5.1f} ms {figures['p95']:>5.1f} ms{after}")
    print("target: each key <= 30 ms median, <= 100 ms p95 (key to next frame)")


if __name__ == "__main__":
    main()
