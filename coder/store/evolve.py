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

from coder.corpus.changes import Coding, RecordCodings
from coder.errors import CoderError
from coder.i18n import _
from coder.model.codebook import NOT_APPLICABLE, Codebook
from coder.model.codebook import Change as CodebookChange
from coder.store import codings as coding_ops
from coder.store import schema as t
from coder.store.batch import Batch
from coder.store.store import Store

Coded = dict[tuple[str, str], list[sa.Row]]  # (question, code) -> current codings


@dataclass
class UpdateSummary:
    unchanged: bool = False
    added: list[str] = field(default_factory=list)  # question/code
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # q/code, old, new label
    merged: list[tuple[str, int]] = field(default_factory=list)  # "q: a, b -> c", codings moved
    retired: list[tuple[str, int]] = field(default_factory=list)  # "q/x", codings removed
    dropped: list[str] = field(default_factory=list)  # codes gone that nobody had used
    stale_models: int = 0


def update_codebook(store: Store, new: Codebook, source_name: str) -> UpdateSummary:
    old = store.codebook()
    summary = UpdateSummary()
    if new.id != old.id:
        raise CoderError(
            _(
                "{file}: is codebook '{new}', the project's is '{old}'; an update must keep the "
                "codebook id"
            ).format(file=source_name, new=new.id, old=old.id)
        )
    _version, digest = store.codebook_version()
    if new.digest == digest:
        summary.unchanged = True
        return summary
    with store.batch() as b:
        coded: Coded = defaultdict(list)
        for row in b.current_codings():
            coded[(row.question_id, row.code_id)].append(row)
        declared = _declared(new)
        _check_gone(old, new, coded, declared, source_name, summary)
        _check_single(new, coded, declared, source_name)
        b.apply(_declared_changes(new, coded, summary))
        _compare_codes(old, new, summary)
        _install(b, old, new)
        summary.stale_models = b.execute(
            sa.select(sa.func.count())
            .select_from(t.models)
            .where(t.models.c.codebook_digest != new.digest)
        ).scalar_one()
    store.reload_codebook()
    return summary


def _declared(new: Codebook) -> dict[tuple[str, str], CodebookChange]:
    """(question, code) -> the declared change that moves or removes its codings."""
    return {
        (change.question, code): change
        for change in new.changes
        for code in change.codes
        if code != change.into
    }


def _check_gone(
    old: Codebook,
    new: Codebook,
    coded: Coded,
    declared: dict[tuple[str, str], CodebookChange],
    source_name: str,
    summary: UpdateSummary,
) -> None:
    """Refuse a used code that disappears undeclared; list the unused ones as dropped."""
    new_questions = {q.id: q for q in new.questions}
    for question in old.questions:
        target = new_questions.get(question.id)
        kept = {c.id for c in target.codes} if target is not None else set()
        for code in question.codes:
            key = (question.id, code.id)
            if code.id in kept or key in declared:
                continue
            if coded.get(key):
                where = (
                    _("question '{question}' is gone").format(question=question.id)
                    if target is None
                    else _("code '{code}' of question '{question}' is gone").format(
                        code=code.id, question=question.id
                    )
                )
                raise CoderError(
                    _(
                        "{file}: {where} but {n} codings use '{code}'; declare it under "
                        "changes: (retire: {code}, or merge: [{code}] into: ANOTHER) or keep "
                        "it; nothing was changed"
                    ).format(file=source_name, where=where, n=len(coded[key]), code=code.id)
                )
            summary.dropped.append(f"{question.id}/{code.id}")


def _check_single(
    new: Codebook,
    coded: Coded,
    declared: dict[tuple[str, str], CodebookChange],
    source_name: str,
) -> None:
    """Refuse a question turning ``single`` while a coder has several of its codes."""
    for question in new.questions:
        if question.mode != "single":
            continue
        per_coder: dict[tuple[int, int], set[str]] = defaultdict(set)
        for (q_id, code_id), rows in coded.items():
            if q_id == question.id and (q_id, code_id) not in declared:
                for row in rows:
                    per_coder[(row.segment_id, row.coder_id)].add(code_id)
        several = [key for key, codes in per_coder.items() if len(codes) > 1]
        if several:
            raise CoderError(
                _(
                    "{file}: question '{question}' becomes single but {n} passages have several "
                    "of its codes from one coder (first: passage {first}); adjudicate them "
                    "first; nothing was changed"
                ).format(
                    file=source_name, question=question.id, n=len(several), first=several[0][0]
                )
            )


