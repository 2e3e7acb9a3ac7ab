"""A fitted TF-IDF vectorizer's rows for a batch of texts, computed fast.

scikit-learn's analysers walk every character of every text in Python. The suggester's
vectorizers (``CharTfidf``, ``LemmaTfidf`` in ``coder.suggest.model``) transform through
these functions instead: the same matrix, several times faster
(``benchmarks/suggest_speed.py``). The character n-grams of each distinct word are
remembered per fitted vectorizer, so a batch costs one lookup per distinct word.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections import defaultdict

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

MAX_KNOWN_WORDS = 500_000  # remembered words per vectorizer; forgotten when full


class _KnownWords:
    """The char_wb n-gram counts of every word a fitted vectorizer has met, one row per
    word of a CSR matrix, so a batch's words become a matrix with one dictionary lookup
    per word and a C-level row selection. Holds no reference to the vectorizer (it is
    the key of a weak dictionary); a lock keeps threads (the coding screen's background
    retraining) from interleaving their additions."""

    def __init__(self, vectorizer: TfidfVectorizer) -> None:
        self.analyse = clone(vectorizer).build_analyzer()  # the same analyser, unfitted
        self.vocabulary = vectorizer.vocabulary_
        self.lock = threading.Lock()
        self._forget()

    def _forget(self) -> None:
        self.row: dict[str, int] = {}
        self.matrix = sp.csr_matrix((0, len(self.vocabulary)), dtype=np.float32)

    def grams(self, words: list[str]) -> sp.csr_matrix:
        """(words x vocabulary) n-gram counts of distinct lower-cased ``words``."""
        with self.lock:
            new = [w for w in words if w not in self.row]
            if len(self.row) + len(new) > MAX_KNOWN_WORDS:
                self._forget()
                new = list(words)
            if new:
                vocabulary = self.vocabulary
                columns: list[int] = []
                indptr = [0]
                for word in new:
                    self.row[word] = len(self.row)
                    columns.extend(vocabulary[g] for g in self.analyse(word) if g in vocabulary)
                    indptr.append(len(columns))
                added = sp.csr_matrix(
                    (np.ones(len(columns), dtype=np.float32), columns, indptr),
                    shape=(len(new), len(vocabulary)),
                )
                self.matrix = sp.vstack([self.matrix, added], format="csr")
            rows = np.fromiter(map(self.row.__getitem__, words), dtype=np.int64, count=len(words))
            return self.matrix[rows]


_known: weakref.WeakKeyDictionary[TfidfVectorizer, _KnownWords] = weakref.WeakKeyDictionary()
_known_lock = threading.Lock()


def word_grams(vectorizer: TfidfVectorizer, words: list[str]) -> sp.csr_matrix:
    """(words x vocabulary) counts of the char_wb n-grams of distinct lower-cased words,
    remembered per vectorizer."""
    with _known_lock:
        known = _known.get(vectorizer)
        if known is None:
            known = _known[vectorizer] = _KnownWords(vectorizer)
    return known.grams(words)


def char_wb_transform(vectorizer: TfidfVectorizer, texts: list[str]) -> sp.csr_matrix:
    """``vectorizer.transform(texts)`` for a fitted ``char_wb`` TF-IDF vectorizer (see
    ``char_counts``)."""
    return _weigh(vectorizer, char_counts(vectorizer, texts))


def char_counts(vectorizer: TfidfVectorizer, texts: list[str]) -> sp.csr_matrix:
    """The raw n-gram counts of a fitted ``char_wb`` vectorizer's vocabulary in each text,
    computed once per distinct word.

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
    grams = word_grams(vectorizer, list(index))  # a dict keeps insertion order: row == id
    # a product's rows hold each column once (unsorted, which nothing downstream needs):
    # sorting them took a fifth of the time
    return (words @ grams).tocsr()


def word_transform(vectorizer: TfidfVectorizer, texts: list[str]) -> sp.csr_matrix:
    """``vectorizer.transform(texts)`` for a fitted whitespace-token word n-gram vectorizer
    (the lemma features), looking n-grams up with C-level maps instead of scikit-learn's
    per-text analyser."""
    get = vectorizer.vocabulary_.get
    low, high = vectorizer.ngram_range
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
