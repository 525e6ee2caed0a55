"""`:ns NAME` filters the screen it is typed on to one namespace, `:ns all` shows every one
again; each screen remembers its own (Apps filtered to kube-system, Sources unfiltered)."""

from __future__ import annotations

import asyncio

from tests.pilot_waits import wait_for, wait_for_screen
from tests.snapshots.scenes import demo, make_app
from tuiops.ui.command_line import Notice, ShowNamespace, resolve
from tuiops.ui.screens.apps import AppsScreen
from tuiops.ui.screens.jump import JumpScreen
from tuiops.ui.screens.sources import SourcesScreen
from tuiops.ui.widgets.resource_table import ResourceTable


def test_ns_commands_parse() -> None:
    assert resolve(":ns kube-system", ()) == ShowNamespace("kube-system")
    assert resolve(":namespace all", ()) == ShowNamespace("")
    assert isinstance(resolve(":ns", ()), Notice)


def test_ns_filters_the_screen_it_is_typed_on() -> None:
    async def main() -> None:
        with demo() as backend:
            app = make_app(backend)
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(pilot, lambda: app.state.connection == "live", 30)
                await pilot.press("2")
                apps = await wait_for_screen(pilot, AppsScreen)
                table = apps.query_one(ResourceTable)
                await wait_for(pilot, lambda: table.row_count == len(app.state.rows))
                everything = table.row_count
                for keys in (":", *"ns kube-system", "enter"):
                    await pilot.press(keys)
                    if keys == ":":
                        await wait_for_screen(pilot, JumpScreen)
                await wait_for_screen(pilot, AppsScreen)
                kube_system = sum(1 for row in app.state.rows if row.ref.namespace == "kube-system")
                await wait_for(pilot, lambda: table.row_count == kube_system)
                assert 0 < kube_system < everything
                # Sources keep their own (no) namespace filter.
                await pilot.press("6")
                sources = await wait_for_screen(pilot, SourcesScreen)
                assert sources.namespace == ""
                await pilot.press("2")
                await wait_for_screen(pilot, AppsScreen)
                assert apps.namespace == "kube-system"
                for keys in (":", *"ns all", "enter"):
                    await pilot.press(keys)
                    if keys == ":":
                        await wait_for_screen(pilot, JumpScreen)
                await wait_for(pilot, lambda: table.row_count == everything)

    asyncio.run(main())
