"""Root cause goes through the release: node-feature-discovery fails on its own (Helm's wait
ran out of time), and the object of its release that explains it (the nfd-worker Deployment,
whose ReplicaSet cannot create pods: `serviceaccount "nfd-worker" not found`) is named in the
Root cause section and by `r`, instead of "this object is its own root cause"."""

from __future__ import annotations

import asyncio

from textual.content import Content
from textual.widgets import Static

from tests.pilot_waits import wait_for, wait_for_screen
from tests.snapshots.scenes import demo, make_app
from tuiops.domain.refs import ObjectRef
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.detail import DetailScreen

NFD = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")
MISSING_ACCOUNT = 'serviceaccount "nfd-worker" not found'


def _section(app: TuiopsApp, name: str) -> str:
    content = app.screen.query_one(f"#{name}", Static).content
    return content.plain if isinstance(content, Content) else str(content)


def test_root_cause_names_the_release_object_that_explains_the_failure() -> None:
    async def main() -> None:
        with demo() as backend:
            app = make_app(backend)
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(pilot, lambda: NFD in app.state.objects, 30)
                app.open_detail(NFD)
                await wait_for_screen(pilot, DetailScreen)
                await wait_for(pilot, lambda: MISSING_ACCOUNT in _section(app, "root-cause"))
                text = _section(app, "root-cause")
                assert "in its release: Deployment/kube-system/nfd-worker" in text
                await pilot.press("r")
                await wait_for(pilot, lambda: bool(app._notifications), what="r's answer")
                (note,) = [n.message for n in app._notifications]
                assert note.startswith("the cause is in its release: Deployment/kube-system/nfd")
                assert MISSING_ACCOUNT in note
                assert isinstance(app.screen, DetailScreen) and app.screen.ref == NFD

    asyncio.run(main())
