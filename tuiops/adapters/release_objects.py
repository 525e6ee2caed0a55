"""Which objects of a HelmRelease's Helm release are not ready, and why (helm-controller #716:
"Report culprit for timed-out HelmRelease").

Flux 2.7 keeps no inventory for a HelmRelease, so the objects come from the release itself:
the newest revision's storage Secret holds the rendered manifest. Each object is read with a
GET (kinds mapped to API paths by `READABLE_KINDS`) and judged by the kstatus-style rules of
`tuiops.domain.workloads`; for an object that is not ready, its pods, its ReplicaSets and the
namespace's Warning events name the culprit (`tuiops.domain.culprits`): a pod that cannot be
scheduled, a ReplicaSet whose `FailedCreate` names a missing ServiceAccount, a container in
CrashLoopBackOff.

Nothing here raises a cluster error: what could not be read becomes a line of the answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import yaml

from tuiops.adapters.cluster_reads import helm_release_of
from tuiops.adapters.kube_api import JsonObject, KubeApi
from tuiops.domain.culprits import explain
from tuiops.domain.decode import as_map, as_str
from tuiops.domain.decode_live import DecodeError, decode_event
from tuiops.domain.events import Event
from tuiops.domain.helm import helm_storage_selector, unpack_release_payload
from tuiops.domain.kinds import DEPLOYMENT, EVENT, NAMESPACE, POD, REPLICA_SET, SECRET, ApiKind
from tuiops.domain.live import LiveObject
from tuiops.domain.release_manifest import ManifestObject, ReleaseManifest, manifest_objects
from tuiops.domain.text import inert
from tuiops.domain.workloads import (
    ObjectReadiness,
    ReleaseObjects,
    by_readiness,
    label_selector_of,
    missing,
    readiness_of,
    unknown,
)
from tuiops.errors import ClusterError, Forbidden, NotFound

READABLE_KINDS: dict[tuple[str, str], ApiKind] = {
    (kind.group, kind.kind): kind
    for kind in (
        POD,
        SECRET,
        DEPLOYMENT,
        REPLICA_SET,
        ApiKind("Service", "", "v1", "services"),
        ApiKind("ServiceAccount", "", "v1", "serviceaccounts"),
        ApiKind("ConfigMap", "", "v1", "configmaps"),
        ApiKind("PersistentVolumeClaim", "", "v1", "persistentvolumeclaims"),
        NAMESPACE,
        ApiKind("StatefulSet", "apps", "v1", "statefulsets"),
        ApiKind("DaemonSet", "apps", "v1", "daemonsets"),
        ApiKind("Job", "batch", "v1", "jobs"),
        ApiKind("CronJob", "batch", "v1", "cronjobs"),
        ApiKind("Role", "rbac.authorization.k8s.io", "v1", "roles"),
        ApiKind("RoleBinding", "rbac.authorization.k8s.io", "v1", "rolebindings"),
        ApiKind("ClusterRole", "rbac.authorization.k8s.io", "v1", "clusterroles", False),
        ApiKind(
            "ClusterRoleBinding", "rbac.authorization.k8s.io", "v1", "clusterrolebindings", False
        ),
        ApiKind("Ingress", "networking.k8s.io", "v1", "ingresses"),
        ApiKind("NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies"),
        ApiKind("PodDisruptionBudget", "policy", "v1", "poddisruptionbudgets"),
        ApiKind("HorizontalPodAutoscaler", "autoscaling", "v2", "horizontalpodautoscalers"),
    )
}
"""(API group, kind) → where to GET it. Kinds not listed (custom resources among them) are
reported as not checked rather than guessed at."""
WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"})
"""Kinds whose pods (by `spec.selector`) are looked at when they are not ready."""
PARALLEL_READS = 6
"""GETs in flight at once: a chart of 100 objects reads in a fraction of a second."""
_REVISION_SUFFIX = re.compile(r"\.v(\d+)$")


def _revision_of(secret: Mapping[str, Any]) -> int:
    """A storage Secret's revision: its `version` label, else its name's `.v<N>` suffix."""
    metadata = as_map(secret.get("metadata"))
    label = as_str(as_map(metadata.get("labels")).get("version"))
    if label.isdigit():
        return int(label)
    match = _REVISION_SUFFIX.search(as_str(metadata.get("name")))
    return int(match.group(1)) if match else -1


def _error_text(error: ClusterError) -> str:
    return inert(str(error), one_line=True) or type(error).__name__


_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DOCUMENT_START = re.compile(r"^---(?:[ \t].*)?$")


def parse_release_manifest(manifest: str, release_namespace: str) -> ReleaseManifest:
    """The objects a rendered Helm manifest creates. Documents are parsed one by one, so one
    that YAML cannot read is counted and does not hide the others."""
    documents: list[object] = []
    unreadable = 0
    for text in _split_documents(manifest):
        try:
            documents.append(yaml.load(text, Loader=_YAML_LOADER))
        except yaml.YAMLError:
            unreadable += 1
    return manifest_objects(documents, release_namespace, unreadable)


def _split_documents(manifest: str) -> list[str]:
    """The text of each `---`-separated document (`--- {…}` keeps what follows the marker;
    `...` end markers are dropped)."""
    documents: list[list[str]] = [[]]
    for line in manifest.splitlines():
        if _DOCUMENT_START.match(line):
            documents.append([line[3:]])
        elif line.rstrip() != "...":
            documents[-1].append(line)
    return ["\n".join(lines) for lines in documents]


class _ReleaseReader:
    """One look at one release's objects; caches the namespace event lists it reads."""

    def __init__(self, api: KubeApi) -> None:
        self._api = api
        self._events: dict[str, tuple[tuple[Event, ...], str]] = {}

    def check(self, item: ManifestObject) -> tuple[ObjectReadiness, JsonObject | None]:
        """The object's readiness by its own status, and the object (None when unread)."""
        ref = item.ref
        kind = READABLE_KINDS.get((item.group, ref.kind))
        if kind is None:
            return unknown(
                ref, f"not checked: tuiops does not read {item.api_version} {ref.kind}"
            ), None
        try:
            obj = self._api.get(kind, ref.namespace, ref.name)
        except Forbidden as error:
            text = _error_text(error)
            return unknown(ref, text if "forbidden" in text else f"forbidden: {text}"), None
        except NotFound as error:
            if "could not find the requested resource" in str(error):
                return unknown(
                    ref, f"not checked: the cluster does not serve {kind.api_version}"
                ), None
            return missing(ref), None
        except ClusterError as error:
            return unknown(ref, f"could not read: {_error_text(error)}"), None
        obj.setdefault("kind", kind.kind)
        return readiness_of(obj), obj

    def _list(
        self, kind: ApiKind, namespace: str, **selectors: str
    ) -> tuple[list[JsonObject], str]:
        try:
            items, _ = self._api.list_all(kind, namespace=namespace, **selectors)
        except ClusterError as error:
            return [], f"{kind.plural}: {_error_text(error)}"
        return items, ""

    def warning_events(self, namespace: str) -> tuple[tuple[Event, ...], str]:
        """The namespace's Warning events (read once per namespace) and a read error."""
        if namespace not in self._events:
            items, error = self._list(EVENT, namespace, field_selector="type=Warning")
            decoded = []
            for item in items:
                try:
                    decoded.append(decode_event(item))
                except DecodeError:
                    continue
            self._events[namespace] = (tuple(decoded), error)
        return self._events[namespace]

    def explained(self, status: ObjectReadiness, obj: JsonObject) -> ObjectReadiness:
        """A not-ready object's status with its culprit: pods, ReplicaSets and events."""
        ref = status.ref
        events, events_error = self.warning_events(ref.namespace)
        errors = [events_error]
        pods: list[JsonObject] = []
        replica_sets: list[JsonObject] = []
        selector = label_selector_of(as_map(obj.get("spec")).get("selector"))
        if ref.kind in WORKLOAD_KINDS and selector:
            pods, pods_error = self._list(POD, ref.namespace, label_selector=selector)
            errors.append(pods_error)
            if ref.kind == "Deployment":
                replica_sets, rs_error = self._list(
                    REPLICA_SET, ref.namespace, label_selector=selector
                )
                errors.append(rs_error)
        result = explain(status, obj, pods=pods, replica_sets=replica_sets, events=events)
        unread = "; ".join(error for error in errors if error)
        if not unread:
            return result
        return ObjectReadiness(
            result.ref, result.readiness, f"{result.reason} (not read: {unread})"
        )


