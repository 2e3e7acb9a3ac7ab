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

from coder.suggest.model import TextClassifier
from coder.suggest.ngrams import word_grams

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
) -> list[list[str]]:
    """For each text and each class index in its row of ``classes`` (n x k), the words or
    phrases of the text that most raised that class's score, strongest first, joined by
    SEPARATOR.

    A word's contribution to a class is the sum, over its character n-grams, of the
    n-gram's IDF x the class's weight: exactly its share of the score up to the passage's
    length normalisation (the same factor for every word of a passage, so it changes no
    order) and up to n-grams repeated within the passage (sublinear TF). Every step but
    the final assembly of strings works on all texts of the batch at once."""
    n, k = classes.shape
    out = [[""] * k for _ in range(n)]
    tokens: list[str] = []
    lengths_list: list[int] = []
    for text in texts:  # str.split() words: the same as char_wb's, one C call per text
        words = text.split()
        tokens.extend(words)
        lengths_list.append(len(words))
    if not tokens:
        return out
    distinct: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    token_of = np.fromiter(map(distinct.__getitem__, tokens), dtype=np.int64, count=len(tokens))
    lower: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    lower_of = np.fromiter(
        (lower[t.lower()] for t in distinct), dtype=np.int64, count=len(distinct)
    )[token_of]
    contribution, needed = _contributions(classifier, list(lower), classes)
    position = np.searchsorted(needed, classes)  # n x k columns of `contribution`
    lengths = np.array(lengths_list, dtype=np.int64)
    text_of = np.repeat(np.arange(n), lengths)  # each word occurrence's text
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    rank_base = np.repeat(starts, lengths)
    nonempty = lengths > 0
    shown = np.array([t.strip(_EDGE) for t in distinct], dtype=object)
    shown[[SEPARATOR in t for t in shown]] = ""
    for j in range(k):
        # every occurrence's contribution to its text's j-th class, all texts at once
        value = contribution[lower_of, position[text_of, j]]
        order = np.lexsort((-value, text_of))  # by text, strongest first within it
        rank = np.empty(len(value), dtype=np.int64)
        rank[order] = np.arange(len(value)) - rank_base[order]
        best = np.zeros(n)
        best[nonempty] = np.maximum.reduceat(value, starts[nonempty])
        kept = np.flatnonzero((rank < items) & (value > np.maximum(MIN_SHARE * best, 0.0)[text_of]))
        if not len(kept):
            continue
        # neighbouring kept words of a text form a phrase, strength the sum of its words
        begins = np.ones(len(kept), dtype=bool)
        begins[1:] = (np.diff(kept) != 1) | (np.diff(text_of[kept]) != 0)
        first = np.flatnonzero(begins)
        strength = np.add.reduceat(value[kept], first)
        last = kept[np.append(first[1:], len(kept)) - 1]
        first = kept[first]
        group_text = text_of[first]
        by_strength = np.lexsort((-strength, group_text))
        phrases = shown[token_of[first]]
        for g in np.flatnonzero(last > first).tolist():  # phrases of several words
            phrases[g] = _phrase(
                texts[group_text[g]], tokens, starts[group_text[g]], first[g], last[g]
            )
        phrases = phrases[by_strength].tolist()
        bounds = np.flatnonzero(np.diff(group_text[by_strength])) + 1
        owners = group_text[by_strength][np.concatenate([[0], bounds])].tolist()
        for text, a, b in zip(
            owners, [0, *bounds.tolist()], [*bounds.tolist(), len(phrases)], strict=True
        ):
            out[text][j] = SEPARATOR.join(filter(None, dict.fromkeys(phrases[a:b])))
    return out


def _contributions(
    classifier: TextClassifier, words: list[str], classes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each lower-cased word's contribution to each class in ``classes`` (distinct words x
    needed classes) and the needed classes' indices."""
    columns = classifier.features_.output_indices_
    weights = classifier.features_.transformer_weights or {}
    char = classifier.features_.named_transformers_["char"]
    needed = np.unique(classes)
    coef = classifier.coef_[needed][:, columns["char"]] * weights.get("char", 1.0)
    coef = coef * char.idf_.astype(np.float32)
    return np.asarray(word_grams(char, words) @ coef.T), needed


def _phrase(text: str, tokens: list[str], start: int, first: int, last: int) -> str:
    """The words ``first..last`` (indices into ``tokens``; the text's words begin at
    ``start``) as a verbatim substring of ``text``, edge punctuation stripped; "" when it
    holds the separator."""
    phrase = " ".join(tokens[first : last + 1])
    if phrase not in text:  # other white space between the words
        spans = [m.span() for m in _WORD.finditer(text)]
        phrase = text[spans[first - start][0] : spans[last - start][1]]
    phrase = phrase.strip(_EDGE)
    return "" if SEPARATOR in phrase else phrase
