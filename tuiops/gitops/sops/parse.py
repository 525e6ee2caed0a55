"""Parse YAML into the SOPS tree model, keeping text spans and comments.

Text in the subset sops and tuiops write is read by `fastyaml.py` (no PyYAML import: that costs
about 20 ms a process). Anything else goes through PyYAML's composer, imported only then: its
nodes carry character offsets, and a custom resolver marks unquoted scalars so they can be typed
as go-yaml v3 types them (sops' view, not YAML 1.1's: `yes` is a string, `1e21` a float). Both
paths give the same tree, item anchors and multi-line-scalar lines.

Neither reader keeps comments, so comment lines are read from the text and placed as items of
the map or list that holds them, before the item they precede at their indentation, which is
where sops' own YAML store puts them. Placing them sorts the items once and answers each comment
with binary searches, so a file of any size costs n log n.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import cache
from typing import TYPE_CHECKING, Any

from tuiops.gitops.sops.errors import SopsFormatError
from tuiops.gitops.sops.fastyaml import Anchor, Reading, read_fast
from tuiops.gitops.sops.goyaml import resolve_plain, resolve_tagged
from tuiops.gitops.sops.tree import (
    MAX_DEPTH,
    RECURSION_ROOM,
    Comment,
    Document,
    Mapping,
    Node,
    Scalar,
    ScalarKind,
    ScalarValue,
    Sequence,
    Span,
)

if TYPE_CHECKING:
    from yaml.nodes import Node as YamlNode

PLAIN_TAG = "!tuiops-plain"
_STR_TAG = "tag:yaml.org,2002:str"
_CommentLine = tuple[int, int, str, int]
"""(line, column, text after '#', offset) of a comment."""


@cache
def _composer_class() -> Any:
    """PyYAML's composer with the plain-marking resolver: libyaml's when PyYAML has it."""
    import yaml  # here, not at the top: only text outside the fast reader's subset needs it

    class _PlainResolver:
        """Tags unquoted scalars instead of resolving them by YAML 1.1 rules."""

        def resolve(self, kind: type, value: object, implicit: tuple[bool, bool]) -> str:
            if kind is yaml.ScalarNode:
                return PLAIN_TAG if implicit[0] else _STR_TAG
            if kind is yaml.SequenceNode:
                return "tag:yaml.org,2002:seq"
            return "tag:yaml.org,2002:map"

        def descend_resolver(self, current_node: object, current_index: object) -> None:
            """Path-based resolvers are not used."""

        def ascend_resolver(self) -> None:
            """Path-based resolvers are not used."""

    class _PyComposer(
        yaml.reader.Reader,
        yaml.scanner.Scanner,
        yaml.parser.Parser,
        yaml.composer.Composer,
        _PlainResolver,
    ):
        """Pure-Python fallback for machines whose PyYAML lacks libyaml."""

        def __init__(self, text: str) -> None:
            yaml.reader.Reader.__init__(self, text)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)

    c_parser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None)
    if c_parser is None:
        return _PyComposer

    class _CComposer(_PlainResolver, c_parser):  # type: ignore[misc]
        """libyaml composer: the fast path (marks carry character offsets too)."""

    return _CComposer


def _span(node: YamlNode) -> Span:
    return Span(node.start_mark.index, node.end_mark.index, node.start_mark.line + 1)


class _Builder:
    """Turns PyYAML nodes into the tree, noting anchors and multi-line-scalar lines."""

    def __init__(self) -> None:
        self.anchors: list[Anchor] = []
        self.scalar_lines: set[int] = set()
        """Lines inside multi-line scalars: a `#` there is content, not a comment."""

    def build(self, node: YamlNode, depth: int = 1) -> Node:
        if depth > MAX_DEPTH:
            line = node.start_mark.line + 1
            raise SopsFormatError(f"line {line}: nested deeper than {MAX_DEPTH} levels")
        kind = getattr(node, "id", "")
        if kind == "scalar":
            # A block scalar's end mark sits at column 0 of the line after its content.
            last_line = node.end_mark.line + (1 if node.end_mark.column > 0 else 0)
            if last_line > node.start_mark.line + 1:
                self.scalar_lines.update(range(node.start_mark.line + 2, last_line + 1))
            kind, value = self._typed(node)
            return Scalar(value, kind, _span(node), getattr(node, "style", None) or "")
        if kind == "sequence":
            sequence = Sequence(span=_span(node))
            for index, item in enumerate(node.value):
                # The dash sits two columns before the item's content in block style.
                column = max(item.start_mark.column - 2, 0)
                self.anchors.append(Anchor(item.start_mark.line + 1, column, sequence, index))
                sequence.items.append(self.build(item, depth + 1))
            return sequence
        if kind == "mapping":
            mapping = Mapping(span=_span(node))
            for index, (key, value) in enumerate(node.value):
                if getattr(key, "id", "") != "scalar":
                    raise SopsFormatError(
                        f"line {key.start_mark.line + 1}: complex keys are not supported"
                    )
                if index == 0:
                    mapping.indent = key.start_mark.column
                self.anchors.append(
                    Anchor(key.start_mark.line + 1, key.start_mark.column, mapping, index)
                )
                mapping.key_spans[key.value] = _span(key)
                mapping.items.append((key.value, self.build(value, depth + 1)))
            return mapping
        raise SopsFormatError("unexpected YAML node")

    @staticmethod
    def _typed(node: YamlNode) -> tuple[ScalarKind, ScalarValue]:
        if node.tag == PLAIN_TAG:
            return resolve_plain(node.value)
        if node.tag == _STR_TAG:
            return "str", node.value
        try:
            return resolve_tagged(node.tag, node.value)
        except ValueError as error:
            line = node.start_mark.line + 1
            raise SopsFormatError(f"line {line}: {node.tag} {node.value!r}: {error}") from None


def _parse_with_pyyaml(text: str) -> Reading:
    """Every document of `text` through PyYAML (the slow path, for any YAML).

    Raises:
        SopsFormatError: when `text` is not YAML, or nested too deeply (one line).
    """
    import yaml

    composer = _composer_class()(text)
    documents: list[Document] = []
    builder = _Builder()
    try:
        with RECURSION_ROOM.held():
            while composer.check_node():
                node = composer.get_node()
                if node is not None:
                    documents.append(Document(builder.build(node)))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        # A reader error (a control character) has no `problem` and a multi-line str: fold
        # it, so the message stays one line (issue 16).
        problem = " ".join(str(getattr(error, "problem", None) or error).split())
        raise SopsFormatError(f"{where}not valid YAML ({problem})") from None
    except RecursionError:
        raise SopsFormatError(f"nested deeper than {MAX_DEPTH} levels") from None
    finally:
        composer.dispose()
    return Reading(documents, builder.anchors, builder.scalar_lines)


def _comment_lines(text: str, skip: set[int]) -> list[_CommentLine]:
    """(line, column, text after '#', offset) of each comment, whole-line or after a value."""
    found = []
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if number not in skip and "#" in line:
            column = _comment_column(line)
            if column is not None:
                body = line[column + 1 :].rstrip("\r\n")
                found.append((number, column, body, offset + column))
        offset += len(line)
    return found


def _comment_column(line: str) -> int | None:
    """Column of a YAML comment's `#` (at line start or after a space, outside quotes)."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"" and (index == 0 or line[index - 1] in " :-[{,"):
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return index
    return None


