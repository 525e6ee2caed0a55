"""The `sops:` block: recipients, rule field, MAC, lastmodified."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tuiops.gitops.sops.errors import NotSopsFileError, UnsupportedError
from tuiops.gitops.sops.keys import AgeStanza
from tuiops.gitops.sops.rules import EncryptionRule, rule_from_metadata
from tuiops.gitops.sops.tree import Comment, Document, Mapping, Node, Scalar, Sequence

METADATA_KEY = "sops"


def to_plain(node: Node) -> Any:
    """A tree as plain Python data (comments dropped), for reading metadata."""
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Sequence):
        return [to_plain(i) for i in node.items if not isinstance(i, Comment)]
    return {k: to_plain(v) for k, v in (i for i in node.items if not isinstance(i, Comment))}


@dataclass(frozen=True, slots=True)
class Metadata:
    """What a SOPS file says about itself."""

    age: tuple[AgeStanza, ...]
    lastmodified: str
    mac: str
    rule: EncryptionRule
    mac_only_encrypted: bool
    version: str
    shamir_threshold: int | None
    key_group_count: int


def metadata_node(document: Document) -> Mapping | None:
    """The `sops` mapping of a document, if it has one."""
    if isinstance(document.root, Mapping):
        node = document.root.get(METADATA_KEY)
        if isinstance(node, Mapping):
            return node
    return None


def _stanzas(raw: Any) -> list[AgeStanza]:
    stanzas = []
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, dict) and entry.get("recipient") and entry.get("enc"):
            stanzas.append(AgeStanza(str(entry["recipient"]), str(entry["enc"])))
    return stanzas


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
        UnsupportedError: several key groups (Shamir) or no age recipient at all.
    """
    node = metadata_node(documents[0]) if documents else None
    if node is None:
        raise NotSopsFileError(f"{file}: not a SOPS file (sops metadata not found)")
    raw = to_plain(node)
    if "mac" not in raw or "version" not in raw:
        raise NotSopsFileError(f"{file}: not a SOPS file (its sops block has no mac/version)")
    groups = raw.get("key_groups") or []
    if isinstance(groups, list) and len(groups) > 1:
        raise UnsupportedError(f"{file}: {len(groups)} key groups (Shamir) are not supported")
    age = _stanzas(raw.get("age"))
    if isinstance(groups, list) and len(groups) == 1 and isinstance(groups[0], dict):
        age += _stanzas(groups[0].get("age"))
    if not age:
        others = [k for k in ("pgp", "kms", "gcp_kms", "azure_kv", "hc_vault") if raw.get(k)]
        what = ", ".join(others) if others else "no recipients"
        raise UnsupportedError(f"{file}: no age recipient ({what}); tuiops decrypts age only")
    threshold = raw.get("shamir_threshold")
    rule = rule_from_metadata(raw)  # raises SopsConfigError for a bad rule field
    return Metadata(
        age=tuple(age),
        lastmodified=_timestamp_text(raw.get("lastmodified")),
        mac=str(raw.get("mac") or ""),
        rule=rule,
        mac_only_encrypted=raw.get("mac_only_encrypted") is True,
        version=str(raw.get("version")),
        shamir_threshold=threshold if isinstance(threshold, int) else None,
        key_group_count=max(len(groups) if isinstance(groups, list) else 0, 1),
    )
