"""The suggester: grouped evaluation, calibrated scores, persistence, cold start, batch suggest."""

from __future__ import annotations

import csv
import json
import random

import numpy as np
import pytest
import sqlalchemy as sa

from coder.model.codebook import parse_codebook
from coder.store import NewDocument, Span, Store, queries
from coder.store import schema as t
from coder.suggest import artifact
from coder.suggest.evaluate import grouped_folds
from coder.suggest.question_model import cold_start_scores, fit_question_model
from coder.suggest.service import load_model, suggest, train, training_set
from tests.conftest import CORPUS, SHARED
from tests.demo_key import code_demo

CODEBOOK = """\
id: synth
title: Synthetic
language: sv
questions:
  - id: typ
    title: Vad handlar det om?
    mode: single
    codes:
      - {id: plan, label: Plan, definition: Arbetet utgår från en lärandeplan och ett ramverk}
      - {id: analys, label: Analys, definition: En analys eller utredning av näringslivet}
      - {id: seminarium, label: Seminarium, definition: Konferens eller spridningsseminarium}
  - id: teman
    title: Teman
    mode: multi
    codes:
      - {id: plan, label: Plan}
      - {id: analys, label: Analys}
      - {id: seminarium, label: Seminarium}
"""
WORDS = {
    "plan": "lärandeplanen ramverket uppföljningsplanen styr arbetet",
    "analys": "analysen utredningen kartläggningen av näringslivet",
    "seminarium": "seminariet konferensen spridningen av resultat",
}
FILLER = [
    "regionen",
    "har",
    "under",
    "året",
    "arbetat",
    "vidare",
    "med",
    "detta",
    "tillsammans",
    "med",
    "kommunerna",
]


def passage(rng: random.Random, codes: list[str]) -> str:
    words = [w for code in codes for w in rng.sample(WORDS[code].split(), 3)]
    words += rng.sample(FILLER, 5)
    rng.shuffle(words)
    return " ".join(words).capitalize() + "."


@pytest.fixture
def synth(tmp_path):
    """12 cases x 10 passages; single and multi codings by coder 'anna'."""
    rng = random.Random(1)
    db = str(tmp_path / "synth.db")
    store = Store.create(db, parse_codebook(CODEBOOK))
    codes = list(WORDS)
    plan: list[tuple[int, str, list[str]]] = []
    with store.batch() as batch:
        for c in range(12):
            case_id = batch.case(f"Fall {c:02d}")
            spans, pos = [], 0
            for p in range(10):
                main = codes[(c + p) % 3]
                extra = [codes[(c + p + 1) % 3]] if p % 3 == 0 else []
                text = passage(rng, [main, *extra])
                spans.append(Span(pos, pos + len(text), text))
                plan.append((c, main, [main, *extra]))
                pos += len(text) + 2
            body = "\n\n".join(s.text for s in spans)
            batch.add_documents([NewDocument(case_id, f"f{c}.txt", "txt", body, str(c), spans)])
    with store.read() as conn:
        seg_ids = list(conn.execute(sa.select(t.segments.c.id).order_by(t.segments.c.id)).scalars())
    for seg, (_, main, multi) in zip(seg_ids, plan, strict=True):
        store.toggle_code(seg, "typ", main, "anna")
        for code in multi:
            store.toggle_code(seg, "teman", code, "anna")
    yield store
    store.close()


def test_grouped_folds_never_put_a_case_on_both_sides():
    groups = [f"case{i % 7}" for i in range(70)]
    for train_idx, test_idx in grouped_folds(groups, 5):
        assert not {groups[i] for i in train_idx} & {groups[i] for i in test_idx}


def test_single_mode_probabilities_sum_to_one_and_learn(synth):
    question = synth.codebook().question("typ")
    data = training_set(synth, question)
    model = fit_question_model(question, data.texts, data.labels, language="sv", groups=data.cases)
    scores = model.scores(["Lärandeplanen och ramverket styr arbetet.", "Konferensen om resultat."])
    assert np.allclose(scores.sum(axis=1), 1.0)
    assert [model.codes[i] for i in model.rank(scores)[:, 0]] == ["plan", "seminarium"]
    assert model.calibrated  # 120 passages: calibrated on held-out cases' scores
    rows, _ = model.classifier.held_out_
    assert len(rows) == 120  # every coded passage held out once (5 grouped folds)


