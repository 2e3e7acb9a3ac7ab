"""A question's codes as the coding screen offers them: their keys and their labels."""

from __future__ import annotations

from coder.i18n import N_, _
from coder.model.codebook import NOT_APPLICABLE, Code, Question

# How the screen names the answer NOT_APPLICABLE (English; ``labels`` translates it).
NOT_APPLICABLE_LABEL = N_("not applicable (n/a)")


def labels(question: Question) -> dict[str, str]:
    """code id -> label for the question, in codebook order, n/a last."""
    named = {c.id: c.label for c in question.codes}
    named[NOT_APPLICABLE] = _(NOT_APPLICABLE_LABEL)
    return named


def keyed_codes(question: Question) -> list[tuple[str, Code]]:
    """The question's codes with their key: the hotkey, else 1-9, else none."""
    keyed = []
    for i, code in enumerate(question.codes, start=1):
        key = code.hotkey or (str(i) if i <= 9 else "")
        keyed.append((key, code))
    return keyed


def code_for_key(question: Question, key: str) -> Code | None:
    """The code a key toggles: a hotkey names its code; a digit 1-9 that is no hotkey the
    code at that place, unless that code has a hotkey of its own."""
    hotkeys = {c.hotkey: c for c in question.codes if c.hotkey}
    if key in hotkeys:
        return hotkeys[key]
    if key.isdigit() and key != "0" and int(key) <= min(9, len(question.codes)):
        code = question.codes[int(key) - 1]
        return None if code.hotkey else code
    return None


def tree(question: Question) -> list[tuple[Code, int]]:
    """The question's codes with their depth, each parent followed by its sub-codes (codes
    with ``parent``), siblings in codebook order: the order the coding screen lists them."""
    children: dict[str | None, list[Code]] = {}
    known = {code.id for code in question.codes}
    for code in question.codes:
        parent = code.parent if code.parent in known else None
        children.setdefault(parent, []).append(code)
    ordered: list[tuple[Code, int]] = []

    def add(parent: str | None, depth: int) -> None:
        for code in children.get(parent, []):
            ordered.append((code, depth))
            add(code.id, depth + 1)

    add(None, 0)
    return ordered


def implied(question: Question, codes: set[str]) -> set[str]:
    """The codes ``codes`` imply without being coded themselves: the parents (and their
    parents) of the codes coded. Shown as such, never stored."""
    parent = {code.id: code.parent for code in question.codes}
    found: set[str] = set()
    for code_id in codes:
        seen = {code_id}
        up = parent.get(code_id)
        while up is not None and up not in seen:  # the validator refuses loops; be safe
            seen.add(up)
            found.add(up)
            up = parent.get(up)
    return found - codes
