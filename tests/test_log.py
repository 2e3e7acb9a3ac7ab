"""`coder log` and the history behind it: every coding event with its coder, passage,
question, code, added/removed and origin, filtered by case, coder, question, passage or
time; on both back ends."""

from __future__ import annotations

import csv
import io
import json
import re
import time

import pytest
import yaml

import coder.cli.history  # noqa: F401  (registers `coder log` until coder.cli lists it)
from coder.corpus.importer import import_table
from coder.errors import CoderError
from coder.model.codebook import load_codebook
from coder.reports.history import COLUMNS, Event, events, parse_since
from coder.store import NewDocument, Span, Store
from coder.store.codings import ACCEPTED, Change
from coder.store.evolve import update_codebook
from coder.store.merge import merge
from tests.conftest import CODEBOOK


@pytest.fixture
def db(backend_db: str) -> str:
    """These tests run on SQLite and on PostgreSQL (see conftest)."""
    return backend_db


def add_case(store, name: str, n_passages: int) -> list[int]:
    with store.batch() as b:
        case_id = b.case(name, {})
        spans = [Span(i * 10, i * 10 + 5, f"p{i:03d}") for i in range(n_passages)]
        doc = NewDocument(case_id, f"{name}.txt", "txt", "x" * (10 * n_passages), name, spans)
        return b.add_documents([doc])[0]


def record(store, coder: str, changes: list[Change], at: str, kind: str = "code") -> None:
    """One action at a known time (as `coder merge` writes them), for exact expectations."""
    with store.batch() as b:
        b.record(b.coder(coder), kind, changes, time=at)


def brief(found: list[Event]) -> list[tuple]:
    return [(e.coder, e.case, e.code, e.action, e.origin) for e in found]


@pytest.fixture
def timed(store):
    """Two cases and two coders, coded at known times; anna's last coding is undone."""
    kalmar = add_case(store, "Kalmar", 2)
    skane = add_case(store, "Skåne", 1)
    at = "2026-12-0{}T{}:00:00+00:00"
    record(
        store,
        "anna",
        [Change(kalmar[0], "arbetssatt", "generell-ansats", "added")],
        at.format(1, "09"),
    )
    record(store, "bo", [Change(skane[0], "insatser", "konferenser", "added")], at.format(1, "10"))
    record(
        store,
        "bo",
        [
            Change(skane[0], "insatser", "konferenser", "removed"),
            Change(skane[0], "insatser", "lansgemensamma", "added", ACCEPTED, "m1", 0.9),
        ],
        at.format(2, "08"),
    )
    store.toggle_code(kalmar[1], "insatser", "analyser-utredningar", "anna")
    store.undo("anna")
    return store, kalmar, skane


def test_every_event_oldest_first_with_its_origin(timed):
    store, kalmar, skane = timed
    found = events(store)
    assert brief(found) == [
        ("anna", "Kalmar", "generell-ansats", "added", "human"),
        ("bo", "Skåne", "konferenser", "added", "human"),
        ("bo", "Skåne", "konferenser", "removed", "human"),
        ("bo", "Skåne", "lansgemensamma", "added", "accepted-suggestion"),
        ("anna", "Kalmar", "analyser-utredningar", "added", "human"),
        ("anna", "Kalmar", "analyser-utredningar", "removed", "undo"),  # the undo
    ]
    first = found[0]
    assert (first.time, first.segment_id, first.external_id, first.question) == (
        "2026-12-01T09:00:00+00:00",
        kalmar[0],
        None,
        "arbetssatt",
    )
    assert store.codes_of(kalmar[1], "insatser", "anna") == set()  # undone: not coded now


def test_filters_by_case_coder_question_and_passage(timed):
    store, kalmar, skane = timed
    assert {e.case for e in events(store, case="Skåne")} == {"Skåne"}
    assert len(events(store, case="Skåne")) == 3
    assert {e.coder for e in events(store, coder="anna")} == {"anna"}
    assert [e.code for e in events(store, question="arbetssatt")] == ["generell-ansats"]
    assert brief(events(store, segment=kalmar[1])) == [
        ("anna", "Kalmar", "analyser-utredningar", "added", "human"),
        ("anna", "Kalmar", "analyser-utredningar", "removed", "undo"),
    ]
    assert events(store, coder="bo", case="Kalmar") == []


