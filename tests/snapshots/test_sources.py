"""The Sources screen at 80x24 and 120x40 in the deterministic degraded scenario: every source
with its readiness, revision and message."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tests.snapshots.scenes import LIVE_OBJECTS, SIZES, demo, make_app
from tuiops.services.backend import Backend
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.sources import SourcesScreen
from tuiops.ui.widgets.resource_table import ResourceTable


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    with demo() as running:
        yield running


async def _sources(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, TuiopsApp)
    await wait_for(pilot, lambda: len(app.state.objects) == LIVE_OBJECTS)
    await settle(pilot)
    await pilot.press("6")
    screen = await wait_for_screen(pilot, SourcesScreen)
    table = screen.query_one(ResourceTable)
    await wait_for(pilot, lambda: table.row_count > 0, what="the sources listed")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_sources(size: tuple[int, int], backend: Backend, snap_compare: Callable[..., Any]) -> None:
    assert snap_compare(make_app(backend), terminal_size=size, run_before=_sources)
