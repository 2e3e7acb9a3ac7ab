"""Text normalisation with spaCy: lower-cased lemmas for word features, no downloads.

For the codebook's language a blank spaCy pipeline tokenises; lemmas come from the
lookup tables of ``spacy-lookups-data`` where the language has them (sv, da, en, de, ...),
else the lower-cased word is used (e.g. ``xx``, multilingual). A codebook that names an
installed trained pipeline (``pipeline: sv_core_news_sm``) uses that pipeline's lemmas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from coder.errors import CoderError

Normaliser = Callable[[Iterable[str]], list[str]]


@lru_cache(maxsize=4)
def _pipeline(language: str, pipeline: str | None):  # noqa: ANN202 - spaCy Language, table
    import spacy

    if pipeline:
        try:
            nlp = spacy.load(pipeline, exclude=["parser", "ner", "senter", "textcat"])
        except OSError:
            raise CoderError(
                f"the codebook names spaCy pipeline '{pipeline}', which is not installed"
            ) from None
        return nlp, None
    try:
        nlp = spacy.blank(language)
    except Exception as exc:  # spaCy raises ImportError/KeyError for unknown languages
        raise CoderError(f"spaCy has no language '{language}' ({exc})") from None
    table = None
    try:
        from spacy.lookups import load_lookups

        table = load_lookups(language, ["lemma_lookup"]).get_table("lemma_lookup")
    except (ValueError, KeyError, ImportError):
        table = None  # no lookup lemmas for this language: lower-cased words
    return nlp, table


def normaliser(language: str, pipeline: str | None = None, *, lemmas: bool = True) -> Normaliser:
    """A function turning texts into space-separated lower-cased lemmas (or words)."""
    nlp, table = _pipeline(language, pipeline)

    def lemma(token) -> str:  # noqa: ANN001 - spaCy Token
        lower = token.lower_
        if not lemmas or token.is_stop:
            return lower  # the lookup tables mangle some stop words ("med" -> "mede")
        if table is None:
            return token.lemma_.lower() if pipeline else lower
        return str(table.get(lower, table.get(token.text, lower))).lower()

    def normalise(texts: Iterable[str]) -> list[str]:
        return [
            " ".join(lemma(t) for t in doc if not (t.is_space or t.is_punct))
            for doc in nlp.pipe(texts, batch_size=1000)
        ]

    return normalise
