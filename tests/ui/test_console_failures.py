"""Errors surface and nothing dies silently: a worker's bug is notified and logged with its
traceback; a failing state rebuild shows an error state, then recovers on its own; a screen
hidden behind another stops re-rendering and catches up when shown."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from tests.pilot_waits import settle, wait_for
from tests.services.test_console_state import PLEX, FakeFeed
from tuiops.domain.live import LiveObject
from tuiops.services.backend import Backend
from tuiops.services.console_state import ConsoleSession
from tuiops.services.problem_log import ProblemLog
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.apps import AppsScreen


def _notifications(app: TuiopsApp) -> list[str]:
    return [note.message for note in app._notifications]


def _replaced(app: TuiopsApp, state: object) -> Callable[[], bool]:
    """Whether the app published a snapshot other than `state`."""
    return lambda: app.state is not state


def _app(backend: Backend | object, log: Path) -> TuiopsApp:
    moment = datetime(2026, 1, 1, 12, 0)
    session = ConsoleSession(backend, clock=lambda: moment, problem_log=ProblemLog(log))  # type: ignore[arg-type]
    return TuiopsApp(backend, session=session, keymap_file=log.parent / "no-keys")  # type: ignore[arg-type]


def test_a_worker_bug_is_notified_and_logged(tmp_path: Path) -> None:
    log = tmp_path / "console.log"

    def broken_backend() -> Backend:
        raise ValueError("no such thing")

    async def main() -> None:
        app = _app(broken_backend, log)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: bool(_notifications(app)))
            assert any("ValueError: no such thing" in note for note in _notifications(app))
            assert app.is_running  # notified, not crashed

    asyncio.run(main())
    text = log.read_text()
    assert "Traceback" in text and "ValueError: no such thing" in text


def test_a_failing_rebuild_shows_an_error_state_then_recovers(tmp_path: Path) -> None:
    log = tmp_path / "console.log"
    feed = FakeFeed()
    feed.live = (LiveObject(ref=PLEX, api_version="helm.toolkit.fluxcd.io/v2"),)
    feed.fail_with = ValueError("decoder bug")
    backend = Backend(EXAMPLE_REPO, flux=feed, label="test")

    async def main() -> None:
        app = _app(backend, log)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.state.connection == "error")
            assert "decoder bug" in app.state.problem
            assert any("decoder bug" in note for note in _notifications(app))
            feed.fail_with = None  # the next retry (with backoff) succeeds on its own
            await wait_for(pilot, lambda: PLEX in app.state.objects)
            assert not app.state.problem and app.state.connection != "error"

    asyncio.run(main())
    assert "ValueError: decoder bug" in log.read_text()


def test_a_hidden_screen_skips_changes_and_catches_up(tmp_path: Path) -> None:
    feed = FakeFeed()
    backend = Backend(EXAMPLE_REPO, flux=feed, label="test")
    seen: list[object] = []

    async def main() -> None:
        app = _app(backend, tmp_path / "log")
        async with app.run_test(size=(80, 24)) as pilot:
            await app.switch_mode("apps")
            await wait_for(pilot, lambda: app.state.model is not None)
            apps = app.screen
            assert isinstance(apps, AppsScreen)
            await wait_for(pilot, lambda: apps.state is app.state)

            def record(state: object) -> None:
                seen.append(state)

            apps.watch(apps, "state", record, init=False)
            app.open_detail(PLEX)
            await wait_for(pilot, lambda: app.screen is not apps)
            for version in range(3):
                feed.live = (LiveObject(ref=PLEX, api_version="v", resource_version=str(version)),)
                published = _replaced(app, app.state)
                app.recompute()
                await wait_for(pilot, published, what="the new snapshot")
            await settle(pilot)  # whatever the three changes queued was handled
            assert seen == []  # hidden: no re-render for any of the three changes
            assert apps.state is not app.state
            app.pop_screen()
            await wait_for(pilot, lambda: apps.state is app.state)
            assert seen == [app.state]  # one catch-up render with the latest snapshot

    asyncio.run(main())
