"""Training and evaluating the suggester on a project: the training set of a question (one
label set per coded passage), the stored model per question, and its figures."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from coder.errors import CoderError
from coder.i18n import _
from coder.model import CONSENSUS_CODER
from coder.model.codebook import NOT_APPLICABLE, Question
from coder.store import Store, queries
from coder.suggest import artifact, embeddings
from coder.suggest.evaluate import metrics, out_of_fold, truth_matrix
from coder.suggest.question_model import QuestionModel, describe, fit_question_model

Progress = Callable[[int, int], None]


@dataclass
class TrainingSet:
    segment_ids: list[int]
    cases: list[str]
    texts: list[str]
    labels: list  # a code (single) or a list of codes (multi) per passage


def training_set(store: Store, question: Question) -> TrainingSet:
    """One label set per coded passage: the ``consensus`` coder's where present; else, in a
    single question the code most coders gave (ties: the latest), in a multi question the
    union of the coders' codes."""
    per_segment: dict[int, dict] = {}
    for seg, case, text, code, coder, time in queries.training_rows(store, question.id):
        entry = per_segment.setdefault(
            seg, {"case": case, "text": text, "coders": defaultdict(set), "times": {}}
        )
        entry["coders"][coder].add(code)
        entry["times"][code] = max(time, entry["times"].get(code, ""))
    out = TrainingSet([], [], [], [])
    known = {c.id for c in question.codes} | {NOT_APPLICABLE}
    for seg, entry in per_segment.items():
        coders = entry["coders"]
        chosen = (
            coders[CONSENSUS_CODER] if CONSENSUS_CODER in coders else set().union(*coders.values())
        )
        chosen = {c for c in chosen if c in known}
        if not chosen:
            continue
        if question.mode == "single":
            votes = Counter(code for codes in coders.values() for code in codes if code in chosen)
            label = max(chosen, key=lambda c: (votes[c], entry["times"][c]))
        else:  # n/a is a passage with none of the codes, unless a coder gave some
            label = sorted(chosen - {NOT_APPLICABLE})
        out.segment_ids.append(seg)
        out.cases.append(entry["case"])
        out.texts.append(entry["text"])
        out.labels.append(label)
    return out


def questions(store: Store, question: str | None) -> list[Question]:
    """The question named, or (None) every question of the codebook."""
    codebook = store.codebook()
    return [codebook.question(question)] if question else list(codebook.questions)


def vectors_of(store: Store, segment_ids: list[int]) -> np.ndarray | None:
    """The stored e5 embeddings of passages (computed first where missing), or None where
    embeddings are not available here."""
    if not embeddings.available():
        return None
    embeddings.ensure(store, segment_ids)
    return embeddings.load(store, segment_ids)


def _fit(store: Store, question: Question, data: TrainingSet) -> QuestionModel:
    codebook = store.codebook()
    return fit_question_model(
        question,
        data.texts,
        data.labels,
        language=codebook.language,
        pipeline=codebook.pipeline,
        groups=data.cases,
        vectors=vectors_of(store, data.segment_ids) if data.texts else None,
    )


def evaluate_question(
    store: Store, question: Question, folds: int = 5, progress: Progress | None = None
) -> dict:
    """Cross-validated metrics grouped by case (a case never on both sides of a split)."""
    data = training_set(store, question)
    if len(data.texts) < 2:
        raise CoderError(
            _("question '{question}' has {n} coded passages; code some first").format(
                question=question.id, n=len(data.texts)
            )
        )
    codebook = store.codebook()
    codes = [c.id for c in question.codes]
    if question.mode == "single" and NOT_APPLICABLE in data.labels:
        codes.append(NOT_APPLICABLE)  # learnt and scored as one more outcome
    scores, order, decisions = out_of_fold(
        question,
        data.texts,
        data.labels,
        data.cases,
        folds=folds,
        language=codebook.language,
        pipeline=codebook.pipeline,
        codes=codes,
        descriptions={c.id: describe(c) for c in question.codes},
        progress=progress,
        vectors=vectors_of(store, data.segment_ids),
    )
    result = metrics(
        scores,
        order,
        decisions,
        truth_matrix(data.labels, codes, question.mode),
        codes,
        question.mode,
    )
    result.update(
        question=question.id,
        mode=question.mode,
        folds=min(folds, len(set(data.cases))),
        cases=len(set(data.cases)),
        features="tfidf+e5" if embeddings.available() else "tfidf",
    )
    return result


@dataclass
class TrainResult:
    question: str
    model_id: str
    n_train: int
    cold_start: bool
    metrics: dict | None
    model: QuestionModel | None = None


def train(
    store: Store,
    question: str | None = None,
    *,
    folds: int = 5,
    evaluate: bool = True,
    progress: Progress | None = None,
) -> list[TrainResult]:
    """Train and store a model per question.

    Its figures (accuracy, macro-F1, top-3, calibration error) come from the passages the
    calibration held out, grouped by case, so training fits each model only as often as its
    calibration needs. Where the set is too small to hold any out, ``evaluate`` runs a
    grouped cross-validation instead (small sets train in moments)."""
    results = []
    key = store.model_key()
    selected = questions(store, question)
    for q in selected:
        data = training_set(store, q)
        model = _fit(store, q, data)
        scores = held_out_metrics(model, data)
        if scores is None and evaluate and len(set(data.cases)) >= 2 and len(data.texts) >= 10:
            scores = evaluate_question(store, q, folds)
        blob = artifact.dumps(model)
        model_id = f"{q.id}-{uuid.uuid4().hex[:10]}"
        summary = _summary(scores)
        summary.update(calibrated=model.calibrated, features=model.feature_set)
        store.save_model(
            model_id=model_id,
            question_id=q.id,
            n_train=len(data.texts),
            cold_start=model.cold_start,
            metrics=summary,
            blob=blob,
            mac=artifact.sign(blob, key),
        )
        results.append(
            TrainResult(q.id, model_id, len(data.texts), model.cold_start, scores, model)
        )
        if progress:
            progress(len(results), len(selected))
    return results


def held_out_metrics(model: QuestionModel, data: TrainingSet) -> dict | None:
    """Accuracy, macro-F1, top-3 and calibration error on the passages the model's
    calibration held out (cases it was not fitted on), or None if it held none out."""
    classifier = model.classifier
    # a loaded model has no held_out_: it is dropped when saved
    held_out = None if classifier is None else getattr(classifier, "held_out_", None)
    if classifier is None or held_out is None:
        return None
    rows = held_out[0]
    rows = rows[rows < len(data.texts)]  # codebook description rows are never held out
    scores = model.columns(classifier.held_out_probabilities_, classifier.classes_)
    codes = list(model.codes)
    labels = [data.labels[i] for i in rows]
    truth = truth_matrix(labels, codes, model.mode)
    order = np.argsort(-scores, axis=1, kind="stable")
    decisions = np.zeros_like(truth)
    if model.mode == "single":
        decisions[np.arange(len(rows)), order[:, 0]] = 1
    else:
        decisions = (scores >= model.thresholds()).astype(np.int8)
    result = metrics(scores, order, decisions, truth, codes, model.mode)
    result.update(
        question=model.question_id,
        mode=model.mode,
        folds=None,
        cases=len({data.cases[i] for i in rows}),
        held_out=True,
    )
    return result


def _summary(scores: dict | None) -> dict:
    if not scores:
        return {}
    keys = ("accuracy", "macro_f1", "top3_accuracy", "passages", "folds", "ece", "held_out")
    return {k: scores[k] for k in keys if k in scores}
