"""Offline Detail and Talos at 80x24 and 120x40 (issue 13): the example repo with no cluster,
frozen clock. Its own scenes: no simulator, so nothing live to wait for but the repo read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tests.snapshots.scenes import FIXED_NOW, SIZES
from tuiops.domain.refs import ObjectRef
from tuiops.services.backend import Backend
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.detail import DetailScreen
from tuiops.ui.screens.talos import TalosScreen
from tuiops.ui.widgets.resource_table import ResourceTable

NODE_FEATURE_DISCOVERY = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")


def _app(pilot: Pilot[None]) -> TuiopsApp:
    app = pilot.app
    assert isinstance(app, TuiopsApp)
    return app


async def _repo_read(pilot: Pilot[None]) -> None:
    app = _app(pilot)
    await wait_for(pilot, lambda: app.state.overview is not None, what="the repo rows")
    await settle(pilot)


async def detail(pilot: Pilot[None]) -> None:
    await _repo_read(pilot)
    _app(pilot).open_detail(NODE_FEATURE_DISCOVERY)
    screen = await wait_for_screen(pilot, DetailScreen)

    def read() -> bool:
        shown = [s for s in screen.query("#detail > Static").results(Static) if s.display]
        return not any("loading…" in str(s.content) for s in shown)

    await wait_for(pilot, read, what="the sections without 'loading…'")
    await settle(pilot)


async def talos(pilot: Pilot[None]) -> None:
    await _repo_read(pilot)
    await pilot.press("3")
    screen = await wait_for_screen(pilot, TalosScreen)
    nodes = screen.query_one("#talos-nodes", ResourceTable)
    await wait_for(pilot, lambda: nodes.row_count == 5, what="talconfig's 5 nodes")
    await settle(pilot)


def make_app() -> TuiopsApp:
    backend = Backend(EXAMPLE_REPO, offline_reason="offline: no kubeconfig")
    return TuiopsApp(backend, clock=lambda: FIXED_NOW)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene", [detail, talos], ids=["detail", "talos"])
def test_offline_screen(
    scene: Callable[[Pilot[None]], Any],
    size: tuple[int, int],
    snap_compare: Callable[..., Any],
) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=scene)
