"""Concurrency and kill figures: actions attempted vs stored, on SQLite and PostgreSQL.

    python benchmarks/concurrency.py [--writers 8] [--actions 1000] [--kills 20]
                                     [--postgres postgresql://USER@HOST/DB]

Writers: N coder processes toggle codes at the same moment (plus one import); every
action a process printed as done must be stored, and the log must replay to the current
state. Kills: coder, import and training processes are killed with SIGKILL at random
moments; after each, the project must pass tests/invariants.py. With --postgres, a
scratch database is created on that server (and dropped afterwards).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from coder.corpus.importer import import_documents  # noqa: E402
from coder.model.codebook import load_codebook  # noqa: E402
from coder.store import Store  # noqa: E402
from tests.conftest import CODEBOOK, CORPUS, _admin_sql  # noqa: E402
from tests.demo_key import code_demo  # noqa: E402
from tests.invariants import actions_of, check  # noqa: E402
from tests.test_concurrency import killed_at_random, make_reports, start  # noqa: E402


def writers(db: str, n: int, actions: int, scratch: Path) -> None:
    before = check(db)
    t0 = time.perf_counter()
    procs = {f"w{i}": start("code", db, f"w{i}", str(actions), str(i)) for i in range(n)}
    importer = start("import", db, str(make_reports(scratch / f"more-{uuid.uuid4().hex}", 50)))
    acknowledged = {}
    for coder, proc in procs.items():
        out, err = proc.communicate()
        assert proc.returncode == 0, err
        acknowledged[coder] = {int(x) for x in out.split()}
    importer.communicate()
    seconds = time.perf_counter() - t0
    after = check(db)
    stored = sum(len(actions_of(db, c)) for c in procs)
    lost = sum(len(acknowledged[c] - actions_of(db, c)) for c in procs)
    print(
        f"  {n} writers x {actions} codings + an import of 50 documents: attempted {n * actions}, "
        f"acknowledged {sum(map(len, acknowledged.values()))}, stored {stored}, lost {lost}; "
        f"documents +{after['documents'] - before['documents']}; {seconds:.1f} s "
        f"({n * actions / seconds:.0f} actions/s)"
    )


def kills(db: str, rounds: int, scratch: Path) -> None:
    rng = random.Random(1)
    folder = make_reports(scratch / f"big-{uuid.uuid4().hex}", 300, paragraphs=20)
    acknowledged: set[int] = set()
    outcome = {"code": 0, "import": 0, "import-whole": 0, "train": 0}
    for i in range(rounds):
        kind = ("code", "import", "train")[i % 3]
        before = check(db)
        if kind == "code":
            out = killed_at_random(["code", db, "k", "100000", str(i)], rng, "\n", 1.0)
            acknowledged |= {int(x) for x in out.split() if x.isdigit()}
        elif kind == "import":
            out = killed_at_random(["import", db, str(folder)], rng, "importing", 0.8)
        else:
            out = killed_at_random(["train", db], rng, "training", 4.0)
        after = check(db)  # raises if anything is half-done
        if kind == "import":
            grew = after["documents"] - before["documents"]
            assert grew in (0, 300), grew
            outcome["import-whole" if grew else "import"] += 1
        else:
            outcome[kind] += 1
    stored = actions_of(db, "k")
    print(
        f"  {rounds} kills: {outcome['code']} coders ({len(acknowledged)} acknowledged codings, "
        f"{len(acknowledged & stored)} stored, "
        f"{len(stored - acknowledged)} in flight when killed), "
        f"{outcome['import']} imports killed mid-way (absent), {outcome['import-whole']} finished "
        f"before the kill (whole), {outcome['train']} training runs; invariants held after each"
    )


def run(db: str, args: argparse.Namespace, scratch: Path) -> None:
    Store.create(db, load_codebook(CODEBOOK)).close()
    with Store.open(db) as store:
        import_documents(store, [CORPUS])
        code_demo(store, "anna")
    writers(db, args.writers, args.actions, scratch)
    kills(db, args.kills, scratch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=21)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        print("SQLite")
        run(str(Path(scratch) / "bench.db"), args, Path(scratch))
        if args.postgres:
            import sqlalchemy as sa

            name = f"coder_bench_{uuid.uuid4().hex[:8]}"
            _admin_sql(args.postgres, f"CREATE DATABASE {name}")
            try:
                print("PostgreSQL")
                url = sa.engine.make_url(args.postgres).set(database=name)
                run(url.render_as_string(hide_password=False), args, Path(scratch))
            finally:
                _admin_sql(args.postgres, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
