"""The ``coder`` command line: thin commands over the core.

``_util`` holds the app, the shared options and the error handler; each module named in
``COMMAND_MODULES`` holds one group of commands, which register on the app when the module
is imported. They are imported in this order because it is the order of ``coder --help``.
"""

from importlib import import_module

from coder.cli._util import app

COMMAND_MODULES = (
    "project",
    "cases",
    "suggest",
    "reports",
    "documents",
    "exchange",
    "team",
    "codebook",
)
for _module in COMMAND_MODULES:
    import_module(f"coder.cli.{_module}")

__all__ = ["app"]
