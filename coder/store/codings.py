"""Coding operations on the append-only event log.

Every user action (code a passage, undo, import a column of codes) becomes one
row in ``actions`` and one or more ``coding_events`` (added/removed), written in
the caller's transaction together with the derived ``codings`` table. Nothing
is ever updated or deleted in the log; undo appends the inverse events.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from coder.model.codebook import NOT_APPLICABLE, Question
from coder.store import schema as t

HUMAN = "human"
ACCEPTED = "accepted-suggestion"
ORIGINS = (HUMAN, ACCEPTED)
# Coding-screen actions can be undone; an import is not undone by a keypress.
UNDOABLE = ("code",)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Change:
    """One event: ``code_id`` of ``question_id`` added to or removed from a segment."""

    segment_id: int
    question_id: str
    code_id: str
    event: str  # "added" | "removed"
    origin: str = HUMAN
    model_id: str | None = None
    score: float | None = None


def current_codes(
    conn: sa.Connection, segment_id: int, question_id: str, coder_id: int
) -> set[str]:
    c = t.codings.c
    rows = conn.execute(
        sa.select(c.code_id).where(
            c.segment_id == segment_id, c.question_id == question_id, c.coder_id == coder_id
        )
    )
    return set(rows.scalars())


def record(
    conn: sa.Connection,
    coder_id: int,
    kind: str,
    changes: Iterable[Change],
    *,
    undoes: int | None = None,
    time: str | None = None,
    uid: str | None = None,
) -> int | None:
    """Append one action with its events and update the current state; None if no change.

    Events are written in bulk, so an import of thousands of codings is one
    action and a handful of statements. ``time`` and ``uid`` are given only when
    an action is copied from another project (``coder merge``).
    """
    changes = list(changes)
    if not changes:
        return None
    time = time or now()
    action_id = conn.execute(
        t.actions.insert()
        .values(
            coder_id=coder_id,
            kind=kind,
            time=time,
            undoes=undoes,
            uid=uid or str(uuid.uuid4()),
        )
        .returning(t.actions.c.id)
    ).scalar_one()
    event_ids = (
        conn.execute(
            t.coding_events.insert().returning(t.coding_events.c.id, sort_by_parameter_order=True),
            [
                dict(
                    action_id=action_id,
                    segment_id=ch.segment_id,
                    question_id=ch.question_id,
                    code_id=ch.code_id,
                    coder_id=coder_id,
                    event=ch.event,
                    origin=ch.origin,
                    time=time,
                    model_id=ch.model_id,
                    score=ch.score,
                )
                for ch in changes
            ],
        )
        .scalars()
        .all()
    )
    final: dict[tuple, tuple[Change, int]] = {}
    for ch, event_id in zip(changes, event_ids, strict=True):
        final[(ch.segment_id, ch.question_id, ch.code_id)] = (ch, event_id)
    c = t.codings.c
    conn.execute(
        t.codings.delete().where(
            c.segment_id == sa.bindparam("s"),
            c.question_id == sa.bindparam("q"),
            c.code_id == sa.bindparam("k"),
            c.coder_id == coder_id,
        ),
        [dict(s=key[0], q=key[1], k=key[2]) for key in final],
    )
    added = [
        dict(
            segment_id=ch.segment_id,
            question_id=ch.question_id,
            code_id=ch.code_id,
            coder_id=coder_id,
            origin=ch.origin,
            time=time,
            event_id=event_id,
        )
        for ch, event_id in final.values()
        if ch.event == "added"
    ]
    if added:
        conn.execute(t.codings.insert(), added)
    if undoes is not None:
        conn.execute(t.actions.update().where(t.actions.c.id == undoes).values(undone_by=action_id))
    return action_id


def changes_to_set(
    present: set[str],
    question: Question,
    segment_id: int,
    wanted: Iterable[str],
    *,
    replace: bool,
    origin: str = HUMAN,
    model_id: str | None = None,
    score: float | None = None,
) -> list[Change]:
    """The events that make a coder's codes for a segment include ``wanted``.

    In a ``single`` question, or with ``replace``, codes not wanted are removed. The answer
    ``n/a`` (not applicable) excludes every code in both modes: adding it removes the
    coder's codes on the passage, adding a code removes it.
    """
    wanted = list(dict.fromkeys(wanted))
    if NOT_APPLICABLE in wanted and len(wanted) > 1:
        raise ValueError(f"'{NOT_APPLICABLE}' (not applicable) cannot be combined with codes")
    changes: list[Change] = []
    if question.mode == "single" or replace:
        dropped = present - set(wanted)
    elif NOT_APPLICABLE in wanted:
        dropped = present - {NOT_APPLICABLE}
    elif wanted:
        dropped = present & {NOT_APPLICABLE}
    else:
        dropped = set()
    for code_id in sorted(dropped):
        changes.append(Change(segment_id, question.id, code_id, "removed", origin))
    for code_id in wanted:
        if code_id not in present:
            changes.append(
                Change(segment_id, question.id, code_id, "added", origin, model_id, score)
            )
    return changes


def known_code(question: Question, code_id: str) -> None:
    """Raise ``KeyError`` unless ``code_id`` is a code of the question or ``n/a``."""
    if code_id != NOT_APPLICABLE:
        question.code(code_id)


def last_undoable_action(conn: sa.Connection, coder_id: int) -> int | None:
    a = t.actions.c
    return conn.execute(
        sa.select(a.id)
        .where(a.coder_id == coder_id, a.undone_by.is_(None), a.kind.in_(UNDOABLE))
        .order_by(a.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def undo(conn: sa.Connection, coder_id: int) -> int | None:
    """Revert this coder's most recent action that is not yet undone; return the undo action."""
    target = last_undoable_action(conn, coder_id)
    if target is None:
        return None
    e = t.coding_events.c
    events = conn.execute(
        sa.select(e.segment_id, e.question_id, e.code_id, e.event, e.origin, e.model_id, e.score)
        .where(e.action_id == target)
        .order_by(e.id.desc())
    ).all()
    inverse = [
        Change(
            r.segment_id,
            r.question_id,
            r.code_id,
            "removed" if r.event == "added" else "added",
            r.origin,
            r.model_id,
            r.score,
        )
        for r in events
    ]
    return record(conn, coder_id, "undo", inverse, undoes=target)


def rebuild_current_codings(conn: sa.Connection) -> int:
    """Recompute ``codings`` from the event log (replaying it in order); return its row count."""
    e = t.coding_events.c
    state: dict[tuple, tuple] = {}
    for row in conn.execute(
        sa.select(
            e.id, e.segment_id, e.question_id, e.code_id, e.coder_id, e.event, e.origin, e.time
        ).order_by(e.id)
    ):
        key = (row.segment_id, row.question_id, row.code_id, row.coder_id)
        if row.event == "added":
            state[key] = (row.origin, row.time, row.id)
        else:
            state.pop(key, None)
    conn.execute(t.codings.delete())
    if state:
        conn.execute(
            t.codings.insert(),
            [
                dict(
                    segment_id=k[0],
                    question_id=k[1],
                    code_id=k[2],
                    coder_id=k[3],
                    origin=v[0],
                    time=v[1],
                    event_id=v[2],
                )
                for k, v in state.items()
            ],
        )
    return len(state)
