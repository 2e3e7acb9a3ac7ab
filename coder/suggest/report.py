"""Markdown renderings of evaluation results."""

from __future__ import annotations


def _f(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def markdown(results: list[dict]) -> str:
    out = []
    for r in results:
        out.append(
            f"## {r['question']} ({r['mode']})\n\n"
            f"Cross-validation grouped by case: {r['folds']} folds, {r['cases']} cases, "
            f"{r['passages']} coded passages.\n\n"
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