def test_multi_mode_has_a_threshold_per_code(synth):
    question = synth.codebook().question("teman")
    data = training_set(synth, question)
    model = fit_question_model(question, data.texts, data.labels, language="sv", groups=data.cases)
    thresholds = model.thresholds()
    assert thresholds.shape == (3,)
    assert ((thresholds > 0) & (thresholds < 1)).all()
    scores = model.scores(["Analysen av näringslivet och seminariet om spridningen av resultat."])
    chosen = {model.codes[j] for j in np.flatnonzero(scores[0] >= thresholds)}
    assert chosen == {"analys", "seminarium"}


def test_model_round_trips_and_foreign_models_are_refused(synth, tmp_path):
    train(synth, "typ", evaluate=False)
    model, model_id, stale = load_model(synth, synth.codebook().question("typ"))
    assert model_id.startswith("typ-") and not stale
    row = synth.latest_model("typ")
    again = artifact.loads(row.blob, key=synth.model_key(), mac=row.mac)
    texts = ["Utredningen av näringslivet.", "Ramverket styr."]
    assert np.allclose(model.scores(texts), again.scores(texts))
    with pytest.raises(artifact.ForeignModelError):
        artifact.loads(row.blob, key=b"another project's key", mac=row.mac)
    tampered = bytearray(row.blob)
    tampered[-10] ^= 0xFF
    with pytest.raises(artifact.ForeignModelError):
        artifact.loads(bytes(tampered), key=synth.model_key(), mac=row.mac)
    # a model row written by someone without the project's key is refused on use
    with synth.write() as conn:
        conn.execute(t.models.update().where(t.models.c.id == row.id).values(mac="0" * 64))
    with pytest.raises(artifact.ForeignModelError):
        load_model(synth, synth.codebook().question("typ"))


def test_cold_start_ranks_the_code_whose_definition_matches():
    scores = cold_start_scores(
        ["Arbetet utgår från regionens lärandeplan.", "Vi ordnade en konferens om resultaten."],
        [
            "Arbetet utgår från en lärandeplan och ett ramverk",
            "En analys eller utredning av näringslivet",
            "Konferens eller spridningsseminarium",
        ],
    )
    assert list(scores.argmax(axis=1)) == [0, 2]
    assert np.allclose(scores.sum(axis=1), 1.0)


def test_suggest_writes_exactly_top_k_per_passage(synth):
    train(synth, evaluate=False)
    done = suggest(synth, top=2)
    assert set(done) == {"typ", "teman"}
    rows = list(queries.iter_suggestions(synth))
    per = {}
    for r in rows:
        per.setdefault((r["segment_id"], r["question"]), []).append(r["rank"])
    assert len(per) == 120 * 2
    assert all(sorted(ranks) == [1, 2] for ranks in per.values())
    assert all(0.0 <= r["score"] <= 1.0 for r in rows)


def test_suggest_without_a_model_uses_cold_start_and_says_so(cli, db):
    cli("import", CORPUS, "--db", db)
    result = cli("suggest", "--question", "arbetssatt", "--top", "1", "--db", db)
    assert result.exit_code == 0, result.output
    assert "cold-start" in result.stdout
    exported = cli("export", "--what", "suggestions", "--db", db).stdout.splitlines()
    assert exported[0] == "segment_id,external_id,case,question,code,score,rank,evidence,model"
    assert len(exported) == 1 + 57


