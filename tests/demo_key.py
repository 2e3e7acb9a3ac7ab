"""How a careful evaluator codes the demo corpus: (case, paragraph) -> {question: codes}.

Used by tests that need a realistically coded project, and to show the tally of the demo.
"""

from __future__ import annotations

import sqlalchemy as sa

from coder.store import Store
from coder.store import schema as t

SR, OA, GA = "strategiskt-ramverk", "overgripande-ambition", "generell-ansats"

KEY: dict[str, list[dict[str, list[str]]]] = {
    "Blekinge": [
        {"arbetssatt": [OA]},
        {"insatser": ["lansgemensamma", "analyser-utredningar", "konferenser"]},
        {"utveckling": ["samverkan-regioner"]},
        {"tillvaratagande": ["underlag-larandeplaner"]},
    ],
    "Dalarna": [
        {"arbetssatt": [OA]},
        {"insatser": ["insatsportfolj"]},
        {"insatser": ["analyser-utredningar"]},
        {"tillvaratagande": ["nya-insatser"]},
    ],
    "Gotland": [
        {"arbetssatt": [SR]},
        {"insatser": ["koppling-rus-insatser"]},
        {"insatser": ["lansgemensamma", "analyser-utredningar"]},
        {"tillvaratagande": ["underlag-strategier"]},
    ],
    "Halland": [
        {"arbetssatt": [GA]},
        {"insatser": ["koppling-rus-insatser", "analyser-utredningar"]},
        {"tillvaratagande": ["generell-beskrivning"]},
    ],
    "Jämtland Härjedalen": [
        {"arbetssatt": [SR]},
        {"insatser": ["uppfoljning-rus"]},
        {"utveckling": ["samverkan-regioner"]},
        {"insatser": ["konferenser"], "tillvaratagande": ["konferenser"]},
    ],
    "Jönköping": [
        {"arbetssatt": [GA]},
        {"insatser": ["analyser-utredningar", "uppfoljning-rus"]},
        {"utveckling": ["generella-termer"]},
        {"utveckling": ["specifika-insatser"]},
        {"tillvaratagande": ["generell-beskrivning"]},
    ],
    "Kalmar": [
        {"arbetssatt": [GA]},
        {"insatser": ["uppfoljning-rus", "analyser-utredningar"]},
        {"utveckling": ["nationellt-uppfoljningssystem"]},
        {"utveckling": ["samverkan-regioner"]},
        {"tillvaratagande": ["generell-beskrivning"]},
    ],
    "Kronoberg": [
        {"arbetssatt": [SR]},
        {"insatser": ["koppling-rus-insatser", "analyser-utredningar"]},
        {"utveckling": ["ramverk-helhetsgrepp", "nationellt-uppfoljningssystem"]},
        {"tillvaratagande": ["underlag-larandeplaner"]},
    ],
    "Norrbotten": [
        {"arbetssatt": [SR]},
        {"insatser": ["insatsportfolj", "analyser-utredningar"]},
        {"utveckling": ["ramverk-helhetsgrepp"]},
        {"tillvaratagande": ["underlag-strategier", "nya-insatser", "riktlinjer"]},
    ],
    "Skåne": [
        {"arbetssatt": [GA]},
        {"insatser": ["insatsportfolj", "lansgemensamma"]},
        {"insatser": ["konferenser"]},
        {"utveckling": ["generella-termer"], "tillvaratagande": ["generell-beskrivning"]},
    ],
    "Sörmland": [
        {"arbetssatt": [OA]},
        {"insatser": ["lansgemensamma", "uppfoljning-rus"]},
        {"utveckling": ["generella-termer"]},
        {"insatser": ["konferenser"], "tillvaratagande": ["konferenser"]},
    ],
    "Uppsala": [
        {"arbetssatt": [OA]},
        {"insatser": ["lansgemensamma", "analyser-utredningar"]},
        {"utveckling": ["specifika-insatser"]},
        {"tillvaratagande": ["underlag-strategier"]},
    ],
    "Västerbotten": [
        {"arbetssatt": [SR]},
        {"insatser": ["uppfoljning-rus", "analyser-utredningar"]},
        {"utveckling": ["ramverk-helhetsgrepp"]},
        {"tillvaratagande": ["riktlinjer"]},
    ],
    "Örebro": [
        {"arbetssatt": [SR]},
        {"insatser": ["uppfoljning-rus"]},
        {"utveckling": ["ramverk-helhetsgrepp"]},
        {"tillvaratagande": ["underlag-larandeplaner"]},
    ],
}


def segment_ids(store: Store) -> dict[tuple[str, int], int]:
    """(case, position) -> segment id for the imported demo corpus."""
    s, _d, c = t.segments.c, t.documents.c, t.cases.c
    with store.read() as conn:
        rows = conn.execute(
            sa.select(c.name, s.position, s.id).select_from(
                t.segments.join(t.documents).join(t.cases)
            )
        ).all()
    return {(name, pos): sid for name, pos, sid in rows}


def code_demo(store: Store, coder: str = "anna") -> int:
    """Apply the key as ``coder`` would in the coding screen; return the number of codings."""
    ids = segment_ids(store)
    n = 0
    for case, paragraphs in KEY.items():
        for pos, answers in enumerate(paragraphs):
            for question, codes in answers.items():
                for code in codes:
                    store.toggle_code(ids[(case, pos)], question, code, coder)
                    n += 1
    return n
