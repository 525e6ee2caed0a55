"""Write the tree model as sops 3.11 writes YAML: go-yaml v3's block emitter, byte for byte.

sops turns its tree into yaml.Node values (comments become head comments of the next key or
item, trailing ones a foot comment of the last) and lets go-yaml emit them. Where those
comments land depends on when the emitter consumes them, so this module keeps the emitter's
own bookkeeping: one pending slot each for head, foot and tail comments, the indentation stack,
and the column/whitespace flags that decide line breaks. The result is sops' canonical text:
`sops -d` of the encrypted file gives the same bytes back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from tuiops.gitops.sops.goyaml import (
    double_quoted,
    is_multiline,
    single_quoted,
    string_style,
    yaml_scalar_text,
)
from tuiops.gitops.sops.tree import Comment, Document, Mapping, Node, Scalar

_BREAKS = "\r\n\x85\u2028\u2029"
_SPLIT_BREAKS = re.compile(f"([{_BREAKS}])")
_SIMPLE_KEY_MAX = 128
"""go-yaml writes a key longer than this (in UTF-8 bytes) as an explicit `? key` entry."""

Parent = Literal["doc", "seq", "map", "key"]


@dataclass(slots=True)
class _Item:
    """A node as go-yaml's encoder sees it: sops' comments already turned into node comments."""

    scalar: Scalar | None = None
    pairs: list[tuple[_Item, _Item]] | None = None
    items: list[_Item] | None = None
    head: str = ""
    foot: str = ""
    tail: str = ""
    """A mapping's trailing comments (the last key's foot, sent with the mapping's end)."""


def _comment_block(texts: list[str]) -> str:
    return "#" + "\n#".join(texts) if texts else ""


def _join(first: str, second: str) -> str:
    return f"{first}\n{second}" if first and second else first or second


def _is_comment(item: object) -> bool:
    # sops 3.11 keeps an encrypted list comment as an `ENC[...]` item; a decrypted one is a
    # comment again.
    if isinstance(item, Comment):
        return True
    return (
        isinstance(item, Scalar)
        and item.kind == "comment"
        and not str(item.value).startswith("ENC[")
    )


def _comment_text(item: Comment | Scalar) -> str:
    return item.text if isinstance(item, Comment) else str(item.value)


def _encoded(node: Scalar) -> Scalar:
    """The scalar as sops' node holds it. sops builds each scalar node by emitting it alone and
    reading it back; go-yaml cannot read a literal block whose first line starts with a tab, so
    that node stays empty and is written as null."""
    value = node.value
    if node.kind in ("str", "comment") and isinstance(value, str) and value[:1] == "\t":
        return Scalar(None, "null") if string_style(value) == "literal" else node
    return node


def _prepare(node: Node) -> _Item:
    """Attach comment items to nodes the way sops' YAML store builds its yaml.Node tree."""
    if isinstance(node, Scalar):
        return _Item(scalar=_encoded(node))
    made = _Item()
    pending: list[str] = []
    if isinstance(node, Mapping):
        made.pairs = []
        for entry in node.items:
            if isinstance(entry, Comment):
                pending.append(entry.text)
                continue
            key = _Item(scalar=_encoded(Scalar(entry[0], "str")))
            if made.pairs:
                key.head = _comment_block(pending)
            else:  # comments before the first key belong to the mapping itself
                made.head = _comment_block(pending)
            pending = []
            made.pairs.append((key, _prepare(entry[1])))
        if pending and made.pairs:
            made.tail = _comment_block(pending)
        elif pending:
            made.head = _comment_block(pending)
        return made
    made.items = []
    for element in node.items:
        if _is_comment(element):
            pending.append(_comment_text(element))  # type: ignore[arg-type]
            continue
        child = _prepare(element)  # type: ignore[arg-type]
        if made.items:
            child.head = _join(_comment_block(pending), child.head)
        else:
            made.head = _comment_block(pending)
        pending = []
        made.items.append(child)
    if pending and made.items:
        made.items[-1].foot = _join(made.items[-1].foot, _comment_block(pending))
    elif pending:
        made.head = _comment_block(pending)
    return made


