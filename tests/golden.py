"""Golden files: small expected outputs checked in under tests/golden/, so that a change in
a table, a deck or a report shows as a diff in review.

``check_golden("tally.md", text)`` compares ``text`` with ``tests/golden/tally.md``; run the
tests with ``CODER_UPDATE_GOLDEN=1`` to write the files anew after an intended change (and
read the diff before committing it).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("CODER_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8", newline="\n")
        return
    assert path.exists(), f"no golden file {path}; run with CODER_UPDATE_GOLDEN=1 to write it"
    expected = path.read_text("utf-8")
    if text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"golden/{name}",
                "now",
            )
        )
        raise AssertionError(f"{name} differs from its golden file:\n{diff}")
