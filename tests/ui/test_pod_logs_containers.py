"""The container picker of a pod's logs (issue 14), on the simulator's real log streams: the
degraded scenario's nextcloud pod runs two containers (the server and its cron container).
`l` on its row of Pods reads both, interleaved by time; `c` lists "all containers" and each
container, and picking one starts a feed on that container only (the source words name it,
the filter stays, `p` reads that container's previous log); "all containers" brings both
back."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from tests.pilot_waits import wait_for, wait_for_screen
from tests.snapshots.scenes import demo, make_app
from tuiops.domain.log_records import StreamState
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.choose import ChooseScreen
from tuiops.ui.screens.logs import PodLogsScreen
from tuiops.ui.screens.pods import PodsScreen
from tuiops.ui.widgets.log_view import LogView
from tuiops.ui.widgets.resource_table import ResourceTable

SERVER, CRON = "nextcloud", "nextcloud-cron"
BOTH = {SERVER, CRON}
LINES_EACH = 6
"""Lines each container of a release pod logged at start (`sim/scenarios/workload_logs`)."""


def _words(screen: PodLogsScreen) -> str:
    return str(screen.query_one("#logs-filter", Static).render())


def _containers_shown(view: LogView) -> set[str]:
    return {record.stream.container for record in view.buffer.shown_records()}


def _streams(screen: PodLogsScreen) -> set[str]:
    """The containers the running feed streams (the discovery's own status left out)."""
    feed = screen._feed
    statuses = feed.statuses() if feed is not None else ()
    return {status.stream.container for status in statuses if status.stream.container}


async def open_pod_logs(pilot: Pilot[None], app: TuiopsApp) -> PodLogsScreen:
    """`l` on the nextcloud pod's row of the Pods screen of its HelmRelease."""
    await wait_for(pilot, lambda: app.state.connection == "live", 30)
    release = next(
        ref for ref in app.state.objects if ref.kind == "HelmRelease" and ref.name == "nextcloud"
    )
    app.push_screen(PodsScreen(release))
    pods = await wait_for_screen(pilot, PodsScreen)
    table = pods.query_one(ResourceTable)
    await wait_for(pilot, lambda: any(key.startswith("Pod/") for key in table.keys))
    key = next(key for key in table.keys if key.startswith("Pod/"))
    table.move_cursor(table.row_index(key))
    await wait_for(pilot, lambda: table.cursor_key == key)
    await pilot.press("l")
    return await wait_for_screen(pilot, PodLogsScreen)


async def _pick(pilot: Pilot[None], name: str) -> list[str]:
    """`c`, then the entry `name` with the cursor keys and enter; the entries listed."""
    await pilot.press("c")
    picker = await wait_for_screen(pilot, ChooseScreen)
    options = picker.query_one("#choices", OptionList)
    names = [str(options.get_option_at_index(i).id) for i in range(options.option_count)]
    target = names.index(name)
    assert options.highlighted is not None
    moves = target - options.highlighted
    await pilot.press(*(["down"] * moves if moves > 0 else ["up"] * -moves), "enter")
    await wait_for_screen(pilot, PodLogsScreen)
    return names


def test_c_reads_one_container_and_all_containers_brings_both_back() -> None:
    async def main() -> None:
        with demo() as backend:
            app = make_app(backend)
            async with app.run_test(size=(120, 40)) as pilot:
                screen = await open_pod_logs(pilot, app)
                view = screen.query_one(LogView)
                await wait_for(pilot, lambda: view.stats.received == 2 * LINES_EACH, 30)
                assert _containers_shown(view) == BOTH
                assert "all containers" in _words(screen)
                await pilot.press("slash", *"Starting", "enter")  # a filter, kept across feeds
                await wait_for(pilot, lambda: view.stats.shown == 2)

                names = await _pick(pilot, CRON)
                assert names == ["all containers", SERVER, CRON]
                await wait_for(pilot, lambda: screen.container == CRON)
                await wait_for(pilot, lambda: view.stats.received == LINES_EACH, 30)
                assert screen.feeds_started == 2
                assert _streams(screen) == {CRON}
                assert _containers_shown(view) == {CRON} and view.stats.shown == 1
                (shown,) = view.buffer.shown_records()
                assert f'"Starting {CRON}"' in shown.text
                assert f"container {CRON}" in _words(screen)
                assert "filter Starting" in _words(screen)

                await pilot.press("p")  # that container's previous log: it has none
                await wait_for(pilot, lambda: screen.feeds_started == 3 and screen.previous)
                assert f"previous container {CRON}" in _words(screen)
                assert screen.container == CRON
                await pilot.press("p")
                await wait_for(pilot, lambda: screen.feeds_started == 4 and not screen.previous)
                await wait_for(pilot, lambda: view.stats.received == LINES_EACH, 30)
                assert _containers_shown(view) == {CRON}

                # The list still names both containers (the running feed streams one), the
                # one read marked; "all containers" reads both again.
                names = await _pick(pilot, "all containers")
                assert names == ["all containers", SERVER, CRON]
                await wait_for(pilot, lambda: screen.container == "")
                await wait_for(pilot, lambda: view.stats.received == 2 * LINES_EACH, 30)
                assert screen.feeds_started == 5
                assert _streams(screen) == BOTH
                assert _containers_shown(view) == BOTH and view.stats.shown == 2
                assert "all containers" in _words(screen)
                await wait_for(pilot, screen.streams_live, what="both streams live")

    asyncio.run(main())


def test_escape_in_the_picker_keeps_the_feed() -> None:
    async def main() -> None:
        with demo() as backend:
            app = make_app(backend)
            async with app.run_test(size=(80, 24)) as pilot:
                screen = await open_pod_logs(pilot, app)
                view = screen.query_one(LogView)
                await wait_for(pilot, lambda: view.stats.received == 2 * LINES_EACH, 30)
                await pilot.press("c")
                picker = await wait_for_screen(pilot, ChooseScreen)
                options = picker.query_one("#choices", OptionList)
                assert options.highlighted == 0  # "all containers", the one in use
                await pilot.press("escape")
                await wait_for_screen(pilot, PodLogsScreen)
                assert screen.feeds_started == 1 and screen.container == ""
                feed = screen._feed
                assert feed is not None
                assert all(status.state is not StreamState.ENDED for status in feed.statuses()), (
                    "the feed runs on"
                )

    asyncio.run(main())
