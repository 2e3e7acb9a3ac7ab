"""The words of the seminar deck and the report, in Swedish, Danish and English.

The deck speaks Swedish unless asked otherwise (``--lang``); its tables reuse the tally's
headings (:mod:`coder.reports.formats.wording`), the rest is here: slide titles, the quote
marks, the method paragraph. Numbers use the language's decimal sign (κ = 0,72 in Swedish).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

LANGUAGES = ("sv", "da", "en")

_MONTHS = {
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
    "da": "januar februar marts april maj juni juli august september oktober november december",
    "en": "January February March April May June July August September October November December",
}


@dataclass(frozen=True)
class DeckWords:
    definition: str
    subtitle: str  # {cases} {date}
    quotes_title: str  # {label}
    continued: str
    method: str
    report_title: str
    passages_heading: str  # {n} {shown}
    all_shown: str
    some_shown: str  # {shown} {n}
    examples_line: str  # label before the example cases
    definition_line: str
    count_line: str  # {n} {total}
    section: str
    open_quote: str
    close_quote: str
    comparison: str  # {by}
    one_coder: str  # {name}
    coders: str  # {n} {names}
    agreement: str  # {kappa} {alpha} {units}
    agreement_none: str
    agreement_question: str  # {title} {kappa} {alpha} {units}
    consensus: str
    human_only: str
    suggestions: str  # {score}
    counting: str
    material: str  # {documents} {cases} {passages}
    no_quotes: str
    model_order: str
    first_order: str
    contents: str  # the report's table of contents
    skipped: str  # {questions}: left out of the report, nothing coded
    some_shown_unranked: str  # {shown} {n}: some_shown where no model ranked the passages
    merged: str  # several coders, no --consensus: any coder's code counts
    agreement_many: str  # {alpha} {units}: three or more coders (no kappa)


WORDS = {
    "sv": DeckWords(
        definition="Definition",
        subtitle="{cases} fall · {date}",
        quotes_title="Citat: {label}",
        continued="(forts.)",
        method="Metod",
        report_title="Rapport",
        passages_heading="Kodade avsnitt",
        all_shown="Alla {n} kodade avsnitt.",
        some_shown="{shown} av {n} kodade avsnitt, de mest typiska först.",
        examples_line="Exempel",
        definition_line="Definition",
        count_line="{n} av {total} fall",
        section="Avsnitt",
        open_quote="”",
        close_quote="”",
        comparison="Jämförelse efter {by}",
        one_coder="Textavsnitten kodades av en kodare ({name}).",
        coders="Textavsnitten kodades av {n} kodare ({names}).",
        agreement=(
            "Överensstämmelsen mellan kodarna: Cohens κ = {kappa}, Krippendorffs α = {alpha} "
            "({units} avsnitt kodade av båda)."
        ),
        agreement_none="Ingen fråga har avsnitt kodade av båda kodarna ännu.",
        agreement_question="{title} – κ = {kappa}, α = {alpha} ({units} avsnitt)",
        consensus="Endast koder som kodarna är överens om räknas.",
        human_only="Endast mänskliga kodningar räknas; modellförslag ingår inte.",
        suggestions=(
            "Modellförslag med poäng ≥ {score} ingår och är markerade med * i tabellerna."
        ),
        counting="Antal avser antal fall med kategorin, inte antal textavsnitt.",
        material="Underlaget är {documents} dokument från {cases} fall, i {passages} textavsnitt.",
        no_quotes="Inga kodade avsnitt.",
        model_order="Citaten är de avsnitt som modellen bedömer som mest typiska för kategorin.",
        first_order="Citaten är de först kodade avsnitten i varje kategori.",
        contents="Innehåll",
        skipped="Frågor utan kodningar ingår inte: {questions}.",
        some_shown_unranked="{shown} av {n} kodade avsnitt.",
        merged="Ett fall räknas under en kategori när någon av kodarna har gett den.",
        agreement_many=(
            "Överensstämmelsen mellan kodarna: Krippendorffs α = {alpha} ({units} avsnitt kodade "
            "av minst två)."
        ),
    ),
    "da": DeckWords(
        definition="Definition",
        subtitle="{cases} cases · {date}",
        quotes_title="Citater: {label}",
        continued="(fortsat)",
        method="Metode",
        report_title="Rapport",
        passages_heading="Kodede afsnit",
        all_shown="Alle {n} kodede afsnit.",
        some_shown="{shown} af {n} kodede afsnit, de mest typiske først.",
        examples_line="Eksempler",
        definition_line="Definition",
        count_line="{n} af {total} cases",
        section="Afsnit",
        open_quote="”",
        close_quote="”",
        comparison="Sammenligning efter {by}",
        one_coder="Afsnittene blev kodet af én koder ({name}).",
        coders="Afsnittene blev kodet af {n} kodere ({names}).",
        agreement=(
            "Overensstemmelsen mellem koderne: Cohens κ = {kappa}, Krippendorffs α = {alpha} "
            "({units} afsnit kodet af begge)."
        ),
        agreement_none="Intet spørgsmål har endnu afsnit kodet af begge kodere.",
        agreement_question="{title} – κ = {kappa}, α = {alpha} ({units} afsnit)",
        consensus="Kun koder, som koderne er enige om, tælles med.",
        human_only="Kun menneskelige kodninger tælles med; modelforslag indgår ikke.",
        suggestions="Modelforslag med score ≥ {score} indgår og er markeret med * i tabellerne.",
        counting="Antal er antal cases med kategorien, ikke antal afsnit.",
        material="Materialet er {documents} dokumenter fra {cases} cases, i {passages} afsnit.",
        no_quotes="Ingen kodede afsnit.",
        model_order="Citaterne er de afsnit, modellen vurderer som mest typiske for kategorien.",
        first_order="Citaterne er de først kodede afsnit i hver kategori.",
        contents="Indhold",
        skipped="Spørgsmål uden kodninger er ikke med: {questions}.",
        some_shown_unranked="{shown} af {n} kodede afsnit.",
        merged="Et case tælles under en kategori, når en af koderne har givet den.",
        agreement_many=(
            "Overensstemmelsen mellem koderne: Krippendorffs α = {alpha} ({units} afsnit kodet "
            "af mindst to)."
        ),
    ),
    "en": DeckWords(
        definition="Definition",
        subtitle="{cases} cases · {date}",
        quotes_title="Quotes: {label}",
        continued="(cont.)",
        method="Method",
        report_title="Report",
        passages_heading="Coded passages",
        all_shown="All {n} coded passages.",
        some_shown="{shown} of {n} coded passages, the most typical first.",
        examples_line="Examples",
        definition_line="Definition",
        count_line="{n} of {total} cases",
        section="Section",
        open_quote="“",
        close_quote="”",
        comparison="Comparison by {by}",
        one_coder="The passages were coded by one coder ({name}).",
        coders="The passages were coded by {n} coders ({names}).",
        agreement=(
            "Agreement between the coders: Cohen's κ = {kappa}, Krippendorff's α = {alpha} "
            "({units} passages coded by both)."
        ),
        agreement_none="No question has passages coded by both coders yet.",
        agreement_question="{title} – κ = {kappa}, α = {alpha} ({units} passages)",
        consensus="Only codes the coders agree on are counted.",
        human_only="Only human codings are counted; model suggestions are not included.",
        suggestions="Model suggestions scoring ≥ {score} are included, marked * in the tables.",
        counting="Counts are cases with the category, not passages.",
        material=(
            "The material is {documents} documents from {cases} cases, in {passages} passages."
        ),
        no_quotes="No coded passages.",
        model_order="The quotes are the passages the model finds most typical of the category.",
        first_order="The quotes are the first passages coded under each category.",
        contents="Contents",
        skipped="Questions with no codings are left out: {questions}.",
        some_shown_unranked="{shown} of {n} coded passages.",
        merged="A case counts under a category when any of the coders gave it.",
        agreement_many=(
            "Agreement between the coders: Krippendorff's α = {alpha} ({units} passages coded "
            "by at least two)."
        ),
    ),
}


def deck_words(language: str) -> DeckWords:
    return WORDS.get(language, WORDS["en"])


def long_date(day: date, language: str) -> str:
    """``7 december 2026`` (sv), ``7. december 2026`` (da), ``7 December 2026`` (en)."""
    month = _MONTHS.get(language, _MONTHS["en"]).split()[day.month - 1]
    dot = "." if language == "da" else ""
    return f"{day.day}{dot} {month} {day.year}"


def decimal(value: float | None, language: str, digits: int = 2) -> str:
    """``0,72`` in Swedish and Danish, ``0.72`` in English; ``–`` for no value."""
    if value is None:
        return "–"
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if language in ("sv", "da") else text
