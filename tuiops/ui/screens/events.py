"""Events (`:events`): every Event about a Flux object, newest first, as `flux events -A`
lists them; `:ns NAME` shows one namespace, `w` warnings only, enter opens the object's
Detail, ctrl+r reads again. The list is read in a worker when the screen opens and again when
the console state changes (a reconcile, a new revision), at most every `REREAD_SECONDS`."""

from __future__ import annotations

import time
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Footer, Static

from tuiops.domain.events import Event
from tuiops.domain.refs import ObjectRef
from tuiops.errors import TuiopsError
from tuiops.services.console_state import ConsoleState
from tuiops.ui.actions import EVENTS_ACTIONS, bindings
from tuiops.ui.event_cells import event_cells, event_columns, event_key, events_shown
from tuiops.ui.screens.console_screen import ConsoleScreen
from tuiops.ui.tones import Tone
from tuiops.ui.widgets.resource_table import ResourceTable
from tuiops.ui.widgets.status_bar import StatusBar

REREAD_SECONDS = 5.0
"""A busy feed changes the state many times a second; the events are read at most this often."""


class EventsScreen(ConsoleScreen):
    """The table of Flux events."""

    CSS_PATH = "events.tcss"
    BINDINGS = bindings(EVENTS_ACTIONS)

    namespace: reactive[str] = reactive("", init=False)
    """Show only this namespace (`:ns NAME`); empty: every namespace (`:ns all`)."""
    warnings_only: reactive[bool] = reactive(False, init=False)

    @dataclass
    class Read(Message):
        """The events were read (posted from the worker)."""

        events: tuple[Event, ...]
        problem: str = ""
        """Why they could not be read; the events are then the ones read before."""

    def __init__(self) -> None:
        super().__init__()
        self.events: tuple[Event, ...] = ()
        self.problem = ""
        self.loaded = False
        """Whether a read has answered (the table says "reading…" until then)."""
        self._read_at = float("-inf")
        self._shown: list[Event] = []

    def compose(self) -> ComposeResult:
        yield Static("reading Flux events…", id="summary")
        yield ResourceTable(id="events")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(ResourceTable)
        table.set_layout(event_columns(()))
        table.focus()
        self.read_events()

    @work(thread=True, exclusive=True, group="events", exit_on_error=False)
    def read_events(self) -> None:
        """Blocking: list the events; a cluster error becomes the summary line."""
        self._read_at = time.monotonic()
        details = self.host.backend.details
        if details is None:
            self.post_message(self.Read(self.events, "no cluster to read events from"))
            return
        try:
            self.post_message(self.Read(details.flux_events()))
        except TuiopsError as error:
            self.post_message(self.Read(self.events, str(error)))

    @on(Read)
    def _read(self, message: Read) -> None:
        self.events, self.problem, self.loaded = message.events, message.problem, True
        self._show()

    def watch_state(self, state: ConsoleState | None) -> None:
        if state is None:
            return
        backend = self.host.backend
        self.query_one(StatusBar).show(state, backend.label, backend.read_only)
        if self.loaded and time.monotonic() - self._read_at >= REREAD_SECONDS:
            self.read_events()

    def watch_namespace(self) -> None:
        self._show()

    def watch_warnings_only(self) -> None:
        self._show()

    def _show(self) -> None:
        shown = events_shown(
            self.events, namespace=self.namespace, warnings_only=self.warnings_only
        )
        self._shown = shown
        now = self.host.now()
        table = self.query_one(ResourceTable)
        table.set_layout(event_columns(shown))
        table.sync([event_key(event) for event in shown], lambda i: event_cells(shown[i], now))
        # The Flux keys act on the object of the event under the cursor: the footer offers
        # them once there is one (a first read, a filter), not at the next cursor move.
        self.refresh_bindings()
        warnings = sum(1 for event in shown if event.is_warning)
        parts = [f"{len(shown)} events · {warnings} warnings"]
        if self.warnings_only:
            parts.append("warnings only")
        if self.namespace:
            parts.append(f"namespace {self.namespace}")
        summary = Content(" · ".join(parts))
        if self.problem:
            summary += Content.styled(f" · read failed: {self.problem}", Tone.BAD)
        self.query_one("#summary", Static).update(summary)

    def selected_ref(self) -> ObjectRef | None:
        """The object the event under the cursor is about (`ShowsObject`: the Flux keys act
        on it)."""
        table = self.query_one(ResourceTable)
        if not self._shown or table.row_count == 0:
            return None
        return self._shown[min(table.cursor_row, len(self._shown) - 1)].involved

    def on_resource_table_selected(self, _event: ResourceTable.Selected) -> None:
        ref = self.selected_ref()
        if ref is not None:
            self.host.open_detail(ref)

    def action_refresh(self) -> None:
        self.read_events()

    def action_toggle_warnings(self) -> None:
        self.warnings_only = not self.warnings_only

    def action_back(self) -> None:
        """Return to the previous screen."""
        self.app.pop_screen()
