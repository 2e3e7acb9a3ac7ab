"""The suggester's classifier: TF-IDF over character n-grams and word n-grams, a linear SVM,
and calibrated probabilities.

- ``single`` questions: one multiclass linear SVM (one-vs-rest); probabilities are the
  softmax of its decision scores divided by a temperature fitted on out-of-fold scores.
  The transform is monotone, so the ranking (and top-k) is the SVM's own.
- ``multi`` questions: one binary linear SVM per code with Platt scaling fitted on
  out-of-fold scores, and a threshold per code tuned on those scores for F1.

Settings (C, n-gram ranges, the weight of word features, balanced class weights) were chosen
by measurement with ``benchmarks/suggester_quality.py``; see the README.
"""

from __future__ import annotations

import contextlib
import itertools
import weakref
from collections import defaultdict

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from scipy.special import expit, log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import GroupKFold, KFold
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

MIN_CALIBRATION = 20  # fewer training passages than this: temperature 1 / plain Platt defaults


class TextClassifier(BaseEstimator, ClassifierMixin):
    """X is a sequence of (text, lemmas) pairs; y a label per row (single) or an
    indicator matrix with one column per class in ``classes`` (multi)."""

    def __init__(
        self,
        mode: str = "single",
        C: float = 0.5,  # noqa: N803 - scikit-learn's name
        char_ngrams: tuple[int, int] = (2, 5),
        word_ngrams: tuple[int, int] = (1, 2),
        word_weight: float = 0.5,
        class_weight: str | float | None = "balanced",
        calibration_folds: int = 5,
        classes: tuple[str, ...] | None = None,
        random_state: int = 0,
    ):
        self.mode = mode
        self.C = C
        self.char_ngrams = char_ngrams
        self.word_ngrams = word_ngrams
        self.word_weight = word_weight
        self.class_weight = class_weight
        self.calibration_folds = calibration_folds
        self.classes = classes
        self.random_state = random_state

    # -- features ----------------------------------------------------------------------------
    def _vectorizers(self) -> tuple[TfidfVectorizer, TfidfVectorizer | None]:
        char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=tuple(self.char_ngrams),
            sublinear_tf=True,
            lowercase=True,
            dtype=np.float32,
        )
        word = None
        if self.word_weight > 0:
            word = TfidfVectorizer(
                analyzer="word",
                token_pattern=r"\S+",
                ngram_range=tuple(self.word_ngrams),
                sublinear_tf=True,
                lowercase=False,
                dtype=np.float32,
            )
        return char, word

    def _features(self, X, fit: bool = False) -> sp.csr_matrix:  # noqa: N803
        texts = [x[0] for x in X]
        lemmas = [x[1] for x in X]
        if fit:
            self.char_, self.word_ = self._vectorizers()
            blocks = [self.char_.fit_transform(texts)]
            if self.word_ is not None:
                blocks.append(self.word_.fit_transform(lemmas) * self.word_weight)
        else:
            blocks = [char_wb_transform(self.char_, texts)]
            if self.word_ is not None:
                blocks.append(word_transform(self.word_, lemmas) * self.word_weight)
        return sp.hstack(blocks, format="csr")

    def _svm(self, y: np.ndarray) -> LinearSVC:
        return LinearSVC(C=self.C, class_weight=self._weights(y), random_state=self.random_state)

    def _weights(self, y: np.ndarray):  # noqa: ANN202 - None | "balanced" | dict
        """None, "balanced", or a power p of the balanced weights (p=0.5: square-root balancing)."""
        if self.class_weight is None or isinstance(self.class_weight, str):
            return self.class_weight
        labels, counts = np.unique(y, return_counts=True)
        balanced = len(y) / (len(labels) * counts)
        weights = {}
        for label, w in zip(labels.tolist(), balanced, strict=True):
            weights[label] = float(w) ** float(self.class_weight)
            with contextlib.suppress(TypeError, ValueError):
                # scikit-learn looks digit-only string labels up as ints
                weights[int(label)] = weights[label]
        return weights

    # -- fitting -----------------------------------------------------------------------------
    def fit(self, X, y, groups=None):  # noqa: N803, ANN001
        """Fit; ``groups`` (the case of each row) keeps cases apart in the calibration folds."""
        features = self._features(X, fit=True)
        self._groups = None if groups is None else np.asarray(groups)
        if self.mode == "single":
            self._fit_single(features, np.asarray(y).astype(str))
        else:
            self._fit_multi(features, np.asarray(y, dtype=np.int8))
        del self._groups
        return self

    def _calibration_splits(self, y: np.ndarray, folds: int) -> list:
        """Held-out folds for calibration: grouped by case when cases are known."""
        index = np.zeros(len(y))
        if self._groups is not None and len(set(self._groups)) >= folds:
            return list(GroupKFold(n_splits=folds).split(index, y, self._groups))
        return list(KFold(folds, shuffle=True, random_state=self.random_state).split(index))

    def _fit_single(self, features: sp.csr_matrix, y: np.ndarray) -> None:
        self.classes_ = np.array(sorted(set(y)), dtype=object)
        if len(self.classes_) == 1:
            self.coef_ = np.zeros((1, features.shape[1]), dtype=np.float32)
            self.intercept_ = np.zeros(1)
            self.temperature_ = 1.0
            return
        svm = self._svm(y).fit(features, y)
        self.coef_, self.intercept_ = _as_multiclass(svm.coef_, svm.intercept_)
        self.temperature_ = self._fit_temperature(features, y)

    def _fit_temperature(self, features: sp.csr_matrix, y: np.ndarray) -> float:
        """The temperature that minimises log-loss of softmax(scores / T) on held-out scores."""
        folds = self.calibration_folds
        if len(y) < MIN_CALIBRATION or folds < 2:
            return 1.0
        scores = np.zeros((len(y), len(self.classes_)))
        index = {c: i for i, c in enumerate(self.classes_)}
        for train, test in self._calibration_splits(y, folds):
            if len(set(y[train])) < 2:
                continue
            svm = self._svm(y[train]).fit(features[train], y[train])
            coef, intercept = _as_multiclass(svm.coef_, svm.intercept_)
            fold_scores = features[test] @ coef.T + intercept
            columns = [index[c] for c in svm.classes_]
            scores[np.ix_(test, columns)] = fold_scores
            missing = [i for i in range(len(self.classes_)) if i not in columns]
            scores[np.ix_(test, missing)] = fold_scores.min() - 1.0
        truth = np.array([index[c] for c in y])

        def loss(log_t: float) -> float:
            logp = log_softmax(scores / np.exp(log_t), axis=1)
            return -float(logp[np.arange(len(truth)), truth].mean())

        result = minimize_scalar(loss, bounds=(-5.0, 3.0), method="bounded")
        return float(np.exp(result.x))

    def _fit_multi(self, features: sp.csr_matrix, Y: np.ndarray) -> None:  # noqa: N803
        n, k = Y.shape
        self.classes_ = np.array(self.classes if self.classes else range(k), dtype=object)
        self.coef_ = np.zeros((k, features.shape[1]), dtype=np.float32)
        self.intercept_ = np.zeros(k)
        self.platt_ = np.tile([1.0, 0.0], (k, 1))  # p = expit(a * score + b)
        self.thresholds_ = np.full(k, 0.5)
        for j in range(k):
            y = Y[:, j]
            positives = int(y.sum())
            if positives == 0 or positives == n:
                self.intercept_[j] = 10.0 if positives else -10.0
                continue
            svm = self._svm(y).fit(features, y)
            self.coef_[j] = svm.coef_[0]
            self.intercept_[j] = svm.intercept_[0]
            self.platt_[j], self.thresholds_[j] = self._calibrate_binary(features, y)

    def _calibrate_binary(self, features: sp.csr_matrix, y: np.ndarray) -> tuple:
        folds = min(self.calibration_folds, int(y.sum()), int(len(y) - y.sum()))
        if len(y) < MIN_CALIBRATION or folds < 2:
            return np.array([2.0, 0.0]), 0.5
        scores = np.zeros(len(y))
        for train, test in self._calibration_splits(y, folds):
            if len(set(y[train])) < 2:
                continue
            svm = self._svm(y[train]).fit(features[train], y[train])
            scores[test] = features[test] @ svm.coef_[0] + svm.intercept_[0]
        a, b = _platt(scores, y)
        probs = expit(a * scores + b)
        return np.array([a, b]), _best_threshold(probs, y)

    # -- predicting --------------------------------------------------------------------------
    def decision_function(self, X) -> np.ndarray:  # noqa: N803
        """The same as ``self._features(X) @ coef.T + intercept``, block by block: stacking
        the character and word blocks would copy tens of millions of entries per batch."""
        texts = [x[0] for x in X]
        char = char_wb_transform(self.char_, texts)
        width = char.shape[1]
        scores = char @ self.coef_[:, :width].T
        if self.word_ is not None:
            word = word_transform(self.word_, [x[1] for x in X])
            scores += (word @ self.coef_[:, width:].T) * self.word_weight
        return np.asarray(scores + self.intercept_)

    def predict_proba(self, X) -> np.ndarray:  # noqa: N803
        scores = self.decision_function(X)
        if self.mode == "single":
            return softmax(scores / self.temperature_, axis=1)
        return expit(self.platt_[:, 0] * scores + self.platt_[:, 1])

    def predict(self, X):  # noqa: N803
        probs = self.predict_proba(X)
        if self.mode == "single":
            return self.classes_[probs.argmax(axis=1)]
        return (probs >= self.thresholds_).astype(np.int8)


