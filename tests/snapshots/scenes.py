"""The deterministic scenes the snapshot tests and `tests/make_screenshots.py` both draw: the
degraded demo (frozen clock, controllers off), each screen reached by real keys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tuiops.domain.refs import ObjectRef
from tuiops.services.backend import Backend
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.apps import AppsScreen
from tuiops.ui.screens.detail import DetailScreen
from tuiops.ui.screens.help import HelpScreen
from tuiops.ui.screens.history import DIFF_HINT, HistoryScreen
from tuiops.ui.screens.logs import LogsScreen
from tuiops.ui.screens.placeholder import EnvScreen
from tuiops.ui.widgets.resource_table import ResourceTable
from tuiops.wiring import demo_backend

FIXED_NOW = datetime(2025, 11, 25, 10, 10, 0)
LIVE_OBJECTS = 234
"""Flux objects the degraded scenario runs: 140 appliers (the commented-out layer's 2 are not
applied) and the 94 sources they read (67 HelmCharts, 24 HelmRepositories, 2
OCIRepositories, 1 GitRepository)."""
SIZES = ((80, 24), (120, 40))

S = TypeVar("S", bound=Screen[Any])


def _app(pilot: Pilot[None]) -> TuiopsApp:
    app = pilot.app
    assert isinstance(app, TuiopsApp)
    return app


async def _loaded(pilot: Pilot[None]) -> None:
    app = _app(pilot)
    await wait_for(
        pilot, lambda: len(app.state.objects) == LIVE_OBJECTS, what="the live Flux objects"
    )
    # The status bar's "updated HH:MM:SS" comes with the first synced snapshot; under load the
    # objects can be in before it.
    await wait_for(pilot, lambda: app.state.updated is not None, what="the first sync time")
    await settle(pilot)


async def _shown(pilot: Pilot[None], kind: type[S]) -> S:
    """Wait until a `kind` screen is on top and the app finished drawing it (its reads in)."""
    screen = await wait_for_screen(pilot, kind)
    await settle(pilot)
    return screen


async def layers(pilot: Pilot[None]) -> None:
    await _loaded(pilot)


async def apps(pilot: Pilot[None]) -> None:
    await _loaded(pilot)
    await pilot.press("2")
    await _shown(pilot, AppsScreen)


async def apps_filtered(pilot: Pilot[None]) -> None:
    await apps(pilot)
    screen = await wait_for_screen(pilot, AppsScreen)
    await pilot.press("n", "slash", *"kube-system", "enter")
    table = screen.query_one(ResourceTable)

    def filtered() -> bool:
        return screen.not_ready_only and screen.filter_text == "kube-system" and table.has_focus

    await wait_for(pilot, filtered, what="the not-ready kube-system rows, the table focused")
    await settle(pilot)


def _text(static: Static) -> str:
    content = static.content
    return str(getattr(content, "plain", content))


async def _detail_of(pilot: Pilot[None], name: str) -> None:
    """The Detail page of HelmRelease `name` with every read in (events, release objects)."""
    await pilot.press("colon", *f"hr {name}", "enter")
    screen = await _shown(pilot, DetailScreen)

    def read() -> bool:
        sections = screen.query("#detail > Static").results(Static)
        shown = [static for static in sections if static.display]
        return not any("loading…" in _text(static) for static in shown)

    await wait_for(pilot, read, what=f"{name}'s sections without 'loading…'")
    await settle(pilot)


async def detail(pilot: Pilot[None]) -> None:
    await _loaded(pilot)
    await _detail_of(pilot, "intel-gpu-plugin")


async def detail_culprit(pilot: Pilot[None]) -> None:
    """The release that timed out, scrolled to the object that keeps it from being ready."""
    await _loaded(pilot)
    await _detail_of(pilot, "node-feature-discovery")
    await pilot.press("down", "down", "down", "down")
    await settle(pilot)


async def history(pilot: Pilot[None]) -> None:
    await _loaded(pilot)
    _app(pilot).open_history(ObjectRef("HelmRelease", "kube-system", "node-feature-discovery"))
    screen = await _shown(pilot, HistoryScreen)
    await wait_for(pilot, lambda: bool(screen.revisions), what="the Helm storage revisions")
    await settle(pilot)
    await pilot.press("space", "down", "enter")
    await wait_for(
        pilot,
        lambda: DIFF_HINT not in _text(screen.query_one("#diff", Static)),
        what="the values diff of the two revisions",
    )
    await settle(pilot)


async def talos(pilot: Pilot[None]) -> None:
    await _loaded(pilot)
    await pilot.press("3")
    app = _app(pilot)

    def nodes_shown() -> bool:
        tables = app.screen.query("#talos-nodes").results(ResourceTable)
        return any(table.row_count == 5 for table in tables)

    await wait_for(pilot, nodes_shown, what="the 5 Talos nodes")
    await settle(pilot)


async def help_screen(pilot: Pilot[None]) -> None:
    await _loaded(pilot)
    await pilot.press("question_mark")
    await _shown(pilot, HelpScreen)


async def env(pilot: Pilot[None]) -> None:
    await _loaded(pilot)
    await pilot.press("4")
    await _shown(pilot, EnvScreen)


LOG_BACKLOG = 669
"""Lines the demo's four Flux controllers have logged (controllers off: a fixed backlog)."""


