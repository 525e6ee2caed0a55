"""Home: the repo's layers in apply order with live counts, and the components of the layer
under the cursor. Offline it shows the desired state with live status unknown and says why."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tuiops.domain.overview import LayerOverview
from tuiops.domain.status import Health
from tuiops.ui.state import ConsoleState, host_of
from tuiops.ui.tables import APP_COLUMNS, HEALTH_STYLE, app_cells, health_cell
from tuiops.ui.widgets.status_bar import StatusBar

COUNTED = (Health.READY, Health.PROGRESSING, Health.FAILED, Health.SUSPENDED, Health.UNKNOWN)


class LayersScreen(Screen[None]):
    """Layers table on top, the highlighted layer's objects below."""

    DEFAULT_CSS = """
    LayersScreen #layers { height: auto; max-height: 50%; }
    LayersScreen #components { height: 1fr; }
    LayersScreen #note { height: auto; color: $text-muted; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="note")
        yield DataTable(id="layers", cursor_type="row", zebra_stripes=False)
        yield DataTable(id="components", cursor_type="row")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        layers = self.query_one("#layers", DataTable)
        layers.add_columns("#", "Layer", *(h.value for h in COUNTED), "")
        self.query_one("#components", DataTable).add_columns(*APP_COLUMNS)
        self.watch(self.app, "state", self._show)

    def _layers(self, state: ConsoleState) -> tuple[LayerOverview, ...]:
        return state.overview.layers if state.overview else ()

    def _show(self, state: ConsoleState) -> None:
        backend = host_of(self.app).backend
        self.query_one(StatusBar).show(state, backend.label, backend.read_only)
        note = self.query_one("#note", Static)
        if state.model is None:
            note.update("reading the repo…")
        elif state.offline_reason:
            note.update(f"{state.offline_reason}: desired state from the repo, live status unknown")
        else:
            note.update("")
        table = self.query_one("#layers", DataTable)
        cursor = table.cursor_row
        table.clear()
        for number, layer in enumerate(self._layers(state)):
            counts = [
                Text(str(layer.count(h)) if layer.count(h) else "·", style=HEALTH_STYLE[h])
                for h in COUNTED
            ]
            name = Text(layer.name, style="" if layer.applied else "dim")
            worst = health_cell(layer.worst) if layer.rows else Text("")
            if not layer.applied:
                worst = Text("not applied", style="dim")
            table.add_row(str(number), name, *counts, worst, key=layer.name)
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        self._show_components(state)

    def _show_components(self, state: ConsoleState) -> None:
        table = self.query_one("#layers", DataTable)
        layers = self._layers(state)
        components = self.query_one("#components", DataTable)
        components.clear()
        if not layers or table.cursor_row >= len(layers):
            return
        for row in layers[table.cursor_row].rows:
            components.add_row(*app_cells(row), key=str(row.ref))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "layers":
            self._show_components(host_of(self.app).state)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "components":
            host = host_of(self.app)
            for row in host.state.rows:
                if str(row.ref) == event.row_key.value:
                    host.open_detail(row.ref)
        else:
            self.query_one("#components", DataTable).focus()
