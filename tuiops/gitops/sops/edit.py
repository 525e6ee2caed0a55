"""Edits that change only the bytes they must, exactly like `sops set` / `sops unset`.

YAML is edited by splicing text: a one-value change replaces that value's `ENC[...]` token,
`lastmodified` and `mac`; every other byte stays, and untouched values are never re-typed
(sops' own `edit` turns `2.0` into an int). The other formats are written whole by sops, so
they are edited as trees and written back in sops' own layout (`treeedit.py`). Each edit is
re-opened with the data key and checked before it is returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from collections.abc import Sequence as SequenceOf

from tuiops.gitops.sops.cipher import encrypt, mac_hex
from tuiops.gitops.sops.decrypt import DecryptedYaml, open_with_key
from tuiops.gitops.sops.errors import SopsFormatError, UnsupportedError
from tuiops.gitops.sops.goyaml import double_quoted, sops_plaintext, yaml_scalar_text
from tuiops.gitops.sops.keypath import Address
from tuiops.gitops.sops.locate import Found, Missing, target_for_rm, target_for_set
from tuiops.gitops.sops.metadata import METADATA_KEY, metadata_node
from tuiops.gitops.sops.tree import Comment, Mapping, Node, Scalar, Sequence

Splice = tuple[int, int, str]
"""Replace `text[start:end]` with the string."""


def apply_splices(text: str, splices: SequenceOf[Splice]) -> str:
    """`text` with every splice applied (they must not overlap), in one pass."""
    pieces: list[str] = []
    position = 0
    for start, end, replacement in sorted(splices, key=lambda s: (s[0], s[1])):
        if start < position:
            raise SopsFormatError("internal error: overlapping edits")
        pieces += (text[position:start], replacement)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def line_end(text: str, index: int) -> int:
    """Index just past the newline ending the line that holds `text[index - 1]`."""
    if index > 0 and text[index - 1] == "\n":
        return index
    newline = text.find("\n", index)
    return len(text) if newline == -1 else newline + 1


def now_text() -> str:
    """The time as sops writes `lastmodified` (UTC, seconds, `Z`)."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def value_text(opened: DecryptedYaml, path: tuple[str, ...], value: str, encrypted: bool) -> str:
    """A new string value as it is written: a token in an encrypted position, else YAML text
    on one line (a multi-line cleartext value double-quoted with escapes)."""
    if encrypted and value != "":
        return encrypt(sops_plaintext("str", value), "str", opened.data_key, ":".join(path) + ":")
    return double_quoted(value) if "\n" in value else yaml_scalar_text("str", value)


def subtree_end(node: Node) -> int:
    """Where the text of `node` really ends: after its last scalar (a block collection's own
    end mark points past the comments that follow it)."""
    while isinstance(node, Mapping | Sequence):
        children: list[Node] = [
            i[1] if isinstance(i, tuple) else i for i in node.items if not isinstance(i, Comment)
        ]
        if not children:
            break
        node = children[-1]
    if node.span is None:
        raise SopsFormatError("internal error: a node without a position")
    return node.span.end


def _indent_unit(opened: DecryptedYaml) -> int:
    """The file's indentation step, read from its own sops block (sops writes both alike)."""
    node = metadata_node(opened.documents[0])
    return node.indent if node is not None and node.indent > 0 else 4


def _key_colon(text: str, parent: Mapping | Sequence | None, step: str | int | None) -> int:
    """Just past the `:` after the key `step` of `parent`."""
    if not isinstance(parent, Mapping) or not isinstance(step, str) or step not in parent.key_spans:
        raise UnsupportedError("cannot edit an empty map or list inside a list item")
    return text.index(":", parent.key_spans[step].end) + 1


def _encrypts(opened: DecryptedYaml, path: tuple[str, ...]) -> bool:
    return opened.metadata.rule.encrypts(path)


def _add_splices(opened: DecryptedYaml, missing: Missing, value: str) -> list[Splice]:
    text, parent, unit = opened.text, missing.parent, _indent_unit(opened)
    path = tuple(a for a in (*missing.parent_address, *missing.keys) if isinstance(a, str))
    entries = [i for i in parent.items if isinstance(i, tuple) and i[0] != METADATA_KEY]
    if parent.span is not None and text[parent.span.start : parent.span.start + 1] == "{":
        if entries:
            raise UnsupportedError(f"{opened.file}: cannot add a key to a flow-style map")
        if not isinstance(missing.grandparent, Mapping):
            raise UnsupportedError(f"{opened.file}: cannot add to an empty map inside a list")
        column = missing.grandparent.indent + unit
        start = parent.span.start
        while text[start - 1 : start] == " ":  # `key: {}` becomes `key:` and a block
            start -= 1
        at = (start, parent.span.end)
        prefix = "\n"
    else:
        column = parent.indent
        if entries:
            position = line_end(text, subtree_end(entries[-1][1]))
        else:  # only the sops block: new data goes above it, as sops keeps metadata last
            position = line_start(text, parent.key_spans[METADATA_KEY].start)
        at, prefix = (position, position), ""
    lines = []
    for depth, key in enumerate(missing.keys):
        lines.append(" " * (column + depth * unit) + yaml_scalar_text("str", key) + ":")
    lines[-1] += " " + value_text(opened, path, value, _encrypts(opened, path))
    block = prefix + "\n".join(lines) + ("" if prefix else "\n")
    if prefix and text[at[1] : at[1] + 1] not in ("\n", ""):
        block += "\n"
    return [(at[0], at[1], block)]


