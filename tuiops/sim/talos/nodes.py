"""Simulated Talos machines for the fake `talosctl`: their builds, roles, readiness, services,
etcd identity and resource metadata, saved as a JSON state file the fake program reads.

`fixture_cluster()` is the scenario of `tests/fixtures/talos` value for value (so the fake
reproduces those files byte for byte); `scenario_cluster()` builds the example repo's nodes
from its talconfig.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from tuiops.domain.talos import NodeRole
from tuiops.errors import TuiopsError
from tuiops.sim.example_repo import EXAMPLE_REPO

STATE_ENV = "TUIOPS_SIM_TALOS_STATE"
"""Environment variable naming the state file the fake talosctl reads."""

DEADLINE_ERROR = "rpc error: code = DeadlineExceeded desc = context deadline exceeded"
GO_VERSION = "go1.24.9"
TALCONFIG = EXAMPLE_REPO / "clusters" / "main" / "talos" / "talconfig.yaml"
SCENARIOS = ("healthy", "degraded")

HEALTH_CHECKS = (
    "etcd to be healthy",
    "etcd members to be consistent across nodes",
    "etcd members to be control plane nodes",
    "apid to be ready",
    "all nodes memory sizes",
    "all nodes disk sizes",
    "no diagnostics",
    "kubelet to be healthy",
    "all nodes to finish boot sequence",
    "all k8s nodes to report",
    "all control plane static pods to be running",
    "all control plane components to be ready",
    "all k8s nodes to report ready",
    "kube-proxy to report ready",
    "coredns to report ready",
    "all k8s nodes to report schedulable",
)
"""The server-side checks in the order Talos runs them (pkg/cluster/check/default.go)."""

_KNOWN_SHAS = {"v1.11.5": "bc34de6e"}


class SimStateError(TuiopsError):
    """The simulated Talos state file is missing or malformed."""


@dataclass(frozen=True, slots=True)
class SimService:
    """One system service of a simulated node, with what `talosctl services` prints for it."""

    id: str
    last_change: str
    """A Go duration, e.g. `123h6m31s` (the fake appends ` ago`)."""
    state: str = "Running"
    health: str = "OK"
    """`OK`, `Fail` or `?`."""
    last_event: str = "Health check successful"


@dataclass(frozen=True, slots=True)
class SimResourceMeta:
    """The COSI metadata that varies per resource: version and timestamps."""

    version: int
    created: str
    updated: str


@dataclass(frozen=True, slots=True)
class SimCondition:
    """An unmet readiness condition of a machine."""

    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class SimHealthFailure:
    """A health check that fails, with the text talosctl prints after `waiting for <check>: `."""

    check: str
    detail: str


@dataclass(frozen=True, slots=True)
class SimTalosNode:
    """One simulated machine."""

    hostname: str
    address: str
    role: NodeRole
    talos_version: str
    kubernetes_version: str
    sha: str
    node_id: str
    member_meta: SimResourceMeta
    status_meta: SimResourceMeta
    services: tuple[SimService, ...]
    etcd_member_id: str = ""
    """16 hex digits on control planes, empty on workers."""
    reachable: bool = True
    stage: str = "running"
    ready: bool = True
    unmet_conditions: tuple[SimCondition, ...] = ()
    go_version: str = GO_VERSION
    os_arch: str = "linux/amd64"

    @property
    def unhealthy_services(self) -> tuple[str, ...]:
        """Services whose health check fails."""
        return tuple(s.id for s in self.services if s.health == "Fail")


@dataclass(frozen=True, slots=True)
class SimTalosCluster:
    """The simulated cluster as the fake talosctl sees it."""

    name: str
    nodes: tuple[SimTalosNode, ...]
    client_version: str
    client_sha: str
    context_nodes: tuple[str, ...]
    """The talosconfig context's nodes: what talosctl targets without `-n`."""
    client_go_version: str = GO_VERSION
    client_os_arch: str = "linux/amd64"
    failing_checks: tuple[SimHealthFailure, ...] | None = None
    """Health failures to report; None derives them from the nodes (`derive_health_failures`)."""
    health_final_error: str = DEADLINE_ERROR
    """What ends a failing health run (`healthcheck error: ...`); empty ends the stream there."""

    def node(self, name: str) -> SimTalosNode | None:
        """The node with this address or hostname, if any."""
        return next((n for n in self.nodes if name in (n.address, n.hostname)), None)

    def health_failures(self) -> tuple[SimHealthFailure, ...]:
        """The failing checks, explicit or derived, in check order."""
        if self.failing_checks is not None:
            return self.failing_checks
        return derive_health_failures(self.nodes)

    def write_state(self, path: Path) -> None:
        """Save the cluster as JSON for the fake talosctl (`read_state` reads it back)."""
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")