def test_since_a_time_or_a_date(timed):
    store, *_ = timed
    since = events(store, since="2026-12-01T10:00:00+00:00")
    assert brief(since)[0] == ("bo", "Skåne", "konferenser", "added", "human")  # 10:00 is in
    assert len(since) == 5
    assert len(events(store, since="2026-12-02", coder="bo")) == 2


@pytest.fixture
def stockholm(monkeypatch):
    """Local time in Stockholm (UTC+1 in December)."""
    monkeypatch.setenv("TZ", "Europe/Stockholm")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_date_is_local_midnight(store, stockholm):
    (seg,) = add_case(store, "Kalmar", 1)
    # 23:30 UTC on 30 November is 00:30 on 1 December in Stockholm
    record(
        store,
        "anna",
        [Change(seg, "arbetssatt", "generell-ansats", "added")],
        "2026-11-30T22:30:00+00:00",
    )
    record(
        store,
        "anna",
        [Change(seg, "arbetssatt", "generell-ansats", "removed")],
        "2026-11-30T23:30:00+00:00",
    )
    assert [e.action for e in events(store, since="2026-12-01")] == ["removed"]
    assert [e.action for e in events(store, since="2026-12-01 00:31")] == []
    assert parse_since("2026-12-01 00:30").utcoffset().total_seconds() == 3600


def test_unknown_names_and_bad_dates_are_one_line(timed):
    store, *_ = timed
    with pytest.raises(CoderError, match=r"unknown case 'Umeå' \(cases: Kalmar, Skåne\)"):
        events(store, case="Umeå")
    with pytest.raises(CoderError, match=r"unknown coder 'cecilia' \(coders: anna, bo\)"):
        events(store, coder="cecilia")
    with pytest.raises(CoderError, match="unknown question 'nope'"):
        events(store, question="nope")
    for bad in ("2026-13-01", "yesterday", "1/12/2026", ""):
        with pytest.raises(CoderError, match="--since: .* is not a date"):
            events(store, since=bad)


def test_imports_and_codebook_updates_are_named(store, tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "id,region,text,insatser\nr1,Kalmar,Vi följer upp.,konferenser\n", encoding="utf-8"
    )
    import_table(
        store,
        sheet,
        text_column="text",
        case_column="region",
        id_column="id",
        code_column="insatser",
        question="insatser",
        coder="anna",
    )
    data = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    insatser = next(q for q in data["questions"] if q["id"] == "insatser")
    insatser["codes"] = [c for c in insatser["codes"] if c["id"] != "konferenser"]
    data["changes"] = [{"question": "insatser", "retire": "konferenser"}]
    path = tmp_path / "v2.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    update_codebook(store, load_codebook(path), str(path))
    found = events(store)
    assert [(e.external_id, e.code, e.action, e.origin) for e in found] == [
        ("r1", "konferenser", "added", "import"),
        ("r1", "konferenser", "removed", "codebook-update"),
    ]


def test_merged_events_keep_their_time_and_sort_by_it(tmp_path):
    """A colleague's copy coded earlier: merged later, its events still come first."""
    here, there = str(tmp_path / "here.db"), str(tmp_path / "there.db")
    for path in (here, there):
        Store.create(path, load_codebook(CODEBOOK)).close()
        with Store.open(path) as store:
            (seg,) = add_case(store, "Kalmar", 1)
    with Store.open(there) as store:
        earlier = "2026-11-01T08:00:00+00:00"
        record(store, "bo", [Change(seg, "arbetssatt", "generell-ansats", "added")], earlier)
    with Store.open(here) as store:
        store.toggle_code(seg, "insatser", "konferenser", "anna")
        merge(store, there)
        found = events(store)
    assert [(e.coder, e.code, e.origin) for e in found] == [
        ("bo", "generell-ansats", "human"),
        ("anna", "konferenser", "human"),
    ]
    assert found[0].time == earlier


