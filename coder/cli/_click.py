"""The help's own words in the user's language: section titles, ``[default: 5]``,
``[required]``, and the usage line (``coder.cli._util._Words``).

Typer looks these words up with the standard ``gettext`` in a domain no one ships a catalogue
for; ``translate()`` points those look-ups at coder's catalogue, which holds the words listed
here (marked with ``N_`` so that the extraction finds them). Typer's copy of Click writes its
usage errors ("Error: No such option: --x", exit code 2) in English without a look-up: those
stay English.
"""

from __future__ import annotations

import gettext

from coder import i18n
from coder.i18n import N_

WORDS = (
    N_("Options"),
    N_("Arguments"),
    N_("Commands"),
    N_("default: {default}"),
    N_("required"),
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("Aborted!"),
)
"""Typer's words that a user of coder meets, exactly as Typer writes them."""


def translate() -> None:
    """Make Typer look its words up in coder's catalogue (in the language ``coder.i18n``
    speaks at the time of each look-up)."""
    import typer.core

    if getattr(typer.core, "_", None) is gettext.gettext:
        typer.core._ = _gettext  # type: ignore[attr-defined]


def _gettext(message: str) -> str:
    return i18n._(message)
