"""`coder report`: the HTML report parsed back, the Word report read with python-docx; the
text of both is kept as golden files (the HTML with its charts as ``<svg/>``)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from docx.table import Table
from docx.text.paragraph import Paragraph

from coder.corpus.importer import import_documents
from coder.model.codebook import load_codebook
from coder.reports.formats.report_docx import to_docx
from coder.reports.formats.report_html import inline_svg, to_html
from coder.reports.seminar import Seminar, seminar
from coder.store import NewDocument, Span, Store
from tests.conftest import CODEBOOK, CORPUS
from tests.demo_key import code_demo
from tests.golden import check_golden

DAY = date(2026, 12, 7)
QUESTION_TITLES = [
    "Hur bedrivs arbetet?",
    "Utveckling framöver",
    "Genomförda insatser",
    "Hur tas kunskap och erfarenheter tillvara?",
]
HOSTILE = '<script>alert("x")</script> & <b>fet</b>\x07 </blockquote>'


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> str:
    """The demo corpus coded the way an evaluator would (read only by these tests)."""
    path = str(tmp_path_factory.mktemp("report") / "demo.db")
    Store.create(path, load_codebook(CODEBOOK)).close()
    with Store.open(path) as store:
        import_documents(store, [CORPUS])
        code_demo(store)
    return path


def gather(db: str, question: str | None = None, **options) -> Seminar:
    with Store.open(db, read_only=True) as store:
        return seminar(store, question, day=DAY, **options)


def html_of(s: Seminar) -> str:
    stream = io.StringIO()
    to_html(s, stream)
    return stream.getvalue()


def without_charts(text: str) -> str:
    return re.sub(r"<svg\b.*?</svg>", "<svg/>", text, flags=re.DOTALL)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def all(self, tag: str) -> list[Element]:
        found = [c for c in self.children if c.tag == tag]
        return found + [d for c in self.children for d in c.all(tag)]


class Tree(HTMLParser):
    """The document as elements with their text, and every id and #reference in it."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "source"}

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("document", {})
        self.stack = [self.root]
        self.ids: list[str] = []
        self.references: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        for name, value in attrs:
            if name == "id":
                self.ids.append(value or "")
            if name in ("href", "xlink:href") and value and value.startswith("#"):
                self.references.append(value[1:])
            if value and "url(#" in value:
                self.references += re.findall(r"url\(#([^)]+)\)", value)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data):
        for element in self.stack:
            element.text += data


def texts(elements: list[Element]) -> list[str]:
    return [" ".join(e.text.split()) for e in elements]


# -- HTML ---------------------------------------------------------------------------------------


def test_html_has_a_section_per_question_with_table_chart_and_every_passage(demo):
    s = gather(demo, quotes=None)
    text = html_of(s)
    tree = Tree(text)
    (html,) = tree.root.all("html")
    assert html.attrs["lang"] == "sv"
    assert any(m.attrs.get("charset") == "utf-8" for m in tree.root.all("meta"))
    assert texts(tree.root.all("h1")) == [s.title]
    assert texts(tree.root.all("h2")) == [*QUESTION_TITLES, "Metod"]
    questions = [e for e in tree.root.all("section") if e.attrs.get("class") == "question"]
    assert len(questions) == 4
    for question, part in zip(questions, s.parts, strict=True):
        (table,) = question.all("table")
        (head,) = table.all("thead")
        assert texts(head.all("th")) == ["Kategori", "Definition", "Antal", "Exempel"]
        body_rows = table.all("tbody")[0].all("tr")
        assert len(body_rows) == len(part.categories)
        assert texts(question.all("h3")) == [c.code.label for c in part.categories]
        assert len(question.all("svg")) == 1
        # every coded passage, whole, in quotation marks, with its case under it
        quotes = question.all("blockquote")
        assert len(quotes) == sum(c.coded_passages for c in part.categories)
        first = part.categories[0].quotes[0]
        assert " ".join(quotes[0].all("p")[0].text.split()) == " ".join(f"”{first.text}”".split())
        assert texts(quotes[0].all("footer")) == [f"– {first.case}"]
    assert len(questions[0].all("blockquote")) == 6 + 4 + 4  # the demo's cases per category
    ramverk = category_sections(tree)["q-arbetssatt-strategiskt-ramverk"]
    assert "Definition: Arbetet beskrivs bedrivas med utgångspunkt i en lärandeplan" in (
        " ".join(ramverk.text.split())
    )
    assert "6 av 14 fall · Exempel: Gotland, Jämtland Härjedalen" in ramverk.text
    assert "Alla 6 kodade avsnitt." in ramverk.text
    # the table's category cells link to the category's section; the charts' own ids are
    # unique in the document, and every #reference (links, glyphs, clip paths) resolves
    assert len(tree.ids) == len(set(tree.ids))
    assert set(tree.references) <= set(tree.ids)
    assert "q-arbetssatt-strategiskt-ramverk" in tree.references


