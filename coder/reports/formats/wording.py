"""What every tally format shares: headings, cell texts and footnotes in the codebook's language.

Headings follow the codebook's language (Swedish: Kategori | Antal | Andel |
Avsnitt | Exempel). Cases that count only because of model suggestions are
marked with ``*`` and explained in a footnote, in every format; so is the number of
passages judged not applicable (``n/a``), which are never counted. Keeping these texts
here is what makes the Markdown, CSV, XLSX, PPTX and chart outputs say the same thing.
A comparison (``--compare år``) adds the change from the first value to the last, signed
with a real minus sign ("+2", "−1", "0"); a tally by coder heads its columns with coders.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from coder.reports.tally import Tally, TallyRow


@dataclass(frozen=True)
class Words:
    category: str
    cases: str
    share: str
    passages: str
    examples: str
    total: str  # with {n}
    suggested: str  # with {score} and {n}
    by: str  # with {by}
    axis: str
    human: str
    model: str
    percent_space: bool = True
    # passages judged not applicable (n/a): one passage, several; {n} and {via}
    not_applicable: tuple[str, str] = (
        "{n} passage was judged not applicable (n/a) and is not counted{via}.",
        "{n} passages were judged not applicable (n/a) and are not counted{via}.",
    )
    not_applicable_via: str = " ({n} by model suggestions)"
    change: str = "Change"  # with compare: "Change 2018–2019"
    coder: str = "Coder"  # with by_coder: what the columns are
    # with compare: cases without the attribute; one case, several; {n} and {by}
    left_out: tuple[str, str] = (
        "{n} case without {by} is left out of the comparison.",
        "{n} cases without {by} are left out of the comparison.",
    )
    # with compare, when the values have different numbers of cases; {by} and {counts}
    unequal: str = (
        "The number of cases differs by {by} ({counts}): the change is in cases, not shares."
    )
    # --rollup: the codes that count their subcodes too; {labels}
    rollup: str = (
        "With subcategories: {labels} – a case counts when the category or any of its "
        "subcategories is coded."
    )
    # a table beside a comparison, counting every value of the attribute together; {by}
    pooled: str = "Every {by} together: a case counts once if it has the category in any."


WORDS = {
    "sv": Words(
        "Kategori",
        "Antal",
        "Andel",
        "Avsnitt",
        "Exempel",
        "Antal fall totalt: {n}.",
        "* Inkluderar modellförslag med poäng ≥ {score:.2f} ({n} fall endast via förslag).",
        "Efter {by}",
        "Antal fall",
        "Kodat",
        "Modellförslag",
        not_applicable=(
            "{n} passage bedömdes inte tillämplig (n/a) och räknas inte{via}.",
            "{n} passager bedömdes inte tillämpliga (n/a) och räknas inte{via}.",
        ),
        not_applicable_via=" ({n} enligt modellförslag)",
        change="Förändring",
        coder="Kodare",
        left_out=(
            "{n} fall utan {by} ingår inte i jämförelsen.",
            "{n} fall utan {by} ingår inte i jämförelsen.",
        ),
        unequal=(
            "Antalet fall skiljer sig efter {by} ({counts}): förändringen gäller antal fall, "
            "inte andelar."
        ),
        pooled="Alla {by} tillsammans: ett fall räknas en gång om det har kategorin något {by}.",
        rollup=(
            "Med underkategorier: {labels} – ett fall räknas när kategorin eller någon av dess "
            "underkategorier är kodad."
        ),
    ),
    "da": Words(
        "Kategori",
        "Antal",
        "Andel",
        "Afsnit",
        "Eksempler",
        "Antal cases i alt: {n}.",
        "* Omfatter modelforslag med score ≥ {score:.2f} ({n} cases kun via forslag).",
        "Efter {by}",
        "Antal cases",
        "Kodet",
        "Modelforslag",
        not_applicable=(
            "{n} afsnit blev vurderet som ikke relevant (n/a) og tælles ikke med{via}.",
            "{n} afsnit blev vurderet som ikke relevante (n/a) og tælles ikke med{via}.",
        ),
        not_applicable_via=" ({n} ifølge modelforslag)",
        change="Ændring",
        coder="Koder",
        left_out=(
            "{n} case uden {by} indgår ikke i sammenligningen.",
            "{n} cases uden {by} indgår ikke i sammenligningen.",
        ),
        unequal=(
            "Antallet af cases er forskelligt efter {by} ({counts}): ændringen gælder antal "
            "cases, ikke andele."
        ),
        pooled="Alle {by} samlet: et case tælles én gang, hvis det har kategorien i nogen af dem.",
        rollup=(
            "Med underkategorier: {labels} – et case tælles med, når kategorien eller en af "
            "dens underkategorier er kodet."
        ),
    ),
    "en": Words(
        "Category",
        "Cases",
        "Share",
        "Passages",
        "Examples",
        "Cases in total: {n}.",
        "* Includes model suggestions scoring ≥ {score:.2f} ({n} cases only via suggestions).",
        "By {by}",
        "Cases",
        "Coded",
        "Model suggestions",
        percent_space=False,
    ),
}


def words(tally: Tally) -> Words:
    """The tally's wording; English for a codebook language without its own."""
    return WORDS.get(tally.language, WORDS["en"])


