"""The resource types the simulated API server serves: core kinds, the kinds Helm releases
create (apps/v1 workloads, batch/v1 Jobs, ClusterRoles) and the Flux kinds, with the names,
verbs and printer columns discovery and Tables need.

Flux kinds come from `data/flux-crds.json`, a summary of the Flux 2.7.5 CRDs that a test keeps
equal to the CRD fixtures, so the simulator serves exactly what the real CRDs declare.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FLUX_CRDS_FILE = Path(__file__).resolve().parents[1] / "data" / "flux-crds.json"

READ_VERBS = ("get", "list", "watch")
ALL_VERBS = ("create", "delete", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True, slots=True)
class PrinterColumn:
    """One column of the server-side Table (a CRD's additionalPrinterColumns entry)."""

    name: str
    type: str
    json_path: str
    """A small JSONPath subset: `.a.b`, `.a[?(@.k=="v")].b`, or `` for computed columns."""
    priority: int = 0
    description: str = ""


@dataclass(frozen=True, slots=True)
class ResourceType:
    """A served resource: group, versions and names, as discovery reports them."""

    group: str
    """Empty for the core group."""
    versions: tuple[str, ...]
    """Served versions, the storage version first."""
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    columns: tuple[PrinterColumn, ...] = ()
    """Columns after `Name`; empty means the server answers Tables with Name and Age only."""
    subresources: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS

    @property
    def key(self) -> str:
        """Identity inside the store: `plural.group` (or just `plural` for core)."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def storage_version(self) -> str:
        return self.versions[0]

    def api_version(self, version: str | None = None) -> str:
        """`group/version`, or `v1` for the core group."""
        chosen = version or self.storage_version
        return f"{self.group}/{chosen}" if self.group else chosen

    @property
    def is_custom(self) -> bool:
        """Custom resources refuse strategic merge patches, as a real apiserver does."""
        return self.group.endswith("fluxcd.io")


def _age() -> PrinterColumn:
    return PrinterColumn("Age", "date", ".metadata.creationTimestamp")


CORE_TYPES: tuple[ResourceType, ...] = (
    ResourceType(
        "",
        ("v1",),
        "Namespace",
        "namespaces",
        "namespace",
        namespaced=False,
        short_names=("ns",),
        columns=(PrinterColumn("Status", "string", ".status.phase"), _age()),
        subresources=("status",),
    ),
    ResourceType(
        "",
        ("v1",),
        "Pod",
        "pods",
        "pod",
        namespaced=True,
        short_names=("po",),
        columns=(
            PrinterColumn("Ready", "string", ""),
            PrinterColumn("Status", "string", ".status.phase"),
            PrinterColumn("Restarts", "string", ""),
            _age(),
            PrinterColumn("IP", "string", ".status.podIP", priority=1),
            PrinterColumn("Node", "string", ".spec.nodeName", priority=1),
        ),
        subresources=("log", "status"),
    ),
    ResourceType(
        "",
        ("v1",),
        "Event",
        "events",
        "event",
        namespaced=True,
        short_names=("ev",),
        # The apiserver's event printer: every cell is computed (see tables._event_cell).
        columns=(
            PrinterColumn("Last Seen", "string", ""),
            PrinterColumn("Type", "string", ".type"),
            PrinterColumn("Reason", "string", ".reason"),
            PrinterColumn("Object", "string", ""),
            PrinterColumn("Subobject", "string", "", priority=1),
            PrinterColumn("Source", "string", "", priority=1),
            PrinterColumn("Message", "string", ""),
            PrinterColumn("First Seen", "string", "", priority=1),
            PrinterColumn("Count", "string", "", priority=1),
            PrinterColumn("Name", "string", ".metadata.name", priority=1),
        ),
    ),
    ResourceType(
        "",
        ("v1",),
        "Secret",
        "secrets",
        "secret",
        namespaced=True,
        columns=(
            PrinterColumn("Type", "string", ".type"),
            PrinterColumn("Data", "string", ""),
            _age(),
        ),
    ),
    ResourceType(
        "",
        ("v1",),
        "ConfigMap",
        "configmaps",
        "configmap",
        namespaced=True,
        short_names=("cm",),
        columns=(PrinterColumn("Data", "string", ""), _age()),
    ),
    ResourceType(
        "",
        ("v1",),
        "Node",
        "nodes",
        "node",
        namespaced=False,
        short_names=("no",),
        columns=(
            PrinterColumn("Status", "string", ""),
            PrinterColumn("Roles", "string", ""),
            _age(),
            PrinterColumn("Version", "string", ".status.nodeInfo.kubeletVersion"),
        ),
        subresources=("status",),
    ),
    ResourceType(
        "apps",
        ("v1",),
        "Deployment",
        "deployments",
        "deployment",
        namespaced=True,
        short_names=("deploy",),
        columns=(
            PrinterColumn("Ready", "string", ""),
            PrinterColumn("Up-to-date", "string", ".status.updatedReplicas"),
            PrinterColumn("Available", "string", ".status.availableReplicas"),
            _age(),
        ),
        subresources=("status",),
    ),
    ResourceType(
        "",
        ("v1",),
        "ServiceAccount",
        "serviceaccounts",
        "serviceaccount",
        namespaced=True,
        short_names=("sa",),
        columns=(PrinterColumn("Secrets", "string", ""), _age()),
    ),
    ResourceType(
        "",
        ("v1",),
        "Service",
        "services",
        "service",
        namespaced=True,
        short_names=("svc",),
        columns=(
            PrinterColumn("Type", "string", ".spec.type"),
            PrinterColumn("Cluster-IP", "string", ".spec.clusterIP"),
            PrinterColumn("External-IP", "string", ""),
            PrinterColumn("Port(s)", "string", ""),
            _age(),
        ),
        subresources=("status",),
    ),
    ResourceType(
        "",
        ("v1",),
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        namespaced=True,
        short_names=("pvc",),
        columns=(
            PrinterColumn("Status", "string", ".status.phase"),
            PrinterColumn("Volume", "string", ".spec.volumeName"),
            PrinterColumn("Capacity", "string", ".status.capacity.storage"),
            PrinterColumn("Access Modes", "string", ""),
            PrinterColumn("StorageClass", "string", ".spec.storageClassName"),
            _age(),
        ),
        subresources=("status",),
    ),
    ResourceType(
        "apps",
        ("v1",),
        "ReplicaSet",
        "replicasets",
        "replicaset",
        namespaced=True,
        short_names=("rs",),
        columns=(
            PrinterColumn("Desired", "integer", ""),
            PrinterColumn("Current", "integer", ""),
            PrinterColumn("Ready", "integer", ""),
            _age(),
        ),
        subresources=("status",),
    ),
    ResourceType(
        "apps",
        ("v1",),
        "StatefulSet",
        "statefulsets",
        "statefulset",
        namespaced=True,
        short_names=("sts",),
        columns=(PrinterColumn("Ready", "string", ""), _age()),
        subresources=("status",),
    ),
    ResourceType(
        "apps",
        ("v1",),
        "DaemonSet",
        "daemonsets",
        "daemonset",
        namespaced=True,
        short_names=("ds",),
        columns=(
            PrinterColumn("Desired", "integer", ""),
            PrinterColumn("Current", "integer", ""),
            PrinterColumn("Ready", "integer", ""),
            PrinterColumn("Up-to-date", "integer", ""),
            PrinterColumn("Available", "integer", ""),
            PrinterColumn("Node Selector", "string", ""),
            _age(),
        ),
        subresources=("status",),
    ),
    ResourceType(
        "batch",
        ("v1",),
        "Job",
        "jobs",
        "job",
        namespaced=True,
        columns=(
            PrinterColumn("Status", "string", ""),
            PrinterColumn("Completions", "string", ""),
            _age(),
        ),
        subresources=("status",),
    ),
    ResourceType(
        "rbac.authorization.k8s.io",
        ("v1",),
        "ClusterRole",
        "clusterroles",
        "clusterrole",
        namespaced=False,
    ),
)
"""The core and built-in kinds served: what the console reads (pods, events, Helm storage
Secrets) and what Helm releases create (workloads, Services, accounts, claims, ClusterRoles)."""


@cache
def flux_types() -> tuple[ResourceType, ...]:
    """The Flux kinds the simulator serves, read from the packaged CRD summary."""
    summary = json.loads(FLUX_CRDS_FILE.read_text(encoding="utf-8"))
    types = []
    for crd in summary:
        versions = sorted(crd["versions"], key=lambda version: not version["storage"])
        columns = tuple(
            PrinterColumn(
                column["name"],
                column["type"],
                column["jsonPath"],
                int(column.get("priority", 0)),
                column.get("description", ""),
            )
            for column in versions[0]["printerColumns"]
        )
        types.append(
            ResourceType(
                crd["group"],
                tuple(version["name"] for version in versions),
                crd["kind"],
                crd["plural"],
                crd["singular"],
                namespaced=crd["namespaced"],
                short_names=tuple(crd["shortNames"]),
                columns=columns,
                subresources=("status",),
            )
        )
    return tuple(types)


@cache
def all_types() -> tuple[ResourceType, ...]:
    return CORE_TYPES + flux_types()


def type_for_kind(kind: str) -> ResourceType:
    """The resource type of `kind` (e.g. `HelmRelease`); KeyError when not served."""
    for resource in all_types():
        if resource.kind == kind:
            return resource
    raise KeyError(kind)


def type_for_path(group: str, version: str, plural: str) -> ResourceType | None:
    """The type addressed by a URL segment, or None when the server does not serve it."""
    for resource in all_types():
        if resource.group == group and resource.plural == plural and version in resource.versions:
            return resource
    return None
