"""What a planner asks the store to write, as plain data (``Store.batch().apply(changes)``).

Importers, merging and codebook updates work out what to change first, reading what they
need, and hand the list to the store, which writes it in the one transaction of the batch
it is applied in. A passage the same list adds has no id yet: it is named by its document
and position instead (``Passage``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coder.corpus.span import Span
from coder.model.codebook import Question

# A stored passage's id, or (name of a document added by the same list, position in it).
Passage = int | tuple[str, int]


@dataclass(frozen=True)
class AddCase:
    """A case, created if new; ``attributes`` are merged into its attributes."""

    name: str
    attributes: dict[str, Any] | None = None


@dataclass(frozen=True)
class AddDocument:
    """A new document of ``case`` (created if new, ``case_attributes`` merged in), with its
    passages. Consecutive documents are stored in one bulk insert."""

    case: str
    name: str
    fmt: str
    text: str
    sha256: str
    spans: list[Span]
    meta: dict[str, Any] = field(default_factory=dict)
    case_attributes: dict[str, Any] | None = None


@dataclass(frozen=True)
class SetDocumentAttributes:
    """Attributes a document imported before did not have (``--attribute år=2019`` given
    again), merged into its ``meta["attributes"]``; its text and passages stay as they are."""

    document_id: int
    attributes: dict[str, str]


@dataclass(frozen=True)
class ReplacePassageText:
    """A one-passage document given new text. The passage keeps its id and so its codings,
    memos and history; its suggestions and stored embedding (of the old text) go."""

    document_id: int
    segment_id: int
    text: str
    sha256: str
    meta: dict[str, Any]


@dataclass(frozen=True)
class CodePassages:
    """One action of ``coder`` that adds codes to passages, keeping the question's rules
    against the codes the coder has there when it is applied (``n/a`` replaces codes, a
    ``single`` question keeps one); ``coder`` None is the default coder."""

    coder: str | None
    question: Question
    passages: list[tuple[Passage, list[str]]]
    kind: str = "import"


@dataclass(frozen=True)
class Coding:
    """One coding event of a ``RecordCodings`` action."""

    passage: Passage
    question_id: str
    code_id: str
    event: str = "added"  # "added" | "removed"
    origin: str = "human"
    model_id: str | None = None
    score: float | None = None


@dataclass(frozen=True)
class RecordCodings:
    """One action with exactly these events. ``coder`` is a name (created if new) or a
    coder's id; ``time`` and ``uid`` are given for an action copied from elsewhere, and
    ``undoes`` is the uid of the action it undoes. An action without events writes
    nothing (its coder is still created)."""

    coder: str | int
    kind: str
    codings: list[Coding]
    time: str | None = None
    uid: str | None = None
    undoes: str | None = None


@dataclass(frozen=True)
class AddMemo:
    """A memo on a passage; consecutive memos are stored in one bulk insert."""

    passage: Passage
    coder: str | int
    text: str
    time: str | None = None
    uid: str | None = None


Change = (
    AddCase
    | AddDocument
    | SetDocumentAttributes
    | ReplacePassageText
    | CodePassages
    | RecordCodings
    | AddMemo
)


@dataclass
class Applied:
    """What applying a list of changes did, for the planners' summaries."""

    new_cases: int = 0
    passages: dict[str, list[int]] = field(default_factory=dict)  # new document -> passages
    codings_added: int = 0  # "added" events written for CodePassages
    replaced_coded: int = 0  # passages given new text that had codings
    actions: int = 0  # actions written (an action without events is none)
    events: int = 0