# -- the command --------------------------------------------------------------------------------


def test_csv_and_json_lines_have_the_stable_columns(cli, db, timed):
    store, kalmar, skane = timed
    result = cli("log", "--coder", "bo", "--format", "csv", "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "time,coder,segment_id,external_id,case,question,code,action,origin\n"
        f"2026-12-01T10:00:00+00:00,bo,{skane[0]},,Skåne,insatser,konferenser,added,human\n"
        f"2026-12-02T08:00:00+00:00,bo,{skane[0]},,Skåne,insatser,konferenser,removed,human\n"
        f"2026-12-02T08:00:00+00:00,bo,{skane[0]},,Skåne,insatser,lansgemensamma,added,"
        "accepted-suggestion\n"
    )
    lines = cli("log", "--format", "jsonl", "--db", db).stdout.splitlines()
    assert len(lines) == 6
    assert [list(json.loads(line)) for line in lines] == [list(COLUMNS)] * 6
    assert json.loads(lines[-1])["origin"] == "undo"
    assert json.loads(lines[0])["segment_id"] == kalmar[0]


def test_a_file_by_its_suffix_and_excel_csv(cli, db, timed, tmp_path):
    out = tmp_path / "log.csv"
    result = cli("log", "--case", "Kalmar", "--out", out, "--db", db)
    assert result.exit_code == 0 and f"Wrote {out}" in result.stderr
    text = out.read_text("utf-8")
    assert not text.startswith("\ufeff")  # a machine contract, like `coder export`
    assert len(list(csv.DictReader(io.StringIO(text)))) == 3
    excel = tmp_path / "excel.csv"
    assert cli("log", "--out", excel, "--excel", "--db", db).exit_code == 0
    raw = excel.read_text("utf-8")
    assert raw.startswith("\ufefftime;coder;segment_id;")
    assert len(list(csv.DictReader(io.StringIO(raw[1:]), delimiter=";"))) == 6


def test_the_table_on_screen(cli, db, timed):
    result = cli("log", "--db", db, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "Time", "Coder", "Case", "Passage", "Question", "Code", "Action", "Origin"
    ]  # fmt: skip
    assert all(len(line) <= 80 for line in lines)
    assert "accepted" in result.stdout and "lansgemensamma" in result.stdout
    days = [line for line in lines if re.fullmatch(r"\d{4}-\d\d-\d\d", line)]
    assert days[:2] == ["2026-12-01", "2026-12-02"]  # a line for each day
    rows = [line for line in lines if re.match(r"\d\d:\d\d ", line)]
    assert len(rows) == 6
    assert rows[-1].split()[-2:] == ["removed", "undo"]  # the newest last
    # a column asked for one value of is left out
    only_bo = cli("log", "--coder", "bo", "--db", db).stdout.splitlines()
    assert "Coder" not in only_bo[0] and "Skåne" in only_bo[2]


def test_the_command_refuses_in_one_line(cli, db, timed, tmp_path):
    for args, message in [
        (("--since", "1 december"), "--since: '1 december' is not a date; give 2026-12-01"),
        (("--case", "Umeå"), "unknown case 'Umeå' (cases: Kalmar, Skåne)"),
        (("--coder", "cecilia"), "unknown coder 'cecilia' (coders: anna, bo)"),
        (("--sep", ";"), "--sep is for CSV output, not a table on screen; add --format csv"),
        (("--out", tmp_path / "log.txt"), "cannot tell the format from '.txt'"),
    ]:
        result = cli("log", *args, "--db", db)
        assert result.exit_code == 1, args
        assert result.stderr.startswith("coder: error: ") and message in result.stderr
        assert result.stderr.count("\n") == 1
    assert not (tmp_path / "log.txt").exists()


def test_no_events_is_said_on_stderr(cli, db):
    result = cli("log", "--db", db)
    assert result.exit_code == 0 and result.stdout == ""
    assert "No coding events." in result.stderr
    header = cli("log", "--format", "csv", "--db", db).stdout
    assert header == ",".join(COLUMNS) + "\n"
