"""Co-occurrence tables: per question, how many cases (and passages) carry both of two codes.

"Which regions do both X and Y": a case counts in the cell (X, Y) when at least one of its
passages carries X and at least one carries Y (the same passage or two different ones); the
passages in the cell are those carrying both codes at once, which in a ``single`` question
happens only where coders differ. The diagonal is the tally: the cases with the code
("Antal") and the passages with it. The codes are counted exactly as the tally counts them
(``counted_codes``: the human codings of ``coders``, ``consensus``, suggestions above a
score); ``n/a`` is never a row or a column.

The writers, one per format, are in :mod:`coder.reports.formats.cooccurrence_table` and
:mod:`coder.reports.formats.cooccurrence_chart`; ``write_cooccurrence`` picks one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from coder.errors import CoderError
from coder.i18n import _
from coder.model import Question
from coder.reports.collation import collation_key
from coder.reports.compare import Passage
from coder.reports.counting import counted_codes
from coder.reports.tally import selected_questions
from coder.store import Store, queries

if TYPE_CHECKING:
    from coder.reports.formats.csv_style import CsvStyle

TEXT_FORMATS = ("md", "csv")
FILE_FORMATS = ("xlsx", "pptx", "png", "svg")
FORMATS = (*TEXT_FORMATS, *FILE_FORMATS)


@dataclass
class Cooccurrence:
    """The code x code matrix of one question; ``cases[i][j]`` is symmetric."""

    question: Question
    language: str
    codes: list[str]  # in codebook order, n/a never among them
    labels: list[str]
    total_cases: int  # cases with passages (the tally's denominator)
    cases: list[list[int]]  # cases with a passage coded i and a passage coded j
    passages: list[list[int]]  # passages coded both i and j
    names: list[list[list[str]]] = field(default_factory=list)  # those cases, by name
    min_score: float | None = None  # set when suggestions were included
    coders: list[str] | None = None
    consensus: bool = False
    not_applicable: int = 0  # passages judged not applicable (n/a), not counted
    not_applicable_suggested: int = 0  # of which by their top suggestion

    def pairs(self) -> list[tuple[int, int]]:
        """Every pair of codes once, the diagonal included: (i, j) with i <= j."""
        n = len(self.codes)
        return [(i, j) for i in range(n) for j in range(i, n)]


def cooccurrence(
    store: Store,
    question: str | None = None,
    *,
    coders: list[str] | None = None,
    consensus: bool = False,
    include_suggestions: float | None = None,
) -> list[Cooccurrence]:
    """The co-occurrence matrix of one question, or of every question of the codebook."""
    selected = selected_questions(store, question, coders, include_suggestions)
    codebook = store.codebook()
    total_cases = len(queries.cases_with_passages(store))
    results = []
    for q in selected:
        found = counted_codes(
            store, q, coders=coders, consensus=consensus, min_score=include_suggestions
        )
        codes = _codes_per_passage(q, [found.human, found.suggested])
        result = _matrix(q, codebook.language, total_cases, codes)
        result.min_score = include_suggestions
        result.coders = coders
        result.consensus = consensus
        result.not_applicable = found.not_applicable + found.not_applicable_suggested
        result.not_applicable_suggested = found.not_applicable_suggested
        results.append(result)
    return results


def _codes_per_passage(
    question: Question, sources: list[dict[Passage, set[str]]]
) -> dict[Passage, set[str]]:
    """(case, segment) -> the question's codes on it, from the human codings and the
    suggestions; ``n/a`` and codes no longer in the codebook are left out, as the tally does."""
    known = {c.id for c in question.codes}
    merged: dict[Passage, set[str]] = defaultdict(set)
    for source in sources:
        for passage, codes in source.items():
            if kept := codes & known:
                merged[passage] |= kept
    return merged


def _matrix(
    question: Question,
    language: str,
    total_cases: int,
    codes: dict[Passage, set[str]],
) -> Cooccurrence:
    index = {c.id: i for i, c in enumerate(question.codes)}
    n = len(index)
    passages = [[0] * n for _ in range(n)]
    per_case: dict[str, set[int]] = defaultdict(set)
    for (case, _segment), passage_codes in codes.items():
        found = sorted(index[c] for c in passage_codes)
        for i in found:
            for j in found:
                passages[i][j] += 1
        per_case[case].update(found)
    names: list[list[list[str]]] = [[[] for _ in range(n)] for _ in range(n)]
    for case, found_in_case in per_case.items():
        for i in found_in_case:
            for j in found_in_case:
                names[i][j].append(case)
    sort_key = collation_key(language)
    for row in names:
        for cell in row:
            cell.sort(key=sort_key)
    return Cooccurrence(
        question=question,
        language=language,
        codes=[c.id for c in question.codes],
        labels=[c.label for c in question.codes],
        total_cases=total_cases,
        cases=[[len(cell) for cell in row] for row in names],
        passages=passages,
        names=names,
    )


def write_cooccurrence(
    results: list[Cooccurrence],
    target: Path | IO[str],
    fmt: str,
    style: CsvStyle | None = None,
) -> None:
    """Write ``results`` in the format ``fmt`` (one of ``FORMATS``): md and csv to the text
    stream ``target`` (csv in ``style``), xlsx, pptx, png and svg to the path ``target``."""
    from coder.reports.formats import cooccurrence_chart as chart
    from coder.reports.formats import cooccurrence_table as table
    from coder.reports.formats.csv_style import CsvStyle

    if fmt not in FORMATS:
        raise CoderError(
            _("unknown co-occurrence format '{format}' (expected {expected})").format(
                format=fmt, expected=", ".join(FORMATS)
            )
        )
    if fmt in FILE_FORMATS:
        if not isinstance(target, Path):
            raise TypeError(f"the {fmt} format is written to a path, not a stream")
        if fmt == "xlsx":
            table.to_xlsx(results, target)
        elif fmt == "pptx":
            chart.to_pptx(results, target)
        else:
            chart.to_heatmap(results, target, fmt)
        return
    if isinstance(target, Path):
        raise TypeError(f"the {fmt} format is written to a text stream, not a path")
    if fmt == "md":
        target.write(table.to_markdown(results))
    else:
        table.to_csv(results, target, style or CsvStyle())
