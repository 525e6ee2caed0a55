"""Logs (5): the Flux controllers' live logs, as `flux logs -A -f` reads them, in one pane.

The feed (`Backend.logs.flux_logs`) starts when the pane is first shown and runs while the
console does; its threads append to a `LogBuffer` (bounded, evictions counted) and wake the
`LogView`, which repaints at most every 50 ms. Filtering (`/` for the filter line, `L` for the
level) works on what the buffer holds and never reads again; the since-window (`t`) and the
tail (`n`) are server-side, so they start a new feed on a cleared buffer. The status line
shows the streams' worst state, the counts and whether the pane follows; `ctrl+s` saves the
lines shown as `flux logs` prints them; enter opens the Detail of the line's object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Footer, Input, Static

from tuiops.domain.kinds import api_kind
from tuiops.domain.log_filters import LEVEL_CYCLE, PaneFilter, parse_filter
from tuiops.domain.log_records import LogQuery, LogRecord, StreamState, StreamStatus
from tuiops.domain.logs import LogLevel
from tuiops.domain.refs import ObjectRef
from tuiops.domain.text import inert
from tuiops.services.console_state import ConsoleState, offline_detail
from tuiops.services.log_buffer import LogBuffer, new_log_path
from tuiops.ui.actions import LOGS_ACTIONS, POD_LOGS_ACTIONS, bindings
from tuiops.ui.screens.console_screen import ConsoleScreen
from tuiops.ui.screens.container_picker import (
    ALL_CONTAINERS,
    container_picker,
    container_words,
    containers_seen,
)
from tuiops.ui.tones import Tone, for_terminal
from tuiops.ui.widgets.log_view import LogView
from tuiops.ui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from tuiops.ports import LogFeed, LogReader

SINCE: tuple[tuple[int | None, str], ...] = ((None, "all"), (300, "5m"), (3600, "1h"))
"""`t` cycles the server-side window (`flux logs --since`)."""
TAIL: tuple[tuple[int | None, str], ...] = ((None, "all"), (1000, "1000"), (100, "100"))
"""`n` cycles the lines read back per stream (`flux logs --tail`)."""
FILTER_HINT = "level:error ctl:helm kind:hr ns:NS name:NAME words | re:REGEX"
"""What the filter line reads (`log_filters.parse_filter`)."""
STATUS_SECONDS = 1.0
"""How often the streams' states are looked at when no line arrives (a broken stream is
silent)."""
STATE_TONE = {
    StreamState.FORBIDDEN: Tone.BAD,
    StreamState.RECONNECTING: Tone.WARN,
    StreamState.CONNECTING: Tone.MUTED,
    StreamState.ENDED: Tone.MUTED,
    StreamState.LIVE: Tone.GOOD,
}
"""Each state's tone, the worst first."""
STATE_RANK = {state: rank for rank, state in enumerate(STATE_TONE)}


def streams_summary(statuses: tuple[StreamStatus, ...]) -> tuple[str, Tone]:
    """The worst state of the streams in a few words (with its message), and its tone."""
    if not statuses:
        return "starting", Tone.MUTED
    worst = min(statuses, key=lambda status: STATE_RANK[status.state])
    streams = sum(1 for status in statuses if status.stream.pod and status.stream.container)
    words = worst.state.value
    if worst.message:
        words += f": {worst.message}"
    if streams and worst.state is StreamState.LIVE:
        words += f" · {streams} stream{'s' if streams != 1 else ''}"
    return inert(words, one_line=True), STATE_TONE[worst.state]


def object_filter(ref: ObjectRef) -> PaneFilter:
    """The lines about `ref`: its controller's, of its kind, namespace and name."""
    try:
        controller = api_kind(ref.kind).controller
    except KeyError:
        controller = ""
    return PaneFilter(controller=controller, kind=ref.kind, namespace=ref.namespace, name=ref.name)


