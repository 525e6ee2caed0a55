"""Encrypting a new SOPS file (any format) the way sops 3.11 does, per a `.sops.yaml` creation
rule."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

from tuiops.gitops.sops.cipher import encrypt, mac_hex
from tuiops.gitops.sops.config import CreationRule
from tuiops.gitops.sops.errors import AlreadyEncryptedError, UnsupportedError
from tuiops.gitops.sops.goyaml import sops_plaintext
from tuiops.gitops.sops.metadata import METADATA_KEY, Metadata, metadata_tree
from tuiops.gitops.sops.rules import EncryptionRule
from tuiops.gitops.sops.tree import (
    Comment,
    Document,
    Mapping,
    Node,
    Scalar,
    Sequence,
    allow_deep_nesting,
)

SOPS_VERSION = "3.11.0"
"""Written into new files: the sops release whose format tuiops follows."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Encryptor:
    def __init__(self, rule: EncryptionRule, mac_only: bool, key: bytes) -> None:
        self._rule = rule
        self._by_comment = rule.field.endswith("comment_regex")
        self._mac_only = mac_only
        self._key = key
        self.covered: list[str] = []
        """Plaintexts the MAC covers, in document order."""

    def _encrypts(self, path: tuple[str, ...], preceding: list[str]) -> bool:
        if self._by_comment:
            return self._rule.encrypts_after_comments(path, preceding)
        return self._rule.encrypts(path)

    def _comment(self, comment: Comment, path: tuple[str, ...]) -> Comment:
        # Comments follow their container's position; the comment-regex modes keep them clear.
        if self._by_comment or not self._rule.encrypts(path):
            return comment
        return Comment(encrypt(comment.text, "comment", self._key, ":".join(path) + ":"))

    def node(self, node: Node, path: tuple[str, ...], preceding: list[str]) -> Node:
        if isinstance(node, Mapping):
            mapping = Mapping(indent=node.indent)
            pending: list[str] = []
            for item in node.items:
                if isinstance(item, Comment):
                    pending.append(item.text)
                    mapping.items.append(self._comment(item, path))
                    continue
                key, child = item
                mapping.items.append((key, self.node(child, (*path, key), preceding + pending)))
                pending = []
            return mapping
        if isinstance(node, Sequence):
            sequence = Sequence()
            pending = []
            for element in node.items:
                if isinstance(element, Comment):
                    pending.append(element.text)
                    sequence.items.append(self._comment(element, path))
                    continue
                sequence.items.append(self.node(element, path, preceding + pending))
                pending = []
            return sequence
        return self._scalar(node, path, preceding)

    def _scalar(self, node: Scalar, path: tuple[str, ...], preceding: list[str]) -> Scalar:
        encrypted = self._encrypts(path, preceding)
        if node.kind == "null":
            return node
        plain = sops_plaintext(node.kind, node.value)
        if encrypted or not self._mac_only:
            self.covered.append(plain)
        if not encrypted or (plain == "" and node.kind == "str"):
            return node
        token = encrypt(plain, node.kind, self._key, ":".join(path) + ":")
        return Scalar(token, "str")


def _check_encryptable(documents: list[Document], fmt: str) -> None:
    if fmt == "yaml" and not documents:
        raise UnsupportedError(
            "the file holds no YAML document (empty, or comments only); sops refuses it too"
        )
    for document in documents:
        if not isinstance(document.root, Mapping):
            raise UnsupportedError("only files whose top level is a map can be encrypted")
        if document.root.get(METADATA_KEY) is not None:
            raise AlreadyEncryptedError("already encrypted: it has a top-level `sops` entry")


@allow_deep_nesting
def encrypt_new(
    plaintext: str,
    creation: CreationRule,
    indent: int | str | None = None,
    now: Callable[[], str] = _now,
    fmt: str = "yaml",
) -> str:
    """The encrypted form of a plaintext file, per `creation` (its key groups, Shamir threshold,
    rule field and MAC mode).

    Args:
        indent: YAML spaces per level or the JSON indent text (sops' defaults when None).
        fmt: the file's format (see `stores.format_of`).

    Raises:
        AlreadyEncryptedError: the file already has a top-level `sops` entry.
        UnsupportedError: nothing to encrypt, or a rule key tuiops cannot seal for (PGP, KMS).
        SopsConfigError: an age recipient is not valid.
    """
    from tuiops.gitops.sops.rekey import seal_groups
    from tuiops.gitops.sops.stores import emit_encrypted, parse_plain

    documents = parse_plain(plaintext, fmt)
    _check_encryptable(documents, fmt)
    key = os.urandom(32)
    specs = creation.groups
    threshold = creation.shamir_threshold or (len(specs) if len(specs) > 1 else None)
    groups = seal_groups(key, specs, threshold or 1, None, "the creation rule")
    encryptor = _Encryptor(creation.rule, creation.mac_only_encrypted, key)
    encrypted = [Document(encryptor.node(d.root, (), [])) for d in documents]
    lastmodified = now()
    mac = encrypt(mac_hex(encryptor.covered, creation.mac_only_encrypted), "str", key, lastmodified)
    metadata = Metadata(
        key_groups=groups,
        lastmodified=lastmodified,
        mac=mac,
        rule=creation.rule,
        mac_only_encrypted=creation.mac_only_encrypted,
        version=SOPS_VERSION,
        shamir_threshold=creation.shamir_threshold if len(specs) == 1 else threshold,
    )
    for document in encrypted:
        assert isinstance(document.root, Mapping)
        document.root.items.append((METADATA_KEY, metadata_tree(metadata)))
    text = emit_encrypted(encrypted, fmt, indent)
    _check_round_trip(text, fmt, key, documents)
    return text


def _scalars(node: Node) -> list[tuple[str, str]]:
    """(kind, sops plaintext) of every scalar, in document order."""
    found: list[tuple[str, str]] = []
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Scalar):
            found.append((current.kind, sops_plaintext(current.kind, current.value)))
        elif isinstance(current, Mapping):
            stack += reversed([i[1] for i in current.items if isinstance(i, tuple)])
        else:
            stack += reversed([i for i in current.items if not isinstance(i, Comment)])
    return found


def _check_round_trip(text: str, fmt: str, key: bytes, plain: list[Document]) -> None:
    """The new file must open with its data key (MAC checked) to exactly the plaintext."""
    from tuiops.gitops.sops.decrypt import open_with_key

    opened = open_with_key(text, "the encrypted file", key, fmt=fmt)
    got = [
        (leaf.kind, sops_plaintext(leaf.kind, leaf.value))
        for leaf in opened.leaves
        if leaf.kind != "comment"
    ]
    expected = [pair for document in plain for pair in _scalars(document.root)]
    if got != expected:
        raise UnsupportedError(
            "the encrypted file would not decrypt to the same values "
            f"({len(got)} read back, {len(expected)} meant); nothing written"
        )
