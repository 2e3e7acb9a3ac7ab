"""A REFI-QDA text source's passages: its selections, and paragraphs of what they leave.

Every distinct text selection becomes a passage with its exact offsets, carrying its
codings and memos; text no selection covers is split into paragraph passages, so
everything can still be coded. Notes coder writes for the answer ``n/a`` (tagged with the
code ``n/a`` and a question) become ``n/a`` codings again.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from coder.corpus.segment import paragraphs
from coder.corpus.span import Span
from coder.i18n import _
from coder.model.codebook import NOT_APPLICABLE
from coder.refi.xml import child, child_text, children, norm_guid, split_tag


@dataclass
class Selected:
    """What a passage carries: (question, code, coder, time) codings and (coder, text,
    time) memos."""

    external_id: str | None = None
    codings: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    memos: list[tuple[str, str, str | None]] = field(default_factory=list)


@dataclass
class SourceDocument:
    name: str
    text: str
    case: str
    spans: list[tuple[Span, Selected]]


@dataclass
class Context:
    """What every source's selections refer to: codes, users and notes by GUID."""

    code_guids: dict[str, tuple[str, str]]  # code GUID -> (question, code)
    users: dict[str, str]  # user GUID -> name
    notes: dict[str, ET.Element]
    left_out: list[str]

    @property
    def questions(self) -> set[str]:
        return {question for question, _ in self.code_guids.values()}

    def user(self, element: ET.Element | None) -> str:
        guid = element.get("creatingUser") if element is not None else None
        return self.users.get(norm_guid(guid)) or "unknown"


def source_document(
    source: ET.Element, text: str, name: str, case: str, context: Context
) -> SourceDocument:
    """Passages (selections, then paragraphs of what they leave uncovered), their codings
    and memos, for one text source."""
    selections: dict[tuple[int, int], Selected] = {}
    claimed: set[str] = set()  # external ids given to a passage of this source so far
    for sel in children(source, "PlainTextSelection"):
        offsets = _offsets(sel, text, name, context)
        if offsets is None:
            continue
        entry = selections.setdefault(offsets, Selected())
        tag = split_tag(child_text(sel, "Description"))[1]
        if tag.get("external_id"):
            _claim(entry, str(tag["external_id"]), claimed, sel, name, context)
        _codings(sel, entry, name, context)
        for ref in children(sel, "NoteRef"):
            _note(context.notes.get(norm_guid(ref.get("targetGUID"))), entry, name, context)
    spans: list[tuple[Span, Selected]] = []
    cursor = 0
    for start, end in sorted(selections) + [(len(text), len(text))]:
        if start > cursor:  # text no selection covers: paragraphs, to be coded in coder
            for para in paragraphs(text[cursor:start]):
                span = Span(cursor + para.start, cursor + para.end, para.text)
                spans.append((span, Selected()))
        if end > start:
            entry = selections[(start, end)]
            spans.append((Span(start, end, text[start:end], entry.external_id), entry))
        cursor = max(cursor, end)
    spans.sort(key=lambda pair: (pair[0].start, pair[0].end))
    return SourceDocument(name, text, case, spans)


def _claim(
    entry: Selected,
    external_id: str,
    claimed: set[str],
    sel: ET.Element,
    name: str,
    context: Context,
) -> None:
    """Give ``entry`` its external id unless another passage of its source holds it: the
    store keeps an id once per document, so a second selection claiming it comes without."""
    if entry.external_id == external_id:
        return
    if external_id in claimed:
        label = sel.get("name") or norm_guid(sel.get("guid"))
        context.left_out.append(
            _(
                "selection '{label}' in '{name}': external id '{id}' is already another "
                "selection's; imported without it"
            ).format(label=label, name=name, id=external_id)
        )
        return
    claimed.add(external_id)
    entry.external_id = external_id


def _offsets(sel: ET.Element, text: str, name: str, context: Context) -> tuple[int, int] | None:
    label = sel.get("name") or norm_guid(sel.get("guid"))
    try:
        start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
    except ValueError:
        context.left_out.append(
            _("selection '{label}' in '{name}': no valid offsets").format(label=label, name=name)
        )
        return None
    if not 0 <= start < end <= len(text):
        context.left_out.append(
            _(
                "selection '{label}' in '{name}': offsets {start}-{end} outside the text "
                "({n} characters)"
            ).format(label=label, name=name, start=start, end=end, n=len(text))
        )
        return None
    return start, end


def _codings(sel: ET.Element, entry: Selected, name: str, context: Context) -> None:
    for coding in children(sel, "Coding"):
        ref = child(coding, "CodeRef")
        target = context.code_guids.get(
            norm_guid(ref.get("targetGUID") if ref is not None else None)
        )
        if target is None:
            context.left_out.append(
                _("a coding in '{name}' refers to an unknown code").format(name=name)
            )
            continue
        entry.codings.append((*target, context.user(coding), coding.get("creationDateTime")))


def _note(note: ET.Element | None, entry: Selected, name: str, context: Context) -> None:
    """A note referenced from a selection: a memo, or coder's note for an ``n/a`` answer."""
    tag = split_tag(child_text(note, "Description") if note is not None else None)[1]
    if note is not None and tag.get("code") == NOT_APPLICABLE:  # as coder writes it
        question = str(tag.get("question") or "")
        if question not in context.questions:
            context.left_out.append(
                _("an n/a answer in '{name}' for an unknown question '{question}'").format(
                    name=name, question=question
                )
            )
            return
        time = note.get("creationDateTime")
        entry.codings.append((question, NOT_APPLICABLE, context.user(note), time))
        return
    content = child_text(note, "PlainTextContent") if note is not None else None
    if note is None or not content or not content.strip():
        return
    entry.memos.append((context.user(note), content, note.get("creationDateTime")))
