"""Running the suggester on a project: the latest model per question scores passages in
batches, and the top suggestions per passage are stored while the next batch is scored."""

from __future__ import annotations

import queue
from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType

import numpy as np

from coder.errors import CoderError
from coder.i18n import _
from coder.model.codebook import NOT_APPLICABLE, Question
from coder.store import Store, queries
from coder.suggest import artifact, embeddings, features
from coder.suggest.evidence import evidence
from coder.suggest.features import normalise_batches
from coder.suggest.question_model import QuestionModel, fit_question_model
from coder.suggest.training import Progress, questions

COLD_START_ID = "cold-start"


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
    digest = store.codebook_version()[1]
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
        raise CoderError(_("--top must be at least 1"))
    done: dict[str, tuple[str, int, bool]] = {}
    known_lemmas: dict[int, str] = {}  # segment -> normalised text, shared by the questions
    for q in questions(store, question):
        model, model_id, stale = load_model(store, q)
        gone = sorted(set(model.codes) - {c.id for c in q.codes} - {NOT_APPLICABLE})
        if stale and gone:
            raise CoderError(
                _(
                    "the model for '{question}' was trained on an older codebook with codes "
                    "that are gone ({codes}); run `coder train --question {question}` first"
                ).format(question=q.id, codes=", ".join(gone))
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
) -> Generator[list[str], None, None]:
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
                for (seg, _text), lemma in zip(need, next(stream), strict=True):
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

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._future.done():
                self._queue.put(self._END)
            if kind is None:
                self._future.result()  # re-raises the writer's error, if any
        finally:
            self._pool.shutdown()
