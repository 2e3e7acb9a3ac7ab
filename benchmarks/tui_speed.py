"""How fast the coding screen opens and moves on a large project.

Builds a synthetic project of N passages (default 100,000: 2,000 cases x 50 passages) with
the shipped codebook, then drives the real app with Textual's pilot and reports:
- open: from creating the app until the first screen is rendered;
- next passage (j) and code (1, saved to disk before the screen updates): per keypress, the
  time from the key being sent until the app writes the updated frame to the terminal (the
  latency a coder sees, including the wait for Textual's next 60 Hz frame), and the CPU time
  the whole process spent per keypress (pilot included). Wall time around pilot.press is
  also shown; it adds the pilot's own waits for the event loop to go idle.

    python benchmarks/tui_speed.py [--passages 100000] [--keep PATH]

Targets (issue 3): open < 2 s, next passage < 30 ms median.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from coder.model.codebook import load_codebook
from coder.store import NewDocument, Span, Store

if TYPE_CHECKING:  # textual is imported where the app is driven, not to build a project
    from rich.console import RenderableType
    from textual.screen import Screen

ROOT = Path(__file__).resolve().parent.parent
WORDS = [
    "regionen",
    "följer",
    "upp",
    "arbetet",
    "med",
    "analys",
    "och",
    "utvärdering",
    "enligt",
    "lärandeplanen",
    "samt",
    "genomför",
    "analyser",
    "av",
    "kompetensförsörjning",
    "och",
    "näringsliv",
    "i",
    "länet",
    "tillsammans",
    "med",
    "kommunerna",
]


def sentence(c: int, p: int) -> str:
    words = [WORDS[(c * 31 + p * 7 + k) % len(WORDS)] for k in range(18)]
    return " ".join(words).capitalize() + "."


def build(
    path: str, passages: int, per_case: int = 50, passage: Callable[[int, int], str] = sentence
) -> None:
    """A project of `passages` passages, `per_case` per case; passage(case, i) makes the text."""
    store = Store.create(path, load_codebook(ROOT / "codebooks" / "ak6-analys-uppfoljning.yaml"))
    cases = passages // per_case
    with store.batch() as b:
        docs = []
        for c in range(cases):
            case_id = b.case(f"Kommun {c:05d}", {"grupp": f"G{c % 7}"})
            spans, text, pos = [], [], 0
            for p in range(per_case):
                one = passage(c, p)
                spans.append(Span(pos, pos + len(one), one))
                text.append(one)
                pos += len(one) + 2
            body = "\n\n".join(text)
            docs.append(NewDocument(case_id, f"kommun-{c:05d}.txt", "txt", body, str(c), spans))
            if len(docs) == 200:
                b.add_documents(docs)
                docs = []
        b.add_documents(docs)
    store.close()


async def drive(path: str, presses: int) -> dict[str, float]:
    from coder.tui.app import make_app

    store = Store.open(path)
    started = time.perf_counter()
    app = make_app(store, "bench")
    frames: list[float] = []
    display = app._display  # every frame the app writes to its (headless) terminal

    def recording_display(screen: Screen, renderable: RenderableType | None) -> None:
        if renderable is not None:
            frames.append(time.perf_counter())
        return display(screen, renderable)

    app._display = recording_display
    results: dict[str, list[float]] = {k: [] for k in ("j", "1")}
    cpu: dict[str, list[float]] = {k: [] for k in ("j", "1")}
    wall: dict[str, list[float]] = {k: [] for k in ("j", "1")}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        opened = time.perf_counter() - started
        for i in range(presses):
            for key in ("j", "1") if i % 2 == 0 else ("j",):
                frames.clear()
                t0, c0 = time.perf_counter(), time.process_time()
                await pilot.press(key)
                await pilot.pause()
                wall[key].append(time.perf_counter() - t0)
                cpu[key].append(time.process_time() - c0)
                if frames:
                    results[key].append(frames[0] - t0)
    store.close()

    def ms(values: list[float], q: float) -> float:
        return sorted(values)[int(q * (len(values) - 1))] * 1000

    out = {"open_s": opened}
    for key, name in (("j", "next"), ("1", "code")):
        out[f"{name}_frame_median_ms"] = statistics.median(results[key]) * 1000
        out[f"{name}_frame_p95_ms"] = ms(results[key], 0.95)
        out[f"{name}_cpu_median_ms"] = statistics.median(cpu[key]) * 1000
        out[f"{name}_wall_median_ms"] = statistics.median(wall[key]) * 1000
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--keep", help="build the project here (and reuse it if it exists)")
    args = parser.parse_args()
    path = args.keep or str(Path(tempfile.mkdtemp()) / "bench.db")
    if not Path(path).exists():
        t0 = time.perf_counter()
        build(path, args.passages)
        print(f"built {args.passages:,} passages in {time.perf_counter() - t0:.1f} s")
    result = asyncio.run(drive(path, args.presses))
    print(f"open: {result['open_s']:.2f} s (target < 2 s)")
    for name, what in (("next", "next passage (j)"), ("code", "code a passage (1), saved first")):
        print(
            f"{what}: key to new frame median {result[f'{name}_frame_median_ms']:.1f} ms, "
            f"p95 {result[f'{name}_frame_p95_ms']:.1f} ms; "
            f"CPU per key {result[f'{name}_cpu_median_ms']:.1f} ms; "
            f"pilot wall {result[f'{name}_wall_median_ms']:.1f} ms"
        )
    print("target: next passage < 30 ms median (key to new frame)")


if __name__ == "__main__":
    main()
