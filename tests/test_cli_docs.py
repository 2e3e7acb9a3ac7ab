"""docs/commands.md is generated from the command line itself: it must not fall behind.

It is written in English, whatever the locale of the machine (CODER_LANG=en)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

COMMANDS_MD = REPO / "docs" / "commands.md"
REGENERATE = "CODER_LANG=en typer coder.cli utils docs --name coder --output docs/commands.md"


def test_commands_md_is_what_the_cli_generates(tmp_path: Path):
    fresh = tmp_path / "commands.md"
    subprocess.run(
        [sys.executable, "-m", "typer", "coder.cli", "utils", "docs", "--name", "coder"]
        + ["--output", str(fresh)],
        cwd=REPO,
        env={**os.environ, "CODER_LANG": "en"},
        check=True,
        capture_output=True,
    )
    current = COMMANDS_MD.read_text("utf-8") if COMMANDS_MD.exists() else ""
    assert current == fresh.read_text("utf-8"), (
        f"docs/commands.md is out of date with the commands; regenerate it: {REGENERATE}"
    )
