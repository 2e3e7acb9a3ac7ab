"""What must hold in any project, whatever was killed when: the checks the concurrency and
kill tests run after the fact."""

from __future__ import annotations

import sqlalchemy as sa

from coder.store import Store
from coder.store import schema as t
from coder.suggest import artifact


def check(db: str) -> dict[str, int]:
    """Assert the project is consistent; return its counts."""
    with Store.open(db) as store:
        key = store.model_key()
        with store.read() as conn:
            if conn.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                assert not conn.exec_driver_sql("PRAGMA foreign_key_check").all()
            a, e = t.actions.c, t.coding_events.c
            # every action has its events (an action is written whole or not at all)
            empty = conn.execute(
                sa.select(sa.func.count())
                .select_from(t.actions)
                .where(~sa.exists().where(e.action_id == a.id))
            ).scalar_one()
            assert empty == 0, f"{empty} actions without events"
            # the current state equals a replay of the log
            state: dict[tuple, int] = {}
            for row in conn.execute(
                sa.select(
                    e.id, e.segment_id, e.question_id, e.code_id, e.coder_id, e.event
                ).order_by(e.id)
            ):
                key4 = (row.segment_id, row.question_id, row.code_id, row.coder_id)
                if row.event == "added":
                    state[key4] = row.id
                else:
                    state.pop(key4, None)
            current = {
                (r.segment_id, r.question_id, r.code_id, r.coder_id): r.event_id
                for r in conn.execute(sa.select(t.codings))
            }
            assert current == state, "codings differ from a replay of the event log"
            # every document is whole: its passages, and their offsets into its text
            documents = conn.execute(sa.select(t.documents.c.id, t.documents.c.text)).all()
            by_doc: dict[int, list] = {}
            for seg in conn.execute(sa.select(t.segments)):
                by_doc.setdefault(seg.document_id, []).append(seg)
            for doc in documents:
                assert by_doc.get(doc.id), f"document {doc.id} has no passages"
                for seg in by_doc[doc.id]:
                    source = doc.text[seg.start_char : seg.end_char]
                    assert source == seg.text or _table_row(source, seg.text), seg.id
            models = conn.execute(sa.select(t.models)).all()
            for model in models:
                artifact.loads(model.blob, key=key, mac=model.mac)  # whole and signed
            return {
                "actions": conn.execute(
                    sa.select(sa.func.count()).select_from(t.actions)
                ).scalar_one(),
                "events": conn.execute(
                    sa.select(sa.func.count()).select_from(t.coding_events)
                ).scalar_one(),
                "documents": len(documents),
                "models": len(models),
            }


def _table_row(source: str, text: str) -> bool:
    """A table row's passage reads ``Header: cell; Header: cell``: every cell of it is on
    the row's one source line."""
    cells = [part.split(": ", 1)[-1] for part in text.split("; ")]
    return "\n" not in source and all(cell in source for cell in cells)


def actions_of(db: str, coder: str) -> set[int]:
    with Store.open(db) as store, store.read() as conn:
        return set(
            conn.execute(
                sa.select(t.actions.c.id)
                .join(t.coders, t.coders.c.id == t.actions.c.coder_id)
                .where(t.coders.c.name == coder)
            ).scalars()
        )
