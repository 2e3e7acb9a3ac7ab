"""Structure-aware segmentation: headings, tables, lists, long and short paragraphs, sentences."""

from __future__ import annotations

import itertools

import pytest

from coder.corpus.readers import read_document
from coder.corpus.segment import document_blocks, segment, segment_document
from coder.corpus.span import Span
from tests.conftest import SHARED

SEEDS = SHARED / "seeds"


def seed(prefix: str) -> tuple[str, list[Span]]:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.is_dir() else []
    if not found:
        pytest.skip(f"no seed {prefix} in {SEEDS}")
    source = read_document(found[0])
    return source.text, segment_document(source.text, None, source.fmt, "paragraph", "sv")


def assert_offsets(text: str, spans: list[Span]) -> None:
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        if not text[s.start : s.end].startswith("|"):  # a table row reads Header: cell
            assert text[s.start : s.end] == s.text, s


def md(text: str, how: str = "paragraph") -> list[Span]:
    spans = segment_document(text, None, "md", how, "sv")
    assert_offsets(text, spans)
    return spans


def txt(text: str, how: str = "paragraph") -> list[Span]:
    spans = segment_document(text, None, "txt", how, "sv")
    assert_offsets(text, spans)
    return spans


# -- the seeds --------------------------------------------------------------------------------


def test_seed_001_headings_are_sections_and_table_rows_read_on_their_own():
    text, spans = seed("001")
    assert_offsets(text, spans)
    texts = [s.text for s in spans]
    for heading in ("Syfte", "Förutsättningar", "Hur bedrivs arbetet?"):
        assert heading not in texts
    rows = [s for s in spans if s.text.startswith("Ansats: ")]
    assert len(rows) == 3
    for row in rows:
        assert "; Definition: " in row.text and "; Antal: " in row.text
        assert "; Exempel: " in row.text
        assert row.section is not None and row.section.endswith("Hur bedrivs arbetet?")
        assert text[row.start : row.end].startswith("| ")
    assert rows[0].text.startswith("Ansats: Strategiskt ramverk; Definition: Arbetet beskrivs")
    short = [s for s in spans if len(s.text) < 60]
    assert len(short) < 0.2 * len(spans), short
    syfte = [s for s in spans if s.section and s.section.endswith("> Syfte")]
    assert [s.text for s in syfte] == [
        "- Input till diskussionerna\n- Inspel kring Tillväxtverkets arbete med att följa upp "
        "och sammanställa"
    ]


def test_seed_003_no_giant_passages_and_no_glued_page_numbers():
    text, spans = seed("003")
    assert_offsets(text, spans)
    assert max(len(s.text) for s in spans) <= 1_300
    assert not any(s.text.endswith("erhvervslivet. 1") for s in spans)
    assert any(s.text.endswith("overfor erhvervslivet.") for s in spans)
    assert not any(s.text.rstrip().endswith((" 1", " 2", " 3", " 4", " 5")) for s in spans)


# -- Markdown ---------------------------------------------------------------------------------

REPORT = """\
## Region Norr

Inledning om regionen och dess arbete med uppföljning under året som gått.

### Utveckling framöver

Vi planerar fler analyser tillsammans med kommunerna i länet under nästa år.

Setext-rubrik
-------------

Text under setext-rubriken, tillräckligt lång för att vara en egen passage.

## Region Syd

Söder om allt annat finns också ett arbete som beskrivs här i en mening.
"""


def test_markdown_headings_are_never_passages_and_give_the_section_path():
    spans = md(REPORT)
    assert [s.section for s in spans] == [
        "Region Norr",
        "Region Norr > Utveckling framöver",
        "Setext-rubrik",  # underlined with - : level 2 in Markdown, like ##
        "Region Syd",
    ]
    assert not any(s.text.startswith("#") for s in spans)
    blocks = document_blocks(REPORT, None, "md")
    heads = [(b.level, REPORT[b.start : b.end]) for b in blocks if b.kind == "heading"]
    assert heads == [
        (1, "## Region Norr"),  # the top level used (##) is 1
        (2, "### Utveckling framöver"),
        (1, "Setext-rubrik"),  # a setext heading is level 2 in Markdown, ## too
        (1, "## Region Syd"),
    ]


