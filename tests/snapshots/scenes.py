"""The deterministic scenes the snapshot tests and `tests/make_screenshots.py` both draw: the
degraded demo (frozen clock, controllers off), each screen reached by real keys."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from textual.pilot import Pilot

from tuiops.domain.refs import ObjectRef
from tuiops.services.backend import Backend
from tuiops.ui.app import TuiopsApp
from tuiops.ui.widgets.resource_table import ResourceTable
from tuiops.wiring import demo_backend

FIXED_NOW = datetime(2025, 11, 25, 10, 10, 0)
LIVE_OBJECTS = 140
"""Flux appliers the degraded scenario runs (the commented-out layer's 2 are not applied)."""
SIZES = ((80, 24), (120, 40))


async def wait_for(pilot: Pilot[None], ready: Callable[[], bool], seconds: float = 15.0) -> None:
    """Pause until `ready()` holds (the feed and workers run in threads), then settle."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not ready() and loop.time() < deadline:
        await pilot.pause(0.05)
    assert ready(), "the scene never became ready"
    await pilot.pause(0.2)


def _app(pilot: Pilot[None]) -> TuiopsApp:
    app = pilot.app
    assert isinstance(app, TuiopsApp)
    return app


async def _loaded(pilot: Pilot[None]) -> None:
    app = _app(pilot)
    await wait_for(pilot, lambda: len(app.state.objects) == LIVE_OBJECTS)


async def layers(pilot: Pilot[None]) -> None:
    await _loaded(pilot)


async def apps(pilot: Pilot[None]) -> None:
    await _loaded(pilot)
    await pilot.press("2")
    await pilot.pause(0.2)


async def apps_filtered(pilot: Pilot[None]) -> None:
    await apps(pilot)
    await pilot.press("n", "slash", *"kube-system", "enter")
    await pilot.pause(0.2)


async def detail(pilot: Pilot[None]) -> None:
    await _loaded(pilot)
    await pilot.press("colon", *"hr intel-gpu-plugin", "enter")
    await pilot.pause(1.0)


async def detail_culprit(pilot: Pilot[None]) -> None:
    """The release that timed out, scrolled to the object that keeps it from being ready."""
    await _loaded(pilot)
    await pilot.press("colon", *"hr node-feature-discovery", "enter")
    await pilot.pause(1.0)
    await pilot.press("down", "down", "down", "down")
    await pilot.pause(0.2)


async def history(pilot: Pilot[None]) -> None:
    await _loaded(pilot)
    _app(pilot).open_history(ObjectRef("HelmRelease", "kube-system", "node-feature-discovery"))
    await pilot.pause(1.0)
    await pilot.press("space", "down", "enter")
    await pilot.pause(0.5)


async def talos(pilot: Pilot[None]) -> None:
    await _loaded(pilot)
    await pilot.press("3")
    app = _app(pilot)

    def nodes_shown() -> bool:
        tables = app.screen.query("#talos-nodes").results(ResourceTable)
        return any(table.row_count == 5 for table in tables)

    await wait_for(pilot, nodes_shown)


async def help_screen(pilot: Pilot[None]) -> None:
    await _loaded(pilot)
    await pilot.press("question_mark")
    await pilot.pause(0.2)


async def env(pilot: Pilot[None]) -> None:
    await _loaded(pilot)
    await pilot.press("4")
    await pilot.pause(0.2)


async def logs(pilot: Pilot[None]) -> None:
    await _loaded(pilot)
    await pilot.press("5")
    await pilot.pause(0.2)


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