def test_html_is_self_contained_and_prints(demo):
    text = html_of(gather(demo, quotes=2))
    tree = Tree(text)
    for tag in ("script", "link", "img", "iframe", "object"):
        assert not tree.root.all(tag), tag
    assert len(tree.root.all("style")) == 1
    assert not re.search(r"""\b(src|href)\s*=\s*["']?\s*(https?:|//)""", text)
    assert "@import" not in text and "url(http" not in text and "@font-face" not in text
    assert "http" not in without_charts(text).split("<main>")[0]  # not even in the head
    for svg in tree.root.all("svg"):
        assert svg.attrs["viewbox"] and "width" not in svg.attrs
        assert svg.attrs["role"] == "img" and svg.attrs["aria-label"] in QUESTION_TITLES
    assert "<?xml" not in text and "<!DOCTYPE svg" not in text and "<metadata>" not in text
    style = tree.root.all("style")[0].text
    assert "@page { size: A4" in style and "@media print" in style
    assert "break-inside: avoid" in style and "thead { display: table-header-group; }" in style
    # the same report comes out the same, byte for byte, charts included
    assert html_of(gather(demo, quotes=2)) == text


def test_html_quotes_limited_say_how_many_of_how_many(demo):
    s = gather(demo, quotes=2)
    tree = Tree(html_of(s))
    assert len(tree.root.all("blockquote")) == sum(
        len(c.quotes) for p in s.parts for c in p.categories
    )
    shown = texts([p for p in tree.root.all("p") if p.attrs.get("class") == "shown"])
    assert shown[0] == "2 av 6 kodade avsnitt."  # no model ranked them: no "most typical"
    assert "Alla 2 kodade avsnitt." in shown


def test_html_golden(demo):
    check_golden("report.sv.html", without_charts(html_of(gather(demo, quotes=2))))


def test_html_golden_english_every_passage(demo):
    text = html_of(gather(demo, "arbetssatt", quotes=None, language="en"))
    assert '<html lang="en">' in text and "<h2>Method</h2>" in text
    check_golden("report.en.html", without_charts(text))


def test_inline_svg_drops_prolog_and_size_and_renumbers_ids():
    svg = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="720pt" height="100pt" '
        'viewBox="0 0 720 100">\n <metadata><dc:date>2026</dc:date></metadata>\n'
        ' <defs><path id="DejaVuSans-41" d="M 0 0"/><clipPath id="p8f3a"><rect/></clipPath>'
        '</defs>\n <g id="figure_1" clip-path="url(#p8f3a)"><use xlink:href="#DejaVuSans-41"/>'
        "</g>\n</svg>\n"
    )
    assert inline_svg(svg, "chart2-", "A & B") == (
        '<svg viewBox="0 0 720 100" role="img" aria-label="A &amp; B">\n'
        ' <defs><path id="chart2-1" d="M 0 0"/><clipPath id="chart2-2"><rect/></clipPath>'
        '</defs>\n <g id="chart2-3" clip-path="url(#chart2-2)"><use xlink:href="#chart2-1"/>'
        "</g>\n</svg>"
    )


# -- untrusted text, comparison, suggestions ----------------------------------------------------


def add_case(store, name, texts, attributes=None, section=None) -> list[int]:
    with store.batch() as b:
        case_id = b.case(name, attributes or {})
        spans, at = [], 0
        for text in texts:
            spans.append(Span(at, at + len(text), text, section=section))
            at += len(text) + 2
        body = "\n\n".join(texts)
        return b.add_documents([NewDocument(case_id, f"{name}.txt", "txt", body, name, spans)])[0]


@pytest.fixture
def small(tmp_path: Path) -> str:
    """Four cases in two periods; one passage (and a case name, and a section) is hostile."""
    path = str(tmp_path / "small.db")
    Store.create(path, load_codebook(CODEBOOK)).close()
    with Store.open(path) as store:
        odd = add_case(
            store, "Region <Ö> & Co", [HOSTILE], {"period": "2019"}, section="<i>Rubrik</i>"
        )
        kalmar = add_case(store, "Kalmar", ["Planen styr.", "Vi lär."], {"period": "2018"})
        skane = add_case(store, "Skåne", ["Löpande."], {"period": "2018"})
        umea = add_case(store, "Västerbotten", ["Planen."], {"period": "2019"})
        store.toggle_code(odd[0], "arbetssatt", "strategiskt-ramverk", "anna")
        store.toggle_code(kalmar[0], "arbetssatt", "strategiskt-ramverk", "anna")
        store.toggle_code(kalmar[1], "arbetssatt", "overgripande-ambition", "anna")
        store.toggle_code(skane[0], "arbetssatt", "overgripande-ambition", "anna")
        store.replace_suggestions("arbetssatt", [(umea[0], "strategiskt-ramverk", 0.9, 1)], "m1")
    return path


