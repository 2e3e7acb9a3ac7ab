"""Tally tables as a chart image (PNG or SVG): horizontal bars per code, a panel per question.

Made to be read on a slide: 1600 pixels wide (10 in at 160 dpi), every text at least 12 pt,
whole numbers on the count axis, which ends at the largest bar (its number just beyond it)
and is the same for every panel of an image. With columns (``--by``, ``--by-coder``,
``--compare``) each code has a bar per column; a comparison adds the change to each label.

Drawn on a bare matplotlib ``Figure`` (no pyplot), so writing a chart neither needs a
display nor leaves global state behind; matplotlib is imported when a chart is drawn.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from coder.reports.formats.wording import (
    by_header,
    by_title,
    change_header,
    change_text,
    label_text,
    words,
    wrap,
)
from coder.reports.tally import Tally, TallyRow

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH = 10.0  # inches: 1600 pixels at DPI
DPI = 160
TEXT = 12  # points: tick labels, bar labels, legend, axis label
TITLE = 15
LABEL_WIDTH = 40  # characters per line of a code's label
BAR = 0.3  # inches per bar
LINE = 0.21  # inches per line of 12 pt text
PANEL = 1.3  # inches per panel for its title and count axis
BELOW = 0.7  # inches from the bottom of the bars to the legend: under the axis and its label
COLUMNS = 4  # legend entries side by side

HUMAN, MODEL = "#2f6690", "#9ec1cf"


def to_chart(tallies: list[Tally], path: Path, fmt: str) -> None:
    """Horizontal bars of cases per code, one panel per question, counts on the bars."""
    chart_figure(tallies).savefig(path, format=fmt, dpi=DPI)


def chart_figure(tallies: list[Tally]) -> Figure:
    """The chart's figure, drawn but not saved (``to_chart`` saves it at ``DPI``)."""
    from matplotlib.figure import Figure

    top = max([_largest(t) for t in tallies] + [1])  # one count axis for every panel
    heights = [_height(t) for t in tallies]
    figure = Figure(figsize=(WIDTH, sum(heights)), layout="constrained")
    axes = figure.subplots(len(tallies), 1, squeeze=False, height_ratios=heights)[:, 0]
    for ax, tally in zip(axes, tallies, strict=True):
        _draw(ax, tally, top)
    return figure


def _largest(tally: Tally) -> int:
    if tally.by_values:
        return max([n for r in tally.rows for n in r.by.values()] + [0])
    return max([r.cases for r in tally.rows] + [0])


def _labels(tally: Tally) -> list[str]:
    if tally.compare:
        return [wrap(f"{label_text(r)} ({change_text(r.change)})", LABEL_WIDTH) for r in tally.rows]
    return [wrap(label_text(r), LABEL_WIDTH) for r in tally.rows]


def _height(tally: Tally) -> float:
    """The panel's height in inches: room for every bar and every line of the labels."""
    bars = max(1, len(tally.by_values))
    rows = sum(
        max(bars * BAR + 0.2, (label.count("\n") + 1) * LINE + 0.15) for label in _labels(tally)
    )
    return rows + PANEL + _legend_height(tally)


def _legend_entries(tally: Tally) -> int:
    if tally.by_values:
        return len(tally.by_values) + tally.compare
    return 2 if tally.min_score is not None else 0


def _legend_height(tally: Tally) -> float:
    """Inches under the count axis for the legend: its title and rows of entries."""
    entries = _legend_entries(tally)
    if not entries:
        return 0.0
    rows = -(-entries // COLUMNS)
    return (rows + (1 if tally.by_values else 0)) * LINE * 1.5 + 0.2


def _draw(ax: Axes, tally: Tally, top: int) -> None:
    from matplotlib.ticker import MaxNLocator

    w = words(tally)
    positions = list(range(len(tally.rows)))
    if tally.by_values:
        _grouped(ax, tally, positions)
    else:
        human = [r.cases - r.suggested_cases for r in tally.rows]
        bars = ax.barh(positions, human, color=HUMAN, label=w.human)
        if tally.min_score is not None:
            bars = ax.barh(
                positions,
                [r.suggested_cases for r in tally.rows],
                left=human,
                color=MODEL,
                hatch="//",
                label=w.model,
            )
            _legend(ax)
        ax.bar_label(bars, labels=[str(r.cases) for r in tally.rows], padding=3, fontsize=TEXT)
    ax.set_yticks(positions, _labels(tally), fontsize=TEXT)
    ax.invert_yaxis()
    ax.set_title(wrap(tally.question.title, 70), loc="left", fontsize=TITLE, fontweight="bold")
    ax.set_xlabel(f"{w.axis} (n = {tally.total_cases})", fontsize=TEXT)
    ax.set_xlim(0, top)  # ends at the largest bar; its number stands just beyond
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(axis="x", labelsize=TEXT)
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _grouped(ax: Axes, tally: Tally, positions: list[int]) -> None:
    """A bar per column (value or coder) for each code, the first at the top of the group;
    a comparison's values in shades of one colour, lightest first."""
    from matplotlib import colormaps
    from matplotlib.lines import Line2D

    n = len(tally.by_values)
    height = 0.8 / n
    if tally.compare:
        shades = colormaps["Blues"]
        colors = [shades(0.35 + 0.55 * i / max(1, n - 1)) for i in range(n)]
    else:
        palette = colormaps["tab10"]
        colors = [palette(i % 10) for i in range(n)]
    for i, value in enumerate(tally.by_values):
        offsets = [p - 0.4 + height * (i + 0.5) for p in positions]
        counts = [_cell(r, value) for r in tally.rows]
        bars = ax.barh(
            offsets, counts, height=height, color=colors[i], label=by_header(tally, value)
        )
        ax.bar_label(bars, padding=3, fontsize=TEXT)
    handles, labels = ax.get_legend_handles_labels()
    if tally.compare:  # a line of text: what the number after each label is
        handles.append(Line2D([], [], linestyle="none"))
        labels.append(f"(±n): {change_header(tally)}")
    _legend(ax, handles, labels, title=by_title(tally))


def _cell(row: TallyRow, value: str) -> int:
    return row.by.get(value, 0)


def _legend(ax: Axes, handles: list | None = None, labels: list | None = None, **kw: str) -> None:
    """The legend under the count axis, its entries side by side from the left edge of the
    image (the width of the image, not of the bars, is theirs)."""
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    args = (handles, labels) if handles is not None else ()
    entries = len(labels) if labels is not None else len(ax.get_legend_handles_labels()[1])
    figure = ax.get_figure(root=True)
    assert figure is not None
    below = ax.transAxes + ScaledTranslation(0, -BELOW, figure.dpi_scale_trans)
    ax.legend(
        *args,
        loc="upper left",
        bbox_to_anchor=(0.0, 0.0),
        bbox_transform=blended_transform_factory(figure.transFigure, below),
        borderaxespad=0.0,
        ncols=min(entries, COLUMNS),
        frameon=False,
        fontsize=TEXT,
        title_fontsize=TEXT,
        alignment="left",
        **kw,
    )