def test_train_evaluate_suggest_on_the_demo_project(cli, db):
    cli("import", CORPUS, "--db", db)
    with Store.open(db) as store:
        code_demo(store)
    result = cli("train", "--question", "arbetssatt", "--db", db)
    assert result.exit_code == 0, result.output
    assert "14 passages" in result.stdout and "grouped" in result.stdout
    result = cli(
        "evaluate", "--question", "arbetssatt", "--format", "json", "--folds", "3", "--db", db
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["folds"] == 3 and report["cases"] == 14
    assert set(report["at_threshold"]) == {"0.5", "0.7", "0.9"}
    assert set(report["per_code"]) == {
        "strategiskt-ramverk",
        "overgripande-ambition",
        "generell-ansats",
    }
    for key in ("accuracy", "macro_f1", "top3_accuracy"):
        assert 0.0 <= report[key] <= 1.0
    md = cli("evaluate", "--question", "arbetssatt", "--db", db).stdout
    assert "| accuracy | macro-F1 | top-3 accuracy |" in md
    assert cli("suggest", "--question", "arbetssatt", "--db", db).exit_code == 0
    live = cli("evaluate", "--live", "--question", "arbetssatt", "--format", "json", "--db", db)
    data = json.loads(live.stdout)
    assert data["reviewed"] == 14
    assert data["top_suggestion_kept"] + data["top_suggestion_changed"] == 14
    assert set(data["codes"]["generell-ansats"]) == {"kappa", "human", "model", "agree"}


def test_evaluate_needs_codings_from_two_cases(cli, db):
    cli("import", CORPUS, "--db", db)
    result = cli("evaluate", "--question", "arbetssatt", "--db", db)
    assert result.exit_code == 1
    assert "coded passages" in result.stderr


# -- the fast paths give what the slow ones give ---------------------------------------------
EDGE_TEXTS = [
    "",
    "   \n\t ",
    "Regionen  följer upp   arbetet, med LÄRANDEPLANEN!",
    "Med MED med, och (också) 2024-05-01: e-post/webb.",
    "Ånge, Älvsbyn och Östersund; ÅÄÖ åäö.",
    "ord\n\nord\tord",
    "U.S.A. och t.ex. bl.a. m.m.",
]


def reference_normalise(nlp, table, texts: list[str]) -> list[str]:
    """Token by token over whole documents: what the normaliser must equal."""
    out = []
    for doc in nlp.pipe(texts):
        words = []
        for tok in doc:
            if tok.is_space or tok.is_punct:
                continue
            lower = tok.lower_
            if tok.is_stop or table is None:
                words.append(lower)
            else:
                words.append(str(table.get(lower, table.get(tok.text, lower))).lower())
        out.append(" ".join(words))
    return out


def corpus_texts() -> list[str]:
    return [p.read_text("utf-8") for p in sorted(CORPUS.glob("*.md"))]


@pytest.mark.parametrize("language", ["sv", "da", "en", "xx"])
def test_normaliser_equals_token_by_token_spacy(language):
    from coder.suggest.features import _pipeline, normaliser

    nlp, table = _pipeline(language, None)
    texts = EDGE_TEXTS + corpus_texts()
    assert normaliser(language)(texts) == reference_normalise(nlp, table, texts)
    assert normaliser(language)(texts) == reference_normalise(nlp, table, texts)  # remembered


@pytest.fixture
def shared_dataset() -> list[dict]:
    """Up to 400 passages per language of the shared human-coded policy texts."""
    path = SHARED / "datasets" / "pimpo-cmp" / "data.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    rows, per = [], {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            lang = row.get("lang") or "xx"
            if per.get(lang, 0) < 400:
                per[lang] = per.get(lang, 0) + 1
                rows.append(row)
    return rows


def test_normaliser_equals_spacy_on_the_shared_multilingual_dataset(shared_dataset):
    from coder.suggest.features import _pipeline, normaliser

    by_language: dict[str, list[str]] = {}
    for row in shared_dataset:
        by_language.setdefault(row.get("lang") or "xx", []).append(row["text"])
    languages = {"dan": "da", "swe": "sv", "nor": "nb", "deu": "de", "eng": "en", "fin": "fi"}
    checked = 0
    for lang, texts in by_language.items():
        code = languages.get(lang)
        if code is None:
            continue
        nlp, table = _pipeline(code, None)
        sample = texts[:400]
        assert normaliser(code)(sample) == reference_normalise(nlp, table, sample), lang
        checked += 1
    assert checked


def test_fast_tfidf_transforms_equal_scikit_learn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from coder.suggest.features import normaliser
    from coder.suggest.ngrams import char_wb_transform, word_transform

    texts = corpus_texts()
    fit, test = texts[:10], texts[4:] + EDGE_TEXTS
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    char.fit(fit)
    assert np.allclose(char.transform(test).toarray(), char_wb_transform(char, test).toarray())
    lemmas = normaliser("sv")
    word = TfidfVectorizer(
        analyzer="word", token_pattern=r"\S+", ngram_range=(1, 2), lowercase=False
    ).fit(lemmas(fit))
    assert np.allclose(
        word.transform(lemmas(test)).toarray(), word_transform(word, lemmas(test)).toarray()
    )


def test_parallel_tokenising_gives_the_same_batches():
    from coder.suggest.features import normalise_batches, normaliser

    batches = [corpus_texts()[:5], EDGE_TEXTS, corpus_texts()[5:]]
    parallel = list(normalise_batches("sv", None, iter(batches), parallel=True))
    assert parallel == [normaliser("sv")(b) for b in batches]


def test_suggest_in_parallel_batches_stores_what_one_batch_stores(synth, monkeypatch):
    from coder.suggest import features

    train(synth, evaluate=False)
    suggest(synth, top=3)
    one = sorted(
        (r["segment_id"], r["question"], r["code"], r["rank"])
        for r in queries.iter_suggestions(synth)
    )
    monkeypatch.setattr(features, "PARALLEL_FROM", 1)
    suggest(synth, top=3, batch=7)
    many = list(queries.iter_suggestions(synth))
    assert sorted((r["segment_id"], r["question"], r["code"], r["rank"]) for r in many) == one


def test_a_failure_while_suggesting_leaves_each_passage_one_models_set(synth, monkeypatch):
    """Batches are committed one by one (no long write lock): after a failure part-way, the
    batches done carry the new model's suggestions, the rest keep the old ones, and no
    passage mixes the two."""
    from coder.suggest.question_model import QuestionModel

    train(synth, evaluate=False)
    suggest(synth, top=2)
    before = {
        (r["segment_id"], r["code"]): r
        for r in queries.iter_suggestions(synth)
        if r["question"] == "typ"
    }
    old_model = {r["model"] for r in before.values()}
    train(synth, "typ", evaluate=False)  # a new model
    calls = {"n": 0}
    real = QuestionModel.scores

    def failing(self: QuestionModel, texts: list[str], *args: object) -> np.ndarray:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("scoring failed")
        return real(self, texts, *args)

    monkeypatch.setattr(QuestionModel, "scores", failing)
    with pytest.raises(RuntimeError, match="scoring failed"):
        suggest(synth, question="typ", top=3, batch=10)
    after = [r for r in queries.iter_suggestions(synth) if r["question"] == "typ"]
    models_per_passage: dict = {}
    for r in after:
        models_per_passage.setdefault(r["segment_id"], set()).add(r["model"])
    assert all(len(m) == 1 for m in models_per_passage.values())
    new = {seg for seg, m in models_per_passage.items() if m.isdisjoint(old_model)}
    assert len(new) == 20  # two batches of 10 written before the third failed
    assert len(models_per_passage) == 120
    for r in after:  # the passages not reached keep exactly their old suggestions
        if r["segment_id"] not in new:
            assert before[(r["segment_id"], r["code"])] == r


def test_status_lists_models_and_marks_stale_ones(cli, db):
    cli("import", CORPUS, "--db", db)
    with Store.open(db) as store:
        code_demo(store)
    assert cli("train", "--question", "arbetssatt", "--folds", "2", "--db", db).exit_code == 0
    out = cli("status", "--db", db).stdout
    line = next(x for x in out.splitlines() if x.strip().startswith("arbetssatt") and "-" in x)
    assert "14 passages" in line and "STALE" not in line
    assert "insatser" in out and "no model" in out
    with Store.open(db) as store, store.write() as conn:  # as if the codebook changed since
        conn.execute(t.models.update().values(codebook_digest="0" * 12))
    out = cli("status", "--db", db).stdout
    assert "STALE" in out


# -- issue 11: suggestions an evaluator can trust ---------------------------------------------


def _suggestions(store: Store) -> list[dict]:
    return list(queries.iter_suggestions(store))


def test_rank_follows_score_in_every_stored_suggestion(synth):
    train(synth, evaluate=False)
    suggest(synth, top=3)
    rows = _suggestions(synth)
    per: dict = {}
    for r in rows:
        per.setdefault((r["segment_id"], r["question"]), []).append((r["rank"], r["score"]))
    assert per
    for ranked in per.values():
        scores = [score for _, score in sorted(ranked)]
        assert scores == sorted(scores, reverse=True)


def test_not_applicable_is_learnt_and_suggested_for_a_single_question(synth):
    """Passages about nothing the question asks get n/a from the coder; the model learns it
    as an outcome and suggests it for such passages, with its score and rank."""
    rng = random.Random(7)
    with synth.batch() as batch:
        for c in range(6):
            case_id = batch.case(f"Övrigt {c}")
            texts = [
                " ".join(
                    rng.sample(
                        [
                            "vädret",
                            "lunchen",
                            "parkeringen",
                            "fikat",
                            "semestern",
                            "kaffet",
                            "bussen",
                            "snön",
                        ],
                        5,
                    )
                ).capitalize()
                + "."
                for _ in range(6)
            ]
            spans, pos = [], 0
            for text in texts:
                spans.append(Span(pos, pos + len(text), text))
                pos += len(text) + 2
            batch.add_documents(
                [NewDocument(case_id, f"o{c}.txt", "txt", "\n\n".join(texts), f"o{c}", spans)]
            )
    with synth.read() as conn:
        other = list(
            conn.execute(
                sa.select(t.segments.c.id)
                .join(t.documents)
                .where(t.documents.c.name.like("o%.txt"))
                .order_by(t.segments.c.id)
            ).scalars()
        )
    for seg in other[:-6]:  # the last case stays uncoded
        synth.toggle_code(seg, "typ", "n/a", "anna")
    train(synth, "typ", evaluate=False)
    model, _, _ = load_model(synth, synth.codebook().question("typ"))
    assert model.codes[-1] == "n/a"
    suggest(synth, question="typ", top=2, only_uncoded=True)
    top = {
        r["segment_id"]: r["code"]
        for r in _suggestions(synth)
        if r["question"] == "typ" and r["rank"] == 1
    }
    assert [top[seg] for seg in other[-6:]] == ["n/a"] * 6
    exported = [r for r in _suggestions(synth) if r["code"] == "n/a"]
    assert all(0 < r["score"] <= 1 and r["rank"] == 1 for r in exported)


def test_evidence_is_verbatim_words_of_the_passage_that_raise_the_score(synth):
    train(synth, evaluate=False)
    suggest(synth, question="typ", top=3)
    texts = dict(
        (seg, text) for seg, text in queries.segments_to_score(synth, "typ", only_uncoded=False)
    )
    checked = 0
    for r in _suggestions(synth):
        words = [w for w in r["evidence"].split(";") if w]
        assert len(words) <= 5
        for word in words:
            assert word in texts[r["segment_id"]]
        if r["rank"] == 1 and r["code"] == "plan":
            # the words the synthetic 'plan' passages are made of come first
            marks = ("lärandeplan", "ramverk", "uppföljningsplan", "styr")
            assert words and any(m in w.lower() for w in words[:3] for m in marks)
            checked += 1
    assert checked


def test_calibration_error_is_small_on_held_out_cases(synth):
    """The scores mean what they say: grouped cross-validation of the calibrated model
    gives an expected calibration error (10 bins) of at most 0.05... on 120 passages of
    clean synthetic data, where nearly all top suggestions are right and score high."""
    from coder.suggest.service import evaluate_question

    result = evaluate_question(synth, synth.codebook().question("typ"), folds=4)
    assert result["ece"] <= 0.1
    assert sum(b["n"] for b in result["reliability"]) == result["passages"] == 120
    for b in result["reliability"]:
        if b["n"]:
            assert b["bin"].split("-")[0] <= f"{b['mean_score']:.1f}" or b["mean_score"] <= 0.1


def test_evaluate_reports_calibration_and_draws_the_reliability_diagram(cli, db, tmp_path):
    cli("import", CORPUS, "--db", db)
    with Store.open(db) as store:
        code_demo(store)
    plot = tmp_path / "reliability.png"
    result = cli("evaluate", "--question", "arbetssatt", "--plot", plot, "--db", db)
    assert result.exit_code == 0, result.output
    assert "expected calibration error" in result.stdout
    assert "| score bin | mean score | accuracy | passages |" in result.stdout
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(
        cli("evaluate", "--question", "arbetssatt", "--format", "json", "--db", db).stdout
    )
    assert 0 <= data["ece"] <= 1 and len(data["reliability"]) == 10
    bad = cli("evaluate", "--plot", tmp_path / "nowhere" / "x.png", "--db", db)
    assert bad.exit_code == 1 and "does not exist" in bad.output


def test_small_training_sets_are_marked_uncalibrated(cli, db):
    cli("import", CORPUS, "--db", db)
    with Store.open(db) as store:
        code_demo(store)  # 14 passages coded for arbetssatt: too few to calibrate
    result = cli("train", "--question", "arbetssatt", "--db", db)
    assert result.exit_code == 0, result.output
    assert "uncalibrated" in result.stdout
    status = cli("status", "--db", db).stdout
    assert "uncalibrated (14 codings)" in status
    with Store.open(db) as store:
        assert store.latest_model("arbetssatt").metrics["calibrated"] is False


def test_accepted_suggestions_carry_model_and_score_into_the_codings_export(cli, db):
    cli("import", CORPUS, "--db", db)
    cli("suggest", "--question", "arbetssatt", "--db", db)
    with Store.open(db) as store:
        seg, code, score, model_id, _ = next(
            (s, *row)
            for s in range(1, 60)
            for row in queries.suggestions_for(store, s, "arbetssatt")[:1]
        )
        store.toggle_code(
            seg,
            "arbetssatt",
            code,
            "anna",
            origin="accepted-suggestion",
            model_id=model_id,
            score=score,
        )
    rows = list(csv.DictReader(cli("export", "--what", "codings", "--db", db).stdout.splitlines()))
    assert list(rows[0])[-2:] == ["model", "score"]
    (row,) = rows
    assert row["model"] == model_id and float(row["score"]) == pytest.approx(score)


def test_a_model_file_with_foreign_contents_is_refused_even_when_signed(synth):
    """A signature proves who wrote a model, not what is in it: skops refuses any type a
    model is not made of (here a signed archive holding an os function)."""
    import os

    import skops.io as sio

    blob = sio.dumps({"header": "{}", "classifier": os.system})
    with pytest.raises(artifact.ForeignModelError, match="unexpected contents"):
        artifact.loads(blob, key=synth.model_key(), mac=artifact.sign(blob, synth.model_key()))
    junk = b"PK\x03\x04 not a model"
    with pytest.raises(artifact.ForeignModelError, match="unreadable model"):
        artifact.loads(junk, key=synth.model_key(), mac=artifact.sign(junk, synth.model_key()))


def test_a_re_signed_model_with_a_malformed_header_is_one_line(cli, synth):
    """Someone with the project's key signs a model whose header lacks fields: `suggest`
    says so in one line (exit 1), no traceback."""
    import skops.io as sio

    train(synth, "typ", evaluate=False)
    row = synth.latest_model("typ")
    data = sio.loads(row.blob, trusted=artifact.TRUSTED)
    data["header"] = json.dumps({"format": artifact.FORMAT, "mode": "single"})
    blob = sio.dumps(data)
    with synth.write() as conn:
        conn.execute(
            t.models.update()
            .where(t.models.c.id == row.id)
            .values(blob=blob, mac=artifact.sign(blob, synth.model_key()))
        )
    result = cli("suggest", "--question", "typ", "--db", synth.db)
    assert result.exit_code == 1
    assert "malformed header" in result.output and len(result.output.strip().splitlines()) == 1
