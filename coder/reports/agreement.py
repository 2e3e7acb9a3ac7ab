"""Agreement between coders: percent agreement, Cohen's kappa and Krippendorff's alpha.

A *unit* is a passage that at least two of the compared coders coded for the question.
Each coder's *answer* on a unit is the set of codes they gave it, so:

- overall: the answers compared as nominal values (in a ``single`` question the answer
  is the one code; in a ``multi`` question two answers agree only when the sets are equal);
- per code: presence/absence of that code in each coder's answer (binary, nominal).

The answer ``n/a`` (not applicable) is an answer like any other in the overall figures
(``{n/a}`` against ``{x}`` is a disagreement); the per-code rows are the codebook's codes,
where ``n/a`` is the absence of the code.

A coder who did not code a passage is a missing value there, not a disagreement; the
measures themselves are in ``coder.reports.agreement_measures``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from coder.errors import CoderError
from coder.i18n import _
from coder.model import CONSENSUS_CODER as CONSENSUS  # adjudicated codes are this coder's
from coder.reports.agreement_measures import Figures, figures
from coder.store import Store, queries

OVERALL = "(overall)"  # the code column of the overall row in CSV output

Answers = dict[int, dict[str, frozenset[str]]]  # segment -> coder -> codes


class TooFewCoders(CoderError):
    """Fewer than two coders coded the question: there is no agreement to measure."""


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
            "codes": {code: asdict(fig) for code, fig in self.codes.items()},
        }


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
                _("unknown coder '{coder}' (coders in this project: {known})").format(
                    coder=unknown[0], known=", ".join(sorted(known)) or _("none")
                )
            )
    if len(coders) < 2:
        who = ", ".join(present) or _("nobody")
        raise TooFewCoders(
            _(
                "question '{question}': agreement needs at least two coders "
                "(coded by: {who}); choose them with --coders A,B"
            ).format(question=question.id, who=who)
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
            _("Coders: {coders}. Units: {n} passages coded by at least two of them.").format(
                coders=", ".join(result.coders), n=result.units
            )
            + "\n"
        )
        out.append(_("| Code | Agreement | Cohen's κ | Krippendorff's α |"))
        out.append("|---|---:|---:|---:|")
        for label, fig in [
            ("**" + _("All codes") + "**", result.overall),
            *[(c.label, result.codes[c.id]) for c in question.codes],
        ]:
            out.append(
                f"| {label} | {show(fig.percent_agreement, True)} | {show(fig.cohen_kappa)} "
                f"| {show(fig.krippendorff_alpha)} |"
            )
        out.append("")
    if any(len(r.coders) > 2 for r in results):
        out.append(_("Cohen's κ is given for two coders; with more, read Krippendorff's α."))
    out.append(_("– : not defined on these data (no units, or no variation to disagree on)."))
    return "\n".join(out) + "\n"
