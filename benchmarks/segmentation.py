"""Passages per document as `coder import` makes them: count, share under 60 characters, longest.

python benchmarks/segmentation.py                      # the seeds and the demo corpus
python benchmarks/segmentation.py --segment sentence
python benchmarks/segmentation.py FILE_OR_FOLDER ...   # other documents

Defaults: ../shared/seeds/*.txt (skipped when absent) and corpus/*.md (without README.md).
Each file is read with coder.corpus.readers.read_document and segmented the way
`coder import` segments it (coder.corpus.segment.segment_document where it exists, else the
older paragraph/sentence split of the whole text). Prints a Markdown table per group.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from coder.corpus import segment as segmenting  # noqa: E402
from coder.corpus.readers import DOCUMENT_SUFFIXES, NOTE_NAMES, read_document  # noqa: E402
from coder.corpus.span import Span  # noqa: E402

SHORT = 60


def passages(path: Path, how: str, language: str) -> list[Span]:
    source = read_document(path)
    if hasattr(segmenting, "segment_document"):
        return segmenting.segment_document(source.text, source.blocks, source.fmt, how, language)
    return segmenting.segment(source.text, how, language)


def files(given: str) -> list[Path]:
    path = Path(given)
    if path.is_dir():
        return sorted(
            p
            for p in path.iterdir()
            if p.suffix.lower() in DOCUMENT_SUFFIXES and not NOTE_NAMES.match(p.name)
        )
    return [path] if path.exists() else []


def row(name: str, spans: list[Span]) -> str:
    lengths = [len(s.text) for s in spans]
    short = sum(n < SHORT for n in lengths)
    share = f"{100 * short / len(lengths):.0f} %" if lengths else "-"
    return f"| {name} | {len(lengths)} | {share} | {max(lengths, default=0):,} |"


def table(title: str, paths: list[Path], how: str, language: str) -> list[str]:
    lines = [
        f"**{title}**",
        "",
        f"| file | passages | under {SHORT} chars | longest (chars) |",
        "|---|---:|---:|---:|",
    ]
    every: list[Span] = []
    for path in paths:
        spans = passages(path, how, language)
        every.extend(spans)
        lines.append(row(path.name, spans))
    lines.append(row("**total**", every))
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="files or folders (default: seeds + demo corpus)")
    parser.add_argument("--segment", choices=("paragraph", "sentence"), default="paragraph")
    parser.add_argument("--language", default="sv", help="spaCy language (the codebook's)")
    args = parser.parse_args()
    if args.paths:
        groups = [(p, files(p)) for p in args.paths]
    else:
        seeds = REPO.parent / "shared" / "seeds"
        groups = [
            ("seeds (../shared/seeds)", sorted(seeds.glob("*.txt"))),
            ("demo corpus (corpus/)", files(str(REPO / "corpus"))),
        ]
    print(f"Segmentation: {args.segment}\n")
    for title, paths in groups:
        if paths:
            print("\n".join(table(title, paths, args.segment, args.language)))


if __name__ == "__main__":
    main()
