"""Golden files of the tally: the demo project's tally, a comparison of two years and a
tally by coder, as Markdown, CSV and the cell values of the workbook (tests/golden/tally*).

A change in a table shows as a diff; after an intended one, run these tests with
CODER_UPDATE_GOLDEN=1 and read what they wrote.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from coder.corpus.importer import import_documents
from tests.conftest import CORPUS
from tests.demo_key import code_demo
from tests.golden import check_golden
from tests.test_tally_compare import code_by_two, two_years


def workbook_text(path: Path) -> str:
    """Every sheet's cells as text, a line per row, numbers as Excel shows them."""
    book = openpyxl.load_workbook(path)
    lines: list[str] = []
    for sheet in book.worksheets:
        lines.append(f"# {sheet.title}")
        for row in sheet.iter_rows():
            lines.append(" | ".join(_shown(cell) for cell in row).rstrip(" |"))
        lines.append("")
    return "\n".join(lines)


def _shown(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if cell.number_format == "0%":
        return f"{value:.0%}"
    if cell.number_format == "+0;-0;0":
        return f"{value:+d}" if value else "0"
    return str(value)


@pytest.fixture
def demo(store, db):
    import_documents(store, [CORPUS])
    code_demo(store)
    return db


@pytest.fixture
def years(store, db, tmp_path):
    two_years(store, tmp_path)
    return db


@pytest.fixture
def coders(store, db):
    code_by_two(store)
    return db


def check_formats(cli, db: str, name: str, tmp_path: Path, *options: str) -> None:
    for fmt in ("md", "csv"):
        result = cli("tally", *options, "--format", fmt, "--db", db)
        assert result.exit_code == 0, result.output
        check_golden(f"{name}.{fmt}", result.stdout)
    book = tmp_path / f"{name}.xlsx"
    assert cli("tally", *options, "--out", book, "--db", db).exit_code == 0
    check_golden(f"{name}.xlsx.txt", workbook_text(book))


def test_the_demo_tally(cli, demo, tmp_path):
    check_formats(cli, demo, "tally", tmp_path)


def test_two_years_compared(cli, years, tmp_path):
    check_formats(cli, years, "tally_compare", tmp_path, "--compare", "år")


def test_each_coder_beside_the_others(cli, coders, tmp_path):
    check_formats(cli, coders, "tally_by_coder", tmp_path, "--by-coder")


def test_tally_pptx_text_is_its_golden_file(cli, demo, tmp_path):
    """The tally's slides as text (tables, chart series, footnotes), as the deck's are."""
    from tests.test_deck import deck_text

    out = tmp_path / "tally.pptx"
    assert cli("tally", "--out", out, "--db", demo).exit_code == 0
    check_golden("tally.pptx.txt", deck_text(out))
