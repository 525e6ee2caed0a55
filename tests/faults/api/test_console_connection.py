"""The console tells the truth about its connection: a server stopped with SIGSTOP shows as
"not answering" within 10 s, its "updated" time stops moving, and the console is live again
once the server answers; a killed server restarted on the same port is followed back too.
The server is `tuiops sim` in its own process; the console runs the real adapters."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.adapters.faults import SimProcess
from tests.pilot_waits import wait_for
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.ui.app import TuiopsApp
from tuiops.ui.widgets.status_bar import StatusBar
from tuiops.wiring import cluster_backend

NOT_LIVE_WITHIN = 10.0
"""The issue's bound for the console to stop claiming a dead connection is live."""


async def _until(pilot: Pilot[None], ready: Callable[[], bool], seconds: float, what: str) -> float:
    """Wait for `ready` while the app runs; the seconds it took (fails at the deadline)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    await wait_for(pilot, ready, seconds, what)
    return loop.time() - start


def _status_text(app: TuiopsApp) -> str:
    return app.screen.query_one(StatusBar).render().plain


@pytest.mark.parametrize("fault", ["stopped", "killed and restarted"])
def test_the_console_shows_a_dead_server_and_recovers(fault: str, tmp_path: Path) -> None:
    sim = SimProcess(tmp_path / "kubeconfig").start()
    timings: dict[str, float] = {}

    async def main() -> None:
        backend = cluster_backend(EXAMPLE_REPO, kubeconfig=str(sim.kubeconfig))
        app = TuiopsApp(backend, keymap_file=tmp_path / "no-keys")
        async with app.run_test(size=(120, 40)) as pilot:
            await _until(pilot, lambda: app.state.connection == "live", 30, "live")
            live_updated = app.state.updated
            if fault == "stopped":
                sim.pause()
                expected = {"not answering"}
            else:
                sim.kill()
                expected = {"reconnecting", "unreachable"}
            timings["not live"] = await _until(
                pilot, lambda: app.state.connection in expected, NOT_LIVE_WITHIN, "not live"
            )
            assert app.state.connection in _status_text(app)
            assert "live " not in _status_text(app)
            # The time of the last evidence, not a clock: it never moves while not live.
            assert app.state.updated is not None and live_updated is not None
            assert app.state.updated >= live_updated
            stalled_at = app.state.updated
            app.recompute()
            assert app.state.updated == stalled_at
            if fault == "stopped":
                sim.resume()
            else:
                sim.start()  # the same port
            timings["live again"] = await _until(
                pilot, lambda: app.state.connection == "live", 30, "live again"
            )
            assert "live" in _status_text(app)

    try:
        asyncio.run(main())
    finally:
        sim.kill()
    print(
        f"\n{fault}: not live after {timings['not live']:.2f} s, live again after "
        f"{timings['live again']:.2f} s"
    )
