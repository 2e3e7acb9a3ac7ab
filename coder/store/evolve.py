"""Applying a new version of the codebook to a project (``coder codebook update``).

Added codes and questions appear; a code with the same id and a new label keeps its
codings; codes declared merged or retired (the codebook's ``changes:``) have their
codings moved or removed by new events in the log, one action per coder, so history is
never deleted. A code (or question) that disappears without a declaration while passages
are coded with it stops the update (the answer ``n/a`` is no code: it never disappears);
so does a question turning ``single`` while a coder has several of its codes on a
passage. Everything happens in one transaction; models trained on the older version then
show as stale.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from coder.errors import CoderError
from coder.model.codebook import NOT_APPLICABLE, Codebook
from coder.store import codings as coding_ops
from coder.store import schema as t
from coder.store.store import Store


@dataclass
class UpdateSummary:
    unchanged: bool = False
    added: list[str] = field(default_factory=list)  # question/code
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # q/code, old, new label
    merged: list[tuple[str, int]] = field(default_factory=list)  # "q: a, b -> c", codings moved
    retired: list[tuple[str, int]] = field(default_factory=list)  # "q/x", codings removed
    dropped: list[str] = field(default_factory=list)  # codes gone that nobody had used
    stale_models: int = 0


def _current(conn: sa.Connection) -> dict[tuple[str, str], list[sa.Row]]:
    """(question, code) -> current codings (segment, coder, origin)."""
    k = t.codings.c
    found: dict[tuple[str, str], list[sa.Row]] = defaultdict(list)
    for row in conn.execute(
        sa.select(k.question_id, k.code_id, k.segment_id, k.coder_id, k.origin)
    ):
        found[(row.question_id, row.code_id)].append(row)
    return found


def update_codebook(store: Store, new: Codebook, source_name: str) -> UpdateSummary:
    old = store.codebook()
    summary = UpdateSummary()
    if new.id != old.id:
        raise CoderError(
            f"{source_name}: is codebook '{new.id}', the project's is '{old.id}'; "
            "an update must keep the codebook id"
        )
    _, digest = store.codebook_version()
    if new.digest == digest:
        summary.unchanged = True
        return summary
    with store.write() as conn:
        coded = _current(conn)
        declared: dict[tuple[str, str], object] = {}
        for change in new.changes:
            for code in change.codes:
                if code != change.into:
                    declared[(change.question, code)] = change
        new_questions = {q.id: q for q in new.questions}
        for question in old.questions:
            target = new_questions.get(question.id)
            for code in question.codes:
                key = (question.id, code.id)
                still = target is not None and any(c.id == code.id for c in target.codes)
                if still or key in declared:
                    continue
                if coded.get(key):
                    where = (
                        f"question '{question.id}' is gone"
                        if target is None
                        else f"code '{code.id}' of question '{question.id}' is gone"
                    )
                    raise CoderError(
                        f"{source_name}: {where} but {len(coded[key])} codings use "
                        f"'{code.id}'; declare it under changes: (retire: {code.id}, or "
                        f"merge: [{code.id}] into: ANOTHER) or keep it; nothing was changed"
                    )
                summary.dropped.append(f"{question.id}/{code.id}")
        for question in new.questions:
            if question.mode != "single":
                continue
            per_coder = defaultdict(set)
            for (q_id, code_id), rows in coded.items():
                if q_id == question.id and (q_id, code_id) not in declared:
                    for row in rows:
                        per_coder[(row.segment_id, row.coder_id)].add(code_id)
            several = [key for key, codes in per_coder.items() if len(codes) > 1]
            if several:
                raise CoderError(
                    f"{source_name}: question '{question.id}' becomes single but "
                    f"{len(several)} passages have several of its codes from one coder "
                    f"(first: passage {several[0][0]}); adjudicate them first; nothing was changed"
                )

        # the declared changes, as new events: one action per coder
        changes_of: dict[int, list[coding_ops.Change]] = defaultdict(list)
        for change in new.changes:
            rows = [
                r
                for code in change.codes
                if code != change.into
                for r in coded.get((change.question, code), [])
            ]
            label = (
                f"{change.question}: {', '.join(change.codes)} -> {change.into}"
                if change.kind == "merge"
                else f"{change.question}/{change.codes[0]}"
            )
            has_into = {
                (r.segment_id, r.coder_id) for r in coded.get((change.question, change.into), [])
            }
            for row in rows:
                changes_of[row.coder_id].append(
                    coding_ops.Change(
                        row.segment_id, change.question, row.code_id, "removed", row.origin
                    )
                )
                if change.kind == "merge" and (row.segment_id, row.coder_id) not in has_into:
                    changes_of[row.coder_id].append(
                        coding_ops.Change(
                            row.segment_id, change.question, change.into, "added", row.origin
                        )
                    )
                    has_into.add((row.segment_id, row.coder_id))
            (summary.merged if change.kind == "merge" else summary.retired).append(
                (label, len(rows))
            )
        for coder_id, changes in sorted(changes_of.items()):
            coding_ops.record(conn, coder_id, "codebook", changes)

        # the codebook itself: a new version, questions and codes upserted
        old_labels = {(q.id, c.id): c.label for q in old.questions for c in q.codes}
        conn.execute(
            t.codebook_versions.insert().values(
                codebook_id=new.id, digest=new.digest, source=new.source, loaded_at=coding_ops.now()
            )
        )
        q_ids = set(conn.execute(sa.select(t.questions.c.id)).scalars())
        for position, question in enumerate(new.questions):
            values = dict(title=question.title, mode=question.mode, position=position)
            if question.id in q_ids:
                conn.execute(
                    t.questions.update().where(t.questions.c.id == question.id).values(**values)
                )
            else:
                conn.execute(t.questions.insert().values(id=question.id, **values))
        c = t.codes.c
        conn.execute(t.codes.update().values(active=False))
        existing = {
            (r.question_id, r.code_id) for r in conn.execute(sa.select(c.question_id, c.code_id))
        }
        for question in new.questions:
            for position, code in enumerate(question.codes):
                key = (question.id, code.id)
                values = dict(label=code.label, position=position, active=True)
                if key in existing:
                    conn.execute(
                        t.codes.update()
                        .where(c.question_id == question.id, c.code_id == code.id)
                        .values(**values)
                    )
                else:
                    conn.execute(
                        t.codes.insert().values(question_id=question.id, code_id=code.id, **values)
                    )
                if key not in old_labels:
                    summary.added.append(f"{question.id}/{code.id}")
                elif old_labels[key] != code.label:
                    summary.renamed.append(
                        (f"{question.id}/{code.id}", old_labels[key], code.label)
                    )
        # suggestions are not history: those for codes that are gone go
        g = t.suggestions.c
        for question in old.questions:
            kept = (
                [cd.id for cd in new_questions[question.id].codes] + [NOT_APPLICABLE]
                if question.id in new_questions
                else []
            )
            conn.execute(
                t.suggestions.delete().where(g.question_id == question.id, g.code_id.not_in(kept))
            )
        summary.stale_models = conn.execute(
            sa.select(sa.func.count())
            .select_from(t.models)
            .where(t.models.c.codebook_digest != new.digest)
        ).scalar_one()
    store.reload_codebook()
    return summary
