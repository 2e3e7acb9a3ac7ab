"""Writing the seminar deck and the report: which file format a path asks for, and the
writer for it (``coder deck``, ``coder report``)."""

from __future__ import annotations

from pathlib import Path

from coder.errors import CoderError
from coder.i18n import _
from coder.reports.seminar import Seminar

REPORT_FORMATS = ("html", "docx")


def deck_target(out: Path | None) -> Path:
    """Where the deck goes: ``--out`` (a .pptx file), else deck.pptx here."""
    if out is None:
        return Path("deck.pptx")
    if out.suffix.lower() != ".pptx":
        raise CoderError(
            _("{file}: the deck is a PowerPoint file; give --out FILE.pptx").format(file=out)
        )
    return out


def report_format(out: Path) -> str:
    """``html`` or ``docx``, told by the file's suffix."""
    suffix = out.suffix.lower().lstrip(".")
    if suffix == "htm":
        return "html"
    if suffix not in REPORT_FORMATS:
        raise CoderError(
            _(
                "{file}: the report is written as HTML or Word; give --out FILE.html or FILE.docx"
            ).format(file=out)
        )
    return suffix


def save_deck(seminar: Seminar, path: Path) -> None:
    from coder.reports.formats.seminar_deck import to_deck

    to_deck(seminar, path)


def save_report(seminar: Seminar, path: Path, format: str) -> None:
    """The report as one self-contained HTML file or a Word document at ``path``."""
    if format == "html":
        from coder.reports.formats.report_html import to_html

        with open(path, "w", encoding="utf-8", newline="\n") as stream:
            to_html(seminar, stream)
    elif format == "docx":
        from coder.reports.formats.report_docx import to_docx

        to_docx(seminar, path)
    else:
        raise CoderError(
            _("unknown report format '{format}' (expected {expected})").format(
                format=format, expected=_(" or ").join(REPORT_FORMATS)
            )
        )
