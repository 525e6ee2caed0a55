"""sops' INI store: go-ini v1.67 (`AllowNonUniqueSections`, otherwise default options), read
and written as sops does.

The tree: each section is a top-level map (the implicit `DEFAULT` section first, always, even
when empty; a repeated section name is a second map), keys and values are strings. Comments are
items as sops places them: a section's comment first in its map, a key's comment (the comment
lines above the key plus its inline comment, go-ini's way) right after the key. Their text has
its leading `;`/`#` and spaces stripped (sops' `stripCommentChar`).

Writing matches go-ini's writer byte for byte: `key = value` with `=` aligned per section,
values quoted when they hold special characters, a blank line between sections, no header for
a leading `DEFAULT` section. The `[sops]` section holds the flattened metadata; sops writes it in
Go map order (random), this module writes it sorted by key, so an encrypted INI file is sops'
output modulo the order of the lines of its `[sops]` section.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tuiops.gitops.sops.errors import NotSopsFileError, SopsFormatError
from tuiops.gitops.sops.json_store import split_metadata
from tuiops.gitops.sops.metadata import METADATA_KEY
from tuiops.gitops.sops.stores_common import flatten_metadata, go_value_text, unflatten_metadata
from tuiops.gitops.sops.tree import Comment, Document, Mapping, Node, Scalar

DEFAULT_SECTION = "DEFAULT"
_EN_QUAD_TO_HAIR_SPACE = "".join(map(chr, range(0x2000, 0x200B)))
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680" + _EN_QUAD_TO_HAIR_SPACE + "\u2028\u2029\u202f\u205f\u3000"
"""Go's `unicode.IsSpace` (Python's `str.strip()` also strips `\\x1c`-`\\x1f`)."""


def _trim(text: str) -> str:
    return text.strip(GO_SPACE)


def _index_any(text: str, chars: str) -> int:
    found = [i for i in (text.find(c) for c in chars) if i >= 0]
    return min(found, default=-1)


@dataclass(slots=True)
class _Key:
    value: str
    comment: str = ""


@dataclass(slots=True)
class _Section:
    name: str
    comment: str = ""
    keys: dict[str, _Key] = field(default_factory=dict)

    def set(self, name: str, value: str) -> _Key:
        """go-ini's `NewKey`: a repeated key keeps its place and takes the new value."""
        key = self.keys.get(name)
        if key is None:
            key = self.keys[name] = _Key(value)
        else:
            key.value = value
        return key


class _Reader:
    """go-ini's parser over lines that keep their `\\n` (its `ReadBytes('\\n')`)."""

    def __init__(self, text: str) -> None:
        parts = text.removeprefix("\ufeff").split("\n")
        self._lines = [part + "\n" for part in parts[:-1]]
        if parts[-1]:  # a last line without a line break
            self._lines.append(parts[-1])
        self.number = 0
        self.comment = ""
        """go-ini's comment buffer: comment lines and inline comments not yet given out."""

    def next(self) -> str | None:
        if self.number >= len(self._lines):
            return None
        self.number += 1
        return self._lines[self.number - 1]

    def error(self, what: str) -> SopsFormatError:
        # the line itself may hold a secret: name its number only
        return SopsFormatError(f"line {self.number}: not valid INI ({what})")

    def key_name(self, line: str) -> tuple[str, int]:
        """go-ini's `readKeyName`: the key and where its value starts."""
        quote = ""
        if line[0] == '"':
            # go-ini compares the byte length here
            quote = '"""' if _bytes(line) > 6 and line.startswith('"""') else '"'
        elif line[0] == "`":
            quote = "`"
        if quote:
            start = len(quote)
            end = line.find(quote, start)
            if end == -1:
                raise self.error("missing closing key quote")
            delimiter = _index_any(line[end + start :], "=:")
            if delimiter < 0:
                raise self.error("key-value delimiter not found")
            return _trim(line[start:end]), end + delimiter + start + 1
        delimiter = _index_any(line, "=:")
        if delimiter < 0:
            raise self.error("key-value delimiter not found")
        if delimiter == 0:
            raise self.error("empty key name")
        return _trim(line[:delimiter]), delimiter + 1

    def value(self, text: str) -> str:
        """go-ini's `readValue` (inline comments go to the comment buffer)."""
        line = text.lstrip(GO_SPACE)
        if not line:
            return ""
        quote = ""
        if len(line) > 3 and line.startswith('"""'):
            quote = '"""'
        elif line[0] == "`":
            quote = "`"
        if quote:
            end = line.rfind(quote, len(quote))
            if end == -1:
                return self._multiline(line[len(quote) :], quote)
            return line[len(quote) : end]
        line = _trim(line)
        if line[-1] == "\\":
            return self._continued(line[:-1])
        comment = _index_any(line, "#;")
        if comment > -1:
            self.comment += line[comment:]
            line = _trim(line[:comment])
        if any(_surrounded(line, q) for q in "'\""):
            line = line[1:-1]
        return line

    def _multiline(self, value: str, quote: str) -> str:
        while (line := self.next()) is not None:
            end = line.rfind(quote)
            if end > -1:
                comment = _index_any(line[end:], "#;")
                if comment > -1:
                    self.comment += _trim(line[end + comment :])
                return value + line[:end]
            value += line
        raise self.error("missing closing value quote")

    def _continued(self, value: str) -> str:
        while line := _trim(self.next() or ""):
            value += line
            if value[-1] != "\\":
                break
            value = value[:-1]
        return value


