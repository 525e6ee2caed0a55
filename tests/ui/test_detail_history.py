"""Pilot tests of the Detail and History screens on the degraded demo cluster: the root cause of
intel-gpu-plugin is node-feature-discovery's failed upgrade, `r` jumps there, and the History
screen diffs the values of two Helm revisions. Plus pure renderer checks."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from tuiops.domain.helm import ReleaseRevision, ReleaseStatus
from tuiops.domain.refs import ObjectRef
from tuiops.services.backend import Backend
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.detail import DetailScreen, events_text
from tuiops.ui.screens.history import HistoryScreen, diff_text, merge_history
from tuiops.wiring import demo_backend

GPU = ObjectRef("HelmRelease", "kube-system", "intel-gpu-plugin")
NFD = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")


@pytest.fixture
def backend() -> Iterator[Backend]:
    with demo_backend(frozen_clock=True) as demo:
        yield demo


def screen_text(app: TuiopsApp) -> str:
    """The plain text of every Static on the active screen."""
    parts = []
    for static in app.screen.query(Static):
        content = static.content
        parts.append(content.plain if isinstance(content, Text) else str(content))
    return "\n".join(parts)


async def wait_for(pilot: Pilot[None], condition: object, seconds: float = 10.0) -> None:
    """Pause until `condition()` is true, failing after `seconds`."""
    assert callable(condition)
    for _ in range(int(seconds / 0.1)):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError("timed out")


def test_detail_names_root_cause_and_jumps(backend: Backend) -> None:
    async def run() -> None:
        app = TuiopsApp(backend)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: GPU in app.state.objects and app.state.rows)
            app.open_detail(GPU)
            await pilot.pause()
            assert isinstance(app.screen, DetailScreen)
            text = screen_text(app)
            assert "intel-gpu-plugin → intel-device-plugins-operator → node-feature-discovery" in (
                text
            )
            assert "first failing: HelmRelease/kube-system/node-feature-discovery" in text
            assert "upgrade failed" in text.lower()
            assert "helm-release.yaml:" in text
            await wait_for(pilot, lambda: "loading…" not in screen_text(app))

            await pilot.press("r")
            await pilot.pause()
            assert isinstance(app.screen, DetailScreen)
            assert app.screen.ref == NFD
            assert "0.18.2" in screen_text(app)

            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, DetailScreen) and app.screen.ref == GPU

    asyncio.run(run())


def test_history_diff(backend: Backend) -> None:
    async def run() -> None:
        app = TuiopsApp(backend)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: NFD in app.state.objects)
            app.open_history(NFD)
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, HistoryScreen)
            await wait_for(pilot, lambda: bool(screen.revisions))
            table = screen.query_one(DataTable)
            assert table.row_count >= 2
            assert [item.number for item in screen.merged] == sorted(
                (item.number for item in screen.merged), reverse=True
            )
            await pilot.press("space", "down", "enter")
            await pilot.pause()
            assert screen.marked == screen.merged[0].number
            diff = screen.query_one("#diff", Static).content
            assert isinstance(diff, Text)
            changed = [
                line
                for line in diff.plain.splitlines()
                if line[:1] in "+-" and not line.startswith(("+++", "---"))
            ]
            assert changed, diff.plain

    asyncio.run(run())


def _revision(number: int, values: str) -> ReleaseRevision:
    return ReleaseRevision(
        "r", "ns", number, ReleaseStatus.DEPLOYED, "c", "1", "1", "", "", "d", values
    )


def test_diff_text_is_inert_and_coloured() -> None:
    text = diff_text(_revision(1, '{"a":"x"}'), _revision(2, '{"a":"\\u001b[31mevil"}'))
    assert "\x1b" not in text.plain
    assert any(span.style == "green" for span in text.spans)
    assert any(span.style == "red" for span in text.spans)


def test_merge_and_events_placeholders() -> None:
    merged = merge_history((_revision(1, "{}"), _revision(3, "{}")), ())
    assert [item.number for item in merged] == [3, 1]
    assert "loading…" in events_text(None).plain
    assert "could not read events: boom" in events_text("boom\x1b[2J").plain


def test_offline_screens_say_so() -> None:
    async def run() -> None:
        app = TuiopsApp(Backend(None, offline_reason="offline (--offline)", read_only=True))
        async with app.run_test(size=(80, 24)) as pilot:
            app.open_history(NFD)
            await pilot.pause()
            assert "Helm storage unavailable: offline (--offline)" in screen_text(app)
            await pilot.press("escape")
            app.open_detail(GPU)
            await wait_for(pilot, lambda: "could not read events: offline" in screen_text(app))
            assert "not in the cluster" in screen_text(app)

    asyncio.run(run())