def percent(share: float, w: Words) -> str:
    return f"{share * 100:.0f}{' ' if w.percent_space else ''}%"


def examples_text(row: TallyRow) -> str:
    """The example cases, those there only by model suggestion marked ``*``."""
    return ", ".join(
        f"{name}*" if flagged else name
        for name, flagged in zip(row.examples, row.example_suggested, strict=True)
    )


def label_text(row: TallyRow) -> str:
    """The code's label, marked `` *`` when suggestions added cases to it."""
    return f"{row.label} *" if row.suggested_cases else row.label


def footnotes(tally: Tally) -> list[str]:
    """The notes under every table: total cases, suggestions counted, passages judged n/a."""
    w = words(tally)
    notes = [w.total.format(n=tally.total_cases)]
    if tally.min_score is not None:
        n = sum(r.suggested_cases for r in tally.rows)
        notes.append(w.suggested.format(score=tally.min_score, n=n))
    if tally.not_applicable:
        n = tally.not_applicable
        via = ""
        if tally.not_applicable_suggested:
            via = w.not_applicable_via.format(n=tally.not_applicable_suggested)
        notes.append(w.not_applicable[n != 1].format(n=n, via=via))
    if tally.left_out:
        notes.append(w.left_out[tally.left_out != 1].format(n=tally.left_out, by=tally.by))
    if tally.rollup:
        labels = ", ".join(r.label for r in tally.rows if r.rolled_up)
        notes.append(w.rollup.format(labels=labels))
    if tally.pooled:
        notes.append(w.pooled.format(by=tally.pooled))
    if tally.compare and len(set(tally.by_totals.values())) > 1:
        counts = ", ".join(f"{v}: {n}" for v, n in tally.by_totals.items())
        notes.append(w.unequal.format(by=tally.by, counts=counts))
    return notes


def by_header(tally: Tally, value: str) -> str:
    """The heading of a cross-tabulation column: the attribute value (or coder) and its
    cases."""
    return f"{value} (n={tally.by_totals[value]})"


def by_title(tally: Tally) -> str:
    """What the columns are, "Efter år" or "Efter kodare"."""
    w = words(tally)
    return w.by.format(by=w.coder.lower() if tally.by_coder else tally.by)


def change_header(tally: Tally) -> str:
    """The heading of the change column: "Förändring 2018–2019" (first and last value)."""
    w = words(tally)
    if not tally.by_values:
        return w.change
    return f"{w.change} {tally.by_values[0]}–{tally.by_values[-1]}"


def change_text(n: int | None) -> str:
    """A change as text: "+2", "−1" (a real minus sign), "0"; nothing when there is none."""
    if n is None:
        return ""
    return f"+{n}" if n > 0 else f"\u2212{-n}" if n < 0 else "0"


def main_table(tally: Tally) -> list[list[str]]:
    """The table of a tally as text: a header line, then per code its label, cases, share,
    passages and examples."""
    w = words(tally)
    lines = [[w.category, w.cases, w.share, w.passages, w.examples]]
    for row in tally.rows:
        lines.append(
            [
                label_text(row),
                str(row.cases),
                percent(row.share, w),
                str(row.segments),
                examples_text(row),
            ]
        )
    return lines


def cross_table(tally: Tally) -> list[list[str]]:
    """The cross-tabulation as text: a header line, then per code its label and cases in
    each column, and with ``compare`` the change."""
    header = [words(tally).category] + [by_header(tally, v) for v in tally.by_values]
    if tally.compare:
        header.append(change_header(tally))
    lines = [header]
    for row in tally.rows:
        line = [label_text(row)] + [str(row.by[v]) for v in tally.by_values]
        if tally.compare:
            line.append(change_text(row.change))
        lines.append(line)
    return lines


def wrap(text: str, width: int) -> str:
    """``text`` in lines of at most ``width`` characters, for labels on slides and charts."""
    return "\n".join(textwrap.wrap(text, width)) or text