def _newest_release(api: KubeApi, name: str, namespace: str) -> tuple[int, JsonObject] | None:
    """(revision, release JSON) of the newest storage Secret of a release; None when there is
    none.

    Raises:
        ClusterError: the Secrets could not be listed.
        ValueError: the newest Secret's payload cannot be unpacked.
    """
    items, _ = api.list_all(SECRET, namespace=namespace, label_selector=helm_storage_selector(name))
    if not items:
        return None
    newest = max(items, key=_revision_of)
    payload = as_str(as_map(newest.get("data")).get("release"))
    document = json.loads(unpack_release_payload(payload))
    if not isinstance(document, dict):
        raise ValueError("the release is not a JSON object")
    return _revision_of(newest), document


def read_release_manifest(api: KubeApi, release: LiveObject) -> tuple[str, ReleaseManifest] | str:
    """The objects the newest Helm storage revision of a HelmRelease names.

    Args:
        api: The cluster.
        release: A decoded HelmRelease.

    Returns:
        (`<namespace>/<name>.v<revision>`, its manifest's objects), or one line saying why they
        cannot be read (no storage Secret, Secrets forbidden, a payload that does not unpack).
        Cluster errors are never raised.
    """
    storage = helm_release_of(release)
    where = f"{storage.namespace}/{storage.release_name}"
    try:
        newest = _newest_release(api, storage.release_name, storage.namespace)
    except ClusterError as error:
        return f"cannot list the Helm storage of {where}: {_error_text(error)}"
    except ValueError as error:
        text = inert(str(error), one_line=True)
        return f"cannot decode the newest revision of {where}: {text}"
    if newest is None:
        return f"no revision of {where} in the Helm storage"
    revision, document = newest
    namespace = as_str(document.get("namespace")) or storage.namespace
    manifest = parse_release_manifest(as_str(document.get("manifest")), namespace)
    return f"{where}.v{revision}", manifest


def release_objects(api: KubeApi, release: LiveObject) -> ReleaseObjects:
    """The objects of a HelmRelease's newest Helm revision and whether each is ready.

    Args:
        api: The cluster.
        release: A decoded HelmRelease.

    Returns:
        Not-ready objects first (with their culprit), then those whose readiness is unknown
        (not checked, forbidden), then ready ones. When the release itself cannot be read
        (no storage Secret, Secrets forbidden, a payload that does not unpack), `note` says
        why and `objects` is empty. Cluster errors are never raised.
    """
    read = read_release_manifest(api, release)
    if isinstance(read, str):
        return ReleaseObjects(note=read)
    where, manifest = read
    reader = _ReleaseReader(api)
    with ThreadPoolExecutor(max_workers=PARALLEL_READS) as pool:
        checked = list(pool.map(reader.check, manifest.objects))
    statuses = [
        reader.explained(status, obj) if obj is not None and not status.ready else status
        for status, obj in checked
    ]
    return ReleaseObjects(
        release=where,
        objects=by_readiness(statuses),
        unreadable_documents=manifest.unreadable,
    )
