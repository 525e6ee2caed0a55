"""The document model SOPS works on: maps, lists, typed scalars and comment items, in order.

It mirrors sops' own tree (stores/yaml): a comment is an item of the map or list that holds it,
placed in document order before the next key. Text spans let an edit replace exactly the bytes
of one value and leave every other byte of the file alone.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, TypeAlias, TypeVar

ScalarKind = Literal["str", "int", "float", "bool", "time", "null", "comment"]
ScalarValue: TypeAlias = str | int | float | bool | dt.datetime | None


@dataclass(slots=True)
class Span:
    """Character offsets `[start, end)` of a node's text in its file, and its first line."""

    start: int
    end: int
    line: int


@dataclass(slots=True)
class Scalar:
    """A leaf value. For a SOPS file, `value` is the text as written (often `ENC[...]`)."""

    value: ScalarValue
    kind: ScalarKind
    span: Span | None = None
    style: str = ""
    """YAML style as written: "" plain, "'" or '"' quoted, "|" or ">" block."""


@dataclass(slots=True)
class Comment:
    """A comment line; `text` is everything after its first `#`."""

    text: str
    span: Span | None = None


@dataclass(slots=True)
class Mapping:
    """A YAML map: (key, node) pairs and comments, in file order."""

    items: list[tuple[str, Node] | Comment] = field(default_factory=list)
    span: Span | None = None
    indent: int = 0
    """Column of its keys (for inserting a new key in the file's own style)."""
    key_spans: dict[str, Span] = field(default_factory=dict)
    """Where each key's text starts, for removing an entry (filled by the parser)."""

    def get(self, key: str) -> Node | None:
        for item in self.items:
            if isinstance(item, tuple) and item[0] == key:
                return item[1]
        return None


@dataclass(slots=True)
class Sequence:
    """A YAML list: nodes and comments, in file order."""

    items: list[Node | Comment] = field(default_factory=list)
    span: Span | None = None


Node: TypeAlias = Mapping | Sequence | Scalar
"""Any node; comments are items, never nodes."""


@dataclass(slots=True)
class Document:
    """One YAML document of a file (SOPS files usually have one)."""

    root: Node


_DEEP_LIMIT = 25_000
"""Python frames allowed while walking a tree: about 50 levels of YAML per 100 frames, so a
file nested thousands of levels deep (which sops reads) is walked, and a deeper one refused."""

_Result = TypeVar("_Result")


def allow_deep_nesting(function: Callable[..., _Result]) -> Callable[..., _Result]:
    """Run `function` with room for deeply nested trees; too deep becomes one clear error.

    Python 3.11 runs Python-to-Python calls without growing the C stack, so a higher recursion
    limit only costs memory for frames that are really used.
    """

    @functools.wraps(function)
    def wrapper(*args: object, **kwargs: object) -> _Result:
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, _DEEP_LIMIT))
        try:
            return function(*args, **kwargs)
        except RecursionError:
            from tuiops.gitops.sops.errors import SopsFormatError

            raise SopsFormatError("the file is nested too deeply to be read safely") from None
        finally:
            sys.setrecursionlimit(old)

    return wrapper
