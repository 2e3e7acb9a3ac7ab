"""Property tests: random bytes, random YAML and random CSVs fed to the codebook loader and
the importers. Each either succeeds or exits 1 with one line (never a traceback), and a
refused import leaves the project exactly as it was."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import yaml
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coder.model.codebook import load_codebook
from coder.store import Store
from tests.conftest import CODEBOOK

PROPERTY = settings(
    max_examples=int(os.environ.get("CODER_PROPERTY_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
REAL = CODEBOOK.read_text(encoding="utf-8")


def fingerprint(db: str) -> str:
    con = sqlite3.connect(db)
    try:
        return hashlib.sha256("\n".join(con.iterdump()).encode()).hexdigest()
    finally:
        con.close()


def assert_clean(result: Result) -> None:
    """Exit 0, or exit 1 with exactly one line on stderr; a traceback would have raised."""
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("coder: error: "), result.stderr


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
yaml_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "title",
                    "language",
                    "questions",
                    "mode",
                    "codes",
                    "label",
                    "parent",
                    "hotkey",
                    "changes",
                    "merge",
                    "into",
                    "retire",
                    "x",
                ]
            ),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=20,
)


def mutated_codebook(draw_lines: list[int], replacement: str) -> str:
    lines = REAL.splitlines()
    for i in draw_lines:
        if lines:
            lines[i % len(lines)] = replacement
    return "\n".join(lines)


@PROPERTY
@given(
    st.one_of(
        st.binary(max_size=300).map(lambda b: ("bytes", b)),
        yaml_values.map(lambda v: ("yaml", yaml.safe_dump(v, allow_unicode=True).encode())),
        st.tuples(st.lists(st.integers(0, 400), min_size=1, max_size=4), st.text(max_size=30)).map(
            lambda a: ("mutated", mutated_codebook(*a).encode("utf-8", "surrogatepass"))
        ),
    )
)
def test_codebook_loader_never_crashes(cli, tmp_path, case):
    _kind, data = case
    path = tmp_path / "random.yaml"
    path.write_bytes(data)
    result = cli("codebook", "check", path)
    assert_clean(result)
    db = tmp_path / "p.db"
    db.unlink(missing_ok=True)
    result = cli("init", "--codebook", path, "--db", db)
    assert_clean(result)
    assert db.exists() == (result.exit_code == 0)  # a refused init writes nothing


def project(tmp_path: Path) -> str:
    db = tmp_path / "project.db"
    if not db.exists():
        Store.create(str(db), load_codebook(CODEBOOK)).close()
    return str(db)


@PROPERTY
@given(
    st.sampled_from([".txt", ".md", ".docx", ".pdf", ".xlsx"]),
    st.one_of(
        st.binary(max_size=400),
        st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.just(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF"),
        st.just(b"PK\x03\x04" + b"\x00" * 40),
    ),
)
def test_document_importer_never_crashes_or_half_writes(cli, tmp_path, suffix, data):
    db = project(tmp_path)
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    before = fingerprint(db)
    if suffix == ".xlsx":
        result = cli("import", path, "--text-column", "text", "--db", db)
    else:
        result = cli("import", path, "--db", db)
    assert_clean(result)
    if result.exit_code == 1 or "Imported 0 documents" in result.output:
        assert fingerprint(db) == before


cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=25)
codes = st.sampled_from(
    ["", "generell-ansats", "Strategiskt ramverk", "okänd", "generell-ansats;strategiskt-ramverk"]
)


@PROPERTY
@given(
    st.lists(st.tuples(cells, cells, cells, codes), max_size=8),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    st.booleans(),
    st.binary(max_size=30),
)
def test_table_importer_never_crashes_or_half_writes(
    cli, tmp_path, rows, sep, encoding, header, garbage
):
    db = project(tmp_path)
    lines = [sep.join(["id", "region", "text", "code"])] if header else []
    lines += [sep.join(f'"{c}"' if i == 2 else c for i, c in enumerate(row)) for row in rows]
    path = tmp_path / "random.csv"
    path.write_bytes("\n".join(lines).encode(encoding, "replace") + garbage)
    before = fingerprint(db)
    result = cli(
        "import",
        path,
        "--text-column",
        "text",
        "--case-column",
        "region",
        "--id-column",
        "id",
        "--code-column",
        "code",
        "--question",
        "arbetssatt",
        "--coder",
        "anna",
        "--db",
        db,
    )
    assert_clean(result)
    if result.exit_code == 1:
        assert fingerprint(db) == before
