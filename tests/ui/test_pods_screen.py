"""Drill-down from a HelmRelease to its pods (issue 13): from the Detail page of the degraded
node-feature-discovery release, `o` opens the Pods screen; the nfd-worker Deployment leads
it, enter goes to its ReplicaSet that cannot create pods, and the panel shows the
`FailedCreate` message (`serviceaccount "nfd-worker" not found`) with its event's age and
exact time; the old ReplicaSet is there too, ready, with the old pod still running under it.
Escape goes back to Detail; y opens the row's YAML."""

from __future__ import annotations

import asyncio
import dataclasses

from textual.content import Content
from textual.widgets import Static

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tests.snapshots.scenes import demo, make_app
from tuiops.domain.live import LiveObject
from tuiops.domain.refs import ObjectRef
from tuiops.domain.workload_tree import WorkloadTree
from tuiops.ports import ObjectDetails
from tuiops.ui.screens.detail import DetailScreen, TextScreen
from tuiops.ui.screens.pods import PodsScreen
from tuiops.ui.widgets.resource_table import ResourceTable

NFD = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")
WORKER = "Deployment/kube-system/nfd-worker"
MISSING_ACCOUNT = 'serviceaccount "nfd-worker" not found'


def _plain(static: Static) -> str:
    content = static.content
    return content.plain if isinstance(content, Content) else str(content)


def test_drill_from_the_degraded_release_to_the_replica_set_that_cannot_create_pods() -> None:
    async def main() -> None:
        with demo() as backend:
            app = make_app(backend)
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(pilot, lambda: NFD in app.state.objects, 30)
                app.open_detail(NFD)
                await wait_for_screen(pilot, DetailScreen)
                await pilot.press("o")
                screen = await wait_for_screen(pilot, PodsScreen)
                table = screen.query_one(ResourceTable)
                await wait_for(pilot, lambda: table.row_count > 0, what="the workload rows")
                assert screen.ref == NFD and screen.selected_ref() == NFD
                assert table.keys[0] == WORKER and table.cursor_key == WORKER
                title = _plain(screen.query_one("#title", Static))
                assert "2 workloads, 1 not ready" in title
                panel = screen.query_one("#object", Static)
                assert "FailedCreate" in _plain(panel)

                await pilot.press("enter")  # to the Deployment's first (stuck) ReplicaSet
                await wait_for(pilot, lambda: table.cursor_key.startswith("ReplicaSet/"))
                stuck = table.cursor_key
                await wait_for(pilot, lambda: stuck.removeprefix("ReplicaSet/") in _plain(panel))
                text = _plain(panel)
                assert f'cannot create pods: pods "{stuck.split("/")[-1]}-" is forbidden' in text
                assert MISSING_ACCOUNT in text
                # The event: its age and exact time at the frozen clock, and how often.
                assert "47s (2025-11-25 10:09:13) Warning FailedCreate x20" in text
                cells = table.cells(stuck)
                assert [cell.plain for cell in cells[2:4]] == ["0/1", "FailedCreate"]
                assert MISSING_ACCOUNT in cells[-1].plain
                # The old ReplicaSet is ready and keeps the old pod running, listed under it.
                old = table.keys[2]
                assert old.startswith("ReplicaSet/kube-system/nfd-worker-") and old != stuck
                assert table.cells(old)[0].plain == "✓"
                pod = table.keys[3]
                assert pod.startswith(f"Pod/kube-system/{old.split('/')[-1]}-")
                assert [cell.plain for cell in table.cells(pod)[2:4]] == ["1/1", "Running"]
                await pilot.press("down")
                await wait_for(pilot, lambda: old.removeprefix("ReplicaSet/") in _plain(panel))
                assert "ready 1/1" in _plain(panel) and "no pods listed" not in _plain(panel)

                await pilot.press("y")
                text_screen = await wait_for_screen(pilot, TextScreen)
                assert "YAML ReplicaSet/kube-system/nfd-worker-" in _plain(
                    text_screen.query_one("#title", Static)
                )
                await pilot.press("escape")
                await wait_for_screen(pilot, PodsScreen)
                await pilot.press("escape")
                await wait_for_screen(pilot, DetailScreen)

    asyncio.run(main())


class FailingTree:
    """An ObjectDetails whose workload tree read breaks with a bug."""

    def __init__(self, inner: ObjectDetails) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def workload_tree(self, release: LiveObject) -> WorkloadTree:
        raise KeyError("decoder bug")


def test_a_broken_read_says_so_and_reaches_the_app() -> None:
    async def main() -> None:
        with demo() as backend:
            assert backend.details is not None
            failing = FailingTree(backend.details)
            app = make_app(dataclasses.replace(backend, details=failing))  # type: ignore[arg-type]
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_for(pilot, lambda: NFD in app.state.objects, 30)
                app.push_screen(PodsScreen(NFD))
                screen = await wait_for_screen(pilot, PodsScreen)
                title = screen.query_one("#title", Static)
                await wait_for(pilot, lambda: "unexpected error" in _plain(title))
                await wait_for(pilot, lambda: bool(app._notifications), what="the notification")
                await settle(pilot)
                # Handed on to the app's one handler once (not once per screen class).
                bugs = [n for n in app._notifications if "decoder bug" in n.message]
                assert len(bugs) == 1, [n.message for n in app._notifications]

    asyncio.run(main())
