"""Talos: the machines as talosctl sees them. A nodes table (version drift against the repo's
talconfig.yaml, stage, readiness, reachability), the `talosctl health` checks, the system
services that are not Running/OK per node, and the etcd members.

All talosctl reads block, so they run in one exclusive thread worker (on mount and on `r`)
that returns a `TalosSnapshot`; `on_worker_state_changed` shows it, on the event loop. Each of
the four reads fails on its own, as a line in its section, so one broken read never hides the
others; when none answers (talosctl missing, failing or timing out) the status line says why.
Anything else the worker raises is a bug: the status line says the read failed and the event
goes on to the app, which reports it. The screen never stays at "loading…".

The text is built by `tuiops.ui.talos_text`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from tuiops.domain.text import inert
from tuiops.errors import TuiopsError
from tuiops.services.console_state import ConsoleSession
from tuiops.ui.actions import TALOS_ACTIONS, bindings
from tuiops.ui.screens.console_screen import ConsoleScreen
from tuiops.ui.tables import measured_columns
from tuiops.ui.talos_text import (
    DESIRED_NODE_COLUMNS,
    NODE_COLUMNS,
    TalosSnapshot,
    desired_node_cells,
    desired_node_keys,
    desired_summary,
    desired_text,
    etcd_text,
    failure_text,
    health_text,
    loading_text,
    node_cells,
    node_keys,
    nodes_summary,
    services_text,
    status_text,
)
from tuiops.ui.tones import for_terminal
from tuiops.ui.widgets.resource_table import ResourceTable

T = TypeVar("T")

WORKER_GROUP = "talos"
SECTIONS = ("nodes-summary", "health", "services", "etcd")


def _attempt(read: Callable[[], T]) -> tuple[T | None, str]:
    """Run one blocking read; a TuiopsError becomes its one-line message (anything else
    propagates: it is a bug, for the app to report)."""
    try:
        return read(), ""
    except TuiopsError as error:
        return None, inert(str(error), one_line=True) or type(error).__name__


def read_talos(session: ConsoleSession) -> TalosSnapshot:
    """The repo's wanted versions and the four talosctl reads (blocking), each failing on its
    own.

    Args:
        session: The console session; without a Talos reader the answer says so.

    Returns:
        One snapshot, with an error text in place of each read that failed.
    """
    desired = session.talos_desired()
    reader = session.backend.talos
    if reader is None:
        return TalosSnapshot(desired, configured=False)
    nodes, nodes_error = _attempt(reader.cluster_nodes)
    health, health_error = _attempt(reader.health)
    services, services_error = _attempt(reader.services)
    etcd, etcd_error = _attempt(reader.etcd_members)
    return TalosSnapshot(
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


class TalosScreen(ConsoleScreen):
    """Talos nodes, health, services and etcd, read through talosctl."""

    CSS_PATH = "talos.tcss"
    BINDINGS = bindings(TALOS_ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self.snapshot: TalosSnapshot | None = None
        """The last answer shown; None until the first one."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="talos-body"):
            yield Static(loading_text(refreshing=False), id="talos-status")
            yield Static(id="talos-desired")
            yield ResourceTable(id="talos-nodes")
            for section in SECTIONS:
                yield Static(id=f"talos-{section}", classes="talos-section")
        yield Footer()

    def on_mount(self) -> None:
        self.load(self.host.session)

    def action_refresh(self) -> None:
        """Read everything again (the last answer stays visible meanwhile)."""
        self._update("#talos-status", loading_text(refreshing=self.snapshot is not None))
        self.load(self.host.session)

    @work(
        thread=True,
        exclusive=True,
        group=WORKER_GROUP,
        exit_on_error=False,
        description="reading Talos through talosctl",
    )
    def load(self, session: ConsoleSession) -> TalosSnapshot:
        """Run the blocking talosctl reads off the event loop; the answer is the worker's
        result, shown by `on_worker_state_changed`."""
        return read_talos(session)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show the worker's answer, or that it broke (ConsoleScreen hands a broken worker
        on to the app's one failure handler, which reports it)."""
        if event.worker.group != WORKER_GROUP:
            return
        result = event.worker.result
        if event.state is WorkerState.SUCCESS and isinstance(result, TalosSnapshot):
            self.show(result)
        elif event.state is WorkerState.ERROR and event.worker.error is not None:
            self._update("#talos-status", failure_text(event.worker.error))

    def show(self, snapshot: TalosSnapshot) -> None:
        """Render one answer into the widgets."""
        self.snapshot = snapshot
        host = self.host
        read_at = f"{host.now():%H:%M:%S}"
        self._update("#talos-status", status_text(snapshot, read_at, host.backend.offline_reason))
        self._update("#talos-desired", desired_text(snapshot.desired))
        table = self.query_one("#talos-nodes", ResourceTable)
        shown = snapshot.configured and not snapshot.unanswered
        # Without talosctl (offline) the machines talconfig lists, their live state unknown.
        listed = not snapshot.configured and bool(snapshot.desired.nodes)
        table.display = shown or listed
        spec = DESIRED_NODE_COLUMNS if listed else NODE_COLUMNS
        if listed:
            wanted = snapshot.desired
            cells = [desired_node_cells(node, wanted) for node in wanted.nodes]
            keys = desired_node_keys(wanted.nodes)
        else:
            nodes = snapshot.nodes if shown else ()
            cells = [node_cells(node, snapshot.desired.talos) for node in nodes]
            keys = node_keys(nodes)
        table.set_layout(measured_columns(spec, cells))
        table.sync(keys, lambda index: cells[index])
        offline = host.backend.offline_reason
        texts = (
            desired_summary(snapshot.desired, offline) if listed else nodes_summary(snapshot),
            health_text(snapshot.health, snapshot.health_error),
            services_text(snapshot.services, snapshot.services_error, snapshot.nodes),
            etcd_text(snapshot.etcd, snapshot.etcd_error, snapshot.nodes),
        )
        for section, text in zip(SECTIONS, texts, strict=True):
            visible = shown or (listed and section == "nodes-summary")
            self.query_one(f"#talos-{section}", Static).display = visible
            self._update(f"#talos-{section}", text)

    def _update(self, selector: str, content: Content) -> None:
        """Show `content` in the Static `selector`, as this terminal shows tones."""
        self.query_one(selector, Static).update(for_terminal(content, self.app.no_color))