def set_value(
    opened: DecryptedYaml, address: Address, value: str, document: int | None = None
) -> str | None:
    """The file text with `address` set to the string `value` (added, with any missing maps,
    when absent).

    Returns:
        The new text, or None when the value is already `value` (nothing to write).

    Raises:
        UsageError: the address holds a map or list, is in the metadata, or cannot exist.
    """
    target = target_for_set(opened.documents, address, document)
    if isinstance(target, Found):
        leaf = opened.leaf(address, target.document)
        if leaf is not None and leaf.kind == "str" and leaf.value == value:
            return None
    if opened.format != "yaml":
        from tuiops.gitops.sops.treeedit import tree_set

        return tree_set(opened, address, value, target)
    if isinstance(target, Missing):
        return seal(opened, _add_splices(opened, target, value))
    leaf = opened.leaf(address, target.document)
    assert leaf is not None and leaf.node.span is not None
    path = tuple(a for a in address if isinstance(a, str))
    replacement = value_text(opened, path, value, leaf.encrypted)
    return seal(opened, [(leaf.node.span.start, leaf.node.span.end, replacement)])


def _item_line_start(text: str, node: Node) -> int:
    """The start of a list item's line, checked to hold just its dash."""
    assert node.span is not None
    start = line_start(text, node.span.start)
    if text[start : node.span.start].strip() not in ("-", ""):
        raise UnsupportedError("cannot remove an item that shares its line with another")
    return start


def delete_value(opened: DecryptedYaml, address: Address, document: int | None = None) -> str:
    """The file text without the key (or list item) at `address`; a map or list left empty
    becomes `{}` or `[]`, as sops writes it.

    Raises:
        UsageError: nothing is at `address`, or it is the metadata.
    """
    found = target_for_rm(opened.documents, address, document)
    if opened.format != "yaml":
        from tuiops.gitops.sops.treeedit import tree_delete

        return tree_delete(opened, address, found)
    text, parent = opened.text, found.parent
    if isinstance(parent, Mapping):
        assert isinstance(found.step, str)
        start = line_start(text, parent.key_spans[found.step].start)
    else:
        start = _item_line_start(text, found.node)
    splices: list[Splice] = [(start, line_end(text, subtree_end(found.node)), "")]
    siblings = [i for i in parent.items if not isinstance(i, Comment)]
    is_root = found.grandparent is None and isinstance(parent, Mapping)
    if len(siblings) == 1 and not is_root:
        colon = _key_colon(text, found.grandparent, found.parent_step)
        splices.append((colon, colon, " {}" if isinstance(parent, Mapping) else " []"))
    return seal(opened, splices)


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


def fresh_mac(edited: DecryptedYaml, key: bytes, now: Callable[[], str]) -> tuple[str, str]:
    """A new (lastmodified, encrypted MAC) for the values of `edited`."""
    lastmodified = now()
    digest = mac_hex(edited.mac_plaintexts(), edited.metadata.mac_only_encrypted)
    return lastmodified, encrypt(digest, "str", key, lastmodified)


def seal(
    opened: DecryptedYaml,
    splices: SequenceOf[Splice],
    key: bytes | None = None,
    now: Callable[[], str] = now_text,
) -> str:
    """Apply data `splices`, then write a fresh `lastmodified` and MAC; verify the result.

    Args:
        opened: the file as decrypted before the edit.
        splices: the edits of the data part (values, keys, comments, the key block).
        key: the data key of the result (a new one after a rotation).
        now: the clock, as RFC 3339 text.
    """
    key = key if key is not None else opened.data_key
    # The MAC is stale between the edit and the seal, so this one read skips the check.
    edited = open_with_key(apply_splices(opened.text, splices), opened.file, key, verify=False)
    lastmodified, mac = fresh_mac(edited, key, now)
    text = apply_splices(edited.text, _metadata_splices(edited, lastmodified, mac))
    open_with_key(text, opened.file, key)  # never hand back a file sops would refuse
    return text
