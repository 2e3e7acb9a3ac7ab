"""Honest evaluation: cross-validation grouped by case, so a region's passages are never on
both sides of a split, with the figures an evaluator needs to decide how far to trust
suggestions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.metrics import accuracy_score, precision_recall_fscore_support, top_k_accuracy_score
from sklearn.model_selection import GroupKFold

from coder.errors import CoderError
from coder.i18n import _
from coder.model.codebook import Question
from coder.suggest.question_model import fit_question_model

THRESHOLDS = (0.5, 0.7, 0.9)


def grouped_folds(groups: list[str], folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Train/test index splits in which no group (case) is on both sides."""
    n_groups = len(set(groups))
    if n_groups < 2:
        raise CoderError(
            _(
                "cross-validation grouped by case needs coded passages from at least 2 cases "
                "(found {n})"
            ).format(n=n_groups)
        )
    k = max(2, min(folds, n_groups))
    index = np.zeros(len(groups))
    return list(GroupKFold(n_splits=k).split(index, index, np.asarray(groups)))


def out_of_fold(
    question: Question | None,
    texts: list[str],
    labels: list,
    groups: list[str],
    *,
    folds: int = 5,
    language: str,
    pipeline: str | None = None,
    codes: list[str],
    descriptions: dict[str, str] | None = None,
    params: dict | None = None,
    progress: Callable[[int, int], None] | None = None,
    vectors: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores, ranks and 0/1 decisions for every passage from a model that never saw its
    case, one column per code of ``codes`` (which may end in n/a). ``vectors``: the
    passages' e5 embeddings, where the suggester uses them."""
    splits = grouped_folds(groups, folds)
    scores = np.zeros((len(texts), len(codes)))
    decisions = np.zeros((len(texts), len(codes)), dtype=np.int8)
    column = {c: j for j, c in enumerate(codes)}
    for done, (train, test) in enumerate(splits, start=1):
        model = fit_question_model(
            question,
            [texts[i] for i in train],
            [labels[i] for i in train],
            language=language,
            pipeline=pipeline,
            codes=codes,
            descriptions=descriptions,
            params=params,
            groups=[groups[i] for i in train],
            vectors=None if vectors is None else vectors[train],
            embeddings=None if vectors is None else True,
        )
        fold_scores = model.scores(
            [texts[i] for i in test], vectors=None if vectors is None else vectors[test]
        )
        where = [column[c] for c in model.codes]
        block = np.zeros((len(test), len(codes)))
        block[:, where] = fold_scores
        scores[test] = block
        if model.mode == "single":
            decisions[test, block.argmax(axis=1)] = 1
        else:
            thresholds = np.full(len(codes), np.inf)
            thresholds[where] = model.thresholds()
            decisions[test] = block >= thresholds
        if progress:
            progress(done, len(splits))
    orders = np.argsort(-scores, axis=1, kind="stable")
    return scores, orders, decisions


def truth_matrix(labels: list, codes: list[str], mode: str) -> np.ndarray:
    index = {c: j for j, c in enumerate(codes)}
    truth = np.zeros((len(labels), len(codes)), dtype=np.int8)
    for i, row in enumerate(labels):
        for code in [row] if mode == "single" else row:
            truth[i, index[code]] = 1
    return truth


def metrics(
    scores: np.ndarray,
    order: np.ndarray,
    decisions: np.ndarray,
    truth: np.ndarray,
    codes: list[str],
    mode: str,
) -> dict:
    """Accuracy, macro-F1, top-3, per-code P/R/F1/support, precision/coverage at thresholds.

    ``order`` ranks the codes per passage as suggested (best first); top-3 uses it.
    """
    n = len(truth)
    top = order
    has_code = truth.sum(axis=1) > 0
    if n and mode == "single" and has_code.all() and truth.shape[1] > 3:
        top3 = float(
            top_k_accuracy_score(
                truth.argmax(axis=1), scores, k=3, labels=np.arange(truth.shape[1])
            )
        )
    else:  # a multi question's passage counts when any of its codes is among the top 3
        hits = [truth[i, top[i, :3]].any() for i in range(n) if has_code[i]]
        top3 = float(np.mean(hits)) if hits else 0.0
    accuracy = float(accuracy_score(truth, decisions)) if n else 0.0  # exact set match
    precision, recall, f1, support = (
        precision_recall_fscore_support(
            truth, decisions, average=None, labels=np.arange(len(codes)), zero_division=0
        )
        if n
        else (np.zeros(len(codes)),) * 4
    )
    predicted = decisions.sum(axis=0)
    per_code = {
        code: {
            "precision": float(precision[j]),
            "recall": float(recall[j]),
            "f1": float(f1[j]),
            "support": int(support[j]),
            "predicted": int(predicted[j]),
        }
        for j, code in enumerate(codes)
    }
    # macro-F1 over codes seen in the truth or the predictions
    f1s = [float(f1[j]) for j in range(len(codes)) if support[j] or predicted[j]]
    at = {}
    best = scores[np.arange(n), top[:, 0]] if n else np.zeros(0)
    for threshold in THRESHOLDS:
        if mode == "single":
            chosen = best >= threshold
            right = truth[np.arange(n), top[:, 0]] == 1
            covered = int(chosen.sum())
            precision = float(right[chosen].mean()) if covered else None
        else:
            pairs = scores >= threshold
            chosen = pairs.any(axis=1)
            covered = int(chosen.sum())
            precision = float(truth[pairs].mean()) if pairs.any() else None
        at[str(threshold)] = {"precision": precision, "coverage": covered / n if n else 0.0}
    result = {
        "passages": n,
        "accuracy": accuracy,
        "macro_f1": float(np.mean(f1s)) if f1s else 0.0,
        "top3_accuracy": top3,
        "per_code": per_code,
        "at_threshold": at,
    }
    if mode == "single":
        result["ece"] = calibration_error(scores, truth)
        result["reliability"] = reliability(scores, truth)
    return result


def reliability(scores: np.ndarray, truth: np.ndarray, bins: int = 10) -> list[dict]:
    """The reliability table of the top score: per equal-width bin (0-0.1, ...], the mean
    top score, the share of passages whose top code was right, and how many fell in it."""
    if not len(scores):
        return []
    top = scores.argmax(axis=1)
    confidence = scores[np.arange(len(scores)), top]
    correct = truth[np.arange(len(scores)), top]
    edges = np.linspace(0, 1, bins + 1)
    table = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > lo) & (confidence <= hi) if lo else confidence <= hi
        n = int(inside.sum())
        table.append(
            {
                "bin": f"{lo:.1f}-{hi:.1f}",
                "mean_score": float(confidence[inside].mean()) if n else None,
                "accuracy": float(correct[inside].mean()) if n else None,
                "n": n,
            }
        )
    return table


def calibration_error(scores: np.ndarray, truth: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of the top score (how far scores are from hit rates)."""
    if not len(scores):
        return 0.0
    top = scores.argmax(axis=1)
    confidence = scores[np.arange(len(scores)), top]
    correct = truth[np.arange(len(scores)), top]
    edges = np.linspace(0, 1, bins + 1)
    error = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > lo) & (confidence <= hi) if lo else confidence <= hi
        if inside.any():
            error += inside.mean() * abs(confidence[inside].mean() - correct[inside].mean())
    return float(error)
