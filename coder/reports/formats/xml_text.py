"""Text that an Office file can hold.

XML 1.0 has no place for most control characters, U+FFFE and U+FFFF, or lone surrogates;
python-pptx, python-docx and openpyxl refuse them with a traceback. Passages come from
documents nobody controls (a PDF's stray form feed, a broken DOCX), so every text written
into an Office file passes through ``xml_safe`` first.
"""

from __future__ import annotations

import re

_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 does not allow (tab and newline stay)."""
    return _NOT_XML.sub("", text)
