"""How long `coder deck` and `coder report` take on a year's coding of many regions.

Builds a project of R regions x P passages (default 21 x 60, the Swedish regions' reports)
from the demo corpus's sentences with the shipped codebook, codes every passage of the first
question by keywords, trains that question's model (so quotes are chosen by it), then times:
- gather: `seminar()` (tallies, agreement, the model scoring every coded passage for quotes);
- the deck (PPTX), the report as HTML and as DOCX (quotes: every coded passage).

    python benchmarks/deck_speed.py [--regions 21] [--passages 60] [--keep PATH]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from hashlib import sha256
from pathlib import Path

from coder.model.codebook import load_codebook
from coder.reports.documents import save_deck, save_report
from coder.reports.seminar import Seminar, seminar
from coder.store import NewDocument, Span, Store
from coder.suggest.service import retrain

ROOT = Path(__file__).resolve().parent.parent
CODES = {  # a word in the passage -> the code of the first question
    "lärandeplan": "strategiskt-ramverk",
    "ambition": "overgripande-ambition",
    "löpande": "generell-ansats",
}


def sentences() -> list[str]:
    found = []
    for path in sorted((ROOT / "corpus").glob("*.md")):
        body = path.read_text("utf-8").split("---\n", 2)[-1]
        found += [s.strip() + "." for s in body.replace("\n", " ").split(". ") if len(s) > 40]
    return found


def build(path: str, regions: int, passages: int) -> None:
    Store.create(path, load_codebook(ROOT / "codebooks" / "ak6-analys-uppfoljning.yaml")).close()
    pool = sentences()
    rng = random.Random(7)
    with Store.open(path) as store:
        for r in range(regions):
            texts = []
            for p in range(passages):
                word = list(CODES)[(r + p) % len(CODES)]
                texts.append(f"{rng.choice(pool)} Regionens {word} styr arbetet nummer {p}.")
            body, spans, at = "", [], 0
            for text in texts:
                spans.append(Span(at, at + len(text), text))
                body += text + "\n"
                at = len(body)
            with store.batch() as b:
                case = b.case(f"Region {r:02d}", {})
                ids = b.add_documents(
                    [
                        NewDocument(
                            case, f"r{r}.txt", "txt", body, sha256(body.encode()).hexdigest(), spans
                        )
                    ]
                )[0]
            for seg, text in zip(ids, texts, strict=True):
                code = next(c for w, c in CODES.items() if w in text)
                store.toggle_code(seg, "arbetssatt", code, "anna")
        retrain(store, "arbetssatt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=21)
    parser.add_argument("--passages", type=int, default=60)
    parser.add_argument("--keep", type=Path, help="build the project here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        db = str(folder / "deck.db")
        started = time.perf_counter()
        build(db, args.regions, args.passages)
        print(
            f"project: {args.regions} x {args.passages} passages, built and trained in "
            f"{time.perf_counter() - started:.1f} s"
        )
        with Store.open(db, read_only=True) as store:
            for quotes in (2, None):
                started = time.perf_counter()
                gathered = seminar(store, "arbetssatt", quotes=quotes)
                took = time.perf_counter() - started
                ranked = "by the model" if gathered.parts[0].typical_by_model else "first coded"
                print(f"gather (quotes={quotes}, ranked {ranked}): {took:.2f} s")
        for name, write in (
            ("deck.pptx", lambda p: save_deck(seminar_of(db, 2), p)),
            ("report.html", lambda p: save_report(seminar_of(db, None), p, "html")),
            ("report.docx", lambda p: save_report(seminar_of(db, None), p, "docx")),
        ):
            started = time.perf_counter()
            write(folder / name)
            print(f"{name} (gather included): {time.perf_counter() - started:.2f} s")


def seminar_of(db: str, quotes: int | None) -> Seminar:
    with Store.open(db, read_only=True) as store:
        return seminar(store, "arbetssatt", quotes=quotes)


if __name__ == "__main__":
    main()
