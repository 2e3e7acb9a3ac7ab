"""The answer "not applicable" (``n/a``) per question (issue 11): stored as a coding of its
own, exclusive of codes, imported from sheets, exported, never counted in a tally, carried
through REFI-QDA, merge, codebook updates, agreement and backups; and refused as a code."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import openpyxl
import pytest
import sqlalchemy as sa
import yaml

from coder.corpus.importer import import_documents
from coder.errors import CodebookError, StoreError
from coder.model.codebook import NOT_APPLICABLE, load_codebook
from coder.reports.agreement import agreement
from coder.reports.formats import footnotes
from coder.reports.tally import tally
from coder.store import Store, queries
from coder.store import schema as t
from coder.store.codings import ACCEPTED
from tests.conftest import CODEBOOK, CORPUS, SHARED
from tests.demo_key import segment_ids
from tests.test_tally import add_case

NA = NOT_APPLICABLE
SR, OA, GA = "strategiskt-ramverk", "overgripande-ambition", "generell-ansats"


@pytest.fixture
def db(backend_db: str) -> str:
    """These tests run on SQLite and on PostgreSQL (see conftest)."""
    return backend_db


@pytest.fixture
def demo(store):
    import_documents(store, [CORPUS])
    return segment_ids(store)


# -- the store -----------------------------------------------------------------------------------


def test_na_replaces_codes_and_codes_replace_na_in_a_multi_question(store, demo):
    seg = demo[("Kalmar", 1)]
    store.toggle_code(seg, "insatser", "konferenser", "anna")
    store.toggle_code(seg, "insatser", "lansgemensamma", "anna")
    store.toggle_code(seg, "insatser", NA, "anna")
    assert store.codes_of(seg, "insatser", "anna") == {NA}
    store.toggle_code(seg, "insatser", "konferenser", "anna")
    assert store.codes_of(seg, "insatser", "anna") == {"konferenser"}
    store.undo("anna")  # one action: konferenser off, n/a back
    assert store.codes_of(seg, "insatser", "anna") == {NA}
    store.undo("anna")  # the n/a action: both codes back, exactly
    assert store.codes_of(seg, "insatser", "anna") == {"konferenser", "lansgemensamma"}
    # another coder's codes are untouched
    store.toggle_code(seg, "insatser", "konferenser", "bo")
    store.toggle_code(seg, "insatser", NA, "anna")
    assert store.codes_of(seg, "insatser", "bo") == {"konferenser"}
    with store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.codings)).scalar_one() == 2
    assert store.rebuild_current_codings() == 2


def test_na_in_a_single_question_and_toggled_off(store, demo):
    seg = demo[("Kalmar", 0)]
    store.toggle_code(seg, "arbetssatt", GA, "anna")
    store.toggle_code(seg, "arbetssatt", NA, "anna")
    assert store.codes_of(seg, "arbetssatt", "anna") == {NA}
    store.toggle_code(seg, "arbetssatt", NA, "anna")  # toggled off: nothing
    assert store.codes_of(seg, "arbetssatt", "anna") == set()
    store.toggle_code(seg, "arbetssatt", NA, "anna", origin=ACCEPTED, model_id="m1", score=0.8)
    store.toggle_code(seg, "arbetssatt", SR, "anna")
    assert store.codes_of(seg, "arbetssatt", "anna") == {SR}
    with pytest.raises(KeyError):
        store.toggle_code(seg, "arbetssatt", "N/A", "anna")  # the stored answer is exactly n/a


def test_set_codes_with_na(store, demo):
    seg = demo[("Skåne", 1)]
    store.set_codes(seg, "insatser", ["konferenser", "lansgemensamma"], "anna")
    store.set_codes(seg, "insatser", [NA], "anna")
    assert store.codes_of(seg, "insatser", "anna") == {NA}
    store.undo("anna")
    assert store.codes_of(seg, "insatser", "anna") == {"konferenser", "lansgemensamma"}
    with pytest.raises(StoreError, match="cannot be combined"):
        store.set_codes(seg, "insatser", [NA, "konferenser"], "anna")
    assert store.codes_of(seg, "insatser", "anna") == {"konferenser", "lansgemensamma"}


def test_na_counts_as_coded_in_status(store, demo):
    store.toggle_code(demo[("Kalmar", 0)], "arbetssatt", NA, "anna")
    store.toggle_code(demo[("Skåne", 0)], "arbetssatt", SR, "anna")
    share = {q.id: q.coded_segments for q in queries.status(store).questions}
    assert share["arbetssatt"] == 2
    assert queries.coded_segment_ids(store, "arbetssatt", "anna") == {
        demo[("Kalmar", 0)],
        demo[("Skåne", 0)],
    }


# -- table import ---------------------------------------------------------------------------------


def write_sheet(path, rows):
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "region", "text", "ansats"])
        writer.writerows(rows)
    return path


def test_na_cells_in_any_case_import_as_na(cli, db, tmp_path):
    sheet = write_sheet(
        tmp_path / "sheet.csv",
        [
            ["r1", "Kalmar", "Text ett.", "n/a"],
            ["r2", "Kalmar", "Text två.", " N/A "],
            ["r3", "Skåne", "Text tre.", "Generell ansats"],
            ["r4", "Skåne", "Text fyra.", ""],
        ],
    )
    args = ["--text-column", "text", "--id-column", "id", "--case-column", "region"]
    args += ["--code-column", "ansats", "--question", "arbetssatt", "--coder", "anna"]
    result = cli("import", sheet, *args, "--db", db)
    assert result.exit_code == 0, result.output
    with Store.open(db) as store:
        got = sorted((r["external_id"], r["code"]) for r in queries.iter_codings(store))
        assert got == [("r1", NA), ("r2", NA), ("r3", GA)]
        share = {q.id: q.coded_segments for q in queries.status(store).questions}
        assert share["arbetssatt"] == 3


def test_na_combined_with_a_code_is_refused_whole(cli, db, tmp_path):
    with Store.open(db) as store:
        multi = store.codebook().question("insatser").mode
    assert multi == "multi"
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("id,text,insatser\nr1,Ett.,konferenser\nr2,Två.,n/a; konferenser\n")
    result = cli(
        "import",
        sheet,
        "--text-column",
        "text",
        "--id-column",
        "id",
        "--code-column",
        "insatser",
        "--question",
        "insatser",
        "--db",
        db,
    )
    assert result.exit_code == 1
    assert "row 3" in result.stderr and "cannot be combined with codes" in result.stderr
    assert "nothing was imported" in result.stderr
    with Store.open(db) as store:
        assert list(queries.iter_codings(store)) == []


# -- exports ----------------------------------------------------------------------------------


def test_codings_export_has_na_and_the_model_and_score_of_accepted_suggestions(cli, db, tmp_path):
    with Store.open(db) as store:
        import_documents(store, [CORPUS])
        ids = segment_ids(store)
        store.toggle_code(ids[("Blekinge", 0)], "arbetssatt", NA, "anna")
        store.toggle_code(
            ids[("Dalarna", 0)],
            "arbetssatt",
            OA,
            "anna",
            origin=ACCEPTED,
            model_id="m7",
            score=0.75,
        )
    result = cli("export", "--what", "codings", "--format", "csv", "--db", db)
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0]
    assert header == "segment_id,external_id,case,question,code,coder,origin,time,model,score"
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    got = [(r["case"], r["code"], r["origin"], r["model"], r["score"]) for r in rows]
    assert got == [
        ("Blekinge", NA, "human", "", ""),
        ("Dalarna", OA, "accepted-suggestion", "m7", "0.75"),
    ]
    out = tmp_path / "codings.jsonl"
    result = cli("export", "--what", "codings", "--format", "jsonl", "--out", out, "--db", db)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert list(records[1])[-2:] == ["model", "score"]
    assert (records[1]["model"], records[1]["score"]) == ("m7", 0.75)
    assert records[0]["code"] == NA and records[0]["score"] is None


def test_suggestions_export_has_na_rows(cli, db):
    with Store.open(db) as store:
        import_documents(store, [CORPUS])
        seg = segment_ids(store)[("Blekinge", 0)]
        store.replace_suggestions("arbetssatt", [(seg, NA, 0.6, 1), (seg, SR, 0.3, 2)], "m1")
    result = cli("export", "--what", "suggestions", "--format", "csv", "--db", db)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["code"], r["score"], r["rank"]) for r in rows] == [
        (NA, "0.6", "1"),
        (SR, "0.3", "2"),
    ]


# -- tally ----------------------------------------------------------------------------------------


@pytest.fixture
def regions(store):
    """Four cases with two passages each."""
    return store, {name: add_case(store, name, 2) for name in ("Kalmar", "Skåne", "Umeå", "Visby")}


def rows_of(result):
    return {r.code: (r.cases, r.suggested_cases) for r in result.rows}


def test_single_question_counts_only_the_top_suggestion(regions):
    store, seg = regions
    store.replace_suggestions(
        "arbetssatt",
        [
            (seg["Kalmar"][0], SR, 0.5, 1),
            (seg["Kalmar"][0], OA, 0.4, 2),  # above the score but not the top: not counted
            (seg["Skåne"][0], GA, 0.36, 1),
            (seg["Skåne"][0], SR, 0.35, 2),
            (seg["Umeå"][0], NA, 0.5, 1),  # judged not applicable
            (seg["Umeå"][0], OA, 0.45, 2),  # not counted either
            (seg["Visby"][0], SR, 0.2, 1),  # below the score
        ],
        "m1",
    )
    (result,) = tally(store, "arbetssatt", include_suggestions=0.35)
    assert rows_of(result) == {SR: (1, 1), OA: (0, 0), GA: (1, 1)}
    assert (result.not_applicable, result.not_applicable_suggested) == (1, 1)


def test_multi_question_counts_codes_above_the_score_but_never_na(regions):
    store, seg = regions
    store.replace_suggestions(
        "insatser",
        [
            (seg["Kalmar"][0], "konferenser", 0.8, 1),
            (seg["Kalmar"][0], NA, 0.5, 2),  # not the top: the codes above the score count
            (seg["Kalmar"][0], "lansgemensamma", 0.4, 3),
            (seg["Skåne"][0], NA, 0.9, 1),  # top n/a: the passage is not counted at all
            (seg["Skåne"][0], "konferenser", 0.6, 2),
        ],
        "m1",
    )
    (result,) = tally(store, "insatser", include_suggestions=0.35)
    rows = rows_of(result)
    assert rows["konferenser"] == (1, 1) and rows["lansgemensamma"] == (1, 1)
    assert result.not_applicable == 1


def test_human_na_is_never_counted_and_overrides_suggestions(regions):
    store, seg = regions
    store.toggle_code(seg["Kalmar"][0], "arbetssatt", NA, "anna")
    store.toggle_code(seg["Kalmar"][1], "arbetssatt", NA, "anna")
    store.toggle_code(seg["Skåne"][0], "arbetssatt", SR, "anna")
    store.replace_suggestions("arbetssatt", [(seg["Kalmar"][0], OA, 0.9, 1)], "m1")
    (plain,) = tally(store, "arbetssatt")
    assert rows_of(plain) == {SR: (1, 0), OA: (0, 0), GA: (0, 0)}
    assert (plain.not_applicable, plain.not_applicable_suggested) == (2, 0)
    (mixed,) = tally(store, "arbetssatt", include_suggestions=0.5)
    assert rows_of(mixed)[OA] == (0, 0)  # a human said n/a there
    assert mixed.not_applicable == 2


def test_the_footnote_counts_not_applicable_passages_in_swedish_and_english(cli, db, tmp_path):
    with Store.open(db) as store:
        seg = {name: add_case(store, name, 2) for name in ("Kalmar", "Skåne")}
        store.toggle_code(seg["Kalmar"][0], "arbetssatt", NA, "anna")
        store.toggle_code(seg["Kalmar"][1], "arbetssatt", NA, "anna")
        store.replace_suggestions("arbetssatt", [(seg["Skåne"][0], NA, 0.9, 1)], "m1")
    md = cli("tally", "--question", "arbetssatt", "--format", "md", "--db", db).stdout
    assert "2 passager bedömdes inte tillämpliga (n/a) och räknas inte." in md
    md = cli(
        "tally",
        "--question",
        "arbetssatt",
        "--format",
        "md",
        "--include-suggestions",
        "0.5",
        "--db",
        db,
    ).stdout
    assert (
        "3 passager bedömdes inte tillämpliga (n/a) och räknas inte (1 enligt modellförslag)." in md
    )
    terminal = cli("tally", "--question", "arbetssatt", "--db", db).stdout
    assert "2 passager bedömdes inte tillämpliga (n/a)" in terminal
    out = tmp_path / "tally.xlsx"
    assert cli("tally", "--question", "arbetssatt", "--out", out, "--db", db).exit_code == 0
    cells = [c.value for row in openpyxl.load_workbook(out)["arbetssatt"].iter_rows() for c in row]
    assert "2 passager bedömdes inte tillämpliga (n/a) och räknas inte." in cells
    # no n/a, no footnote
    plain = cli("tally", "--question", "insatser", "--format", "md", "--db", db).stdout
    assert "n/a" not in plain


def test_the_footnote_in_english(tmp_path):
    data = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    data["language"] = "en"
    path = tmp_path / "en.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    db = str(tmp_path / "en.db")
    with Store.create(db, load_codebook(path)) as store:
        (seg,) = add_case(store, "Kent", 1)
        store.toggle_code(seg, "arbetssatt", NA, "anna")
        (result,) = tally(store, "arbetssatt")
        assert footnotes(result)[-1] == (
            "1 passage was judged not applicable (n/a) and is not counted."
        )


# -- codebooks ----------------------------------------------------------------------------------


BOOK = """\
id: demo
title: Demo
language: sv
questions:
  - id: q1
    title: Hur bedrivs arbetet?
    mode: single
    codes:
      - id: a
        label: Strategiskt ramverk
      - id: b
        label: Generell ansats
