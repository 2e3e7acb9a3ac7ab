"""Processes that write to a project while others do: run as ``python -m tests.workers ...``
by the concurrency and kill tests (and benchmarks/concurrency.py).

    code DB CODER N SEED     toggle N random codes as CODER; prints each action id as done
    import DB FOLDER         import the documents of FOLDER (one transaction)
    train DB                 train the suggester on every question
"""

from __future__ import annotations

import random
import sys

import sqlalchemy as sa

from coder.store import Store
from coder.store import schema as t


def code(db: str, coder: str, n: int, seed: int) -> None:
    rng = random.Random(seed)
    with Store.open(db) as store:
        with store.read() as conn:
            segments = list(conn.execute(sa.select(t.segments.c.id)).scalars())
        questions = [(q.id, [c.id for c in q.codes]) for q in store.codebook().questions]
        for _ in range(n):
            question, codes = rng.choice(questions)
            action = store.toggle_code(rng.choice(segments), question, rng.choice(codes), coder)
            print(action, flush=True)  # stored (committed) before it is printed


def import_folder(db: str, folder: str) -> None:
    from coder.corpus.importer import import_documents

    with Store.open(db) as store:
        print("importing", flush=True)
        summary = import_documents(store, [folder])
    print(f"imported {summary.documents}", flush=True)


def train(db: str) -> None:
    from coder.suggest.service import train as train_models

    def saved(done: int, total: int) -> None:
        print(f"saved {done}/{total}", flush=True)  # committed before it is printed

    with Store.open(db) as store:
        print("training", flush=True)
        for result in train_models(store, None, folds=2, progress=saved):
            print(f"trained {result.question}", flush=True)
    print("trained all", flush=True)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "code":
        code(args[0], args[1], int(args[2]), int(args[3]))
    elif command == "import":
        import_folder(args[0], args[1])
    elif command == "train":
        train(args[0])
    else:
        raise SystemExit(f"unknown command {command}")
