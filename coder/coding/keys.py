"""A question's codes as the coding screen offers them: their keys and their labels."""

from __future__ import annotations

from coder.model.codebook import NOT_APPLICABLE, Code, Question

NOT_APPLICABLE_LABEL = "not applicable (n/a)"  # how the screen names the answer NOT_APPLICABLE


def labels(question: Question) -> dict[str, str]:
    """code id -> label for the question, in codebook order, n/a last."""
    named = {c.id: c.label for c in question.codes}
    named[NOT_APPLICABLE] = NOT_APPLICABLE_LABEL
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
