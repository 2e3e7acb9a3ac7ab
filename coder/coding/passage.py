"""What the coding screen shows of one passage: text, context (its neighbours and the
heading path above it), codes, memo, suggestions."""

from __future__ import annotations

from dataclasses import dataclass, field

from coder.store import Store, queries


@dataclass(frozen=True)
class Suggestion:
    code: str  # a code id, or NOT_APPLICABLE
    score: float
    model_id: str
    evidence: tuple[str, ...] = ()  # words of the passage that most raised the score


def ranked_suggestions(by_rank: list[Suggestion]) -> list[Suggestion]:
    """Suggestions best first: highest score, ties in stored rank order (``by_rank`` comes
    ordered by rank). The first is the top suggestion: drawn as such and taken by enter,
    even if the stored ranks disagree with the scores."""
    return sorted(by_rank, key=lambda s: -s.score)  # stable: ties keep rank order


@dataclass
class Passage:
    coder: str
    segment_id: int
    case: str
    document: str
    position: int
    text: str
    previous: str | None
    following: str | None
    mine: set[str]
    others: dict[str, set[str]]  # other coders' codes (none in blind mode)
    memo: str | None
    suggestions: list[Suggestion] = field(default_factory=list)
    index: int = 0  # position in the current view
    view_size: int = 0
    section: str | None = None  # the heading path above it ("Syfte > Utveckling framöver")


def read_passage(
    store: Store,
    segment_id: int,
    neighbours: tuple[int | None, int | None],
    *,
    question_id: str,
    coder: str,
    blind: bool,
    index: int,
    view_size: int,
) -> Passage:
    """The passage as ``coder`` sees it for the question, with the text of its neighbours
    in reading order (``neighbours``) where they belong to the same document. A handful
    of indexed reads: this runs on every keypress."""
    before, after = neighbours
    rows = queries.passages(store, [segment_id, *(s for s in neighbours if s is not None)])
    row = rows[segment_id]

    def same_doc(other: int | None) -> str | None:
        if other is None or other not in rows:
            return None
        neighbour = rows[other]
        return neighbour.text if neighbour.document == row.document else None

    codes = queries.codes_on(store, segment_id, question_id)
    mine = codes.pop(coder, set())
    return Passage(
        coder=coder,
        segment_id=segment_id,
        case=row.case,
        document=row.document,
        position=row.position,
        text=row.text,
        previous=same_doc(before),
        following=same_doc(after),
        mine=mine,
        others={} if blind else codes,
        memo=queries.latest_memo(store, segment_id, coder),
        suggestions=ranked_suggestions(
            [
                Suggestion(code, score, model, tuple(filter(None, (evidence or "").split(";"))))
                for code, score, model, evidence in queries.suggestions_for(
                    store, segment_id, question_id
                )
            ]
        ),
        index=index,
        view_size=view_size,
        section=row.section,
    )
