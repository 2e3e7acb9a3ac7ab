"""Swedish and English: the language chosen from --lang, $CODER_LANG or the locale, the help
and the messages in it, plurals, and a catalogue that holds every marked string.

The help texts are translated when the command line is built, so the language tests run the
program as a user does, in a process of its own.
"""

from __future__ import annotations

import gettext
import io
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import typer
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from coder import i18n
from coder.cli import app
from tests.conftest import REPO

PO = REPO / "coder" / "locale" / "sv" / "LC_MESSAGES" / "coder.po"
LOCALE_VARIABLES = ("CODER_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def run(*args: str, cwd: Path = REPO, **env: str) -> subprocess.CompletedProcess[str]:
    """``coder ARGS`` in a process of its own, with only the locale variables given."""
    environ = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    environ.update(env)
    environ["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "coder.cli", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


# -- choosing the language ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        ([], {}, "en"),
        ([], {"LANG": "C.UTF-8"}, "en"),
        ([], {"LANG": "sv_SE.UTF-8"}, "sv"),
        ([], {"LC_ALL": "sv_FI.UTF-8", "LANG": "en_GB.UTF-8"}, "sv"),
        ([], {"LC_ALL": "", "LC_MESSAGES": "sv_SE", "LANG": "en_US"}, "sv"),
        ([], {"CODER_LANG": "en", "LC_ALL": "sv_SE.UTF-8"}, "en"),
        ([], {"CODER_LANG": "sv", "LANG": "en_US.UTF-8"}, "sv"),
        (["coder", "--lang", "en", "tally"], {"CODER_LANG": "sv"}, "en"),
        (["coder", "tally", "--lang=sv"], {"LANG": "C"}, "sv"),
        # the deck's --lang da is the slides' language: the interface follows the locale
        (["coder", "deck", "--lang", "da"], {"LANG": "sv_SE.UTF-8"}, "sv"),
        (["coder", "--", "--lang", "sv"], {}, "en"),
    ],
)
def test_the_language_comes_from_lang_then_coder_lang_then_the_locale(argv, environ, expected):
    assert i18n.choose(argv, environ) == expected


def test_help_is_swedish_under_a_swedish_locale():
    result = run("--help", LANG="sv_SE.UTF-8")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Användning: coder [OPTIONS] COMMAND [ARGS]...")
    assert "Skapa en ny projektdatabas med en kodbok." in result.stdout
    assert "Kommandon:" in result.stdout and "Flaggor:" in result.stdout
    assert "Create a new project database" not in result.stdout


def test_help_is_english_by_default_and_with_lang_en_under_a_swedish_locale():
    plain = run("tally", "--help", LANG="C.UTF-8")
    chosen = run("--lang", "en", "tally", "--help", LANG="sv_SE.UTF-8")
    for result in (plain, chosen):
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Usage: coder tally [OPTIONS]")
        assert "Count cases per category, with example cases" in result.stdout
        assert "Options:" in result.stdout and "[default: 4]" in result.stdout
    swedish = run("tally", "--help", CODER_LANG="sv")
    assert "Räkna fall per kategori, med exempelfall" in swedish.stdout
    assert "[standard: 4]" in swedish.stdout


def test_an_error_is_one_swedish_line_with_coder_lang_sv(db):
    result = run("tally", "--question", "nope", "--db", db, CODER_LANG="sv")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("coder: fel: okänd fråga 'nope' (kodboken har: ")
    assert result.stderr.count("\n") == 1
    english = run("tally", "--question", "nope", "--db", db, LANG="C.UTF-8")
    assert english.stderr.startswith("coder: error: unknown question 'nope' (codebook has: ")


def test_a_messages_language_follows_the_decks_lang_when_the_interface_speaks_it(tmp_path):
    sv = run("deck", "--lang", "sv", "--out", "deck.txt", cwd=tmp_path, LANG="C.UTF-8")
    assert sv.returncode == 1
    assert "deck.txt: bildspelet är en PowerPoint-fil; ange --out FILE.pptx" in sv.stderr
    da = run("deck", "--lang", "da", "--out", "deck.txt", cwd=tmp_path, LANG="sv_SE.UTF-8")
    assert "bildspelet är en PowerPoint-fil" in da.stderr  # Danish slides, Swedish messages
    en = run("deck", "--lang", "da", "--out", "deck.txt", cwd=tmp_path, LANG="C.UTF-8")
    assert "deck.txt: the deck is a PowerPoint file; give --out FILE.pptx" in en.stderr


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout == f"coder {metadata.version('coder')}\n"
    assert result.stdout.startswith("coder 0.")


# -- plurals --------------------------------------------------------------------------------------

