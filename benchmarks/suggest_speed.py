"""How fast `coder suggest` scores a large project, end to end.

Builds a synthetic project of N short passages (default 100,000: 2,000 cases x 50 passages)
with the shipped codebook, codes a few hundred of them so a real (not cold-start) model is
trained, then times `coder suggest` as a user runs it (a subprocess, so start-up, loading the
model, reading passages, scoring, ranking and writing every suggestion to disk all count):

    python benchmarks/suggest_speed.py [--passages 100000] [--keep PATH]

Target (issue 4): at least 5,000 passages/s on this 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tui_speed import ROOT, build  # noqa: E402

from coder.store import Store  # noqa: E402

# the `coder` script of the Python running this benchmark
CODER = str(Path(sys.executable).with_name("coder"))


def vocabulary(types: int = 20_000) -> list[str]:
    """Swedish words from the demo corpus and codebook, plus compounds of them (Swedish
    writes compounds as one word), so 100k passages have a realistic number of word types."""
    text = " ".join(p.read_text("utf-8") for p in (ROOT / "corpus").glob("*.md"))
    text += (ROOT / "codebooks" / "ak6-analys-uppfoljning.yaml").read_text("utf-8")
    words = sorted({w.lower() for w in re.findall(r"[^\W\d_]{2,}", text)})
    rng = random.Random(1)
    compounds = {rng.choice(words) + rng.choice(words) for _ in range(types * 2)}
    return words + sorted(compounds)[: max(0, types - len(words))]


def passages(words: list[str]):  # noqa: ANN201
    """passage(case, i): 8-30 words drawn with Zipf-like frequencies, as in real text."""
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(words))]
    shuffled = words[:]  # the plain words first: frequent words are short
    random.Random(2).shuffle(shuffled)
    shuffled.sort(key=len)

    def passage(c: int, i: int) -> str:
        rng = random.Random(c * 1000 + i)
        chosen = rng.choices(shuffled, weights, k=rng.randint(8, 30))
        return " ".join(chosen).capitalize() + "."

    return passage


def code_some(path: str, per_code: int = 60) -> int:
    """Code `per_code` passages per code of every question, round-robin, as coder 'bench'."""
    store = Store.open(path)
    codebook = store.codebook()
    n = 0
    seg = 1
    for question in codebook.questions:
        for code in question.codes:
            for _ in range(per_code):
                store.toggle_code(seg, question.id, code.id, "bench")
                seg += 37
                n += 1
    store.close()
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--keep", help="build the project here (reused when it exists)")
    args = parser.parse_args()
    path = args.keep or os.path.join(tempfile.mkdtemp(), "bench.db")
    env = {**os.environ, "CODER_DB": path}
    if not os.path.exists(path):
        t0 = time.perf_counter()
        build(path, args.passages, passage=passages(vocabulary()))
        coded = code_some(path)
        print(f"built {args.passages} passages, coded {coded} in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        subprocess.run([CODER, "train", "--folds", "2"], env=env, check=True)
        print(f"coder train: {time.perf_counter() - t0:.1f} s")
    store = Store.open(path)
    questions = [q.id for q in store.codebook().questions]
    store.close()
    for question in questions:
        t0 = time.perf_counter()
        subprocess.run(
            [CODER, "suggest", "--question", question],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - t0
        print(
            f"coder suggest --question {question}: {args.passages} passages in {seconds:.1f} s"
            f" = {args.passages / seconds:,.0f} passages/s"
        )
    t0 = time.perf_counter()
    subprocess.run([CODER, "suggest"], env=env, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - t0
    total = args.passages * len(questions)
    print(
        f"coder suggest (all {len(questions)} questions): {total} passage-questions in"
        f" {seconds:.1f} s = {total / seconds:,.0f} passage-questions/s"
    )


if __name__ == "__main__":
    main()
