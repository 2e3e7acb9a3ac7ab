"""The suggester on a project, as the CLI and the coding screen call it: training and
evaluating (``coder.suggest.training``), suggesting (``coder.suggest.suggesting``), and the
coding screen's retraining, which does both."""

from __future__ import annotations

from coder.store import Store
from coder.suggest.suggesting import COLD_START_ID, load_model, suggest
from coder.suggest.training import TrainResult, evaluate_question, train, training_set

__all__ = [
    "COLD_START_ID",
    "evaluate_question",
    "load_model",
    "retrain",
    "suggest",
    "train",
    "training_set",
]


def retrain(store: Store, question_id: str) -> tuple[TrainResult, int]:
    """Retrain one question's model on the codings so far and re-score its uncoded passages
    in short transactions: what the coding screen runs in the background every N codings.
    Returns the training result and the number of passages re-scored."""
    result = train(store, question_id, evaluate=False)[0]
    done = suggest(store, question_id, only_uncoded=True)
    return result, done[question_id][1]
