"""The suggester's linear SVM fits (liblinear via scikit-learn), shared among the cores.

liblinear fits one binary problem after another and releases the GIL while it trains, so
fitting shares of the problems in threads takes about half the time on two cores.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp
from joblib import parallel_config
from sklearn.base import clone
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import LinearSVC
from sklearn.utils.class_weight import compute_class_weight

Weights = tuple[np.ndarray, np.ndarray, np.ndarray]  # classes, coef, intercept


def threads() -> int:
    """CPU cores this process may use (liblinear releases the GIL while it trains)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def linear(
    svm: LinearSVC, matrix: sp.csr_matrix, y: np.ndarray, classes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A linear SVM's weights, one row per class of ``classes`` (a class missing from ``y``
    gets no weights and a low intercept: never above a class that was seen)."""
    coef = np.zeros((len(classes), matrix.shape[1]), dtype=np.float32)
    intercept = np.full(len(classes), -10.0)
    seen = np.unique(y)
    if len(seen) < 2:
        return coef, intercept
    if len(seen) == 2:  # one binary problem: one row of weights, +/- half each
        fitted = clone(svm).fit(matrix, y)
        rows = np.searchsorted(classes, fitted.classes_)
        coef[rows] = np.vstack([-fitted.coef_[0], fitted.coef_[0]]) / 2
        intercept[rows] = [-fitted.intercept_[0] / 2, fitted.intercept_[0] / 2]
        return coef, intercept
    for share, weights, bias in one_vs_rest(svm, matrix, y, seen):
        rows = np.searchsorted(classes, share)
        coef[rows] = weights
        intercept[rows] = bias
    return coef, intercept


def one_vs_rest(
    svm: LinearSVC, matrix: sp.csr_matrix, y: np.ndarray, classes: np.ndarray
) -> Iterator[Weights]:
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

    def fit(share: np.ndarray) -> Weights:
        labels = np.where(np.isin(index, share), index, -1)
        # the rest's own problem is never used: a small weight lets it converge at once
        chosen = {**{int(c): weight[c] for c in share}, -1: 1e-3}
        fitted = clone(svm).set_params(class_weight=chosen).fit(matrix, labels)
        mine = fitted.classes_ >= 0
        return classes[fitted.classes_[mine]], fitted.coef_[mine], fitted.intercept_[mine]

    with ThreadPoolExecutor(shares, thread_name_prefix="coder-svm") as pool:
        yield from pool.map(fit, np.array_split(np.arange(len(classes)), shares))


def binaries(
    svm: LinearSVC,
    matrix: sp.csr_matrix,
    Y: np.ndarray,
    columns: np.ndarray,
    coef: np.ndarray,
    intercept: np.ndarray,
) -> None:
    """Fit one binary SVM per column of ``columns`` into ``coef``/``intercept`` (a column
    without both outcomes in ``Y`` gets zero weights and a constant answer)."""
    both = [j for j in columns if 0 < Y[:, j].sum() < len(Y)]
    for j in set(columns) - set(both):
        coef[j] = 0.0
        intercept[j] = 10.0 if Y[0, j] else -10.0
    fitted = binary_fits(svm, matrix, Y[:, both])
    for j, (weights, bias) in zip(both, fitted, strict=True):
        coef[j], intercept[j] = weights, bias


def binary_fits(
    svm: LinearSVC, matrix: sp.csr_matrix, Y: np.ndarray
) -> list[tuple[np.ndarray, float]]:
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