def test_markdown_table_rows_are_passages_with_their_headers():
    text = (
        "# Insatser\n\n| Typ | Antal | Exempel |\n|---|--:|---|\n"
        "| Analyser | 20 | |\n| Seminarier | 11 | *Gotland*, Skåne |\n"
    )
    spans = md(text)
    assert [s.text for s in spans] == [
        "Typ: Analyser; Antal: 20",
        "Typ: Seminarier; Antal: 11; Exempel: Gotland, Skåne",
    ]
    assert all(s.section == "Insatser" for s in spans)
    assert text[spans[1].start : spans[1].end] == "| Seminarier | 11 | *Gotland*, Skåne |"


def test_a_short_list_stays_with_its_lead_and_long_items_stand_apart():
    short = "Vi mäter två saker:\n\n- Ökad förmåga\n- Kundnöjdhet\n\nSedan kommer annan text här.\n"
    spans = md(short)
    assert spans[0].text == "Vi mäter två saker:\n\n- Ökad förmåga\n- Kundnöjdhet"
    assert len(spans) == 2
    long_items = (
        "Om projektet:\n\n"
        "- Projektet är en beställning från ledningen och pågår under hela året som kommer.\n"
        "- I styrgruppen ingår avdelningschefen och enhetschefen för uppföljning och "
        "utvärdering.\n"
        "  - Styrgruppen möts fyra gånger om året.\n"
    )
    spans = md(long_items)
    assert [s.text for s in spans] == [  # a lead under 25 characters joins the first item
        "Om projektet:\n\n- Projektet är en beställning från ledningen och pågår under hela "
        "året som kommer.",
        "I styrgruppen ingår avdelningschefen och enhetschefen för uppföljning och "
        "utvärdering.\n  - Styrgruppen möts fyra gånger om året.",
    ]


def test_a_long_paragraph_is_cut_at_sentence_ends():
    sentence = "Regionen har under året följt upp arbetet med analyser i flera steg, nr. {}. "
    text = "".join(sentence.format(n) for n in range(40)).strip()
    assert len(text) > 3_000
    spans = md(text)
    assert len(spans) >= 3
    assert all(400 <= len(s.text) <= 1_200 for s in spans)
    assert all(s.text.endswith(".") and s.text.startswith("Regionen") for s in spans)
    words = "ord " * 600  # one sentence, no sentence end: cut at spaces
    assert all(len(s.text) <= 1_200 for s in md(words))


def test_a_very_short_line_joins_its_neighbour():
    text = (
        "En vanlig mening om arbetet som pågår i regionen.\n\nOsv.\n\nNästa stycke här, långt nog."
    )
    spans = md(text)
    assert [s.text for s in spans] == [
        "En vanlig mening om arbetet som pågår i regionen.\n\nOsv.",
        "Nästa stycke här, långt nog.",
    ]
    first = txt("Obs.\n\nFörsta stycket i dokumentet är här och är långt nog.")
    assert [s.text for s in first] == [
        "Obs.\n\nFörsta stycket i dokumentet är här och är långt nog."
    ]


# -- plain text -------------------------------------------------------------------------------

PLAIN = """\
Årsrapport

Syfte

Rapporten beskriver hur arbetet har bedrivits under året och vad som har uppnåtts.

  • Ökad förmåga
  • Kundnöjdhet

Resultat

Kundnöjdheten har ökat jämfört med året innan, enligt enkäten till stödmottagarna. 1

Page two continues with text that is long enough to stand on its own here. It goes on
for a while, as a page does, before the number at its foot.

2

| Typ | Antal |
|---|---|
| Analyser | 20 |

Den sista sidan sammanfattar resultatet av arbetet under året och slutar här. 3
"""


