"""A fast, conservative reader for the YAML that sops and tuiops write, without PyYAML.

sops 3.11 (go-yaml v3's emitter) and `emit.py` write a small block-style subset of YAML: maps and
lists in block style (`- key: v` compact maps and `- - x` compact lists in items), one-line
plain and quoted scalars, `|` literal blocks, `{}` and `[]`, comments and `---` between
documents. This module reads that subset line by line, with an explicit stack (no recursion, so
deep nesting costs nothing), into the same tree `parse.py` builds from PyYAML's nodes: the same
values and kinds, styles, character spans, map indents, and the same item anchors and
multi-line-scalar lines that `parse.py` places comments with.

It is a shortcut, never a second opinion: for anything outside the subset, or anything libyaml
might read differently (anchors, aliases, tags, folded and multi-line scalars, non-empty flow
collections, explicit keys, directives, tabs in indentation, duplicate keys, odd characters),
`read_fast` returns None and the caller parses the text with PyYAML instead. A wrong tree would
break the MAC, so when in doubt it gives up.
"""

from __future__ import annotations

import re
from itertools import accumulate

from tuiops.gitops.sops.errors import SopsFormatError
from tuiops.gitops.sops.fastyaml_scalars import (
    MAX_KEY_CHARS,
    GiveUp,
    Key,
    check_rest,
    key_at,
    literal_block,
    scalar_at,
    typed_plain,
    unsafe,
)
from tuiops.gitops.sops.goyaml import resolve_plain
from tuiops.gitops.sops.tree import MAX_DEPTH, Document, Mapping, Node, Scalar, Sequence, Span

_SIMPLE_PAIR = re.compile(
    r"( *)([A-Za-z0-9_][A-Za-z0-9_./-]*): ([^\s\-?:,\[\]{}#&*!|>'\"%@`][^\t]*)"
)
"""The common line, `key: value` with a plain key and a plain value, read without the general
path (the value is checked further in `_simple_pair`)."""


class Anchor:
    """Where an item of a collection starts, for placing comments: a map key's line and column,
    or for a list item its node's start line and column minus two (the dash, in block style)."""

    __slots__ = ("column", "container", "index", "line")

    def __init__(self, line: int, column: int, container: Mapping | Sequence, index: int):
        self.line = line
        self.column = column
        self.container = container
        self.index = index


class Reading:
    """What a parse gives `parse.py`: the documents, the anchors of every item in document order,
    and the 1-based lines inside multi-line scalars (a `#` there is content, not a comment)."""

    __slots__ = ("anchors", "documents", "scalar_lines")

    def __init__(self, documents: list[Document], anchors: list[Anchor], scalar_lines: set[int]):
        self.documents = documents
        self.anchors = anchors
        self.scalar_lines = scalar_lines


class _Open:
    """A block collection still open: its column and node (its span's end is not known yet)."""

    __slots__ = ("column", "node", "span")

    def __init__(self, column: int, node: Mapping | Sequence, span: Span) -> None:
        self.column = column
        self.node = node
        self.span = span


class _Pending:
    """A `key:` or `-` that ended its line: its value is a collection on the next lines, or null.

    `column` is the holding collection's; `mark` the offset just after the `:` or `-` (where
    libyaml puts an empty value); `anchor` a list item's, completed once its start is known.
    """

    __slots__ = ("anchor", "column", "container", "key", "line", "mark", "mark_column")

    def __init__(
        self,
        column: int,
        container: Mapping | Sequence,
        key: str,
        mark: int,
        mark_column: int,
        line: int,
        anchor: Anchor | None,
    ) -> None:
        self.column = column
        self.container = container
        self.key = key
        self.mark = mark
        self.mark_column = mark_column
        self.line = line
        self.anchor = anchor


def read_fast(text: str) -> Reading | None:
    """Read `text` if it is in the subset sops writes; None when PyYAML must read it.

    Raises:
        SopsFormatError: when the nesting is deeper than `MAX_DEPTH` (one line).
    """
    if unsafe(text):
        return None
    try:
        return _Reader(text).read()
    except GiveUp:
        return None


def _attach(pending: _Pending, node: Node) -> None:
    """Make `node` the value the pending key or list entry was waiting for."""
    container = pending.container
    if isinstance(container, Mapping):
        container.items.append((pending.key, node))
    else:
        container.items.append(node)


