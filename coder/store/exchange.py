"""A whole project read at once, for exchange formats (REFI-QDA)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from coder.store import schema as t
from coder.store.store import Store


@dataclass
class Snapshot:
    project_uuid: str
    cases: list[sa.Row]  # id, name, attributes
    documents: list[sa.Row]  # id, case_id, name, text, imported_at
    segments: list[sa.Row]  # id, document_id, position, start_char, end_char, text, external_id
    codings: list[sa.Row]  # segment_id, question_id, code_id, coder, time, origin
    memos: list[sa.Row]  # id, segment_id, coder, text, time
    coders: list[str]


def snapshot(store: Store) -> Snapshot:
    """Every case, document, segment, current coding and memo, in a stable order."""
    c, d, s, k, m, cod = t.cases.c, t.documents.c, t.segments.c, t.codings.c, t.memos.c, t.coders.c
    with store.read() as conn:
        project_uuid = conn.execute(
            sa.select(t.project.c.value).where(t.project.c.key == "project_uuid")
        ).scalar_one()
        return Snapshot(
            project_uuid=project_uuid,
            cases=list(conn.execute(sa.select(c.id, c.name, c.attributes).order_by(c.name))),
            documents=list(
                conn.execute(
                    sa.select(d.id, d.case_id, d.name, d.text, d.imported_at).order_by(d.name)
                )
            ),
            segments=list(
                conn.execute(
                    sa.select(
                        s.id,
                        s.document_id,
                        s.position,
                        s.start_char,
                        s.end_char,
                        s.text,
                        s.external_id,
                    ).order_by(s.document_id, s.position)
                )
            ),
            codings=list(
                conn.execute(
                    sa.select(
                        k.segment_id,
                        k.question_id,
                        k.code_id,
                        cod.name.label("coder"),
                        k.time,
                        k.origin,
                    )
                    .join(t.coders, cod.id == k.coder_id)
                    .order_by(k.segment_id, k.question_id, k.code_id, cod.name)
                )
            ),
            memos=list(
                conn.execute(
                    sa.select(m.id, m.segment_id, cod.name.label("coder"), m.text, m.time)
                    .join(t.coders, cod.id == m.coder_id)
                    .order_by(m.id)
                )
            ),
            coders=list(conn.execute(sa.select(cod.name).order_by(cod.name)).scalars()),
        )