def test_passage_text_case_and_section_come_out_as_text(small):
    s = gather(small, question="arbetssatt")
    text = html_of(s)
    tree = Tree(text)
    assert not tree.root.all("script") and not tree.root.all("b") and not tree.root.all("i")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;fet&lt;/b&gt;" in text
    assert "\x07" not in text
    quote = next(q for q in tree.root.all("blockquote") if "alert" in q.text)
    assert quote.all("p")[0].text == '”<script>alert("x")</script> & <b>fet</b> </blockquote>”'
    assert texts(quote.all("footer")) == ["– Region <Ö> & Co, <i>Rubrik</i>"]
    path = Path(small).with_suffix(".docx")
    to_docx(s, path)
    (quote_paragraph,) = [p for p in docx.Document(str(path)).paragraphs if "alert" in p.text]
    assert quote_paragraph.style.name == "Quote"
    assert quote_paragraph.text == '”<script>alert("x")</script> & <b>fet</b> </blockquote>”'


def test_comparison_suggestions_and_an_empty_category(small):
    s = gather(small, question="arbetssatt", compare="period", include_suggestions=0.5)
    tree = Tree(html_of(s))
    (question,) = [e for e in tree.root.all("section") if e.attrs.get("class") == "question"]
    (comparison,) = [e for e in question.all("section") if e.attrs.get("class") == "comparison"]
    assert texts(comparison.all("h3")) == ["Jämförelse efter period"]
    head = texts(comparison.all("thead")[0].all("th"))
    assert head[:3] == ["Kategori", "2018 (n=2)", "2019 (n=2)"]
    assert len(question.all("svg")) == 2
    # a case counted through a model suggestion is marked; its quotes are human codings only
    ramverk = category_sections(tree)["q-arbetssatt-strategiskt-ramverk"]
    assert "3 av 4 fall * · Exempel: Kalmar, Region <Ö> & Co, Västerbotten*" in ramverk.text
    assert len(ramverk.all("blockquote")) == 2
    notes = texts([p for p in question.all("p") if p.attrs.get("class") == "note"])
    assert any(n.startswith("* Inkluderar modellförslag") for n in notes)
    assert "Alla 2 kodade avsnitt." in ramverk.text

    path = Path(small).with_suffix(".docx")
    to_docx(s, path)
    document = docx.Document(str(path))
    headings = [(p.style.name, p.text) for p in document.paragraphs if "Heading" in p.style.name]
    assert ("Heading 2", "Jämförelse efter period") in headings
    assert len(document.tables) == 2
    assert [c.text for c in document.tables[1].rows[0].cells][:3] == head[:3]
    assert len(document.inline_shapes) == 2


def category_sections(tree: Tree) -> dict[str, Element]:
    return {
        e.attrs["id"] or "": e
        for e in tree.root.all("section")
        if e.attrs.get("class") == "category"
    }


def test_a_category_nobody_coded_says_so_and_limited_quotes_say_of_how_many(small):
    s = gather(small, question="arbetssatt", quotes=1)
    sections = category_sections(Tree(html_of(s)))
    empty = sections["q-arbetssatt-generell-ansats"]
    assert " ".join(empty.text.split()) == (
        "Generell ansats Definition: Arbetet beskrivs ske kontinuerligt, som en del av den "
        "löpande verksamheten, utan hänvisning till plan, ramverk eller uttalad ambition. "
        "0 av 4 fall Inga kodade avsnitt."
    )
    ambition = sections["q-arbetssatt-overgripande-ambition"]
    assert "1 av 2 kodade avsnitt." in ambition.text and len(ambition.all("blockquote")) == 1


# -- DOCX ---------------------------------------------------------------------------------------


def docx_text(path: Path) -> str:
    """Each paragraph as ``[Style] text`` (a picture as ``<picture W in>``), each table row
    as ``| a | b |``."""
    lines = []
    for block in docx.Document(str(path)).iter_inner_content():
        if isinstance(block, Table):
            lines += ["| " + " | ".join(c.text for c in row.cells) + " |" for row in block.rows]
            continue
        assert isinstance(block, Paragraph)
        pictures = [
            f"<picture {int(e.get('cx')) / 914400:.1f} in>"
            for e in block._p.xpath(".//wp:inline/wp:extent")
        ]
        lines.append(f"[{block.style.name}] {''.join(pictures)}{block.text}")
    return "\n".join(lines) + "\n"