def _surrounded(text: str, quote: str) -> bool:
    """go-ini's `hasSurroundedQuote`: quote first and last, and nowhere in between."""
    return len(text) >= 2 and text[0] == quote == text[-1] and text.find(quote, 1) == len(text) - 1


def _read_sections(text: str) -> list[_Section]:
    """go-ini's `parse` with sops' options."""
    reader = _Reader(text)
    sections = [_Section(DEFAULT_SECTION)]
    count = 1  # go-ini numbers `-` keys per section: #1, #2, ...
    while (raw := reader.next()) is not None:
        line = raw.lstrip(GO_SPACE)
        if not line:
            continue
        if line[0] in "#;":
            reader.comment += line
            continue
        if line[0] == "[":
            close = line.rfind("]")
            if close == -1:
                raise reader.error("unclosed section")
            if close == 1:
                raise reader.error("empty section name")
            comment = _index_any(line[close + 1 :], "#;")
            if comment > -1:
                reader.comment += line[close + 1 + comment :]
            sections.append(_Section(line[1:close], _trim(reader.comment)))
            reader.comment, count = "", 1
            continue
        name, offset = reader.key_name(line)
        if name == "-":
            name, count = f"#{count}", count + 1
        value = reader.value(line[offset:])
        if not name:
            raise reader.error("empty key name")
        sections[-1].set(name, value).comment = _trim(reader.comment)
        reader.comment = ""
    return sections


def _strip_comment_char(comment: str) -> str:
    """sops' `stripCommentChar`: the leading run of `;`+spaces or `#`+spaces goes."""
    if comment.startswith(";"):
        return comment.lstrip("; ")
    return comment.lstrip("# ") if comment.startswith("#") else comment


def parse_ini(text: str, *, plain: bool = False) -> list[Document]:
    """An INI file as a one-document tree (see the module docstring for its shape).

    Args:
        text: the file's text.
        plain: read a plaintext file: a `[sops]` section is data. Otherwise the first `[sops]`
            section is the metadata (unflattened into a `sops` map, keys sorted), every
            `[sops]` section leaves the data, and the `sops` item comes last.

    Raises:
        SopsFormatError: text go-ini cannot read (the message gives the line number only).
        NotSopsFileError: (encrypted) no `[sops]` section.
    """
    root = Mapping()
    metadata: _Section | None = None
    for section in _read_sections(text):
        if not plain and section.name == METADATA_KEY:
            metadata = metadata or section
            continue
        items: list[tuple[str, Node] | Comment] = []
        if section.comment:
            items.append(Comment(_strip_comment_char(section.comment)))
        for name, key in section.keys.items():
            items.append((name, Scalar(key.value, "str")))
            if key.comment:
                items.append(Comment(_strip_comment_char(key.comment)))
        root.items.append((section.name, Mapping(items=items)))
    if not plain:
        if metadata is None:
            raise NotSopsFileError("not a SOPS file (no [sops] section)")
        flat = {name: key.value for name, key in sorted(metadata.keys.items())}
        root.items.append((METADATA_KEY, unflatten_metadata(flat)))
    return [Document(root)]


