"""The suggester's fast parts against plain reference computations: the one-vs-rest SVM
shared among threads, and the evidence words."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from coder.suggest import svm as suggester_svm
from coder.suggest.evidence import _EDGE, MAX_ITEMS, MIN_SHARE, SEPARATOR, evidence
from coder.suggest.model import TextClassifier, frame
from coder.suggest.svm import binary_fits, one_vs_rest

WORDS = [
    "lärandeplan",
    "ramverk",
    "uppföljning",
    "analys",
    "utredning",
    "kartläggning",
    "seminarium",
    "konferens",
    "spridning",
    "näringsliv",
    "region",
    "kommun",
    "arbete",
    "året",
    "med",
    "och",
    "av",
    "för",
    "i",
]


def _texts(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    odd = ["–", "«plan»", "a;b", "Analys,", "ANALYS", "analys.", "\t", "  "]
    texts = []
    for _ in range(n):
        words = [rng.choice(WORDS + odd) for _ in range(rng.randint(0, 14))]
        texts.append("".join(w + rng.choice([" ", "  ", "\n", " "]) for w in words))
    return texts


def _wide(texts: list[str], seed: int = 0) -> list[str]:
    """The texts with made-up words added: more n-grams than texts, so LinearSVC uses the
    dual solver, as on real corpora (about 200,000 n-grams)."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyzåäö"
    return [
        t + " " + " ".join("".join(rng.choice(letters) for _ in range(8)) for _ in range(3))
        for t in texts
    ]


def _labels(texts: list[str], codes: list[str], seed: int = 0) -> np.ndarray:
    rng = random.Random(seed)
    return np.array(
        [
            codes[sum(map(ord, t)) % len(codes)] if rng.random() < 0.7 else rng.choice(codes)
            for t in texts
        ],
        dtype=object,
    )


@pytest.mark.parametrize("class_weight", [None, "balanced"])
@pytest.mark.parametrize("codes", [["101", "102", "201", "202", "301"], ["a", "b", "c", "d"]])
def test_one_vs_rest_in_threads_equals_one_fit(monkeypatch, class_weight, codes):
    """Shared among two threads (labels that look like numbers included), the weights
    are liblinear's one-vs-rest weights of a single fit."""
    monkeypatch.setattr(suggester_svm, "threads", lambda: 2)
    texts = _texts(400)
    y = _labels(texts, codes).astype(str)
    matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit_transform(_wide(texts))
    assert matrix.shape[1] > matrix.shape[0]  # the dual solver, as in use
    svm = LinearSVC(C=0.5, class_weight=class_weight, random_state=0)
    one = svm.fit(matrix, y)
    parts = list(one_vs_rest(svm, matrix, y, np.unique(y)))
    assert len(parts) == 2
    classes = np.concatenate([p[0] for p in parts])
    coef = np.vstack([p[1] for p in parts])
    intercept = np.concatenate([p[2] for p in parts])
    assert classes.tolist() == one.classes_.tolist()
    np.testing.assert_allclose(coef, one.coef_, atol=1e-4)
    np.testing.assert_allclose(intercept, one.intercept_, atol=1e-4)


def _reference(classifier: TextClassifier, text: str, cls: int) -> str:
    """The evidence of one text for one class, word by word, with scikit-learn's analyser."""
    char = classifier.features_.named_transformers_["char"]
    where = classifier.features_.output_indices_["char"]
    weight = (classifier.features_.transformer_weights or {}).get("char", 1.0)
    coef = classifier.coef_[cls, where] * weight
    analyse = char.build_analyzer()
    words = text.split()
    value = [
        sum(
            char.idf_[char.vocabulary_[g]] * coef[char.vocabulary_[g]]
            for g in analyse(w)
            if g in char.vocabulary_
        )
        for w in words
    ]
    if not words:
        return ""
    best = max(value)
    ranked = sorted(range(len(words)), key=lambda i: -value[i])  # stable: reading order
    kept = sorted(
        i for r, i in enumerate(ranked) if r < MAX_ITEMS and value[i] > max(MIN_SHARE * best, 0)
    )
    groups: list[list[int]] = []
    for i in kept:
        if groups and groups[-1][-1] == i - 1:
            groups[-1].append(i)
        else:
            groups.append([i])
    groups.sort(key=lambda g: -sum(value[i] for i in g))
    out: list[str] = []
    for g in groups:
        phrase = " ".join(words[g[0] : g[-1] + 1])
        if phrase not in text:
            starts = [m.start() for m in re.finditer(r"\S+", text)]
            phrase = text[starts[g[0]] : starts[g[-1]] + len(words[g[-1]])]
        phrase = phrase.strip(_EDGE)
        if phrase and SEPARATOR not in phrase and phrase not in out:
            out.append(phrase)
    return SEPARATOR.join(out)


def test_evidence_equals_a_word_by_word_reference():
    texts = _texts(300, seed=1)
    codes = ["plan", "analys", "seminarium", "annat"]
    y = _labels(texts, codes)
    data = frame(texts, [t.lower() for t in texts], None)
    classifier = TextClassifier(calibration_folds=0, C=1.0).fit(data, y)
    rng = np.random.default_rng(2)
    classes = rng.integers(0, len(classifier.classes_), size=(len(texts), 3))
    found = evidence(classifier, texts, classes)
    checked = 0
    for i, text in enumerate(texts):
        for j in range(3):
            assert found[i][j] == _reference(classifier, text, int(classes[i, j])), (text, j)
            checked += bool(found[i][j])
            for phrase in filter(None, found[i][j].split(SEPARATOR)):
                assert phrase in text
    assert checked > 300  # most texts have evidence for most classes
    assert any(" " in f for row in found for f in row)  # phrases of several words occur


@pytest.mark.parametrize("columns", [2, 5])
def test_binary_fits_on_the_cores_equal_one_fit_per_code(monkeypatch, columns):
    monkeypatch.setattr(suggester_svm, "threads", lambda: 2)
    texts = _texts(300, seed=3)
    matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit_transform(_wide(texts))
    assert matrix.shape[1] > matrix.shape[0]
    rng = np.random.default_rng(4)
    Y = (rng.random((len(texts), columns)) < 0.3).astype(np.int8)
    Y[:, 0] = [("analys" in t.lower()) for t in texts]
    svm = LinearSVC(C=0.5, class_weight="balanced", random_state=0)
    fitted = binary_fits(svm, matrix, Y)
    assert len(fitted) == columns
    for j, (coef, intercept) in enumerate(fitted):
        one = LinearSVC(C=0.5, class_weight="balanced", random_state=0).fit(matrix, Y[:, j])
        np.testing.assert_allclose(coef, one.coef_[0], atol=1e-4)
        assert intercept == pytest.approx(one.intercept_[0], abs=1e-4)
