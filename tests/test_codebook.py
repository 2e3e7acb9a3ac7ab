"""Codebook validation: the shipped codebook loads, and every malformed one is refused
with one line that names the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.errors import CodebookError
from coder.model.codebook import load_codebook

GOOD = """\
id: demo
title: Demo
language: sv
questions:
  - id: q1
    title: Hur bedrivs arbetet?
    mode: single
    codes:
      - id: a
        label: Strategiskt ramverk
      - id: b
        label: Generell ansats
"""


def write(tmp_path: Path, text: str | bytes, name: str = "cb.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_shipped_codebook_has_the_four_questions_of_seed_001(codebook_path):
    book = load_codebook(codebook_path)
    assert book.language == "sv"
    titles = {q.title: q for q in book.questions}
    assert titles["Hur bedrivs arbetet?"].mode == "single"
    assert [c.label for c in titles["Hur bedrivs arbetet?"].codes] == [
        "Strategiskt ramverk",
        "Övergripande ambition",
        "Generell ansats",
    ]
    for title in (
        "Utveckling framöver",
        "Genomförda insatser",
        "Hur tas kunskap och erfarenheter tillvara?",
    ):
        assert titles[title].mode == "multi"
    assert len(titles["Utveckling framöver"].codes) == 5
    assert len(titles["Genomförda insatser"].codes) == 6
    assert len(titles["Hur tas kunskap och erfarenheter tillvara?"].codes) == 6
    assert all(c.definition for q in book.questions for c in q.codes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("title: Demo", 'title: "Demo'), ["cb.yaml:", "YAML syntax error"]),
        ("", ["cb.yaml", "empty codebook"]),
        ("# only a comment\n\n", ["cb.yaml", "empty codebook"]),
        (
            GOOD.replace("id: b\n", "id: a\n"),
            ["cb.yaml:11:", "questions[0].codes[1].id", "duplicate code id 'a'"],
        ),
        (
            GOOD.replace("mode: single", "mode: singel"),
            ["cb.yaml:7:", "questions[0].mode", "unknown mode 'singel'"],
        ),
        (
            GOOD.replace("        label: Generell ansats\n", ""),
            ["cb.yaml:11:", "questions[0].codes[1].label", "missing"],
        ),
        (
            GOOD.replace("        label: Generell ansats\n", "        label: ''\n"),
            ["codes[1].label", "is empty"],
        ),
        (
            GOOD.replace("title: Demo\n", "title: Demo\ntitle: Again\n"),
            ["cb.yaml:3:", "title: duplicate key"],
        ),
        (GOOD.replace("language: sv", "language: klingon"), ["cb.yaml:3:", "language"]),
        (GOOD + "    colour: red\n", ["questions[0].colour", "unknown field"]),
        (
            GOOD.replace("      - id: b\n", "      - id: b\n        parent: zz\n"),
            ["codes[1].parent", "unknown parent code 'zz'"],
        ),
        (
            GOOD.replace("      - id: b\n", "      - id: b\n        hotkey: j\n"),
            ["codes[1].hotkey", "reserved"],
        ),
        ("- just\n- a list\n", ["cb.yaml:1:", "expected a mapping"]),
        (GOOD.replace("id: q1", "id: q 1"), ["questions[0].id", "not a valid id"]),
    ],
)
def test_malformed_codebook_is_refused_with_file_line_and_field(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    message = str(info.value)
    assert "\n" not in message
    for part in expected:
        assert part in message


def test_non_utf8_codebook_names_the_line(tmp_path):
    path = write(tmp_path, GOOD.replace("Generell", "Över").encode("cp1252"))
    with pytest.raises(CodebookError, match=r"cb.yaml:12: not UTF-8"):
        load_codebook(path)


def test_same_code_id_in_two_questions_is_allowed(tmp_path):
    text = GOOD + GOOD[GOOD.index("  - id: q1") :].replace("q1", "q2")
    book = load_codebook(write(tmp_path, text))
    assert [q.id for q in book.questions] == ["q1", "q2"]


def test_resolve_finds_codes_by_id_or_label(tmp_path):
    question = load_codebook(write(tmp_path, GOOD)).question("q1")
    assert question.resolve("a").id == "a"
    assert question.resolve(" generell ansats ").id == "b"
    assert question.resolve("nope") is None


def test_codebook_check_prints_questions_and_codes(cli, codebook_path):
    result = cli("codebook", "check", codebook_path)
    assert result.exit_code == 0
    assert "Hur bedrivs arbetet? (single)" in result.output
    assert "[1] strategiskt-ramverk: Strategiskt ramverk" in result.output
    assert "OK" in result.output


def test_codebook_check_error_is_one_line_and_exit_1(cli, tmp_path):
    path = write(tmp_path, GOOD.replace("mode: single", "mode: many"))
    result = cli("codebook", "check", path)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "cb.yaml:7" in lines[0] and "mode" in lines[0]
    assert "Traceback" not in result.output


def test_codebook_check_missing_file(cli, tmp_path):
    result = cli("codebook", "check", tmp_path / "nope.yaml")
    assert result.exit_code == 1
    assert "nope.yaml: no such file" in result.stderr


def test_package_exports_the_model_that_codebook_module_defines(tmp_path):
    """`from coder.model import ...` and the older `coder.model.codebook` give the same names."""
    import coder.model
    from coder.model import codebook

    for name in coder.model.__all__:
        assert getattr(coder.model, name) is getattr(codebook, name)
    book = coder.model.load_codebook(write(tmp_path, GOOD))
    assert isinstance(book, coder.model.Codebook)
    assert book.question("q1").resolve("a") == coder.model.Code(id="a", label="Strategiskt ramverk")
