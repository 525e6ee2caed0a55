"""The workloads of a HelmRelease's Helm release with their ReplicaSets and pods, for the Pods
screen (`tuiops.domain.workload_tree` builds the tree).

The workloads are those the newest storage revision's manifest names (`release_objects`); each
is read with a GET, then its ReplicaSets (Deployments) and pods are listed with its own
`spec.selector` as a server-side label selector, and the events of each namespace once: only
the objects that can belong to the release travel. Nothing raises a cluster error: a workload
that cannot be read is a node saying why, and a list that fails is a line of `unread`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tuiops.adapters.kube_api import JsonObject, KubeApi
from tuiops.adapters.release_objects import (
    PARALLEL_READS,
    READABLE_KINDS,
    read_release_manifest,
)
from tuiops.domain.decode import as_map
from tuiops.domain.decode_live import DecodeError, decode_event
from tuiops.domain.events import Event
from tuiops.domain.kinds import EVENT, POD, REPLICA_SET, ApiKind
from tuiops.domain.live import LiveObject
from tuiops.domain.release_manifest import ManifestObject
from tuiops.domain.text import inert
from tuiops.domain.workload_tree import (
    WORKLOAD_KINDS,
    TreeNode,
    WorkloadTree,
    missing_workload,
    workload_tree,
)
from tuiops.domain.workloads import label_selector_of
from tuiops.errors import ClusterError, Forbidden, NotFound


def _error_text(error: ClusterError) -> str:
    return inert(str(error), one_line=True) or type(error).__name__


class _Lists:
    """Lists that may fail: each failure becomes one line of `unread`, once."""

    def __init__(self, api: KubeApi) -> None:
        self._api = api
        self.unread: list[str] = []

    def items(self, kind: ApiKind, namespace: str, selector: str = "") -> list[JsonObject]:
        try:
            items, _ = self._api.list_all(kind, namespace=namespace, label_selector=selector)
        except ClusterError as error:
            line = f"{kind.plural} in {namespace}: {_error_text(error)}"
            if line not in self.unread:
                self.unread.append(line)
            return []
        return items


def _read_workload(api: KubeApi, item: ManifestObject) -> JsonObject | TreeNode:
    """The workload as the cluster holds it, or a node saying why it cannot be shown."""
    kind = READABLE_KINDS[(item.group, item.ref.kind)]
    try:
        obj = api.get(kind, item.ref.namespace, item.ref.name)
    except NotFound:
        return missing_workload(item.ref)
    except Forbidden as error:
        return missing_workload(item.ref, f"forbidden: {_error_text(error)}")
    except ClusterError as error:
        return missing_workload(item.ref, f"could not read: {_error_text(error)}")
    obj.setdefault("kind", kind.kind)
    return obj


def _unique(objects: list[JsonObject]) -> list[JsonObject]:
    """Objects listed by several selectors, once each (by namespace and name)."""
    seen: dict[tuple[str, str], JsonObject] = {}
    for obj in objects:
        metadata = as_map(obj.get("metadata"))
        seen.setdefault((str(metadata.get("namespace")), str(metadata.get("name"))), obj)
    return list(seen.values())


def _decoded_events(items: list[JsonObject]) -> list[Event]:
    events = []
    for item in items:
        try:
            events.append(decode_event(item))
        except DecodeError:
            continue
    return events


def release_workloads(api: KubeApi, release: LiveObject) -> WorkloadTree:
    """The workloads of a HelmRelease's newest Helm revision, their ReplicaSets and pods.

    Args:
        api: The cluster.
        release: A decoded HelmRelease.

    Returns:
        The tree, not ready first; `note` says why there is none (no storage revision,
        Secrets forbidden), `unread` what could not be listed. Cluster errors are never raised.
    """
    read = read_release_manifest(api, release)
    if isinstance(read, str):
        return WorkloadTree(note=read)
    where, manifest = read
    items = [
        item
        for item in manifest.objects
        if item.ref.kind in WORKLOAD_KINDS and (item.group, item.ref.kind) in READABLE_KINDS
    ]
    lists = _Lists(api)
    with ThreadPoolExecutor(max_workers=PARALLEL_READS) as pool:
        workloads = list(pool.map(lambda item: _read_workload(api, item), items))
        found = [obj for obj in workloads if not isinstance(obj, TreeNode)]
        reads: list[tuple[ApiKind, str, str]] = []
        for obj in found:
            metadata = as_map(obj.get("metadata"))
            namespace = str(metadata.get("namespace") or "")
            selector = label_selector_of(as_map(obj.get("spec")).get("selector"))
            if not selector:
                continue  # an empty selector would list every pod of the namespace
            reads.append((POD, namespace, selector))
            if obj.get("kind") == "Deployment":
                reads.append((REPLICA_SET, namespace, selector))
        namespaces = sorted({str(as_map(o.get("metadata")).get("namespace")) for o in found})
        reads += [(EVENT, namespace, "") for namespace in namespaces]
        batches = pool.map(lambda read: lists.items(*read), reads)
        listed = [obj for batch in batches for obj in batch]
    by_kind: dict[str, list[JsonObject]] = {}
    for obj in listed:
        by_kind.setdefault(str(obj.get("kind")), []).append(obj)
    tree = workload_tree(
        where,
        workloads,
        replica_sets=_unique(by_kind.get("ReplicaSet", [])),
        pods=_unique(by_kind.get("Pod", [])),
        events=_decoded_events(by_kind.get("Event", [])),
        unread=lists.unread,
    )
    return tree
