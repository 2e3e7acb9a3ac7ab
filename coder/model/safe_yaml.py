"""YAML from files a user was given: safe types only, and bounded work.

``yaml.safe_load`` executes nothing, but it still lets a file of a few hundred bytes cost
gigabytes: aliases nest (a "billion laughs" file expands each level ninefold), an alias may
point into the value that holds it (``title: &x [*x]``, a structure with no end), and deep
nesting recurses past Python's limit. Every YAML file coder reads (codebooks, the front
matter of TXT/Markdown documents) goes through :func:`load`, which composes the document
once and refuses, with the line, a file that has

- more than ``max_aliases`` aliases (``*name``),
- aliases that would expand it by more than ``max_expansion`` values,
- an alias to a value that contains it (a recursive structure),
- values nested more than ``max_depth`` levels deep (counted through aliases),

before anything walks the expanded structure. Everything fails as ``YamlError``: a message
and, where known, a line (1-based, in the text given).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from coder.i18n import _

MAX_ALIASES = 1000
MAX_EXPANSION = 100_000
MAX_DEPTH = 64
_MAX_INT_BITS = 3000  # about 900 digits: no codebook or front matter needs more


@dataclass(frozen=True)
class Limits:
    max_aliases: int = MAX_ALIASES
    max_expansion: int = MAX_EXPANSION
    max_depth: int = MAX_DEPTH


class YamlError(Exception):
    """The text is not usable YAML; ``message`` says why, ``line`` where (or None)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(f"line {line}: {message}" if line else message)
        self.message = message
        self.line = line


class _Refused(yaml.MarkedYAMLError):
    """A limit was reached while composing (a MarkedYAMLError, to carry the place)."""


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that counts aliases and measures every value as it is composed: its size
    with aliases expanded and its depth, both from its children's (memoised per node, so
    the measuring is linear in the text, however far the aliases would expand)."""

    def __init__(self, text: str, limits: Limits):
        super().__init__(text)
        self.limits = limits
        self.aliases = 0
        self.nesting = 0
        self.composed = 0  # distinct values composed so far
        self.size: dict[int, int] = {}  # id(finished node) -> size with aliases expanded
        self.depth: dict[int, int] = {}  # id(finished node) -> depth through aliases

    def compose_node(self, parent: yaml.Node | None, index: yaml.Node | int | None) -> yaml.Node:
        limits = self.limits
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            self.aliases += 1
            if self.aliases > limits.max_aliases:
                raise _Refused(
                    None,
                    None,
                    f"too many aliases (more than {limits.max_aliases})",
                    event.start_mark,
                )
            node = super().compose_node(parent, index)  # undefined alias: PyYAML says so
            if id(node) not in self.size:
                raise _Refused(
                    None,
                    None,
                    f"alias *{event.anchor} refers to a value that contains it "
                    "(a recursive structure)",
                    event.start_mark,
                )
            return node
        self.nesting += 1
        if self.nesting > limits.max_depth:
            raise _Refused(
                None,
                None,
                f"values nested more than {limits.max_depth} levels deep",
                self.peek_event().start_mark,
            )
        try:
            node = super().compose_node(parent, index)
        finally:
            self.nesting -= 1
        self.composed += 1
        if isinstance(node, yaml.SequenceNode):
            items = node.value
        elif isinstance(node, yaml.MappingNode):
            items = [part for pair in node.value for part in pair]
        else:
            items = []
        size = 1 + sum(self.size[id(item)] for item in items)
        depth = 1 + max((self.depth[id(item)] for item in items), default=0)
        if size - self.composed > limits.max_expansion:
            raise _Refused(
                None,
                None,
                _("too many aliases (they expand the file by more than {n} values)").format(
                    n=limits.max_expansion
                ),
                node.start_mark,
            )
        if depth > limits.max_depth:
            raise _Refused(
                None,
                None,
                _("values nested more than {n} levels deep (through aliases)").format(
                    n=limits.max_depth
                ),
                node.start_mark,
            )
        self.size[id(node)] = size
        self.depth[id(node)] = depth
        return node

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            data = super().construct_object(node, deep)
            if isinstance(data, int) and data.bit_length() > _MAX_INT_BITS:  # 0xfff...: no
                raise ValueError("integer string conversion")  # digit limit, but unprintable
            return data
        except (ValueError, OverflowError) as exc:  # a 5000-digit number, 2024-13-45, ...
            if isinstance(exc, yaml.YAMLError):
                raise
            message = str(exc).split(";")[0]
            if "integer string conversion" in message:
                message = _("a number with too many digits")
            raise yaml.constructor.ConstructorError(
                None,
                None,
                _("unreadable value: {reason}").format(reason=message),
                node.start_mark,
            ) from None


def load(text: str, limits: Limits | None = None) -> tuple[yaml.Node | None, Any]:
    """The composed node (for line numbers; None for an empty document) and the data.

    Raises ``YamlError`` for invalid YAML and for files past the limits."""
    limits = limits or Limits()
    loader = None
    try:
        loader = _BoundedLoader(text, limits)  # the reader refuses control characters here
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except _Refused as exc:
        raise YamlError(exc.problem, exc.problem_mark.line + 1) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = f" ({exc.context})" if exc.context else ""
        kind = (
            _("YAML error")
            if isinstance(exc, yaml.constructor.ConstructorError)
            else _("YAML syntax error")
        )
        raise YamlError(
            f"{kind}: {exc.problem or _('invalid YAML')}{context}",
            mark.line + 1 if mark else None,
        ) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise YamlError(
            _("not YAML text: {reason} (character {character})").format(
                reason=exc.reason, character=repr(exc.character)
            ),
            line,
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(_("YAML error") + ": " + " ".join(str(exc).split())) from None
    except (ValueError, TypeError, OverflowError) as exc:  # a constructor outside the wrap
        raise YamlError(
            _("YAML error")
            + ": "
            + _("unreadable value: {reason}").format(reason=str(exc).split(";")[0])
        ) from None
    except RecursionError:  # the limits above should make this unreachable
        raise YamlError(
            _("values nested too deeply (limit {n})").format(n=limits.max_depth)
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    return node, data
