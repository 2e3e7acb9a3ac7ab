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

import itertools
import re
import string
from collections import defaultdict

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
    index: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    flat_ids: list[int] = []
    lengths_list: list[int] = []
    for text in texts:  # str.split() words: the same as char_wb's, one C call per text
        before = len(flat_ids)
        flat_ids.extend(map(index.__getitem__, text.lower().split()))
        lengths_list.append(len(flat_ids) - before)
    needed = np.unique(classes)
    coef = classifier.coef_[needed][:, columns["char"]] * weights.get("char", 1.0)
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
    lengths = np.array(lengths_list, dtype=np.int64)
    text_of = np.repeat(np.arange(len(texts)), lengths)  # each word occurrence's text
    flat = np.asarray(flat_ids, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
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
        kept = np.flatnonzero((rank < items) & (value > floor))  # in (text, word) order
        where = text_of[kept]
        for text, word, strength in zip(
            where.tolist(), (kept - starts[where]).tolist(), value[kept].tolist(), strict=True
        ):
            out[text][j].append((word, strength))
    return [
        [_phrases(text, words, chosen) for chosen in row] if any(row) else [[] for _ in row]
        for text, row in zip(texts, out, strict=True)
        for words in [text.split() if any(row) else []]
    ]


def _phrases(text: str, words: list[str], chosen: list[tuple[int, float]]) -> list[str]:
    """The chosen words ((index among ``words``, i.e. ``text.split()``, contribution), in
    reading order), neighbours joined, the strongest phrase first, as verbatim substrings of
    ``text``."""
    if not chosen:
        return []
    groups: list[list[tuple[int, float]]] = []
    for item in chosen:
        if groups and groups[-1][-1][0] == item[0] - 1:
            groups[-1].append(item)
        else:
            groups.append([item])
    groups.sort(key=lambda g: -sum(v for _, v in g))
    out: list[str] = []
    for group in groups:
        first, last = group[0][0], group[-1][0]
        phrase = " ".join(words[first : last + 1])
        if last > first and phrase not in text:  # other white space between the words
            spans = [m.span() for m in _WORD.finditer(text)]
            phrase = text[spans[first][0] : spans[last][1]]
        phrase = phrase.strip(_EDGE)
        if phrase and SEPARATOR not in phrase and phrase not in out:
            out.append(phrase)
    return out
