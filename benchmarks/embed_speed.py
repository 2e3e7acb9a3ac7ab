"""How fast passages are embedded and stored (issue 11: at least 60 passages/s here).

Builds a fresh SQLite project in a temporary folder from N passages, then times
``embeddings.ensure`` (embedding + storing every passage, batch by batch, each batch its own
transaction) and, separately, ``embeddings.embed_texts`` on the same texts (the encoder alone):

    python benchmarks/embed_speed.py [N] [--source pimpo|demo] [--batch 64] [--threads T]

--source pimpo (default): the first N texts of ../shared/datasets/pimpo-cmp/data.csv
(manifesto sentences in several languages, ~100 characters each), imported as a table.
--source demo: the demo corpus (corpus/, 14 invented regional reports: 57 paragraphs of
~35 tokens), all of it whatever N says. --threads sets $CODER_EMBED_THREADS (default: every
usable core). Run it by hand on an otherwise idle machine: another busy process on the
same cores halves the figure. The encoder's cost is per token (~900 tokens per CPU-second
here), so passages/s depends on the passages' length.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIMPO = ROOT.parent / "shared" / "datasets" / "pimpo-cmp" / "data.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=1000, help="passages (pimpo only)")
    parser.add_argument("--source", choices=("pimpo", "demo"), default="pimpo")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        os.environ["CODER_EMBED_THREADS"] = str(args.threads)  # read when the model loads

    from coder.corpus.importer import import_documents, import_table
    from coder.model.codebook import load_codebook
    from coder.store import Store
    from coder.suggest import embeddings

    if not embeddings.available():
        sys.exit(f"embeddings not available: {embeddings.unavailable_reason()}")

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        store = Store.create(db, load_codebook(ROOT / "codebooks" / "ak6-analys-uppfoljning.yaml"))
        if args.source == "demo":
            import_documents(store, [ROOT / "corpus"])
        else:
            if not PIMPO.is_file():
                sys.exit(f"{PIMPO}: not found")
            with PIMPO.open(encoding="utf-8", newline="") as f:
                rows = [r["text"] for r, _ in zip(csv.DictReader(f), range(args.n), strict=False)]
            table = Path(tmp) / "texts.csv"
            with table.open("w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(["text"])
                writer.writerows([r] for r in rows)
            import_table(store, table, text_column="text")
        n = embeddings.missing_count(store)
        with store.read() as conn:
            texts = [r[0] for r in conn.exec_driver_sql("SELECT text FROM segments ORDER BY id")]
        model = embeddings._load()  # the encoder's tokenizer: speed depends on tokens, not texts
        tokens = sum(model.token_count(text) for text in texts)
        print(
            f"{n} passages ({args.source}, mean {sum(map(len, texts)) / n:.0f} characters, "
            f"{tokens / n:.1f} tokens), batch {args.batch}, threads {embeddings.threads()}"
        )

        start = time.perf_counter()
        cpu = time.process_time()
        computed = embeddings.ensure(store, batch=args.batch)
        wall = time.perf_counter() - start
        print(
            f"ensure (embed + store):  {computed} in {wall:.1f} s = "
            f"{computed / wall:.1f} passages/s, {tokens / wall:.0f} tokens/s "
            f"(CPU {(time.process_time() - cpu) / wall:.2f} cores)"
        )
        assert embeddings.ensure(store) == 0

        start = time.perf_counter()
        embeddings.embed_texts(texts, batch=args.batch)
        wall = time.perf_counter() - start
        rate = len(texts) / wall
        print(f"embed_texts (encoder):   {len(texts)} in {wall:.1f} s = {rate:.1f} passages/s")

        start = time.perf_counter()
        with store.read() as conn:
            ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM segments ORDER BY id")]
        embeddings.load(store, ids)
        print(f"load:                    {len(ids)} in {time.perf_counter() - start:.3f} s")
        store.close()


if __name__ == "__main__":
    main()
