"""What a codebook is: its questions, their codes and the declared changes, as frozen values.

Nothing here reads files; :mod:`coder.model.codebook` builds these from YAML and
:mod:`coder.model.validator` decides what a well-formed one is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from coder.errors import CodebookError
from coder.i18n import _

MODES = ("single", "multi")
# The answer "this question does not apply to the passage": stored as this code id in the
# coding log and the suggestions, never a code of the codebook (a code may not be named so),
# never counted in a tally. TUI key 0; `n/a` (any case) in a --code-column cell.
NOT_APPLICABLE = "n/a"
# The coder whose codings are the adjudicated answer where coders disagreed: a tally, the
# training set and the agreement screen take this coder's codes over everyone else's.
CONSENSUS_CODER = "consensus"


@dataclass(frozen=True)
class Code:
    id: str
    label: str
    definition: str = ""
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    parent: str | None = None
    hotkey: str | None = None
    color: str | None = None


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    mode: str
    codes: tuple[Code, ...]
    description: str = ""

    def code(self, code_id: str) -> Code:
        for code in self.codes:
            if code.id == code_id:
                return code
        raise KeyError(code_id)

    def resolve(self, value: str) -> Code | None:
        """Find a code by id, or by label (case-insensitive), as users write them in sheets."""
        value = value.strip()
        for code in self.codes:
            if code.id == value:
                return code
        folded = value.casefold()
        for code in self.codes:
            if code.label.casefold() == folded or code.id.casefold() == folded:
                return code
        return None


@dataclass(frozen=True)
class Change:
    """A declared codebook change, applied to codings by ``coder codebook update``:
    ``merge`` the codes ``codes`` into ``into``, or ``retire`` the one code in ``codes``."""

    question: str
    kind: str  # "merge" | "retire"
    codes: tuple[str, ...]
    into: str | None = None


@dataclass(frozen=True)
class Codebook:
    id: str
    title: str
    language: str
    questions: tuple[Question, ...]
    description: str = ""
    pipeline: str | None = None
    changes: tuple[Change, ...] = ()
    source: str = field(default="", compare=False, repr=False)  # the YAML text it came from

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        known = ", ".join(q.id for q in self.questions)
        raise CodebookError(
            _("unknown question '{question}' (codebook has: {known})").format(
                question=question_id, known=known
            )
        )

    @property
    def digest(self) -> str:
        """A short fingerprint of the codebook's content, used as its version tag."""
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()[:12]
