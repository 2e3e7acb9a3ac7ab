"""The ``coder`` command line: thin commands over the core.

``_util`` holds the app, the shared options and the error handler; each module named in
``COMMAND_MODULES`` holds one group of commands, which register on the app when the module
is imported. They are imported in this order because it is the order of ``coder --help``.

The language (``--lang``, ``$CODER_LANG``, ``$LANG``: ``coder.i18n.choose``) is set before
any of them is imported, because their help texts are translated as they are built.
"""

import os
import sys
from importlib import import_module

from coder import i18n

i18n.set_language(i18n.choose(sys.argv, os.environ))

from coder.cli import _click  # noqa: E402 - after the language: they translate at import
from coder.cli._util import app  # noqa: E402

_click.translate()

COMMAND_MODULES = (
    "project",
    "cases",
    "suggest",
    "reports",
    "documents",
    "history",
    "exchange",
    "team",
    "serve",
    "codebook",
)
for _module in COMMAND_MODULES:
    import_module(f"coder.cli.{_module}")

__all__ = ["app"]