def _first_at_or_left(
    lines: list[int], columns: list[int], comments: list[_CommentLine]
) -> list[int]:
    """For each comment, the index of the first anchor on a later line whose column is at most
    the comment's, or -1: one sweep from the end with a stack of the anchors not hidden by an
    earlier one at a smaller or equal column (their columns rise toward the top)."""
    found = [-1] * len(comments)
    stack_index: list[int] = []
    stack_column: list[int] = []
    next_anchor = len(lines)
    for number in range(len(comments) - 1, -1, -1):
        line, column = comments[number][0], comments[number][1]
        start = bisect_right(lines, line)
        while next_anchor > start:
            next_anchor -= 1
            anchor_column = columns[next_anchor]
            while stack_column and stack_column[-1] >= anchor_column:
                stack_column.pop()
                stack_index.pop()
            stack_column.append(anchor_column)
            stack_index.append(next_anchor)
        position = bisect_right(stack_column, column)
        if position:
            found[number] = stack_index[position - 1]
    return found


def _place_comments(root: Node, by_line: list[Anchor], comments: list[_CommentLine]) -> None:
    """Insert comment items where sops' store puts them: before the next item at the same
    column (or the item on the same line, for an inline comment), unless a less indented item
    comes first (then it is the foot of the block above), else after the last item at that
    column before it, else at the end of the top level. `by_line` is sorted by position."""
    lines = [anchor.line for anchor in by_line]
    columns = [anchor.column for anchor in by_line]
    at_column: dict[int, tuple[list[int], list[int]]] = {}
    for index, item in enumerate(by_line):
        same = at_column.setdefault(item.column, ([], []))
        same[0].append(item.line)
        same[1].append(index)
    following = _first_at_or_left(lines, columns, comments)
    inserts: dict[int, list[tuple[int, int, Comment]]] = {}
    containers: dict[int, Mapping | Sequence] = {}
    for number, (line, column, body, offset) in enumerate(comments):
        comment = Comment(body, Span(offset, offset + len(body) + 1, line))
        low = bisect_left(lines, line)
        inline = bisect_left(columns, column, low, bisect_right(lines, line, low)) - 1
        after = following[number]
        target: tuple[Mapping | Sequence, int] | None = None
        if inline >= low:  # an inline comment: before the last item starting left of it
            target = by_line[inline].container, by_line[inline].index
        elif after >= 0 and columns[after] == column:  # the head of the next item
            target = by_line[after].container, by_line[after].index
        elif column in at_column:  # the foot of the last item at its column
            same_lines, same_indexes = at_column[column]
            before = bisect_left(same_lines, line) - 1
            if before >= 0:
                anchor = by_line[same_indexes[before]]
                target = anchor.container, anchor.index + 1
        if target is None and isinstance(root, Mapping | Sequence):
            target = root, len(root.items)
        if target is None:
            continue
        container, position = target
        containers[id(container)] = container
        inserts.setdefault(id(container), []).append((position, line, comment))
    for key, pending in inserts.items():
        _insert_all(containers[key].items, pending)


