"""The coding event log as rows with the names around them: what ``coder log`` lists and
the coding screen's history shows."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from coder.store import schema as t
from coder.store.schema import in_context
from coder.store.store import Store


@dataclass(frozen=True)
class EventRow:
    """One coding event with the names around it, as the log stores it."""

    id: int
    time: str  # as recorded (ISO 8601; UTC for everything coder wrote itself)
    coder: str
    segment_id: int
    external_id: str | None
    case: str
    question: str
    code: str
    event: str  # added | removed
    origin: str  # the event's: human | accepted-suggestion
    kind: str  # its action's: code | undo | import | codebook


def event_rows(
    store: Store,
    *,
    case: str | None = None,
    coder: str | None = None,
    question: str | None = None,
    segment: int | None = None,
) -> list[EventRow]:
    """The coding events, in the order they were written (event id), of one case, coder,
    question or passage when given (names, not ids; an unknown one matches nothing)."""
    e, a, s, c, cod = t.coding_events.c, t.actions.c, t.segments.c, t.cases.c, t.coders.c
    query = (
        sa.select(
            e.id, e.time, cod.name, e.segment_id, s.external_id, c.name, e.question_id,
            e.code_id, e.event, e.origin, a.kind,
        )
        .select_from(
            in_context(t.coding_events)
            .join(t.actions, a.id == e.action_id)
            .join(t.coders, cod.id == e.coder_id)
        )
        .order_by(e.id)
    )  # fmt: skip
    if case is not None:
        query = query.where(c.name == case)
    if coder is not None:
        query = query.where(cod.name == coder)
    if question is not None:
        query = query.where(e.question_id == question)
    if segment is not None:
        query = query.where(e.segment_id == segment)
    with store.read() as conn:
        return [EventRow(*row) for row in conn.execute(query)]