ONE_QUESTION = """\
id: tiny
title: Tiny
language: sv
questions:
  - id: q
    title: A question
    mode: single
    codes:
      - {id: a, label: A}
      - {id: b, label: B}
"""


def test_plurals_are_right_in_both_languages(tmp_path):
    book = tmp_path / "tiny.yaml"
    book.write_text(ONE_QUESTION, "utf-8")
    english = run("codebook", "check", str(book), LANG="C.UTF-8")
    swedish = run("codebook", "check", str(book), LANG="sv_SE.UTF-8")
    assert "\n1 question, 2 codes\n" in english.stdout
    assert "\n1 fråga, 2 koder\n" in swedish.stdout
    assert f"\n{book}: OK\n" in english.stdout and f"\n{book}: OK\n" in swedish.stdout

    db = tmp_path / "p.db"
    created = run("init", "--codebook", str(book), "--db", str(db), CODER_LANG="sv")
    assert created.stdout == f"Skapade projektet {db} med kodboken 'tiny' (1 fråga, 2 koder).\n"


@pytest.mark.parametrize(
    ("n", "english", "swedish"),
    [(1, "1 question", "1 fråga"), (2, "2 questions", "2 frågor"), (0, "0 questions", "0 frågor")],
)
def test_ngettext_picks_the_form_for_the_number(n, english, swedish):
    before = i18n.language()
    try:
        i18n.set_language("en")
        assert i18n.ngettext("{n} question", "{n} questions", n).format(n=n) == english
        i18n.set_language("sv")
        assert i18n.ngettext("{n} question", "{n} questions", n).format(n=n) == swedish
        assert i18n.ngettext("{n} case", "{n} cases", n).format(n=n) == f"{n} fall"
    finally:
        i18n.set_language(before)


# -- every command ------------------------------------------------------------------------------


def _commands(group, prefix=""):
    found = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found += _commands(command, f"{prefix}{name} ")
        else:
            found.append((f"{prefix}{name}", command))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def test_there_are_commands_to_check():
    names = [name for name, _command in COMMANDS]
    assert {"init", "import", "tally", "deck", "codebook check", "cases set"} <= set(names)


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _c in COMMANDS])
def test_every_command_takes_lang_and_lists_db_last(cli, name, command):
    options = [p for p in command.params if p.opts and p.opts[0].startswith("--")]
    flags = [p.opts[0] for p in options]
    assert "--lang" in flags
    if "--db" in flags:
        assert flags[-1] == "--db", f"{name}: --db is not the last option: {flags}"
    before = i18n.language()
    result = cli(*name.split(), "--lang", "sv" if before == "en" else "en", "--help")
    assert result.exit_code == 0, result.output
    assert i18n.language() == before  # a run in this process leaves the language as it was


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _c in COMMANDS])
def test_help_placeholders_read_as_words(cli, name, command):
    text = cli(*name.split(), "--help").output
    usage = text.splitlines()[0]
    assert usage.startswith("Usage: ") and f" {name} [OPTIONS]" in usage, usage
    assert "{" not in usage and "<" not in usage, usage
    for bad in ("<list[", "<path>", "<str>", "<int>", "<float>"):
        assert bad not in text, f"coder {name} --help shows {bad}"


def test_arguments_show_their_names_with_dots_for_several():
    text = run("import", "--help", LANG="C").stdout
    assert text.startswith("Usage: coder import [OPTIONS] PATH...\n")
    assert "\n  PATH...  Files or folders" in text
    text = run("cases", "set", "--help", LANG="C").stdout
    assert text.startswith("Usage: coder cases set [OPTIONS] CASE KEY=VALUE...\n")


def test_an_unknown_lang_is_a_usage_error(cli):
    result = cli("status", "--lang", "fi")
    assert result.exit_code == 2
    assert "'fi' is not one of" in result.output


# -- the catalogue --------------------------------------------------------------------------------

FIELD = re.compile(r"\{[^{}]*\}")


def marked(folder: Path) -> set[str | tuple[str, str]]:
    """Every message marked with _(), ngettext() or N_() in the Python files under ``folder``
    (a plural as its (singular, plural) pair)."""
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(folder), method_map=[("**.py", "python")]
    ):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def catalogue_problems(code: set[str | tuple[str, str]], po: Path) -> list[str]:
    """What is wrong with the catalogue ``po`` for the messages ``code`` marks."""
    with po.open("rb") as stream:
        catalog = read_po(stream)
    entries = {}
    problems = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else tuple(message.id[:2])
        entries[key] = message
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        ids = [key] if isinstance(key, str) else list(key)
        if message.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        if not all(s.strip() for s in strings):
            problems.append(f"not translated: {key!r}")
        for text in strings:
            if text and sorted(set(FIELD.findall(text))) != sorted(set(FIELD.findall(ids[-1]))):
                problems.append(f"placeholders differ: {key!r} -> {text!r}")
    problems += [f"marked in the code but not in {po.name}: {m!r}" for m in code - set(entries)]
    problems += [f"in {po.name} but no longer in the code: {m!r}" for m in set(entries) - code]
    return problems