def _declared_changes(new: Codebook, coded: Coded, summary: UpdateSummary) -> list[RecordCodings]:
    """The declared changes as new events: one action per coder."""
    codings_of: dict[int, list[Coding]] = defaultdict(list)
    for change in new.changes:
        rows = [
            r
            for code in change.codes
            if code != change.into
            for r in coded.get((change.question, code), [])
        ]
        into = change.into if change.kind == "merge" else None
        has_into = {
            (r.segment_id, r.coder_id) for r in coded.get((change.question, into or ""), [])
        }
        for row in rows:
            codings_of[row.coder_id].append(
                Coding(row.segment_id, change.question, row.code_id, "removed", row.origin)
            )
            if into is not None and (row.segment_id, row.coder_id) not in has_into:
                codings_of[row.coder_id].append(
                    Coding(row.segment_id, change.question, into, "added", row.origin)
                )
                has_into.add((row.segment_id, row.coder_id))
        if change.kind == "merge":
            label = f"{change.question}: {', '.join(change.codes)} -> {change.into}"
            summary.merged.append((label, len(rows)))
        else:
            summary.retired.append((f"{change.question}/{change.codes[0]}", len(rows)))
    return [
        RecordCodings(coder_id, "codebook", codings)
        for coder_id, codings in sorted(codings_of.items())
    ]


def _compare_codes(old: Codebook, new: Codebook, summary: UpdateSummary) -> None:
    """The codes the new version adds, and those it gives a new label."""
    old_labels = {(q.id, c.id): c.label for q in old.questions for c in q.codes}
    for question in new.questions:
        for code in question.codes:
            key = (question.id, code.id)
            if key not in old_labels:
                summary.added.append(f"{question.id}/{code.id}")
            elif old_labels[key] != code.label:
                summary.renamed.append((f"{question.id}/{code.id}", old_labels[key], code.label))


def _install(b: Batch, old: Codebook, new: Codebook) -> None:
    """The codebook itself: a new version, questions and codes upserted (codes no longer
    in it kept, inactive, for the history); suggestions for codes that are gone go."""
    b.execute(
        t.codebook_versions.insert().values(
            codebook_id=new.id, digest=new.digest, source=new.source, loaded_at=coding_ops.now()
        )
    )
    q_ids = set(b.execute(sa.select(t.questions.c.id)).scalars())
    for position, question in enumerate(new.questions):
        values = dict(title=question.title, mode=question.mode, position=position)
        if question.id in q_ids:
            b.execute(t.questions.update().where(t.questions.c.id == question.id).values(**values))
        else:
            b.execute(t.questions.insert().values(id=question.id, **values))
    c = t.codes.c
    b.execute(t.codes.update().values(active=False))
    existing = {(r.question_id, r.code_id) for r in b.execute(sa.select(c.question_id, c.code_id))}
    for question in new.questions:
        for position, code in enumerate(question.codes):
            values = dict(label=code.label, position=position, active=True)
            if (question.id, code.id) in existing:
                b.execute(
                    t.codes.update()
                    .where(c.question_id == question.id, c.code_id == code.id)
                    .values(**values)
                )
            else:
                b.execute(
                    t.codes.insert().values(question_id=question.id, code_id=code.id, **values)
                )
    g = t.suggestions.c
    new_questions = {q.id: q for q in new.questions}
    for question in old.questions:
        kept = (
            [cd.id for cd in new_questions[question.id].codes] + [NOT_APPLICABLE]
            if question.id in new_questions
            else []
        )
        b.execute(
            t.suggestions.delete().where(g.question_id == question.id, g.code_id.not_in(kept))
        )
