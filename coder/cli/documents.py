"""What an evaluator takes to a seminar: ``coder deck`` (slides) and ``coder report`` (a
document to read), both from one gathering of the project's content
(:func:`coder.reports.seminar.seminar`)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coder.cli._util import (
    Db,
    Question,
    app,
    coders_option,
    open_store,
    output_file,
    say,
    split_names,
    ui_language,
    wrote,
)
from coder.i18n import _

if TYPE_CHECKING:
    from coder.reports.seminar import Seminar


class Lang(StrEnum):
    sv = "sv"
    da = "da"
    en = "en"


class Sort(StrEnum):
    codebook = "codebook"
    count = "count"


LangOption = Annotated[
    Lang,
    typer.Option(
        callback=ui_language,
        help=_(
            "Language of the slides' words (the data stay as coded); sv or en also of the messages."
        ),
    ),
]
ExamplesOption = Annotated[
    int, typer.Option(metavar="N", help=_("Example cases per category (most passages first)."))
]
CompareOption = Annotated[
    str | None,
    typer.Option(
        metavar="ATTRIBUTE",
        help=_("Also compare the counts between the values of this attribute (e.g. år)."),
    ),
]
CodersOption = Annotated[str | None, coders_option(_("Count only these coders' codings."))]
ConsensusOption = Annotated[
    bool, typer.Option(help=_("Count only codes all coders agree on (or coder 'consensus')."))
]
SuggestionsOption = Annotated[
    float | None,
    typer.Option(
        metavar="MIN_SCORE",
        help=_("Add model suggestions scoring at least this (0-1), marked *."),
    ),
]
SortOption = Annotated[Sort, typer.Option(help=_("Row order."))]


def _gather(
    db: str | None,
    question: str | None,
    *,
    lang: Lang,
    quotes: int | None,
    examples: int,
    compare: str | None,
    coders: str | None,
    consensus: bool,
    include_suggestions: float | None,
    sort: Sort,
) -> Seminar:
    from coder.reports.seminar import seminar

    with open_store(db, read_only=True) as store:
        gathered = seminar(
            store,
            question,
            language=lang.value,
            quotes=quotes,
            examples=examples,
            coders=split_names(coders),
            consensus=consensus,
            include_suggestions=include_suggestions,
            compare=compare,
            sort=sort.value,
        )
    if gathered.skipped:
        say(
            _("Note: left out, nothing coded yet: {questions}").format(
                questions=", ".join(gathered.skipped)
            )
        )
    return gathered


@app.command(
    help=_(
        "A seminar deck (PowerPoint): per question a table with definitions, a chart and "
        "quotes, then the method; Swedish unless --lang says otherwise."
    )
)
def deck(
    question: Question = None,
    out: Annotated[
        Path | None, typer.Option(metavar="FILE.pptx", help=_("The deck (default: deck.pptx)."))
    ] = None,
    lang: LangOption = Lang.sv,
    quotes: Annotated[
        int, typer.Option(metavar="N", help=_("Quotes per category, most typical first."))
    ] = 2,
    examples: ExamplesOption = 4,
    compare: CompareOption = None,
    coders: CodersOption = None,
    consensus: ConsensusOption = False,
    include_suggestions: SuggestionsOption = None,
    sort: SortOption = Sort.codebook,
    db: Db = None,
) -> None:
    from coder.reports.documents import deck_target, save_deck

    target = deck_target(out)
    with output_file(target) as tmp:  # a folder that is not there: said before any work
        gathered = _gather(
            db,
            question,
            lang=lang,
            quotes=quotes,
            examples=examples,
            compare=compare,
            coders=coders,
            consensus=consensus,
            include_suggestions=include_suggestions,
            sort=sort,
        )
        save_deck(gathered, tmp)
    wrote(target)


@app.command(
    help=_(
        "A report to read (HTML or Word): per question the table and chart, then per category "
        "its definition, count, example cases and coded passages with their case and section."
    )
)
def report(
    out: Annotated[
        Path,
        typer.Option(
            metavar="FILE.html|FILE.docx", help=_("The report; its suffix picks the format.")
        ),
    ],
    question: Question = None,
    lang: LangOption = Lang.sv,
    quotes: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help=_("Passages per category, most typical first (default: every one)."),
        ),
    ] = None,
    examples: ExamplesOption = 4,
    compare: CompareOption = None,
    coders: CodersOption = None,
    consensus: ConsensusOption = False,
    include_suggestions: SuggestionsOption = None,
    sort: SortOption = Sort.codebook,
    db: Db = None,
) -> None:
    from coder.reports.documents import report_format, save_report

    format = report_format(out)
    with output_file(out) as tmp:  # a folder that is not there: said before any work
        gathered = _gather(
            db,
            question,
            lang=lang,
            quotes=quotes,
            examples=examples,
            compare=compare,
            coders=coders,
            consensus=consensus,
            include_suggestions=include_suggestions,
            sort=sort,
        )
        save_report(gathered, tmp, format)
    wrote(out)