async def logs(pilot: Pilot[None]) -> None:
    """The Flux controllers' logs, following, every line of the backlog in and the streams
    live."""
    from tuiops.ui.widgets.log_view import LogView

    await _loaded(pilot)
    await pilot.press("5")
    screen = await _shown(pilot, LogsScreen)
    view = screen.query_one(LogView)
    await wait_for(
        pilot,
        lambda: view.stats.shown == LOG_BACKLOG and screen.streams_live(),
        what="the controllers' log backlog, every stream live",
    )
    await settle(pilot)


@dataclass(frozen=True)
class Scene:
    name: str
    prepare: Callable[[Pilot[None]], Awaitable[None]]


SCENES = (
    Scene("layers", layers),
    Scene("apps", apps),
    Scene("apps-filtered", apps_filtered),
    Scene("detail-root-cause", detail),
    Scene("detail-release-culprit", detail_culprit),
    Scene("history-diff", history),
    Scene("talos", talos),
    Scene("help", help_screen),
    Scene("env", env),
    Scene("logs", logs),
)


@contextmanager
def demo() -> Iterator[Backend]:
    with demo_backend(frozen_clock=True, controllers=False) as backend:
        yield backend


def make_app(backend: Backend) -> TuiopsApp:
    return TuiopsApp(backend, clock=lambda: FIXED_NOW)


async def pods(pilot: Pilot[None]) -> None:
    """node-feature-discovery's workloads from its Detail page (`o`), the cursor on the
    ReplicaSet that cannot create pods (enter from the nfd-worker Deployment)."""
    from tuiops.ui.screens.pods import PodsScreen

    await _loaded(pilot)
    await _detail_of(pilot, "node-feature-discovery")
    await pilot.press("o")
    screen = await _shown(pilot, PodsScreen)
    table = screen.query_one(ResourceTable)
    await wait_for(pilot, lambda: table.row_count > 0, what="the workload rows")
    await pilot.press("enter")
    await wait_for(
        pilot, lambda: table.cursor_key.startswith("ReplicaSet/"), what="the stuck ReplicaSet"
    )
    await settle(pilot)


async def sources(pilot: Pilot[None]) -> None:
    """The Sources screen (key 6), every source listed."""
    from tuiops.ui.screens.sources import SourcesScreen

    await _loaded(pilot)
    await pilot.press("6")
    screen = await wait_for_screen(pilot, SourcesScreen)
    table = screen.query_one(ResourceTable)
    await wait_for(pilot, lambda: table.row_count > 0, what="the sources listed")
    await settle(pilot)


async def events(pilot: Pilot[None]) -> None:
    """`:events`: the events about Flux objects, newest first."""
    from tuiops.ui.screens.events import EventsScreen

    await _loaded(pilot)
    await pilot.press("colon", *"events", "enter")
    screen = await wait_for_screen(pilot, EventsScreen)
    await wait_for(pilot, lambda: screen.loaded, what="the events read")
    await settle(pilot)


async def contexts(pilot: Pilot[None]) -> None:
    """`:ctx`: the kubeconfig's contexts over Layers, the one in use marked."""
    from tuiops.ui.screens.choose import ChooseScreen

    await _loaded(pilot)
    await pilot.press("colon", *"ctx", "enter")
    await _shown(pilot, ChooseScreen)


async def pod_logs_containers(pilot: Pilot[None]) -> None:
    """`c` on the logs of nextcloud's pod (`l` on its row of Pods): the container list over
    the lines of both its containers (the server and its cron container), "all containers"
    in use."""
    from tuiops.ui.screens.choose import ChooseScreen
    from tuiops.ui.screens.logs import PodLogsScreen
    from tuiops.ui.screens.pods import PodsScreen
    from tuiops.ui.widgets.log_view import LogView

    await _loaded(pilot)
    await pilot.press("colon", *"pods nextcloud", "enter")
    pods_screen = await _shown(pilot, PodsScreen)
    table = pods_screen.query_one(ResourceTable)
    await wait_for(pilot, lambda: any(key.startswith("Pod/") for key in table.keys))
    key = next(key for key in table.keys if key.startswith("Pod/"))
    table.move_cursor(table.row_index(key))
    await wait_for(pilot, lambda: table.cursor_key == key, what="the cursor on the pod row")
    await pilot.press("l")
    screen = await wait_for_screen(pilot, PodLogsScreen)
    view = screen.query_one(LogView)
    await wait_for(
        pilot,
        lambda: view.stats.shown == 12 and screen.streams_live(),
        what="both containers' lines, both streams live",
    )
    await settle(pilot)
    await pilot.press("c")
    await _shown(pilot, ChooseScreen)


MORE_SCENES = (
    Scene("pods", pods),
    Scene("sources", sources),
    Scene("events", events),
    Scene("contexts", contexts),
    Scene("pod-logs-containers", pod_logs_containers),
)
"""Screens with a snapshot test of their own (`test_pods.py`, `test_sources.py`,
`test_more_screens.py`) that `screenshots/` shows too."""
