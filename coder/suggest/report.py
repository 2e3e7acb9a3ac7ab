"""Markdown renderings of evaluation results."""

from __future__ import annotations

import os


def _f(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def markdown(results: list[dict]) -> str:
    out = []
    for r in results:
        out.append(
            f"## {r['question']} ({r['mode']})\n\n"
            f"Cross-validation grouped by case: {r['folds']} folds, {r['cases']} cases, "
            f"{r['passages']} coded passages. Features: {r.get('features', 'tfidf')}.\n\n"
            "| accuracy | macro-F1 | top-3 accuracy |\n|---:|---:|---:|\n"
            f"| {_f(r['accuracy'])} | {_f(r['macro_f1'])} | {_f(r['top3_accuracy'])} |\n"
        )
        out.append("| code | precision | recall | F1 | support |\n|---|---:|---:|---:|---:|")
        for code, m in r["per_code"].items():
            out.append(
                f"| {code} | {_f(m['precision'])} | {_f(m['recall'])} | {_f(m['f1'])} "
                f"| {m['support']} |"
            )
        out.append(
            "\nHow far to trust a suggestion with at least this score:\n\n"
            "| score ≥ | precision | coverage (share of passages) |\n|---:|---:|---:|"
        )
        for threshold, m in r["at_threshold"].items():
            out.append(f"| {threshold} | {_f(m['precision'])} | {_f(m['coverage'])} |")
        if r.get("reliability"):
            out.append(
                f"\nCalibration of the top score: expected calibration error {_f(r['ece'], 3)} "
                "(10 equal-width bins; 0 = scores equal hit rates).\n\n"
                "| score bin | mean score | accuracy | passages |\n|---|---:|---:|---:|"
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
            f"{r['passages_with_suggestions']} passages have suggestions; coders reviewed "
            f"{r['reviewed']}: top suggestion kept {r['top_suggestion_kept']}, changed "
            f"{r['top_suggestion_changed']} (acceptance {_f(r['acceptance_rate'])}). "
            f"Accepted with enter: {r['accepted_with_enter']}; accepted then removed: "
            f"{r['accepted_then_removed']}.\n\n"
            "| code | kappa (model vs human) | human | model | agree |\n|---|---:|---:|---:|---:|"
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

        raise CoderError("no single-choice question to draw: reliability needs one top score")
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
