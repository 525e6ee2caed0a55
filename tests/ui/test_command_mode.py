"""Pilot tests of the `:` command line and the back keys against the simulator: the typed
line is drawn, partial names open the best match, `:hr` alone lists HelmReleases, `:q`
quits, an unknown command says so, up/down walk the history; `q` goes back on a pushed
screen and quits on a top one."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.pilot_waits import wait_for, wait_for_screen
from tests.snapshots.scenes import LIVE_OBJECTS
from tuiops.domain.refs import ObjectRef
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.sim.session import start_simulation
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.apps import AppsScreen
from tuiops.ui.screens.confirm import ConfirmScreen
from tuiops.ui.screens.detail import DetailScreen, TextScreen
from tuiops.ui.screens.help import HelpScreen
from tuiops.ui.screens.history import HistoryScreen
from tuiops.ui.screens.jump import JumpScreen
from tuiops.ui.screens.layers import LayersScreen
from tuiops.ui.screens.pods import PodsScreen
from tuiops.ui.screens.sources import SourcesScreen
from tuiops.ui.widgets.resource_table import ResourceTable
from tuiops.wiring import cluster_backend

NFD = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")


def _run(test: Callable[[TuiopsApp, Pilot[None]], Awaitable[None]], tmp_path: Path) -> None:
    async def main() -> None:
        with start_simulation(
            "degraded", controllers=False, frozen_clock=True, workdir=tmp_path / "sim"
        ) as simulation:
            backend = cluster_backend(EXAMPLE_REPO, kubeconfig=str(simulation.kubeconfig))
            app = TuiopsApp(backend, keymap_file=tmp_path / "none.toml")
            async with app.run_test(size=(120, 40)) as pilot:
                # The live objects (at least the appliers the example repo deploys).
                await wait_for(pilot, lambda: len(app.state.objects) >= LIVE_OBJECTS)
                await test(app, pilot)

    asyncio.run(main())


def _drawn(box: Input) -> str:
    """The Input's one line as the terminal shows it."""
    return box.render_line(0).text


def _notified(app: TuiopsApp, text: str) -> bool:
    return any(text in note.message for note in app._notifications)


def test_the_typed_line_is_drawn_with_completions(tmp_path: Path) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None]) -> None:
        await pilot.press("colon")
        jump = await wait_for_screen(pilot, JumpScreen)
        box = jump.query_one("#jump", Input)
        assert box.region.height == 1 and box.region.y == 39  # one line, at the bottom
        await wait_for(pilot, lambda: "hr NAME" in _drawn(box), what="the placeholder")
        await pilot.press(*"hr no")
        await wait_for(pilot, lambda: "hr no" in _drawn(box), what="the typed text drawn")
        labels = [item.label for item in jump.shown]
        assert labels[0] == "hr kube-system/node-feature-discovery", labels
        await pilot.press("tab")
        assert jump.line == "hr node-feature-discovery"

    _run(flow, tmp_path)


def test_a_partial_name_opens_the_best_match(tmp_path: Path) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None]) -> None:
        await pilot.press("colon", *"hr node", "enter")
        detail = await wait_for_screen(pilot, DetailScreen)
        assert detail.ref == NFD

    _run(flow, tmp_path)


def test_a_kind_alone_shows_only_that_kind(tmp_path: Path) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None]) -> None:
        await pilot.press("colon", *"hr", "enter")
        apps = await wait_for_screen(pilot, AppsScreen)
        table = apps.query_one(ResourceTable)
        await wait_for(pilot, lambda: table.row_count > 0, what="the HelmRelease rows")
        keys = list(table.keys)
        assert all(key.startswith("HelmRelease/") for key in keys), keys[:5]
        await pilot.press("colon", *"helmreleases", "enter")
        await pilot.press("colon", *"apps", "enter")
        await wait_for(
            pilot,
            lambda: any(key.startswith("Kustomization/") for key in table.keys),
            what="every kind again after :apps",
        )
        await pilot.press("colon", *"gitrepo", "enter")  # a source kind: the Sources screen
        await wait_for_screen(pilot, SourcesScreen)

    _run(flow, tmp_path)


def test_colon_q_quits(tmp_path: Path) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None]) -> None:
        await pilot.press("colon", *"q", "enter")
        await wait_for(pilot, lambda: app._exit, what="the app exiting")

    _run(flow, tmp_path)


