"""Tables that fit the terminal (issue 13), read off the painted screen of the degraded demo:
names whole, optional columns as room allows (and on resize), the sorted column always, the
History dates uncut, and the objects no layer reaches under their own heading."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator

import pytest
from textual.pilot import Pilot

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tests.snapshots.scenes import LIVE_OBJECTS, demo, make_app
from tuiops.domain.orphans import ORPHANS_HEADING
from tuiops.domain.refs import ObjectRef
from tuiops.services.backend import Backend
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.apps import SORTS, AppsScreen
from tuiops.ui.screens.history import HistoryScreen
from tuiops.ui.screens.layers import LayersScreen
from tuiops.ui.widgets.resource_table import ResourceTable

LONG_NAME = "kube-system/intel-device-plugins-operator"
LONGEST_NAME = "kube-prometheus-stack/kube-prometheus-stack"
"""The longest Namespace/Name of the degraded scenario's Apps."""
RELEASE = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")

Flow = Callable[[TuiopsApp, Pilot[None]], Awaitable[None]]


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    with demo() as running:
        yield running


def _painted(app: TuiopsApp) -> list[str]:
    """The screen's lines as the terminal shows them."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def _header(table: ResourceTable) -> str:
    return table.render_line(0).text


def _run(backend: Backend, size: tuple[int, int], flow: Flow) -> None:
    async def main() -> None:
        app = make_app(backend)
        async with app.run_test(size=size) as pilot:
            await wait_for(pilot, lambda: len(app.state.objects) == LIVE_OBJECTS, 30)
            await settle(pilot)
            await flow(app, pilot)

    asyncio.run(main())


async def _apps(app: TuiopsApp, pilot: Pilot[None]) -> ResourceTable:
    await pilot.press("2")
    screen = await wait_for_screen(pilot, AppsScreen)
    table = screen.query_one(ResourceTable)
    await wait_for(pilot, lambda: table.row_count == len(app.state.rows))
    await settle(pilot)
    return table


def _line_of(app: TuiopsApp, text: str) -> str:
    return next((line for line in _painted(app) if text in line), "")


def test_apps_at_80_columns_shows_whole_names_and_no_optional_column(backend: Backend) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None]) -> None:
        table = await _apps(app, pilot)
        assert table.shown_columns == ("", "Kind", "Namespace/Name", "Version")
        assert LONG_NAME in _line_of(app, LONG_NAME)
        header = _header(table)
        assert "Message" not in header and "Age" not in header
        painted = "\n".join(_painted(app))
        assert "operat…" not in painted
        # The drift arrow keeps its room: the failed upgrade shows what it wanted.
        assert "0.18.1 → 0.18.2" in _line_of(app, "kube-system/node-feature-discovery")

    _run(backend, (80, 24), flow)


def test_apps_at_120_columns_add_reason_age_and_message(backend: Backend) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None]) -> None:
        table = await _apps(app, pilot)
        header = _header(table)
        for label in ("Reason", "Age", "Message"):
            assert label in header, header
        assert LONG_NAME in _line_of(app, LONG_NAME)
        line = _line_of(app, "kube-system/node-feature-discovery  ")
        assert "UpgradeFailed" in line and "42m" in line  # Ready changed 42 minutes ago
        assert "Helm upgrade f" in line

    _run(backend, (120, 40), flow)


def test_the_longest_name_is_whole_at_120_and_a_resize_relays_the_columns(
    backend: Backend,
) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None]) -> None:
        table = await _apps(app, pilot)
        row = table.row_index(str(ObjectRef("HelmRelease", *LONGEST_NAME.split("/"))))
        table.move_cursor(row)
        await settle(pilot)
        assert LONGEST_NAME in _line_of(app, LONGEST_NAME)
        assert "Message" in _header(table)
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: "Message" not in table.shown_columns)
        await pilot.resize_terminal(160, 40)
        await wait_for(pilot, lambda: "Layer ▲" in table.shown_columns)  # the repo's order
        await settle(pilot)
        assert "Message" in _header(table) and "Layer ▲" in _header(table)

    _run(backend, (120, 40), flow)


def test_the_sorted_column_shows_with_its_arrow_even_at_80(backend: Backend) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None]) -> None:
        table = await _apps(app, pilot)
        screen = app.screen
        assert isinstance(screen, AppsScreen)
        age = [name for name, _label, _key in SORTS].index("age")
        while screen.sort_index != age:
            await pilot.press("s")
        await wait_for(pilot, lambda: "Age ▲" in table.shown_columns)
        assert "Age ▲" in _header(table)
        await pilot.press("S")
        await wait_for(pilot, lambda: "Age ▼" in _header(table))
        await settle(pilot)
        # The names on screen are still whole: the Age column took Version's spare room.
        top = table.scroll_offset.y
        for key in table.keys[top : top + 10]:
            name = key.split("/", 1)[1]
            assert name in _line_of(app, name), name

    _run(backend, (80, 24), flow)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_history_shows_the_deployed_age_uncut(size: tuple[int, int], backend: Backend) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None]) -> None:
        app.open_history(RELEASE)
        screen = await wait_for_screen(pilot, HistoryScreen)
        await wait_for(pilot, lambda: bool(screen.revisions), what="the Helm storage revisions")
        await settle(pilot)
        table = screen.query_one(ResourceTable)
        header = _header(table)
        assert "Deployed" in header.split() and "Status" in header
        line = _line_of(app, "node-feature-discovery-0.18.1")
        assert "deployed" in line and "39m" in line.split()
        assert (size[0] >= 120) == ("2025-11-25 09:30:13" in line)
        assert "…" not in header

    _run(backend, size, flow)


def test_layers_list_what_no_layer_reaches_under_its_own_heading(backend: Backend) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None]) -> None:
        screen = await wait_for_screen(pilot, LayersScreen)
        layers = screen.query_one("#layers", ResourceTable)
        assert ORPHANS_HEADING in _line_of(app, ORPHANS_HEADING)
        layers.focus()
        layers.action_jump(-1)  # the heading is the last row, after every layer
        await settle(pilot)
        components = screen.query_one("#components", ResourceTable)
        wikijs = ["HelmRelease/wikijs/wikijs", "Kustomization/flux-system/wikijs"]
        assert sorted(components.keys) == wikijs
        assert "not in the clu" in _line_of(app, "wikijs/wikijs")  # Message: 15 wide at 120
        # Enter on the heading is not a layer: Apps stays closed.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LayersScreen)

    _run(backend, (120, 40), flow)
