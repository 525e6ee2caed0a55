"""Edits of JSON, dotenv, INI and binary SOPS files: change the tree, write it whole.

sops writes these formats whole on every change (they have no layout to keep), so tuiops does
the same, in sops' own layout, keeping every untouched `ENC[...]` token as it was: the diff is
the one `sops set` gives. Each format has its shape rules (dotenv is flat, INI is sections of
keys, binary is the one `data` value); a path outside that shape is refused with one line.
"""

from __future__ import annotations

from tuiops.errors import UsageError
from tuiops.gitops.sops.cipher import encrypt
from tuiops.gitops.sops.decrypt import DecryptedYaml, open_with_key
from tuiops.gitops.sops.edit import fresh_mac, now_text
from tuiops.gitops.sops.goyaml import sops_plaintext
from tuiops.gitops.sops.keypath import Address, format_key_path
from tuiops.gitops.sops.locate import Found, Missing, child_of
from tuiops.gitops.sops.metadata import METADATA_KEY, Metadata, metadata_tree
from tuiops.gitops.sops.stores import emit_encrypted, parse_encrypted
from tuiops.gitops.sops.tree import Comment, Document, Mapping, Node, Scalar, Sequence

_SHAPES = {
    "dotenv": (1, "dotenv files are flat: name a top-level KEY"),
    "ini": (2, "INI values live in sections: name SECTION.KEY"),
    "binary": (1, "a binary SOPS file holds one value, `data`"),
}


def _check_shape(fmt: str, address: Address) -> None:
    depth, why = _SHAPES.get(fmt, (0, ""))
    if depth and (len(address) != depth or not all(isinstance(a, str) for a in address)):
        raise UsageError(f"{format_key_path(address)}: {why}")
    if fmt == "binary" and address != ("data",):
        raise UsageError(f"{format_key_path(address)}: {why}")
    if fmt == "dotenv" and (
        any(c in str(address[0]) for c in "=\n") or str(address[0]).startswith("#")
    ):
        raise UsageError(
            f"{format_key_path(address)}: a dotenv key cannot hold '=' or a line break, "
            "or start with '#'"
        )


def _fresh_tree(opened: DecryptedYaml) -> list[Document]:
    """The file's tree, parsed anew so the open file stays as it was read."""
    return parse_encrypted(opened.text, opened.format)


def _node_at(documents: list[Document], document: int, address: Address) -> Node:
    node: Node = documents[document].root
    for step in address:
        child = child_of(node, step)
        if child is None:
            raise UsageError(f"no key {format_key_path(address)}")
        node = child
    return node


def _replace_child(parent: Node, step: str | int, new: Node | None) -> None:
    """Put `new` in place of the child `step` of `parent` (None removes it)."""
    if isinstance(parent, Mapping):
        for index, item in enumerate(parent.items):
            if isinstance(item, tuple) and item[0] == step:
                if new is None:
                    del parent.items[index]
                else:
                    parent.items[index] = (item[0], new)
                return
    elif isinstance(parent, Sequence) and isinstance(step, int):
        positions = [i for i, item in enumerate(parent.items) if not isinstance(item, Comment)]
        if new is None:
            del parent.items[positions[step]]
        else:
            parent.items[positions[step]] = new
        return
    raise UsageError(f"no key {step}")


def _write(opened: DecryptedYaml, documents: list[Document], meta: Metadata, key: bytes) -> str:
    """Emit `documents` with `meta`, then seal them with a fresh lastmodified and MAC."""

    def emitted(with_meta: Metadata) -> str:
        for document in documents:
            root = document.root
            if isinstance(root, Mapping):
                _replace_child(root, METADATA_KEY, metadata_tree(with_meta))
        return emit_encrypted(documents, opened.format)

    draft = open_with_key(emitted(meta), opened.file, key, verify=False, fmt=opened.format)
    lastmodified, mac = fresh_mac(draft, key, now_text)
    text = emitted(meta.with_seal(lastmodified, mac))
    open_with_key(text, opened.file, key, fmt=opened.format)  # what sops would read back
    return text


def tree_set(opened: DecryptedYaml, address: Address, value: str, target: Found | Missing) -> str:
    """The text with the string `value` at `address` (see edit.set_value)."""
    _check_shape(opened.format, address)
    documents = _fresh_tree(opened)
    path = tuple(a for a in address if isinstance(a, str))
    encrypted = opened.metadata.rule.encrypts(path)
    token = value
    if encrypted and value != "":
        token = encrypt(sops_plaintext("str", value), "str", opened.data_key, ":".join(path) + ":")
    new: Node = Scalar(token, "str")
    if isinstance(target, Found):
        parent = _node_at(documents, target.document, address[:-1])
        _replace_child(parent, address[-1], new)
    else:
        parent = _node_at(documents, target.document, target.parent_address)
        assert isinstance(parent, Mapping)
        for key in reversed(target.keys[1:]):
            new = Mapping(items=[(key, new)])
        # New data goes before the metadata, which sops always writes last.
        at = len(parent.items)
        if target.parent_address == () and parent.get(METADATA_KEY) is not None:
            at = next(
                i
                for i, item in enumerate(parent.items)
                if isinstance(item, tuple) and item[0] == METADATA_KEY
            )
        parent.items.insert(at, (target.keys[0], new))
    return _write(opened, documents, opened.metadata, opened.data_key)


def tree_delete(opened: DecryptedYaml, address: Address, found: Found) -> str:
    """The text without the node at `address` (see edit.delete_value)."""
    documents = _fresh_tree(opened)
    parent = _node_at(documents, found.document, address[:-1])
    _replace_child(parent, address[-1], None)
    return _write(opened, documents, opened.metadata, opened.data_key)


def tree_with_metadata(opened: DecryptedYaml, meta: Metadata) -> str:
    """The text with a new key block; values, lastmodified and MAC stay (updatekeys)."""
    documents = _fresh_tree(opened)
    for document in documents:
        if isinstance(document.root, Mapping):
            _replace_child(document.root, METADATA_KEY, metadata_tree(meta))
    return emit_encrypted(documents, opened.format)


def tree_rotate(opened: DecryptedYaml, meta: Metadata, key: bytes) -> str:
    """Every encrypted value and comment under the new data `key`, sealed for `meta`'s keys."""
    documents = _fresh_tree(opened)
    leaves = iter(opened.leaves)
    comments = iter(opened.comments)

    def visit(node: Node) -> Node:
        if isinstance(node, Mapping | Sequence):
            for index, item in enumerate(node.items):
                if isinstance(item, Comment):
                    old = next(comments)
                    if old.encrypted:
                        aad = ":".join(old.container_path) + ":"
                        node.items[index] = Comment(encrypt(old.text, "comment", key, aad))
                elif isinstance(node, Mapping) and isinstance(item, tuple):
                    if not (node is root and item[0] == METADATA_KEY):
                        node.items[index] = (item[0], visit(item[1]))
                elif isinstance(node, Sequence) and not isinstance(item, tuple):
                    node.items[index] = visit(item)
            return node
        leaf = next(leaves)
        if not leaf.encrypted or leaf.kind == "null" or (leaf.kind == "str" and leaf.value == ""):
            return node
        plain = str(leaf.value) if leaf.kind == "comment" else sops_plaintext(leaf.kind, leaf.value)
        return Scalar(encrypt(plain, leaf.kind, key, leaf.aad), "str")

    for document in documents:
        root = document.root
        visit(root)
    return _write(opened, documents, meta, key)