def test_docx_uses_word_styles_a_real_table_and_quote_paragraphs(demo, tmp_path):
    s = gather(demo, quotes=None)
    path = tmp_path / "report.docx"
    to_docx(s, path)
    document = docx.Document(str(path))
    paragraphs = document.paragraphs
    assert (paragraphs[0].style.name, paragraphs[0].text) == ("Title", s.title)
    by_style: dict[str, list[str]] = {}
    for p in paragraphs:
        by_style.setdefault(p.style.name, []).append(p.text)
    assert by_style["Heading 1"] == [*QUESTION_TITLES, "Metod"]
    assert by_style["Heading 2"] == [c.code.label for p in s.parts for c in p.categories]
    assert len(by_style["Quote"]) == sum(c.coded_passages for p in s.parts for c in p.categories)
    first = s.parts[0].categories[0].quotes[0]
    at = [p.text for p in paragraphs].index(f"”{first.text}”")
    attribution = paragraphs[at + 1]
    assert attribution.text == f"– {first.case}" and attribution.alignment == 2  # right
    # a real table per question: header bold and repeated on each page, rows not split
    assert len(document.tables) == 4
    for table, part in zip(document.tables, s.parts, strict=True):
        header = table.rows[0]
        assert [c.text for c in header.cells] == ["Kategori", "Definition", "Antal", "Exempel"]
        assert all(r.bold for c in header.cells for r in c.paragraphs[0].runs)
        assert header._tr.xpath("./w:trPr/w:tblHeader")
        assert all(row._tr.xpath("./w:trPr/w:cantSplit") for row in table.rows)
        assert [row.cells[0].text for row in table.rows[1:]] == [
            c.row.label for c in part.categories
        ]
        assert [row.cells[2].text for row in table.rows[1:]] == [
            str(c.row.cases) for c in part.categories
        ]
        assert table.style.name == "Table Grid"
    # footnotes small and italic; charts 6.5 inches wide, fitting an A4 page
    note = next(p for p in paragraphs if p.text == "Antal fall totalt: 14.")
    assert note.runs[0].italic and note.runs[0].font.size.pt == 9
    assert [round(shape.width.inches, 2) for shape in document.inline_shapes] == [6.5] * 4
    assert [shape._inline.docPr.get("descr") for shape in document.inline_shapes] == (
        QUESTION_TITLES
    )
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert section.page_width - section.left_margin - section.right_margin >= (
        document.inline_shapes[0].width
    )
    properties = document.core_properties
    assert (properties.title, properties.language) == (s.title, "sv-SE")
    assert properties.created.date() == DAY


def test_docx_golden(demo, tmp_path):
    path = tmp_path / "report.docx"
    to_docx(gather(demo, quotes=2), path)
    check_golden("report.sv.docx.txt", docx_text(path))


def test_docx_golden_english_every_passage(demo, tmp_path):
    path = tmp_path / "report.docx"
    to_docx(gather(demo, "arbetssatt", quotes=None, language="en"), path)
    text = docx_text(path)
    assert "[Heading 1] Method\n" in text and "| Category | Definition | Cases | Examples |" in text
    assert docx.Document(str(path)).core_properties.language == "en-GB"
    check_golden("report.en.docx.txt", text)


# -- the command --------------------------------------------------------------------------------


def test_report_command_writes_the_format_its_suffix_asks_for(cli, demo, tmp_path):
    out = tmp_path / "rapport.html"
    result = cli("report", "--out", out, "--quotes", "1", "--db", demo)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and f"Wrote {out}" in result.stderr
    text = out.read_text("utf-8")
    assert (
        text.startswith("<!DOCTYPE html>") and text.count("<blockquote>") == 3 + 5 + 6 + 6
    )  # one a category
    out = tmp_path / "report.docx"
    result = cli("report", "--out", out, "--question", "arbetssatt", "--lang", "en", "--db", demo)
    assert result.exit_code == 0, result.output
    assert "[Heading 1] Method" in docx_text(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rapport.html", "report.docx"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "{tmp}/missing/report.html"], "folder {tmp}/missing does not exist"),
        (["--out", "{tmp}/report.pdf"], "give --out FILE.html or FILE.docx"),
        (["--out", "{tmp}/report.html", "--quotes", "0"], "--quotes must be 1 or more"),
        (["--out", "{tmp}/report.docx", "--question", "nope"], "nope"),
        (["--out", "{tmp}/report.html", "--compare", "nope"], "no case has the attribute 'nope'"),
    ],
)
def test_report_command_refuses_bad_input_in_one_line_writing_nothing(
    cli, demo, tmp_path, args, message
):
    result = cli("report", *[a.format(tmp=tmp_path) for a in args], "--db", demo)
    assert result.exit_code == 1
    assert result.stderr.startswith("coder: error: ") and result.stderr.count("\n") == 1
    assert message.format(tmp=tmp_path) in result.stderr
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