def read_state(path: Path) -> SimTalosCluster:
    """Load a cluster saved by `SimTalosCluster.write_state`.

    Raises:
        SimStateError: the file is missing, not JSON, or not a saved cluster.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        failing = data.get("failing_checks")
        return SimTalosCluster(
            **{
                **data,
                "nodes": tuple(_node_from_json(node) for node in data["nodes"]),
                "context_nodes": tuple(str(n) for n in data["context_nodes"]),
                "failing_checks": None
                if failing is None
                else tuple(SimHealthFailure(**f) for f in failing),
            }
        )
    except OSError as exc:
        raise SimStateError(f"cannot read simulated Talos state {path}: {exc}") from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise SimStateError(f"{path} is not a simulated Talos state: {exc!r}") from None


def _node_from_json(data: dict[str, Any]) -> SimTalosNode:
    return SimTalosNode(
        **{
            **data,
            "role": NodeRole(data["role"]),
            "member_meta": SimResourceMeta(**data["member_meta"]),
            "status_meta": SimResourceMeta(**data["status_meta"]),
            "services": tuple(SimService(**s) for s in data["services"]),
            "unmet_conditions": tuple(SimCondition(**c) for c in data["unmet_conditions"]),
        }
    )


def multi_error(messages: list[str]) -> str:
    """Format errors the way go-multierror does (`1 error occurred:\\n\\t* ...\\n\\n`)."""
    noun = "error" if len(messages) == 1 else "errors"
    return (
        f"{len(messages)} {noun} occurred:\n\t" + "\n\t".join(f"* {m}" for m in messages) + "\n\n"
    )


def unreachable_message(address: str) -> str:
    """The gRPC error talosctl reports for a node that does not answer."""
    return (
        "rpc error: code = Unavailable desc = connection error: desc = "
        f'"transport: Error while dialing: dial tcp {address}:50000: connect: no route to host"'
    )


def derive_health_failures(nodes: tuple[SimTalosNode, ...]) -> tuple[SimHealthFailure, ...]:
    """The checks that fail for these nodes: dead or etcd-unhealthy control planes, dead
    nodes, failing kubelets, nodes that are not Ready."""
    control = [n for n in nodes if n.role is NodeRole.CONTROLPLANE]
    found = {
        "etcd to be healthy": [
            f"{n.address}: {unreachable_message(n.address)}"
            if not n.reachable
            else f"{n.address}: service is not healthy: etcd"
            for n in control
            if not n.reachable or "etcd" in n.unhealthy_services
        ],
        "apid to be ready": [
            f"{n.address}: {unreachable_message(n.address)}" for n in nodes if not n.reachable
        ],
        "kubelet to be healthy": [
            f"{n.address}: service is not healthy: kubelet"
            for n in nodes
            if n.reachable and "kubelet" in n.unhealthy_services
        ],
    }
    failures = [SimHealthFailure(check, multi_error(msgs)) for check, msgs in found.items() if msgs]
    not_ready = [n.hostname for n in nodes if not n.ready]
    if not_ready:
        detail = f"some nodes are not ready: [{' '.join(not_ready)}]\n"
        failures.append(SimHealthFailure("all k8s nodes to report ready", detail))
    return tuple(failures)


def default_services(role: NodeRole) -> tuple[SimService, ...]:
    """The system services of a healthy node, with the fixture's uptimes."""
    services = (
        SimService("apid", "123h6m31s"),
        SimService("auditd", "123h6m40s"),
        SimService("containerd", "123h6m40s"),
        SimService("cri", "123h6m33s"),
        SimService(
            "dashboard",
            "123h6m39s",
            health="?",
            last_event='Process Process(["/sbin/dashboard"]) started with PID 2118',
        ),
        SimService("etcd", "123h5m50s"),
        SimService("kubelet", "123h5m58s"),
        SimService("machined", "123h6m43s"),
        SimService("syslogd", "123h6m41s"),
        SimService("trustd", "123h6m32s"),
        SimService("udevd", "123h6m41s"),
    )
    if role is NodeRole.CONTROLPLANE:
        return services
    return tuple(s for s in services if s.id not in ("etcd", "trustd"))


