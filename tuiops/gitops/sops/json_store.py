"""sops' JSON store (and its binary store, a JSON envelope), read and written as sops does.

Reading follows Go's `encoding/json` token decoder: every number is a float64 (one that
overflows is an error), keys keep their order and duplicates, an unpaired surrogate escape
becomes U+FFFD, a byte order mark is an error. A plaintext file may have text after its object
(sops never reads that far); an encrypted one may not (sops first unmarshals it whole).

Writing follows sops' `encodeTree` + `json.Indent`: Go's string escaping (`<`, `>`, `&`, U+2028
and U+2029 as `\\u` escapes), Go's float text, a tab (or `stores.json.indent` spaces) per level,
`{}` and `[]` for empty containers, a final newline, and the metadata last, in struct order.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, NoReturn

from tuiops.gitops.sops.errors import NotSopsFileError, SopsFormatError
from tuiops.gitops.sops.goyaml import sops_plaintext
from tuiops.gitops.sops.metadata import METADATA_KEY
from tuiops.gitops.sops.stores_common import entries, positional, shortest_digits, stored_metadata
from tuiops.gitops.sops.tree import Comment, Document, Mapping, Node, Scalar, Sequence

BINARY_KEY = "data"
"""The one key of a binary file's tree: the whole file as a string."""

_SURROGATE = re.compile("[\ud800-\udfff]")
_HTML_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


class _BadNumber(Exception):
    """A number Go's decoder refuses (out of float64 range, or NaN/Infinity literals)."""


def _number(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _BadNumber(text)
    return value


def _constant(text: str) -> NoReturn:
    raise _BadNumber(text)


def _text(value: str) -> str:
    # Go decodes a lone surrogate escape as U+FFFD; Python would keep the surrogate
    return _SURROGATE.sub("\ufffd", value)


def _node(value: Any) -> Node:
    if isinstance(value, Mapping):
        return value
    if isinstance(value, list):
        return Sequence(items=[_node(v) for v in value])
    if isinstance(value, str):
        return Scalar(_text(value), "str")
    if isinstance(value, bool):
        return Scalar(value, "bool")
    if isinstance(value, float):
        return Scalar(value, "float")
    return Scalar(None, "null")


def _object(pairs: list[tuple[str, Any]]) -> Mapping:
    return Mapping(items=[(_text(key), _node(value)) for key, value in pairs])


_DECODER = json.JSONDecoder(
    object_pairs_hook=_object, parse_float=_number, parse_int=_number, parse_constant=_constant
)


def parse_json(text: str, *, plain: bool = False) -> list[Document]:
    """A JSON file as a one-document tree, as sops' JSON store reads it.

    Args:
        text: the file's text.
        plain: read a plaintext file (for encryption): text after the top-level object is
            ignored and a top-level key `sops` is just data. Otherwise the file is an encrypted
            one and its `sops` object is the metadata item (kept where it is in the tree).

    Raises:
        SopsFormatError: not JSON as Go reads it, or (plain) the top level is not an object.
        NotSopsFileError: (encrypted) the top level is not an object.
    """
    try:
        if plain:
            start = len(text) - len(text.lstrip(" \t\r\n"))
            value, _ = _DECODER.raw_decode(text, start)
        else:
            value = _DECODER.decode(text)
    except json.JSONDecodeError as error:
        raise SopsFormatError(f"line {error.lineno}: not valid JSON ({error.msg})") from None
    except _BadNumber:  # the number itself may be a secret: not in the message
        raise SopsFormatError("a JSON number is out of float64 range, or NaN/Infinity") from None
    except RecursionError:  # Go allows 10,000 levels, Python's decoder about 1,000
        raise SopsFormatError("JSON nested too deeply") from None
    if not isinstance(value, Mapping):
        if plain:
            raise SopsFormatError("the top level of a JSON file must be an object")
        raise NotSopsFileError("not a SOPS file (top level is not an object)")
    return [Document(value)]


def parse_binary(text: str, *, plain: bool = False) -> list[Document]:
    """A binary file's tree: plaintext is the whole text under `data`; an encrypted binary
    file is a JSON file (see `parse_json`)."""
    if plain:
        return [Document(Mapping(items=[(BINARY_KEY, Scalar(text, "str"))]))]
    return parse_json(text)


# -- writing ----------------------------------------------------------------------------------


def go_json_string(value: str) -> str:
    """A string as Go's `json.Marshal` writes it (HTML-safe escapes, lowercase hex)."""
    text = json.dumps(value, ensure_ascii=False)
    for char, escape in _HTML_ESCAPES:
        text = text.replace(char, escape)
    return _SURROGATE.sub(r"\\ufffd", text)  # Go writes invalid UTF-8 as this escape


def go_json_float(value: float) -> str:
    """A float as Go's `json.Marshal` writes it: shortest digits, positional from 1e-6 up to
    1e21, else an exponent (`1e+21`, `1e-7`).

    Raises:
        SopsFormatError: NaN or an infinity (Go: "json: unsupported value").
    """
    if not math.isfinite(value):
        raise SopsFormatError(f"json: unsupported value: {value}")
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0"
    digits, point = shortest_digits(value)
    if 1e-6 <= abs(value) < 1e21:
        return sign + positional(digits, point)
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mantissa}e{'-' if point < 1 else '+'}{abs(point - 1)}"


