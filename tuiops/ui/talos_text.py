"""The Talos screen's text, built from one `TalosSnapshot` (pure, so it is tested without a
running app): the nodes table's cells, the line under it, and the health, services, etcd and
status sections. Every piece of talosctl text is made inert; colours are `Tone`s, resolved
against the theme when the screen is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content

from tuiops.domain.talos import (
    ClusterHealth,
    EtcdMember,
    HealthCheckState,
    NodeError,
    NodeResults,
    NodeRole,
    ServiceHealth,
    ServiceState,
    TalosDesired,
    TalosDesiredNode,
    TalosNode,
    TalosService,
)
from tuiops.domain.text import inert
from tuiops.services.console_state import offline_detail
from tuiops.ui.column_layout import Column
from tuiops.ui.tables import cluster_text
from tuiops.ui.tones import Tone

Part = str | Content | tuple[str, str]
"""What `Content.assemble` joins: plain text, Content, or (text, style)."""

NODE_COLUMNS: tuple[Column, ...] = (
    Column("", 1),
    Column("Hostname", 8, 40),
    Column("Reachable", 13, priority=4),
    Column("Talos", 40, priority=1),
    Column("Stage", 13, priority=2),
    Column("Ready", 5),
    Column("Role", 12, priority=3),
    Column("Address", 40, priority=5),
)
"""The health glyph, the hostname and Kubernetes' Ready always show; then, as room allows,
the Talos version (with its drift from talconfig), the stage, the role, whether talosctl
reached the node (late: the glyph says so too, and the line under the table says why), and
the address. An optional column shows whole or not at all (its `least` is its widest: a
version cut before its arrow hides the drift); `tables.measured_columns` brings each down to
its widest cell, and `ResourceTable.set_layout` lays them out from the table's width."""
DESIRED_NODE_COLUMNS: tuple[Column, ...] = (
    Column("", 1),
    Column("Hostname", 8, 40),
    Column("Role", 12, priority=1),
    Column("Talos", 24, priority=3),
    Column("Kubernetes", 24, priority=4),
    Column("Address", 40, priority=2),
)
"""The nodes table offline: the machines talconfig.yaml lists and the versions it wants. The
hostname always shows; role and address first as room allows, as they differ per machine, and
the versions after them (the same for every machine, and on the talconfig line above); each
whole or not at all, as in `NODE_COLUMNS`."""
LIVE_UNKNOWN = "live state unknown"
CHECK_MARK = {
    HealthCheckState.OK: ("✓", Tone.GOOD),
    HealthCheckState.FAILED: ("✗", Tone.BAD),
    HealthCheckState.SKIPPED: ("·", Tone.MUTED),
    HealthCheckState.PENDING: ("◎", Tone.WARN),
}
DETAIL_LIMIT = 200
"""Characters of one detail or error line shown before it is cut."""


@dataclass(frozen=True, slots=True)
class TalosSnapshot:
    """One answer of the four talosctl reads; a read that raised leaves its error instead."""

    desired: TalosDesired
    configured: bool = True
    """False when the session has no Talos reader (offline, or talosctl not configured)."""
    nodes: tuple[TalosNode, ...] = ()
    nodes_error: str = ""
    health: ClusterHealth | None = None
    health_error: str = ""
    services: NodeResults[TalosService] | None = None
    services_error: str = ""
    etcd: NodeResults[EtcdMember] | None = None
    etcd_error: str = ""

    @property
    def unanswered(self) -> str:
        """Why no read answered (talosctl missing, failing or timing out on every call), or
        "" when at least one did: then each failed read says why in its own section."""
        errors = (self.nodes_error, self.health_error, self.services_error, self.etcd_error)
        return self.nodes_error if self.configured and all(errors) else ""


def _cut(text: str, limit: int = DETAIL_LIMIT) -> str:
    cleaned = inert(text, one_line=True)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def version_drift(node: TalosNode, desired: str) -> bool:
    """True when the node reports a Talos version that differs from the desired one.

    Args:
        node: the node's summary row.
        desired: `talosVersion` from talconfig.yaml; empty means unknown (never drift).
    """
    return bool(desired and node.talos_version and node.talos_version != desired)


def node_cells(node: TalosNode, desired: str) -> tuple[Content, ...]:
    """The nodes-table cells of one machine, all talosctl text inert.

    Args:
        node: the node's summary row.
        desired: `talosVersion` from talconfig.yaml (may be empty).

    Returns:
        One Content per column of NODE_COLUMNS.
    """
    drift = version_drift(node, desired)
    if not node.reachable:
        mark = Content.styled("✗", Tone.BAD)
    elif drift or node.ready is False:
        mark = Content.styled("!", Tone.WARN)
    else:
        mark = Content.styled("✓", Tone.GOOD)
    version = cluster_text(node.talos_version or "-", limit=24, tone=Tone.WARN if drift else None)
    if drift:
        version = Content.assemble(version, (f" → {inert(desired, one_line=True)}", Tone.WARN))
    stage = Content(node.stage.value) if node.stage else Content.styled("-", Tone.MUTED)
    if node.ready is None:
        ready = Content.styled("?", Tone.MUTED)
    else:
        ready = Content.styled("yes", Tone.GOOD) if node.ready else Content.styled("no", Tone.BAD)
    reachable = (
        Content.styled("✓", Tone.GOOD)
        if node.reachable
        else Content.styled("✗ unreachable", Tone.BAD)
    )
    return (
        mark,
        cluster_text(node.hostname or "?", limit=40),
        reachable,
        version,
        stage,
        ready,
        Content(node.role.value),
        cluster_text(node.address, limit=40),
    )