"""


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("label: Generell ansats", "label: N/A", ["cb.yaml:12:", "codes[1].label", "reserved"]),
        ("id: b\n", "id: n/A\n", ["cb.yaml:11:", "codes[1].id", "reserved"]),
        (
            "label: Generell ansats",
            "label: Generell ansats\n        hotkey: 0",
            ["cb.yaml:13:", "codes[1].hotkey", "'0' is reserved", "not applicable"],
        ),
        (
            "label: Generell ansats",
            "label: Generell ansats\nchanges:\n  - question: q1\n    retire: n/a",
            ["cb.yaml:15:", "changes[0].retire", "n/a"],
        ),
    ],
)
def test_a_code_named_na_or_on_key_0_is_refused(cli, tmp_path, old, new, where):
    path = tmp_path / "cb.yaml"
    path.write_text(BOOK.replace(old, new), encoding="utf-8")
    with pytest.raises(CodebookError) as raised:
        load_codebook(path)
    message = str(raised.value)
    assert "\n" not in message
    for part in where:
        assert part in message
    result = cli("codebook", "check", path)
    assert result.exit_code == 1
    assert where[1] in result.stderr and "Traceback" not in result.output


def test_a_label_that_only_contains_na_is_fine(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text(BOOK.replace("label: Generell ansats", "label: n/a-liknande"), "utf-8")
    assert load_codebook(path).questions[0].codes[1].label == "n/a-liknande"


# -- REFI-QDA ------------------------------------------------------------------------------------


def test_na_round_trips_through_qdpx_as_a_note(cli, tmp_path):
    db = str(tmp_path / "p.db")
    assert cli("init", "--codebook", CODEBOOK, "--db", db).exit_code == 0
    with Store.open(db) as store:
        import_documents(store, [CORPUS])
        ids = segment_ids(store)
        store.toggle_code(ids[("Kalmar", 0)], "arbetssatt", NA, "anna")
        store.toggle_code(ids[("Kalmar", 0)], "arbetssatt", GA, "bo")
        store.toggle_code(ids[("Kalmar", 1)], "insatser", NA, "bo")
        store.add_memo(ids[("Kalmar", 0)], "anna", "Handlar om annat.")
        before = sorted(
            (r["case"], r["question"], r["code"], r["coder"], r["time"])
            for r in queries.iter_codings(store)
        )
    out = tmp_path / "p.qdpx"
    result = cli("export", "--format", "qdpx", "--out", out, "--db", db)
    assert result.exit_code == 0, result.output
    assert "left out" not in result.output
    qde = zipfile.ZipFile(out).read("project.qde").decode("utf-8")
    assert qde.count("<PlainTextContent>n/a</PlainTextContent>") == 2
    assert "Handlar om annat." in qde
    xsd = SHARED / "refi-qda" / "Project-mrt2019.xsd"
    if xsd.is_file():
        xmlschema = pytest.importorskip("xmlschema")
        xmlschema.XMLSchema(str(xsd)).validate(qde)
    back = str(tmp_path / "back.db")
    result = cli("import-project", out, "--db", back)
    assert result.exit_code == 0, result.output
    assert "Left out" not in result.output
    with Store.open(back) as store:
        after = sorted(
            (r["case"], r["question"], r["code"], r["coder"], r["time"])
            for r in queries.iter_codings(store)
        )
        ids = segment_ids(store)
        assert queries.latest_memo(store, ids[("Kalmar", 0)], "anna") == "Handlar om annat."
        assert queries.latest_memo(store, ids[("Kalmar", 1)], "bo") is None  # not a memo
    assert after == before


# -- merge, codebook update ---------------------------------------------------------------


def test_merge_brings_na_codings(cli, tmp_path):
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    for path in (a, b):
        assert cli("init", "--codebook", CODEBOOK, "--db", path).exit_code == 0
        assert cli("import", CORPUS, "--db", path).exit_code == 0
    with Store.open(b) as store:
        ids = segment_ids(store)
        store.toggle_code(ids[("Kalmar", 0)], "arbetssatt", NA, "bo")
        store.toggle_code(ids[("Kalmar", 1)], "insatser", "konferenser", "bo")
    result = cli("merge", b, "--db", a)
    assert result.exit_code == 0, result.output
    with Store.open(a) as store:
        ids = segment_ids(store)
        assert store.codes_of(ids[("Kalmar", 0)], "arbetssatt", "bo") == {NA}
        assert store.codes_of(ids[("Kalmar", 1)], "insatser", "bo") == {"konferenser"}


def test_codebook_update_keeps_na_codings_and_na_suggestions(cli, db, tmp_path):
    with Store.open(db) as store:
        import_documents(store, [CORPUS])
        ids = segment_ids(store)
        store.toggle_code(ids[("Kalmar", 0)], "arbetssatt", NA, "anna")
        store.replace_suggestions(
            "arbetssatt", [(ids[("Skåne", 0)], NA, 0.7, 1), (ids[("Skåne", 0)], SR, 0.2, 2)], "m"
        )
    data = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    codes = next(q for q in data["questions"] if q["id"] == "arbetssatt")["codes"]
    codes.append({"id": "saknas", "label": "Beskrivning saknas"})
    path = tmp_path / "v2.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = cli("codebook", "update", path, "--db", db)
    assert result.exit_code == 0, result.output
    with Store.open(db) as store:
        assert store.codes_of(ids[("Kalmar", 0)], "arbetssatt", "anna") == {NA}
        assert [s[0] for s in queries.suggestions_for(store, ids[("Skåne", 0)], "arbetssatt")] == [
            NA,
            SR,
        ]


# -- agreement ----------------------------------------------------------------------------------


def test_na_is_an_answer_in_overall_agreement(store, demo):
    first, second = demo[("Kalmar", 0)], demo[("Skåne", 0)]
    for seg in (first, second):
        store.toggle_code(seg, "arbetssatt", SR, "anna")
    store.toggle_code(first, "arbetssatt", SR, "bo")
    store.toggle_code(second, "arbetssatt", NA, "bo")  # disagrees with anna's SR
    result = agreement(store, "arbetssatt")
    assert result.units == 2
    assert result.overall.percent_agreement == pytest.approx(0.5)
    assert set(result.codes) == {SR, OA, GA}  # per-code rows stay the codebook's codes
    assert result.codes[SR].percent_agreement == pytest.approx(0.5)
    store.toggle_code(second, "arbetssatt", NA, "anna")  # now both say n/a there
    assert agreement(store, "arbetssatt").overall.percent_agreement == pytest.approx(1.0)


# -- backup -------------------------------------------------------------------------------------


def test_backup_and_restore_keep_embeddings_and_evidence(cli, backend_db, tmp_path):
    with Store.open(backend_db) as store:
        import_documents(store, [CORPUS])
        seg = segment_ids(store)[("Kalmar", 0)]
        store.replace_suggestions("arbetssatt", [(seg, NA, 0.6, 1, "inte;relevant")], "m1")
        with store.write() as conn:
            conn.execute(
                t.segment_embeddings.insert().values(
                    segment_id=seg, encoder="e5", vector=b"\x01\x02"
                )
            )
    out = tmp_path / "backup.db"
    assert cli("backup", "--out", out, "--db", backend_db).exit_code == 0
    restored = str(tmp_path / "restored.db")
    result = cli("restore", out, "--db", restored)
    assert result.exit_code == 0, result.output
    with Store.open(restored) as store, store.read() as conn:
        assert queries.suggestions_for(store, seg, "arbetssatt") == [
            (NA, 0.6, "m1", "inte;relevant")
        ]
        vectors = conn.execute(sa.select(t.segment_embeddings)).all()
        assert [(v.segment_id, v.encoder, bytes(v.vector)) for v in vectors] == [
            (seg, "e5", b"\x01\x02")
        ]


def test_a_code_named_na_by_another_program_is_kept_as_a_code(cli, tmp_path):
    qdc = tmp_path / "other.qdc"
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code guid="11111111-1111-1111-1111-111111111111" name="Economy" isCodable="true"/>'
        '<Code guid="22222222-2222-2222-2222-222222222222" name="N/A" isCodable="true"/>'
        "</Codes></CodeBook>\n",
        encoding="utf-8",
    )
    out = tmp_path / "other.yaml"
    result = cli("codebook", "import", qdc, "--out", out)
    assert result.exit_code == 0, result.output
    (question,) = load_codebook(out).questions
    assert [(c.id, c.label) for c in question.codes] == [
        ("economy", "Economy"),
        ("n-a", "N/A (code)"),
    ]
