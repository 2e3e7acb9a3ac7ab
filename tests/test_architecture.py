"""The core never imports the UI, and every command is documented."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import click
import pytest
import typer

import coder
from coder.cli import app
from tests.conftest import REPO

CORE_MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(coder.__path__, "coder.")
    if not m.name.startswith(("coder.tui", "coder.cli"))
)


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_textual(module):
    code = (
        f"import sys, {module}; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual',) "
        "or m.startswith(('coder.tui', 'coder.cli'))]; "
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        full = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found += _commands(command, full + " ")
        else:
            found.append((full, command))
    return found


def test_every_command_has_help_and_is_in_the_readme():
    readme = (REPO / "README.md").read_text("utf-8")
    commands = _commands(typer.main.get_command(app))
    assert commands
    for name, command in commands:
        assert command.help, f"{name} has no help text"
        assert f"coder {name}" in readme, f"README does not mention `coder {name}`"
