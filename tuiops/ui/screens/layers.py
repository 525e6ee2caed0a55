"""Home: the repo's layers in apply order with live counts, and the components of the layer
under the cursor. Objects no layer reaches (the repo's orphans, live objects the repo does not
list) come last, under their own heading. Offline it shows the desired state with live status
unknown and says why."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Static

from tuiops.domain.orphans import ORPHANS_HEADING, orphan_rows
from tuiops.domain.overview import ClusterOverview, LayerOverview
from tuiops.domain.refs import ObjectRef
from tuiops.domain.status import Health
from tuiops.services.console_state import ConsoleState, offline_detail
from tuiops.ui.screens.console_screen import ConsoleScreen
from tuiops.ui.tables import (
    APP_LABELS,
    HEALTH_GLYPH,
    AppCellCache,
    app_columns,
    app_widths,
    count_cell,
    health_cell,
)
from tuiops.ui.tones import Tone
from tuiops.ui.widgets.resource_table import ResourceTable
from tuiops.ui.widgets.status_bar import StatusBar

COUNTED = (Health.READY, Health.PROGRESSING, Health.FAILED, Health.SUSPENDED, Health.UNKNOWN)
ORPHANS_KEY = "\x00orphans"
"""The layers table's key of the orphans' heading: no layer name has a NUL."""
ORPHANS_NOTE = "reached by no layer"


class LayersScreen(ConsoleScreen):
    """Layers table on top, the highlighted layer's objects below."""

    CSS_PATH = "layers.tcss"

    def __init__(self) -> None:
        super().__init__()
        self._cell_cache = AppCellCache()
        self._note: str | None = None
        self._orphans: LayerOverview | None = None
        """The objects no layer reaches, as a pseudo-layer; None when there are none."""
        self._measured: ClusterOverview | None = None
        """The overview the orphans and the column widths were worked out from."""

    def compose(self) -> ComposeResult:
        yield Static("", id="note")
        yield ResourceTable(id="layers")
        yield ResourceTable(id="components")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self._fit_layer_columns()

    def on_resize(self, _event: events.Resize) -> None:
        self._fit_layer_columns()

    def _fit_layer_columns(self) -> None:
        """The counts headed by their health's word where it fits, by its glyph (as the Apps
        rows and the help legend show it) in narrower terminals, so the reason a layer is not
        applied still shows at 80 columns."""
        table = self.query_one("#layers", ResourceTable)
        words = [*((h.value, len(h.value)) for h in COUNTED)]
        columns = [("#", 2), ("Layer", 16), *words, ("", len(ORPHANS_NOTE))]
        if sum(width + 2 for _label, width in columns) > self.size.width - 2:
            glyphs = [(HEALTH_GLYPH[h], 3) for h in COUNTED]
            columns = [*columns[:2], *glyphs, columns[-1]]
        table.set_columns(columns)

    def _layers(self, state: ConsoleState) -> tuple[LayerOverview, ...]:
        layers = state.overview.layers if state.overview else ()
        return (*layers, self._orphans) if self._orphans is not None else layers

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
        if state.overview is not self._measured or self._measured is None:
            # Once per new overview (each live change brings one), not on every redraw.
            self._measured = state.overview
            orphans = orphan_rows(state.cluster(), state.overview, state.objects)
            self._orphans = LayerOverview(ORPHANS_HEADING, orphans) if orphans else None
            widths = app_widths((*state.rows, *orphans))
            self.query_one("#components", ResourceTable).set_layout(app_columns(widths, APP_LABELS))
        rows = []
        for number, layer in enumerate(self._layers(state)):
            counts = [count_cell(layer.count(h), h) for h in COUNTED]
            name = Content(layer.name) if layer.applied else Content.styled(layer.name, Tone.MUTED)
            worst = health_cell(layer.worst) if layer.rows else Content("")
            if not layer.applied:
                worst = Content.styled(layer.why_not_applied or "not applied", Tone.MUTED)
            key, place = layer.name, Content(str(number))
            if layer is self._orphans:
                key, place = ORPHANS_KEY, Content("-")
                name = Content.styled(layer.name, Tone.STRONG)
                worst = Content.styled(ORPHANS_NOTE, Tone.MUTED)
            rows.append((key, (place, name, *counts, worst)))
        self.query_one("#layers", ResourceTable).sync(
            [key for key, _cells in rows], lambda index: rows[index][1]
        )
        self._show_components(state)

    def _show_components(self, state: ConsoleState) -> None:
        key = self.query_one("#layers", ResourceTable).cursor_key
        if key == ORPHANS_KEY:
            layer = self._orphans
        else:
            layer = next((x for x in self._layers(state) if x.name == key), None)
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
        elif event.key and event.key != ORPHANS_KEY:
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
        key = components.cursor_key
        row = self.host.state.row_for_key(key)
        if row is None and self._orphans is not None:  # a repo orphan: not among the rows
            row = next((x for x in self._orphans.rows if str(x.ref) == key), None)
        return row.ref if row is not None else None
