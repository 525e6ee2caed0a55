"""Key paths as `tuiops env` takes them: `PLEX_IP`, `stringData.password`, `hosts[0].ip`,
`"key.with.dots"`, `labels."app.kubernetes.io/name"`.

Segments are separated by dots. A bare segment is any text without `.`, `[`, `]`, `"` or control
characters; any other key is written in double quotes with JSON escapes (`"a\\"b"`,
`"tab\\there"`). `[N]` after a segment picks the N-th item of a list. A path the syntax cannot
express is refused with one line saying how to write it: never truncated, never guessed.
"""

from __future__ import annotations

import json

from tuiops.errors import UsageError

Address = tuple[str | int, ...]
"""Where a value is: map keys and list indices from the top of a document."""

_SPECIAL = frozenset('.[]"')


def _is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code < 0xA0 or char in "\u2028\u2029"


def _bad(path: str, why: str) -> UsageError:
    shown = json.dumps(path)
    return UsageError(f"cannot read key path {shown}: {why}")


def parse_key_path(path: str) -> Address:
    """`a.b[2]."c.d"` → ("a", "b", 2, "c.d").

    Raises:
        UsageError: an empty path or segment, an unclosed quote, `[x]` that is not a number,
            or a bare segment holding a control character.
    """
    if not path:
        raise _bad(path, "it is empty")
    address: list[str | int] = []
    position, length = 0, len(path)
    while True:
        if position < length and path[position] == '"':
            key, position = _quoted(path, position)
        else:
            start = position
            while position < length and path[position] not in _SPECIAL:
                if _is_control(path[position]):
                    raise _bad(path, 'control characters must be written quoted ("a\\tb")')
                position += 1
            key = path[start:position]
            if not key:
                raise _bad(path, _empty_reason(path, position))
        address.append(key)
        while position < length and path[position] == "[":
            close = path.find("]", position)
            index = path[position + 1 : close] if close != -1 else ""
            if not (index.isascii() and index.isdigit()):
                raise _bad(
                    path,
                    f"[{index}] is not a list position; quote a key that holds brackets "
                    '("foo[bar]")',
                )
            address.append(int(index))
            position = close + 1
        if position == length:
            return tuple(address)
        if path[position] != ".":
            raise _bad(path, f"unexpected {path[position]!r} at position {position + 1}")
        position += 1
        if position == length:
            raise _bad(path, "it ends with a dot")


def _empty_reason(path: str, position: int) -> str:
    if position < len(path) and path[position] == "[":
        return "a list position needs the key of its list before it (list[0])"
    if position < len(path) and path[position] == "]":
        return f"unmatched ']' at position {position + 1}"
    return "it has an empty key (two dots, or a dot at the start)"


def _quoted(path: str, start: int) -> tuple[str, int]:
    """The JSON string starting at `start`, and the position after it."""
    position = start + 1
    while position < len(path):
        if path[position] == "\\":
            position += 2
            continue
        if path[position] == '"':
            try:
                key = json.loads(path[start : position + 1])
            except json.JSONDecodeError as error:
                raise _bad(path, f"bad escape in a quoted key ({error.msg})") from None
            if not isinstance(key, str) or not key:
                raise _bad(path, "a quoted key is empty")
            return key, position + 1
        position += 1
    raise _bad(path, "a quote is not closed")


def format_key_path(address: Address) -> str:
    """The inverse of `parse_key_path`: the text that names `address`."""
    parts: list[str] = []
    for step in address:
        if isinstance(step, int):
            parts.append(f"[{step}]")
            continue
        bare = step and not any(c in _SPECIAL or _is_control(c) for c in step)
        parts.append(("." if parts else "") + (step if bare else json.dumps(step)))
    return "".join(parts)
