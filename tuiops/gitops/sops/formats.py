"""SOPS JSON and dotenv files, read into the same tree as YAML so one decryptor serves all.

JSON: every number is a float to sops; there are no comments. dotenv: every value is a string
(quotes kept literally, `\\n` is a newline), `#` lines are comments, and the metadata is
flattened into sorted `sops_*` lines (`__map_` joins map keys, `__list_N` list indices).
Editing these formats is not offered; reading and verifying is.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

from tuiops.gitops.sops.errors import NotSopsFileError, SopsFormatError
from tuiops.gitops.sops.metadata import METADATA_KEY
from tuiops.gitops.sops.tree import Comment, Document, Mapping, Node, Scalar, Sequence

_FLAT_PART = re.compile(r"__(map|list)_")


def _json_node(value: Any) -> Node:
    if isinstance(value, dict):
        return Mapping(items=[(str(k), _json_node(v)) for k, v in value.items()])
    if isinstance(value, list):
        return Sequence(items=[_json_node(v) for v in value])
    if value is None:
        return Scalar(None, "null")
    if isinstance(value, bool):
        return Scalar(value, "bool")
    if isinstance(value, int | float):
        return Scalar(float(value), "float")
    return Scalar(str(value), "str")


def parse_json(text: str) -> list[Document]:
    """A SOPS JSON file as a one-document tree."""
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as error:
        raise SopsFormatError(f"line {error.lineno}: not valid JSON ({error.msg})") from None
    if not isinstance(data, dict):
        raise NotSopsFileError("not a SOPS file (top level is not an object)")
    return [Document(_json_node(data))]


def _unflatten(flat: dict[str, str]) -> Any:
    """`age__list_0__map_enc` style keys back into nested maps and lists."""
    root: dict[str, Any] = {}
    for key, value in flat.items():
        parts = _FLAT_PART.split(key)
        head, rest = parts[0], parts[1:]
        steps: list[str | int] = [head]
        for kind, name in zip(rest[0::2], rest[1::2], strict=True):
            steps.append(int(name) if kind == "list" else name)
        node: Any = root
        for step, following in itertools.pairwise(steps):
            empty: Any = [] if isinstance(following, int) else {}
            if isinstance(node, list):
                while len(node) <= int(step):
                    node.append(None)
                node[int(step)] = node[int(step)] if node[int(step)] is not None else empty
                node = node[int(step)]
            else:
                node = node.setdefault(step, empty)
        last = steps[-1]
        typed: Any = value
        if key in ("mac_only_encrypted",):
            typed = value == "true"
        elif key == "shamir_threshold" and value.isdigit():
            typed = int(value)
        if isinstance(node, list):
            while len(node) <= int(last):
                node.append(None)
            node[int(last)] = typed
        else:
            node[last] = typed
    return root


def parse_dotenv(text: str) -> list[Document]:
    """A SOPS dotenv file as a one-document tree (data items, then the `sops` map)."""
    root = Mapping()
    metadata: dict[str, str] = {}
    for line in text.splitlines():
        if not line:
            continue
        if line.startswith("#"):
            root.items.append(Comment(line[1:]))
            continue
        if "=" not in line:
            raise SopsFormatError(f"dotenv line without '=': {line[:40]!r}")
        key, value = line.split("=", 1)
        value = value.replace("\\n", "\n")
        if key.startswith("sops_"):
            metadata[key.removeprefix("sops_")] = value
        else:
            root.items.append((key, Scalar(value, "str")))
    if not metadata:
        raise NotSopsFileError("not a SOPS file (no sops_* lines)")
    root.items.append((METADATA_KEY, _json_node(_unflatten(metadata))))
    _fix_metadata_types(root)
    return [Document(root)]


def _fix_metadata_types(root: Mapping) -> None:
    """dotenv keeps every metadata value as text; booleans and ints were typed in _unflatten,
    but _json_node turned ints into floats: give the threshold its int back."""
    node = root.get(METADATA_KEY)
    if isinstance(node, Mapping):
        for index, item in enumerate(node.items):
            if isinstance(item, tuple) and item[0] == "shamir_threshold":
                scalar = item[1]
                if isinstance(scalar, Scalar) and isinstance(scalar.value, float):
                    node.items[index] = (item[0], Scalar(int(scalar.value), "int"))
