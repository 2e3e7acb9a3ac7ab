"""Markdown renderings of evaluation results."""

from __future__ import annotations

import os

from coder.i18n import _


def _f(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def markdown(results: list[dict]) -> str:
    out = []
    for r in results:
        out.append(
            f"## {r['question']} ({r['mode']})\n\n"
            + _(
                "Cross-validation grouped by case: {folds} folds, {cases} cases, "
                "{passages} coded passages. Features: {features}."
            ).format(
                folds=r["folds"],
                cases=r["cases"],
                passages=r["passages"],
                features=r.get("features", "tfidf"),
            )
            + "\n\n"
            + _("| accuracy | macro-F1 | top-3 accuracy |")
            + "\n|---:|---:|---:|\n"
            f"| {_f(r['accuracy'])} | {_f(r['macro_f1'])} | {_f(r['top3_accuracy'])} |\n"
        )
        out.append(
            _("| code | precision | recall | F1 | support |") + "\n|---|---:|---:|---:|---:|"
        )
        for code, m in r["per_code"].items():
            out.append(
                f"| {code} | {_f(m['precision'])} | {_f(m['recall'])} | {_f(m['f1'])} "
                f"| {m['support']} |"
            )
        out.append(
            "\n"
            + _("How far to trust a suggestion with at least this score:")
            + "\n\n"
            + _("| score ≥ | precision | coverage (share of passages) |")
            + "\n|---:|---:|---:|"
        )
        for threshold, m in r["at_threshold"].items():
            out.append(f"| {threshold} | {_f(m['precision'])} | {_f(m['coverage'])} |")
        if r.get("reliability"):
            out.append(
                "\n"
                + _(
                    "Calibration of the top score: expected calibration error {ece} "
                    "(10 equal-width bins; 0 = scores equal hit rates)."
                ).format(ece=_f(r["ece"], 3))
                + "\n\n"
                + _("| score bin | mean score | accuracy | passages |")
                + "\n|---|---:|---:|---:|"
            )
            for b in r["reliability"]:
                out.append(
                    f"| {b['bin']} | {_f(b['mean_score'])} | {_f(b['accuracy'])} | {b['n']} |"
                )
        out.append("")
    return "\n".join(out)


def live_markdown(results: list[dict]) -> str:
    out = []
    for r in results:
        out.append(
            f"## {r['question']}\n\n"
            + _(
                "{suggested} passages have suggestions; coders reviewed {reviewed}: top "
                "suggestion kept {kept}, changed {changed} (acceptance {rate}). Accepted with "
                "enter: {enter}; accepted then removed: {removed}."
            ).format(
                suggested=r["passages_with_suggestions"],
                reviewed=r["reviewed"],
                kept=r["top_suggestion_kept"],
                changed=r["top_suggestion_changed"],
                rate=_f(r["acceptance_rate"]),
                enter=r["accepted_with_enter"],
                removed=r["accepted_then_removed"],
            )
            + "\n\n"
            + _("| code | kappa (model vs human) | human | model | agree |")
            + "\n|---|---:|---:|---:|---:|"
        )
        for code, m in r["codes"].items():
            out.append(
                f"| {code} | {_f(m['kappa'])} | {m['human']} | {m['model']} | {m['agree']} |"
            )
        out.append("")
    return "\n".join(out)


def reliability_plot(results: list[dict], path: str | os.PathLike[str]) -> None:
    """The reliability diagram of each single-choice question: mean top score against the
    share right, per bin, with the diagonal of perfect calibration."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [r for r in results if r.get("reliability")]
    if not shown:
        from coder.errors import CoderError

        raise CoderError(_("no single-choice question to draw: reliability needs one top score"))
    fig, axes = plt.subplots(1, len(shown), figsize=(4.5 * len(shown), 4.8), squeeze=False)
    for ax, r in zip(axes[0], shown, strict=True):
        bins = [b for b in r["reliability"] if b["n"]]
        ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
        ax.plot(
            [b["mean_score"] for b in bins],
            [b["accuracy"] for b in bins],
            marker="o",
            label="suggester",
        )
        for b in bins:
            ax.annotate(
                str(b["n"]),
                (b["mean_score"], b["accuracy"]),
                fontsize=9,
                textcoords="offset points",
                xytext=(4, -10),
            )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("top score (mean per bin)", fontsize=12)
        ax.set_ylabel("share right", fontsize=12)
        ax.set_title(f"{r['question']}: ECE {r['ece']:.3f}, {r['passages']} passages", fontsize=12)
        ax.legend(loc="lower right", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)