def test_plain_text_headings_bullets_tables_and_page_numbers():
    spans = txt(PLAIN)
    assert [(s.section, s.text) for s in spans] == [
        (
            "Årsrapport > Syfte",
            "Rapporten beskriver hur arbetet har bedrivits under året och vad som har uppnåtts."
            "\n\n  • Ökad förmåga\n  • Kundnöjdhet",
        ),
        (
            "Årsrapport > Resultat",
            "Kundnöjdheten har ökat jämfört med året innan, enligt enkäten till stödmottagarna.",
        ),
        (
            "Årsrapport > Resultat",
            "Page two continues with text that is long enough to stand on its own here. It goes on"
            "\nfor a while, as a page does, before the number at its foot.",
        ),
        ("Årsrapport > Resultat", "Typ: Analyser; Antal: 20"),
        (
            "Årsrapport > Resultat",
            "Den sista sidan sammanfattar resultatet av arbetet under året och slutar här.",
        ),
    ]
    kinds = [b.kind for b in document_blocks(PLAIN, None, "txt")]
    assert kinds == ["heading", "heading", "paragraph", "item", "item", "heading"] + [
        "paragraph",
        "paragraph",
        "row",
        "paragraph",
    ]


def page(n: int) -> str:
    return f"Sidan {n} handlar om hur arbetet med uppföljning har gått i regionen under året. " * 3


def test_plain_text_page_number_inside_a_sentence_is_left_out_in_a_sequence():
    text = (
        f"{page(1)}1\n\n{page(2)}Resultatet visar att dialogen med borgare och 2"
        f"\n\nföretag har förbättrats enligt mätningen. {page(3)}3\n\nSlut på texten."
    )
    spans = txt(text)
    assert spans[1].text.endswith("dialogen med borgare och")
    assert spans[2].text.startswith("företag har förbättrats")
    assert not any(s.text.endswith(("1", "2", "3")) for s in spans)


def test_a_lone_number_at_a_paragraph_end_is_kept_and_the_line_is_no_heading():
    # One number after a colon, its neighbours after it: a table of figures, not pages.
    text = (
        "Resultat av enkäten\n\n"
        "Antal kommuner som svarade på enkäten: 12\n\n"
        "Antal regioner som deltog i arbetet var 13\n\n"
        "Det totala antalet deltagare under året var 11\n\n"
        "Slutsatsen är att arbetet fungerar väl.\n"
    )
    spans = txt(text)
    assert [s.text for s in spans] == [
        "Antal kommuner som svarade på enkäten: 12",
        "Antal regioner som deltog i arbetet var 13",
        "Det totala antalet deltagare under året var 11",
        "Slutsatsen är att arbetet fungerar väl.",
    ]
    assert {s.section for s in spans} == {"Resultat av enkäten"}
    single = txt(
        "Resultatet visar att dialogen med borgare och 2\n\n"
        "företag har förbättrats under de senaste åren enligt mätningen."
    )
    assert single[0].text.endswith("borgare och 2")
    # a short page (under MIN_PAGE characters) is no page: a numbered list of statements
    steps = "\n\n".join(f"Steg nummer {n} i arbetet är nu klart. {n}" for n in (1, 2, 3, 4))
    assert [s.text for s in txt(steps)] == steps.split("\n\n")


def test_a_run_of_title_lines_is_one_list_not_headings():
    titles = "\n\n".join(f"Rapport om näringsliv nummer {n}" for n in range(8))
    body = "En lång text efter titlarna som beskriver något helt annat.\n" * 2
    text = f"{titles}\n\n{body}"
    spans = txt(text)
    assert not any(b.kind == "heading" for b in document_blocks(text, None, "txt"))
    assert len(spans) == 2
    assert spans[0].text.startswith("Rapport om näringsliv nummer 0")


