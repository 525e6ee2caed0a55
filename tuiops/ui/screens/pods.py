"""The workloads of one HelmRelease's Helm release, drilled down as k9s does: each Deployment,
StatefulSet, DaemonSet or Job, under a Deployment its ReplicaSets, under each its pods, with
ready, status, restarts, age and node; what is not ready comes first. The panel below shows
the row under the cursor: why it is not ready (a ReplicaSet that cannot create its pods says
so), its containers' states and its events, with ages and exact times.

The tree is read in a worker through the backend's ObjectDetails port and comes back as a
`TreeRead` message; it is read again when the HelmRelease changes (a new attempt, a new
revision) and on ctrl+r, the last answer staying on screen meanwhile. Enter moves to the row's
first child; y and d show the row's YAML and describe. All cluster text is made inert by the
renderers (`ui/pod_text.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState, get_current_worker

from tuiops.domain.refs import ObjectRef
from tuiops.domain.workload_tree import TreeNode, WorkloadTree
from tuiops.errors import TuiopsError
from tuiops.services.console_state import ConsoleState, offline_detail
from tuiops.ui.actions import OPEN_LOGS, PODS_ACTIONS, bindings
from tuiops.ui.pod_text import COLUMNS, node_text, row_cells, row_key, title_text
from tuiops.ui.screens.console_screen import ConsoleScreen
from tuiops.ui.screens.text_view import TextScreen
from tuiops.ui.tables import measured_columns
from tuiops.ui.tones import Tone, for_terminal
from tuiops.ui.widgets.resource_table import ResourceTable

WORKER_GROUP = "pods"


class PodsScreen(ConsoleScreen):
    """One HelmRelease's workloads → ReplicaSets → pods, and the row under the cursor."""

    BINDINGS = bindings((*PODS_ACTIONS, OPEN_LOGS))
    CSS_PATH = "pods.tcss"

    @dataclass
    class TreeRead(Message):
        """The release's workload tree, or why it could not be read."""

        tree: WorkloadTree | str

    def __init__(self, release: ObjectRef) -> None:
        """
        Args:
            release: The HelmRelease whose workloads are shown.
        """
        super().__init__()
        self.ref = release
        self.workloads: WorkloadTree | str | None = None
        """The last answer (None while the first read runs, a text when it failed)."""
        self._rows: tuple[tuple[int, TreeNode], ...] = ()
        self._read_version: str | None = None
        self._shown: ObjectRef | None = None
        """The object the panel shows."""

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield ResourceTable(id="tree")
        with VerticalScroll(id="object-panel"):
            yield Static(id="object")
        yield Footer()

    def on_mount(self) -> None:
        # ConsoleScreen.on_mount runs as well: Textual calls the handler of every class.
        self.query_one(ResourceTable).focus()
        self._show_tree()

    def selected_ref(self) -> ObjectRef | None:
        """The HelmRelease (`ShowsObject`): app-wide Flux actions act on it, not on a pod."""
        return self.ref

    def watch_state(self, state: ConsoleState | None) -> None:
        if state is None:
            return
        live = state.objects.get(self.ref)
        version = live.resource_version if live is not None else ""
        if version != self._read_version:
            self._read_version = version
            self.load_tree()

    @work(
        thread=True,
        exclusive=True,
        group=WORKER_GROUP,
        exit_on_error=False,
        description="reading the release's workloads",
    )
    def load_tree(self) -> None:
        """Read the release's workloads, ReplicaSets and pods (blocking); they come back as
        `TreeRead` (a newer read cancels this one, and its message is then dropped).

        Raises:
            Exception: anything but a TuiopsError (a bug), for the app's failure handler.
        """
        backend = self.host.backend
        live = self.host.state.objects.get(self.ref)
        result: WorkloadTree | str
        if backend.details is None:
            reason = backend.offline_reason
            result = f"offline ({offline_detail(reason)})" if reason else "no cluster connection"
        elif live is None:
            result = self.host.state.absence(self.ref.kind)
        else:
            try:
                result = backend.details.workload_tree(live)
            except TuiopsError as error:
                result = str(error) or type(error).__name__
        if not get_current_worker().is_cancelled:
            self.post_message(self.TreeRead(result))

    @on(TreeRead)
    def _tree_read(self, message: TreeRead) -> None:
        self.workloads = message.tree
        self._show_tree()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A read that broke with a bug says so instead of "loading…" (ConsoleScreen hands the
        failure on to the app, which logs and notifies it)."""
        if event.worker.group == WORKER_GROUP and event.state is WorkerState.ERROR:
            self.post_message(self.TreeRead("unexpected error (see the notification)"))

    def _show_tree(self) -> None:
        """Refill the title and the table; the cursor stays on its object across reads."""
        title = title_text(self.ref, self.workloads)
        self.query_one("#title", Static).update(for_terminal(title, self.app.no_color))
        tree = self.workloads
        self._rows = tree.rows() if isinstance(tree, WorkloadTree) else ()
        now = self.host.now()
        cells = [row_cells(depth, node, now) for depth, node in self._rows]
        table = self.query_one(ResourceTable)
        table.set_layout(measured_columns(COLUMNS, cells))
        table.sync([row_key(node) for _, node in self._rows], lambda index: cells[index])
        self._show_object(force=True)

    def _cursor_node(self) -> tuple[int, TreeNode] | None:
        table = self.query_one(ResourceTable)
        if not self._rows or table.row_count == 0:
            return None
        index = min(table.cursor_row, len(self._rows) - 1)
        return self._rows[index]

    def _show_object(self, *, force: bool = False) -> None:
        """Show the row under the cursor in the panel (scrolled to its top when it changed)."""
        found = self._cursor_node()
        node = found[1] if found is not None else None
        ref = node.ref if node is not None else None
        if ref == self._shown and not force:
            return
        content = node_text(node, self.host.now()) if self._rows else Content()
        if self.workloads is None:
            content = Content.styled("loading…", Tone.MUTED)
        self.query_one("#object", Static).update(for_terminal(content, self.app.no_color))
        if ref != self._shown:
            self.query_one("#object-panel", VerticalScroll).scroll_home(animate=False)
        self._shown = ref

    def on_resource_table_highlighted(self, event: ResourceTable.Highlighted) -> None:
        event.stop()
        self._show_object()

    def on_resource_table_selected(self, event: ResourceTable.Selected) -> None:
        """Enter drills down: to the row's first child (the not-ready one comes first), and
        on a row without children into the panel, to scroll it."""
        event.stop()
        found = self._cursor_node()
        if found is None:
            return
        _, node = found
        if node.children:
            table = self.query_one(ResourceTable)
            table.move_cursor(table.row_index(row_key(node.children[0])))
            self._show_object()
        else:
            self.query_one("#object-panel", VerticalScroll).focus()

    def _kubectl_view(self, what: str, read_name: str) -> None:
        found = self._cursor_node()
        ref = found[1].ref if found is not None else self.ref
        details = self.host.backend.details
        if details is None:
            self.notify(f"{what} needs the cluster", severity="warning")
            return
        read = details.yaml if read_name == "yaml" else details.describe
        self.app.push_screen(TextScreen(f"{what} {ref}", partial(read, ref)))

    def action_show_yaml(self) -> None:
        """`kubectl get -o yaml` of the row under the cursor."""
        self._kubectl_view("YAML", "yaml")

    def action_show_describe(self) -> None:
        """`kubectl describe` of the row under the cursor."""
        self._kubectl_view("describe", "describe")

    def action_logs(self) -> None:
        """The logs of the pod under the cursor, its containers interleaved by time."""
        found = self._cursor_node()
        ref = found[1].ref if found is not None else None
        if ref is None or ref.kind != "Pod":
            self.notify("logs are read for pods: move to a pod row", severity="warning")
            return
        from tuiops.ui.screens.logs import PodLogsScreen  # imported when first shown

        self.app.push_screen(PodLogsScreen(ref.namespace, ref.name))

    def action_refresh(self) -> None:
        """Read the tree again (pods change without the HelmRelease changing)."""
        self.load_tree()

    def action_back(self) -> None:
        """Return to the previous screen."""
        self.app.pop_screen()
