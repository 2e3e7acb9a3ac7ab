"""Agreement measures on a units x coders table: percent agreement, Cohen's kappa and
Krippendorff's alpha (nominal), for values of any hashable kind.

A value is ``None`` where a coder did not code the unit: missing, not a disagreement.
Percent agreement is the share of agreeing coder pairs per unit, averaged over units
(for two coders: the share of units with the same answer). Cohen's kappa is given for
exactly two coders, over the units both coded. Krippendorff's alpha (nominal) takes any
number of coders and missing values. A figure that is undefined on the data (no units,
or every value the same so no disagreement is possible) is ``None``.

The formulas are written out here rather than imported so that the edge cases above are
explicit; the tests check every figure against the ``krippendorff`` package and
scikit-learn's ``cohen_kappa_score``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Figures:
    """The three measures on one table; ``None`` where a measure is undefined on it."""

    percent_agreement: float | None
    cohen_kappa: float | None
    krippendorff_alpha: float | None


Row = Sequence[Hashable | None]  # one unit: a value per coder, None where missing


def percent_agreement(rows: Sequence[Row]) -> float | None:
    """Mean share of agreeing coder pairs over the units with at least two values."""
    shares = []
    for row in rows:
        values = [v for v in row if v is not None]
        m = len(values)
        if m < 2:
            continue
        agreeing = sum(n * (n - 1) for n in Counter(values).values())
        shares.append(agreeing / (m * (m - 1)))
    return sum(shares) / len(shares) if shares else None


def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two coders' values on the same units (unweighted)."""
    n = len(first)
    if n == 0 or n != len(second):
        return None
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    count_a, count_b = Counter(first), Counter(second)
    expected = sum(count_a[v] * count_b[v] for v in count_a) / (n * n)
    if expected == 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def krippendorff_alpha(rows: Sequence[Row]) -> float | None:
    """Krippendorff's alpha for nominal data with missing values.

    From the coincidence matrix: alpha = 1 - (n - 1) * D_o / D_e with
    D_o = sum over units of (m_u^2 - sum_c n_uc^2) / (m_u - 1) (the off-diagonal
    coincidences) and D_e = n^2 - sum_c n_c^2, over the pairable values only.
    """
    disagreeing = 0.0
    totals: Counter = Counter()
    for row in rows:
        counts = Counter(v for v in row if v is not None)
        m = sum(counts.values())
        if m < 2:
            continue
        disagreeing += (m * m - sum(c * c for c in counts.values())) / (m - 1)
        totals.update(counts)
    n = sum(totals.values())
    expected = n * n - sum(c * c for c in totals.values())
    if n < 2 or expected == 0:
        return None
    return 1.0 - (n - 1) * disagreeing / expected


def figures(rows: Sequence[Row], n_coders: int) -> Figures:
    """All three measures; kappa only for two coders, over the units both of them coded."""
    kappa = None
    if n_coders == 2:
        both = [(a, b) for a, b in rows if a is not None and b is not None]
        kappa = cohen_kappa([a for a, _ in both], [b for _, b in both])
    return Figures(percent_agreement(rows), kappa, krippendorff_alpha(rows))
