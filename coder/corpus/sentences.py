"""Sentence boundaries that know Swedish, Danish and Norwegian abbreviations and numbering.

spaCy's rule-based sentencizer finds the candidate boundaries; a boundary is then taken back
where the next word starts with a lower-case letter ("20 pct. af", "vidare... men",
"du?\" frågade", "16. juni"), and where the text before it ends in an abbreviation ("nr.",
"ca.", "bl.a.", "f.eks.", "prop."), a dotted short form of letters ("o.s.v.", not "2.3."), a
single letter and a period before a word that does not start with a capital ("s. 12", not
"Punkt A. Sedan") or a number with a period before a month ("16. Juni"). "osv.", "m.m.",
"pct." and the like may end a sentence: after them a boundary stays when the next word
starts with a capital letter. A boundary at a blank line (a paragraph break) always stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from coder.errors import CoderError
from coder.i18n import _

if TYPE_CHECKING:
    from spacy.language import Language


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Lower-cased, with their periods. Swedish, Danish and Norwegian share many.
ABBREVIATIONS = _words(
    """
    nr. ca. cirka. jfr. jf. bl.a. t.ex. m.m. osv. dvs. d.v.s. s.k. f.d. fr.o.m. t.o.m. resp.
    kap. st. milj. mdr. tkr. mnkr. mkr. kr. f.eks. mv. m.v. evt. inkl. ekskl. exkl. pga. p.g.a.
    ift. i.f.t. vedr. iht. i.h.t. kl. mio. mia. pkt. stk. el. o.l. m.fl. ang. bl.andet. ev.
    etc. sid. tel. tlf. fx. f.x. dsv. mht. m.h.t. ff. vs. jan. feb. apr. aug. sep. sept.
    okt. nov. dec. prof. dr. fig. tab. avd. afd. vol. ex. obs. ggr. proc. tim. ekv. ref. e.d.
    o.d. o.a. m.a.o. f.ö. t.v. enl. iflg. ifm. mht. vha. p.g.a. pr. ca. vedk. hhv. henh.
    pct. pst. mill. prop. bet. dnr. forts.
    """
)
# Abbreviations and units that often close a sentence: a capital letter after them starts a
# new one ("... osv. Sedan", "3 mio. Næste"); a lower-case word continues ("3 mio. kr.").
CAN_END = _words(
    "osv. m.m. m.fl. mv. m.v. o.l. etc. o.d. e.d. o.a. dsv. ff. kr. tkr. mkr. mnkr. mio. mia. "
    "milj. mill. mdr. el. st. stk. pct. pst."
)
MONTHS = _words(
    """
    januari februari mars april maj juni juli augusti september oktober november december
    januar februar marts april mai juni juli august september oktober november desember
    """
)
_LAST_WORD = re.compile(r"(\S+)\s*$")
_FIRST_WORD = re.compile(r"^\s*(\S+)")
_ORDINAL = re.compile(r"^\(?\d{1,4}\.$")
_LEAD = "([\"'«»“”‘’"
# Where a sentence may end inside what the sentencizer returned as one (its tokenizer keeps
# "2007." whole in some languages): after . ! ? (and closing quotes), before the next word.
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_CANDIDATE = re.compile(r"[.!?…][\"'»”’)\]]*\s+(?=\S)")


@lru_cache(maxsize=8)
def sentencizer(language: str) -> Language:
    """A blank spaCy pipeline for ``language`` with a rule-based sentencizer (no downloads)."""
    import spacy

    try:
        nlp = spacy.blank(language)
    except (ImportError, KeyError, ValueError) as exc:
        raise CoderError(
            _("spaCy has no language '{language}' ({reason})").format(language=language, reason=exc)
        ) from None
    nlp.add_pipe("sentencizer")
    return nlp


def continues(before: str, after: str) -> bool:
    """Whether the text ``after`` a candidate boundary continues the sentence ``before`` it."""
    last = _LAST_WORD.search(before)
    first = _FIRST_WORD.match(after)
    if last is None or first is None:
        return False
    word = last.group(1).lstrip(_LEAD).lower()
    nxt = first.group(1).lstrip(_LEAD)
    if not nxt:
        return False
    if nxt[0].islower():  # "20 pct. af", "vidare... men", "du?\" frågade", "16. juni"
        return True
    if _ORDINAL.match(word):  # "16. juni 2007"; not "i år 2019. Nästa"
        return nxt.lower().rstrip(".,;:") in MONTHS
    if len(word) == 2 and word[0].isalpha():  # an initial, "s. 12"; not "Punkt A. Sedan"
        return not nxt[0].isupper()
    if word in ABBREVIATIONS or _is_initialism(word):
        return not (word in CAN_END and nxt[0].isupper())
    return False


def _is_initialism(word: str) -> bool:
    """Dotted short forms not in the list ("f.Kr.", "o.s.v."): letters of one or two, dotted."""
    parts = word.split(".")
    return (
        len(parts) >= 3
        and parts[-1] == ""
        and all(0 < len(p) <= 2 and p.isalpha() for p in parts[:-1])
    )


def merge(text: str, bounds: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets into ``text``, joined where a boundary is not one."""
    merged: list[tuple[int, int]] = []
    for start, end in bounds:
        if (
            merged
            and not _BLANK_LINE.search(text, merged[-1][1], start)  # a paragraph break
            and continues(text[merged[-1][0] : merged[-1][1]], text[start:end])
        ):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def split(texts: list[str], language: str) -> list[list[tuple[int, int]]]:
    """Each text's sentences as (start, end) offsets into that text, trimmed of whitespace."""
    nlp = sentencizer(language)
    result: list[list[tuple[int, int]]] = []
    for piece, doc in zip(texts, nlp.pipe(texts), strict=True):
        bounds = [
            cut
            for s in doc.sents
            for cut in _candidates(piece, *_trim(piece, s.start_char, s.end_char))
        ]
        result.append(merge(piece, bounds))
    return result


def _candidates(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` cut after every sentence-end mark followed by space."""
    cuts: list[tuple[int, int]] = []
    at = start
    for m in _CANDIDATE.finditer(text, start, end):
        cuts.append((at, m.start() + len(m.group().rstrip())))
        at = m.end()
    if at < end:
        cuts.append((at, end))
    return cuts


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return start, start
    s = start + len(chunk) - len(chunk.lstrip())
    return s, s + len(stripped)
