"""TuiopsApp: modes (one per top screen), global keys, and the one ConsoleState every screen
renders. Repo loading and cluster reads run in workers; the live feed calls back from its
threads and changes are coalesced into one recompute per 100 ms, so a burst of watch events
costs one redraw and an idle cluster costs none."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from tuiops.domain.refs import ObjectRef
from tuiops.domain.text import inert
from tuiops.errors import TuiopsError
from tuiops.services.backend import Backend
from tuiops.services.overview import build_overview
from tuiops.ui.actions import GLOBAL_ACTIONS, bindings
from tuiops.ui.commands import ConsoleCommands
from tuiops.ui.flux_actions import FluxActionsApp
from tuiops.ui.keymap import load_keymap
from tuiops.ui.screens.jump import JumpScreen, parse_jump
from tuiops.ui.screens.layers import LayersScreen
from tuiops.ui.screens.placeholder import EnvScreen, LogsScreen
from tuiops.ui.state import ConsoleState

COALESCE_SECONDS = 0.1
STARTING = Backend(None, label="starting…")


def _apps_screen() -> Screen[Any]:
    # Screens other than the home one are imported when first shown: the first frame
    # pays only for what it draws.
    from tuiops.ui.screens.apps import AppsScreen

    return AppsScreen()


def _talos_screen() -> Screen[Any]:
    from tuiops.ui.screens.talos import TalosScreen

    return TalosScreen()


class TuiopsApp(FluxActionsApp):
    """The console. The Flux actions (reconcile, suspend, …) live in `FluxActionsApp`."""

    TITLE = "tuiops"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "layers": LayersScreen,
        "apps": lambda: _apps_screen(),
        "talos": lambda: _talos_screen(),
        "env": EnvScreen,
        "logs": LogsScreen,
    }
    DEFAULT_MODE = "layers"
    BINDINGS = bindings(GLOBAL_ACTIONS)
    COMMANDS = App.COMMANDS | {ConsoleCommands}

    state: reactive[ConsoleState] = reactive(ConsoleState, always_update=True, repaint=False)
    """The latest snapshot; screens watch it."""

    def __init__(
        self,
        backend: Backend | Callable[[], Backend],
        *,
        cluster: str | None = None,
        keymap_file: Path | None = None,
        clock: Callable[[], datetime] = datetime.now,
        on_first_load: Callable[[], None] | None = None,
    ) -> None:
        """The console on a backend.

        Args:
            backend: the backend, or a factory called in a worker (the first frame never
                waits for it).
            cluster: the repo cluster to show (default: the first).
            keymap_file: the user's key remappings.
            clock: "now", for ages (frozen in snapshots).
            on_first_load: called once, when the first full load is live; the composition
                root uses it to freeze the heap out of the cyclic GC.
        """
        super().__init__()
        # A factory is called in a worker: the first frame never waits for a simulated
        # cluster to start or a kube context to load.
        self._connect = backend if callable(backend) else None
        self.backend = backend if isinstance(backend, Backend) else STARTING
        self._clock = clock
        self._cluster_name = cluster
        self._keymap_file = keymap_file
        self._pending: Timer | None = None
        self._on_first_load = on_first_load
        self._first_load_done = False
        self._last_recompute = 0.0
        self.state = ConsoleState(offline_reason=self.backend.offline_reason)

    def on_mount(self) -> None:
        keymap = load_keymap(self._keymap_file)
        if keymap:
            self.set_keymap(keymap)
        self.load_model()

    @work(thread=True, exclusive=True, group="repo", exit_on_error=False)
    def load_model(self) -> None:
        """Connect and start the live feed, then read the repo (CPU-bound YAML parsing), all
        off the event loop: the feed's first lists are on the wire while the repo is read."""
        if self._connect is not None:
            backend = self._connect()
            self.call_from_thread(setattr, self, "backend", backend)
            self.call_from_thread(setattr, self, "state", ConsoleState())
        else:
            backend = self.backend
        if backend.flux is not None:
            backend.flux.start(self._feed_changed)
        from tuiops.services.repo import read_repo  # the YAML reader: after the first frame

        model = read_repo(backend.repo_root) if backend.repo_root else None
        self.call_from_thread(self._model_loaded, model)

    def _model_loaded(self, model: object) -> None:
        from tuiops.domain.repo import RepoModel

        self.state = ConsoleState(
            model=model if isinstance(model, RepoModel) else None,
            offline_reason=self.backend.offline_reason,
        )
        self.recompute()

    def _feed_changed(self) -> None:
        """Called from watcher threads; a no-op once the app is closing."""
        if not self.is_running:
            return
        with contextlib.suppress(RuntimeError):  # the app stopped between check and call
            self.call_from_thread(self._schedule_recompute)

    def _schedule_recompute(self) -> None:
        """Throttle, not debounce: the first change after a quiet spell is drawn at once, the
        rest of a burst at most once per COALESCE_SECONDS."""
        if self._pending is not None:
            return
        wait = self._last_recompute + COALESCE_SECONDS - time.monotonic()
        self._pending = self.set_timer(max(wait, 0.001), self.recompute)  # 0 divides by zero

    def recompute(self) -> None:
        self._pending = None
        self._last_recompute = time.monotonic()
        model = self.state.model
        flux = self.backend.flux
        objects = flux.objects() if flux else ()
        feeds = flux.feeds() if flux else ()
        cluster = None
        if model is not None and model.clusters:
            cluster = model.cluster(self._cluster_name) if self._cluster_name else None
            cluster = cluster or model.clusters[0]
        overview = (
            build_overview(cluster, objects, feeds, context=flux.context if flux else "")
            if cluster is not None
            else None
        )
        self.state = ConsoleState(
            model=model,
            overview=overview,
            offline_reason=self.backend.offline_reason,
            updated=self.now() if flux else None,
            objects={obj.ref: obj for obj in objects},
        )
        self.refresh_flux_bindings()  # e.g. a resumed object now offers "suspend"
        if not self._first_load_done and model is not None and self.state.connection == "live":
            self._first_load_done = True
            if self._on_first_load is not None:
                self._on_first_load()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker's failure becomes a notification with its cause, never a crash."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            message = str(error) if isinstance(error, TuiopsError) else repr(error)
            self.notify(
                inert(message, one_line=True), title="error", severity="error", markup=False
            )

    def on_unmount(self) -> None:
        if self.backend.flux is not None:
            self.backend.flux.stop()

    # -- global actions ------------------------------------------------------------------

    def action_help(self) -> None:
        from tuiops.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_jump(self) -> None:
        self.push_screen(JumpScreen(), self._jump)

    def _jump(self, text: str | None) -> None:
        if not text:
            return
        try:
            target = parse_jump(text, self.state)
        except TuiopsError as error:
            self.notify(str(error), severity="warning")
            return
        if isinstance(target, str):
            self.switch_mode(target)
        else:
            self.open_detail(target)

    def now(self) -> datetime:
        return self._clock()

    def open_detail(self, ref: ObjectRef) -> None:
        from tuiops.ui.screens.detail import DetailScreen

        self.push_screen(DetailScreen(ref))

    def open_history(self, ref: ObjectRef) -> None:
        from tuiops.ui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen(ref))