def test_every_marked_string_has_a_swedish_translation():
    code = marked(REPO / "coder")
    assert len(code) > 300
    assert catalogue_problems(code, PO) == [], (
        "coder/locale/sv/LC_MESSAGES/coder.po is not in step with the code: extract, update "
        "and translate (docs/development.md, 'Translating')"
    )


def test_the_catalogue_check_can_fail(tmp_path):
    """The check itself sees a new string, an empty and a fuzzy translation, and a lost
    placeholder."""
    (tmp_path / "new.py").write_text(
        "from coder.i18n import _\n_('a string no one translated')\n", "utf-8"
    )
    code = marked(REPO / "coder") | marked(tmp_path)
    po = tmp_path / "coder.po"
    text = PO.read_text("utf-8")
    text = text.replace('msgstr "Flaggor"', 'msgstr ""', 1)
    text = text.replace('msgid "Arguments"', '#, fuzzy\nmsgid "Arguments"', 1)
    text = text.replace('msgstr "standard: {default}"', 'msgstr "standard"', 1)
    po.write_text(text, "utf-8")
    problems = catalogue_problems(code, po)
    assert "marked in the code but not in coder.po: 'a string no one translated'" in problems
    assert "not translated: 'Options'" in problems
    assert "fuzzy: 'Arguments'" in problems
    assert "placeholders differ: 'default: {default}' -> 'standard'" in problems


# -- the compiled catalogue ---------------------------------------------------------------------


@pytest.fixture
def locale_copy(tmp_path, monkeypatch):
    """A copy of the locale folder, read instead of the package's (nothing cached)."""
    folder = tmp_path / "locale" / "sv" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(PO, folder / "coder.po")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    monkeypatch.setattr(i18n, "_loaded", {})
    return folder


def _mo_saying(po: Path, options: str) -> bytes:
    """The .mo of ``po`` with the translation of "Options" replaced."""
    with po.open("rb") as stream:
        catalog = read_po(stream)
    catalog["Options"].string = options
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def test_without_a_mo_the_po_is_compiled_in_memory(locale_copy):
    assert i18n.catalogue("sv").gettext("Options") == "Flaggor"
    assert not (locale_copy / "coder.mo").exists()


def test_a_mo_older_than_its_po_is_not_used(locale_copy):
    mo = locale_copy / "coder.mo"
    mo.write_bytes(_mo_saying(locale_copy / "coder.po", "STALE"))
    os.utime(mo, (1_000_000, 1_000_000))
    assert i18n.catalogue("sv").gettext("Options") == "Flaggor"


def test_a_mo_at_least_as_new_as_its_po_is_used(locale_copy):
    mo = locale_copy / "coder.mo"
    mo.write_bytes(_mo_saying(locale_copy / "coder.po", "FROM THE MO"))
    po_time = (locale_copy / "coder.po").stat().st_mtime
    os.utime(mo, (po_time + 10, po_time + 10))
    translations = i18n.catalogue("sv")
    assert isinstance(translations, gettext.GNUTranslations)
    assert translations.gettext("Options") == "FROM THE MO"


def test_english_needs_no_catalogue_and_an_unknown_language_falls_back_to_it(monkeypatch):
    monkeypatch.setattr(i18n, "_loaded", {})
    before = i18n.language()
    try:
        i18n.set_language("fi")
        assert i18n.language() == "en"
        assert i18n._("Options") == "Options"
    finally:
        i18n.set_language(before)


# -- the core's messages: importing, the project file, the log ---------------------------------


def _reports(tmp_path: Path) -> Path:
    """Two regions' reports, one table row and two, beside a folder note and a picture."""
    folder = tmp_path / "rapporter"
    folder.mkdir()
    (folder / "Kalmar.md").write_text("| Insats | År |\n|---|---|\n| Analys | 2019 |\n", "utf-8")
    (folder / "Skåne.md").write_text(
        "| Insats | År |\n|---|---|\n| Analys | 2019 |\n| Konferens | 2020 |\n", "utf-8"
    )
    (folder / "README.md").write_text("Om mappen.\n", "utf-8")
    (folder / "bild.png").write_bytes(b"\x89PNG")
    return folder


