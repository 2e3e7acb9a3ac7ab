"""A file met again: its documents from an earlier import, and what to say about them.

A file is recognised again by the absolute path recorded with its document (older
projects: the path it was imported from); a copy from another folder by its case and its
text or bytes (``meta["file_sha256"]``). The bytes also tell an unchanged file from one an
earlier coder version read into other text. A file is imported either whole or in parts
(``--case-from heading``) at one heading level, never both: its passages would be there twice.

Attributes given with ``--attribute`` are part of what a report is. A document met again
(by its file, its name, or its text in its case) that has every given attribute is left as
it is; one that lacks some (imported without them) gets them (``SetDocumentAttributes``);
one with another value of a given attribute (``år=2018`` when ``år=2019`` is given) is
another report, so the file becomes a new document beside it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from coder.corpus.changes import Change, SetDocumentAttributes
from coder.corpus.importing import LABELLED, UNCHANGED, Candidate, Earlier, same_file
from coder.corpus.project import ProjectBatch, ProjectStore, StoredDocument
from coder.i18n import _

Given = Mapping[str, str]  # the attributes of an import (``--attribute år=2019``)


@dataclass
class Plan:
    """Where a file goes: its earlier document, or a new one named ``name``."""

    mine: StoredDocument | None  # its document, imported before
    maybe: StoredDocument | None  # a document of the same name that may be its own (older project)
    name: str  # the name for a new document
    clashes: bool  # another file of this import had the same name

    def target(self, text_sha: str) -> str:
        """The name of the file's document: its earlier one, or a new one. An older document
        of this name whose file cannot be told is this file's, unless another file of this
        import has the same name (then only if the text is the same)."""
        mine = self.mine
        if mine is None and self.maybe and (not self.clashes or self.maybe.sha256 == text_sha):
            mine = self.maybe
        return mine.name if mine else self.name


def plan_files(store: ProjectStore, candidates: list[Candidate]) -> tuple[list[Plan], Earlier]:
    options = [c.names() for c in candidates]
    shared = Counter(name for names in options for name in names)
    with store.batch(write=False) as b:
        every = b.documents_under("") if candidates else {}  # one read serves both lookups
    existing = {name: every[name] for name in shared if name in every}
    earlier = Earlier(every.values())
    plans = []
    for cand, names in zip(candidates, options, strict=True):
        mine = maybe = None
        for name in names:
            doc = existing.get(name)
            if doc is None:
                continue
            same = same_file(doc.meta, cand.abs)
            if same:
                mine = doc
                break
            if same is None and name == cand.name and maybe is None:
                maybe = doc
        new_name = next(
            (n for n in names if shared[n] == 1 and n not in existing), cand.abs.as_posix()
        )
        plans.append(Plan(mine, maybe, new_name, shared[cand.name] > 1))
    return plans, earlier


class Refused(Exception):
    """A file not imported at all: its one line's reason."""


def compared(now: StoredDocument, text_sha: str, file_sha: str) -> str:
    """A file's earlier document of the same path: ``UNCHANGED``, or why it is not imported."""
    if now.sha256 == text_sha or now.meta.get("file_sha256") == file_sha:
        return UNCHANGED
    if now.meta.get("file_sha256"):
        said = _(
            "changed since it was imported as '{name}'; not imported again "
            "(its codings stay on the earlier text)"
        )
    else:
        said = _(
            "changed since it was imported as '{name}' (or read differently by an earlier coder "
            "version); not imported again (its codings stay on the earlier text)"
        )
    return said.format(name=now.name)


def said(attributes: Given) -> str:
    """``år=2019, källa=enkät``"""
    return ", ".join(f"{k}={v}" for k, v in attributes.items())


def labelled(name: str, given: Given) -> str:
    """The name of a new document beside another report of the same name: ``X (år=2019)``."""
    return f"{name} ({said(given)})"


def _own(doc: StoredDocument) -> dict[str, str]:
    return {str(k): str(v) for k, v in (doc.meta.get("attributes") or {}).items()}


def other_values(doc: StoredDocument, given: Given) -> dict[str, str]:
    """The given attributes ``doc`` has with another value: then it is another report."""
    own = _own(doc)
    return {k: own[k] for k in given if k in own and own[k] != str(given[k])}


def missing(doc: StoredDocument, given: Given) -> dict[str, str]:
    """The given attributes ``doc`` does not have (it was imported without them)."""
    own = _own(doc)
    return {k: v for k, v in given.items() if k not in own}