def test_blocks_from_a_reader_are_used_as_given():
    from coder.corpus.structure import Block

    text = "Region Väst\n\nEtt stycke om arbetet i regionen under året."
    blocks = [Block("heading", 0, 11, 1), Block("paragraph", 13, len(text))]
    spans = segment_document(text, blocks, "docx", "paragraph", "sv")
    assert [(s.section, s.text) for s in spans] == [
        ("Region Väst", "Ett stycke om arbetet i regionen under året.")
    ]
    assert document_blocks(text, blocks, "docx") == blocks


# -- sentences --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["sv", "da", "nb"])
def test_nordic_abbreviations_and_dates_do_not_end_sentences(language):
    text = "Møde nr. 16. juni 2007. Næste møde er ca. 3 uger senere."
    spans = segment_document(text, None, "txt", "sentence", language)
    assert [s.text for s in spans] == [
        "Møde nr. 16. juni 2007.",
        "Næste møde er ca. 3 uger senere.",
    ]
    assert [s.text for s in segment(text, "sentence", language)] == [s.text for s in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Det gäller bl.a. kommuner, t.ex. Umeå. Från 1. januari gäller det.",
            ["Det gäller bl.a. kommuner, t.ex. Umeå.", "Från 1. januari gäller det."],
        ),
        (
            "Vi har analyser, rapporter osv. Sedan kom 3 mio. kr. i stöd.",
            ["Vi har analyser, rapporter osv.", "Sedan kom 3 mio. kr. i stöd."],
        ),
        (
            "Se kap. 3 og pkt. 4, jf. f.eks. bilag. Det er evt. inkl. moms. Slut i år 2019. Ny.",
            [
                "Se kap. 3 og pkt. 4, jf. f.eks. bilag.",
                "Det er evt. inkl. moms.",
                "Slut i år 2019.",
                "Ny.",
            ],
        ),
    ],
)
def test_sentence_cases(text, expected):
    assert [s.text for s in txt(text, "sentence")] == expected


def test_sentence_mode_keeps_sections_and_table_rows_whole():
    text = "# Del\n\nFörsta meningen. Andra meningen.\n\n| A | B |\n|---|---|\n| x. Y. | z |\n"
    spans = md(text, "sentence")
    assert [(s.section, s.text) for s in spans] == [
        ("Del", "Första meningen."),
        ("Del", "Andra meningen."),
        ("Del", "A: x. Y.; B: z"),
    ]


# -- passages never lose or overlap text ------------------------------------------------------


def test_a_nested_item_after_a_table_row_is_a_passage_not_part_of_the_row():
    from coder.corpus.structure import Block

    text = (
        "| Typ | Antal |\n"
        "  - En indragen punkt direkt efter tabellen, lång nog att stå som egen mening.\n"
        "- Första punkten i listan är en hel mening som inte är ett fragment alls.\n"
        "- Andra punkten i listan är också en hel mening som slutar med en punkt.\n"
    )
    lines = text.splitlines(keepends=True)
    at = [sum(len(x) for x in lines[:k]) for k in range(len(lines))]
    blocks = [
        Block("row", 0, len(lines[0]) - 1, cells=("Typ", "Antal")),
        Block("item", at[1] + 2, at[1] + len(lines[1]) - 1, 2),
        Block("item", at[2], at[2] + len(lines[2]) - 1, 1),
        Block("item", at[3], at[3] + len(lines[3]) - 1, 1),
    ]
    spans = segment_document(text, blocks, "docx", "paragraph", "sv")
    assert [(s.start, s.end) for s in spans][0] == (0, len(lines[0]) - 1)
    assert [s.text for s in spans] == [
        "Typ; Antal",
        "En indragen punkt direkt efter tabellen, lång nog att stå som egen mening.",
        "Första punkten i listan är en hel mening som inte är ett fragment alls.",
        "Andra punkten i listan är också en hel mening som slutar med en punkt.",
    ]