def test_an_imports_lines_are_swedish_with_their_plurals(cli, db, tmp_path):
    folder = _reports(tmp_path)
    swedish = cli("import", folder, "--lang", "sv", "--db", db)
    assert swedish.exit_code == 0, swedish.output
    assert swedish.stderr.splitlines() == [
        "  Kalmar.md: 1 fall, 1 avsnitt (1 tabellrad)",
        "  Skåne.md: 1 fall, 2 avsnitt (2 tabellrader)",
    ]
    assert f"  {folder / 'README.md'}: en anteckning om mappen, inte ett dokument\n" in (
        swedish.stdout
    )
    assert f"  {folder / 'bild.png'}: filtypen '.png' stöds inte\n" in swedish.stdout
    again = cli("import", folder, "--lang", "sv", "--db", db)
    assert "  Kalmar.md: redan importerad och oförändrad\n" in again.stderr
    english = cli("import", folder, "--lang", "en", "--db", db)
    assert "  Skåne.md: already imported and unchanged\n" in english.stderr
    assert f"  {folder / 'bild.png'}: unsupported file type '.png'\n" in english.stdout


def test_the_plural_of_an_imports_line_follows_the_number_in_english():
    from coder.corpus.importing import FileReport

    one = FileReport("a.md", {"Kalmar"}, documents=1, passages=1, table_rows=1)
    two = FileReport("b.md", {"Kalmar", "Skåne"}, documents=2, passages=2, table_rows=2)
    assert one.line() == "a.md: 1 case, 1 passage (1 table row)"
    assert two.line() == "b.md: 2 cases, 2 passages (2 table rows)"


def test_the_projects_errors_are_swedish(cli, db, tmp_path):
    missing = tmp_path / "nope.db"
    result = cli("status", "--lang", "sv", "--db", missing)
    assert result.exit_code == 1
    assert result.stderr == (
        f"coder: fel: {missing}: inget projekt här; skapa ett med "
        f"`coder init --codebook FILE --db {missing}`\n"
    )
    result = cli("backup", "--out", db, "--lang", "sv", "--db", db)
    assert result.stderr == f"coder: fel: {db}: är själva projektet; ange en annan --out\n"
    result = cli("log", "--since", "igår", "--lang", "sv", "--db", db)
    assert result.stderr == (
        "coder: fel: --since: 'igår' är inte ett datum; ange 2026-12-01 eller 2026-12-01 14:30\n"
    )


def test_the_logs_column_headings_are_swedish(cli, db, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("region;text;kod\nKalmar;Vi följer upp.;strategiskt-ramverk\n", "utf-8")
    options = "--text-column text --case-column region --code-column kod --question arbetssatt"
    imported = cli("import", table, *options.split(), "--coder", "anna", "--db", db)
    assert imported.exit_code == 0, imported.output
    swedish = cli("log", "--lang", "sv", "--db", db).stdout.splitlines()
    assert " ".join(swedish[0].split()) == "Tid Kodare Fall Avsnitt Fråga Kod Händelse Ursprung"
    event = ["anna", "Kalmar", "1", "arbetssatt", "strategiskt-ramverk", "added", "import"]
    assert swedish[2].split()[1:] == event  # the events' values are data: not translated
    english = cli("log", "--lang", "en", "--db", db).stdout.splitlines()
    assert " ".join(english[0].split()) == "Time Coder Case Passage Question Code Action Origin"
    assert cli("log", "--coder", "bo", "--lang", "sv", "--db", db).stderr == (
        "coder: fel: okänd kodare 'bo' (kodare: anna)\n"
    )


def test_one_new_case_is_singular_in_swedish(tmp_path):
    """'1 nytt fall', '2 nya fall': the import's summary line counts in Swedish grammar."""
    env = {**os.environ, "CODER_LANG": "sv"}
    db = tmp_path / "p.db"
    codebook = Path(__file__).resolve().parent.parent / "codebooks" / "ak6-analys-uppfoljning.yaml"
    run = [sys.executable, "-m", "coder.cli"]
    init = [*run, "init", "--codebook", str(codebook), "--db", str(db)]
    subprocess.run(init, env=env, check=True, capture_output=True)
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "Kalmar.txt").write_text("Region Kalmar följer upp arbetet varje år.\n", "utf-8")
    for name in ("Skåne", "Halland"):
        (two / f"{name}.txt").write_text(f"Region {name} följer upp arbetet.\n", "utf-8")
    first = subprocess.run(
        [*run, "import", str(one), "--db", str(db)], env=env, capture_output=True, text=True
    )
    second = subprocess.run(
        [*run, "import", str(two), "--db", str(db)], env=env, capture_output=True, text=True
    )
    assert "1 nytt fall." in first.stdout, first.stdout
    assert "2 nya fall." in second.stdout, second.stdout
