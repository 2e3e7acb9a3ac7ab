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
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from coder.errors import CoderError
from coder.model.codebook import NOT_APPLICABLE
from coder.store import Store
from coder.store import codings as coding_ops
from coder.store import schema as t
from coder.store.engine import connect_read_only, describe, is_url
from coder.store.migrations import UID_NAMESPACE


@dataclass
class MergeSummary:
    other: str
    coders: list[str] = field(default_factory=list)  # coders new to this project
    actions: int = 0
    events: int = 0
    memos: int = 0
    already: int = 0  # actions and memos this project had already
    notes: list[str] = field(default_factory=list)  # corpus differences that did not matter
    conflicts: list[str] = field(default_factory=list)  # codings not applied: adjudicate them


@dataclass(frozen=True)
class _Passage:
    id: int
    key: tuple  # (case, document sha256, position)
    external_id: tuple | None  # (document name, id): a table row's id is unique in its file
    text: str
    where: str  # for messages: document name and passage number


def _passages(conn: sa.Connection) -> list[_Passage]:
    s, d, c = t.segments.c, t.documents.c, t.cases.c
    rows = conn.execute(
        sa.select(s.id, c.name, d.sha256, d.name, s.position, s.external_id, s.text).select_from(
            t.segments.join(t.documents).join(t.cases)
        )
    )
    return [
        _Passage(
            r[0],
            (r[1], r[2], r[4]),
            (r[3], r[5]) if r[5] else None,
            r[6],
            f"document '{r[3]}' passage {r[4] + 1}",
        )
        for r in rows
    ]


def _match(here: list[_Passage], there: list[_Passage]) -> tuple[dict[int, int], dict[int, str]]:
    """other segment id -> this project's segment id, and other id -> why it has no match."""
    by_ext = {p.external_id: p for p in here if p.external_id}
    by_key = {p.key: p for p in here}
    matched: dict[int, int] = {}
    unmatched: dict[int, str] = {}
    for p in there:
        mine = by_ext.get(p.external_id) if p.external_id else None
        if mine is None:
            mine = by_key.get(p.key)
        if mine is None:
            unmatched[p.id] = f"{p.where} (case '{p.key[0]}') is not in this project"
        elif mine.text != p.text:
            unmatched[p.id] = (
                f"{p.where} has other text here ({mine.where}); segmented differently?"
            )
        else:
            matched[p.id] = mine.id
    return matched, unmatched


def _conflict(
    summary: MergeSummary,
    memos: list[dict],
    labels: dict[tuple, str],
    action,  # noqa: ANN001 - a row of the other copy's actions
    ev,  # noqa: ANN001 - a row of its coding events
    segment_id: int,
    where: str,
    coder: str,
    coder_id: int,
    have: list[str],
) -> None:
    """A coding the codebook's rules do not allow here: report it, leave it for adjudication."""

    def name(code: str) -> str:
        return labels.get((ev.question_id, code), code)

    here = ", ".join(f"'{name(c)}'" for c in have)
    if NOT_APPLICABLE in (ev.code_id, *have):
        rule = f"'{NOT_APPLICABLE}' cannot be combined with a code"
    else:
        rule = "which takes one code"
    summary.conflicts.append(
        f"{where}, question '{ev.question_id}', coder {coder}: '{name(ev.code_id)}' in the "
        f"other copy, {here} here"
    )
    memos.append(
        dict(
            segment_id=segment_id,
            coder_id=coder_id,
            text=(
                f"Merge conflict ({summary.other}): {coder} coded this passage "
                f"'{name(ev.code_id)}' there and {here} here, in question '{ev.question_id}' "
                f"({rule}); kept the answer here: adjudicate (key a)."
            ),
            time=action.time,
            uid=str(
                uuid.uuid5(
                    UID_NAMESPACE,
                    f"merge-conflict:{action.uid}:{segment_id}:{ev.question_id}:{ev.code_id}",
                )
            ),
        )
    )


