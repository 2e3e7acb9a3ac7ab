"""Training, evaluating and running the suggester on a project (what the CLI and TUI call)."""

from __future__ import annotations

import queue
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from coder.errors import CoderError
from coder.model.codebook import NOT_APPLICABLE, Question
from coder.reports.tally import CONSENSUS_CODER
from coder.store import Store, queries
from coder.suggest import artifact, embeddings, features
from coder.suggest.evaluate import metrics, out_of_fold, truth_matrix
from coder.suggest.evidence import evidence
from coder.suggest.features import normalise_batches
from coder.suggest.question_model import QuestionModel, describe, fit_question_model

Progress = Callable[[int, int], None]
COLD_START_ID = "cold-start"


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


def _questions(store: Store, question: str | None) -> list[Question]:
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
            f"question '{question.id}' has {len(data.texts)} coded passages; code some first"
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
    selected = _questions(store, question)
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
    if classifier is None or getattr(classifier, "held_out_", None) is None:
        return None
    rows, _ = classifier.held_out_
    rows = rows[rows < len(data.texts)]  # codebook description rows are never held out
    scores = model._columns(classifier.held_out_probabilities_)
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


def load_model(store: Store, question: Question) -> tuple[QuestionModel, str, bool]:
    """The latest model of a question (model, id, stale?), or a cold-start scorer if none."""
    row = store.latest_model(question.id)
    if row is None:
        codebook = store.codebook()
        model = fit_question_model(
            question, [], [], language=codebook.language, pipeline=codebook.pipeline
        )
        return model, COLD_START_ID, False
    model = artifact.loads(row.blob, key=store.model_key(), mac=row.mac)
    _, digest = store.codebook_version()
    return model, row.id, row.codebook_digest != digest


def suggest(
    store: Store,
    question: str | None = None,
    *,
    top: int = 3,
    only_uncoded: bool = False,
    batch: int = 5000,
    progress: Progress | None = None,
) -> dict[str, tuple[str, int, bool]]:
    """Score passages in batches and store the top-K suggestions per passage and question.

    Each batch replaces its passages' suggestions in its own short transaction, written by
    a background thread while the next batch is scored (the database's work and scoring
    overlap on two cores), so coders working meanwhile never wait long for the write lock.
    A run that fails part-way leaves every passage with one model's complete set: the
    batches done have the new suggestions, the others keep their old ones.
    Returns question -> (model id, passages scored, cold start?).
    """
    if top < 1:
        raise CoderError("--top must be at least 1")
    done: dict[str, tuple[str, int, bool]] = {}
    known_lemmas: dict[int, str] = {}  # segment -> normalised text, shared by the questions
    for q in _questions(store, question):
        model, model_id, stale = load_model(store, q)
        gone = sorted(set(model.codes) - {c.id for c in q.codes} - {NOT_APPLICABLE})
        if stale and gone:
            raise CoderError(
                f"the model for '{q.id}' was trained on an older codebook with codes that are "
                f"gone ({', '.join(gone)}); run `coder train --question {q.id}` first"
            )
        rows = queries.segments_to_score(store, q.id, only_uncoded)
        k = min(top, len(model.codes))

        if model.uses_embeddings:
            embeddings.ensure(store, [seg for seg, _ in rows])

        def scored(
            chunk: list, lemmas: list[str] | None, model: QuestionModel = model, k: int = k
        ) -> list[tuple[int, str, float, int, str]]:
            texts = [text for _, text in chunk]
            vectors = None
            if model.uses_embeddings:
                vectors = embeddings.load(store, [seg for seg, _ in chunk])
            scores = model.scores(texts, lemmas, vectors)
            order = model.rank(scores)[:, :k]
            picked = np.take_along_axis(scores, order, axis=1).tolist()
            codes = np.asarray(model.codes, dtype=object)[order].tolist()
            why = _evidence(model, texts, order)
            return [
                (seg, code, score, rank, words)
                for (seg, _), row_codes, row_scores, row_why in zip(
                    chunk, codes, picked, why, strict=True
                )
                for rank, (code, score, words) in enumerate(
                    zip(row_codes, row_scores, row_why, strict=True), start=1
                )
            ]

        chunks = [rows[start : start + batch] for start in range(0, len(rows), batch)]
        if model.classifier is None:  # cold start: no lemmas needed
            lemma_batches: Iterator = iter([None] * len(chunks))
        else:
            lemma_batches = _lemmas(model, chunks, known_lemmas)
        with _Writer(store, q.id, model_id) as writer:
            for i, (chunk, lemmas) in enumerate(zip(chunks, lemma_batches, strict=True)):
                writer.put(([seg for seg, _ in chunk], scored(chunk, lemmas)))
                if progress:
                    progress(min((i + 1) * batch, len(rows)), len(rows))
        done[q.id] = (model_id, len(rows), model_id == COLD_START_ID or model.cold_start)
    return done


