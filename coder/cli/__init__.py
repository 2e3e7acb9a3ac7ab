"""The ``coder`` command line: thin commands over the core (``coder.cli.main`` holds the app)."""

from coder.cli import exchange, team  # noqa: F401  (their commands register on the app)
from coder.cli.main import app

__all__ = ["app"]
