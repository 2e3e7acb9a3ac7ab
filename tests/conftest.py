"""Shared fixtures: the shipped codebook, fresh projects in tmp_path, and a CLI runner."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

# The tests read the program's English; a Swedish LANG on the machine must not change that
# (tests/test_i18n.py sets the language itself).
os.environ["CODER_LANG"] = "en"

from coder.cli import app  # after the language is chosen
from coder.model.codebook import load_codebook
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


# -- both back ends ---------------------------------------------------------------------------
# Tests that take `location` (or override `db` with `backend_db`) run once on an SQLite file
# and once on a fresh PostgreSQL database of the server named by $CODER_TEST_POSTGRES
# (.ci/run starts one on loopback); without it they skip, saying why.


@pytest.fixture(autouse=True)
def _no_personal_keys(tmp_path_factory, monkeypatch):
    """The coding screen reads the user's keys file; tests use the default keys."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))


BACKENDS = ["sqlite", "postgresql"]
PG_ADMIN = os.environ.get("CODER_TEST_POSTGRES")


@pytest.fixture(scope="session")
def pg_admin() -> str:
    if not PG_ADMIN:
        pytest.skip("no PostgreSQL server: set CODER_TEST_POSTGRES=postgresql://USER@HOST/DB")
    try:
        import sqlalchemy as sa

        engine = sa.create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means: no server to test on
        pytest.skip(f"PostgreSQL at {PG_ADMIN} is not reachable: {type(exc).__name__}: {exc}")
    return PG_ADMIN


def _admin_sql(admin: str, statement: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(
        admin.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.exec_driver_sql(statement)
    engine.dispose()


@pytest.fixture
def pg_url(pg_admin: str):
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    import sqlalchemy as sa

    name = f"coder_test_{uuid.uuid4().hex[:12]}"
    _admin_sql(pg_admin, f"CREATE DATABASE {name}")
    url = sa.engine.make_url(pg_admin).set(database=name).render_as_string(hide_password=False)
    yield url
    _admin_sql(pg_admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=BACKENDS)
def location(request, tmp_path: Path) -> str:
    """Where a new project can be created: an SQLite path, or an empty PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "project.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def backend_db(location: str) -> str:
    """A new, empty project with the shipped codebook, on each back end."""
    Store.create(location, load_codebook(CODEBOOK)).close()
    return location


@pytest.fixture
def project(db: str) -> str:
    """A project with the demo corpus imported (a test module may define its own)."""
    from coder.corpus.documents import import_documents

    with Store.open(db) as store:
        import_documents(store, [CORPUS])
    return db


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
