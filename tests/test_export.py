"""Exports keep the stable columns of DESIGN.md in CSV and JSON lines."""

from __future__ import annotations

import csv
import io
import json

import pytest

from coder.store import Store
from tests.conftest import CORPUS


@pytest.fixture
def db(backend_db: str) -> str:
    """These tests run on SQLite and on PostgreSQL (see conftest)."""
    return backend_db


SEGMENT_HEADER = "segment_id,external_id,case,document,position,text,section"
CODING_HEADER = "segment_id,external_id,case,question,code,coder,origin,time,model,score"


def coded_project(cli, db):
    cli("import", CORPUS, "--db", db)
    with Store.open(db) as store:
        store.toggle_code(1, "arbetssatt", "overgripande-ambition", "anna")
        store.toggle_code(1, "insatser", "konferenser", "anna")


def test_segments_csv_columns(cli, db):
    coded_project(cli, db)
    result = cli("export", "--what", "segments", "--format", "csv", "--db", db)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == SEGMENT_HEADER
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["case"] == "Blekinge" and rows[0]["position"] == "0"
    assert rows[0]["text"].startswith("Region Blekinge har som ambition")


def test_codings_csv_and_jsonl_columns(cli, db, tmp_path):
    coded_project(cli, db)
    result = cli("export", "--what", "codings", "--format", "csv", "--db", db)
    assert result.stdout.splitlines()[0] == CODING_HEADER
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["question"], r["code"], r["coder"], r["origin"]) for r in rows] == [
        ("arbetssatt", "overgripande-ambition", "anna", "human"),
        ("insatser", "konferenser", "anna", "human"),
    ]
    out = tmp_path / "codings.jsonl"
    result = cli("export", "--what", "codings", "--format", "jsonl", "--out", out, "--db", db)
    assert result.exit_code == 0
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert list(records[0]) == CODING_HEADER.split(",")
    assert records[0]["case"] == "Blekinge"


def test_export_to_missing_folder_writes_nothing(cli, db, tmp_path):
    result = cli("export", "--out", tmp_path / "no" / "x.csv", "--db", db)
    assert result.exit_code == 1
    assert "does not exist" in result.stderr


def test_bad_option_value_is_a_usage_error(cli, db):
    result = cli("export", "--what", "everything", "--db", db)
    assert result.exit_code == 2
