"""The `sops:` block: key groups, rule field, MAC, lastmodified; read from a tree, and written
back as a tree in the order sops 3.11 writes it.

Key material that is not age (pgp, kms, gcp_kms, azure_kv, hc_vault) is kept as the tree it was
read as: tuiops cannot make such stanzas, but it can carry them over unchanged whenever the data
key (or the group's Shamir share) they hold stays the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from tuiops.gitops.sops.errors import NotSopsFileError, SopsFormatError
from tuiops.gitops.sops.keys import AgeStanza
from tuiops.gitops.sops.rules import EncryptionRule, rule_from_metadata
from tuiops.gitops.sops.tree import Comment, Document, Mapping, Node, Scalar, Sequence

METADATA_KEY = "sops"
OTHER_KEY_TYPES = ("pgp", "kms", "gcp_kms", "azure_kv", "hc_vault")
"""Master key types besides age, as the `sops:` block spells them."""
_FLAT_BEFORE_AGE = ("kms", "gcp_kms", "azure_kv", "hc_vault")
"""Where sops writes a single group's keys: these before `age`, `pgp` after `mac`."""


def to_plain(node: Node) -> Any:
    """A tree as plain Python data (comments dropped), for reading metadata."""
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Sequence):
        return [to_plain(i) for i in node.items if not isinstance(i, Comment)]
    return {k: to_plain(v) for k, v in (i for i in node.items if not isinstance(i, Comment))}


@dataclass(frozen=True, slots=True)
class KeyGroup:
    """One key group: its age stanzas, and other master keys kept as read."""

    age: tuple[AgeStanza, ...]
    others: tuple[tuple[str, Sequence], ...] = ()
    """(type, list node) for each non-age key type the group holds, e.g. ("pgp", [...])."""

    @property
    def recipients(self) -> tuple[str, ...]:
        return tuple(stanza.recipient for stanza in self.age)

    def other_names(self) -> tuple[str, ...]:
        """The non-age keys, each as `type:identifier` (fingerprint, ARN, ...)."""
        return tuple(
            key_name(kind, entry) for kind, node in self.others for entry in to_plain(node) or []
        )


def key_name(kind: str, entry: object) -> str:
    """A non-age key entry of a `sops:` block as `type:identifier`, named the way `.sops.yaml`
    names it (`pgp:FINGERPRINT`, `kms:ARN`, `hc_vault:https://vault/v1/transit/keys/k`)."""
    if not isinstance(entry, dict):
        return f"{kind}:?"
    if kind == "hc_vault":
        return (
            f"hc_vault:{entry.get('vault_address')}/v1/{entry.get('engine_path')}"
            f"/keys/{entry.get('key_name')}"
        )
    for field_name in ("fp", "arn", "resource_id", "vault_url"):
        if entry.get(field_name):
            return f"{kind}:{entry[field_name]}"
    return f"{kind}:?"


@dataclass(frozen=True, slots=True)
class Metadata:
    """What a SOPS file says about itself."""

    key_groups: tuple[KeyGroup, ...]
    lastmodified: str
    mac: str
    rule: EncryptionRule
    mac_only_encrypted: bool
    version: str
    shamir_threshold: int | None

    @property
    def age(self) -> tuple[AgeStanza, ...]:
        """Every age stanza of every group."""
        return tuple(stanza for group in self.key_groups for stanza in group.age)

    @property
    def threshold(self) -> int:
        """How many groups must open to recover the data key."""
        if len(self.key_groups) <= 1:
            return 1
        return self.shamir_threshold or len(self.key_groups)

    def with_keys(self, groups: tuple[KeyGroup, ...], threshold: int | None) -> Metadata:
        return replace(self, key_groups=groups, shamir_threshold=threshold)

    def with_seal(self, lastmodified: str, mac: str) -> Metadata:
        return replace(self, lastmodified=lastmodified, mac=mac)


def metadata_node(document: Document) -> Mapping | None:
    """The `sops` mapping of a document, if it has one."""
    if isinstance(document.root, Mapping):
        node = document.root.get(METADATA_KEY)
        if isinstance(node, Mapping):
            return node
    return None


