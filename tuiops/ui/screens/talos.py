"""Talos: the machines as talosctl sees them. A nodes table (version drift against the repo's
talconfig.yaml, stage, readiness, reachability), the `talosctl health` checks, the system
services that are not Running/OK per node, and the etcd members.

All talosctl reads block, so they run in one exclusive worker (on mount and on `r`); each of
the four reads fails on its own, as a line in its section, so one broken read never hides the
others. Every piece of talosctl text is made inert before it reaches a widget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tuiops.domain.talos import (
    ClusterHealth,
    EtcdMember,
    HealthCheckState,
    NodeError,
    NodeResults,
    ServiceHealth,
    ServiceState,
    TalosNode,
    TalosService,
)
from tuiops.domain.text import inert
from tuiops.errors import TuiopsError
from tuiops.services.talos_desired import TalosDesired, desired_versions
from tuiops.ui.actions import TALOS_ACTIONS, bindings
from tuiops.ui.state import host_of
from tuiops.ui.tables import cluster_text

T = TypeVar("T")

NODE_COLUMNS = ("", "Hostname", "Reachable", "Talos", "Stage", "Ready", "Role", "Address")
"""Most telling first, so an 80-column terminal cuts only the address."""
CHECK_STYLE = {
    HealthCheckState.OK: ("✓", "green"),
    HealthCheckState.FAILED: ("✗", "bold red"),
    HealthCheckState.SKIPPED: ("·", "dim"),
    HealthCheckState.PENDING: ("◎", "yellow"),
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


def _attempt(read: Callable[[], T]) -> tuple[T | None, str]:
    """Run one blocking read; a TuiopsError becomes its one-line message."""
    try:
        return read(), ""
    except TuiopsError as error:
        return None, inert(str(error), one_line=True) or type(error).__name__


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


def node_cells(node: TalosNode, desired: str) -> tuple[Text, ...]:
    """The nodes-table cells of one machine, all talosctl text inert.

    Args:
        node: the node's summary row.
        desired: `talosVersion` from talconfig.yaml (may be empty).

    Returns:
        One Text per column of NODE_COLUMNS.
    """
    drift = version_drift(node, desired)
    if not node.reachable:
        mark = Text("✗", style="bold red")
    elif drift or node.ready is False:
        mark = Text("!", style="bold yellow")
    else:
        mark = Text("✓", style="green")
    version = cluster_text(node.talos_version or "-", limit=24)
    if drift:
        version.stylize("bold yellow")
        version.append(f" → {inert(desired, one_line=True)}", style="bold yellow")
    stage = Text(node.stage.value if node.stage else "-", style="" if node.stage else "dim")
    ready = (
        Text("?", style="dim")
        if node.ready is None
        else Text("yes", style="green")
        if node.ready
        else Text("no", style="bold red")
    )
    reachable = Text("✓", style="green") if node.reachable else Text("✗ unreachable", "bold red")
    return (
        mark,
        cluster_text(node.hostname or "?", limit=40),
        reachable,
        version,
        stage,
        ready,
        Text(node.role.value),
        cluster_text(node.address, limit=40),
    )


def _names(nodes: tuple[TalosNode, ...]) -> dict[str, str]:
    return {node.address: node.hostname for node in nodes if node.hostname}


def _node_label(node: str, names: dict[str, str]) -> str:
    name = names.get(node, "")
    shown = node or "(no node)"
    return f"{shown} ({name})" if name and name != node else shown


def _errors_text(text: Text, errors: tuple[NodeError, ...], names: dict[str, str]) -> None:
    for error in errors:
        text.append("\n  ✗ ", style="bold red")
        text.append(_cut(_node_label(error.node, names), 60))
        text.append(": ")
        text.append(_cut(error.message))


def nodes_summary(snapshot: TalosSnapshot) -> Text:
    """The line under the nodes table: counts, drift and why unreachable nodes failed."""
    text = Text()
    if snapshot.nodes_error:
        text.append("nodes: ", style="bold")
        text.append(_cut(snapshot.nodes_error), style="bold red")
        return text
    nodes = snapshot.nodes
    down = [node for node in nodes if not node.reachable]
    drift = [node for node in nodes if version_drift(node, snapshot.desired.talos)]
    text.append(f"{len(nodes)} nodes")
    if down:
        text.append(f" · {len(down)} unreachable", style="bold red")
    if drift:
        text.append(f" · {len(drift)} not on {snapshot.desired.talos}", style="bold yellow")
    for node in down:
        text.append("\n  ✗ ", style="bold red")
        text.append(_cut(node.hostname or node.address, 60))
        text.append(" unreachable: ", style="bold red")
        text.append(_cut(node.error or "no answer"))
    return text


def _section(title: str, error: str) -> Text:
    """A section's bold title, followed by the read's error when it failed."""
    text = Text(title, style="bold")
    if error:
        text.append("  ")
        text.append(_cut(error), style="bold red")
    return text


def health_text(health: ClusterHealth | None, error: str) -> Text:
    """The `talosctl health` section: overall verdict, then each check with its detail."""
    text = _section("Health", error)
    if error or health is None:
        return text
    verdict = ("ok", "green") if health.ok else ("failing", "bold red")
    text.append(f"  {verdict[0]}", style=verdict[1])
    text.append(f" · {len(health.discovered_nodes)} nodes discovered", style="dim")
    if not health.checks:
        text.append("\n  no checks reported", style="dim")
    for check in health.checks:
        glyph, style = CHECK_STYLE[check.state]
        text.append(f"\n  {glyph} {check.state.value:<7} ", style=style)
        text.append(_cut(check.name, 120))
        for line in check.detail.splitlines():
            if line.strip():
                text.append("\n      ")
                text.append(_cut(line), style="dim")
    if health.error:
        text.append("\n  ended: ", style="bold red")
        text.append(_cut(health.error))
    return text


def service_problem(service: TalosService) -> bool:
    """True when a service is not Running or its health check fails (`?` is no check)."""
    return service.state is not ServiceState.RUNNING or service.health is ServiceHealth.FAIL


def services_text(
    results: NodeResults[TalosService] | None, error: str, nodes: tuple[TalosNode, ...]
) -> Text:
    """The services section: per node a count, and only the services that are not OK."""
    text = _section("Services", error)
    if error or results is None:
        return text
    names = _names(nodes)
    by_node: dict[str, list[TalosService]] = {}
    for service in results.items:
        by_node.setdefault(service.node, []).append(service)
    if not by_node and not results.errors:
        text.append("\n  no services reported", style="dim")
    for node, services in by_node.items():
        bad = [service for service in services if service_problem(service)]
        text.append("\n  ")
        text.append(_cut(_node_label(node, names), 60))
        text.append(f": {len(services)} services, ")
        if not bad:
            text.append("all running", style="green")
        else:
            text.append(f"{len(bad)} not running/OK", style="bold yellow")
        for service in bad:
            text.append("\n    ✗ ", style="bold yellow")
            text.append(_cut(service.id, 40))
            text.append(f" {service.state.value}/{service.health.value} ")
            text.append(_cut(f"{service.last_change} · {service.last_event}", 140), style="dim")
    _errors_text(text, results.errors, names)
    return text


def etcd_text(
    results: NodeResults[EtcdMember] | None, error: str, nodes: tuple[TalosNode, ...]
) -> Text:
    """The etcd section: each member once (several nodes may report it), then read errors."""
    text = _section("etcd members", error)
    if error or results is None:
        return text
    seen: dict[str, EtcdMember] = {}
    for member in results.items:
        seen.setdefault(member.id, member)
    text.append(f"  {len(seen)}", style="dim")
    if not seen and not results.errors:
        text.append("\n  no members reported", style="dim")
    for member in seen.values():
        text.append("\n  ")
        text.append(_cut(member.hostname or "?", 40))
        text.append(" ")
        text.append(_cut(member.id, 20), style="dim")
        text.append(" ")
        text.append(_cut(", ".join(member.peer_urls) or "-", 80))
        if member.learner:
            text.append(" learner", style="yellow")
    _errors_text(text, results.errors, _names(nodes))
    return text


def desired_text(desired: TalosDesired) -> Text:
    """What talconfig.yaml asks for, or why there is nothing to compare with."""
    if not desired.file:
        return Text("no talconfig.yaml in the repo: versions are not compared", style="dim")
    text = Text("talconfig ", style="dim")
    text.append(_cut(desired.file, 80))
    text.append(": Talos ")
    text.append(inert(desired.talos, one_line=True) or "?")
    text.append(" · Kubernetes ")
    text.append(inert(desired.kubernetes, one_line=True) or "?")
    return text


class TalosScreen(Screen[None]):
    """Talos nodes, health, services and etcd, read through talosctl."""

    DEFAULT_CSS = """
    TalosScreen #talos-body { height: 1fr; }
    TalosScreen #talos-status { height: auto; padding: 0 1; }
    TalosScreen #talos-desired { height: auto; padding: 0 1; }
    TalosScreen #talos-nodes { height: auto; max-height: 16; margin: 1 0 0 0; }
    TalosScreen .talos-section { height: auto; padding: 0 1; margin: 1 0 0 0; }
    """
    BINDINGS = bindings(TALOS_ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self.snapshot: TalosSnapshot | None = None
        """The last answer shown; None until the first one."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="talos-body"):
            yield Static(Text("Talos: loading…"), id="talos-status")
            yield Static(Text(), id="talos-desired")
            table: DataTable[Text] = DataTable(
                id="talos-nodes", cursor_type="row", zebra_stripes=True
            )
            yield table
            yield Static(Text(), id="talos-nodes-summary", classes="talos-section")
            yield Static(Text(), id="talos-health", classes="talos-section")
            yield Static(Text(), id="talos-services", classes="talos-section")
            yield Static(Text(), id="talos-etcd", classes="talos-section")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one("#talos-nodes", DataTable)
        table.add_columns(*NODE_COLUMNS)
        self.load()

    def action_refresh(self) -> None:
        """Read everything again (the last answer stays visible meanwhile)."""
        if self.snapshot is not None:
            self.query_one("#talos-status", Static).update(Text("Talos: refreshing…"))
        self.load()

    @work(thread=True, exclusive=True, group="talos", exit_on_error=False)
    def load(self) -> None:
        """Run the blocking talosctl reads off the event loop, then show the answer."""
        backend = host_of(self.app).backend
        desired = desired_versions(backend.repo_root)
        reader = backend.talos
        if reader is None:
            snapshot = TalosSnapshot(desired, configured=False)
        else:
            nodes, nodes_error = _attempt(reader.cluster_nodes)
            health, health_error = _attempt(reader.health)
            services, services_error = _attempt(reader.services)
            etcd, etcd_error = _attempt(reader.etcd_members)
            snapshot = TalosSnapshot(
                desired,
                nodes=nodes or (),
                nodes_error=nodes_error,
                health=health,
                health_error=health_error,
                services=services,
                services_error=services_error,
                etcd=etcd,
                etcd_error=etcd_error,
            )
        self.app.call_from_thread(self.show, snapshot)

    def show(self, snapshot: TalosSnapshot) -> None:
        """Render one answer into the widgets (on the event loop)."""
        if not self.is_attached:
            return
        self.snapshot = snapshot
        self.query_one("#talos-desired", Static).update(desired_text(snapshot.desired))
        table: DataTable[Text] = self.query_one("#talos-nodes", DataTable)
        if not snapshot.configured:
            reason = host_of(self.app).backend.offline_reason
            status = Text("Talos: talosctl not configured", style="bold yellow")
            if reason:
                status.append(f" ({inert(reason, one_line=True)})", style="dim")
            self.query_one("#talos-status", Static).update(status)
            table.clear()
            table.display = False
            for section in ("nodes-summary", "health", "services", "etcd"):
                self.query_one(f"#talos-{section}", Static).update(Text())
            return
        table.display = True
        self._fill_nodes(table, snapshot)
        status = Text("Talos", style="bold")
        status.append(f" · read {host_of(self.app).now():%H:%M:%S} · r refresh", style="dim")
        self.query_one("#talos-status", Static).update(status)
        self.query_one("#talos-nodes-summary", Static).update(nodes_summary(snapshot))
        self.query_one("#talos-health", Static).update(
            health_text(snapshot.health, snapshot.health_error)
        )
        self.query_one("#talos-services", Static).update(
            services_text(snapshot.services, snapshot.services_error, snapshot.nodes)
        )
        self.query_one("#talos-etcd", Static).update(
            etcd_text(snapshot.etcd, snapshot.etcd_error, snapshot.nodes)
        )

    def _fill_nodes(self, table: DataTable[Text], snapshot: TalosSnapshot) -> None:
        """Replace the rows, keeping the cursor on the same row index where possible."""
        cursor = table.cursor_row
        table.clear()
        for node in snapshot.nodes:
            table.add_row(*node_cells(node, snapshot.desired.talos))
        if snapshot.nodes:
            table.move_cursor(row=min(cursor, len(snapshot.nodes) - 1))
