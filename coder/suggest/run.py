"""``coder suggest`` on a whole project, started in the order that hides start-up time.

On a large project the passages are tokenised in a second process (``features``), which
needs seconds to import spaCy and read its lemma table. It is started before the
suggester's own modules are imported (scikit-learn takes seconds too), so the two
overlap; that is why ``coder.suggest.suggesting`` is imported inside the function.
"""

from __future__ import annotations

from collections.abc import Callable

from coder.store import Store, queries
from coder.suggest import features

Progress = Callable[[int, int], None]  # (done, total)


def suggest_project(
    store: Store,
    question: str | None = None,
    *,
    top: int = 3,
    only_uncoded: bool = False,
    progress: Progress | None = None,
) -> dict[str, tuple[str, int, bool]]:
    """Score every passage (or the uncoded ones) and store the top suggestions per question:
    question -> (model id, passages scored, cold start), as ``suggesting.suggest``."""
    if queries.segment_count(store) >= features.PARALLEL_FROM:
        codebook = store.codebook()
        features.prestart(codebook.language, codebook.pipeline)
    try:
        from coder.suggest.suggesting import suggest

        return suggest(store, question, top=top, only_uncoded=only_uncoded, progress=progress)
    finally:
        features.stop_prestarted()
