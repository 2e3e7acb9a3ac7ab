"""How a CSV file is spelled: separator, byte-order mark, decimal sign.

Swedish and Danish Excel read a CSV as ``;``-separated with a decimal comma, and guess the
encoding as the local code page unless the file starts with a UTF-8 byte-order mark (then
å, ä, ö and æ, ø come out right). Files written by ``coder`` start with the mark; standard
output does not (it is for pipes and scripts) unless ``--excel`` asks for it.
``--excel`` means all three: mark, ``;`` and decimal comma.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from coder.errors import CoderError
from coder.i18n import _

BOM = "\ufeff"
_NAMED = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}


@dataclass(frozen=True)
class CsvStyle:
    sep: str = ","
    bom: bool = False
    decimal: str = "."

    def writer(self, stream: IO[str], columns: Sequence[str]) -> csv.DictWriter:
        """A DictWriter in this style; the byte-order mark is written first when asked for.
        The header row is left to the caller (``writer.writeheader()``)."""
        if self.bom:
            stream.write(BOM)
        return csv.DictWriter(
            stream, fieldnames=list(columns), delimiter=self.sep, lineterminator="\n", restval=""
        )

    def number(self, value: float, digits: int) -> str:
        """``value`` with ``digits`` decimals and this style's decimal sign."""
        text = f"{value:.{digits}f}"
        return text.replace(".", self.decimal) if self.decimal != "." else text


EXCEL = CsvStyle(sep=";", bom=True, decimal=",")


def csv_style(sep: str | None = None, *, excel: bool = False, to_file: bool = False) -> CsvStyle:
    """The style asked for on the command line: ``--excel`` (mark, ``;``, decimal comma),
    else ``--sep`` (one character; ``tab`` for a tab) with the mark in files only."""
    if excel:
        if sep is not None and _separator(sep) != ";":
            raise CoderError(_("--excel already means --sep ';'; leave out --sep"))
        return EXCEL
    return CsvStyle(sep=_separator(sep) if sep is not None else ",", bom=to_file)


def _separator(sep: str) -> str:
    value = _NAMED.get(sep.lower(), sep)
    if len(value) != 1 or value in '"\r\n' or value.isalnum() or value == ".":
        raise CoderError(
            _("--sep takes one character such as ';' or ',' or the word 'tab' (got {sep})").format(
                sep=repr(sep)
            )
        )
    return value