def _insert_all(items: list[Any], pending: list[tuple[int, int, Comment]]) -> None:
    """Put each comment before the item at its position (in line order when several share
    one), rebuilding the list once instead of inserting one by one."""
    pending.sort(key=lambda entry: (entry[0], entry[1]))
    merged: list[Any] = []
    done = 0
    for position, _line, comment in pending:
        if position > done:
            merged.extend(items[done:position])
            done = position
        merged.append(comment)
    merged.extend(items[done:])
    items[:] = merged


def _place_per_document(
    documents: list[Document], anchors: list[Anchor], comments: list[_CommentLine]
) -> None:
    """Place each document's comments among its own items (a comment above a document's first
    line belongs to the one before; above the first document, to the first)."""
    by_line = sorted(anchors, key=lambda anchor: (anchor.line, anchor.column))  # stable
    anchor_lines = [anchor.line for anchor in by_line]
    comment_lines = [comment[0] for comment in comments]
    starts = [d.root.span.line if d.root.span else 1 for d in documents]
    for number, document in enumerate(documents):
        first = starts[number]
        last = starts[number + 1] if number + 1 < len(documents) else 10**9
        begin = 0 if number == 0 else bisect_left(comment_lines, first)
        mine = comments[begin : bisect_left(comment_lines, last)]
        low, high = bisect_left(anchor_lines, first), bisect_left(anchor_lines, last)
        _place_comments(document.root, by_line[low:high], mine)


def parse_yaml(text: str) -> list[Document]:
    """Parse every document of `text` into the tree model.

    Raises:
        SopsFormatError: when `text` is not YAML, or nested deeper than sops reads (one line,
            with the line number).
    """
    # (The cyclic GC is left alone: pausing it halves the time of a 50,000-key file, but it is
    # a process-wide switch, and the console parses in worker threads.)
    reading = read_fast(text)
    if reading is None:
        reading = _parse_with_pyyaml(text)
    if reading.documents:
        comments = _comment_lines(text, reading.scalar_lines)
        _place_per_document(reading.documents, reading.anchors, comments)
    return reading.documents
