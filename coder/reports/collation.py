"""Names in the order their readers expect (Örebro after Västerås in Swedish): the order in
which tables and lists show cases."""

from __future__ import annotations

from collections.abc import Callable

_ALPHABETS = {
    "sv": "abcdefghijklmnopqrstuvwxyzåäö",
    "fi": "abcdefghijklmnopqrstuvwxyzåäö",
    "da": "abcdefghijklmnopqrstuvwxyzæøå",
    "nb": "abcdefghijklmnopqrstuvwxyzæøå",
    "no": "abcdefghijklmnopqrstuvwxyzæøå",
    "nn": "abcdefghijklmnopqrstuvwxyzæøå",
}


SortKey = tuple[tuple[int, ...], str]


def collation_key(language: str) -> Callable[[str], SortKey]:
    """Sort names the way readers of ``language`` expect (Örebro after Västerås in Swedish).

    Letters of the language's alphabet come first in its order, every other character after
    them by code point; in a language without an alphabet here that is plain code-point order
    of the case-folded name. Names equal but for case are then ordered as written.
    """
    order = {ch: i for i, ch in enumerate(_ALPHABETS.get(language, ""))}

    def key(name: str) -> SortKey:
        return tuple(order.get(ch, 100 + ord(ch)) for ch in name.casefold()), name

    return key
