"""`coder codebook update`: a codebook changes while coders work; codings follow renames,
merges and retirements as new events, and nothing is silently dropped. On both back ends."""

from __future__ import annotations

import copy

import pytest
import sqlalchemy as sa
import yaml

from coder.corpus.importer import import_documents
from coder.store import Store, queries
from coder.store import schema as t
from tests.conftest import CODEBOOK, CORPUS
from tests.demo_key import code_demo, segment_ids
from tests.invariants import check

ORIGINAL = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))


def question(data: dict, qid: str) -> dict:
    return next(q for q in data["questions"] if q["id"] == qid)


def write(tmp_path, data: dict, name: str = "v2.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def coded(backend_db):
    with Store.open(backend_db) as store:
        import_documents(store, [CORPUS])
        code_demo(store, "anna")
        ids = segment_ids(store)
        store.toggle_code(ids[("Kalmar", 0)], "arbetssatt", "overgripande-ambition", "bo")
    return backend_db


def counts(db: str, qid: str) -> dict[str, int]:
    with Store.open(db) as store:
        rows = queries.coded_rows(store, qid)
    out: dict[str, int] = {}
    for _case, _seg, code, _coder in rows:
        out[code] = out.get(code, 0) + 1
    return out


def events(db: str) -> int:
    with Store.open(db) as store, store.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(t.coding_events)).scalar_one()


def test_added_and_renamed_codes_keep_codings(cli, coded, tmp_path):
    data = copy.deepcopy(ORIGINAL)
    codes = question(data, "arbetssatt")["codes"]
    codes[0]["label"] = "Strategiskt ramverk (lärandeplan)"
    codes.append({"id": "saknas", "label": "Beskrivning saknas"})
    before = counts(coded, "arbetssatt")
    result = cli("codebook", "update", write(tmp_path, data), "--db", coded)
    assert result.exit_code == 0, result.output
    assert "added    arbetssatt/saknas" in result.output
    assert "renamed  arbetssatt/strategiskt-ramverk" in result.output
    assert counts(coded, "arbetssatt") == before
    shown = cli("codebook", "show", "--db", coded).output
    assert "Strategiskt ramverk (lärandeplan)" in shown and "saknas: Beskrivning saknas" in shown
    again = cli("codebook", "update", write(tmp_path, data), "--db", coded)
    assert "already has this codebook version" in again.output


def test_merge_and_retire_are_new_events_never_deleted_history(cli, coded, tmp_path):
    data = copy.deepcopy(ORIGINAL)
    arbetssatt = question(data, "arbetssatt")
    arbetssatt["codes"] = [c for c in arbetssatt["codes"] if c["id"] == "strategiskt-ramverk"] + [
        {"id": "ambition-eller-ansats", "label": "Ambition eller löpande ansats"}
    ]
    insatser = question(data, "insatser")
    insatser["codes"] = [c for c in insatser["codes"] if c["id"] != "konferenser"]
    data["changes"] = [
        {
            "question": "arbetssatt",
            "merge": "overgripande-ambition, generell-ansats -> ambition-eller-ansats",
        },
        {"question": "insatser", "retire": "konferenser"},
    ]
    before = counts(coded, "arbetssatt")
    konferenser = counts(coded, "insatser")["konferenser"]
    n_events = events(coded)
    result = cli("codebook", "update", write(tmp_path, data), "--db", coded)
    assert result.exit_code == 0, result.output
    after = counts(coded, "arbetssatt")
    moved = before["overgripande-ambition"] + before["generell-ansats"]
    assert after == {
        "strategiskt-ramverk": before["strategiskt-ramverk"],
        "ambition-eller-ansats": moved,
    }
    assert f"{moved} codings moved" in result.output
    assert "konferenser" not in counts(coded, "insatser")
    assert f"{konferenser} codings removed" in result.output
    # the old events are all still there, with the new ones after them
    assert events(coded) == n_events + 2 * moved + konferenser
    check(coded)
    tally = cli("tally", "--question", "arbetssatt", "--format", "csv", "--db", coded).output
    assert "ambition-eller-ansats" in tally and "generell-ansats" not in tally


def test_a_code_that_vanishes_undeclared_stops_the_update(cli, coded, tmp_path):
    data = copy.deepcopy(ORIGINAL)
    arbetssatt = question(data, "arbetssatt")
    arbetssatt["codes"] = [c for c in arbetssatt["codes"] if c["id"] != "generell-ansats"]
    with Store.open(coded) as store:
        version = store.codebook_version()
    result = cli("codebook", "update", write(tmp_path, data), "--db", coded)
    assert result.exit_code == 1
    line = result.output.strip()
    assert "\n" not in line
    assert "code 'generell-ansats' of question 'arbetssatt' is gone" in line
    assert "retire: generell-ansats" in line and "nothing was changed" in line
    with Store.open(coded) as store:
        assert store.codebook_version() == version


def test_a_question_turning_single_with_several_codes_stops(cli, coded, tmp_path):
    data = copy.deepcopy(ORIGINAL)
    question(data, "insatser")["mode"] = "single"
    result = cli("codebook", "update", write(tmp_path, data), "--db", coded)
    assert result.exit_code == 1 and "becomes single" in result.output


def test_changes_are_validated_when_the_codebook_loads(cli, tmp_path):
    data = copy.deepcopy(ORIGINAL)
    data["changes"] = [{"question": "arbetssatt", "retire": "generell-ansats"}]
    result = cli("codebook", "check", write(tmp_path, data))
    assert result.exit_code == 1
    assert "changes[0].retire: 'generell-ansats' is retired but still a code" in result.output


def test_models_of_the_older_version_are_stale(cli, coded, tmp_path):
    assert cli("train", "--question", "insatser", "--folds", "2", "--db", coded).exit_code == 0
    data = copy.deepcopy(ORIGINAL)
    insatser = question(data, "insatser")
    insatser["codes"] = [c for c in insatser["codes"] if c["id"] != "konferenser"]
    data["changes"] = [{"question": "insatser", "retire": "konferenser"}]
    result = cli("codebook", "update", write(tmp_path, data), "--db", coded)
    assert "1 suggester models were trained on an older version" in result.output
    assert "STALE" in cli("status", "--db", coded).output
    refused = cli("suggest", "--question", "insatser", "--db", coded)
    assert refused.exit_code == 1 and "run `coder train --question insatser`" in refused.output
