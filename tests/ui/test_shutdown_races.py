"""A snapshot timer can fire while the app shuts down, after its screens are gone: publishing
that snapshot must not raise (it did: `refresh_bindings` asked for the current screen and got
ScreenStackError, failing a pilot test at teardown about one run in a few hundred)."""

from __future__ import annotations

import asyncio

from tests.pilot_waits import wait_for
from tuiops.services.backend import Backend
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.ui.app import TuiopsApp


def test_a_snapshot_published_after_the_screens_are_gone_is_quiet() -> None:
    async def main() -> TuiopsApp:
        app = TuiopsApp(Backend(EXAMPLE_REPO, offline_reason="offline: no kubeconfig"))
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.state.overview is not None, what="the repo rows")
        return app

    app = asyncio.run(main())
    assert not app.screen_stack  # what a timer firing during shutdown finds
    # As when the snapshot changed what the Flux keys offer (the object was just resumed):
    app.flux_actions._offered = ()
    app.recompute()