def _stanzas(raw: Any, file: str) -> tuple[AgeStanza, ...]:
    stanzas = []
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict) or not entry.get("recipient") or not entry.get("enc"):
            raise SopsFormatError(f"{file}: an age entry of the sops block has no recipient/enc")
        stanzas.append(AgeStanza(str(entry["recipient"]), str(entry["enc"])))
    return tuple(stanzas)


def _group(node: Mapping, file: str) -> KeyGroup:
    others = []
    for kind in OTHER_KEY_TYPES:
        child = node.get(kind)
        if isinstance(child, Sequence) and any(not isinstance(i, Comment) for i in child.items):
            others.append((kind, child))
    return KeyGroup(_stanzas(to_plain(node.get("age") or Sequence()), file), tuple(others))


def _timestamp_text(value: Any) -> str:
    """`lastmodified` as sops formats it (RFC 3339, seconds, `Z`): the MAC's AAD."""
    if isinstance(value, dt.datetime):
        moment = value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return "" if value is None else str(value)


def read_metadata(documents: list[Document], file: str) -> Metadata:
    """The metadata of the first document (sops writes the same block into every document).

    Raises:
        NotSopsFileError: no `sops` block with `mac` and `version`.
        SopsFormatError: a malformed key group or threshold.
    """
    node = metadata_node(documents[0]) if documents else None
    if node is None:
        raise NotSopsFileError(f"{file}: not a SOPS file (sops metadata not found)")
    raw = to_plain(node)
    if "mac" not in raw or "version" not in raw:
        raise NotSopsFileError(f"{file}: not a SOPS file (its sops block has no mac/version)")
    groups_node = node.get("key_groups")
    if isinstance(groups_node, Sequence) and groups_node.items:
        groups = tuple(
            _group(item, file) for item in groups_node.items if isinstance(item, Mapping)
        )
    else:
        groups = (_group(node, file),)
    threshold = raw.get("shamir_threshold")
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, int)):
        raise SopsFormatError(f"{file}: shamir_threshold is not a whole number: {threshold!r}")
    return Metadata(
        key_groups=groups,
        lastmodified=_timestamp_text(raw.get("lastmodified")),
        mac=str(raw.get("mac") or ""),
        rule=rule_from_metadata(raw),  # raises SopsConfigError for a bad rule field
        mac_only_encrypted=raw.get("mac_only_encrypted") is True,
        version=str(raw.get("version")),
        shamir_threshold=threshold,
    )


def _str(value: str) -> Scalar:
    return Scalar(value, "str")


def _age_list(stanzas: tuple[AgeStanza, ...]) -> Sequence:
    return Sequence(
        items=[
            Mapping(items=[("recipient", _str(s.recipient)), ("enc", _str(s.enc))]) for s in stanzas
        ]
    )


def _others(group: KeyGroup, kinds: tuple[str, ...]) -> list[tuple[str, Node] | Comment]:
    found = dict(group.others)
    return [(kind, found[kind]) for kind in kinds if kind in found]


def metadata_tree(meta: Metadata) -> Mapping:
    """The `sops:` block as sops 3.11 writes it (its struct order; empty lists left out, except
    `hc_vault` and `age` inside `key_groups`, which sops always writes)."""
    items: list[tuple[str, Node] | Comment] = []
    if meta.shamir_threshold:
        items.append(("shamir_threshold", Scalar(meta.shamir_threshold, "int")))
    if len(meta.key_groups) > 1:
        groups = []
        for group in meta.key_groups:
            entry = _others(group, ("pgp", "kms", "gcp_kms", "azure_kv"))
            entry.append(("hc_vault", dict(group.others).get("hc_vault", Sequence())))
            entry.append(("age", _age_list(group.age)))
            groups.append(Mapping(items=entry))
        items.append(("key_groups", Sequence(items=list(groups))))
    single = meta.key_groups[0] if len(meta.key_groups) == 1 else KeyGroup(())
    items += _others(single, _FLAT_BEFORE_AGE)
    if single.age:
        items.append(("age", _age_list(single.age)))
    items.append(("lastmodified", _str(meta.lastmodified)))
    items.append(("mac", _str(meta.mac)))
    items += _others(single, ("pgp",))
    items.append((meta.rule.field, _str(meta.rule.value)))
    if meta.mac_only_encrypted:
        items.append(("mac_only_encrypted", Scalar(True, "bool")))
    items.append(("version", _str(meta.version)))
    return Mapping(items=items)
