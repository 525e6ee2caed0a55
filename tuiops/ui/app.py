"""TuiopsApp: modes (one per top screen), global keys, and the one ConsoleState every screen
renders. Repo loading and cluster reads run in workers; the live feed calls back from its
threads and changes are coalesced into one recompute per 100 ms, so a burst of watch events
costs one redraw and an idle cluster costs none."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from tuiops.domain.refs import ObjectRef
from tuiops.domain.repo import RepoModel
from tuiops.domain.text import inert
from tuiops.errors import TuiopsError
from tuiops.services.backend import Backend
from tuiops.services.console_state import (
    COALESCE_SECONDS,
    ConsoleSession,
    ConsoleState,
    Throttle,
)
from tuiops.ui.actions import (
    FIRST_ACTIONS,
    FLUX_ACTIONS,
    SCREEN_ACTIONS,
    bindings,
    keys_for,
)
from tuiops.ui.command_dispatch import CommandDispatch
from tuiops.ui.command_line import History
from tuiops.ui.commands import ConsoleCommands
from tuiops.ui.context_switch import ContextSwitch
from tuiops.ui.flux_actions import FluxActions
from tuiops.ui.keymap import load_keymap
from tuiops.ui.screens.jump import JumpScreen
from tuiops.ui.screens.layers import LayersScreen

RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0)
"""Pauses before rebuilding the state again after it failed; the last one repeats."""


if TYPE_CHECKING:
    from tuiops.ui.screens.apps import AppsScreen


def _apps_screen() -> Screen[Any]:
    # Screens other than the home one are imported when first shown: the first frame
    # pays only for what it draws.
    from tuiops.ui.screens.apps import AppsScreen

    return AppsScreen()


def _sources_screen() -> Screen[Any]:
    from tuiops.ui.screens.sources import SourcesScreen

    return SourcesScreen()


def _env_screen() -> Screen[Any]:
    from tuiops.ui.screens.env import EnvScreen

    return EnvScreen()


def _logs_screen() -> Screen[Any]:
    from tuiops.ui.screens.logs import LogsScreen

    return LogsScreen()


def _talos_screen() -> Screen[Any]:
    from tuiops.ui.screens.talos import TalosScreen

    return TalosScreen()


class TuiopsApp(App[None]):
    """The console: modes, global keys, the state, and the Flux actions part."""

    TITLE = "tuiops"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "layers": LayersScreen,
        "apps": lambda: _apps_screen(),
        "sources": lambda: _sources_screen(),
        "talos": lambda: _talos_screen(),
        "env": lambda: _env_screen(),
        "logs": lambda: _logs_screen(),
    }
    DEFAULT_MODE = "layers"
    BINDINGS = bindings(FIRST_ACTIONS) + bindings(FLUX_ACTIONS) + bindings(SCREEN_ACTIONS)
    COMMANDS = App.COMMANDS | {ConsoleCommands}

    state: reactive[ConsoleState] = reactive(ConsoleState, always_update=True, repaint=False)
    """The latest snapshot; screens follow it (the current one at once, others when shown)."""

    class BackendConnected(Message):
        """The backend factory returned (posted from the load worker)."""

    @dataclasses.dataclass
    class RepoRead(Message):
        """The repo model is read (posted from the load worker)."""

        model: RepoModel | None

    class FeedChanged(Message):
        """The live feed changed (posted from watcher threads); only the latest counts."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, TuiopsApp.FeedChanged)

    def __init__(
        self,
        backend: Backend | Callable[[], Backend],
        *,
        cluster: str | None = None,
        repo: Path | Callable[[], Path | None] | None = None,
        keymap_file: Path | None = None,
        clock: Callable[[], datetime] = datetime.now,
        on_first_load: Callable[[], None] | None = None,
        session: ConsoleSession | None = None,
    ) -> None:
        """The console on a backend.

        Args:
            backend: the backend, or a factory called in a worker (the first frame never
                waits for it).
            cluster: the repo cluster to show (default: the first).
            repo: the repo, or a function finding it, read before connecting (default: the
                backend's).
            keymap_file: the user's key remappings.
            clock: "now", for ages (frozen in snapshots).
            on_first_load: called once, when the first full load is live; the composition
                root uses it to freeze the heap out of the cyclic GC.
            session: the session to use instead of one built from the arguments above
                (tests give one with its own problem log).
        """
        super().__init__()
        self._session = session or ConsoleSession(backend, cluster=cluster, repo=repo, clock=clock)
        self.flux_actions = FluxActions(self, self)
        self.contexts = ContextSwitch(self, self, self._feed_changed, self._publish_now)
        self.commands = CommandDispatch(self)
        self._keymap_file = keymap_file
        self.keymap: dict[str, str] = {}
        """The user's remappings (registry id → keys), as loaded at mount."""
        self._throttle = Throttle(COALESCE_SECONDS)
        self._held: Timer | None = None
        """The timer that ends the wait for the first lists, while one runs."""
        self._failures = 0
        """Consecutive failed rebuilds of the state: picks the retry pause."""
        self._on_first_load = on_first_load
        self._first_load_done = False
        self.command_history = History()
        """The `:` lines entered this session (up/down in the command line)."""
        self.state = self.session.first_state()

    @property
    def session(self) -> ConsoleSession:
        """The state API: backend, repo, snapshots, blocking reads."""
        return self._session

    @property
    def backend(self) -> Backend:
        """The backend the session runs on (a placeholder until the factory returned)."""
        return self.session.backend

    def now(self) -> datetime:
        """The console's clock (fixed in snapshots)."""
        return self.session.now()

    def on_mount(self) -> None:
        self.keymap = load_keymap(self._keymap_file)
        if self.keymap:
            self.set_keymap(self.keymap)
        self.load_model()

    def keys_for(self, action_id: str) -> str:
        """The keys that run registry action `action_id` now (the user's remapping first)."""
        return keys_for(action_id, self.keymap)

    @work(thread=True, exclusive=True, group="repo", exit_on_error=False, description="loading")
    def load_model(self) -> None:
        """Read the repo (CPU-bound YAML parsing), then connect and start the live feed, all
        off the event loop. The repo comes first: its rows are the first picture, and a
        simulated cluster takes longer to start than the repo takes to read."""
        model = self.session.read_repo()
        self.post_message(self.RepoRead(model))
        backend = self.session.connect()
        self.post_message(self.BackendConnected())
        self.contexts.learn_contexts()  # `:ctx NAME` completes to them
        if model is None and backend.repo_root is not None:  # known only from the backend
            self.post_message(self.RepoRead(self.session.read_repo()))
        if backend.flux is not None:
            backend.flux.start(self._feed_changed)

    @on(BackendConnected)
    def _backend_connected(self) -> None:
        self.recompute()

    @on(RepoRead)
    def _repo_read(self) -> None:
        self.recompute()

    def _feed_changed(self) -> None:
        """Called from watcher threads; a no-op once the app is closing."""
        with contextlib.suppress(RuntimeError):  # the loop closed between check and call
            self.post_message(self.FeedChanged())

    @on(FeedChanged)
    def _request_recompute(self) -> None:
        delay = self._throttle.request()
        if delay is not None:
            self.set_timer(delay, self.recompute)

    def _publish_now(self) -> None:
        """Publish a snapshot without waiting for first lists: after a context or cluster
        switch nothing of the one before may stay on screen."""
        self.recompute(wait_for_lists=False)

    def recompute(self, *, wait_for_lists: bool = True) -> None:
        """Publish a new snapshot; a failure becomes an error state, retried with backoff."""
        self._throttle.ran()
        hold = self.session.lists_pending() if wait_for_lists else 0.0
        if hold > 0:  # other kinds' first lists are still arriving
            if self._held is None:
                self._held = self.set_timer(hold, self._release_hold)
            return
        if self._held is not None:
            self._held.stop()
            self._held = None
        try:
            self.state = self.session.snapshot()
        except Exception as error:  # a bug must not freeze the screens on stale data
            self._failures += 1
            pause = RETRY_SECONDS[min(self._failures, len(RETRY_SECONDS)) - 1]
            # Reported once per spell of failures: a retry every few seconds must not bury
            # the screen in notifications or fill the log.
            line = self.state.problem
            if self._failures == 1:
                line = self._report(error, "rebuilding the console state")
            self.state = dataclasses.replace(self.state, model=self.session.model, problem=line)
            self.set_timer(pause, self._request_recompute)
            return
        self._failures = 0
        self.flux_actions.refresh_bindings()  # e.g. a resumed object now offers "suspend"
        loaded = self.state.model is not None and self.state.connection == "live"
        if loaded and not self._first_load_done:
            self._first_load_done = True
            if self._on_first_load is not None:
                self._on_first_load()

    def _release_hold(self) -> None:
        self._held = None
        self.recompute()

    def _report(self, error: BaseException, where: str) -> str:
        """Log an unexpected error's traceback (Textual's log and the problem log) and
        notify its one line; the line."""
        self.log.error(where, error)
        line = inert(self.session.record_problem(error, where), one_line=True)
        self.notify(line, title="unexpected error", severity="error", markup=False, timeout=15)
        return line

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one handler for failed workers: a TuiopsError is its one line; anything else
        is a bug, logged with its traceback and notified, never a crash."""
        error = event.worker.error
        if event.state is not WorkerState.ERROR or error is None:
            return
        if isinstance(error, TuiopsError):
            self.notify(inert(str(error), one_line=True), severity="error", markup=False)
            return
        self._report(error, event.worker.description or event.worker.name or "a worker")

    def on_unmount(self) -> None:
        if self.backend.flux is not None:
            self.backend.flux.stop()

    # -- Flux actions (the FluxActions part) ---------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "flux":
            return self.flux_actions.check(parameters)
        return True

    def action_flux(self, name: str) -> None:
        """Start a Flux action on the current screen's object."""
        self.flux_actions.start(name)

    @on(ContextSwitch.Listed)
    def _contexts_listed(self, message: ContextSwitch.Listed) -> None:
        self.contexts.listed(message)

    @on(ContextSwitch.Switched)
    def _context_switched(self, message: ContextSwitch.Switched) -> None:
        self.show_mode(self.current_mode)  # a pushed Detail shows the old cluster's object
        self._publish_now()
        self.notify(inert(f"context {message.name}", one_line=True), markup=False, timeout=3)

    @on(FluxActions.Finished)
    def _flux_finished(self, message: FluxActions.Finished) -> None:
        self.flux_actions.finished(message)

    def on_resource_table_highlighted(self) -> None:
        """Cursor moves bubble up from the tables: the object under the cursor changed."""
        self.flux_actions.refresh_bindings()

    # -- global actions ------------------------------------------------------------------

    def action_help(self) -> None:
        from tuiops.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_jump(self) -> None:
        objects = tuple(row.ref for row in self.state.rows)
        choices = {"ctx": self.contexts.known_contexts, "cluster": self.session.cluster_names}
        jump = JumpScreen(objects, self.command_history, choices)
        self.push_screen(jump, self.commands.run)

    @on(LayersScreen.LayerChosen)
    def _layer_chosen(self, message: LayersScreen.LayerChosen) -> None:
        self.show_apps().layer = message.layer

    def show_apps(self) -> AppsScreen:
        """The Apps screen, on top (commands and Layers filter it)."""
        from tuiops.ui.screens.apps import AppsScreen  # imported when first shown

        self.show_mode("apps")
        apps = self.screen_stack[0]
        assert isinstance(apps, AppsScreen)  # the "apps" mode's only screen
        return apps

    def show_mode(self, mode: str) -> None:
        """The mode's own screen on top: a command names a screen, not what was pushed on it."""
        self.switch_mode(mode)
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def open_detail(self, ref: ObjectRef) -> None:
        from tuiops.ui.screens.detail import DetailScreen

        self.push_screen(DetailScreen(ref))

    def open_history(self, ref: ObjectRef) -> None:
        from tuiops.ui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen(ref))

    def open_logs(self, ref: ObjectRef) -> None:
        """The Logs pane, showing only the lines about `ref` (its controller's, of its kind,
        namespace and name)."""
        from tuiops.ui.screens.logs import LogsScreen  # imported when first shown

        self.show_mode("logs")
        logs = self.screen_stack[0]
        assert isinstance(logs, LogsScreen)  # the "logs" mode's only screen
        logs.show_object(ref)