MAX_KNOWN_WORDS = 500_000  # remembered word -> n-gram columns per vectorizer; cleared when full
_word_grams: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def char_wb_transform(vectorizer: TfidfVectorizer, texts: list[str]) -> sp.csr_matrix:
    """``vectorizer.transform(texts)`` for a fitted ``char_wb`` TF-IDF vectorizer, computed
    once per distinct word.

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
    analyse, vocabulary = vectorizer.build_analyzer(), vectorizer.vocabulary_
    known = _word_grams.setdefault(vectorizer, {})
    if len(known) > MAX_KNOWN_WORDS:
        known.clear()
    columns: list[int] = []
    indptr = [0]
    for word in index:  # a dict keeps insertion order: row == id
        grams = known.get(word)
        if grams is None:
            grams = known[word] = [vocabulary[g] for g in analyse(word) if g in vocabulary]
        columns.extend(grams)
        indptr.append(len(columns))
    grams = sp.csr_matrix(
        (np.ones(len(columns), dtype=np.float32), columns, indptr),
        shape=(len(index), len(vocabulary)),
    )
    grams.sum_duplicates()
    return _weigh(vectorizer, (words @ grams).tocsr())


def word_transform(vectorizer: TfidfVectorizer, texts: list[str]) -> sp.csr_matrix:
    """``vectorizer.transform(texts)`` for a fitted whitespace-token word n-gram vectorizer
    (the lemma features), looking n-grams up with C-level maps instead of scikit-learn's
    per-text analyser."""
    if not (
        vectorizer.analyzer == "word"
        and vectorizer.token_pattern == r"\S+"
        and not vectorizer.lowercase
        and vectorizer.stop_words is None
        and vectorizer.preprocessor is None
        and vectorizer.tokenizer is None
    ):
        return vectorizer.transform(texts)
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


def _as_multiclass(coef: np.ndarray, intercept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LinearSVC gives one row for two classes; make it one row per class."""
    if coef.shape[0] == 1:
        half = coef[0] / 2
        return np.vstack([-half, half]).astype(np.float32), np.array(
            [-intercept[0] / 2, intercept[0] / 2]
        )
    return coef.astype(np.float32), intercept


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling with the usual target smoothing."""
    from scipy.optimize import minimize

    positives = y.sum()
    negatives = len(y) - positives
    target = np.where(y == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))

    def loss(params: np.ndarray) -> float:
        z = params[0] * scores + params[1]
        return float(np.sum(np.logaddexp(0, z) - target * z))

    result = minimize(loss, x0=np.array([1.0, 0.0]), method="L-BFGS-B")
    return float(result.x[0]), float(result.x[1])


def _best_threshold(probs: np.ndarray, y: np.ndarray) -> float:
    best, best_f1 = 0.5, -1.0
    for threshold in np.unique(np.round(probs, 3)):
        predicted = probs >= threshold
        tp = float((predicted & (y == 1)).sum())
        f1 = 2 * tp / (predicted.sum() + y.sum()) if (predicted.sum() + y.sum()) else 0.0
        if f1 > best_f1:
            best, best_f1 = float(threshold), f1
    return min(max(best, 0.05), 0.95)
