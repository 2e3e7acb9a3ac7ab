"""Text normalisation with spaCy: lower-cased lemmas for word features, no downloads.

For the codebook's language a blank spaCy pipeline tokenises; lemmas come from the
lookup tables of ``spacy-lookups-data`` where the language has them (sv, da, en, de, ...),
else the lower-cased word is used (e.g. ``xx``, multilingual). A codebook that names an
installed trained pipeline (``pipeline: sv_core_news_sm``) uses that pipeline's lemmas.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import subprocess
import sys
import threading
from collections.abc import Callable, Generator, Iterable
from functools import lru_cache
from typing import IO, TYPE_CHECKING, cast

from coder.errors import CoderError
from coder.i18n import _

if TYPE_CHECKING:  # spaCy is imported when first needed: it takes seconds
    from spacy.language import Language
    from spacy.tokens import Doc, Token

Normaliser = Callable[[Iterable[str]], list[str]]
MAX_KNOWN_CHUNKS = 500_000  # remembered chunk -> lemmas; cleared when full


@lru_cache(maxsize=4)
def _pipeline(language: str, pipeline: str | None) -> tuple[Language, dict | None]:
    import spacy

    if pipeline:
        try:
            nlp = spacy.load(pipeline, exclude=["parser", "ner", "senter", "textcat"])
        except OSError:
            raise CoderError(
                _("the codebook names spaCy pipeline '{pipeline}', which is not installed").format(
                    pipeline=pipeline
                )
            ) from None
        return nlp, None
    try:
        nlp = spacy.blank(language)
    except Exception as exc:  # noqa: BLE001 - spaCy raises ImportError/KeyError for unknown languages
        raise CoderError(
            _("spaCy has no language '{language}' ({reason})").format(language=language, reason=exc)
        ) from None
    from spacy.util import load_language_data, registry

    # The lookup table as a plain dict: what spacy.lookups.load_lookups reads, without
    # building its hashed Table (seconds for Swedish's 660,000 entries).
    tables = registry.lookups.get(language) if language in registry.lookups else {}
    if "lemma_lookup" not in tables:
        return nlp, None  # no lookup lemmas for this language: lower-cased words
    return nlp, cast(dict, load_language_data(tables["lemma_lookup"]))  # a JSON object


@lru_cache(maxsize=8)
def normaliser(language: str, pipeline: str | None = None, *, lemmas: bool = True) -> Normaliser:
    """A function turning texts into space-separated lower-cased lemmas (or words).

    spaCy's tokenizer splits text at whitespace first and tokenizes each whitespace-free
    chunk on its own (prefixes, suffixes, infixes, exceptions), so a chunk always gives the
    same tokens. The normaliser therefore asks spaCy once per distinct chunk and remembers
    the answer: on large batches this is several times faster than tokenizing every text
    and gives the same result (tests compare both). A trained pipeline's lemmas depend on
    context, so with one every text goes through the whole pipeline.
    """
    nlp, table = _pipeline(language, pipeline)
    known: dict[str, str] = {}

    def lemma(token: Token) -> str:
        lower = token.lower_
        if not lemmas or token.is_stop:
            return lower  # the lookup tables mangle some stop words ("med" -> "mede")
        if table is None:
            return token.lemma_.lower() if pipeline else lower
        return str(table.get(lower, table.get(token.text, lower))).lower()

    def features(doc: Doc) -> str:
        return " ".join(lemma(t) for t in doc if not (t.is_space or t.is_punct))

    def chunk(text: str) -> str:
        if len(known) > MAX_KNOWN_CHUNKS:
            known.clear()
        known[text] = value = features(nlp.make_doc(text))
        return value

    def normalise(texts: Iterable[str]) -> list[str]:
        if pipeline:
            return [features(doc) for doc in nlp.pipe(texts, batch_size=1000)]
        out = []
        for text in texts:
            parts = [known.get(c) for c in text.split()]
            if None in parts:
                parts = [
                    chunk(c) if p is None else p for c, p in zip(text.split(), parts, strict=True)
                ]
            out.append(" ".join(filter(None, parts)))
        return out

    return normalise


# From this many passages `coder suggest` tokenises in a second process (see
# normalise_batches; measured with benchmarks/suggest_speed.py).
PARALLEL_FROM = 20_000
_prestarted: dict[tuple[str, str | None], subprocess.Popen[str]] = {}


def _spawn(language: str, pipeline: str | None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "coder.suggest.features", language, pipeline or ""],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        encoding="utf-8",
    )


def _pipes(worker: subprocess.Popen[str]) -> tuple[IO[str], IO[str]]:
    """The worker's stdin and stdout: both pipes, as ``_spawn`` opens them."""
    assert worker.stdin is not None and worker.stdout is not None
    return worker.stdin, worker.stdout


def prestart(language: str, pipeline: str | None) -> None:
    """Start the tokenising process now: it needs seconds to import spaCy and read the
    lemma table, which then overlap with the caller's own start-up. ``normalise_batches``
    takes it over; ``stop_prestarted`` ends one that was never used."""
    if (language, pipeline) not in _prestarted:
        if not _prestarted:
            atexit.register(stop_prestarted)
        _prestarted[(language, pipeline)] = _spawn(language, pipeline)


def stop_prestarted() -> None:
    while _prestarted:
        worker = _prestarted.popitem()[1]
        worker.kill()
        worker.wait()
        for stream in _pipes(worker):
            stream.close()


def normalise_batches(
    language: str, pipeline: str | None, batches: Iterable[list[str]], *, parallel: bool
) -> Generator[list[str], None, None]:
    """The normalised texts of each batch, in order.

    With ``parallel``, a second Python process (``python -m coder.suggest.features``) runs
    spaCy on the batches ahead of the caller, who meanwhile builds features and scores the
    previous batch, so on two cores the tokenising no longer adds to the wall time. It pays
    off from some ten thousand passages; the process needs a few seconds to start. Batches
    travel as one JSON line each way; a thread feeds the process so neither side can block
    the other on a full pipe.
    """
    if not parallel:
        for texts in batches:
            yield normaliser(language, pipeline)(texts)
        return
    worker = _prestarted.pop((language, pipeline), None) or _spawn(language, pipeline)
    stdin, stdout = _pipes(worker)

    def feed() -> None:
        try:
            for texts in batches:
                stdin.write(json.dumps(texts, ensure_ascii=False) + "\n")
                stdin.flush()
        except (BrokenPipeError, ValueError):
            pass  # the worker ended; the reader reports it
        finally:
            with contextlib.suppress(BrokenPipeError, ValueError):
                stdin.close()

    feeder = threading.Thread(target=feed, name="coder-tokeniser-feed", daemon=True)
    feeder.start()
    try:
        while line := stdout.readline():
            yield json.loads(line)
        if worker.wait() != 0:
            raise CoderError(
                _("the tokenising process failed (exit code {code})").format(code=worker.returncode)
            )
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait()
        stdout.close()
        feeder.join(timeout=5)


def _serve(language: str, pipeline: str | None) -> None:
    """The other end of ``normalise_batches``: a JSON list of texts per line in, the
    normalised texts out."""
    normalise = normaliser(language, pipeline)
    for line in sys.stdin:
        sys.stdout.write(json.dumps(normalise(json.loads(line)), ensure_ascii=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    for stream in (sys.stdin, sys.stdout):
        cast(io.TextIOWrapper, stream).reconfigure(encoding="utf-8")
    _serve(sys.argv[1], sys.argv[2] or None)