def desired_node_cells(node: TalosDesiredNode, desired: TalosDesired) -> tuple[Content, ...]:
    """The offline nodes-table cells of one machine talconfig.yaml lists (repo text, inert).

    Args:
        node: the machine as talconfig.yaml writes it.
        desired: the talconfig's wanted versions.

    Returns:
        One Content per column of DESIRED_NODE_COLUMNS.
    """
    return (
        Content.styled("?", Tone.MUTED),
        cluster_text(node.hostname or "?", limit=40),
        Content(node.role.value),
        cluster_text(desired.talos or "-", limit=24),
        cluster_text(desired.kubernetes or "-", limit=24),
        cluster_text(node.address or "-", limit=40),
    )


def desired_node_keys(nodes: tuple[TalosDesiredNode, ...]) -> list[str]:
    """One table key per listed machine (numbered when a hostname repeats)."""
    keys: list[str] = []
    for node in nodes:
        key = node.hostname or node.address or "?"
        keys.append(key if key not in keys else f"{key} #{len(keys)}")
    return keys


def desired_summary(desired: TalosDesired, offline_reason: str) -> Content:
    """The line under the offline nodes table: how many machines talconfig lists, by role,
    and that their live state is unknown."""
    nodes = desired.nodes
    planes = sum(1 for node in nodes if node.role is NodeRole.CONTROLPLANE)
    parts: list[Part] = [
        f"{len(nodes)} nodes in talconfig ({planes} controlplane, {len(nodes) - planes} worker)"
    ]
    unknown = f"{LIVE_UNKNOWN} (offline)" if offline_reason else LIVE_UNKNOWN
    parts.append((f" · {unknown}", Tone.MUTED))
    return Content.assemble(*parts)


def _offline(reason: str) -> str:
    """`offline` and its reason, the word once ("offline (no kubeconfig)")."""
    detail = inert(offline_detail(reason), one_line=True)
    return f"offline ({detail})" if detail else "offline"


def node_keys(nodes: tuple[TalosNode, ...]) -> list[str]:
    """One table key per node: its address, so the cursor stays on the machine across
    refreshes (numbered when talosctl lists an address twice)."""
    keys: list[str] = []
    for node in nodes:
        key = node.address or node.hostname or "?"
        keys.append(key if key not in keys else f"{key} #{len(keys)}")
    return keys


def _names(nodes: tuple[TalosNode, ...]) -> dict[str, str]:
    return {node.address: node.hostname for node in nodes if node.hostname}


def _node_label(node: str, names: dict[str, str]) -> str:
    name = names.get(node, "")
    shown = node or "(no node)"
    return f"{shown} ({name})" if name and name != node else shown


def _error_parts(errors: tuple[NodeError, ...], names: dict[str, str]) -> list[Part]:
    parts: list[Part] = []
    for error in errors:
        parts += [("\n  ✗ ", Tone.BAD), _cut(_node_label(error.node, names), 60), ": "]
        parts.append(_cut(error.message))
    return parts


def nodes_summary(snapshot: TalosSnapshot) -> Content:
    """The line under the nodes table: counts, drift and why unreachable nodes failed."""
    if snapshot.nodes_error:
        return Content.assemble(("nodes: ", Tone.STRONG), (_cut(snapshot.nodes_error), Tone.BAD))
    nodes = snapshot.nodes
    down = [node for node in nodes if not node.reachable]
    drift = [node for node in nodes if version_drift(node, snapshot.desired.talos)]
    parts: list[Part] = [f"{len(nodes)} nodes"]
    if down:
        parts += [" · ", (f"{len(down)} unreachable", Tone.BAD)]
    if drift:
        parts += [" · ", (f"{len(drift)} not on {snapshot.desired.talos}", Tone.WARN)]
    for node in down:
        parts += [("\n  ✗ ", Tone.BAD), _cut(node.hostname or node.address, 60)]
        parts += [(" unreachable: ", Tone.BAD), _cut(node.error or "no answer")]
    return Content.assemble(*parts)


def _section(title: str, error: str) -> list[Part]:
    """A section's title (the only strong part), then the read's error if it failed."""
    parts: list[Part] = [(title, Tone.STRONG)]
    if error:
        parts += ["  ", (_cut(error), Tone.BAD)]
    return parts


