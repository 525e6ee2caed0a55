"""Encrypting a new SOPS YAML file the way sops 3.11 does, per a `.sops.yaml` creation rule."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

from tuiops.gitops.sops.cipher import encrypt, mac_hex
from tuiops.gitops.sops.config import CreationRule
from tuiops.gitops.sops.emit import emit_yaml
from tuiops.gitops.sops.errors import AlreadyEncryptedError, UnsupportedError
from tuiops.gitops.sops.goyaml import sops_plaintext
from tuiops.gitops.sops.keys import seal_data_key
from tuiops.gitops.sops.metadata import METADATA_KEY
from tuiops.gitops.sops.parse import parse_yaml
from tuiops.gitops.sops.rules import EncryptionRule
from tuiops.gitops.sops.tree import Comment, Document, Mapping, Node, Scalar, Sequence

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


def _metadata(
    creation: CreationRule, stanza_items: list[Node], lastmodified: str, mac: str
) -> Mapping:
    items: list[tuple[str, Node] | Comment] = []
    if creation.shamir_threshold is not None:
        items.append(("shamir_threshold", Scalar(creation.shamir_threshold, "int")))
    items.append(("age", Sequence(items=list(stanza_items))))
    items.append(("lastmodified", Scalar(lastmodified, "str")))
    items.append(("mac", Scalar(mac, "str")))
    items.append((creation.rule.field, Scalar(creation.rule.value, "str")))
    if creation.mac_only_encrypted:
        items.append(("mac_only_encrypted", Scalar(True, "bool")))
    items.append(("version", Scalar(SOPS_VERSION, "str")))
    return Mapping(items=items)


def encrypt_new(
    plaintext: str,
    creation: CreationRule,
    indent: int = 4,
    now: Callable[[], str] = _now,
) -> str:
    """The encrypted form of a plaintext YAML file.

    Raises:
        AlreadyEncryptedError: the file already has a top-level `sops` entry.
        UnsupportedError: the rule has several key groups, or no age recipient.
    """
    documents = parse_yaml(plaintext)
    for document in documents:
        if isinstance(document.root, Mapping) and document.root.get(METADATA_KEY) is not None:
            raise AlreadyEncryptedError("already encrypted: it has a top-level `sops` entry")
    if creation.key_groups and len(creation.key_groups) > 1:
        raise UnsupportedError("creation rules with several key groups are not supported")
    recipients = creation.age or (creation.key_groups[0] if creation.key_groups else ())
    if not recipients:
        raise UnsupportedError("the creation rule names no age recipient")
    key = os.urandom(32)
    encryptor = _Encryptor(creation.rule, creation.mac_only_encrypted, key)
    encrypted = [Document(encryptor.node(d.root, (), [])) for d in documents]
    lastmodified = now()
    mac = encrypt(mac_hex(encryptor.covered, creation.mac_only_encrypted), "str", key, lastmodified)
    stanza_items: list[Node] = [
        Mapping(items=[("recipient", Scalar(s.recipient, "str")), ("enc", Scalar(s.enc, "str"))])
        for s in seal_data_key(key, recipients)
    ]
    metadata = _metadata(creation, stanza_items, lastmodified, mac)
    for document in encrypted:
        if not isinstance(document.root, Mapping):
            raise UnsupportedError("only YAML files whose top level is a map can be encrypted")
        document.root.items.append((METADATA_KEY, metadata))
    return emit_yaml(encrypted, indent)
