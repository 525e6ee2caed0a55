"""Building blocks of the scenarios: the Flux objects the example repo's cluster applies, read
straight from their YAML documents (spec as written), and the Namespaces, Nodes and HelmCharts
around them. Status is left to `flux.status` / `flux.helm_actions`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from tuiops.domain.flux import FluxKustomization, HelmRelease, Source
from tuiops.domain.refs import ObjectRef
from tuiops.domain.repo import LayerState, RepoModel
from tuiops.domain.talos import NodeRole
from tuiops.gitops.loader import load_repo
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.clock import rfc3339
from tuiops.sim.flux.objects import helm_chart_name
from tuiops.sim.talos.nodes import SimTalosNode

JsonObject = dict[str, Any]

OWNER_NAME = "kustomize.toolkit.fluxcd.io/name"
OWNER_NAMESPACE = "kustomize.toolkit.fluxcd.io/namespace"
FINALIZER = "finalizers.fluxcd.io"
_MEMORY_OK = "kubelet has sufficient memory available"
_DISK_OK = "kubelet has no disk pressure"
_PID_OK = "kubelet has sufficient PID available"
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def uid_for(kind: str, namespace: str, name: str) -> str:
    """The uid the store would give the object (same uuid5 formula), known before loading."""
    key = type_for_kind(kind).key
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{key}/{namespace}/{name}"))


@dataclass(frozen=True, slots=True)
class RepoObject:
    """One Flux object the repo's cluster applies: its model, its document and its applier."""

    ref: ObjectRef
    doc: JsonObject
    """The YAML document as JSON (do not mutate)."""
    owner: ObjectRef | None
    """The Kustomization whose path holds the document; None for entry points."""
    kustomization: FluxKustomization | None = None
    helm_release: HelmRelease | None = None
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class RepoObjects:
    """Everything of the repo that a scenario turns into cluster objects, in apply order."""

    model: RepoModel
    kustomizations: tuple[RepoObject, ...]
    helm_releases: tuple[RepoObject, ...]
    sources: tuple[RepoObject, ...]


def _documents(root: Path, file: str, cache: dict[str, list[JsonObject]]) -> list[JsonObject]:
    if file not in cache:
        text = (root / file).read_text(encoding="utf-8")
        docs = [d for d in yaml.load_all(text, Loader=_LOADER) if isinstance(d, dict)]
        # JSON-shaped like the API server would hold it (YAML dates become strings).
        cache[file] = json.loads(json.dumps(docs, default=str))
    return cache[file]


def _find_doc(
    root: Path, ref: ObjectRef, file: str, cache: dict[str, list[JsonObject]]
) -> JsonObject:
    for doc in _documents(root, file, cache):
        meta = doc.get("metadata") or {}
        same_name = doc.get("kind") == ref.kind and meta.get("name") == ref.name
        if same_name and meta.get("namespace", ref.namespace) == ref.namespace:
            return doc
    raise LookupError(f"{ref} not found in {file}")


def _owner(file: str, ref: ObjectRef, appliers: Iterable[FluxKustomization]) -> ObjectRef | None:
    """The Git-sourced Kustomization with the longest `path` that holds `file`."""
    best: FluxKustomization | None = None
    for ks in appliers:
        if ks.ref == ref or ks.source is None or ks.source.kind != "GitRepository":
            continue
        prefix = ks.path.strip("/")
        if not prefix or not (file == prefix or file.startswith(prefix + "/")):
            continue
        if best is None or len(prefix) > len(best.path.strip("/")):
            best = ks
    return best.ref if best is not None else None


def read_repo_objects(root: Path) -> RepoObjects:
    """The Kustomizations, HelmReleases and sources of the repo's first cluster.

    Entry points and every layer count, a commented-out layer too (its apps were deployed
    before it was commented out, and `tuiops status` lists them); orphans that no entry point
    or layer holds do not.
    """
    model = load_repo(root)
    cluster = model.clusters[0]
    # Flux applies only the layers the root kustomization lists; commented ones stay in git.
    applied = (layer for layer in cluster.layers if layer.state is LayerState.LISTED)
    components = [*cluster.entrypoints, *(c for layer in applied for c in layer.components)]
    kustomizations = list(dict.fromkeys(k for c in components for k in c.kustomizations))
    releases = list(dict.fromkeys(h for c in components for h in c.helm_releases))
    cache: dict[str, list[JsonObject]] = {}

    def repo_object(ref: ObjectRef, file: str, **model_fields: Any) -> RepoObject:
        doc = _find_doc(root, ref, file, cache)
        return RepoObject(ref, doc, _owner(file, ref, kustomizations), **model_fields)

    return RepoObjects(
        model=model,
        kustomizations=tuple(
            repo_object(k.ref, k.location.file, kustomization=k) for k in kustomizations
        ),
        helm_releases=tuple(repo_object(h.ref, h.location.file, helm_release=h) for h in releases),
        sources=tuple(repo_object(s.ref, s.location.file, source=s) for s in model.sources),
    )