def _same_file(a: str, b: str) -> bool:
    if is_url(a) or is_url(b):
        return describe(a) == describe(b)
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def merge(store: Store, other_db: str) -> MergeSummary:
    if _same_file(store.db, other_db):
        raise CoderError(f"{other_db}: is this project itself; give the other coder's copy")
    if not is_url(other_db):
        _check_integrity(other_db)
    with Store.open(other_db, read_only=True) as other:
        try:
            remote = _read_other(other)
        except sa.exc.DatabaseError as exc:
            raise CoderError(
                f"{describe(other_db)}: cannot be read ({_why(exc)}); nothing was merged"
            ) from None
        return _merge(store, describe(other_db), remote)


def _why(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).strip().splitlines()[0]


def _check_integrity(other_db: str) -> None:
    """Refuse a damaged SQLite file (a flipped byte, a truncated copy) in one line."""
    path = Path(other_db)
    if path.is_dir():
        raise CoderError(f"{other_db}: is a folder, not a project file")
    if not path.is_file():
        raise CoderError(f"{other_db}: no such project file")
    try:
        conn = connect_read_only(path)
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise CoderError(
            f"{other_db}: damaged or not a project database ({exc}); nothing was merged"
        ) from None
    if problems != ["ok"]:
        raise CoderError(
            f"{other_db}: damaged (integrity check: {problems[0]}); nothing was merged"
        )


@dataclass
class _Remote:
    passages: list[_Passage]
    coder_names: dict[int, str]
    actions: list
    events: dict[int, list]
    memos: list
    modes: dict[str, str]  # question id -> mode in the other copy's codebook


def _read_other(other: Store) -> _Remote:
    a, e, m, cod = t.actions.c, t.coding_events.c, t.memos.c, t.coders.c
    with other.read() as src:
        there = _passages(src)
        coder_names = dict(src.execute(sa.select(cod.id, cod.name)).all())
        remote_actions = src.execute(
            sa.select(a.id, a.coder_id, a.kind, a.time, a.undoes, a.uid).order_by(a.id)
        ).all()
        events: dict[int, list] = defaultdict(list)
        for row in src.execute(
            sa.select(
                e.action_id,
                e.segment_id,
                e.question_id,
                e.code_id,
                e.event,
                e.origin,
                e.model_id,
                e.score,
            ).order_by(e.id)
        ):
            events[row.action_id].append(row)
        remote_memos = src.execute(
            sa.select(m.segment_id, m.coder_id, m.text, m.time, m.uid).order_by(m.id)
        ).all()
        modes = dict(src.execute(sa.select(t.questions.c.id, t.questions.c.mode)).all())
    return _Remote(there, coder_names, remote_actions, events, remote_memos, modes)