def test_unknown_and_unbuilt_commands_say_so(tmp_path: Path) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None]) -> None:
        await pilot.press("colon", *"lgos", "enter")
        await wait_for(pilot, lambda: _notified(app, "unknown command :lgos; did you mean :logs?"))
        await pilot.press("colon", *"deploy", "enter")
        await wait_for(pilot, lambda: _notified(app, "not available yet: deployments"))
        assert isinstance(app.screen, LayersScreen)

    _run(flow, tmp_path)


def test_history_walks_with_up_and_down(tmp_path: Path) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None]) -> None:
        await pilot.press("colon", *"apps", "enter")
        await wait_for_screen(pilot, AppsScreen)
        await pilot.press("colon", *"layers", "enter")
        await wait_for_screen(pilot, LayersScreen)
        await pilot.press("colon")
        jump = await wait_for_screen(pilot, JumpScreen)
        await pilot.press(*"ta", "up")
        assert jump.line == "layers"
        await pilot.press("up")
        assert jump.line == "apps"
        await pilot.press("up")
        assert jump.line == "apps"  # the oldest stays
        await pilot.press("down", "down")
        assert jump.line == "ta"  # back to what was being typed

    _run(flow, tmp_path)


def test_q_goes_back_on_pushed_screens_and_quits_on_top_ones(tmp_path: Path) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None]) -> None:
        await pilot.press("colon", *"hr node-feature-discovery", "enter")
        await wait_for_screen(pilot, DetailScreen)
        await pilot.press("y")
        await wait_for_screen(pilot, TextScreen)
        await pilot.press("q")
        await wait_for_screen(pilot, DetailScreen)
        await pilot.press("h")
        await wait_for_screen(pilot, HistoryScreen)
        await pilot.press("q")
        await wait_for_screen(pilot, DetailScreen)
        await pilot.press("R")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.press("q")  # the dialog cancels
        await wait_for_screen(pilot, DetailScreen)
        await pilot.press("q")
        await wait_for_screen(pilot, LayersScreen)
        await pilot.press("question_mark")
        await wait_for_screen(pilot, HelpScreen)
        await pilot.press("q")
        await wait_for_screen(pilot, LayersScreen)
        assert not app._exit
        await pilot.press("q")
        await wait_for(pilot, lambda: app._exit, what="q on Layers quitting")

    _run(flow, tmp_path)


def test_ctrl_c_quits_even_from_a_pushed_screen(tmp_path: Path) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None]) -> None:
        await pilot.press("colon", *"hr nfd", "enter")  # fuzzy: one match
        detail = await wait_for_screen(pilot, DetailScreen)
        assert detail.ref == NFD
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: app._exit, what="ctrl+c quitting")

    _run(flow, tmp_path)


def test_an_ambiguous_name_keeps_the_line_open_with_its_candidates(tmp_path: Path) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None]) -> None:
        await pilot.press("colon", *"hr kvr", "enter")  # kyverno, kyverno-policies, kubelet-…
        jump = await wait_for_screen(pilot, JumpScreen)
        await wait_for(pilot, lambda: len(jump.shown) == 3, what="the three fuzzy matches")
        hint = jump.query_one("#jump-hint", Static)
        assert hint.display and "3 HelmReleases match 'kvr'" in str(hint.render())
        assert app.screen is jump  # still open: nothing was guessed
        await pilot.press("tab", "enter")  # the first candidate
        detail = await wait_for_screen(pilot, DetailScreen)
        assert detail.ref.name == "kyverno"

    _run(flow, tmp_path)


def test_pods_opens_a_release_s_workloads_and_pods(tmp_path: Path) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None]) -> None:
        await pilot.press("colon", *"pods", "enter")  # Layers has no release under the cursor
        await wait_for(pilot, lambda: _notified(app, "pods of which release? :pods NAME"))
        await pilot.press("colon", *"po nfd", "enter")
        pods = await wait_for_screen(pilot, PodsScreen)
        assert pods.ref == NFD
        await pilot.press("escape")
        await wait_for_screen(pilot, LayersScreen)
        app.open_detail(NFD)  # `:pods` alone: the release on screen
        await wait_for_screen(pilot, DetailScreen)
        await pilot.press("colon", *"pods", "enter")
        assert (await wait_for_screen(pilot, PodsScreen)).ref == NFD

    _run(flow, tmp_path)
