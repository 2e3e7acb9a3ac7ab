"""Tally tables as a chart image (PNG or SVG): horizontal bars per code, a panel per question.

Drawn on a bare matplotlib ``Figure`` (no pyplot), so writing a chart neither needs a
display nor leaves global state behind; matplotlib is imported when a chart is drawn.
"""

from __future__ import annotations

from pathlib import Path

from coder.reports.formats.wording import by_header, label_text, words, wrap
from coder.reports.tally import Tally


def to_chart(tallies: list[Tally], path: Path, fmt: str) -> None:
    """Horizontal bars of cases per code, one panel per question, counts on the bars."""
    from matplotlib.figure import Figure

    heights = [0.45 * len(t.rows) * max(1, len(t.by_values) * 0.6) + 1.2 for t in tallies]
    figure = Figure(figsize=(10, sum(heights)), layout="constrained")
    axes = figure.subplots(len(tallies), 1, squeeze=False, height_ratios=heights)[:, 0]
    for ax, tally in zip(axes, tallies, strict=True):
        w = words(tally)
        labels = [wrap(label_text(r), 45) for r in tally.rows]
        positions = list(range(len(tally.rows)))
        if tally.by_values:
            n = len(tally.by_values)
            height = 0.8 / n
            for i, value in enumerate(tally.by_values):
                offsets = [p - 0.4 + height * (i + 0.5) for p in positions]
                bars = ax.barh(
                    offsets,
                    [r.by[value] for r in tally.rows],
                    height=height,
                    label=by_header(tally, value),
                )
                ax.bar_label(bars, padding=3, fontsize=9)
            ax.legend(loc="lower right", fontsize=9, title=w.by.format(by=tally.by))
        else:
            human = [r.cases - r.suggested_cases for r in tally.rows]
            bars = ax.barh(positions, human, color="#2f6690", label=w.human)
            if tally.min_score is not None:
                bars = ax.barh(
                    positions,
                    [r.suggested_cases for r in tally.rows],
                    left=human,
                    color="#9ec1cf",
                    hatch="//",
                    label=w.model,
                )
                ax.legend(loc="lower right", fontsize=9)
            ax.bar_label(bars, labels=[str(r.cases) for r in tally.rows], padding=3, fontsize=10)
        ax.set_yticks(positions, labels, fontsize=10)
        ax.invert_yaxis()
        ax.set_title(tally.question.title, loc="left", fontsize=13, fontweight="bold")
        ax.set_xlabel(f"{w.axis} (n = {tally.total_cases})", fontsize=10)
        top = max([r.cases for r in tally.rows] + [1])
        ax.set_xlim(0, top * 1.15 + 0.5)
        ax.xaxis.get_major_locator().set_params(integer=True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    figure.savefig(path, format=fmt, dpi=150)
