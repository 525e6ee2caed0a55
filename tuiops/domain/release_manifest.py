"""The objects a Helm release creates, read from its rendered manifest (the `manifest` string of
the release in its storage Secret: YAML documents separated by `---`, each preceded by a
`# Source: <chart>/templates/<file>` comment).

The domain may not import a YAML library, and it needs only `apiVersion`, `kind` and
`metadata.name`/`namespace` of each document, so this reads those keys from block-style YAML
(what Helm's templates render), JSON and flow-style documents, and a flow-style
`metadata: {...}`. A document it cannot read is counted, never guessed at.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from tuiops.domain.refs import ObjectRef

CLUSTER_SCOPED_KINDS = frozenset(
    {
        "APIService",
        "CSIDriver",
        "CSINode",
        "ClusterIssuer",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "IngressClass",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PriorityClass",
        "RuntimeClass",
        "StorageClass",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeSnapshotClass",
    }
)
"""Kinds without a namespace (Kubernetes' own plus common add-ons): no release namespace for
them. Any other kind is taken to be namespaced, as Helm does for kinds it does not know."""

_SEPARATOR = re.compile(r"^---(?:[ \t].*)?$")
_KEY = re.compile(
    r"""^(?P<key>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{\[\-][^:]*?)"""
    r"""\s*:(?:[ \t]+(?P<value>.*))?$"""
)
_PROPERTY = re.compile(r"^(?:![^\s]*|&[^\s]+)\s+")
"""A tag (`!!str`) or an anchor (`&name`) before a scalar."""


@dataclass(frozen=True, slots=True)
class ManifestObject:
    """One object a Helm release creates."""

    ref: ObjectRef
    """Kind, namespace (the release namespace when the template sets none; empty for
    cluster-scoped kinds) and name."""
    api_version: str
    """`apiVersion` as rendered, e.g. `apps/v1` or `v1`."""

    @property
    def group(self) -> str:
        """The API group: empty for the core group (`v1`)."""
        group, slash, _ = self.api_version.rpartition("/")
        return group if slash else ""


@dataclass(frozen=True, slots=True)
class ReleaseManifest:
    """What a release's manifest says it creates."""

    objects: tuple[ManifestObject, ...]
    """In manifest order (Helm's install order), duplicates dropped."""
    unreadable: int = 0
    """Documents without a readable `kind` and `metadata.name` (or a `List`)."""


def _scalar(text: str | None) -> str | None:
    """A one-line YAML scalar's value; None when it is not a plain one-line scalar."""
    if text is None:
        return None
    value = _PROPERTY.sub("", text.strip())
    if value.startswith('"'):
        end = re.match(r'"(?:[^"\\]|\\.)*"', value)
        if end is None:
            return None
        try:
            decoded = json.loads(end.group(0))
        except ValueError:
            decoded = end.group(0)[1:-1]
        return decoded if isinstance(decoded, str) else None
    if value.startswith("'"):
        end = re.match(r"'(?:[^']|'')*'", value)
        return end.group(0)[1:-1].replace("''", "'") if end else None
    value = re.split(r"\s#", value, maxsplit=1)[0].strip()
    if not value or value[0] in "|>*[{&!%@`":
        return None
    return value


def _flow_entries(text: str) -> list[tuple[str, str]] | None:
    """The `key: value` entries of a flow mapping `{a: x, b: {c: y}}` as raw texts (nested
    values unparsed); None when `text` is not one."""
    inner = text.strip()
    if not (inner.startswith("{") and inner.endswith("}")):
        return None
    parts: list[str] = []
    depth, quote, start = 0, "", 1
    for index, char in enumerate(inner[1:-1], start=1):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(inner[start:index])
            start = index + 1
    parts.append(inner[start:-1])
    entries = []
    for part in parts:
        key, colon, value = part.partition(": ") if ": " in part else part.partition(":")
        if colon:
            entries.append((key.strip(), value.strip()))
    return entries


def _flow_pairs(text: str) -> dict[str, str]:
    """The scalar pairs of a flow mapping; nested values are skipped."""
    pairs: dict[str, str] = {}
    for key, value in _flow_entries(text) or ():
        name, scalar = _scalar(key), _scalar(value)
        if name is not None and scalar is not None:
            pairs[name] = scalar
    return pairs


def _flow_fields(text: str) -> tuple[dict[str, str], dict[str, str]] | None:
    """(top-level scalars, metadata scalars) of a document that is one flow mapping."""
    entries = _flow_entries(" ".join(line.strip() for line in text.splitlines()))
    if entries is None:
        return None
    top: dict[str, str] = {}
    meta: dict[str, str] = {}
    for key, value in entries:
        name = _scalar(key)
        if name == "metadata":
            meta = _flow_pairs(value)
        elif name is not None and (scalar := _scalar(value)) is not None:
            top[name] = scalar
    return top, meta


def _key(match: re.Match[str]) -> str:
    return _scalar(match.group("key")) or ""


def _block_fields(lines: list[str]) -> tuple[dict[str, str], dict[str, str]] | None:
    """(top-level scalars, metadata scalars) of a block-style document; None when its root is
    not a mapping."""
    top: dict[str, str] = {}
    meta: dict[str, str] = {}
    base: int | None = None
    in_meta = False
    meta_indent: int | None = None
    for line in lines:
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        base = indent if base is None else base
        if indent < base:
            return None
        if indent == base:
            match = _KEY.match(stripped.rstrip())
            if match is None:
                return None
            key, value = _key(match), match.group("value") or ""
            if value.lstrip().startswith("#"):
                value = ""
            in_meta = key == "metadata" and not value.strip()
            meta_indent = None
            if key == "metadata" and value.strip():
                meta.update(_flow_pairs(value))
            elif (scalar := _scalar(value)) is not None:
                top[key] = scalar
            continue
        if not in_meta:
            continue
        meta_indent = indent if meta_indent is None else meta_indent
        if indent != meta_indent or stripped.startswith("-"):
            continue  # deeper (labels, a block scalar's text) or a list item
        match = _KEY.match(stripped.rstrip())
        if match is not None and (scalar := _scalar(match.group("value"))) is not None:
            meta[_key(match)] = scalar
    return top, meta


def _fields(document: str) -> tuple[dict[str, str], dict[str, str]] | None:
    body = document.strip()
    if body.startswith("{"):
        try:
            parsed = json.loads(body)
        except ValueError:
            return _flow_fields(body)
        if not isinstance(parsed, dict):
            return None
        metadata = parsed.get("metadata")
        top = {k: v for k, v in parsed.items() if isinstance(v, str)}
        meta = metadata if isinstance(metadata, dict) else {}
        return top, {k: v for k, v in meta.items() if isinstance(v, str)}
    return _block_fields(document.splitlines())


def _documents(manifest: str) -> list[str]:
    documents: list[list[str]] = [[]]
    for line in manifest.splitlines():
        if _SEPARATOR.match(line):
            # `--- {kind: ...}`: content may follow the marker on its line.
            rest = line[3:].strip()
            documents.append([] if not rest or rest.startswith("#") else [rest])
        elif line.rstrip() != "...":
            documents[-1].append(line)
    return ["\n".join(lines) for lines in documents]


def _is_empty(document: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in document.split("\n"))


def parse_release_manifest(manifest: str, release_namespace: str) -> ReleaseManifest:
    """The objects a rendered Helm manifest creates.

    Args:
        manifest: The release's `manifest` text.
        release_namespace: The release namespace, which namespaced objects without a
            `metadata.namespace` are created in.

    Returns:
        The objects in manifest order and the number of documents that could not be read.
    """
    objects: dict[ObjectRef, ManifestObject] = {}
    unreadable = 0
    for document in _documents(manifest):
        if _is_empty(document):
            continue
        fields = _fields(document)
        top, meta = fields if fields is not None else ({}, {})
        kind, name = top.get("kind", ""), meta.get("name", "")
        if not kind or not name or kind == "List":
            unreadable += 1
            continue
        namespace = "" if kind in CLUSTER_SCOPED_KINDS else meta.get("namespace", "")
        if kind not in CLUSTER_SCOPED_KINDS and not namespace:
            namespace = release_namespace
        ref = ObjectRef(kind, namespace, name)
        objects.setdefault(ref, ManifestObject(ref, top.get("apiVersion", "")))
    return ReleaseManifest(tuple(objects.values()), unreadable)
