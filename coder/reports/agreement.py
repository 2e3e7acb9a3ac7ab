"""Agreement between coders: percent agreement, Cohen's kappa and Krippendorff's alpha.

A *unit* is a passage that at least two of the compared coders coded for the question.
Each coder's *answer* on a unit is the set of codes they gave it, so:

- overall: the answers compared as nominal values (in a ``single`` question the answer
  is the one code; in a ``multi`` question two answers agree only when the sets are equal);
- per code: presence/absence of that code in each coder's answer (binary, nominal).

The answer ``n/a`` (not applicable) is an answer like any other in the overall figures
(``{n/a}`` against ``{x}`` is a disagreement); the per-code rows are the codebook's codes,
where ``n/a`` is the absence of the code.

A coder who did not code a passage is a missing value there, not a disagreement.
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
from dataclasses import asdict, dataclass, field

from coder.errors import CoderError
from coder.reports.tally import CONSENSUS_CODER as CONSENSUS  # adjudicated codes are this coder's
from coder.store import Store, queries

OVERALL = "(overall)"  # the code column of the overall row in CSV output

Answers = dict[int, dict[str, frozenset[str]]]  # segment -> coder -> codes


class TooFewCoders(CoderError):
    """Fewer than two coders coded the question: there is no agreement to measure."""


@dataclass(frozen=True)
class Figures:
    percent_agreement: float | None
    cohen_kappa: float | None
    krippendorff_alpha: float | None


@dataclass
class Agreement:
    question: str
    coders: list[str]
    units: int
    overall: Figures
    codes: dict[str, Figures] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "coders": list(self.coders),
            "units": self.units,
            "overall": asdict(self.overall),
            "codes": {code: asdict(figures) for code, figures in self.codes.items()},
        }


# -- the measures, on a units x coders table of values (None = missing) -------------------------


Row = Sequence[Hashable | None]


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
    kappa = None
    if n_coders == 2:
        both = [(a, b) for a, b in rows if a is not None and b is not None]
        kappa = cohen_kappa([a for a, _ in both], [b for _, b in both])
    return Figures(percent_agreement(rows), kappa, krippendorff_alpha(rows))


# -- on a project ---------------------------------------------------------------------------------


def answers(store: Store, question_id: str, coders: list[str] | None = None) -> Answers:
    """segment -> coder -> the coder's codes for the question (current codings)."""
    found: dict[int, dict[str, set[str]]] = {}
    for _case, seg, code, coder in queries.coded_rows(store, question_id, coders):
        found.setdefault(seg, {}).setdefault(coder, set()).add(code)
    return {
        seg: {coder: frozenset(codes) for coder, codes in by_coder.items()}
        for seg, by_coder in found.items()
    }


def disagreements(all_answers: Answers, exclude: str = CONSENSUS) -> dict[int, dict]:
    """The passages where at least two coders (not ``exclude``) gave different answers."""
    found = {}
    for seg, by_coder in all_answers.items():
        compared = {c: codes for c, codes in by_coder.items() if c != exclude}
        if len(compared) >= 2 and len(set(compared.values())) > 1:
            found[seg] = compared
    return found


def agreement(store: Store, question_id: str, coders: list[str] | None = None) -> Agreement:
    """Agreement between ``coders`` (default: everyone who coded the question but
    ``consensus``) on one question, overall and per code."""
    question = store.codebook().question(question_id)
    coded = answers(store, question.id, coders)
    present = sorted({c for by_coder in coded.values() for c in by_coder})
    if coders is None:
        coders = [c for c in present if c != CONSENSUS]
    else:
        coders = list(dict.fromkeys(coders))
        known = set(queries.coder_names(store))
        unknown = [c for c in coders if c not in known]
        if unknown:
            raise CoderError(
                f"unknown coder '{unknown[0]}' (coders in this project: "
                f"{', '.join(sorted(known)) or 'none'})"
            )
    if len(coders) < 2:
        who = ", ".join(present) or "nobody"
        raise TooFewCoders(
            f"question '{question.id}': agreement needs at least two coders "
            f"(coded by: {who}); choose them with --coders A,B"
        )
    units = [
        [coded[seg].get(c) for c in coders]
        for seg in sorted(coded)
        if sum(c in coded[seg] for c in coders) >= 2
    ]
    per_code = {
        code.id: figures(
            [[None if a is None else code.id in a for a in row] for row in units], len(coders)
        )
        for code in question.codes
    }
    return Agreement(question.id, coders, len(units), figures(units, len(coders)), per_code)


# -- output ---------------------------------------------------------------------------------------


CSV_COLUMNS = (
    "question",
    "code",
    "label",
    "coders",
    "units",
    "percent_agreement",
    "cohen_kappa",
    "krippendorff_alpha",
)


def csv_rows(store: Store, results: list[Agreement]) -> list[dict]:
    codebook = store.codebook()
    rows = []
    for result in results:
        question = codebook.question(result.question)
        labels = {OVERALL: "overall", **{c.id: c.label for c in question.codes}}
        for code, fig in [(OVERALL, result.overall), *result.codes.items()]:
            rows.append(
                {
                    "question": result.question,
                    "code": code,
                    "label": labels[code],
                    "coders": ",".join(result.coders),
                    "units": result.units,
                    **{k: "" if v is None else round(v, 4) for k, v in asdict(fig).items()},
                }
            )
    return rows


def markdown(store: Store, results: list[Agreement]) -> str:
    codebook = store.codebook()

    def show(value: float | None, percent: bool = False) -> str:
        if value is None:
            return "–"
        return f"{value:.0%}" if percent else f"{value:.2f}"

    out = []
    for result in results:
        question = codebook.question(result.question)
        out.append(f"## {question.title} ({question.id})\n")
        out.append(
            f"Coders: {', '.join(result.coders)}. Units: {result.units} passages coded by "
            "at least two of them.\n"
        )
        out.append("| Code | Agreement | Cohen's κ | Krippendorff's α |")
        out.append("|---|---:|---:|---:|")
        for label, fig in [
            ("**All codes**", result.overall),
            *[(c.label, result.codes[c.id]) for c in question.codes],
        ]:
            out.append(
                f"| {label} | {show(fig.percent_agreement, True)} | {show(fig.cohen_kappa)} "
                f"| {show(fig.krippendorff_alpha)} |"
            )
        out.append("")
    if any(len(r.coders) > 2 for r in results):
        out.append("Cohen's κ is given for two coders; with more, read Krippendorff's α.")
    out.append("– : not defined on these data (no units, or no variation to disagree on).")
    return "\n".join(out) + "\n"