class LogsScreen(ConsoleScreen):
    """The live Flux controller logs."""

    CSS_PATH = "logs.tcss"
    BINDINGS = bindings(LOGS_ACTIONS)

    @dataclass
    class Saved(Message):
        """The shown lines are in a file (posted by the save worker)."""

        path: Path
        count: int

    def __init__(self, buffer: LogBuffer | None = None) -> None:
        super().__init__()
        self.buffer = buffer or LogBuffer(freeze_gc=True)
        self._reader: LogReader | None = None
        self._feed: LogFeed | None = None
        self._level: LogLevel | None = None
        self._since = 0
        self._tail = 0
        self._problem = ""
        """Why there is no feed (offline), shown instead of the streams' state."""
        self._status: tuple[str, ...] = ()
        self.feeds_started = 0
        """Feeds started so far (tests check that filtering never reads again)."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder=FILTER_HINT, id="filter")
        yield Static("", id="logs-status")
        yield Static("", id="logs-filter")
        yield LogView(self.buffer, id="logs")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        # ConsoleScreen.on_mount runs as well: Textual calls the handler of every class.
        self.query_one(LogView).focus()
        self.query_one("#filter", Input).value = self.buffer.filter.describe()  # open_logs
        self.set_interval(STATUS_SECONDS, self._show_status)
        self._show_filter()
        self._ensure_feed()

    def on_unmount(self) -> None:
        self._stop_feed()

    def watch_state(self, state: ConsoleState | None) -> None:
        if state is None:
            return
        backend = self.host.backend
        self.query_one(StatusBar).show(state, backend.label, backend.read_only)
        self._ensure_feed()

    # -- the feed -----------------------------------------------------------------------------

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    def _ensure_feed(self) -> None:
        """A feed on the current backend's logs: started when there is one, stopped (its lines
        kept) when the backend went offline or changed."""
        backend = self.host.backend
        reader = backend.logs
        if reader is self._reader and (reader is None or self._feed is not None):
            self._problem = self._offline_words() if reader is None else ""
            self._show_status()
            return
        self._stop_feed()
        self._reader = reader
        if reader is None:
            self._problem = self._offline_words()
            self._show_status()
            return
        self._problem = ""
        self._start_feed(reader)

    def _offline_words(self) -> str:
        reason = self.host.backend.offline_reason
        if reason:
            return f"no cluster, so no logs: {offline_detail(reason)}"
        return "connecting to the cluster…"

    def _start_feed(self, reader: LogReader) -> None:
        generation = self.buffer.restart()
        query = LogQuery(since_seconds=SINCE[self._since][0], tail_lines=TAIL[self._tail][0])
        feed = self.open_feed(reader, query)
        self._feed = feed
        self.feeds_started += 1
        view = self.view

        def arrived(records: Sequence[LogRecord]) -> None:  # called from the feed's threads
            self.buffer.append(records, generation)
            view.lines_arrived()

        feed.start(arrived)
        view.update_from_buffer_now()

    def open_feed(self, reader: LogReader, query: LogQuery) -> LogFeed:
        """The feed this pane shows: the Flux controllers'."""
        return reader.flux_logs(query)

    def source_words(self) -> str:
        """What the pane reads, for the filter line (empty: the Flux controllers)."""
        return ""

    def _stop_feed(self) -> None:
        feed, self._feed = self._feed, None
        if feed is not None:
            feed.stop()

    def _restart(self, why: str) -> None:
        self._stop_feed()
        if self._reader is None:
            self._ensure_feed()
            return
        self._start_feed(self._reader)
        self.notify(f"logs read again ({why}): the pane was cleared", timeout=3)
        self._show_filter()

    def streams_live(self) -> bool:
        """Every stream of the feed is live (none connecting, broken or refused)."""
        statuses = self._feed.statuses() if self._feed is not None else ()
        return bool(statuses) and all(s.state is StreamState.LIVE for s in statuses)

    # -- status -------------------------------------------------------------------------------

    @on(LogView.Changed)
    def _view_changed(self) -> None:
        self._show_status()

    def _show_status(self) -> None:
        view = self.view
        stats = view.stats
        if self._problem:
            words, tone = self._problem, Tone.WARN
        else:
            statuses = self._feed.statuses() if self._feed is not None else ()
            words, tone = streams_summary(statuses)
        counts = f"{stats.received:,} lines"
        if not self.buffer.filter.empty:
            counts = f"{stats.shown:,} of {counts}"
        evicted = f"{stats.evicted:,} evicted" if stats.evicted else "none evicted"
        if view.following:
            follow = ("following", Tone.MUTED)
        else:
            follow = (f"paused · {stats.new_since_pause:,} new", Tone.WARN)
        key = (words, counts, evicted, follow[0])
        if key == self._status:
            return
        self._status = key
        parts: list[str | tuple[str, str]] = [(words, tone), " · ", counts, " · "]
        parts += [(evicted, Tone.WARN if stats.evicted else Tone.MUTED), " · ", follow]
        line = for_terminal(Content.assemble(*parts), self.app.no_color)
        # One line of fixed size (logs.tcss): no layout pass for a count changing 20 times a
        # second.
        self.query_one("#logs-status", Static).update(line, layout=False)

    def _show_filter(self) -> None:
        pane_filter = self.buffer.filter
        window = f"since {SINCE[self._since][1]} · tail {TAIL[self._tail][1]}"
        parts: list[str | tuple[str, str]] = []
        if self.source_words():
            parts += [(inert(self.source_words(), one_line=True), Tone.STRONG), " · "]
        if pane_filter.error:
            parts += [(inert(pane_filter.error, one_line=True), Tone.BAD), " · "]
        if pane_filter.empty:
            parts.append(("no filter (/ filter, L level)", Tone.MUTED))
        else:
            parts += ["filter ", (inert(pane_filter.describe(), one_line=True), Tone.STRONG)]
        parts += [" · ", (window, Tone.MUTED)]
        line = for_terminal(Content.assemble(*parts), self.app.no_color)
        self.query_one("#logs-filter", Static).update(line)

    # -- filter -------------------------------------------------------------------------------

    def set_filter(self, pane_filter: PaneFilter) -> None:
        """Show what `pane_filter` passes, from the lines held (never read again)."""
        self._level = pane_filter.level
        self.buffer.set_filter(pane_filter)
        if self.is_mounted:
            self.query_one("#filter", Input).value = pane_filter.describe()
            self.view.update_from_buffer_now()
            self._show_filter()
            self._show_status()

    def show_object(self, ref: ObjectRef) -> None:
        """Only the lines about `ref` (`l` on Apps and Detail)."""
        self.set_filter(object_filter(ref))

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("visible")
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_typed(self, event: Input.Changed) -> None:
        pane_filter = parse_filter(event.value)  # the line says all (L writes `level:` in it)
        self._level = pane_filter.level
        if pane_filter != self.buffer.filter:
            self.buffer.set_filter(pane_filter)
            self.view.update_from_buffer_now()
        self._show_filter()

    @on(Input.Submitted, "#filter")
    def _filter_entered(self) -> None:
        self.query_one("#filter", Input).remove_class("visible")
        self.view.focus()

    def key_escape(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_class("visible"):
            box.remove_class("visible")
            self.view.focus()

    def action_cycle_level(self) -> None:
        at = LEVEL_CYCLE.index(self._level) if self._level in LEVEL_CYCLE else 0
        self._level = LEVEL_CYCLE[(at + 1) % len(LEVEL_CYCLE)]
        text = self.query_one("#filter", Input).value
        without_level = " ".join(word for word in text.split() if not word.startswith("level:"))
        self.set_filter(parse_filter(without_level, self._level))

    # -- follow, window, save, open -----------------------------------------------------------

    def action_toggle_pause(self) -> None:
        view = self.view
        view.follow(not view.following)

    def action_cycle_since(self) -> None:
        self._since = (self._since + 1) % len(SINCE)
        self._restart(f"since {SINCE[self._since][1]}")

    def action_cycle_tail(self) -> None:
        self._tail = (self._tail + 1) % len(TAIL)
        self._restart(f"tail {TAIL[self._tail][1]}")

    def action_save(self) -> None:
        header = f"# tuiops logs · filter: {self.buffer.filter.describe() or 'none'}"
        self._save(Path.cwd(), self.host.now(), header)

    @work(thread=True, group="logs-save", exit_on_error=False, description="saving logs")
    def _save(self, folder: Path, moment: datetime, header: str) -> None:
        path = new_log_path(folder, moment)
        count = self.buffer.save(path, [header])
        self.post_message(self.Saved(path, count))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        text = inert(f"saved {message.count:,} lines to {message.path}", one_line=True)
        self.notify(text, markup=False)

    @on(LogView.Selected)
    def _line_chosen(self, message: LogView.Selected) -> None:
        record: LogRecord = message.record
        ref = record.line.ref if record.line is not None else None
        if ref is None:
            self.notify("this line names no object", severity="warning")
            return
        self.host.open_detail(ref)


class PodLogsScreen(LogsScreen):
    """One pod's containers, interleaved by time (`kubectl logs --all-containers -f`), opened
    with `l` on a pod row of Pods; `c` picks one container (`-c`) or all again, `p` reads the
    previous containers instead (`-p`). Either starts a new feed; the filter stays."""

    BINDINGS = bindings(POD_LOGS_ACTIONS)

    container: reactive[str] = reactive("", init=False)
    """The one container read; empty: every container."""

    def __init__(self, namespace: str, pod: str) -> None:
        super().__init__()
        self.namespace = namespace
        self.pod = pod
        self.previous = False
        """Reading the terminated containers before the current ones (`kubectl logs -p`)."""
        self.containers: tuple[str, ...] = ()
        """The pod's containers, as the feeds found them (`container_picker.containers_seen`)."""

    def open_feed(self, reader: LogReader, query: LogQuery) -> LogFeed:
        return reader.pod_logs(
            self.namespace, self.pod, query, container=self.container, previous=self.previous
        )

    def source_words(self) -> str:
        return f"pod {self.namespace}/{self.pod} · {container_words(self.container, self.previous)}"

    def _stop_feed(self) -> None:
        self.containers = containers_seen(self.containers, self._feed)
        super()._stop_feed()

    def action_pick_container(self) -> None:
        self.containers = containers_seen(self.containers, self._feed)
        picker = container_picker(self.containers, self.container)
        self.app.push_screen(picker, self._container_picked)

    def _container_picked(self, name: str | None) -> None:
        if name is not None:
            self.container = "" if name == ALL_CONTAINERS else name

    def watch_container(self) -> None:
        self._restart(container_words(self.container, previous=False))

    def action_toggle_previous(self) -> None:
        self.previous = not self.previous
        self._restart("previous containers" if self.previous else "current containers")

    def action_back(self) -> None:
        self.app.pop_screen()
