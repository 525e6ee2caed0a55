"""Edits that change only the bytes they must, exactly like `sops set`.

A one-value change replaces that value's `ENC[...]` token, `lastmodified` and `mac`; every
other byte stays. Untouched values are never re-typed (sops' own `edit` turns `2.0` into an
int). Each edit is checked by decrypting the result with the data key before it is returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from tuiops.gitops.sops.cipher import encrypt, mac_hex
from tuiops.gitops.sops.decrypt import Address, DecryptedYaml, open_with_key
from tuiops.gitops.sops.errors import SopsFormatError, UnsupportedError
from tuiops.gitops.sops.goyaml import sops_plaintext, yaml_scalar_text
from tuiops.gitops.sops.metadata import METADATA_KEY, metadata_node
from tuiops.gitops.sops.tree import Comment, Mapping, Node, Scalar
from tuiops.gitops.sops.tree import Sequence as SequenceNode

Splice = tuple[int, int, str]
"""Replace `text[start:end]` with the string."""


def apply_splices(text: str, splices: Sequence[Splice]) -> str:
    """`text` with every splice applied (they must not overlap)."""
    for start, end, replacement in sorted(splices, key=lambda s: s[0], reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def line_end(text: str, index: int) -> int:
    """Index just past the newline ending the line that holds `text[index - 1]`."""
    if index > 0 and text[index - 1] == "\n":
        return index
    newline = text.find("\n", index)
    return len(text) if newline == -1 else newline + 1


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parent_mapping(opened: DecryptedYaml, address: Address, document: int = 0) -> Mapping:
    node: Node = opened.documents[document].root
    for step in address[:-1]:
        child = node.get(step) if isinstance(node, Mapping) and isinstance(step, str) else None
        if isinstance(node, SequenceNode) and isinstance(step, int):
            items = [i for i in node.items if not isinstance(i, Comment)]
            child = items[step] if 0 <= step < len(items) else None
        if child is None:
            raise SopsFormatError(f"{opened.file}: no {'.'.join(map(str, address[:-1]))}")
        node = child
    if not isinstance(node, Mapping):
        raise SopsFormatError(f"{opened.file}: {'.'.join(map(str, address[:-1]))} is not a map")
    return node


def _value_text(opened: DecryptedYaml, path: tuple[str, ...], value: str, encrypted: bool) -> str:
    if encrypted and value != "":
        return encrypt(sops_plaintext("str", value), "str", opened.data_key, ":".join(path) + ":")
    if "\n" in value:
        raise UnsupportedError("multi-line values in cleartext positions are not supported")
    return yaml_scalar_text("str", value)


def set_value(opened: DecryptedYaml, address: Address, value: str) -> str | None:
    """The file text with `address` set to the string `value` (added if missing).

    Returns:
        The new text, or None when the value is already `value` (nothing to write).
    """
    path = tuple(a for a in address if isinstance(a, str))
    leaf = opened.leaf(address)
    if leaf is not None:
        if leaf.kind == "str" and leaf.value == value:
            return None
        assert leaf.node.span is not None
        replacement = _value_text(opened, path, value, leaf.encrypted)
        return seal(opened, [(leaf.node.span.start, leaf.node.span.end, replacement)])
    parent = _parent_mapping(opened, address)
    if parent.span is not None and opened.text[parent.span.start] == "{":
        raise UnsupportedError(f"{opened.file}: cannot add a key to a flow-style map")
    entries = [i for i in parent.items if isinstance(i, tuple) and i[0] != METADATA_KEY]
    if not entries or entries[-1][1].span is None:
        raise UnsupportedError(f"{opened.file}: cannot add a key to an empty map")
    key = str(address[-1])
    encrypted = opened.metadata.rule.encrypts(path)
    line = " " * parent.indent + f"{yaml_scalar_text('str', key)}: "
    line += _value_text(opened, path, value, encrypted) + "\n"
    last_span = entries[-1][1].span
    assert last_span is not None
    at = line_end(opened.text, last_span.end)
    return seal(opened, [(at, at, line)])


def delete_value(opened: DecryptedYaml, address: Address) -> str:
    """The file text without the key at `address` (its line(s) removed)."""
    parent = _parent_mapping(opened, address)
    key = str(address[-1])
    node = parent.get(key)
    key_span = parent.key_spans.get(key)
    if node is None or key_span is None or node.span is None:
        raise SopsFormatError(f"{opened.file}: no key {'.'.join(map(str, address))}")
    start = line_start(opened.text, key_span.start)
    end = line_end(opened.text, node.span.end)
    return seal(opened, [(start, end, "")])


def _metadata_splices(opened: DecryptedYaml, lastmodified: str, mac: str) -> list[Splice]:
    splices = []
    for document in opened.documents:
        node = metadata_node(document)
        if node is None:
            continue
        for key, new in (("lastmodified", lastmodified), ("mac", mac)):
            scalar = node.get(key)
            if not isinstance(scalar, Scalar) or scalar.span is None:
                raise SopsFormatError(f"{opened.file}: sops block has no {key}")
            quote = scalar.style if scalar.style in ("'", '"') else ""
            if key == "lastmodified" and not quote:
                quote = '"'  # sops writes it quoted so it never reads as a timestamp
            splices.append((scalar.span.start, scalar.span.end, f"{quote}{new}{quote}"))
    return splices


def seal(
    opened: DecryptedYaml,
    splices: Sequence[Splice],
    key: bytes | None = None,
    now: Callable[[], str] = _now,
) -> str:
    """Apply data `splices`, then write a fresh `lastmodified` and MAC; verify the result.

    Args:
        opened: the file as decrypted before the edit.
        splices: the edits of the data part (values, keys, comments).
        key: the data key of the result (a new one after a rotation).
        now: the clock, as RFC 3339 text.
    """
    key = key if key is not None else opened.data_key
    # The MAC is stale between the edit and the seal, so this one read skips the check.
    edited = open_with_key(apply_splices(opened.text, splices), opened.file, key, verify=False)
    lastmodified = now()
    digest = mac_hex(edited.mac_plaintexts(), edited.metadata.mac_only_encrypted)
    mac = encrypt(digest, "str", key, lastmodified)
    text = apply_splices(edited.text, _metadata_splices(edited, lastmodified, mac))
    open_with_key(text, opened.file, key)  # never hand back a file sops would refuse
    return text
