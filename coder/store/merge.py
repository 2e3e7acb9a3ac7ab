"""Merging another copy of a project: two coders, two laptops, no server.

``merge(store, other)`` adds the other project's coders, coding actions (with their
events, original times and origins) and memos to ``store``. Passages are matched by
external id where the other passage has one, else by case, document text (its SHA-256)
and position, and the passage text must be the same. Actions and memos carry a global
uid that copies of a project share, so what is already here (the shared history before
the copy, or an earlier merge) is skipped: merging twice adds nothing.

Everything happens in one transaction on ``store``. If any coding or memo of the other
project cannot be placed (its passage is not in this corpus or has other text, or its
code is not in this codebook) nothing is merged and the error names the first few. The
answer ``n/a`` (not applicable) is known to every question of the codebook.

The codebook's rules hold after a merge: where the other copy would give a coder a second
code on a passage of a ``single`` question here (the question is ``multi`` there, or the
same coder coded the passage differently on two laptops), or combine ``n/a`` with a code,
that coding is not applied; the coder keeps the answer they have here, the conflict is
reported in the summary and left for adjudication as a memo on the passage (with the
other copy's answer; the memo's uid is derived from the conflict, so merging again adds no
second memo).

The other project is only read, never changed: it is opened read-only (SQLite through a
``mode=ro`` URI, ``immutable`` on read-only media; an older schema is migrated in a
temporary copy, not in the file), and an SQLite file must pass ``PRAGMA integrity_check``
before anything is read from it.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from coder.errors import CoderError
from coder.i18n import _
from coder.store import schema as t
from coder.store.engine import connect_read_only, describe, is_url
from coder.store.merge_plan import Here, MergePlan, MergeSummary, Remote
from coder.store.store import Store

__all__ = ["MergeSummary", "merge"]


def _same_file(a: str, b: str) -> bool:
    if is_url(a) or is_url(b):
        return describe(a) == describe(b)
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def merge(store: Store, other_db: str) -> MergeSummary:
    if _same_file(store.db, other_db):
        raise CoderError(
            _("{db}: is this project itself; give the other coder's copy").format(db=other_db)
        )
    if not is_url(other_db):
        _check_integrity(other_db)
    with Store.open(other_db, read_only=True) as other:
        try:
            remote = _read_other(other)
        except sa.exc.DatabaseError as exc:
            raise CoderError(
                _("{db}: cannot be read ({reason}); nothing was merged").format(
                    db=describe(other_db), reason=_why(exc)
                )
            ) from None
    summary = MergeSummary(describe(other_db))
    codebook = store.codebook()
    with store.batch() as b:
        here = Here(
            b.passages(),
            set(b.action_ids_by_uid()),
            b.memo_uids(),
            set(b.coder_names().values()),
            b.coding_state(),
        )
        applied = b.apply(MergePlan(codebook, remote, here, summary).changes())
    summary.actions, summary.events = applied.actions, applied.events
    return summary


def _why(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).strip().splitlines()[0]


def _check_integrity(other_db: str) -> None:
    """Refuse a damaged SQLite file (a flipped byte, a truncated copy) in one line."""
    path = Path(other_db)
    if path.is_dir():
        raise CoderError(_("{db}: is a folder, not a project file").format(db=other_db))
    if not path.is_file():
        raise CoderError(_("{db}: no such project file").format(db=other_db))
    try:
        conn = connect_read_only(path)
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise CoderError(
            _("{db}: damaged or not a project database ({reason}); nothing was merged").format(
                db=other_db, reason=exc
            )
        ) from None
    if problems != ["ok"]:
        raise CoderError(
            _("{db}: damaged (integrity check: {problem}); nothing was merged").format(
                db=other_db, problem=problems[0]
            )
        )


def _read_other(other: Store) -> Remote:
    """Everything a merge takes from the other copy, read in one transaction."""
    a, e, m, q = t.actions.c, t.coding_events.c, t.memos.c, t.questions.c
    with other.batch(write=False) as src:
        there = src.passages()
        coder_names = src.coder_names()
        actions = src.execute(
            sa.select(a.id, a.coder_id, a.kind, a.time, a.undoes, a.uid).order_by(a.id)
        ).all()
        events: dict[int, list[Any]] = defaultdict(list)
        query = sa.select(
            e.action_id, e.segment_id, e.question_id, e.code_id, e.event, e.origin, e.model_id,
            e.score,
        ).order_by(e.id)  # fmt: skip
        for row in src.execute(query):
            events[row.action_id].append(row)
        memos = src.execute(
            sa.select(m.segment_id, m.coder_id, m.text, m.time, m.uid).order_by(m.id)
        ).all()
        modes = {qid: mode for qid, mode in src.execute(sa.select(q.id, q.mode))}
    return Remote(there, coder_names, list(actions), events, list(memos), modes)
