"""The simulated cluster's scenarios: `healthy`, `degraded` and `large`, built from the example
GitOps repo, deterministic (fixed now, fixed seed, uuid5 uids), with what each Flux applier
is expected to report so tests can hold `tuiops status` against it.

`degraded` plays, on the example repo: a HelmRelease whose upgrade keeps timing out until its
retries are exhausted (Stalled) because a Deployment of it cannot create pods, the
HelmReleases that depend on it (DependencyNotReady), a suspended app, an upgrade in progress,
and an unreachable worker node; it also runs the releases' objects and their pods
(`release_workloads`, `release_pods`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tuiops.domain.talos import NodeRole
from tuiops.sim.apiserver.podlogs import LogRecord
from tuiops.sim.apiserver.resources import ResourceType, type_for_kind
from tuiops.sim.clock import SCENARIO_NOW
from tuiops.sim.cluster import SimulatedCluster
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.sim.flux import status as flux_status
from tuiops.sim.flux.pods import (
    CONTROLLERS,
    FLUX_NAMESPACE,
    controller_deployment,
    controller_pod,
    pod_name,
)
from tuiops.sim.flux.recorder import log_line
from tuiops.sim.scenarios.build import ScenarioBuilder
from tuiops.sim.scenarios.degraded import DegradedRoles, pick_roles, play_degraded
from tuiops.sim.scenarios.large import add_synthetic
from tuiops.sim.scenarios.objects import namespace_object, node_object, read_repo_objects
from tuiops.sim.scenarios.release_workloads import add_release_workloads
from tuiops.sim.scenarios.workload_logs import workload_logs
from tuiops.sim.talos.nodes import scenario_cluster

JsonObject = dict[str, Any]

SCENARIOS = ("healthy", "degraded", "large")
SEED = 20251125
LARGE_HELM_RELEASES = 5000
LARGE_KUSTOMIZATIONS = 2000
SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system", FLUX_NAMESPACE)
_LOAD_ORDER = (
    "Namespace",
    "Node",
    "ClusterRole",
    "ServiceAccount",
    "ConfigMap",
    "PersistentVolumeClaim",
    "Service",
    "DaemonSet",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "Job",
    "Pod",
    "GitRepository",
    "OCIRepository",
    "HelmRepository",
    "HelmChart",
    "Kustomization",
    "HelmRelease",
    "Secret",
    "Event",
)

LogKey = tuple[str, str, str]
"""(namespace, pod, container)."""


@dataclass(frozen=True, slots=True)
class ExpectedState:
    """What a Kustomization or HelmRelease reports, as `tuiops status` should show it."""

    ready: str
    """Ready condition status: `True`, `False` or `Unknown` (empty without one)."""
    reason: str
    suspended: bool
    applied_version: str
    """HelmRelease: the chartVersion of the newest `deployed` history entry;
    Kustomization: `lastAppliedRevision`."""
    message: str = ""


@dataclass(frozen=True)
class Scenario:
    """A loadable cluster state: objects in load order, log backlog, and expectations."""

    name: str
    objects: tuple[tuple[ResourceType, JsonObject], ...]
    log_records: Mapping[LogKey, tuple[LogRecord, ...]]
    failing: Mapping[str, str]
    """`Kind/ns/name` → error text the controllers keep failing with."""
    expected: Mapping[str, ExpectedState]
    """Every Kustomization and HelmRelease, `Kind/ns/name` → its state."""
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Degraded roles (`failing`, `blocked`, `suspended`, `upgrading`) → `Kind/ns/name`s."""
    seed: int = SEED
    """What the scenario was drawn with; the controllers' recorder goes on from it."""

    def objects_of(self, kind: str) -> list[JsonObject]:
        """The scenario's objects of `kind`, in load order."""
        return [obj for resource, obj in self.objects if resource.kind == kind]


def expected_state(obj: Mapping[str, Any]) -> ExpectedState:
    """The state `tuiops status` shows for `obj`: its Ready condition, `spec.suspend`, and the
    applied version as `tuiops.domain.live.LiveObject.applied_version` defines it."""
    ready = flux_status.condition(obj, flux_status.READY) or {}
    status = obj.get("status", {})
    if obj.get("kind") == "HelmRelease":
        history = status.get("history") or []
        deployed = [entry for entry in history if entry.get("status") == "deployed"]
        applied = str(deployed[0].get("chartVersion", "")) if deployed else ""
    else:
        artifact = status.get("artifact") or {}
        applied = str(status.get("lastAppliedRevision") or artifact.get("revision", ""))
    return ExpectedState(
        ready=str(ready.get("status", "")),
        reason=str(ready.get("reason", "")),
        suspended=obj.get("spec", {}).get("suspend") is True,
        applied_version=applied,
        message=str(ready.get("message", "")),
    )