def fixture_cluster() -> SimTalosCluster:
    """The `tests/fixtures/talos` scenario: cluster "homelab", Talos v1.11.5 everywhere,
    worker-2 not Ready with a failing kubelet. Health checks are all OK (health.ok.txt); set
    `failing_checks` to reproduce the other health fixtures."""
    created = "2025-11-06T18:02:11Z"
    cp_member = SimResourceMeta(3, created, "2025-11-20T09:31:47Z")
    worker_member = SimResourceMeta(2, created, "2025-11-20T09:33:05Z")
    rows = (
        ("cp-1", ".11", "8t3ZpWFnxUcG4kQ2vrqLJgZ0m1tMHTbD9oXkz7Yy5Sf", "2f3a9c1d7e5b0864",
         (7, "2025-11-20T09:30:58Z", "2025-11-20T09:31:40Z")),
        ("cp-2", ".12", "Ex2cVAuBn5mDqLr8tKzW0hPjYsF4gNaQ6oTbR1iUv3d", "8b1e4d6f2a9c3057",
         (7, "2025-11-20T09:31:01Z", "2025-11-20T09:31:43Z")),
        ("cp-3", ".13", "kR7wq0ZfL9sHnD3cYbXe2MtJvP5aG8uNoKiB4hQ1yWz", "c5d07a3e9f1b2468",
         (9, "2025-11-20T09:31:05Z", "2025-11-20T09:32:20Z")),
        ("worker-1", ".21", "Pq4nWb7Xz2LcR9sVtH0kDyF6mJgA3uEoN8iKj1YhT5r", "",
         (6, "2025-11-20T09:32:08Z", "2025-11-20T09:33:02Z")),
        ("worker-2", ".22", "Zs1tK8vNq3Wx6Rb0LmHcY4pDfJ9gAeU2oI7nTjG5kQw", "",
         (11, "2025-11-20T09:32:12Z", "2025-11-25T10:02:31Z")),
    )  # fmt: skip
    nodes: list[SimTalosNode] = []
    for hostname, suffix, node_id, etcd_id, (version, made, updated) in rows:
        role = NodeRole.CONTROLPLANE if etcd_id else NodeRole.WORKER
        nodes.append(
            SimTalosNode(
                hostname=hostname,
                address="192.168.10" + suffix,
                role=role,
                talos_version="v1.11.5",
                kubernetes_version="v1.34.1",
                sha="bc34de6e",
                node_id=node_id,
                member_meta=cp_member if etcd_id else worker_member,
                status_meta=SimResourceMeta(version, made, updated),
                services=default_services(role),
                etcd_member_id=etcd_id,
            )
        )
    kubelet_down = SimService(
        "kubelet",
        "4m12s",
        health="Fail",
        last_event='Health check failed: Get "http://127.0.0.1:10248/healthz": '
        "dial tcp 127.0.0.1:10248: connect: connection refused",
    )
    nodes[4] = replace(
        nodes[4],
        ready=False,
        unmet_conditions=(SimCondition("nodeReady", "node not ready"),),
        services=tuple(kubelet_down if s.id == "kubelet" else s for s in nodes[4].services),
    )
    return SimTalosCluster(
        name="homelab",
        nodes=tuple(nodes),
        client_version="v1.11.5",
        client_sha="bc34de6e",
        context_nodes=("192.168.10.11",),
        failing_checks=(),
    )