def _merge(store: Store, other_name: str, remote: _Remote) -> MergeSummary:
    summary = MergeSummary(other_name)
    codebook = store.codebook()
    known_codes = {(q.id, c.id) for q in codebook.questions for c in q.codes}
    known_codes |= {(q.id, NOT_APPLICABLE) for q in codebook.questions}
    single = {q.id for q in codebook.questions if q.mode == "single"}
    labels = {(q.id, c.id): c.label for q in codebook.questions for c in q.codes}
    a, m, cod = t.actions.c, t.memos.c, t.coders.c
    there, coder_names, remote_actions = remote.passages, remote.coder_names, remote.actions
    events, remote_memos = remote.events, remote.memos
    for qid, mode in sorted(remote.modes.items()):
        if qid in single and mode != "single":
            summary.notes.append(
                f"question '{qid}' takes several codes in the other copy and one code here"
            )

    with store.write() as conn:
        here = _passages(conn)
        matched, unmatched = _match(here, there)
        have_actions = dict(conn.execute(sa.select(a.uid, a.id).where(a.uid.is_not(None))).all())
        have_memos = set(conn.execute(sa.select(m.uid).where(m.uid.is_not(None))).scalars())
        new_actions = [r for r in remote_actions if r.uid not in have_actions]
        new_memos = [r for r in remote_memos if r.uid not in have_memos]
        summary.already = len(remote_actions) - len(new_actions)
        summary.already += len(remote_memos) - len(new_memos)

        problems: list[str] = []
        for action in new_actions:
            for ev in events[action.id]:
                if ev.segment_id in unmatched:
                    problems.append(f"a coding on {unmatched[ev.segment_id]}")
                elif (ev.question_id, ev.code_id) not in known_codes:
                    problems.append(
                        f"code '{ev.code_id}' of question '{ev.question_id}' is not in "
                        "this project's codebook"
                    )
        for memo in new_memos:
            if memo.segment_id in unmatched:
                problems.append(f"a memo on {unmatched[memo.segment_id]}")
        if problems:
            unique = list(dict.fromkeys(problems))
            more = f" (and {len(unique) - 3} more)" if len(unique) > 3 else ""
            raise CoderError(
                f"{summary.other}: cannot merge, the projects differ: "
                + "; ".join(unique[:3])
                + more
                + "; nothing was merged"
            )
        uncoded = len(unmatched)
        if uncoded:
            summary.notes.append(
                f"{uncoded} passages of the other project are not in this one "
                "(none of them coded; left out)"
            )
        extra = len(here) - len(matched)
        if extra > 0:
            summary.notes.append(f"{extra} passages here are not in the other project")

        known_coders = set(conn.execute(sa.select(cod.name)).scalars())
        coder_ids: dict[int, int] = {}

        def coder_id(remote: int) -> int:
            if remote not in coder_ids:
                name = coder_names[remote]
                if name not in known_coders:
                    summary.coders.append(name)
                    known_coders.add(name)
                coder_ids[remote] = store.coder_in(conn, name)
            return coder_ids[remote]

        remote_uid = {r.id: r.uid for r in remote_actions}
        # the current codes here, to keep the codebook's rules while replaying the other copy
        cg = t.codings.c
        state: dict[tuple, set[str]] = defaultdict(set)
        for row in conn.execute(sa.select(cg.segment_id, cg.question_id, cg.coder_id, cg.code_id)):
            state[(row.segment_id, row.question_id, row.coder_id)].add(row.code_id)
        where_here = {p.id: p.where for p in here}
        conflict_memos: list[dict] = []
        for action in new_actions:
            local_coder = coder_id(action.coder_id)
            changes = []
            for ev in events[action.id]:
                seg = matched[ev.segment_id]
                codes = state[(seg, ev.question_id, local_coder)]
                if ev.event == "added" and ev.code_id not in codes:
                    clash = codes and (
                        ev.question_id in single
                        or ev.code_id == NOT_APPLICABLE
                        or NOT_APPLICABLE in codes
                    )
                    if clash:
                        _conflict(
                            summary,
                            conflict_memos,
                            labels,
                            action,
                            ev,
                            seg,
                            where_here[seg],
                            coder_names[action.coder_id],
                            local_coder,
                            sorted(codes),
                        )
                        continue
                    codes.add(ev.code_id)
                elif ev.event == "removed":
                    codes.discard(ev.code_id)
                changes.append(
                    coding_ops.Change(
                        seg,
                        ev.question_id,
                        ev.code_id,
                        ev.event,
                        ev.origin,
                        ev.model_id,
                        ev.score,
                    )
                )
            undoes = have_actions.get(remote_uid.get(action.undoes)) if action.undoes else None
            local_id = coding_ops.record(
                conn,
                local_coder,
                action.kind,
                changes,
                undoes=undoes,
                time=action.time,
                uid=action.uid,
            )
            if local_id is not None:
                have_actions[action.uid] = local_id
                summary.actions += 1
                summary.events += len(changes)
        fresh = [memo for memo in conflict_memos if memo["uid"] not in have_memos]
        if fresh:
            conn.execute(t.memos.insert(), fresh)
        if new_memos:
            conn.execute(
                t.memos.insert(),
                [
                    dict(
                        segment_id=matched[memo.segment_id],
                        coder_id=coder_id(memo.coder_id),
                        text=memo.text,
                        time=memo.time,
                        uid=memo.uid,
                    )
                    for memo in new_memos
                ],
            )
            summary.memos = len(new_memos)
    return summary
