"""Talos machines as `talosctl` reports them: versions, cluster health, discovery members,
machine status, system services and etcd members, plus the per-node summary the UI shows.

Every reading can be partial: talosctl answers for the nodes it reached and reports the others
separately, so results carry `NodeError`s next to the data instead of failing as a whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class NodeRole(StrEnum):
    """The machine type of a Talos node."""

    CONTROLPLANE = "controlplane"
    WORKER = "worker"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, text: str) -> NodeRole:
        """Read a machine type as talosctl prints it (`init` is a legacy control plane)."""
        value = text.strip().lower()
        if value in ("controlplane", "init"):
            return cls.CONTROLPLANE
        return cls.WORKER if value == "worker" else cls.UNKNOWN


class MachineStage(StrEnum):
    """`MachineStatus.spec.stage`: where a machine is in its lifecycle."""

    UNKNOWN = "unknown"
    BOOTING = "booting"
    INSTALLING = "installing"
    MAINTENANCE = "maintenance"
    RUNNING = "running"
    REBOOTING = "rebooting"
    SHUTTING_DOWN = "shutting down"
    RESETTING = "resetting"
    UPGRADING = "upgrading"

    @classmethod
    def parse(cls, text: str) -> MachineStage:
        """Read a stage; anything unrecognised becomes UNKNOWN rather than an error."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            return cls.UNKNOWN


class HealthCheckState(StrEnum):
    """The last reported state of one `talosctl health` check."""

    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"
    PENDING = "pending"
    """Started (`...`) but no result yet: the stream ended while it was still waiting."""


class ServiceState(StrEnum):
    """A Talos system service's state, spelled as talosctl prints it."""

    INITIALIZED = "Initialized"
    PREPARING = "Preparing"
    WAITING = "Waiting"
    STARTING = "Starting"
    RUNNING = "Running"
    STOPPING = "Stopping"
    FINISHED = "Finished"
    FAILED = "Failed"
    SKIPPED = "Skipped"
    UNKNOWN = "Unknown"

    @classmethod
    def parse(cls, text: str) -> ServiceState:
        """Read a state case-insensitively; unknown spellings become UNKNOWN."""
        wanted = text.strip().lower()
        return next((state for state in cls if state.value.lower() == wanted), cls.UNKNOWN)


class ServiceHealth(StrEnum):
    """The HEALTH column of `talosctl services`."""

    OK = "OK"
    FAIL = "Fail"
    UNKNOWN = "?"
    """The service has no health check (or has not reported yet)."""

    @classmethod
    def parse(cls, text: str) -> ServiceHealth:
        """Read `OK`, `Fail` or `?`; anything else is UNKNOWN."""
        wanted = text.strip().lower()
        return next((health for health in cls if health.value.lower() == wanted), cls.UNKNOWN)


@dataclass(frozen=True, slots=True)
class NodeError:
    """A node that did not answer (or answered with an error) while others did."""

    node: str
    """The node as talosctl names it (the `-n` value); empty when not tied to one node."""
    message: str


