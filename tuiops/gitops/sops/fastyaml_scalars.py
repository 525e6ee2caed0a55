"""Scalars for the fast YAML reader (`fastyaml.py`): one-line plain and quoted scalars, keys and
literal blocks, read the way libyaml reads them, or refused.

Every function here either returns exactly what PyYAML's libyaml parser would give (value and
character offsets) or raises `GiveUp`, and the caller falls back to PyYAML. The rules follow
libyaml's scanner (`scanner.c`) for the block context only; anything it would read differently
on another line, or report as an error, is refused rather than guessed.
"""

from __future__ import annotations

import re
from functools import cache

from tuiops.gitops.sops.goyaml import resolve_plain
from tuiops.gitops.sops.tree import Scalar, ScalarKind, ScalarValue, Span

_ASCII_SAFE = bytes([9, 10, *range(0x20, 0x7F)])
"""In ASCII text, the characters `unsafe` accepts: tab, `\\n` and the printable ones."""


@cache
def _unsafe_pattern() -> re.Pattern[str]:
    # Compiled on first use: a class of non-Latin-1 ranges costs 2 ms to compile, and most files
    # are ASCII.
    return re.compile(
        "[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|^\ufeff",
        re.MULTILINE,
    )


def unsafe(text: str) -> bool:
    """Whether `text` has a character the reader refuses anywhere: one libyaml rejects (control
    characters, surrogates), a line break other than `\\n` (CR, NEL and U+2028/9 move libyaml's
    line count), or a BOM at the start of a line (libyaml skips it there; elsewhere it is an
    ordinary character)."""
    if text.isascii():  # deleting the safe bytes leaves the others (7x faster than a regex)
        return bool(text.encode("ascii").translate(None, _ASCII_SAFE))
    return _unsafe_pattern().search(text) is not None


MAX_KEY_CHARS = 1000
"""libyaml forgets a simple key after 1024 characters (`could not find expected ':'`)."""

_DOUBLE = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
_SIMPLE_ESCAPES = dict(
    zip('0abtnvfre"\\N_LP', '\0\a\b\t\n\v\f\r\x1b"\\\x85\xa0\u2028\u2029', strict=True)
)
_HEADER = re.compile(r"\|(?:([1-9])([+-])?|([+-])([1-9])?)?(?: +#.*| *)$")
"""A literal block header: indicators, then nothing or a comment after a space."""
_NOT_PLAIN = frozenset(",[]{}#&*!|>'\"%@`\t")
"""Characters that cannot start a plain scalar (libyaml: flow, anchor, tag, block indicators)."""


class GiveUp(Exception):
    """The text is outside the subset the fast reader is sure about; use PyYAML instead."""


class Key:
    """A map key on a line: its text, where it starts and ends, and where its value may start.

    (Plain classes, not dataclasses, here and in `fastyaml.py`: each dataclass costs 0.25 ms to
    define, and this module is imported by every command that reads a SOPS file.)
    """

    __slots__ = ("after", "end", "start", "text")

    def __init__(self, text: str, start: int, end: int, after: int) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.after = after
        """Column just after the `:` (a space or the end of the line follows it)."""


class Block:
    """A literal block scalar: its value, its end mark (offset, 0-based line, column) and the
    index of the first line after it."""

    __slots__ = ("end", "end_column", "end_line", "next_line", "value")

    def __init__(self, value: str, end: int, end_line: int, end_column: int, next_line: int):
        self.value = value
        self.end = end
        self.end_line = end_line
        self.end_column = end_column
        self.next_line = next_line


@cache
def _escape_pattern() -> re.Pattern[str]:
    # Compiled on first use: sops writes `\\` escapes only in rare values.
    return re.compile(
        r'\\(?:([0abtnvfre"\\N_LP])|x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))'
    )


