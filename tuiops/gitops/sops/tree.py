"""The document model SOPS works on: maps, lists, typed scalars and comment items, in order.

It mirrors sops' own tree (stores/yaml): a comment is an item of the map or list that holds it,
placed in document order before the next key. Text spans let an edit replace exactly the bytes
of one value and leave every other byte of the file alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import sys
import threading
from collections.abc import Callable, Iterator
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


MAX_DEPTH = 10_000
"""Deepest nesting read (go-yaml v3, so sops, stops at 10,000 indentation levels too)."""


class _RecursionRoom:
    """Room on the interpreter's recursion limit while a deep tree is parsed or walked (each
    walk recurses once or twice per level). Python 3.11 runs Python-to-Python calls without
    growing the C stack, so the higher limit only costs the frames really used. Counted under
    a lock: the last user to leave restores the limit, so threads cannot undo each other."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved = 0

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            if self._users == 0:
                self._saved = sys.getrecursionlimit()
                sys.setrecursionlimit(self._saved + 3 * MAX_DEPTH)
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    sys.setrecursionlimit(self._saved)


RECURSION_ROOM = _RecursionRoom()
"""The one guard every deep parse or walk holds."""

_Result = TypeVar("_Result")


def allow_deep_nesting(function: Callable[..., _Result]) -> Callable[..., _Result]:
    """Run `function` inside `RECURSION_ROOM`; too deep anyway becomes one clear error."""

    @functools.wraps(function)
    def wrapper(*args: object, **kwargs: object) -> _Result:
        try:
            with RECURSION_ROOM.held():
                return function(*args, **kwargs)
        except RecursionError:
            from tuiops.gitops.sops.errors import SopsFormatError

            raise SopsFormatError(f"the file is nested deeper than {MAX_DEPTH} levels") from None

    return wrapper
