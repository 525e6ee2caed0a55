"""Parse YAML into the SOPS tree model, keeping text spans and comments.

PyYAML's composer gives nodes with character offsets; a custom resolver marks unquoted scalars
so they can be typed as go-yaml v3 types them (sops' view, not YAML 1.1's: `yes` is a string,
`1e21` a float). PyYAML drops comments, so comment lines are read from the text and placed as
items of the map or list that holds them, before the item they precede at their indentation,
which is where sops' own YAML store puts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.nodes import Node as YamlNode

from tuiops.gitops.sops.errors import SopsFormatError
from tuiops.gitops.sops.goyaml import resolve_plain, resolve_tagged
from tuiops.gitops.sops.tree import Comment, Document, Mapping, Node, Scalar, Sequence, Span

PLAIN_TAG = "!tuiops-plain"
_STR_TAG = "tag:yaml.org,2002:str"


class _PlainResolver:
    """Tags unquoted scalars instead of resolving them by YAML 1.1 rules."""

    def resolve(self, kind: type, value: object, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return PLAIN_TAG if implicit[0] else _STR_TAG
        if kind is SequenceNode:
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


_CParser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None)
_Composer: Any = _PyComposer
if _CParser is not None:

    class _CComposer(_PlainResolver, _CParser):  # type: ignore[misc]
        """libyaml composer: the fast path (marks carry character offsets too)."""

    _Composer = _CComposer


@dataclass(slots=True)
class _Anchor:
    """Where an item of a collection starts, for placing comments."""

    line: int
    column: int
    container: Mapping | Sequence
    index: int


def _span(node: YamlNode) -> Span:
    return Span(node.start_mark.index, node.end_mark.index, node.start_mark.line + 1)


def _style(node: ScalarNode) -> str:
    return node.style or ""


class _Builder:
    def __init__(self) -> None:
        self.anchors: list[_Anchor] = []
        self.scalar_lines: set[int] = set()
        """Lines inside multi-line scalars: a `#` there is content, not a comment."""

    def build(self, node: YamlNode) -> Node:
        if isinstance(node, ScalarNode):
            # A block scalar's end mark sits at column 0 of the line after its content.
            last_line = node.end_mark.line + (1 if node.end_mark.column > 0 else 0)
            if last_line > node.start_mark.line + 1:
                self.scalar_lines.update(range(node.start_mark.line + 2, last_line + 1))
            if node.tag == PLAIN_TAG:
                kind, value = resolve_plain(node.value)
            elif node.tag == _STR_TAG:
                kind, value = "str", node.value
            else:
                try:
                    kind, value = resolve_tagged(node.tag, node.value)
                except ValueError as error:
                    line = node.start_mark.line + 1
                    raise SopsFormatError(
                        f"line {line}: {node.tag} {node.value!r}: {error}"
                    ) from None
            return Scalar(value, kind, _span(node), _style(node))
        if isinstance(node, SequenceNode):
            sequence = Sequence(span=_span(node))
            for index, item in enumerate(node.value):
                # The dash sits two columns before the item's content in block style.
                column = max(item.start_mark.column - 2, 0)
                self.anchors.append(_Anchor(item.start_mark.line + 1, column, sequence, index))
                sequence.items.append(self.build(item))
            return sequence
        if isinstance(node, MappingNode):
            mapping = Mapping(span=_span(node))
            for index, (key, value) in enumerate(node.value):
                if not isinstance(key, ScalarNode):
                    raise SopsFormatError(
                        f"line {key.start_mark.line + 1}: complex keys are not supported"
                    )
                if index == 0:
                    mapping.indent = key.start_mark.column
                self.anchors.append(
                    _Anchor(key.start_mark.line + 1, key.start_mark.column, mapping, index)
                )
                mapping.key_spans[key.value] = _span(key)
                mapping.items.append((key.value, self.build(value)))
            return mapping
        raise SopsFormatError("unexpected YAML node")


def _comment_lines(text: str, skip: set[int]) -> list[tuple[int, int, str, int]]:
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


def _following(by_line: list[_Anchor], line: int, column: int) -> list[_Anchor]:
    """The next item at the comment's column, unless a less indented item comes first: then
    the comment is the tail of the block above (a foot comment), not the head of a later one."""
    for anchor in by_line:
        if anchor.line <= line:
            continue
        if anchor.column < column:
            return []
        if anchor.column == column:
            return [anchor]
    return []


def _place_comments(
    root: Node, anchors: list[_Anchor], comments: list[tuple[int, int, str, int]]
) -> None:
    """Insert comment items where sops' store puts them: before the next item at the same
    column (or the item on the same line, for an inline comment), else after the last item
    at that column before it, else at the top level."""
    inserts: dict[int, list[tuple[int, int, Comment]]] = {}
    containers: dict[int, Mapping | Sequence] = {}
    by_line = sorted(anchors, key=lambda a: (a.line, a.column))
    for line, column, body, offset in comments:
        comment = Comment(body, Span(offset, offset + len(body) + 1, line))
        same_line = [a for a in by_line if a.line == line and a.column < column]
        following = _following(by_line, line, column)
        preceding = [a for a in by_line if a.line < line and a.column == column]
        if same_line:
            anchor, position = same_line[-1], same_line[-1].index
        elif following:
            anchor, position = following[0], following[0].index
        elif preceding:
            anchor, position = preceding[-1], preceding[-1].index + 1
        elif isinstance(root, Mapping | Sequence):
            containers[id(root)] = root
            inserts.setdefault(id(root), []).append((len(root.items), line, comment))
            continue
        else:
            continue
        containers[id(anchor.container)] = anchor.container
        inserts.setdefault(id(anchor.container), []).append((position, line, comment))
    for key, pending in inserts.items():
        container = containers[key]
        for position, _line, comment in sorted(pending, key=lambda p: (p[0], p[1]), reverse=True):
            container.items.insert(position, comment)


def parse_yaml(text: str) -> list[Document]:
    """Parse every document of `text` into the tree model.

    Raises:
        SopsFormatError: when `text` is not YAML (one line, with the line number).
    """
    composer = _Composer(text)
    documents: list[Document] = []
    builder = _Builder()
    try:
        while composer.check_node():
            node = composer.get_node()
            if node is not None:
                documents.append(Document(builder.build(node)))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise SopsFormatError(
            f"{where}not valid YAML ({getattr(error, 'problem', error)})"
        ) from None
    finally:
        composer.dispose()
    if documents:
        comments = _comment_lines(text, builder.scalar_lines)
        _place_per_document(documents, builder.anchors, comments)
    return documents


def _place_per_document(
    documents: list[Document], anchors: list[_Anchor], comments: list[tuple[int, int, str, int]]
) -> None:
    starts = [d.root.span.line if d.root.span else 1 for d in documents]
    for number, document in enumerate(documents):
        first = starts[number]
        last = starts[number + 1] if number + 1 < len(documents) else 10**9
        mine = [c for c in comments if (number == 0 or c[0] >= first) and c[0] < last]
        _place_comments(document.root, [a for a in anchors if first <= a.line < last], mine)
