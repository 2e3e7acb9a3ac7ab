"""How fast `coder suggest` scores a large project, end to end.

Builds a synthetic project of N short passages (default 100,000: 2,000 cases x 50 passages)
with the shipped codebook, codes a few hundred of them so a real (not cold-start) model is
trained, then times `coder suggest` as a user runs it (a subprocess, so start-up, loading the
model, reading passages, scoring, ranking and writing every suggestion to disk all count):

    python benchmarks/suggest_speed.py [--passages 100000] [--keep PATH]
    CODER_EMBEDDINGS=off python benchmarks/suggest_speed.py   # the TF-IDF-only fallback

Where sentence embeddings are available the suggester reads each passage's stored vector;
embedding 100,000 passages takes some 25 minutes once (benchmarks/embed_speed.py), so the
benchmark stores random unit vectors instead: their values do not change the time to score.
It also times a bare char_wb TF-IDF + LinearSVC predict over the same texts, the reference
of issue 11 (suggesting over stored embeddings stays at least half as fast as that).

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
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa
from tui_speed import ROOT, build

from coder.store import Store
from coder.store import schema as t

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


def passages(words: list[str]) -> Callable[[int, int], str]:
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
    with store.read() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(t.segments)).scalar_one()
    n = 0
    seg = 1
    for question in codebook.questions:
        for code in question.codes:
            for _ in range(per_code):
                store.toggle_code(seg, question.id, code.id, "bench")
                seg = (seg + 37 - 1) % total + 1  # wraps on small projects
                n += 1
    store.close()
    return n


def store_random_embeddings(path: str) -> int:
    """A random unit vector per passage, stored as the encoder's (see the docstring)."""
    import numpy as np

    from coder.suggest import embeddings

    store = Store.open(path)
    try:
        missing = [seg for seg, _ in embeddings._missing(store, None)]
        rng = np.random.default_rng(0)
        for start in range(0, len(missing), 10_000):
            chunk = missing[start : start + 10_000]
            vectors = rng.standard_normal((len(chunk), embeddings.DIM)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            embeddings._store(store, chunk, vectors)
        return len(missing)
    finally:
        store.close()


def bare_char_svc(path: str) -> None:
    """Fit char_wb 2-5 TF-IDF + LinearSVC on the coded passages, time predicting all."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    from coder.store import queries

    store = Store.open(path)
    try:
        question = store.codebook().questions[0]
        rows = queries.training_rows(store, question.id)
        texts = [text for seg, text in queries.segments_to_score(store, question.id, False)]
    finally:
        store.close()
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    svc = LinearSVC(C=0.5).fit(vectorizer.fit_transform([r[2] for r in rows]), [r[3] for r in rows])
    t0 = time.perf_counter()
    for start in range(0, len(texts), 5000):
        svc.decision_function(vectorizer.transform(texts[start : start + 5000]))
    seconds = time.perf_counter() - t0
    print(
        f"bare char_wb TF-IDF + LinearSVC predict: {len(texts)} passages in {seconds:.1f} s"
        f" = {len(texts) / seconds:,.0f} passages/s"
    )


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
        from coder.suggest import embeddings

        if embeddings.available():
            print(f"stored random embeddings for {store_random_embeddings(path)} passages")
        t0 = time.perf_counter()
        subprocess.run([CODER, "train", "--folds", "2"], env=env, check=True)
        print(f"coder train: {time.perf_counter() - t0:.1f} s")
    store = Store.open(path)
    questions = [q.id for q in store.codebook().questions]
    store.close()
    bare_char_svc(path)
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