@dataclass(frozen=True, slots=True)
class NodeResults(Generic[T]):
    """What a multi-node query returned: the answers plus the nodes that failed."""

    items: tuple[T, ...]
    errors: tuple[NodeError, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every node asked answered."""
        return not self.errors


@dataclass(frozen=True, slots=True)
class NodeVersion:
    """One block of `talosctl version`: the client's build or one node's."""

    node: str
    """Empty for the client block."""
    tag: str
    """Talos version, e.g. `v1.11.5`."""
    sha: str = ""
    go_version: str = ""
    os_arch: str = ""
    enabled: tuple[str, ...] = ()
    """Enabled server features, e.g. `("RBAC",)`."""


@dataclass(frozen=True, slots=True)
class VersionReport:
    """`talosctl version`: the client build, each node that answered, each node that did not."""

    client: NodeVersion | None
    servers: tuple[NodeVersion, ...] = ()
    errors: tuple[NodeError, ...] = ()


@dataclass(frozen=True, slots=True)
class HealthCheck:
    """One check of `talosctl health`, with its final state."""

    name: str
    """The check's own words, e.g. `etcd to be healthy`."""
    state: HealthCheckState
    detail: str = ""
    """The failure text (may span lines), empty when OK, skipped or pending."""


@dataclass(frozen=True, slots=True)
class ClusterHealth:
    """The outcome of `talosctl health`."""

    discovered_nodes: tuple[str, ...]
    checks: tuple[HealthCheck, ...]
    error: str = ""
    """The final error that ended the run (e.g. a deadline), empty if none."""

    @property
    def ok(self) -> bool:
        """True when nothing failed, nothing is still pending and at least one check ran."""
        return (
            not self.error
            and bool(self.checks)
            and all(c.state in (HealthCheckState.OK, HealthCheckState.SKIPPED) for c in self.checks)
        )

    @property
    def failed_checks(self) -> tuple[HealthCheck, ...]:
        """Checks whose last report was a failure."""
        return tuple(c for c in self.checks if c.state is HealthCheckState.FAILED)


@dataclass(frozen=True, slots=True)
class Member:
    """A cluster discovery member (`talosctl get members`), as seen from `node`."""

    node: str
    """The node that reported this member."""
    id: str
    hostname: str
    machine_type: NodeRole
    os: str
    """Operating system text, e.g. `Talos (v1.11.5)`."""
    addresses: tuple[str, ...]
    node_id: str = ""

    @property
    def talos_version(self) -> str:
        """The version inside `Talos (v1.11.5)`, or empty when the OS text has none."""
        start, end = self.os.find("("), self.os.rfind(")")
        return self.os[start + 1 : end].strip() if 0 <= start < end else ""


@dataclass(frozen=True, slots=True)
class UnmetCondition:
    """A reason a machine is not ready, e.g. `nodeReady` / `node not ready`."""

    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class MachineStatus:
    """`talosctl get machinestatus` for one node."""

    node: str
    stage: MachineStage
    ready: bool
    unmet_conditions: tuple[UnmetCondition, ...] = ()


@dataclass(frozen=True, slots=True)
class TalosService:
    """One row of `talosctl services`."""

    node: str
    id: str
    state: ServiceState
    health: ServiceHealth
    last_change: str
    """As printed, e.g. `123h6m31s ago`."""
    last_event: str


@dataclass(frozen=True, slots=True)
class EtcdMember:
    """One row of `talosctl etcd members`, as reported by `node`."""

    node: str
    id: str
    """16 lowercase hex digits."""
    hostname: str
    peer_urls: tuple[str, ...]
    client_urls: tuple[str, ...]
    learner: bool


@dataclass(frozen=True, slots=True)
class TalosNode:
    """The summary row of one machine: who it is, what it runs and whether it answers."""

    address: str
    hostname: str
    role: NodeRole
    talos_version: str
    """From the node itself when it answered `version`, else from its discovery member."""
    reachable: bool
    """False only when talosctl reported an error for this node."""
    stage: MachineStage | None
    """None when the node's machine status is unknown."""
    ready: bool | None
    error: str = ""


def summarize_nodes(
    members: Iterable[Member],
    versions: Iterable[NodeVersion] = (),
    statuses: Iterable[MachineStatus] = (),
    errors: Iterable[NodeError] = (),
) -> tuple[TalosNode, ...]:
    """Merge the separate talosctl readings into one row per machine.

    Nodes are matched by address; a reading keyed by a member's hostname (talosctl echoes the
    `-n` value, which may be a name) is matched to that member too.

    Args:
        members: discovery members, possibly reported by several nodes (duplicates collapse).
        versions: server blocks of `talosctl version`.
        statuses: machine statuses.
        errors: nodes that did not answer; errors with no node are ignored.

    Returns:
        Members in the order given, then nodes only seen in the other readings.
    """
    by_address: dict[str, Member] = {}
    alias: dict[str, str] = {}
    for member in members:
        address = member.addresses[0] if member.addresses else member.hostname
        if address in by_address:
            continue
        by_address[address] = member
        for name in (*member.addresses, member.hostname, member.id):
            alias.setdefault(name, address)
    order = list(by_address)

    def canonical(node: str) -> str:
        address = alias.get(node, node)
        if address not in order:
            order.append(address)
        return address

    tags = {canonical(v.node): v.tag for v in versions if v.node}
    status_of = {canonical(s.node): s for s in statuses if s.node}
    error_of: dict[str, str] = {}
    for error in errors:
        if error.node:
            error_of.setdefault(canonical(error.node), error.message)

    rows: list[TalosNode] = []
    for address in order:
        known = by_address.get(address)
        status = status_of.get(address)
        rows.append(
            TalosNode(
                address=address,
                hostname=known.hostname if known else "",
                role=known.machine_type if known else NodeRole.UNKNOWN,
                talos_version=tags.get(address) or (known.talos_version if known else ""),
                reachable=address not in error_of,
                stage=status.stage if status else None,
                ready=status.ready if status else None,
                error=error_of.get(address, ""),
            )
        )
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class TalosDesiredNode:
    """One machine talconfig.yaml lists (`nodes:`), as written: `${VARS}` are not resolved."""

    hostname: str
    address: str
    """`ipAddress`; empty when not given."""
    role: NodeRole
    """`controlPlane: true` is a control plane, anything else a worker."""


@dataclass(frozen=True, slots=True)
class TalosDesired:
    """The versions (and machines) the repo wants; each field is empty when unknown."""

    talos: str = ""
    """`talosVersion`, e.g. `v1.11.3`."""
    kubernetes: str = ""
    """`kubernetesVersion`, e.g. `v1.34.1`."""
    file: str = ""
    """The talconfig read, relative to the repo root (POSIX separators)."""
    nodes: tuple[TalosDesiredNode, ...] = ()
    """The machines listed under `nodes:`, in file order."""
