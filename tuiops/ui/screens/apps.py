"""Apps: every Kustomization and HelmRelease. `/` filters as you type, `n` shows only what is
not ready, `s` cycles the sort column, enter opens the detail, space marks the row (and moves
down; ctrl+space clears the marks) so the Flux keys act on every marked object. Rows are keyed
by object, so the cursor and the marks stay on their objects across live updates and filters;
the table draws only the rows on screen, so a keystroke over 7,000 rows costs a filtered list
of keys, not a rebuilt table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.reactive import reactive
from textual.widgets import Footer, Input, Static

from tuiops.domain.age import parse_time
from tuiops.domain.overview import AppRow
from tuiops.domain.refs import ObjectRef
from tuiops.ui.actions import APPS_ACTIONS, OPEN_LOGS, bindings
from tuiops.ui.column_layout import Column
from tuiops.ui.screens.console_screen import ConsoleScreen
from tuiops.ui.tables import (
    APP_LABELS,
    AppCellCache,
    AppWidths,
    app_columns,
    app_widths,
    search_text,
)
from tuiops.ui.widgets.resource_table import ResourceTable
from tuiops.ui.widgets.status_bar import StatusBar


def _reason(row: AppRow) -> str:
    ready = row.live.ready if row.live is not None else None
    return ready.reason if ready is not None else ""


def _live_text(read: Callable[[AppRow], str]) -> Callable[[AppRow], Any]:
    """A sort key on live text; rows without one (no live object, or empty) last, then by
    name."""

    def key(row: AppRow) -> tuple[bool, str, str, str]:
        text = read(row) if row.live is not None else ""
        return (not text, text, row.ref.namespace, row.ref.name)

    return key


def _youngest_first(row: AppRow) -> tuple[bool, float, str, str]:
    """Sort key on the Ready condition's last transition, the most recent first (the smallest
    age, as the Age column reads); rows without one last."""
    ready = row.live.ready if row.live is not None else None
    moment = parse_time(ready.last_transition_time) if ready is not None else None
    stamp = moment.timestamp() if moment is not None and moment.tzinfo is not None else None
    if stamp is None:
        return (True, 0.0, row.ref.namespace, row.ref.name)
    return (False, -stamp, row.ref.namespace, row.ref.name)


SORTS: tuple[tuple[str, str, Callable[[AppRow], Any]], ...] = (
    ("layer", "Layer", lambda row: 0),  # the repo's order, as built (not re-sorted)
    ("health", "", lambda row: row.health.rank),
    ("name", "Namespace/Name", lambda row: (row.ref.namespace, row.ref.name, row.ref.kind)),
    ("kind", "Kind", lambda row: (row.ref.kind, row.ref.namespace, row.ref.name)),
    ("ready", "Ready", lambda row: (row.ready_status, row.ref.namespace, row.ref.name)),
    ("version", "Version", lambda row: (row.applied_version or row.desired_version, row.ref.name)),
    (
        "reason",
        "Reason",
        _live_text(lambda row: row.live.ready.reason if row.live and row.live.ready else ""),
    ),
    ("age", "Age", _youngest_first),
    (
        "suspended",
        "Suspended",
        lambda row: (not (row.live and row.live.suspended), row.ref.namespace, row.ref.name),
    ),
    ("message", "Message", _live_text(lambda row: row.live.message if row.live else "")),
)
"""Sort name, the column it sorts by, and its key; `s` cycles them, `S` reverses."""


def visible_rows(
    rows: tuple[AppRow, ...],
    text: str,
    not_ready_only: bool,
    sort: int,
    match_text: Callable[[AppRow], str] = search_text,
    reverse: bool = False,
) -> list[AppRow]:
    """The rows the table shows: filtered by words (all must match), then sorted (stable),
    descending when `reverse`."""
    words = text.lower().split()
    chosen = [
        row
        for row in rows
        if (not not_ready_only or row.not_ready)
        and (not words or all(word in match_text(row) for word in words))
    ]
    if sort == 0:
        return chosen[::-1] if reverse else chosen
    return sorted(chosen, key=SORTS[sort][2], reverse=reverse)


def sorted_columns(sort: int, reverse: bool, widths: AppWidths | None = None) -> tuple[Column, ...]:
    """The Apps columns with `▲`/`▼` on the one sorted by, which shows whatever the width
    (except for the repo's order, the first sort: its Layer column shows as room allows, and
    the summary line names the order).

    Args:
        sort: Index into SORTS.
        reverse: Descending.
        widths: The longest names, reasons and layers (`app_widths`); the narrowest if None.
    """
    label = SORTS[sort][1]
    mark = " ▼" if reverse else " ▲"
    labels = tuple(f"{name}{mark}" if name == label and name else name for name in APP_LABELS)
    shown = f"{label}{mark}" if sort and label else ""
    return app_columns(widths or AppWidths(), labels, shown)


class AppsScreen(ConsoleScreen):
    """The table of every Flux applier."""

    CSS_PATH = "apps.tcss"
    BINDINGS = bindings((*APPS_ACTIONS, OPEN_LOGS))

    filter_text: reactive[str] = reactive("", init=False)
    """Words every shown row must contain (the `/` box)."""
    not_ready_only: reactive[bool] = reactive(False, init=False)
    """Show only rows that are not ready (`n`)."""
    sort_index: reactive[int] = reactive(0, init=False)
    """Index into SORTS (`s` cycles it)."""
    sort_reverse: reactive[bool] = reactive(False, init=False)
    """Descending (`S` toggles it)."""
    namespace: reactive[str] = reactive("", init=False)
    """Show only this namespace (`:ns NAME`); empty: every namespace (`:ns all`)."""
    layer: reactive[str] = reactive("", init=False)
    """Show only this layer (enter on a layer in Layers); empty: every layer (`:apps`)."""

    def __init__(self) -> None:
        super().__init__()
        self._cell_cache = AppCellCache()
        self._summary = ""
        self._kind = ""
        self._widths = AppWidths()
        self._measured: tuple[AppRow, ...] | None = None
        """The rows `_widths` was measured on (a new snapshot's rows are a new tuple)."""

    def show_kind(self, kind: str) -> None:
        """Show only objects of `kind` (`:hr`, `:ks`; empty: every kind and layer, `:apps`)."""
        self._kind = kind
        if not kind:
            self.layer = ""
        self._render_rows()

    def watch_layer(self) -> None:
        self._render_rows()

    def watch_namespace(self) -> None:
        self._render_rows()

    def compose(self) -> ComposeResult:
        yield Static("", id="summary")
        yield ResourceTable(id="apps")
        yield Input(placeholder="filter: words in kind, name, layer, reason, message", id="filter")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(ResourceTable)
        table.set_layout(sorted_columns(self.sort_index, self.sort_reverse))
        table.focus()

    # -- rendering: any change of state, filter, sort or not-ready-only ------------------

    def watch_state(self) -> None:
        self._render_rows()

    def watch_filter_text(self) -> None:
        self._render_rows()

    def watch_not_ready_only(self) -> None:
        self._render_rows()

    def watch_sort_index(self) -> None:
        self._sort_changed()

    def watch_sort_reverse(self) -> None:
        self._sort_changed()

    def _sort_changed(self) -> None:
        self._render_rows()

    def _render_rows(self) -> None:
        state = self.state
        if state is None:  # not shown yet
            return
        backend = self.host.backend
        self.query_one(StatusBar).show(state, backend.label, backend.read_only)
        cache = self._cell_cache
        rows = visible_rows(
            state.rows,
            self.filter_text,
            self.not_ready_only,
            self.sort_index,
            cache.search_text,
            reverse=self.sort_reverse,
        )
        if self._kind:
            rows = [row for row in rows if row.ref.kind == self._kind]
        if self.namespace:
            rows = [row for row in rows if row.ref.namespace == self.namespace]
        if self.layer:
            rows = [row for row in rows if row.layer == self.layer]
        table = self.query_one(ResourceTable)
        if state.rows is not self._measured:
            self._measured = state.rows
            self._widths = app_widths(state.rows)
        table.set_layout(sorted_columns(self.sort_index, self.sort_reverse, self._widths))
        now = self.host.now()  # one instant per update: ages do not tick on their own
        table.sync(
            [str(row.ref) for row in rows],
            lambda index: cache.cells(rows[index], now, state.absence),
        )
        shown = f"{len(rows)} of {len(state.rows)}"
        direction = ", descending" if self.sort_reverse else ""
        flags = [f"sorted by {SORTS[self.sort_index][0]}{direction}"]
        if self._kind:
            flags.append(f"{self._kind}s only")
        if self.namespace:
            flags.append(f"namespace {self.namespace}")
        if self.layer:
            flags.append(f"layer {self.layer}")
        if self.not_ready_only:
            flags.append("not ready only")
        if self.filter_text:
            flags.append(f"filter {self.filter_text!r}")
        marked = len(self.marked_refs())
        if marked:
            flags.append(f"{marked} marked")
        summary = f"{shown} · " + " · ".join(flags)
        if summary != self._summary:
            self._summary = summary
            self.query_one("#summary", Static).update(Text(summary))

    # -- actions -------------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("visible")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self.query_one(ResourceTable).focus()

    def key_escape(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_class("visible"):
            box.value = ""
            box.remove_class("visible")
            self.query_one(ResourceTable).focus()

    def action_toggle_not_ready(self) -> None:
        self.not_ready_only = not self.not_ready_only

    def action_cycle_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse

    def action_open(self) -> None:
        ref = self.selected_ref()
        if ref is not None:
            self.host.open_detail(ref)

    def action_logs(self) -> None:
        """The Logs pane filtered to the object under the cursor."""
        ref = self.selected_ref()
        if ref is not None:
            self.host.open_logs(ref)

    def action_toggle_mark(self) -> None:
        table = self.query_one(ResourceTable)
        if table.cursor_key:
            table.toggle_mark(table.cursor_key)
            table.action_cursor(1)
            self._marks_changed()

    def action_clear_marks(self) -> None:
        self.query_one(ResourceTable).clear_marks()
        self._marks_changed()

    def _marks_changed(self) -> None:
        self._render_rows()  # the summary counts them
        self.app.refresh_bindings()  # the Flux keys now act on the marked objects

    def marked_refs(self) -> tuple[ObjectRef, ...]:
        """The marked objects still in the state, shown or filtered out (`MarksObjects`), in
        the table's order where shown."""
        table = self.query_one(ResourceTable)
        marks = table.marks
        if not marks:
            return ()
        state = self.host.state
        found = [row.ref for key in marks if (row := state.row_for_key(key)) is not None]
        shown = table.row_index
        return tuple(sorted(found, key=lambda ref: (shown(str(ref)), str(ref))))

    def on_resource_table_selected(self, _event: ResourceTable.Selected) -> None:
        self.action_open()

    def selected_ref(self) -> ObjectRef | None:
        """The object under the cursor (`ShowsObject`)."""
        row = self.host.state.row_for_key(self.query_one(ResourceTable).cursor_key)
        return row.ref if row is not None else None