def _scalar(node: Scalar) -> str:
    value = node.value
    if node.kind == "null" or value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if node.kind == "float" and isinstance(value, int | float):
        return go_json_float(float(value))
    if node.kind == "int" and isinstance(value, int):
        return str(value)
    if node.kind == "time":  # json.Marshal of a time.Time: RFC 3339 with nanoseconds
        return go_json_string(sops_plaintext("time", value))
    return go_json_string(str(value))


def _is_comment(item: object) -> bool:
    # sops' encodeArray skips comments; the YAML tree may hold one as a "comment" scalar
    return isinstance(item, Scalar) and item.kind == "comment"


def _encode(node: Node, depth: int, indent: str, out: list[str]) -> None:
    """`node` as sops' encodeTree writes it, re-indented as Go's `json.Indent` does."""
    if isinstance(node, Scalar):
        out.append(_scalar(node))
        return
    children: list[tuple[str, Node]]
    if isinstance(node, Mapping):
        children = [(go_json_string(k) + ": ", v) for k, v in entries(node)]
        brackets = "{}"
    else:
        items = [v for v in node.items if not isinstance(v, Comment)]
        children = [("", v) for v in items if not _is_comment(v)]
        brackets = "[]"
    if not children:
        out.append(brackets)
        return
    out.append(brackets[0])
    for index, (head, child) in enumerate(children):
        out.append(("," if index else "") + "\n" + indent * (depth + 1) + head)
        _encode(child, depth + 1, indent, out)
    out.append("\n" + indent * depth + brackets[1])


def _indent_text(indent: int | str) -> str:
    if isinstance(indent, str):
        return indent
    if indent < -1:
        raise ValueError("JSON Indentation parameter smaller than -1 is not accepted")
    return "\t" if indent == -1 else " " * indent


def _root(documents: list[Document]) -> Mapping:
    if len(documents) != 1 or not isinstance(documents[0].root, Mapping):
        raise SopsFormatError("a JSON, dotenv, INI or binary file is exactly one map")
    return documents[0].root


def split_metadata(documents: list[Document]) -> tuple[Mapping, Mapping]:
    """(the data map, the `sops` map) of an encrypted file's tree.

    The metadata is the last `sops` item that is a map. A `sops` item that is not a map is
    data: a dotenv file may have a key named exactly `sops` (only `sops_` lines are metadata),
    and then its tree holds that value and the metadata map under the same name.

    Raises:
        SopsFormatError: not one document with a map at the top, or no `sops` map.
    """
    root = _root(documents)
    data: list[tuple[str, Node] | Comment] = []
    metadata: Mapping | None = None
    for item in root.items:
        if (
            not isinstance(item, Comment)
            and item[0] == METADATA_KEY
            and isinstance(item[1], Mapping)
        ):
            metadata = item[1]
            continue
        data.append(item)
    if metadata is None:
        raise SopsFormatError("the tree has no sops metadata map")
    return Mapping(items=data), metadata


def emit_json(documents: list[Document], indent: int | str = -1) -> str:
    """An encrypted JSON (or binary) file's text, byte for byte as sops writes it.

    The `sops` item goes last (wherever it is in the tree) as `stored_metadata` shapes it.

    Args:
        documents: one document whose root map holds the data and the `sops` map.
        indent: `stores.json.indent` (`stores.json_binary.indent` for binary files): -1 is a
            tab, N >= 0 is N spaces; or the indent text itself.

    Raises:
        SopsFormatError: no metadata, or a value JSON cannot hold (NaN, infinity).
    """
    data, metadata = split_metadata(documents)
    data.items.append((METADATA_KEY, stored_metadata(metadata)))
    out: list[str] = []
    _encode(data, 0, _indent_text(indent), out)
    return "".join(out) + "\n"


def emit_plain_json(documents: list[Document], indent: int | str = -1) -> str:
    """What `sops -d` prints for a JSON file whose decrypted tree is `documents`."""
    out: list[str] = []
    _encode(_root(documents), 0, _indent_text(indent), out)
    return "".join(out) + "\n"


def emit_plain_binary(documents: list[Document]) -> str:
    """What `sops -d` prints for a binary file: the string under `data`, as it is.

    Raises:
        SopsFormatError: no `data` key, or its value is not a string (sops' own errors).
    """
    for key, node in entries(_root(documents)):
        if key == BINARY_KEY:
            if isinstance(node, Scalar) and isinstance(node.value, str):
                return node.value
            raise SopsFormatError("'data' key in tree does not have a string value")
    raise SopsFormatError("no binary data found in tree")
