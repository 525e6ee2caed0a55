"""Pilot tests of the flows people use, against the simulator through the real adapters:
filter as you type, cursor kept across live updates, drill down, jump by `:`, help, a
remapped key, and cluster text shown inert."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Static

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tests.snapshots.scenes import LIVE_OBJECTS
from tuiops.domain.refs import ObjectRef
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.sim.session import start_simulation
from tuiops.ui.actions import ALL_ACTIONS
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.apps import AppsScreen
from tuiops.ui.screens.detail import DetailScreen
from tuiops.ui.screens.help import HelpScreen
from tuiops.ui.widgets.resource_table import ResourceTable
from tuiops.wiring import cluster_backend

HR = type_for_kind("HelmRelease")


def _run(
    test: Callable[[TuiopsApp, Pilot[None], object], Awaitable[None]],
    tmp_path: Path,
    *,
    keymap: Path | None = None,
) -> None:
    async def main() -> None:
        with start_simulation(
            "degraded", controllers=False, frozen_clock=True, workdir=tmp_path / "sim"
        ) as simulation:
            backend = cluster_backend(EXAMPLE_REPO, kubeconfig=str(simulation.kubeconfig))
            app = TuiopsApp(backend, keymap_file=keymap or tmp_path / "none.toml")
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(
                    pilot, lambda: len(app.state.objects) == LIVE_OBJECTS, what="the live objects"
                )
                await test(app, pilot, simulation)

    asyncio.run(main())


def _table(app: TuiopsApp) -> ResourceTable:
    return app.screen.query_one("#apps", ResourceTable)


def _keys(app: TuiopsApp) -> list[str]:
    return list(_table(app).keys)


def _by_name(key: str) -> tuple[str, ...]:
    """The "name" sort of Apps for a row key `Kind/namespace/name`: namespace, name, kind."""
    kind, namespace, name = key.split("/", 2)
    return (namespace, name, kind)


def _row_text(table: ResourceTable, key: str) -> str:
    return " ".join(cell.plain for cell in table.cells(key))


def test_filter_as_you_type_and_not_ready_toggle(tmp_path: Path) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None], _sim: object) -> None:
        await pilot.press("2")
        assert isinstance(app.screen, AppsScreen)
        screen = app.screen
        assert _table(app).row_count == 142  # 140 live + the 2 of the unapplied layer
        await pilot.press("slash", *"intel")
        await wait_for(pilot, lambda: screen.filter_text == "intel", what="the filter 'intel'")
        # intel-device-plugins-operator and intel-gpu-plugin: a Kustomization + HR each.
        assert sorted(_keys(app)) == [
            "HelmRelease/kube-system/intel-device-plugins-operator",
            "HelmRelease/kube-system/intel-gpu-plugin",
            "Kustomization/flux-system/intel-device-plugins-operator",
            "Kustomization/flux-system/intel-gpu-plugin",
        ]
        await pilot.press("escape", "n")
        await wait_for(
            pilot,
            lambda: screen.not_ready_only and not screen.filter_text,
            what="not-ready only, the filter cleared",
        )
        # The degraded scenario: failing, two blocked, upgrading; plus the 2 never applied.
        assert set(_keys(app)) >= {
            "HelmRelease/kube-system/node-feature-discovery",
            "HelmRelease/kube-system/intel-device-plugins-operator",
            "HelmRelease/kube-system/intel-gpu-plugin",
            "HelmRelease/longhorn-system/longhorn",
        }
        assert "HelmRelease/plex/plex" not in _keys(app)  # suspended but Ready=True

    _run(flow, tmp_path)


def test_cursor_stays_on_its_object_across_live_updates(tmp_path: Path) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None], simulation: object) -> None:
        await pilot.press("2", "s", "s")  # sorted by namespace and name
        table = _table(app)
        await wait_for(pilot, lambda: _keys(app) == sorted(_keys(app), key=_by_name))
        target = _keys(app).index("HelmRelease/kube-system/intel-gpu-plugin")
        table.move_cursor(target)
        store = simulation.cluster.store  # type: ignore[attr-defined]

        def rename_message(obj: dict[str, object]) -> None:
            for condition in obj["status"]["conditions"]:  # type: ignore[index]
                if condition["type"] == "Ready":
                    condition["message"] = "changed by the test"

        # A change that re-sorts nothing, then one that adds a row above the cursor.
        store.update(HR, "kube-system", "intel-gpu-plugin", rename_message, status_only=True)
        await wait_for(pilot, lambda: "changed by the test" in _row_text(table, table.keys[target]))
        store.create(
            HR, {"metadata": {"name": "aaa-new", "namespace": "aaa"}, "spec": {"interval": "1h"}}
        )
        await wait_for(pilot, lambda: table.row_count == 143)
        key = _keys(app)[table.cursor_row]
        assert key == "HelmRelease/kube-system/intel-gpu-plugin"
        # The new row really came in above the cursor, so the cursor had to move to stay.
        assert _keys(app).index("HelmRelease/aaa/aaa-new") < table.cursor_row == target + 1

    _run(flow, tmp_path)


def test_drill_down_and_jump(tmp_path: Path) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None], _sim: object) -> None:
        await pilot.press("colon", *"hr intel-gpu-plugin", "enter")
        await wait_for_screen(pilot, DetailScreen)
        await pilot.press("escape", "colon", *"apps", "enter")
        apps = await wait_for_screen(pilot, AppsScreen)
        await pilot.press("slash", *"longhorn", "enter", "down", "enter")
        await wait_for_screen(pilot, DetailScreen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is apps, what="back on Apps")
        await pilot.press("colon", *"hr does-not-exist", "enter")
        await wait_for(
            pilot,
            lambda: any("does-not-exist" in note.message for note in app._notifications),
            what="the notification of the unknown name",
        )
        assert app.screen is apps  # a notification, not a crash

    _run(flow, tmp_path)


def test_help_lists_every_key_and_a_remap_applies(tmp_path: Path) -> None:
    keymap = tmp_path / "keys.toml"
    keymap.write_text('[keys]\n"apps.not_ready" = "f"\n"no.such.id" = "z"\n')

    async def flow(app: TuiopsApp, pilot: Pilot[None], _sim: object) -> None:
        await pilot.press("question_mark")
        shown = _help_text(await wait_for_screen(pilot, HelpScreen))
        missing = [spec.id for spec in ALL_ACTIONS if spec.id not in shown]
        assert not missing, f"help does not list {missing}"
        assert "apps.not_ready" in shown and " f " in shown.replace("\n", " ")
        # Keys as typed, not Textual's names for them.
        assert "question_mark" not in shown and "colon" not in shown and "?" in shown
        await pilot.press("escape", "2", "f")
        apps = await wait_for_screen(pilot, AppsScreen)
        await wait_for(pilot, lambda: apps.not_ready_only, what="`f` toggling not-ready only")
        assert _table(app).row_count < 142  # `f` now toggles "not ready only"

    _run(flow, tmp_path, keymap=keymap)


def test_hostile_cluster_text_is_inert(tmp_path: Path) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None], simulation: object) -> None:
        store = simulation.cluster.store  # type: ignore[attr-defined]

        def hostile(obj: dict[str, object]) -> None:
            for condition in obj["status"]["conditions"]:  # type: ignore[index]
                if condition["type"] == "Ready":
                    condition["message"] = "[bold red]x[/] \x1b]0;pwned\x07\x1b[2Jdone"

        store.update(HR, "plex", "plex", hostile, status_only=True)
        await pilot.press("2")
        table = _table(app)
        key = "HelmRelease/plex/plex"
        await wait_for(pilot, lambda: "done" in _row_text(table, key))
        message = table.cells(key)[-1].plain
        # Markup shown literally, escapes shown as text (never sent).
        assert message == "[bold red]x[/] \\x1b]0;pwned\\x07\\x1b[2Jdone"

    _run(flow, tmp_path)


def test_command_palette_opens_an_object(tmp_path: Path) -> None:
    async def flow(app: TuiopsApp, pilot: Pilot[None], _sim: object) -> None:
        await pilot.press("ctrl+p")
        await wait_for_screen(pilot, CommandPalette)
        await pilot.press(*"open HelmRelease/kube-system/intel-gpu")
        await settle(pilot)  # the palette's search (a worker) has listed its hits
        await pilot.press("enter")
        detail = await wait_for_screen(pilot, DetailScreen)
        assert detail.ref == ObjectRef("HelmRelease", "kube-system", "intel-gpu-plugin")

    _run(flow, tmp_path)


def _help_text(screen: HelpScreen) -> str:
    """The help table of keys (under the legend) as plain text, as a terminal shows it."""
    from rich.console import Console

    console = Console(width=200, record=True, file=io.StringIO())
    console.print(screen.query_one("#keys", Static).content)
    return console.export_text()


def test_the_first_full_load_is_announced_once(tmp_path: Path) -> None:
    """The composition root freezes the heap when the first full load is live: the app calls
    its hook exactly once, however many updates follow."""
    calls: list[int] = []

    async def main() -> None:
        with start_simulation(
            "degraded", controllers=False, frozen_clock=True, workdir=tmp_path / "sim"
        ) as simulation:
            backend = cluster_backend(EXAMPLE_REPO, kubeconfig=str(simulation.kubeconfig))
            app = TuiopsApp(
                backend, keymap_file=tmp_path / "none.toml", on_first_load=lambda: calls.append(1)
            )
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(
                    pilot, lambda: len(app.state.objects) == LIVE_OBJECTS, what="the live objects"
                )
                await wait_for(pilot, lambda: calls == [1], what="the first-load hook")
                store = simulation.cluster.store
                store.create(HR, {"metadata": {"name": "later", "namespace": "aaa"}, "spec": {}})
                await wait_for(pilot, lambda: len(app.state.objects) == LIVE_OBJECTS + 1)
                assert calls == [1]

    asyncio.run(main())