# -- writing ----------------------------------------------------------------------------------


def _sections(root: Mapping) -> list[_Section]:
    """sops' INI `encodeTree`: the tree as go-ini sections."""
    sections = []
    for item in root.items:
        if isinstance(item, Comment):
            continue
        name, node = item
        if not name:
            raise SopsFormatError("INI: empty section name")
        if not isinstance(node, Mapping):
            raise SopsFormatError("INI: section values should always be maps")
        section = _Section(name)
        items = node.items
        if items and isinstance(items[0], Comment):
            section.comment, items = items[0].text, items[1:]
        last: _Key | None = None
        for entry in items:
            if isinstance(entry, Comment):
                if last is not None:  # a comment before any key is dropped, as sops does
                    last.comment = entry.text
                continue
            key, value = entry
            if not key:
                raise SopsFormatError(f"INI [{name[:60]}]: empty key name")
            if not isinstance(value, Scalar):
                raise SopsFormatError(f"INI [{name[:60]}] {key[:60]}: nested values don't fit")
            last = section.set(key, go_value_text(value))
        sections.append(section)
    return sections


def _bytes(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _shown_key(name: str) -> str:
    if '"' in name or _index_any(name, "=:") > -1:
        return f"`{name}`"
    return f'"""{name}"""' if "`" in name else name


def _shown_value(value: str) -> str:
    if _index_any(value, "\n`") > -1:
        return f'"""{value}"""'
    if _index_any(value, "#;") > -1:
        return f"`{value}`"
    return f'"{value}"' if _trim(value) != value else value


def _comment_lines(comment: str, trim: bool) -> list[str]:
    lines = []
    for line in comment.split("\n"):
        if not line:  # go-ini indexes line[0] and panics; sops dies with it
            raise SopsFormatError("INI: a comment with an empty line cannot be written")
        if line[0] in "#;":
            lines.append(f"{line[0]} {_trim(line[1:])}\n")
        else:
            lines.append(f"; {_trim(line) if trim else line}\n")
    return lines


def _write(sections: list[_Section]) -> str:
    """go-ini's `WriteTo` with its defaults (PrettyFormat, PrettySection, no DefaultHeader)."""
    out: list[str] = []
    for index, section in enumerate(sections):
        if section.comment:
            out += _comment_lines(section.comment, trim=False)
        if index > 0 or section.name.upper() != DEFAULT_SECTION:
            out.append(f"[{section.name}]\n")
        elif not section.keys:
            continue
        shown = {name: _shown_key(name) for name in section.keys}
        width = max((_bytes(key) for key in shown.values()), default=0)
        for name, key in section.keys.items():
            if key.comment:
                out += _comment_lines(key.comment, trim=True)
            padding = " " * (width - _bytes(shown[name]))
            out.append(f"{shown[name]}{padding} = {_shown_value(key.value)}\n")
        if index < len(sections) - 1:
            out.append("\n")
    return "".join(out)


def emit_ini(documents: list[Document]) -> str:
    """An encrypted INI file's text as sops writes it, except that the `[sops]` section's keys
    are sorted (sops writes them in random order).

    Raises:
        SopsFormatError: no `sops` map, a value that is not a scalar, an empty name, or a
            comment go-ini cannot write.
    """
    data, metadata = split_metadata(documents)
    sections = _sections(data)
    flat = _Section(METADATA_KEY)
    for key, value in flatten_metadata(metadata):
        flat.set(key, value)
    return _write([*sections, flat])


def emit_plain_ini(documents: list[Document]) -> str:
    """What `sops -d` prints for an INI file whose decrypted tree is `documents`.

    Raises:
        SopsFormatError: as `emit_ini`, but no metadata is needed.
    """
    if len(documents) != 1 or not isinstance(documents[0].root, Mapping):
        raise SopsFormatError("an INI file is exactly one map of sections")
    return _write(_sections(documents[0].root))