def flux_object(
    doc: Mapping[str, Any],
    *,
    created: datetime,
    owner: ObjectRef | None,
    generation: int = 1,
    copy_spec: bool = True,
) -> JsonObject:
    """A Flux object as the cluster holds it after Flux applied `doc` (status still empty).

    `copy_spec=False` takes `doc["spec"]` as it is (for freshly made documents).
    """
    meta = doc.get("metadata") or {}
    kind = str(doc["kind"])
    name = str(meta["name"])
    namespace = str(meta.get("namespace") or "flux-system")
    labels = dict(meta.get("labels") or {})
    if owner is not None:
        labels[OWNER_NAME] = owner.name
        labels[OWNER_NAMESPACE] = owner.namespace
    metadata: JsonObject = {
        "name": name,
        "namespace": namespace,
        "generation": generation,
        "creationTimestamp": rfc3339(created),
        "uid": uid_for(kind, namespace, name),
    }
    if meta.get("annotations"):
        metadata["annotations"] = dict(meta["annotations"])
    metadata["labels"] = dict(sorted(labels.items()))
    metadata["finalizers"] = [FINALIZER]
    spec = dict(sorted((doc.get("spec") or {}).items()))
    return {
        "apiVersion": type_for_kind(kind).api_version(),
        "kind": kind,
        "metadata": metadata,
        "spec": json.loads(json.dumps(spec)) if copy_spec else spec,
        "status": {"observedGeneration": -1},
    }


def helm_chart_object(release: Mapping[str, Any], created: datetime) -> JsonObject | None:
    """The HelmChart `<hrNamespace>-<hrName>` for a release using `spec.chart`."""
    names = helm_chart_name(release)
    if names is None:
        return None
    namespace, name = names
    chart_spec = release["spec"]["chart"]["spec"]
    source = chart_spec.get("sourceRef") or {}
    spec = {
        "chart": chart_spec.get("chart", ""),
        "interval": chart_spec.get("interval") or release["spec"].get("interval", "10m"),
        "reconcileStrategy": chart_spec.get("reconcileStrategy", "ChartVersion"),
        "sourceRef": {"kind": source.get("kind", "HelmRepository"), "name": source.get("name")},
        "version": chart_spec.get("version", "*"),
    }
    return {
        "apiVersion": type_for_kind("HelmChart").api_version(),
        "kind": "HelmChart",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "generation": 1,
            "creationTimestamp": rfc3339(created),
            "uid": uid_for("HelmChart", namespace, name),
            "finalizers": [FINALIZER],
        },
        "spec": spec,
        "status": {"observedGeneration": -1},
    }


def namespace_object(name: str, created: datetime) -> JsonObject:
    """An Active Namespace."""
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": name,
            "labels": {"kubernetes.io/metadata.name": name},
            "creationTimestamp": rfc3339(created),
            "uid": uid_for("Namespace", "", name),
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def node_object(node: SimTalosNode, created: datetime, now: datetime) -> JsonObject:
    """The Kubernetes Node of a simulated Talos machine; NotReady (Unknown) when unreachable."""
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": node.hostname,
        "kubernetes.io/os": "linux",
    }
    if node.role is NodeRole.CONTROLPLANE:
        labels["node-role.kubernetes.io/control-plane"] = ""
    stamp = rfc3339(created)
    healthy = node.ready and node.reachable

    def cond(type_: str, status: str, reason: str, message: str) -> JsonObject:
        return {
            "type": type_,
            "status": status if healthy else "Unknown",
            "lastHeartbeatTime": rfc3339(now),
            "lastTransitionTime": stamp,
            "reason": reason if healthy else "NodeStatusUnknown",
            "message": message if healthy else "Kubelet stopped posting node status.",
        }

    spec: JsonObject = {}
    if node.role is NodeRole.CONTROLPLANE:
        spec["taints"] = [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
    if not healthy:
        spec.setdefault("taints", []).append(
            {"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"}
        )
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": node.hostname,
            "labels": labels,
            "creationTimestamp": stamp,
            "uid": uid_for("Node", "", node.hostname),
        },
        "spec": spec,
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": node.address},
                {"type": "Hostname", "address": node.hostname},
            ],
            "conditions": [
                cond("MemoryPressure", "False", "KubeletHasSufficientMemory", _MEMORY_OK),
                cond("DiskPressure", "False", "KubeletHasNoDiskPressure", _DISK_OK),
                cond("PIDPressure", "False", "KubeletHasSufficientPID", _PID_OK),
                cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "nodeInfo": {
                "architecture": "amd64",
                "containerRuntimeVersion": "containerd://2.1.4",
                "kernelVersion": "6.12.52-talos",
                "kubeProxyVersion": node.kubernetes_version,
                "kubeletVersion": node.kubernetes_version,
                "operatingSystem": "linux",
                "osImage": f"Talos ({node.talos_version})",
            },
        },
    }


def desired_chart_version(release: Mapping[str, Any], sources: Mapping[str, JsonObject]) -> str:
    """The chart version a HelmRelease asks for: `chart.spec.version`, or for a `chartRef`
    OCIRepository its `ref.tag`; empty when neither says."""
    spec = release.get("spec", {})
    chart_spec = (spec.get("chart") or {}).get("spec")
    if isinstance(chart_spec, dict):
        return str(chart_spec.get("version", ""))
    ref = spec.get("chartRef") or {}
    namespace = ref.get("namespace") or release.get("metadata", {}).get("namespace", "")
    source = sources.get(f"{ref.get('kind', 'OCIRepository')}/{namespace}/{ref.get('name')}")
    tag = ((source or {}).get("spec", {}).get("ref") or {}).get("tag", "")
    return str(tag)


def inventory_entry(ref: ObjectRef) -> dict[str, str]:
    """A Kustomization inventory entry for a Flux object it applied."""
    groups = {
        "HelmRelease": ("helm.toolkit.fluxcd.io", "v2"),
        "Kustomization": ("kustomize.toolkit.fluxcd.io", "v1"),
    }
    group, version = groups.get(ref.kind, ("source.toolkit.fluxcd.io", "v1"))
    return {"id": f"{ref.namespace}_{ref.name}_{group}_{ref.kind}", "v": version}