HOSTILE = [
    "- Punkt ett med en tabell:\n\n  | A | B |\n  |---|---|\n  | x | y |\n\n"
    "  Text efter tabellen i samma punkt.\n  - nästlad punkt\n\n  Efter den nästlade.\n"
    "- Punkt två\n",
    "- - dubbelt nästlad punkt direkt\n  - och en till här\n- | a | b |\n  |---|---|\n",
    "1. # Rubrik i en punkt\n   Text i punkten.\n\n   ```\n   kod i punkten\n   ```\n"
    "2. Andra punkten\n   > citat i punkten\n",
    "> - punkt i citat\n>   | h |\n>   |---|\n>   | c |\n\n| Bara | Rubrik |\n|---|---|\n",
    "| A | B |\n|---|---|\n| 1 | 2 |\n  - punkt under tabellen\n- punkt\n    - djup\n"
    "  - mellan\n| x | y |\n",
    "Text\n===\n\n- a\n\n  b\n\n  - c\n\n    | t |\n    |---|\n\n    d\n\n  e\n\nf\n",
]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("fmt", ["md", "txt"])
def test_passages_are_sorted_and_never_overlap(text, fmt):
    for how in ("paragraph", "sentence"):
        spans = segment_document(text, None, fmt, how, "sv")
        rows = {b.start for b in document_blocks(text, None, fmt) if b.kind == "row"}
        for s in spans:
            assert 0 <= s.start < s.end <= len(text)
            assert s.start in rows or text[s.start : s.end] == s.text, s
        for a, b in itertools.pairwise(spans):
            assert a.end <= b.start, (a, b)
        for word in text.replace("|", " ").split():
            if any(c.isalpha() for c in word):  # no word is lost
                assert any(word in s.text or word in (s.section or "") for s in spans), word


def test_a_table_of_only_a_header_row_is_a_passage():
    md_text = "# Rubrik\n\n| Namn | Värde |\n|---|---|\n\nText efter tabellen som är lång nog.\n"
    assert [s.text for s in md(md_text)] == ["Namn; Värde", "Text efter tabellen som är lång nog."]
    txt_text = md_text.replace("# Rubrik", "Text före tabellen som är lång nog att stå.")
    assert [s.text for s in txt(txt_text)] == [
        "Text före tabellen som är lång nog att stå.",
        "Namn; Värde",
        "Text efter tabellen som är lång nog.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Det steg med 20 pct. af alle kommuner.", 1),
        ("Det steg med 20 pst. av alle kommuner.", 1),
        ("Det kostar 3 mill. kr. i år.", 1),
        ("Och så vidare... men inte mer än så.", 1),
        ('"Kommer du?" frågade hon.', 1),
        ("Se nedan (forts.) på nästa sida.", 1),
        ("Enligt prop. 2019/20:1 och bet. 2019/20:FiU1 samt dnr. 123 gäller det.", 1),
        ("Se avsnitt 2.3. Där står det.", 2),
        ("Version 1.2. Ny version.", 2),
        ("Punkt A. Sedan mer.", 2),
        ("Det steg med 20 pct. Næste år faldt det.", 2),
        ("Se s. 12 i rapporten.", 1),
        ("Møde nr. 16. juni 2007. Næste møde er ca. 3 uger senere.", 2),
    ],
)
def test_no_sentence_ends_before_a_lower_case_word(text, expected):
    assert len(txt(text, "sentence")) == expected


def test_a_sentence_never_runs_over_a_blank_line():
    text = "Vi har enkla och smarta processer i regionen.\n\nillustration över smart"
    assert len(txt(text)) == 1  # the short line joins the passage before it
    assert [s.text for s in txt(text, "sentence")] == [
        "Vi har enkla och smarta processer i regionen.",
        "illustration över smart",
    ]
