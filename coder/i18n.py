"""The language of what coder says: messages, errors, help and the coding screen.

Source strings are English and marked with ``_()`` (``ngettext()`` where a number decides
the form); Swedish comes from the gettext catalogue ``coder/locale/sv/LC_MESSAGES/coder.po``,
compiled to ``coder.mo`` when the package is built (``hatch_build.py``). A checkout whose
``.po`` is newer than its ``.mo`` (or that has none) compiles the ``.po`` in memory with
Babel, so what a developer reads is never stale.

The command line picks the language once, before its commands are built (their help texts
are evaluated at import): ``set_language(choose(sys.argv, os.environ))``. Without that call
everything stays English. Words that follow the *codebook's* language (the tallies, slides
and reports: ``coder.reports.formats.wording``) are a different thing and are not here.

Write ``_("unknown question '{name}'").format(name=...)``: the catalogue is looked up with
the text as written, so never an f-string inside ``_()``.

A leaf module: the standard library only (and Babel, imported only to compile a ``.po``).
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

DOMAIN = "coder"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "sv")
"""The languages of the user interface; English is the source and needs no catalogue."""

ENVIRONMENT = ("CODER_LANG", "LC_ALL", "LC_MESSAGES", "LANG")
"""Where the language comes from when ``--lang`` is not given: the first one set."""

_language = "en"
_translations: gettext.NullTranslations = gettext.NullTranslations()
_loaded: dict[str, gettext.NullTranslations] = {}


def _(message: str) -> str:
    """``message`` in the current language (itself where the catalogue lacks it)."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for ``n`` of a message that depends on a number, in the current language:
    ``ngettext("{n} passage", "{n} passages", n).format(n=n)``."""
    return _translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it now (translate it with
    ``_()`` where it is shown)."""
    return message


def language() -> str:
    """The current language: ``"sv"`` or ``"en"``."""
    return _language


def set_language(lang: str) -> None:
    """Speak ``lang`` from now on (``sv`` or ``en``; anything else falls back to English)."""
    global _language, _translations
    lang = normalise(lang)
    _translations = catalogue(lang)
    _language = lang


def normalise(value: str | None) -> str:
    """``sv``, ``sv_SE.UTF-8``, ``SV`` -> ``"sv"``; anything else (``C``, ``da``) -> ``"en"``."""
    return "sv" if value and value.strip().lower().startswith("sv") else "en"


def choose(argv: Sequence[str], environ: Mapping[str, str]) -> str:
    """The language a command line asks for: ``--lang sv|en`` (or ``--lang=sv``) anywhere
    in ``argv`` wins, then ``$CODER_LANG``, then the locale (``$LC_ALL``, ``$LC_MESSAGES``,
    ``$LANG``, the first one set). ``sv...`` is Swedish, anything else English.

    A ``--lang`` that names no language of the interface (``coder deck --lang da``: Danish
    slides) leaves the choice to the environment."""
    given = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            given = argv[i + 1]
        elif arg.startswith("--lang="):
            given = arg.partition("=")[2]
    if given is not None and given.strip().lower() in LANGUAGES:
        return given.strip().lower()
    for name in ENVIRONMENT:
        if environ.get(name):
            return normalise(environ[name])
    return "en"


def catalogue(lang: str) -> gettext.NullTranslations:
    """The translations for ``lang``: the compiled ``.mo``, or the ``.po`` compiled now
    when the ``.mo`` is missing or older; English is the source text itself."""
    if lang == "en":
        return gettext.NullTranslations()
    if lang not in _loaded:
        folder = LOCALE_DIR / lang / "LC_MESSAGES"
        po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
        if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
            data = compile_po(po)  # a checkout: the .po as it is now
        elif mo.exists():
            data = mo.read_bytes()  # an installed wheel has the .mo only
        else:  # an installation without the language: English rather than a crash
            data = None
        _loaded[lang] = (
            gettext.GNUTranslations(io.BytesIO(data)) if data else gettext.NullTranslations()
        )
    return _loaded[lang]


def compile_po(po: Path) -> bytes:
    """The ``.mo`` bytes of the catalogue ``po`` (Babel; also used by ``hatch_build.py``)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as stream:
        messages = read_po(stream, abort_invalid=True)
    out = io.BytesIO()
    write_mo(out, messages)
    return out.getvalue()