def health_text(health: ClusterHealth | None, error: str) -> Content:
    """The `talosctl health` section: overall verdict, then each check with its detail."""
    parts = _section("Health", error)
    if error or health is None:
        return Content.assemble(*parts)
    parts.append(("  ok", Tone.GOOD) if health.ok else ("  failing", Tone.BAD))
    parts.append((f" · {len(health.discovered_nodes)} nodes discovered", Tone.MUTED))
    if not health.checks:
        parts.append(("\n  no checks reported", Tone.MUTED))
    for check in health.checks:
        glyph, tone = CHECK_MARK[check.state]
        parts += [(f"\n  {glyph} {check.state.value:<7} ", tone), _cut(check.name, 120)]
        for line in check.detail.splitlines():
            if line.strip():
                parts += ["\n      ", (_cut(line), Tone.MUTED)]
    if health.error:
        parts += [("\n  ended: ", Tone.BAD), _cut(health.error)]
    return Content.assemble(*parts)


def service_problem(service: TalosService) -> bool:
    """True when a service is not Running or its health check fails (`?` is no check)."""
    return service.state is not ServiceState.RUNNING or service.health is ServiceHealth.FAIL


def services_text(
    results: NodeResults[TalosService] | None, error: str, nodes: tuple[TalosNode, ...]
) -> Content:
    """The services section: per node a count, and only the services that are not OK."""
    parts = _section("Services", error)
    if error or results is None:
        return Content.assemble(*parts)
    names = _names(nodes)
    by_node: dict[str, list[TalosService]] = {}
    for service in results.items:
        by_node.setdefault(service.node, []).append(service)
    if not by_node and not results.errors:
        parts.append(("\n  no services reported", Tone.MUTED))
    for node, services in by_node.items():
        bad = [service for service in services if service_problem(service)]
        parts += ["\n  ", _cut(_node_label(node, names), 60), f": {len(services)} services, "]
        parts.append(
            (f"{len(bad)} not running/OK", Tone.WARN) if bad else ("all running", Tone.GOOD)
        )
        for service in bad:
            parts += [("\n    ✗ ", Tone.WARN), _cut(service.id, 40)]
            parts.append(f" {service.state.value}/{service.health.value} ")
            parts.append((_cut(f"{service.last_change} · {service.last_event}", 140), Tone.MUTED))
    parts += _error_parts(results.errors, names)
    return Content.assemble(*parts)


def etcd_text(
    results: NodeResults[EtcdMember] | None, error: str, nodes: tuple[TalosNode, ...]
) -> Content:
    """The etcd section: each member once (several nodes may report it), then read errors."""
    parts = _section("etcd members", error)
    if error or results is None:
        return Content.assemble(*parts)
    seen: dict[str, EtcdMember] = {}
    for member in results.items:
        seen.setdefault(member.id, member)
    parts.append((f"  {len(seen)}", Tone.MUTED))
    if not seen and not results.errors:
        parts.append(("\n  no members reported", Tone.MUTED))
    for member in seen.values():
        parts += ["\n  ", _cut(member.hostname or "?", 40), " ", (_cut(member.id, 20), Tone.MUTED)]
        parts += [" ", _cut(", ".join(member.peer_urls) or "-", 80)]
        if member.learner:
            parts.append((" learner", Tone.WARN))
    parts += _error_parts(results.errors, _names(nodes))
    return Content.assemble(*parts)


def desired_text(desired: TalosDesired) -> Content:
    """What talconfig.yaml asks for, or why there is nothing to compare with."""
    if not desired.file:
        return Content.styled(
            "no talconfig.yaml in the repo: versions are not compared", Tone.MUTED
        )
    return Content.assemble(
        ("talconfig ", Tone.MUTED),
        _cut(desired.file, 80),
        ": Talos ",
        inert(desired.talos, one_line=True) or "?",
        " · Kubernetes ",
        inert(desired.kubernetes, one_line=True) or "?",
    )


def loading_text(refreshing: bool) -> Content:
    """The status line while a read runs (the last answer stays on screen meanwhile)."""
    return Content.assemble(
        ("Talos", Tone.STRONG), (": refreshing…" if refreshing else ": loading…", Tone.MUTED)
    )


def status_text(snapshot: TalosSnapshot, read_at: str, offline_reason: str) -> Content:
    """The status line for an answer: not configured, nothing answered (and why), or when
    it was read.

    Args:
        snapshot: The answer shown.
        read_at: The console clock's time of the read, `HH:MM:SS`.
        offline_reason: Why the session has no cluster, if it has none.

    Returns:
        One line.
    """
    if not snapshot.configured and offline_reason:
        return Content.assemble(
            ("Talos", Tone.STRONG),
            (f": {LIVE_UNKNOWN}", Tone.WARN),
            (f" · {_offline(offline_reason)}", Tone.MUTED),
        )
    if not snapshot.configured:
        return Content.styled("Talos: talosctl not configured", Tone.WARN)
    if snapshot.unanswered:
        return Content.assemble(("Talos: ", Tone.STRONG), (_cut(snapshot.unanswered), Tone.BAD))
    return Content.assemble(("Talos", Tone.STRONG), (f" · read {read_at} · r refresh", Tone.MUTED))


def failure_text(error: BaseException) -> Content:
    """The status line when the read itself broke (a bug, reported by the app as well)."""
    reason = _cut(f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)
    return Content.assemble(("Talos: read failed: ", Tone.BAD), reason)
