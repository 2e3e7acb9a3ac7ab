"""The parts of coder import each other in one direction only, the core never imports the
UI, and every command is documented.

Parts (folders of ``coder/``) and what each may import besides itself and ``coder.errors``:
the model (codebooks) needs nothing; the corpus (reading and segmenting documents) only the
model; the store keeps both; the suggester, the reports and REFI exchange work on the store;
the coding session ties them together; the CLI and the TUI are thin layers on top, and the
core never imports either.
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer

import coder
from coder.cli import app
from tests.conftest import REPO

CORE = {
    "errors",
    "i18n",
    "model",
    "corpus",
    "store",
    "suggest",
    "reports",
    "refi",
    "coding",
    "demo",
}
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "i18n": set(),  # the translations: a leaf every part may use
    "model": set(),
    "corpus": {"model"},
    "store": {"model", "corpus"},
    "suggest": {"model", "corpus", "store"},
    "reports": {"model", "corpus", "store", "suggest"},
    "refi": {"model", "corpus", "store"},
    "coding": {"model", "corpus", "store", "suggest", "reports"},
    "demo": {"model", "corpus", "store", "suggest"},
    "tui": CORE,
    # the browser server: links from the store; it runs `coder code` as a program
    "serve": {"model", "corpus", "store"},
    "cli": CORE | {"tui", "serve"},
}
PACKAGE = Path(coder.__file__).parent


def _part(module: str) -> str | None:
    """``coder.store.queries`` -> ``store``; ``coder`` itself -> None."""
    names = module.split(".")
    if len(names) < 2 or names[0] != "coder":
        return None
    return names[1]


def _imports(path: Path, module: str) -> list[tuple[int, str]]:
    """Every module that ``path`` imports, at the top or inside a function."""
    found = []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.append((node.lineno, base))
            # `from coder import store` imports the part `store`
            if base == "coder":
                found += [
                    (node.lineno, f"coder.{alias.name}")
                    for alias in node.names
                    if (PACKAGE / alias.name).is_dir() or (PACKAGE / f"{alias.name}.py").is_file()
                ]
    return found


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append((".".join(parts), path))
    return found


@pytest.mark.parametrize(("module", "path"), _modules(), ids=lambda v: str(v))
def test_each_part_imports_only_the_parts_below_it(module, path):
    part = _part(module)
    if part is None:
        return  # coder/__init__.py: the version only
    wrong = [
        f"{path.relative_to(REPO)}:{line}: {part} imports {target}"
        for line, target in _imports(path, module)
        if (other := _part(target)) is not None
        and other != part
        and other not in ALLOWED[part] | {"errors", "i18n"}
    ]
    assert wrong == []


def test_every_part_is_known():
    parts = {_part(m) for m, _ in _modules()} - {None}
    assert parts <= set(ALLOWED), f"a new part needs its place in ALLOWED: {parts - set(ALLOWED)}"


def test_the_rule_catches_a_wrong_import(tmp_path):
    """The check itself can fail: a corpus module importing the store is reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from coder.store import Store\n", "utf-8")
    targets = {_part(t) for _, t in _imports(bad, "coder.corpus.bad")}
    assert "store" in targets and "store" not in ALLOWED["corpus"]


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


@pytest.mark.parametrize("module", ["coder.model", "coder.corpus.segment", "coder.corpus.readers"])
def test_reading_and_segmenting_load_no_database_library(module):
    code = f"import sys, {module}; sys.exit(1 if 'sqlalchemy' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        full = f"{prefix}{name}"
        if hasattr(command, "commands"):  # a group (Typer's are not click.Group subclasses)
            found += _commands(command, full + " ")
        else:
            found.append((full, command))
    return found


def test_every_command_has_help_and_is_in_the_command_reference():
    reference = (REPO / "docs" / "commands.md").read_text("utf-8")
    commands = _commands(typer.main.get_command(app))
    assert commands
    for name, command in commands:
        assert command.help, f"{name} has no help text"
        assert f"coder {name}" in reference, f"docs/commands.md does not mention `coder {name}`"


def test_the_cli_offers_exactly_the_session_orderings():
    from coder.cli.project import Order
    from coder.coding.ordering import Ordering

    assert [o.value for o in Order] == [o.value for o in Ordering]


def test_building_the_cli_loads_no_database_or_ui_library():
    code = (
        "import sys, coder.cli; "
        "sys.exit(1 if {'sqlalchemy', 'sklearn', 'textual'} & set(sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0
