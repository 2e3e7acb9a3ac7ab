"""The ``changes:`` section of a codebook: codes merged or retired since codings were made.

Entries are ``{question: Q, merge: [a, b], into: c}`` (or ``merge: "a, b -> c"``) and
``{question: Q, retire: x}``. They are checked against the questions as they are now:
merged and retired codes must be gone from the question, the code merged into must be in
it. ``coder codebook update`` then applies them to the codings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from coder.i18n import N_, _
from coder.model.entities import NOT_APPLICABLE, Change, Question
from coder.model.fields import FieldPath, FieldReader

_CHANGE_FIELDS = {"question", "merge", "into", "retire"}
_NOT_A_CODE = N_("'n/a' (not applicable) is an answer to every question, not a code to change")


def read_changes(
    reader: FieldReader, raw: Any, questions: Sequence[Question]
) -> tuple[Change, ...]:
    """The declared changes, in file order; the first bad entry raises ``CodebookError``."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise reader.fail(("changes",), _("expected a list of changes"))
    by_id = {q.id: q for q in questions}
    out = []
    for i, item in enumerate(raw):
        path = ("changes", i)
        data = reader.mapping(item, path, _CHANGE_FIELDS)
        q_id = reader.text(data, "question", path, required=True)
        if q_id not in by_id:
            raise reader.fail(
                path + ("question",), _("unknown question '{question}'").format(question=q_id)
            )
        codes = {c.id for c in by_id[q_id].codes}
        if ("merge" in data) == ("retire" in data):
            raise reader.fail(path, _("give either merge (with into) or retire"))
        if "retire" in data:
            out.append(_retire(reader, data, path, q_id, codes))
        else:
            out.append(_merge(reader, data, path, q_id, codes))
    return tuple(out)


def _retire(
    reader: FieldReader, data: dict[Any, Any], path: FieldPath, q_id: str, codes: set[str]
) -> Change:
    code = reader.text(data, "retire", path, required=True)
    if code.casefold() == NOT_APPLICABLE:
        raise reader.fail(path + ("retire",), _(_NOT_A_CODE))
    if code in codes:
        raise reader.fail(
            path + ("retire",),
            _("'{code}' is retired but still a code of '{question}'").format(
                code=code, question=q_id
            ),
        )
    return Change(q_id, "retire", (code,))


def _merge(
    reader: FieldReader, data: dict[Any, Any], path: FieldPath, q_id: str, codes: set[str]
) -> Change:
    merge, into = data.get("merge"), data.get("into")
    if isinstance(merge, str) and "->" in merge and into is None:
        sources, into = merge.split("->", 1)
        merge = [m.strip() for m in sources.split(",") if m.strip()]
        into = into.strip()
    if (
        not isinstance(merge, list)
        or not merge
        or not all(isinstance(m, str) and m.strip() for m in merge)
    ):
        raise reader.fail(path + ("merge",), _("expected a list of code ids (or 'a, b -> c')"))
    if not isinstance(into, str) or not into.strip():
        raise reader.fail(path + ("into",), _("missing: the code the merged codes become"))
    into = into.strip()
    merged = [m.strip() for m in merge]
    if NOT_APPLICABLE in {m.casefold() for m in merged} | {into.casefold()}:
        raise reader.fail(
            path + ("into" if into.casefold() == NOT_APPLICABLE else "merge",), _(_NOT_A_CODE)
        )
    if into not in codes:
        raise reader.fail(
            path + ("into",),
            _("'{code}' is not a code of '{question}'").format(code=into, question=q_id),
        )
    for m in merged:
        if m != into and m in codes:
            raise reader.fail(
                path + ("merge",),
                _("'{code}' is merged but still a code of '{question}'").format(
                    code=m, question=q_id
                ),
            )
    return Change(q_id, "merge", tuple(merged), into)
