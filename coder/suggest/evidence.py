"""Why the suggester thinks a code fits: the words of the passage that most raised its score.

The classifier is linear, so a passage's score for a code is a sum over its features of
value x weight. A character n-gram feature comes from the whitespace-separated words it lies
in (``char_wb`` n-grams never cross a space), so its contribution is shared among those word
occurrences, and each word of the passage gets a contribution per code. The words that raise
the score most, adjacent ones joined into phrases, are the evidence: up to MAX_ITEMS verbatim
substrings of the passage. The lemma n-grams largely repeat what the character n-grams of
the same words say and are left out (attributing them too took 6 s per 20,000 passages);
the embedding part of the score belongs to the passage as a whole.
"""

from __future__ import annotations

import re
import string

import numpy as np
import scipy.sparse as sp

from coder.suggest.model import TextClassifier, word_grams

MAX_ITEMS = 5
MIN_SHARE = 0.2  # a word counts as evidence when it adds at least this share of the best's
SEPARATOR = ";"
_WORD = re.compile(r"\S+")
_EDGE = string.punctuation + "«»“”„‘’–—…"


def evidence(
    classifier: TextClassifier,
    texts: list[str],
    classes: np.ndarray,
    *,
    items: int = MAX_ITEMS,
) -> list[list[list[str]]]:
    """For each text and each class index in its row of ``classes`` (n x k), the words or
    phrases of the text that most raised that class's score, strongest first.

    A word's contribution to a class is the sum, over its character n-grams, of the
    n-gram's IDF x the class's weight: exactly its share of the score up to the passage's
    length normalisation (the same factor for every word of a passage, so it changes no
    order) and up to n-grams repeated within the passage (sublinear TF)."""
    columns = classifier.features_.output_indices_
    weights = classifier.features_.transformer_weights or {}
    char = classifier.features_.named_transformers_["char"]
    spans = [[m.span() for m in _WORD.finditer(text)] for text in texts]
    index: dict[str, int] = {}
    ids = [
        [index.setdefault(text[a:b].lower(), len(index)) for a, b in text_spans]
        for text, text_spans in zip(texts, spans, strict=True)
    ]
    needed = np.unique(classes)
    coef = classifier.coefficients()[needed][:, columns["char"]] * weights.get("char", 1.0)
    coef = coef * char.idf_.astype(np.float32)
    indptr, grams = [0], []
    for word in index:
        grams.extend(word_grams(char, word))
        indptr.append(len(grams))
    per_word = sp.csr_matrix(
        (np.ones(len(grams), dtype=np.float32), grams, indptr), shape=(len(index), coef.shape[1])
    )
    contribution = np.asarray(per_word @ coef.T)  # distinct words x needed classes
    position = np.searchsorted(needed, classes)  # n x k columns of `contribution`
    lengths = np.array([len(x) for x in spans])
    text_of = np.repeat(np.arange(len(texts)), lengths)  # each word occurrence's text
    flat = np.fromiter((i for row in ids for i in row), dtype=np.int64, count=int(lengths.sum()))
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    rank_base = np.repeat(starts, lengths)
    out: list[list[list[str]]] = [[[] for _ in row] for row in classes]
    if not len(flat):
        return out
    nonempty = lengths > 0
    for j in range(classes.shape[1]):
        # every occurrence's contribution to its text's j-th class, all texts at once
        value = contribution[flat, position[text_of, j]]
        order = np.lexsort((-value, text_of))  # by text, strongest first within it
        rank = np.empty(len(flat), dtype=np.int64)
        rank[order] = np.arange(len(flat)) - rank_base[order]
        best = np.zeros(len(texts))
        best[nonempty] = np.maximum.reduceat(value, starts[nonempty])
        floor = np.maximum(MIN_SHARE * best, 0.0)[text_of]
        for k in np.flatnonzero((rank < items) & (value > floor)):
            text = int(text_of[k])
            out[text][j].append((int(k - starts[text]), float(value[k])))
    return [
        [_phrases(text, text_spans, chosen) for chosen in row]
        for text, text_spans, row in zip(texts, spans, out, strict=True)
    ]


def _phrases(text: str, spans: list[tuple[int, int]], chosen: list[tuple[int, float]]) -> list[str]:
    """The chosen words ((index, contribution), in reading order), neighbours joined, the
    strongest phrase first, as verbatim substrings of ``text``."""
    scores = dict(chosen)
    groups: list[list[int]] = []
    for i, _ in chosen:
        if groups and groups[-1][-1] == i - 1:
            groups[-1].append(i)
        else:
            groups.append([i])
    strength = {tuple(g): sum(scores[i] for i in g) for g in groups}
    out = []
    for group in sorted(groups, key=lambda g: -strength[tuple(g)]):
        start, end = spans[group[0]][0], spans[group[-1]][1]
        while start < end and text[start] in _EDGE:
            start += 1
        while end > start and text[end - 1] in _EDGE:
            end -= 1
        phrase = text[start:end]
        if phrase and SEPARATOR not in phrase and phrase not in out:
            out.append(phrase)
    return out
