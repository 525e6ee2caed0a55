"""Flux post-build substitution syntax: finding `${VAR}` references the way Flux reads them.

Flux (fluxcd/pkg envsubst) replaces `${NAME}` and `${NAME:=default}` / `${NAME:-default}` /
`${NAME=default}` / `${NAME-default}`; defaults may nest (`${A:=${B}}`), so a `[^}]*` regex cuts
them short. `$${NAME}` is an escape that renders the literal `${NAME}`. Plain `$NAME` is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_NAME = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*")
_DEFAULT_OPERATORS = (":=", ":-", "=", "-")
_BLOCK_SCALAR_START = re.compile(r"(?:^|[:\-])\s*[|>][-+0-9]*\s*(?:#.*)?$")


@dataclass(frozen=True, slots=True)
class Reference:
    """One `${NAME...}` found in a line."""

    name: str
    column: int
    has_default: bool
    enclosing: str | None
    """Name of the reference whose default this one sits in; needed only if that is unset."""


def closing_brace(text: str, open_at: int) -> int:
    """Index of the `}` closing the `{` at `open_at`, honouring nested `${`; -1 if none."""
    depth = 0
    index = open_at
    while index < len(text):
        char = text[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def find_references(text: str, enclosing: str | None = None, offset: int = 0) -> list[Reference]:
    """Every substitutable reference in `text`, nested defaults included, escapes excluded."""
    found: list[Reference] = []
    index = 0
    while (start := text.find("${", index)) != -1:
        close = closing_brace(text, start + 1)
        if start > 0 and text[start - 1] == "$":
            index = close + 1 if close != -1 else start + 2  # `$${...}` is a literal
            continue
        name = _NAME.match(text, start + 2)
        if name is None or close == -1:
            index = start + 2
            continue
        rest = text[name.end() : close]
        operator = next((op for op in _DEFAULT_OPERATORS if rest.startswith(op)), None)
        if rest and operator is None and not rest.startswith((":", "^", ",", "#", "%", "/")):
            index = start + 2  # not a variable expression Flux knows (e.g. `${a.b}`)
            continue
        found.append(Reference(name.group(), offset + start, operator is not None, enclosing))
        if operator is not None:
            default_at = name.end() + len(operator)
            found.extend(find_references(text[default_at:close], name.group(), offset + default_at))
        index = close + 1
    return found


def references_by_line(text: str, first_line: int = 1) -> Iterator[tuple[int, Reference]]:
    """References outside YAML comments, with their 1-based line numbers.

    Comment lines inside block scalars (`key: |`) are content, not comments: Flux substitutes
    them, so they are scanned too.
    """
    block_indent: int | None = None
    for number, line in enumerate(text.splitlines(), start=first_line):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if block_indent is not None and stripped and indent <= block_indent:
            block_indent = None
        in_block = block_indent is not None
        if block_indent is None and _BLOCK_SCALAR_START.search(line):
            block_indent = indent
        if "${" not in line:
            continue
        content = line if in_block else _without_comment(line)
        for reference in find_references(content):
            yield number, reference


def _without_comment(line: str) -> str:
    """The line up to a YAML comment (`#` at the start or after a space, outside quotes)."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[:index]
    return line