def _unescape(match: re.Match[str]) -> str:
    simple, hex2, hex4, hex8, other = match.groups()
    if simple is not None:
        return _SIMPLE_ESCAPES[simple]
    if other is not None:
        raise GiveUp(f"escape \\{other}")  # one go-yaml never writes (or libyaml refuses)
    code = int(hex2 or hex4 or hex8, 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        raise GiveUp("invalid escaped code point")  # libyaml refuses the file
    return chr(code)


def quoted(line: str, start: int) -> tuple[str, int]:
    """The value and end column of the quoted scalar at `line[start]` (`"` or `'`).

    Raises:
        GiveUp: when it does not close on this line (libyaml would fold the next lines in).
    """
    if line[start] == '"':
        match = _DOUBLE.match(line, start)
        if match is None:
            raise GiveUp("double-quoted scalar over several lines")
        body = match[1]
        return (_escape_pattern().sub(_unescape, body) if "\\" in body else body), match.end()
    match = _SINGLE.match(line, start)
    if match is None:
        raise GiveUp("single-quoted scalar over several lines")
    return match[1].replace("''", "'"), match.end()


def _plain_start(line: str, start: int) -> bool:
    """Whether a plain scalar may start at `line[start]` (libyaml's `fetch_next_token` order)."""
    char = line[start]
    if char in _NOT_PLAIN:
        return False
    if char in "-?:":
        return line[start + 1 : start + 2] not in ("", " ", "\t")
    return True


def _value_colon(line: str, start: int) -> int:
    """Column of the first `:` at or after `start` that is a value indicator (`: ` or a final
    `:`), or -1."""
    colon = line.find(": ", start)
    if colon == -1 and line.endswith(":") and len(line) > start:
        colon = len(line) - 1
    tab = line.find(":\t", start)
    if tab != -1 and (colon == -1 or tab < colon):
        raise GiveUp("tab after ':'")
    return colon


def key_at(line: str, start: int) -> Key | None:
    """The map key starting at `line[start]`, or None when a scalar (not a key) starts there.

    Raises:
        GiveUp: for anything that is neither a one-line key nor a scalar this reader handles.
    """
    char = line[start]
    if char in "\"'":
        text, end = quoted(line, start)
        if line[end : end + 1] != ":":
            return None
        after = end + 1
        if line[after : after + 1] not in ("", " "):
            raise GiveUp("quoted key without a space after ':'")
        if end - start > MAX_KEY_CHARS:
            raise GiveUp("very long key")
        return Key(text, start, end, after)
    if not _plain_start(line, start):
        raise GiveUp(f"{char!r} cannot start a plain scalar here")
    colon = _value_colon(line, start)
    if colon == -1:
        return None
    comment = line.find(" #", start, colon)
    if comment != -1:
        return None  # the plain scalar ends at the comment; the colon is in the comment
    text = line[start:colon]
    if text[-1] == " " or "\t" in text:
        raise GiveUp("blank before ':' or a tab in a key")
    if colon - start > MAX_KEY_CHARS:
        raise GiveUp("very long key")
    return Key(text, start, colon, colon + 1)


def check_rest(line: str, end: int) -> None:
    """After a value: only spaces, or spaces then a comment."""
    rest = line[end:]
    if rest:
        body = rest.lstrip(" ")
        if body and (body[0] != "#" or len(body) == len(rest)):
            raise GiveUp("text after a value")


def scalar_at(line: str, start: int, offset: int, number: int) -> Scalar:
    """The one-line scalar (plain, quoted, `{}` or `[]` aside) at `line[start]`, with its span;
    `offset` is where the line starts in the text and `number` its 1-based line number.

    Raises:
        GiveUp: for anything else, or a value that libyaml would continue on the next line.
    """
    char = line[start]
    if char in "\"'":
        text, end = quoted(line, start)
        check_rest(line, end)
        return Scalar(text, "str", Span(offset + start, offset + end, number), char)
    if not _plain_start(line, start):
        raise GiveUp(f"{char!r} cannot start a plain scalar here")
    comment = line.find(" #", start)
    text = line[start : len(line) if comment == -1 else comment].rstrip(" ")
    if ": " in text or text[-1] == ":" or "\t" in text:
        raise GiveUp("': ' or a tab inside a plain value")
    kind, value = typed_plain(text)
    return Scalar(value, kind, Span(offset + start, offset + start + len(text), number))


def typed_plain(text: str) -> tuple[ScalarKind, ScalarValue]:
    """`resolve_plain`, with a shortcut for sops' tokens: text starting `ENC[` is a string."""
    return ("str", text) if text.startswith("ENC[") else resolve_plain(text)


def literal_block(
    lines: list[str], offsets: list[int], index: int, start: int, parent_indent: int
) -> Block:
    """Read the `|` block scalar whose header is at `lines[index][start:]`.

    `parent_indent` is the column of the block collection holding it (libyaml's
    `parser->indent`): an indentation indicator counts from there.

    Raises:
        GiveUp: for a header this reader does not know, or indentation libyaml would refuse.
    """
    header = _HEADER.match(lines[index], start)
    if header is None:
        raise GiveUp("block scalar header")
    digit = header[1] or header[4]
    chomp = header[2] or header[3] or ""
    last = len(lines) - 1
    number = index + 1
    if number > last:  # the text ends on the header line
        end, end_line, end_column = offsets[index] + len(lines[index]), index, len(lines[index])
    else:
        end, end_line, end_column = offsets[number], number, 0
    if digit:
        indent = parent_indent + int(digit)
    else:
        first = lines[number] if number <= last else ""
        spaces = len(first) - len(first.lstrip(" "))
        if spaces == len(first) or first[spaces] == "\t":
            # Leading empty lines change how libyaml detects the indentation, and a tab after
            # the first line's spaces is an error there: neither is written by go-yaml.
            raise GiveUp("block scalar without a plain first content line")
        indent = max(spaces, parent_indent + 1, 1)
    parts: list[str] = []
    leading = ""
    trailing = 0
    while number <= last:
        line = lines[number]
        spaces = len(line) - len(line.lstrip(" "))
        eaten = min(spaces, indent)
        if eaten == len(line):  # an empty line (at most `indent` spaces)
            if number == last:
                break  # the end of the text, not a line break
            trailing += 1
            number += 1
            end, end_line, end_column = offsets[number], number, 0
            continue
        if eaten < indent:
            if line[eaten] == "\t":
                raise GiveUp("tab in a block scalar's indentation")
            break  # a less indented line ends the scalar
        parts.append(leading + "\n" * trailing + line[indent:])
        trailing = 0
        if number == last:
            leading = ""
            end, end_line, end_column = offsets[number] + len(line), number, len(line)
            number += 1
            break
        leading = "\n"
        number += 1
        end, end_line, end_column = offsets[number], number, 0
    value = "".join(parts)
    if chomp != "-":
        value += leading
    if chomp == "+":
        value += "\n" * trailing
    return Block(value, end, end_line, end_column, number)