def _is_dash(line: str, column: int) -> bool:
    """Whether a block list entry (`-` then a space or the end of the line) is at `column`."""
    if line[column] != "-":
        return False
    after = line[column + 1 : column + 2]
    if after == "\t":
        raise GiveUp("tab after '-'")
    return after in ("", " ")


class _Reader:
    """One pass over the lines of a text, with the stack of open block collections."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.offsets = list(accumulate((len(line) + 1 for line in self.lines), initial=0))
        self.documents: list[Document] = []
        self.anchors: list[Anchor] = []
        self.scalar_lines: set[int] = set()
        self.stack: list[_Open] = []
        self.pending: _Pending | None = None
        self.root: Node | None = None
        self.explicit = False
        """The current document was opened by `---` (so it must not stay empty)."""

    def read(self) -> Reading:
        lines = self.lines
        simple = _SIMPLE_PAIR.fullmatch
        index, count = 0, len(lines)
        while index < count:
            line = lines[index]
            if not line or line[0] == "#":
                index += 1
                continue
            match = simple(line)
            if match is not None and self._simple_pair(match, index):
                index += 1
                continue
            column = 0
            if line[0] == " ":
                column = len(line) - len(line.lstrip(" "))
                if column == len(line):
                    index += 1
                    continue
            char = line[column]
            if char == "#":
                index += 1
                continue
            if char == "\t":
                raise GiveUp("tab in indentation")
            if column == 0 and line.startswith(("---", "...", "%")):
                if line != "---":
                    raise GiveUp("document marker with content, document end or directive")
                self._end_document(self.offsets[index])
                self.explicit = True
                index += 1
                continue
            index = self._content(line, column, index)
        self._end_document(len(self.text))
        return Reading(self.documents, self.anchors, self.scalar_lines)

    def _simple_pair(self, match: re.Match[str], index: int) -> bool:
        """Add a `key: value` line of plain scalars to the open map at its column, as the general
        path would; False (having done only what the general path does first) if it is not
        that simple."""
        indent, key, text = match.groups()
        if text[-1] in " :" or ": " in text or " #" in text:
            return False
        column = len(indent)
        pending = self.pending
        if pending is not None:
            if column > pending.column:
                return False
            self._settle_pending()
        offset = self.offsets[index]
        stack = self.stack
        while len(stack) > 1 and stack[-1].column > column:
            stack.pop().span.end = offset + column
        if not stack:
            return False
        top = stack[-1]
        mapping = top.node
        if top.column != column or not isinstance(mapping, Mapping):
            return False
        spans = mapping.key_spans
        if key in spans or len(key) > MAX_KEY_CHARS:
            return False
        number = index + 1
        self.anchors.append(Anchor(number, column, mapping, len(spans)))
        start = offset + column
        spans[key] = Span(start, start + len(key), number)
        kind, value = typed_plain(text)
        start = offset + match.start(3)
        mapping.items.append((key, Scalar(value, kind, Span(start, start + len(text), number))))
        return True

    # -- structure ---------------------------------------------------------------------------

    def _end_document(self, offset: int) -> None:
        """Close every open collection at `offset` (a `---` or the end of the text)."""
        if self.root is None:
            if self.explicit:
                raise GiveUp("empty document")
            return
        self._settle_pending()
        for entry in self.stack:
            entry.span.end = offset
        self.stack.clear()
        self.documents.append(Document(self.root))
        self.root = None
        self.explicit = False

    def _settle_pending(self) -> None:
        """A `key:` or `-` with nothing under it holds an empty plain scalar: null."""
        pending = self.pending
        if pending is None:
            return
        self.pending = None
        kind, value = resolve_plain("")
        if pending.anchor is not None:
            pending.anchor.column = max(pending.mark_column - 2, 0)
        _attach(pending, Scalar(value, kind, Span(pending.mark, pending.mark, pending.line)))

    def _content(self, line: str, column: int, index: int) -> int:
        """Read a line whose first token is at `column`; returns the next line's index."""
        number = index + 1
        offset = self.offsets[index]
        pending = self.pending
        opening = pending is not None and column > pending.column
        if not opening:
            self._settle_pending()
            stack = self.stack
            while len(stack) > 1 and stack[-1].column > column:
                stack.pop().span.end = offset + column  # libyaml's BLOCK-END: the next token
            if stack and stack[-1].column != column:
                raise GiveUp("indentation that continues a scalar or opens nothing")
        dash = _is_dash(line, column)
        key: Key | None = None
        if opening or self.root is None:
            key = None if dash else key_at(line, column)
            if not dash and key is None:
                raise GiveUp("a scalar where a collection starts")
            node: Mapping | Sequence = Sequence() if dash else Mapping(indent=column)
            self._open(node, column, offset, number)
            if pending is not None:
                self.pending = None
                if pending.anchor is not None:
                    pending.anchor.line = number
                    pending.anchor.column = max(column - 2, 0)
                _attach(pending, node)
            else:
                self.root = node
        elif dash != isinstance(self.stack[-1].node, Sequence):
            raise GiveUp("list entry in a map or key in a list")
        return self._entries(line, column, index, key)

    def _open(self, node: Mapping | Sequence, column: int, offset: int, number: int) -> None:
        """Push a block collection that starts at `column` of the line at `offset`."""
        if len(self.stack) >= MAX_DEPTH:
            raise SopsFormatError(f"line {number}: nested deeper than {MAX_DEPTH} levels")
        span = Span(offset + column, -1, number)
        node.span = span
        self.stack.append(_Open(column, node, span))

    def _entries(self, line: str, column: int, index: int, key: Key | None) -> int:
        """The entries of one line, from `column` on: dashes, then a key, then a value."""
        number = index + 1
        offset = self.offsets[index]
        while True:
            container = self.stack[-1].node
            if isinstance(container, Mapping):
                return self._pair(line, column, index, container, key)
            anchor = Anchor(number, 0, container, len(container.items))
            self.anchors.append(anchor)
            start = len(line) - len(line[column + 1 :].lstrip(" "))
            if start == len(line) or line[start] == "#":
                mark = column + 1
                self.pending = _Pending(column, container, "", offset + mark, mark, number, anchor)
                return index + 1
            anchor.column = max(start - 2, 0)  # the item's own start, as for any list item
            node: Node
            if _is_dash(line, start):
                node = Sequence()
            elif line[start] not in "|{[" and (key := key_at(line, start)) is not None:
                node = Mapping(indent=start)
            else:
                node, following = self._value(line, start, index)
                container.items.append(node)
                return following
            self._open(node, start, offset, number)
            container.items.append(node)
            column = start

    def _pair(self, line: str, column: int, index: int, mapping: Mapping, key: Key | None) -> int:
        """A `key: value` entry at `column` of `mapping` (the key may be read already)."""
        number = index + 1
        offset = self.offsets[index]
        if key is None:
            key = key_at(line, column)
            if key is None:
                raise GiveUp("a scalar where a key is expected")
        if key.text in mapping.key_spans:
            raise GiveUp("duplicate key")  # PyYAML would keep both; go-yaml refuses the file
        self.anchors.append(Anchor(number, column, mapping, len(mapping.key_spans)))
        mapping.key_spans[key.text] = Span(offset + key.start, offset + key.end, number)
        start = len(line) - len(line[key.after :].lstrip(" "))
        if start == len(line) or line[start] == "#":
            mark = key.after
            self.pending = _Pending(column, mapping, key.text, offset + mark, mark, number, None)
            return index + 1
        node, following = self._value(line, start, index)
        mapping.items.append((key.text, node))
        return following

    def _value(self, line: str, start: int, index: int) -> tuple[Node, int]:
        """A value that is not a block collection (a scalar, `|` block, `{}` or `[]`), and the
        index of the line after it."""
        number = index + 1
        offset = self.offsets[index]
        char = line[start]
        if char == "|":
            block = literal_block(self.lines, self.offsets, index, start, self.stack[-1].column)
            last = block.end_line + (1 if block.end_column > 0 else 0)
            if last > index + 1:
                self.scalar_lines.update(range(index + 2, last + 1))
            span = Span(offset + start, block.end, number)
            return Scalar(block.value, "str", span, "|"), block.next_line
        if char in "{[":
            if line[start + 1 : start + 2] != ("}" if char == "{" else "]"):
                raise GiveUp("flow collection with content")
            check_rest(line, start + 2)
            span = Span(offset + start, offset + start + 2, number)
            return (Mapping(span=span) if char == "{" else Sequence(span=span)), index + 1
        return scalar_at(line, start, offset, number), index + 1