def _evidence(model: QuestionModel, texts: list[str], order: np.ndarray) -> list[list[str]]:
    """The evidence (SEPARATOR-joined) per text and suggested code (``order``: columns of
    ``model.codes``); none for cold-start scores, or for a code the classifier never saw."""
    classifier = model.classifier
    if classifier is None:
        return [[""] * order.shape[1] for _ in range(len(order))]
    index = {c: i for i, c in enumerate(classifier.classes_.tolist())}
    known = np.array([c in index for c in model.codes])
    to_class = np.array([index.get(c, 0) for c in model.codes], dtype=np.int64)
    found = evidence(classifier, texts, to_class[order])
    if known.all():
        return found
    seen = known[order].tolist()
    return [
        [words if ok else "" for ok, words in zip(row_ok, row, strict=True)]
        for row_ok, row in zip(seen, found, strict=True)
    ]


def _lemmas(
    model: QuestionModel, chunks: list[list[tuple[int, str]]], known: dict[int, str]
) -> Iterator[list[str]]:
    """The normalised texts of each chunk; those not in ``known`` are normalised (in a
    second process when there are many) and remembered for the next question."""
    needed = [[(seg, text) for seg, text in chunk if seg not in known] for chunk in chunks]
    total = sum(map(len, needed))
    stream = normalise_batches(
        model.language,
        model.pipeline,
        ([text for _, text in need] for need in needed if need),
        parallel=total >= features.PARALLEL_FROM and len(chunks) > 1,
    )
    try:
        for chunk, need in zip(chunks, needed, strict=True):
            if need:
                for (seg, _), lemma in zip(need, next(stream), strict=True):
                    known[seg] = lemma
            yield [known[seg] for seg, _ in chunk]
    finally:
        stream.close()


class _Writer:
    """Store.replace_suggestions in a background thread, one short transaction per batch,
    so scoring the next batch overlaps writing this one and no writer holds the database's
    write lock for long (a coder's keypress waits at most one batch's write)."""

    _END = object()

    def __init__(self, store: Store, question_id: str, model_id: str) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=2)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="coder-suggest-writer")
        self._future = self._pool.submit(self._write, store, question_id, model_id)

    def _write(self, store: Store, question_id: str, model_id: str) -> None:
        while (item := self._queue.get()) is not self._END:
            segments, rows = item
            store.replace_suggestions(question_id, rows, model_id, segments)

    def put(self, item: object) -> None:
        while True:
            if self._future.done():  # the writer failed: its error is raised in __exit__
                self._future.result()
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, kind, error, tb) -> None:  # noqa: ANN001
        try:
            if not self._future.done():
                self._queue.put(self._END)
            if kind is None:
                self._future.result()  # re-raises the writer's error, if any
        finally:
            self._pool.shutdown()


def retrain(store: Store, question_id: str) -> tuple[TrainResult, int]:
    """Retrain one question's model on the codings so far and re-score its uncoded passages
    in short transactions: what the coding screen runs in the background every N codings.
    Returns the training result and the number of passages re-scored."""
    result = train(store, question_id, evaluate=False)[0]
    done = suggest(store, question_id, only_uncoded=True)
    return result, done[question_id][1]
