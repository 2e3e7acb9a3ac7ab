"""Screenshots of the coding screen for the guides: ``python -m docs.screenshots [--out DIR]``.

The pictures are made, not drawn. The demo project is built in a temporary folder with the
commands the guides walk through (``coder init``, ``coder import``, a few codings typed into the
coding screen, ``coder train``, ``coder suggest``), the coding screen is opened headless through
Textual's pilot at 100x30, and each screen is saved as an SVG. tests/test_docs.py runs this
script and compares the screen text with the committed files, so the guides never show a screen
the program no longer has.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from coder.coding.session import CodingSession
from coder.demo import DEMO_CODEBOOK, bundled
from coder.store import Store
from coder.tui.app import CoderApp

OUT = Path(__file__).resolve().parent / "img"
SIZE = (100, 30)
CODER = "anna"

# The first passage of the first eight regions on the question "Hur bedrivs arbetet?", coded
# as a careful evaluator codes them (tests/demo_key.py): `]` goes to the next region.
CODING_KEYS = ("2", "]", "2", "]", "1", "]", "3", "]", "1", "]", "3", "]", "3", "]", "1")


def coder_command(db: str, *args: str) -> None:
    """Run a coder command as a user would, failing loudly with its own message."""
    command = [sys.executable, "-m", "coder.cli", *args, "--db", db]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")


async def shoot(db: str, keys: Sequence[str], out: Path, name: str | None) -> None:
    """Open the coding screen on ``db`` as `coder code` does, press ``keys``, and save the
    screen as ``out/name`` (no picture when ``name`` is None: the keys are just typed)."""
    with Store.open(db) as store:
        app = CoderApp(CodingSession(store, CODER))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press(*keys)
            await pilot.pause()
            if name is not None:
                app.save_screenshot(name, str(out))


def make_screenshots(out: Path) -> list[Path]:
    """Walk the demo from import to suggestions and return the SVG files written."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "coder.db")
        coder_command(db, "init", "--codebook", str(bundled("codebooks") / DEMO_CODEBOOK))
        coder_command(db, "import", str(bundled("corpus")))
        asyncio.run(shoot(db, [], out, "coding.svg"))
        asyncio.run(shoot(db, CODING_KEYS, out, None))
        coder_command(db, "train", "--question", "arbetssatt")
        coder_command(db, "suggest", "--question", "arbetssatt")
        # reopened, the screen resumes at the last coded region; `]` is the next, uncoded one
        asyncio.run(shoot(db, ["right_square_bracket"], out, "suggestion.svg"))
        asyncio.run(shoot(db, ["question_mark"], out, "help.svg"))
    return [out / name for name in ("coding.svg", "suggestion.svg", "help.svg")]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m docs.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder (default: {OUT})")
    for path in make_screenshots(parser.parse_args(argv).out):
        print(path)


if __name__ == "__main__":
    main()