def scenario_cluster(name: str, talconfig: Path = TALCONFIG) -> SimTalosCluster:
    """The example repo's machines, named and typed as its talconfig says.

    Addresses are 192.168.10.11.. for control planes and .21.. for workers (the talconfig
    only has `${VARS}`). "healthy": every node runs talconfig's Talos and is Ready.
    "degraded": the last worker does not answer and one other node still runs v1.11.2.

    Raises:
        ValueError: unknown scenario name.
        SimStateError: the talconfig cannot be read.
    """
    if name not in SCENARIOS:
        raise ValueError(f"unknown Talos scenario {name!r}; choose from {', '.join(SCENARIOS)}")
    try:
        config = yaml.safe_load(talconfig.read_text(encoding="utf-8"))
        talos, kubernetes = str(config["talosVersion"]), str(config["kubernetesVersion"])
        entries = [(str(n["hostname"]), bool(n.get("controlPlane"))) for n in config["nodes"]]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise SimStateError(f"cannot read talconfig {talconfig}: {exc!r}") from None
    nodes: list[SimTalosNode] = []
    counts = {True: 0, False: 0}
    for hostname, control in entries:
        counts[control] += 1
        role = NodeRole.CONTROLPLANE if control else NodeRole.WORKER
        nodes.append(
            SimTalosNode(
                hostname=hostname,
                address=f"192.168.10.{(10 if control else 20) + counts[control]}",
                role=role,
                talos_version=talos,
                kubernetes_version=kubernetes,
                sha=build_sha(talos),
                node_id=_digest("node-id", hostname, 43),
                member_meta=SimResourceMeta(
                    3 if control else 2, "2025-11-06T18:02:11Z", "2025-11-20T09:31:47Z"
                ),
                status_meta=SimResourceMeta(7, "2025-11-20T09:30:58Z", "2025-11-20T09:31:40Z"),
                services=default_services(role),
                etcd_member_id=hashlib.sha256(f"etcd:{hostname}".encode()).hexdigest()[:16]
                if control
                else "",
            )
        )
    if name == "degraded" and len(nodes) > 1:
        workers = [i for i, n in enumerate(nodes) if n.role is NodeRole.WORKER]
        dead = workers[-1] if workers else len(nodes) - 1
        older = next((i for i in workers if i != dead), dead - 1 if dead else 1)
        nodes[dead] = replace(nodes[dead], reachable=False, ready=False, stage="unknown")
        nodes[older] = replace(nodes[older], talos_version="v1.11.2", sha=build_sha("v1.11.2"))
    first = next((n.address for n in nodes if n.role is NodeRole.CONTROLPLANE), "")
    return SimTalosCluster(
        name=talconfig.parent.parent.name,
        nodes=tuple(nodes),
        client_version=talos,
        client_sha=build_sha(talos),
        context_nodes=(first or nodes[0].address,) if nodes else (),
    )


def build_sha(tag: str) -> str:
    """The short commit of a Talos tag: the fixture's for v1.11.5, an illustrative one else."""
    return _KNOWN_SHAS.get(tag) or hashlib.sha256(f"talos:{tag}".encode()).hexdigest()[:8]


def _digest(kind: str, text: str, length: int) -> str:
    """A stable base62 string (node IDs look like this), derived from `text`."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    number = int.from_bytes(hashlib.sha512(f"{kind}:{text}".encode()).digest(), "big")
    out = []
    for _ in range(length):
        number, digit = divmod(number, 62)
        out.append(alphabet[digit])
    return "".join(out)
