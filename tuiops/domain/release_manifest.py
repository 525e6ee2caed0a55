"""The objects a Helm release creates, from its rendered manifest (the `manifest` string of the
release in its storage Secret: YAML documents separated by `---`), already parsed into plain
values by the adapter that read it (the domain imports no YAML library).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tuiops.domain.decode import as_map, as_str
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


def manifest_objects(
    documents: Iterable[object], release_namespace: str, unreadable: int = 0
) -> ReleaseManifest:
    """The objects the parsed documents of a rendered Helm manifest create.

    Args:
        documents: Each document as YAML parsed it; None (an empty or comment-only document,
            which a template that renders nothing leaves) is skipped.
        release_namespace: The release namespace, which namespaced objects without a
            `metadata.namespace` are created in.
        unreadable: Documents the caller could not parse at all, added to the count.

    Returns:
        The objects in manifest order (duplicates dropped) and how many documents named none.
    """
    objects: dict[ObjectRef, ManifestObject] = {}
    for document in documents:
        if document is None:
            continue
        fields = as_map(document)
        metadata = as_map(fields.get("metadata"))
        kind, name = as_str(fields.get("kind")), as_str(metadata.get("name"))
        if not kind or not name or kind == "List":
            unreadable += 1
            continue
        scoped = kind not in CLUSTER_SCOPED_KINDS
        namespace = (as_str(metadata.get("namespace")) or release_namespace) if scoped else ""
        ref = ObjectRef(kind, namespace, name)
        objects.setdefault(ref, ManifestObject(ref, as_str(fields.get("apiVersion"))))
    return ReleaseManifest(tuple(objects.values()), unreadable)
