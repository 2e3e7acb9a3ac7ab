"""Shared fixtures: the shipped codebook, fresh projects in tmp_path, and a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from coder.cli import app
from coder.codebook import load_codebook
from coder.store import Store

REPO = Path(__file__).resolve().parent.parent
CODEBOOK = REPO / "codebooks" / "ak6-analys-uppfoljning.yaml"
CORPUS = REPO / "corpus"
SHARED = REPO.parent / "shared"


@pytest.fixture
def codebook_path() -> Path:
    return CODEBOOK


@pytest.fixture
def db(tmp_path: Path) -> str:
    """Path of a new, empty project with the shipped codebook."""
    path = str(tmp_path / "project.db")
    Store.create(path, load_codebook(CODEBOOK)).close()
    return path


@pytest.fixture
def store(db: str):
    with Store.open(db) as opened:
        yield opened


class Cli:
    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict | None = None):
        return self.runner.invoke(app, [str(a) for a in args], env=env, catch_exceptions=False)


@pytest.fixture
def cli() -> Cli:
    return Cli()
