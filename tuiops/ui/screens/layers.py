"""Home: the repo's layers in apply order with live counts, and the components of the layer
under the cursor. Offline it shows the desired state with live status unknown and says why."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Static

from tuiops.domain.overview import LayerOverview
from tuiops.domain.refs import ObjectRef
from tuiops.domain.status import Health
from tuiops.services.console_state import ConsoleState, offline_detail
from tuiops.ui.screens.console_screen import ConsoleScreen
from tuiops.ui.tables import APP_COLUMNS, AppCellCache, count_cell, health_cell
from tuiops.ui.tones import Tone
from tuiops.ui.widgets.resource_table import ResourceTable
from tuiops.ui.widgets.status_bar import StatusBar

COUNTED = (Health.READY, Health.PROGRESSING, Health.FAILED, Health.SUSPENDED, Health.UNKNOWN)


class LayersScreen(ConsoleScreen):
    """Layers table on top, the highlighted layer's objects below."""

    CSS_PATH = "layers.tcss"

    def __init__(self) -> None:
        super().__init__()
        self._cell_cache = AppCellCache()
        self._note: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="note")
        yield ResourceTable(id="layers")
        yield ResourceTable(id="components")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#layers", ResourceTable).set_columns(
            [("#", 2), ("Layer", 16), *((h.value, len(h.value)) for h in COUNTED), ("", 13)]
        )
        self.query_one("#components", ResourceTable).set_columns(APP_COLUMNS)

    def _layers(self, state: ConsoleState) -> tuple[LayerOverview, ...]:
        return state.overview.layers if state.overview else ()

    def watch_state(self, state: ConsoleState | None) -> None:
        if state is None:
            return
        backend = self.host.backend
        self.query_one(StatusBar).show(state, backend.label, backend.read_only)
        if state.model is None:
            note = state.repo_problem or "reading the repo…"
        elif state.offline_reason:
            why = offline_detail(state.offline_reason)
            note = f"offline ({why}): desired state from the repo, live status unknown"
        else:
            note = ""
        if note != self._note:
            self._note = note
            box = self.query_one("#note", Static)
            box.update(note)
            box.display = bool(note)  # an empty note takes no row
        rows = []
        for number, layer in enumerate(self._layers(state)):
            counts = [count_cell(layer.count(h), h) for h in COUNTED]
            name = Content(layer.name) if layer.applied else Content.styled(layer.name, Tone.MUTED)
            worst = health_cell(layer.worst) if layer.rows else Content("")
            if not layer.applied:
                worst = Content.styled(layer.why_not_applied or "not applied", Tone.MUTED)
            rows.append((layer.name, (Content(str(number)), name, *counts, worst)))
        self.query_one("#layers", ResourceTable).sync(
            [key for key, _cells in rows], lambda index: rows[index][1]
        )
        self._show_components(state)

    def _show_components(self, state: ConsoleState) -> None:
        table = self.query_one("#layers", ResourceTable)
        layer = next((x for x in self._layers(state) if x.name == table.cursor_key), None)
        components = self.query_one("#components", ResourceTable)
        rows = layer.rows if layer is not None else ()
        cache = self._cell_cache
        now = self.host.now()  # one instant per update: ages do not tick on their own
        components.sync(
            [str(row.ref) for row in rows],
            lambda index: cache.cells(rows[index], now, state.absence),
        )

    def on_resource_table_highlighted(self, event: ResourceTable.Highlighted) -> None:
        if event.table.id == "layers" and self.state is not None:
            self._show_components(self.state)

    def on_resource_table_selected(self, event: ResourceTable.Selected) -> None:
        if event.table.id == "components":
            ref = self.selected_ref()
            if ref is not None:
                self.host.open_detail(ref)
        elif event.key:
            self.post_message(self.LayerChosen(event.key))

    @dataclass
    class LayerChosen(Message):
        """Enter on a layer: the app shows Apps filtered to it."""

        layer: str

    def selected_ref(self) -> ObjectRef | None:
        """The component under the cursor (`ShowsObject`); none while a layer is focused."""
        components = self.query_one("#components", ResourceTable)
        if not components.has_focus:
            return None
        row = self.host.state.row_for_key(components.cursor_key)
        return row.ref if row is not None else None
