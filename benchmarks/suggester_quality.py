"""Suggester quality on real human-coded data, beside three baselines on the same splits.

For any CSV with columns ``text,label,group`` (group = the case, e.g. a manifesto or a
region), the suggester is trained through the same code path as ``coder train``
(``fit_question_model``) and compared, on the same group splits, with:

- majority class;
- ``TfidfVectorizer()`` + ``LogisticRegression()``;
- ``TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)`` +
  ``LinearSVC(C=0.5)``, ranked by decision scores.

Splits: 80 % / 20 % of the groups, and grouped 5-fold (pooled out-of-fold predictions).
Macro-F1 is taken over every label seen in the truth or the predictions. ECE is the expected
calibration error of the top score (lower is better; only for models with probabilities).

    python benchmarks/suggester_quality.py ../shared/datasets/pimpo-cmp/data.csv
    python benchmarks/suggester_quality.py data.csv --where lang=dan,swe,nor --language xx
    python benchmarks/suggester_quality.py data.csv --coded 200 --splits holdout
    CODER_EMBEDDINGS=off python benchmarks/suggester_quality.py data.csv   # TF-IDF only
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold, GroupShuffleSplit
from sklearn.svm import LinearSVC

from coder.suggest.evaluate import calibration_error
from coder.suggest.question_model import fit_question_model


def top3(order: np.ndarray, classes: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean([y[i] in set(classes[order[i, :3]]) for i in range(len(y))]))


def ece(probs: np.ndarray, classes: np.ndarray, y: np.ndarray) -> float:
    truth = (classes[None, :] == y[:, None]).astype(int)
    return calibration_error(probs, truth)


VECTORS: dict = {}  # "all": the e5 embedding of every text, computed once (see main)


def ours(texts, y, train, test, language, descriptions, groups):
    vectors = VECTORS.get("all")
    model = fit_question_model(
        None,
        [texts[i] for i in train],
        list(y[train]),
        language=language,
        codes=sorted(set(y[train])),
        descriptions=descriptions,
        groups=list(groups[train]),
        vectors=None if vectors is None else vectors[train],
        embeddings=vectors is not None,
    )
    scores = model.scores(
        [texts[i] for i in test], vectors=None if vectors is None else vectors[test]
    )
    return scores, model.rank(scores), np.array(model.codes, dtype=object), True


def majority(texts, y, train, test, language, descriptions, groups):
    classes, counts = np.unique(y[train], return_counts=True)
    scores = np.tile(counts / counts.sum(), (len(test), 1))
    return scores, np.argsort(-scores, axis=1, kind="stable"), classes.astype(object), True


def word_lr(texts, y, train, test, language, descriptions, groups):
    vectorizer = TfidfVectorizer()
    model = LogisticRegression().fit(vectorizer.fit_transform([texts[i] for i in train]), y[train])
    scores = model.predict_proba(vectorizer.transform([texts[i] for i in test]))
    return scores, np.argsort(-scores, axis=1), model.classes_.astype(object), True


def char_svc(texts, y, train, test, language, descriptions, groups):
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    model = LinearSVC(C=0.5).fit(vectorizer.fit_transform([texts[i] for i in train]), y[train])
    scores = model.decision_function(vectorizer.transform([texts[i] for i in test]))
    if scores.ndim == 1:
        scores = np.vstack([-scores, scores]).T
    return scores, np.argsort(-scores, axis=1), model.classes_.astype(object), False


MODELS = {
    "coder suggester": ours,
    "majority class": majority,
    "word TF-IDF + LogisticRegression": word_lr,
    "char_wb 2-5 TF-IDF + LinearSVC(C=0.5)": char_svc,
}


def evaluate(name, fn, texts, y, groups, splits, language, descriptions) -> dict:
    truth, predicted, hits, eces, seconds = [], [], [], [], 0.0
    for train, test in splits:
        started = time.perf_counter()
        scores, order, classes, calibrated = fn(
            texts, y, train, test, language, descriptions, groups
        )
        seconds += time.perf_counter() - started
        predicted.append(classes[order[:, 0]])
        truth.append(y[test])
        hits.append(top3(order, classes, y[test]) * len(test))
        if calibrated:
            eces.append(ece(scores, classes, y[test]) * len(test))
    truth_all, predicted_all = np.concatenate(truth), np.concatenate(predicted)
    n = len(truth_all)
    return {
        "model": name,
        "accuracy": accuracy_score(truth_all, predicted_all),
        "macro_f1": f1_score(truth_all, predicted_all, average="macro", zero_division=0),
        "top3": sum(hits) / n,
        "ece": sum(eces) / n if eces else None,
        "seconds_per_fit": seconds / len(splits),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument(
        "--language", help="spaCy language code (default: LANG file beside, else xx)"
    )
    parser.add_argument(
        "--where", help="keep rows where COLUMN is one of V1,V2,... (e.g. lang=swe)"
    )
    parser.add_argument(
        "--descriptions",
        type=Path,
        help="label,label_name,description CSV for cold-start "
        "(default: codebook.csv beside the data, if any)",
    )
    parser.add_argument(
        "--no-descriptions",
        action="store_true",
        help="no cold-start descriptions, even if codebook.csv is there",
    )
    parser.add_argument("--splits", default="holdout,kfold", help="holdout, kfold or both")
    parser.add_argument(
        "--coded", type=int, help="train on only this many passages of each training split"
    )
    args = parser.parse_args()

    frame = pd.read_csv(args.csv, dtype=str, keep_default_na=False)
    if args.where:
        column, _, values = args.where.partition("=")
        frame = frame[frame[column].isin(values.split(","))].reset_index(drop=True)
    language = args.language
    if language is None:
        lang_file = args.csv.parent / "LANG"
        language = lang_file.read_text().strip() if lang_file.exists() else "xx"
    descriptions = None
    desc_file = args.descriptions or args.csv.parent / "codebook.csv"
    if desc_file.exists() and not args.no_descriptions:
        codebook = pd.read_csv(desc_file, dtype=str, keep_default_na=False)
        descriptions = {
            r["label"]: " ".join(v for k, v in r.items() if k != "label" and v)
            for r in codebook.to_dict("records")
        }
    texts = frame["text"].tolist()
    y = frame["label"].to_numpy(dtype=object)
    groups = frame["group"].to_numpy()
    from coder.suggest import embeddings

    if embeddings.available():
        started = time.perf_counter()
        VECTORS["all"] = embeddings.embed_texts(texts)
        print(f"embedded {len(texts)} texts in {time.perf_counter() - started:.0f} s (once)")
    print(
        f"{args.csv} {args.where or ''}: {len(texts)} texts, {len(set(y))} labels, "
        f"{len(set(groups))} groups, language {language}, "
        f"descriptions {'yes' if descriptions else 'no'}"
    )
    index = np.zeros(len(texts))
    plans = {
        "holdout": (
            "80/20 split of groups",
            list(GroupShuffleSplit(1, test_size=0.2, random_state=0).split(index, y, groups)),
        ),
        "kfold": ("grouped 5-fold, pooled", list(GroupKFold(5).split(index, y, groups))),
    }
    for key in args.splits.split(","):
        title, splits = plans[key]
        if args.coded:
            rng = np.random.default_rng(0)
            splits = [
                (rng.choice(train, min(args.coded, len(train)), replace=False), test)
                for train, test in splits
            ]
            title += f", {args.coded} coded passages per training split"
        print(f"\n{title}\n")
        print("| model | accuracy | macro-F1 | top-3 | ECE | s/fit |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, fn in MODELS.items():
            r = evaluate(name, fn, texts, y, groups, splits, language, descriptions)
            calibration = f"{r['ece']:.3f}" if r["ece"] is not None else "–"
            print(
                f"| {r['model']} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | {r['top3']:.3f} "
                f"| {calibration} | {r['seconds_per_fit']:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
