"""A file met again: its documents from an earlier import, and what to say about them.

A file is recognised again by the absolute path recorded with its document (older
projects: the path it was imported from); a copy from another folder by its case and its
text or bytes (``meta["file_sha256"]``). The bytes also tell an unchanged file from one an
earlier coder version read into other text. A file is imported either whole or in parts
(``--case-from heading``) at one heading level, never both: its passages would be there twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from coder.corpus.importing import UNCHANGED, Candidate, Earlier, same_file
from coder.corpus.project import ProjectBatch, ProjectStore, StoredDocument


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
    how = (
        "" if now.meta.get("file_sha256") else " (or read differently by an earlier coder version)"
    )
    return (
        f"changed since it was imported as '{now.name}'{how}; not imported again "
        "(its codings stay on the earlier text)"
    )


def file_parts(b: ProjectBatch, cand: Candidate) -> dict[str, StoredDocument]:
    """The documents of a file's parts from an earlier ``--case-from heading`` import."""
    found: dict[str, StoredDocument] = {}
    for name in cand.names():
        for doc in b.documents_under(f"{name}#").values():
            if "part" in doc.meta and same_file(doc.meta, cand.abs):
                found[doc.name] = doc
    return found


def refuse_whole(b: ProjectBatch, cand: Candidate) -> None:
    """Refuse a file imported before in parts: as one document it would be there twice."""
    parts = sorted(file_parts(b, cand))
    if parts:
        more = f" and {len(parts) - 1} more" if len(parts) > 1 else ""
        raise Refused(
            f"imported before in parts with --case-from heading ('{parts[0]}'{more}); "
            "not imported again as one document"
        )


def refuse_level(parts: dict[str, StoredDocument], level: int) -> list[StoredDocument]:
    """A file's earlier parts; refused when they were made at another heading level."""
    levels = sorted({d.meta["part_level"] for d in parts.values() if "part_level" in d.meta})
    if levels and level not in levels:
        option = "heading" if levels[0] == 1 else f"heading:{levels[0]}"
        raise Refused(
            f"imported before in parts at level-{levels[0]} headings (--case-from {option}); "
            f"not imported again at level {level}"
        )
    return list(parts.values())


def refuse_parts(b: ProjectBatch, cand: Candidate) -> None:
    """Refuse a file imported before as one document: in parts it would be there twice."""
    for doc in b.documents_by_name(cand.names()).values():
        if "part" not in doc.meta and same_file(doc.meta, cand.abs):
            raise Refused(
                f"imported before as one document ('{doc.name}'), not in parts; "
                "not imported again with --case-from heading"
            )


def attributes_note(given: Mapping[str, str], kept: list[StoredDocument], case: str) -> list[str]:
    """Say that ``--attribute`` values did not go on documents imported before."""
    if not any(
        any((d.meta.get("attributes") or {}).get(k) != v for k, v in given.items()) for d in kept
    ):
        return []
    said = " ".join(f"{k}={v}" for k, v in given.items())
    return [
        f"--attribute {said} not applied to what was imported before (only new documents "
        f"get it; for the whole case: coder cases set {case} {said})"
    ]


def part_name(b: ProjectBatch, file: str, cand: Candidate, part: str, taken: set[str]) -> str:
    """A new part's document name: ``FILE#Heading``, with as many of the file's folders as
    tell it from other files' parts (and from its file's earlier parts)."""
    names = [f"{n}#{part}" for n in [file, *cand.names()]]
    found = b.documents_by_name(names)
    free = next((n for n in names if n not in found and n not in taken), None)
    return free or f"{cand.abs.as_posix()}#{part}"