def pick(
    docs: list[StoredDocument], given: Given
) -> tuple[StoredDocument | None, list[StoredDocument]]:
    """Of the documents a file matches: the one it is (with every given attribute, else one
    lacking some but with no other value), and those that are other reports."""
    others = [d for d in docs if other_values(d, given)]
    fitting = [d for d in docs if not other_values(d, given)]
    whole = next((d for d in fitting if not missing(d, given)), None)
    return whole or (fitting[0] if fitting else None), others


def met_again(
    doc: StoredDocument, given: Given, notes: list[str], same: str = ""
) -> tuple[list[Change], str]:
    """A file (part) whose document ``doc`` was imported before, with no other value of a
    given attribute: ``UNCHANGED``, or ``LABELLED`` with the change that sets the given
    attributes it lacks (said in ``notes``; ``same``: ``text`` or ``file`` for a copy met by
    its text or its bytes)."""
    lacking = missing(doc, given)
    if not lacking:
        return [], UNCHANGED
    if same == "text":
        note = _("{attributes} set on '{name}' (the same text, imported before without it)")
    elif same == "file":
        note = _("{attributes} set on '{name}' (the same file, imported before without it)")
    else:
        note = _("{attributes} set on '{name}' (imported before without it)")
    notes.append(note.format(attributes=said(lacking), name=doc.name))
    return [SetDocumentAttributes(doc.id, lacking)], LABELLED


def another_report(name: str, other: StoredDocument, given: Given, text_sha: str) -> str:
    """Why a file met again is a new document: the earlier one is another report."""
    if other.sha256 == text_sha:
        note = _("new document '{name}': '{other}' (the same text) has {attributes}")
    else:
        note = _("new document '{name}': '{other}' has {attributes}")
    return note.format(name=name, other=other.name, attributes=said(other_values(other, given)))


def by_name(
    b: ProjectBatch, name: str, cand: Candidate, given: Given
) -> tuple[StoredDocument | None, list[StoredDocument], str]:
    """A whole file's earlier document by its name ``name``, or ``X (år=2019)`` beside
    another report's ``X``; the documents of those names that are other reports; the name
    for a new document."""
    names = [name, labelled(name, given)] if given else [name]
    found = b.documents_by_name(names)
    others = [found[n] for n in names if n in found and other_values(found[n], given)]
    now = next((found[n] for n in names if n in found and found[n] not in others), None)
    free = next((n for n in names if n not in found), labelled(cand.abs.as_posix(), given))
    return now, others, free


def met_earlier(
    doc: StoredDocument, read: tuple[str, str, str | None], given: Given, notes: list[str]
) -> tuple[list[Change], str]:
    """A file (part) whose earlier document ``doc`` has its name (or is its matched part;
    ``read``: text sha256, file sha256, part): why it is not imported when it changed since
    (``compared``), else ``met_again``."""
    text_sha, file_sha, part = read
    outcome = compared(doc, text_sha, file_sha)
    if outcome != UNCHANGED:
        return [], outcome
    notes += moved_part(doc, part)
    return met_again(doc, given, notes)


def met_as_copy(
    b: ProjectBatch,
    earlier: Earlier,
    case_id: int,
    read: tuple[str, str, str | None],
    given: Given,
    notes: list[str],
) -> tuple[StoredDocument | None, list[Change], str, list[StoredDocument]]:
    """A file (part) that would be a new document, by the documents of its case with its
    text or read from its bytes (``read``: text sha256, file sha256, part): the copy it is
    with what to change and the outcome (``met_again``; a copy left as it was is said in
    ``notes``), and the documents of that text that are other reports."""
    text_sha, file_sha, part = read
    docs = {d.id: d for d in b.documents_with_text(case_id, text_sha)}
    named = earlier.same_bytes(case_id, file_sha, part)
    for doc in b.documents_by_name(named).values() if named else ():
        docs.setdefault(doc.id, doc)
    copy, others = pick(list(docs.values()), given)
    if copy is None:
        return None, [], "", others
    same = "text" if copy.sha256 == text_sha else "file"
    changes, outcome = met_again(copy, given, notes, same)
    if outcome == UNCHANGED:
        notes.append(_copy_note(same, copy))
    return copy, changes, outcome, others


def _copy_note(same: str, copy: StoredDocument) -> str:
    """A copy of a document imported before (``same``: its ``text`` or ``file``), said."""
    own = _own(copy)
    if same == "text" and own:
        note = _("the same text as '{name}' ({attributes}), imported before; not imported again")
    elif same == "text":
        note = _("the same text as '{name}', imported before; not imported again")
    elif own:
        note = _("the same file as '{name}' ({attributes}), imported before; not imported again")
    else:
        note = _("the same file as '{name}', imported before; not imported again")
    return note.format(name=copy.name, attributes=said(own))


