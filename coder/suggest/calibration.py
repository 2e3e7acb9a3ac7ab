"""Calibration: which coded passages the suggester holds out, and how the SVM's decision
scores on them become probabilities.

The SVM's decision scores of passages it did not see (grouped by case) are mixed with a
zero-shot prior (the embedding similarity between the passage and each code's codebook
description) with a weight, and turned into probabilities by scikit-learn's
``CalibratedClassifierCV``: one-vs-rest sigmoid scaling, normalised, for ``single`` questions
(the prior's weight chosen by temperature scaling on the same held-out scores), and per code
sigmoid (Platt) scaling with an F1-tuned threshold (``TunedThresholdClassifierCV``) for
``multi`` questions.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import log_loss
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    KFold,
    ShuffleSplit,
    TunedThresholdClassifierCV,
)

MIN_CALIBRATION = 20  # fewer coded passages than this: scores are reported as uncalibrated
HOLDOUT_FROM = 2000  # from this many coded passages: one 80/20 split, no refit (see splits)
PRIOR_WEIGHTS = (0.0, 2.5, 5.0, 10.0, 20.0, 40.0)  # candidate weights of the zero-shot prior
DEFINITION_GROUP = "(codebook)"  # the group of the codebook's description rows
Split = tuple[np.ndarray, np.ndarray]  # training rows, held-out rows


class Scores(ClassifierMixin, BaseEstimator):
    """A classifier whose decision scores are its input: lets scikit-learn's calibrators
    work on held-out scores computed elsewhere (wrapped in ``FrozenEstimator``)."""

    def __init__(self, classes: ArrayLike | None = None) -> None:
        self.classes = classes

    def fit(self, X: object = None, y: object = None) -> Scores:
        self.classes_ = np.asarray(self.classes)
        return self

    def decision_function(self, X: ArrayLike) -> np.ndarray:
        scores = np.asarray(X, dtype=np.float64)
        if len(self.classes_) == 2 and scores.ndim == 2 and scores.shape[1] == 1:
            return scores[:, 0]
        return scores

    def predict(self, X: ArrayLike) -> np.ndarray:
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[scores.argmax(axis=1)]


def splits(groups: np.ndarray, folds: int, random_state: int) -> tuple[list[Split], bool]:
    """Held-out splits for calibration, grouped by case, codebook rows always in training,
    and whether the one split's model is the final model.

    Up to HOLDOUT_FROM coded passages: k folds, then a final fit on everything. From there
    on one grouped 80/20 split: the model fitted on the 80 % is the final model and its
    scores on the other 20 % calibrate it, so training costs one fit, and the calibration
    describes exactly the model that suggests."""
    coded = np.flatnonzero(groups != DEFINITION_GROUP)
    always = np.flatnonzero(groups == DEFINITION_GROUP)
    if len(coded) < MIN_CALIBRATION or folds < 2:
        return [], False
    cases = groups[coded]
    k = folds
    grouped = len(set(cases)) >= k
    if len(coded) >= HOLDOUT_FROM:
        splitter = (
            GroupShuffleSplit(1, test_size=1 / k, random_state=random_state)
            if grouped
            else ShuffleSplit(1, test_size=1 / k, random_state=random_state)
        )
        found, final = splitter.split(coded, groups=cases), True
    elif grouped:
        found, final = GroupKFold(n_splits=k).split(coded, groups=cases), False
    else:  # too few cases to keep them apart: plain folds
        found = KFold(k, shuffle=True, random_state=random_state).split(coded)
        final = False
    return [(np.concatenate([coded[a], always]), coded[b]) for a, b in found], final


def prior_weight(
    held: np.ndarray, prior: np.ndarray | None, truth: np.ndarray
) -> tuple[float, np.ndarray]:
    """The zero-shot prior's weight and the held-out scores mixed with it: the candidate of
    PRIOR_WEIGHTS whose temperature-scaled mix has the least log-loss on the held-out
    passages (one parameter per candidate: cheap). ``prior`` holds the held-out rows'
    similarities, or None (weight 0)."""
    labels = np.arange(held.shape[1])

    def mixed(weight: float) -> tuple[float, float, np.ndarray]:
        logits = held if not weight or prior is None else held + weight * centred(prior)
        probs = calibrate(logits, truth, "temperature").predict_proba(logit_input(logits))
        return log_loss(truth, probs, labels=labels), weight, logits

    candidates = PRIOR_WEIGHTS if prior is not None else (0.0,)
    best = mixed(candidates[0])
    for weight in candidates[1:]:
        tried = mixed(weight)
        if tried[0] < best[0] - 1e-9:
            best = tried
    return best[1], best[2]


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
    X = np.vstack([logits, np.zeros((len(missing), k))])
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
        return calibrator.fit(logit_input(X), y, sample_weight=weight)


def platt(held: np.ndarray, truth: np.ndarray) -> tuple[CalibratedClassifierCV | None, float]:
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


def logit_input(logits: np.ndarray) -> np.ndarray:
    """Two classes: scikit-learn's calibrators take one score column (class 1 vs 0)."""
    return logits[:, 1:] - logits[:, :1] if logits.shape[1] == 2 else logits


def centred(prior: np.ndarray) -> np.ndarray:
    """Similarities relative to each row's mean: only differences between codes count."""
    return prior - prior.mean(axis=1, keepdims=True)
