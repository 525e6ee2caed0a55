"""Enter on a layer opens Apps showing that layer's objects only; `:apps` shows all again."""

from __future__ import annotations

import asyncio

from tests.pilot_waits import wait_for, wait_for_screen
from tests.snapshots.scenes import demo, make_app
from tuiops.ui.screens.apps import AppsScreen
from tuiops.ui.screens.jump import JumpScreen
from tuiops.ui.screens.layers import LayersScreen
from tuiops.ui.widgets.resource_table import ResourceTable


def test_enter_on_a_layer_opens_its_apps() -> None:
    async def main() -> None:
        with demo() as backend:
            app = make_app(backend)
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(pilot, lambda: app.state.connection == "live", 30)
                layers = app.screen
                assert isinstance(layers, LayersScreen)
                table = layers.query_one("#layers", ResourceTable)
                await wait_for(pilot, lambda: table.row_count > 2)
                table.focus()
                await pilot.press("down", "down")  # entry, flux-system, kube-system
                await wait_for(pilot, lambda: table.cursor_key == "kube-system")
                await pilot.press("enter")
                apps = await wait_for_screen(pilot, AppsScreen)
                rows = apps.query_one(ResourceTable)
                in_layer = sum(1 for row in app.state.rows if row.layer == "kube-system")
                await wait_for(pilot, lambda: rows.row_count == in_layer)
                assert 0 < in_layer < len(app.state.rows)
                await pilot.press("colon")
                await wait_for_screen(pilot, JumpScreen)
                await pilot.press(*"apps", "enter")
                await wait_for(pilot, lambda: rows.row_count == len(app.state.rows))

    asyncio.run(main())
