"""The suggester: ``coder train``, ``coder evaluate`` and ``coder suggest``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coder.cli._util import (
    Db,
    Question,
    app,
    format_option,
    open_store,
    output_file,
    progress,
    say,
    wrote,
)
from coder.errors import CoderError
from coder.i18n import _

if TYPE_CHECKING:
    from coder.store import Store

Folds = Annotated[int, typer.Option(metavar="K", help=_("Folds, grouped by case."))]


@app.command(help=_("Train the suggester on the project's codings: one model per question."))
def train(
    question: Question = None,
    folds: Annotated[
        int, typer.Option(metavar="K", help=_("Folds for the cross-validated metrics."))
    ] = 5,
    db: Db = None,
) -> None:
    from coder.suggest.service import train as train_models

    with open_store(db) as store:
        _embed(store)
        with progress(_("Training")) as bar:
            results = train_models(store, question, folds=folds, progress=bar)
    for r in results:
        cold = (
            "  " + _("(cold start: some codes have fewer than 5 codings)") if r.cold_start else ""
        )
        figures = ""
        m = r.metrics
        if m:
            where = (
                _("on {n} of its {total} passages, from cases it was not fitted on").format(
                    n=m["passages"], total=r.n_train
                )
                if m.get("held_out")
                else _("grouped {folds}-fold CV").format(folds=m["folds"])
            )
            figures = "  " + _(
                "{where}: accuracy {accuracy:.2f}, macro-F1 {macro_f1:.2f}, top-3 {top3:.2f}"
            ).format(
                where=where,
                accuracy=m["accuracy"],
                macro_f1=m["macro_f1"],
                top3=m["top3_accuracy"],
            )
            if m.get("ece") is not None:
                figures += ", " + _("calibration error {ece:.3f}").format(ece=m["ece"])
        calibration = "" if r.model.calibrated else "  " + _("(uncalibrated: too few codings)")
        typer.echo(
            _("{question}: model {model} ({features}) trained on {n} passages").format(
                question=r.question, model=r.model_id, features=r.model.feature_set, n=r.n_train
            )
            + f"{figures}{calibration}{cold}"
        )


def _embed(store: Store) -> None:
    """Compute the passages' missing sentence embeddings first, with a progress bar (each
    batch is saved: an interrupted run resumes where it stopped)."""
    from coder.suggest import embeddings

    missing = embeddings.missing_count(store) if embeddings.available() else 0
    if missing:
        say(
            _(
                "Embedding {n} passages (once: the vectors are stored in the project; "
                "an interrupted run resumes)"
            ).format(n=missing)
        )
        with progress(_("Embedding passages")) as bar:
            embeddings.ensure(store, progress=bar)


@app.command(
    help=_(
        "Cross-validate the suggester grouped by case: how far to trust its suggestions "
        "(accuracy, macro-F1, top-3, calibration error and reliability table)."
    )
)
def evaluate(
    question: Question = None,
    folds: Folds = 5,
    format: Annotated[str, format_option("md", "jsonl", hidden=("json",))] = "md",
    live: Annotated[
        bool,
        typer.Option(help=_("How coders treated suggestions, and model-human agreement.")),
    ] = False,
    plot: Annotated[
        Path | None,
        typer.Option(metavar="FILE.png", help=_("Draw the reliability diagram to this PNG file.")),
    ] = None,
    db: Db = None,
) -> None:
    from coder.reports import runs
    from coder.reports.exports import write_json
    from coder.suggest import report

    if plot is not None and live:
        raise CoderError(_("--plot draws the cross-validated reliability; leave out --live"))
    if plot is not None and plot.suffix.lower() != ".png":
        raise CoderError(_("{file}: --plot writes a PNG file (FILE.png)").format(file=plot))
    if plot is not None and plot.parent and not plot.parent.exists():
        raise CoderError(
            _("{file}: folder {folder} does not exist").format(file=plot, folder=plot.parent)
        )
    with open_store(db, read_only=live) as store:
        if live:
            results = runs.live_reports(store, question)
        else:
            _embed(store)
            with progress(_("Cross-validating")) as bar:
                results = runs.evaluations(store, question, folds, progress=bar)
    if plot is not None:
        with output_file(plot) as tmp:
            report.reliability_plot(results, tmp)
    if format == "md":
        typer.echo((report.live_markdown if live else report.markdown)(results))
    else:
        write_json(results, format, sys.stdout, one=question is not None)
    wrote(plot)


@app.command(
    help=_(
        "Score every passage with the trained models and store the top suggestions, each "
        "with its score, rank (highest score first) and the words that raised it."
    )
)
def suggest(
    question: Question = None,
    top: Annotated[int, typer.Option(metavar="K", help=_("Suggestions kept per passage."))] = 3,
    only_uncoded: Annotated[bool, typer.Option(help=_("Only passages no one has coded."))] = False,
    db: Db = None,
) -> None:
    from coder.suggest.run import suggest_project

    with open_store(db) as store:
        _embed(store)
        with progress(_("Suggesting")) as bar:
            done = suggest_project(
                store, question, top=top, only_uncoded=only_uncoded, progress=bar
            )
    from coder.suggest.suggesting import COLD_START_ID

    for q, (model_id, n, cold) in done.items():
        note = ""
        if model_id == COLD_START_ID:
            note = "  " + _(
                "(cold-start scores: similarity to the code definitions; no model trained yet)"
            )
        elif cold:
            note = "  " + _(
                "(cold start: codes with fewer than 5 codings lean on their codebook "
                "definitions, which train as examples)"
            )
        typer.echo(
            _("{question}: {n} passages scored with {model}, top {top} stored").format(
                question=q, n=n, model=model_id, top=top
            )
            + note
        )
    say(_("See them with: coder export --what suggestions, or in coder code"))