def moved_part(doc: StoredDocument, part: str | None) -> list[str]:
    """A part matched by its text to an earlier part of another heading, said."""
    if doc.meta.get("part") == part:
        return []
    return [
        _(
            "'{part}' is the section imported before as '{before}' (the same text); its "
            "document '{name}' was left as it was"
        ).format(part=part, before=doc.meta.get("part"), name=doc.name)
    ]


def gone_parts(before: list[StoredDocument], matched: list[StoredDocument | None]) -> list[str]:
    """The earlier parts of a file no longer in it, said."""
    return [
        _("'{part}' is no longer in the file; its document '{name}' stays in the project").format(
            part=d.meta.get("part"), name=d.name
        )
        for d in before
        if d not in matched
    ]


def file_parts(b: ProjectBatch, cand: Candidate) -> dict[str, StoredDocument]:
    """The documents of a file's parts from an earlier ``--case-from heading`` import."""
    found: dict[str, StoredDocument] = {}
    for name in cand.names():
        for doc in b.documents_under(f"{name}#").values():
            if "part" in doc.meta and same_file(doc.meta, cand.abs):
                found[doc.name] = doc
    return found


def refuse_whole(b: ProjectBatch, cand: Candidate, given: Given) -> None:
    """Refuse a file imported before in parts: as one document it would be there twice
    (unless those parts are another report: another value of a given attribute)."""
    parts = sorted(n for n, d in file_parts(b, cand).items() if not other_values(d, given))
    if len(parts) > 1:
        raise Refused(
            _(
                "imported before in parts with --case-from heading ('{part}' and {n} more); "
                "not imported again as one document"
            ).format(part=parts[0], n=len(parts) - 1)
        )
    if parts:
        raise Refused(
            _(
                "imported before in parts with --case-from heading ('{part}'); "
                "not imported again as one document"
            ).format(part=parts[0])
        )


def parts_before(
    b: ProjectBatch, cand: Candidate, given: Given, level: int
) -> tuple[list[StoredDocument], list[StoredDocument]]:
    """A file's earlier parts, to match its parts to, and those that are other reports
    (another value of a given attribute); refused when the file was imported as one
    document before, or in parts at another level (``refuse_parts``, ``refuse_level``)."""
    refuse_parts(b, cand, given)
    every = file_parts(b, cand).values()
    others = [d for d in every if other_values(d, given)]
    return refuse_level({d.name: d for d in every if d not in others}, level), others


def refuse_level(parts: dict[str, StoredDocument], level: int) -> list[StoredDocument]:
    """A file's earlier parts; refused when they were made at another heading level."""
    levels = sorted({d.meta["part_level"] for d in parts.values() if "part_level" in d.meta})
    if levels and level not in levels:
        option = "heading" if levels[0] == 1 else f"heading:{levels[0]}"
        raise Refused(
            _(
                "imported before in parts at level-{before} headings (--case-from {option}); "
                "not imported again at level {level}"
            ).format(before=levels[0], option=option, level=level)
        )
    return list(parts.values())


def refuse_parts(b: ProjectBatch, cand: Candidate, given: Given) -> None:
    """Refuse a file imported before as one document: in parts it would be there twice
    (unless that document is another report: another value of a given attribute)."""
    names = cand.names()
    if given:
        names += [labelled(n, given) for n in names]
    for doc in b.documents_by_name(names).values():
        if (
            "part" not in doc.meta
            and same_file(doc.meta, cand.abs)
            and not other_values(doc, given)
        ):
            raise Refused(
                _(
                    "imported before as one document ('{name}'), not in parts; "
                    "not imported again with --case-from heading"
                ).format(name=doc.name)
            )


def part_name(
    b: ProjectBatch, file: str, cand: Candidate, part: str, taken: set[str], label: str = ""
) -> str:
    """A new part's document name: ``FILE#Heading``, with as many of the file's folders as
    tell it from other files' parts (and from its file's earlier parts); ``label`` (`` (år=2019)``)
    after the heading when the file's earlier parts are another report."""
    names = [f"{n}#{part}{label}" for n in [file, *cand.names()]]
    found = b.documents_by_name(names)
    free = next((n for n in names if n not in found and n not in taken), None)
    return free or f"{cand.abs.as_posix()}#{part}{label}"
