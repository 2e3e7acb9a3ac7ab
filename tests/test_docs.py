"""The documentation stays true: its screenshots show today's screens, its links lead somewhere.

The screenshots are made by `python -m docs.screenshots`; this runs it and compares the text on
each committed screen with a fresh one. SVG bytes differ between runs (Textual puts a random id
in every class name), so the comparison is on the text the screen shows, line by line.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

from coder.suggest import embeddings

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
PAGES = [REPO / "README.md", *sorted(DOCS.glob("*.md"))]
GUIDES = [DOCS / "guide.en.md", DOCS / "guide.sv.md"]

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
TEXT = re.compile(r'<text [^>]*?y="([\d.]+)"[^>]*>(.*?)</text>', re.S)
# Screens whose text depends on the suggester's scores, which need the bundled embeddings.
NEEDS_EMBEDDINGS = {"suggestion.svg"}


def screen_lines(svg: Path) -> list[str]:
    """The text of a Textual SVG screenshot, one string per terminal row."""
    rows: dict[float, str] = {}
    for y, text in TEXT.findall(svg.read_text("utf-8")):
        rows[float(y)] = rows.get(float(y), "") + html.unescape(text)
    return [rows[y].rstrip() for y in sorted(rows)]


def local_links(page: Path) -> list[str]:
    """The relative links of a Markdown page (web addresses and in-page anchors left out)."""
    found = []
    for target in LINK.findall(page.read_text("utf-8")):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        found.append(target.split("#")[0])
    return found


def linked_images(page: Path) -> list[str]:
    return [Path(target).name for target in local_links(page) if target.endswith(".svg")]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_leads_to_a_file(page):
    missing = [t for t in local_links(page) if not (page.parent / t).exists()]
    assert not missing, f"{page.name} links to missing files: {missing}"


def test_the_guides_show_their_screenshots():
    for guide in GUIDES:
        assert {"coding.svg", "suggestion.svg", "help.svg"} <= set(linked_images(guide)), guide


def test_the_screenshots_show_the_screens_of_today(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "docs.screenshots", "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    shown = {name for guide in GUIDES for name in linked_images(guide)}
    for name in sorted(shown):
        fresh = tmp_path / name
        assert fresh.exists(), f"python -m docs.screenshots no longer makes {name}"
        if name in NEEDS_EMBEDDINGS and not embeddings.available():
            continue  # TF-IDF alone scores differently; the pictures show the usual set-up
        assert screen_lines(DOCS / "img" / name) == screen_lines(fresh), (
            f"docs/img/{name} is stale: run `python -m docs.screenshots` and commit the pictures"
        )


FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.S | re.M)


def command_lines(page: Path) -> list[str]:
    """The `coder ...` commands in a page's code blocks, continuation lines joined and
    shell comments cut off."""
    found = []
    for block in FENCE.findall(page.read_text("utf-8")):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" #", 1)[0].strip()
            if line.startswith("coder ") or line == "coder":
                found.append(line)
    return found


def _known(line: str) -> tuple[str, set[str]] | str:
    """The command a line calls and the options it takes, or what is wrong with it."""
    import shlex

    import typer

    from coder.cli import app

    command = typer.main.get_command(app)
    words = shlex.split(line)[1:]
    name = "coder"
    # a group has sub-commands (Typer's groups are not click.Group subclasses)
    while hasattr(command, "commands") and words and not words[0].startswith("-"):
        sub = command.commands.get(words[0])
        if sub is None:
            return f"`{line}`: `{name}` has no command `{words[0]}`"
        name, command, words = f"{name} {words[0]}", sub, words[1:]
    options = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}
    return name, options | {"--help"}


WITH_COMMANDS = [p for p in PAGES if p.name != "commands.md" and command_lines(p)]


def test_the_walkthroughs_are_among_the_pages_checked():
    assert {REPO / "README.md", *GUIDES} <= set(WITH_COMMANDS)


@pytest.mark.parametrize("page", WITH_COMMANDS, ids=lambda p: p.name)
def test_every_command_in_the_docs_exists_with_its_options(page):
    lines = command_lines(page)
    wrong = []
    for line in lines:
        known = _known(line)
        if isinstance(known, str):
            wrong.append(known)
            continue
        name, options = known
        for word in line.split():
            option = word.split("=", 1)[0]
            if option.startswith("--") and option not in options:
                wrong.append(f"`{line}`: `{name}` has no option {option}")
    assert wrong == []


def test_the_command_check_catches_a_misspelt_option():
    name, options = _known("coder tally --out tally.pptx")
    assert name == "coder tally" and "--out" in options and "--outfile" not in options
    assert "has no command" in _known("coder tallies")
