"""Running a per-question report over one question or every question of the codebook.

``--question`` left out means "every question", but what then counts as a result differs:
a question nobody has coded twice has no agreement figures, and is left out of the "every
question" run instead of stopping it. These rules live here, not in the command line.
"""

from __future__ import annotations

from collections.abc import Callable

from coder.errors import CoderError
from coder.i18n import _
from coder.reports import agreement as ag
from coder.store.store import Store

Progress = Callable[[int, int], None]  # (done, total)


def question_ids(store: Store, question: str | None) -> list[str]:
    """The one question asked for (checked against the codebook), else every question."""
    codebook = store.codebook()
    return [codebook.question(question).id] if question else [q.id for q in codebook.questions]


def agreements(
    store: Store, question: str | None = None, coders: list[str] | None = None
) -> list[ag.Agreement]:
    """Agreement between ``coders`` (default: all who coded it but ``consensus``) on one
    question, or on every question two or more of them coded."""
    results = []
    for q in question_ids(store, question):
        try:
            results.append(ag.agreement(store, q, coders))
        except ag.TooFewCoders:
            if question:  # asked for this question: say why it has no figures
                raise
    if not results:
        raise CoderError(
            _(
                "no question has codings by two or more coders yet; "
                "code the same passages as another coder (or `coder merge` their project)"
            )
        )
    return results


def evaluations(
    store: Store, question: str | None, folds: int, progress: Progress | None = None
) -> list[dict]:
    """Cross-validated metrics (grouped by case) for one question or every question."""
    from coder.suggest.service import evaluate_question

    codebook = store.codebook()
    return [
        evaluate_question(store, codebook.question(q), folds, progress=progress)
        for q in question_ids(store, question)
    ]


def live_reports(store: Store, question: str | None) -> list[dict]:
    """How coders treated the stored suggestions, for one question or every question."""
    from coder.suggest.live import live_report

    return [live_report(store, q) for q in question_ids(store, question)]
