"""A trained suggester for one codebook question, with a cold start.

Before anyone has coded, passages are scored by their similarity to each code's label,
definition, include notes and examples (``cold-start`` scores). Once there are codings, each
code's description joins the training data as one more example of the code, so the codebook
keeps speaking for codes with few codings and fades as codings accumulate. A model is reported
as cold-start while any code has fewer than COLD_START_CODINGS codings.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from scipy.special import softmax
from sklearn.feature_extraction.text import TfidfVectorizer

from coder.codebook import Code, Question
from coder.suggest.features import normaliser
from coder.suggest.model import TextClassifier

COLD_START_CODINGS = 5
# The top suggestion is chosen among the RERANK_WINDOW most likely codes with a correction for
# how common each code is in the training data (log p - PRIOR_CORRECTION * log prior), so that
# rare codes are not always outvoted by frequent ones; the set of the top three stays the
# most likely three. Measured with benchmarks/suggester_quality.py: raises macro-F1 while
# top-3 accuracy is unchanged.
RERANK_WINDOW = 3
PRIOR_CORRECTION = 1.0
COLD_TEMPERATURE = 0.05  # similarity differences of ~0.05 count as one unit of evidence
# Chosen with benchmarks/suggester_quality.py (see the README's quality table).
DEFAULT_PARAMS: dict = {
    "C": 0.5,
    "char_ngrams": (2, 5),
    "word_ngrams": (1, 2),
    "word_weight": 0.5,
    "class_weight": None,
}


def describe(code: Code) -> str:
    """The text a code is recognised by before anyone has coded with it."""
    return " ".join(
        part for part in (code.label, code.definition, code.include, *code.examples) if part
    )


@dataclass
class QuestionModel:
    question_id: str
    mode: str
    codes: list[str]
    language: str
    pipeline: str | None
    code_counts: dict[str, int]
    descriptions: dict[str, str]
    n_train: int
    classifier: TextClassifier | None = None
    params: dict = field(default_factory=dict)

    @property
    def cold_start(self) -> bool:
        """Whether any code still leans on cold-start similarity scores."""
        return any(self.code_counts.get(c, 0) < COLD_START_CODINGS for c in self.codes)

    def inputs(self, texts: list[str]) -> list[tuple[str, str]]:
        lemmas = normaliser(self.language, self.pipeline)(texts)
        return list(zip(texts, lemmas, strict=True))

    def scores(self, texts: list[str], inputs: list[tuple[str, str]] | None = None) -> np.ndarray:
        """Calibrated scores, one row per text and one column per code (codebook order)."""
        if not texts:
            return np.zeros((0, len(self.codes)))
        if self.classifier is None:
            return cold_start_scores(texts, [self.descriptions.get(c) or c for c in self.codes])
        scores = np.zeros((len(texts), len(self.codes)))
        probs = self.classifier.predict_proba(inputs or self.inputs(texts))
        column = {c: i for i, c in enumerate(self.codes)}
        for j, code in enumerate(self.classifier.classes_):
            if code in column:
                scores[:, column[code]] = probs[:, j]
        return scores

    def rank(self, scores: np.ndarray) -> np.ndarray:
        """Column order of codes per row, best suggestion first (see RERANK_WINDOW)."""
        order = np.argsort(-scores, axis=1, kind="stable")
        if self.mode != "single" or self.n_train == 0 or scores.shape[1] < 2:
            return order
        counts = np.array([self.code_counts.get(c, 0) for c in self.codes], dtype=float)
        log_prior = np.log((counts + 0.5) / (counts.sum() + 0.5 * len(counts)))
        adjusted = np.log(np.clip(scores, 1e-12, None)) - PRIOR_CORRECTION * log_prior
        window = order[:, :RERANK_WINDOW]
        rows = np.arange(len(scores))[:, None]
        inner = np.argsort(-adjusted[rows, window], axis=1, kind="stable")
        order[:, :RERANK_WINDOW] = window[rows, inner]
        return order

    def thresholds(self) -> np.ndarray:
        """Per-code thresholds for multi questions (0.5 where the classifier has none)."""
        out = np.full(len(self.codes), 0.5)
        if self.classifier is not None and self.mode == "multi":
            column = {c: i for i, c in enumerate(self.codes)}
            for j, code in enumerate(self.classifier.classes_):
                if code in column:
                    out[column[code]] = self.classifier.thresholds_[j]
        return out


def cold_start_scores(texts: list[str], descriptions: list[str]) -> np.ndarray:
    """Similarity of each text to each code description, as a softmax over the codes."""
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    vectorizer.fit(list(descriptions) + list(texts))
    similarity = (vectorizer.transform(texts) @ vectorizer.transform(descriptions).T).toarray()
    return softmax(similarity / COLD_TEMPERATURE, axis=1)


def fit_question_model(
    question: Question | None,
    texts: list[str],
    labels: list,
    *,
    language: str,
    pipeline: str | None = None,
    codes: list[str] | None = None,
    descriptions: dict[str, str] | None = None,
    params: dict | None = None,
    groups: list[str] | None = None,
) -> QuestionModel:
    """Train the suggester for one question: the code path of `coder train` and the benchmark.

    ``groups`` (each passage's case) keeps cases apart in the calibration folds.

    ``labels`` holds one code per text (single) or a list of codes per text (multi).
    """
    mode = question.mode if question else "single"
    if codes is None:
        codes = [c.id for c in question.codes] if question else sorted(set(labels))
    codes = list(codes)
    if descriptions is None and question is not None:
        descriptions = {c.id: describe(c) for c in question.codes}
    params = {**DEFAULT_PARAMS, **(params or {})}
    if mode == "single":
        counts = Counter(labels)
    else:
        counts = Counter(code for row in labels for code in row)
    model = QuestionModel(
        question_id=question.id if question else "question",
        mode=mode,
        codes=codes,
        language=language,
        pipeline=pipeline,
        code_counts={c: int(counts.get(c, 0)) for c in codes},
        descriptions=dict(descriptions or {}),
        n_train=len(texts),
        params=params,
    )
    trainable = len({c for c in codes if counts.get(c, 0) > 0}) >= (2 if mode == "single" else 1)
    if texts and trainable:
        texts, labels = list(texts), list(labels)
        groups = list(groups) if groups is not None else None
        for code in codes:  # the codebook's description of a code is one more example of it
            if model.descriptions.get(code):
                texts.append(model.descriptions[code])
                labels.append(code if mode == "single" else [code])
                if groups is not None:
                    groups.append("(codebook)")
        inputs = model.inputs(texts)
        classifier = TextClassifier(mode=mode, classes=tuple(codes), **params)
        if mode == "single":
            classifier.fit(inputs, labels, groups)
        else:
            index = {c: j for j, c in enumerate(codes)}
            matrix = np.zeros((len(labels), len(codes)), dtype=np.int8)
            for i, row in enumerate(labels):
                for code in row:
                    matrix[i, index[code]] = 1
            classifier.fit(inputs, matrix, groups)
        model.classifier = classifier
    return model