@dataclass
class _Emitter:
    """go-yaml's block emitter state, driven by a walk of the prepared tree."""

    best: int
    parts: list[str] = field(default_factory=list)
    column: int = 0
    whitespace: bool = True
    indention: bool = True
    indent: int = -1
    indents: list[int] = field(default_factory=list)
    foot_indent: int = -1
    head: str = ""
    foot: str = ""
    tail: str = ""

    # -- low-level writing ------------------------------------------------------------------

    def put(self, text: str) -> None:
        self.parts.append(text)
        self.column += len(text)

    def newline(self) -> None:
        self.parts.append("\n")
        self.column = 0
        self.indention = True

    def write_indent(self) -> None:
        indent = max(self.indent, 0)
        if (
            not self.indention
            or self.column > indent
            or (self.column == indent and not self.whitespace)
        ):
            self.newline()
        if self.foot_indent == indent:  # a blank line after a foot comment at this level
            self.newline()
        self.put(" " * (indent - self.column))
        self.whitespace = True
        self.foot_indent = -1

    def indicator(self, text: str, need_space: bool, is_space: bool, keeps_indention: bool) -> None:
        if need_space and not self.whitespace:
            self.put(" ")
        self.put(text)
        self.whitespace = is_space
        self.indention = self.indention and keeps_indention

    def write_broken(self, text: str) -> None:
        """Text that may hold line breaks: `\\n` starts a line; other breaks are copied raw."""
        for piece in _SPLIT_BREAKS.split(text):
            if piece == "\n":
                self.newline()
            elif piece and piece in _BREAKS:
                self.parts.append(piece)
                self.column, self.indention = 0, True
            else:
                self.put(piece)

    def comment(self, text: str) -> None:
        """Comment lines; the first starts where the caller put the cursor."""
        after_break = False
        for piece in _SPLIT_BREAKS.split(text):
            if piece and piece in _BREAKS:
                self.write_broken(piece)
                after_break = True
            elif piece:
                if after_break:
                    self.write_indent()
                self.put(piece if piece.startswith("#") else "# " + piece)
                self.indention = after_break = False
        if not after_break:
            self.newline()
        self.whitespace = True

    # -- comments and indentation ------------------------------------------------------------

    def take(self, head: str = "", foot: str = "", tail: str = "") -> None:
        """An event's comments fill the pending slots (an empty one leaves the slot as it is)."""
        self.head = head or self.head
        self.foot = foot or self.foot
        self.tail = tail or self.tail

    def write_head(self) -> None:
        if self.tail:
            self.write_indent()
            self.comment(self.tail)
            self.tail = ""
            self.foot_indent = max(self.indent, 0)
        if self.head:
            self.write_indent()
            self.comment(self.head)
            self.head = ""

    def write_foot(self) -> None:
        if self.foot:
            self.write_indent()
            self.comment(self.foot)
            self.foot = ""
            self.foot_indent = max(self.indent, 0)

    def push_indent(self, flow: bool, parent: Parent) -> None:
        self.indents.append(self.indent)
        if self.indent < 0:
            self.indent = self.best if flow else 0
        elif parent == "seq":  # content of a list item starts after "- "
            self.indent += 2
        else:  # everything else moves to the next multiple of the indent
            self.indent = self.best * ((self.indent + self.best) // self.best)

    def pop_indent(self) -> None:
        self.indent = self.indents.pop()

    # -- nodes -------------------------------------------------------------------------------

    def document(self, root: _Item, first: bool) -> None:
        if not first:
            self.write_indent()
            self.indicator("---", True, False, False)
            self.write_indent()
        self.take(root.head, root.foot if root.scalar else "")
        self.write_head()
        self.value(root, "doc")
        self.foot_indent = 0  # go-yaml separates a document's foot comment by a blank line
        self.write_foot()
        self.foot_indent = -1
        self.write_indent()

    def value(self, item: _Item, parent: Parent) -> None:
        """A node whose start event was just taken, then the parent's own comment steps."""
        if item.scalar is not None:
            self.scalar(item.scalar, parent)
        self.write_foot()
        if item.pairs:
            self.block_mapping(item, item.pairs, parent)
        elif item.items:
            self.block_sequence(item, item.items, parent)
        elif item.scalar is None:
            self.flow_empty(item, parent)

    def block_mapping(self, item: _Item, pairs: list[tuple[_Item, _Item]], parent: Parent) -> None:
        self.push_indent(False, parent)
        for key, value in pairs:
            self.take(key.head)
            self.write_head()
            self.write_indent()
            assert key.scalar is not None
            text = str(key.scalar.value)
            if not is_multiline(text) and len(text.encode()) <= _SIMPLE_KEY_MAX:
                self.scalar(key.scalar, "key")
                self.take(value.head, value.foot if value.scalar else "")
                self.indicator(":", False, False, False)
            else:  # go-yaml's explicit key form
                self.indicator("?", True, False, True)
                self.scalar(key.scalar, "map")
                self.take(value.head, value.foot if value.scalar else "")
                self.write_indent()
                self.indicator(":", True, False, True)
            self.value(value, "map")
        self.take(tail=item.tail, foot=item.foot)
        self.write_head()
        self.pop_indent()

    def block_sequence(self, item: _Item, items: list[_Item], parent: Parent) -> None:
        self.push_indent(False, parent)
        for child in items:
            self.take(child.head, child.foot if child.scalar else "")
            self.write_head()
            self.write_indent()
            self.indicator("-", True, False, True)
            self.value(child, "seq")
        self.take(foot=item.foot)
        self.pop_indent()

    def flow_empty(self, item: _Item, parent: Parent) -> None:
        is_map = item.pairs is not None
        self.indicator("{" if is_map else "[", True, True, False)
        self.push_indent(True, parent)
        self.take(tail=item.tail, foot=item.foot)
        if is_map:  # only a flow mapping's end writes pending head comments (inside the braces)
            self.write_head()
        self.pop_indent()
        if not is_map and self.column == 0:
            self.write_indent()
        self.indicator("}" if is_map else "]", False, False, False)
        self.write_foot()

    def scalar(self, node: Scalar, parent: Parent) -> None:
        self.push_indent(True, parent)
        value = node.value
        if node.kind not in ("str", "comment") or not isinstance(value, str):
            text = yaml_scalar_text(node.kind, value)
        elif value.startswith("ENC["):
            text = value
        else:
            style = string_style(value)
            if style == "literal":
                self.literal(value)
                self.pop_indent()
                return
            elif style == "single":
                text = single_quoted(value, max(self.indent, 0))
            else:
                text = value if style == "plain" else double_quoted(value)
        if text and not self.whitespace:
            self.put(" ")
        self.write_broken(text)
        self.whitespace = self.indention = False
        self.pop_indent()

    def literal(self, value: str) -> None:
        self.indicator("|", True, False, False)
        if value[0] in " " + _BREAKS:  # content starting with a space needs an indent hint
            self.indicator(str(self.best), False, False, False)
        if value[-1] not in _BREAKS:
            self.indicator("-", False, False, False)
        elif len(value) == 1 or value[-2] in _BREAKS:
            self.indicator("+", False, False, False)
        self.newline()
        self.whitespace = True
        after_break = True
        for piece in _SPLIT_BREAKS.split(value):
            if piece and piece in _BREAKS:
                self.write_broken(piece)
                after_break = True
            elif piece:
                if after_break:
                    self.write_indent()
                self.put(piece)
                self.indention = False
                after_break = False


def emit_yaml(documents: list[Document], indent: int = 4) -> str:
    """Write `documents` exactly as sops 3.11 (go-yaml v3) writes them.

    Block style; `indent` spaces per level (go-yaml uses 2 outside 2..9); lists indented under
    their key; `{}`/`[]` for empty collections; multi-line strings as literal blocks; strings
    quoted only where go-yaml quotes them (`ENC[...]` always plain); comment items as `#` lines
    before the next key or item; documents after the first introduced by `---`. The text ends
    with one newline unless the last value is a `|+` block, whose trailing newlines are kept.

    Args:
        documents: the documents, in order.
        indent: spaces per indentation level (sops' `stores.yaml.indent`, default 4).

    Returns:
        The YAML text.
    """
    emitter = _Emitter(best=indent if 2 <= indent <= 9 else 2)
    for number, document in enumerate(documents):
        emitter.document(_prepare(document.root), number == 0)
    return "".join(emitter.parts)
