"""The state of a project at a glance (``coder status``): its counts, and per question the
latest suggester model with what a user should know about it (STALE, cold start,
uncalibrated, its measured quality).

The judgements live here rather than in the command line, so that every front end that
shows a project's state says the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coder.i18n import _
from coder.store import queries
from coder.store.store import Store


@dataclass
class ModelStatus:
    """One question's suggester: its latest model (None: not trained yet) and stored
    suggestions."""

    question_id: str
    suggestions: int
    model_id: str | None = None
    trained_at: str = ""  # creation time to the minute: "YYYY-MM-DDTHH:MM"
    n_train: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class ProjectStatus:
    counts: queries.Status
    models: list[ModelStatus]  # in codebook order, one per question

    @property
    def trained(self) -> bool:
        """Whether any question has a model (else suggestions are cold-start scores)."""
        return any(m.model_id is not None for m in self.models)


def project_status(store: Store) -> ProjectStatus:
    """Counts of the project and the latest model of each question, with notes on it."""
    counts = queries.status(store)
    latest: dict[str, Any] = {}  # question -> its newest row of Store.models()
    for row in store.models():  # newest first
        latest.setdefault(row.question_id, row)
    stored = queries.suggestion_counts(store)
    models = []
    for q in counts.questions:
        model = latest.get(q.id)
        if model is None:
            models.append(ModelStatus(q.id, stored.get(q.id, 0)))
            continue
        models.append(
            ModelStatus(
                q.id,
                stored.get(q.id, 0),
                model_id=model.id,
                trained_at=str(model.created_at)[:16],
                n_train=model.n_train,
                notes=model_notes(model, counts.codebook_digest),
            )
        )
    return ProjectStatus(counts, models)


def model_notes(model: Any, codebook_digest: str) -> list[str]:
    """What to know about a stored model (a row of ``Store.models()``): whether it was
    trained on another codebook version (STALE), leans on cold start, is calibrated, and
    how well it did on passages it was not fitted on."""
    notes = []
    if model.codebook_digest != codebook_digest:
        notes.append(_("STALE: trained on another codebook version, run `coder train`"))
    if model.cold_start:
        notes.append(_("cold start for some codes"))
    metrics = model.metrics or {}
    notes.append(_("features {features}").format(features=metrics.get("features", "tfidf")))
    if not metrics.get("calibrated"):
        notes.append(_("uncalibrated ({n} codings)").format(n=model.n_train))
    if metrics.get("macro_f1") is not None:
        if metrics.get("held_out"):
            notes.append(_("held-out macro-F1 {f1:.2f}").format(f1=metrics["macro_f1"]))
        else:
            notes.append(_("CV macro-F1 {f1:.2f}").format(f1=metrics["macro_f1"]))
    if metrics.get("ece") is not None:
        notes.append(_("calibration error {ece:.3f}").format(ece=metrics["ece"]))
    return notes
