"""Sources: every Flux source the cluster has (Git, OCI, Helm repositories, Helm charts,
buckets) with its readiness, the revision it fetched and why it is not ready. The Flux keys
act on the source under the cursor (reconcile, suspend, resume), and enter opens its Detail.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Footer, Static

from tuiops.domain.refs import ObjectRef
from tuiops.domain.status import Health
from tuiops.services.console_state import ConsoleState
from tuiops.ui.screens.console_screen import ConsoleScreen
from tuiops.ui.source_cells import source_cells, source_columns, sources_of
from tuiops.ui.widgets.resource_table import ResourceTable
from tuiops.ui.widgets.status_bar import StatusBar


class SourcesScreen(ConsoleScreen):
    """The table of Flux sources."""

    CSS_PATH = "sources.tcss"

    namespace: reactive[str] = reactive("", init=False)
    """Show only this namespace (`:ns NAME`); empty: every namespace (`:ns all`)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="summary")
        yield ResourceTable(id="sources")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(ResourceTable)
        table.set_layout(source_columns(()))
        table.focus()

    def watch_namespace(self) -> None:
        self.watch_state(self.state)

    def watch_state(self, state: ConsoleState | None) -> None:
        if state is None:
            return
        backend = self.host.backend
        self.query_one(StatusBar).show(state, backend.label, backend.read_only)
        sources = sources_of(state.objects.values())
        if self.namespace:
            sources = [source for source in sources if source.ref.namespace == self.namespace]
        now = self.host.now()
        table = self.query_one(ResourceTable)
        table.set_layout(source_columns(sources))
        table.sync(
            [str(source.ref) for source in sources],
            lambda index: source_cells(sources[index], now),
        )
        failing = sum(1 for source in sources if source.health is Health.FAILED)
        summary = f"{len(sources)} sources · {failing} failing"
        if self.namespace:
            summary += f" · namespace {self.namespace}"
        if not sources and state.connection != "live":
            summary = f"no sources known yet ({state.connection})"
        self.query_one("#summary", Static).update(Content(summary))

    def on_resource_table_selected(self, _event: ResourceTable.Selected) -> None:
        ref = self.selected_ref()
        if ref is not None:
            self.host.open_detail(ref)

    def selected_ref(self) -> ObjectRef | None:
        """The source under the cursor (`ShowsObject`: the Flux keys act on it)."""
        key = self.query_one(ResourceTable).cursor_key
        found = self.state.object_for_key(key) if self.state is not None else None
        return found.ref if found is not None else None