def _controllers(builder: ScenarioBuilder, node: str) -> list[JsonObject]:
    """Deployments and Pods of the four controllers, with their startup log lines."""
    objects: list[JsonObject] = []
    started = builder.now - timedelta(days=5, hours=3)
    kinds = {
        "source-controller": ("GitRepository", "HelmRepository", "HelmChart", "OCIRepository"),
        "kustomize-controller": ("Kustomization",),
        "helm-controller": ("HelmRelease",),
        "notification-controller": ("Alert", "Provider", "Receiver"),
    }
    groups = {"Alert": "notification", "Provider": "notification", "Receiver": "notification"}
    for number, controller in enumerate(CONTROLLERS):
        objects.append(controller_deployment(controller, builder.born))
        objects.append(controller_pod(controller, node, started, f"10.244.3.{17 + number}"))
        lines = builder.lines.setdefault(controller, [])
        moment = started + timedelta(seconds=4, milliseconds=number * 37)
        lines.append((moment, _plain(moment, "starting manager", logger="setup")))
        for offset, kind in enumerate(kinds[controller]):
            group = f"{groups.get(kind, controller.split('-')[0])}.toolkit.fluxcd.io"
            at = moment + timedelta(milliseconds=120 + offset)
            keys: dict[str, Any] = {
                "controller": kind.lower(),
                "controllerGroup": group,
                "controllerKind": kind,
            }
            lines.append((at, _plain(at, "Starting Controller", **keys)))
            workers = {**keys, "worker count": 4}
            lines.append((at, _plain(at, "Starting workers", **workers)))
    return objects


def _plain(moment: datetime, msg: str, *, logger: str | None = None, **keys: Any) -> str:
    return log_line(moment, "info", msg, logger=logger, extra=keys)


def _log_records(builder: ScenarioBuilder) -> dict[LogKey, tuple[LogRecord, ...]]:
    records: dict[LogKey, tuple[LogRecord, ...]] = {}
    for controller in CONTROLLERS:
        lines = sorted(builder.lines.get(controller, []), key=lambda line: line[0])
        key = (FLUX_NAMESPACE, pod_name(controller), "manager")
        records[key] = tuple(LogRecord(moment, text) for moment, text in lines)
    return records


def _ordered(objects: Iterable[JsonObject]) -> tuple[tuple[ResourceType, JsonObject], ...]:
    rank = {kind: number for number, kind in enumerate(_LOAD_ORDER)}
    ordered = sorted(objects, key=lambda obj: rank[str(obj.get("kind"))])
    return tuple((type_for_kind(str(obj["kind"])), obj) for obj in ordered)


def _assemble(
    builder: ScenarioBuilder, name: str, roles: Mapping[str, tuple[str, ...]] | None = None
) -> Scenario:
    talos = scenario_cluster("degraded" if name == "degraded" else "healthy")
    nodes = [node_object(n, builder.born, builder.now) for n in talos.nodes]
    worker = next((n.hostname for n in talos.nodes if n.role is NodeRole.WORKER), "")
    core = [*nodes, *_controllers(builder, worker or talos.nodes[0].hostname)]
    flux = list(builder.objects.values())
    placed = (*flux, *builder.secrets, *builder.workloads)
    used = {str(o["metadata"].get("namespace", "")) for o in placed}
    names = sorted((used | set(SYSTEM_NAMESPACES)) - {""})
    namespaces = [namespace_object(n, builder.born) for n in names]
    objects = _ordered([*namespaces, *core, *placed, *builder.events])
    expected = {
        key: expected_state(obj)
        for key, obj in builder.objects.items()
        if obj["kind"] in ("Kustomization", "HelmRelease")
    }
    return Scenario(
        name=name,
        objects=objects,
        log_records=MappingProxyType(_log_records(builder)),
        failing=MappingProxyType(dict(builder.failing)),
        expected=MappingProxyType(expected),
        roles=MappingProxyType(dict(roles or {})),
    )


def build_base(name: str, repo: Path, now: datetime) -> tuple[ScenarioBuilder, DegradedRoles]:
    """Sources, Kustomizations and HelmReleases of `repo`; degraded roles played when asked."""
    builder = ScenarioBuilder(name, read_repo_objects(repo), now, SEED)
    roles = pick_roles(builder.repo)
    if name == "degraded":
        builder.commit_subject = f"chore(deps): update helm release {roles.failing.name}"
    builder.build_sources()
    builder.build_kustomizations()
    if name == "degraded":
        builder.build_helm_releases(skip=roles.special())
        play_degraded(builder, roles)
        nodes = scenario_cluster(name).nodes
        add_release_workloads(builder, roles.failing, roles.upgrading, nodes)
    else:
        builder.build_helm_releases()
    return builder, roles


def build_scenario(name: str, repo: Path = EXAMPLE_REPO, now: datetime = SCENARIO_NOW) -> Scenario:
    """Build a scenario from the GitOps repo at `repo`.

    Args:
        name: `healthy`, `degraded` or `large`.
        repo: The GitOps repo whose first cluster the scenario deploys.
        now: The scenario's "now"; every timestamp is relative to it.

    Raises:
        ValueError: Unknown scenario name.
    """
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}")
    builder, roles = build_base("healthy" if name == "large" else name, repo, now)
    if name == "large":
        add_synthetic(builder, LARGE_HELM_RELEASES, LARGE_KUSTOMIZATIONS)
        return _assemble(builder, name)
    return _assemble(builder, name, roles.as_keys() if name == "degraded" else None)


def install_scenario(cluster: SimulatedCluster, scenario: Scenario) -> None:
    """Load a scenario's objects (no listener is told) and log backlog into `cluster`."""
    cluster.store.load(scenario.objects)
    for (namespace, pod, container), records in scenario.log_records.items():
        for record in records:
            cluster.logs.append(namespace, pod, container, record)
    # The releases' pods have a short log too (not part of `log_records`: Flux's own).
    for (namespace, pod, container), lines in workload_logs(scenario.objects).items():
        cluster.logs.extend(namespace, pod, container, lines)
