"""Detail keeps its scroll position when a new state re-renders it ("Detail's scroll jumps when
an action updates it"): a reconcile makes the HelmRelease lose a condition for a moment, the
page gets shorter and clamps the scroll, and when the condition comes back the page must
return to where the reader had it, not stay a few lines up. A state that changes nothing on
the page, or only its reads (a new resourceVersion), must not move it at all."""

from __future__ import annotations

import asyncio
import dataclasses

from textual.containers import VerticalScroll

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tests.snapshots.scenes import demo, make_app
from tuiops.domain.refs import ObjectRef
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.detail import DetailScreen

NFD = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")


def _replace_nfd(app: TuiopsApp, **changes: object) -> None:
    """A new snapshot whose NFD HelmRelease has `changes` (the feed would send one)."""
    objects = dict(app.state.objects)
    objects[NFD] = dataclasses.replace(objects[NFD], **changes)  # type: ignore[arg-type]
    app.state = dataclasses.replace(app.state, objects=objects)


def test_detail_keeps_its_scroll_position_across_state_updates() -> None:
    async def main() -> None:
        with demo() as backend:
            app = make_app(backend)
            async with app.run_test(size=(80, 24)) as pilot:
                await wait_for(pilot, lambda: NFD in app.state.objects, 30)
                original = app.state.objects[NFD]
                app.open_detail(NFD)
                screen = await wait_for_screen(pilot, DetailScreen)
                await settle(pilot)
                page = screen.query_one("#detail", VerticalScroll)
                page.focus()

                await pilot.press("pagedown")  # the reader scrolls down a page
                await wait_for(pilot, lambda: page.scroll_y > 0, what="the page scrolled")
                await settle(pilot)
                middle = page.scroll_y
                # A new snapshot, a new resourceVersion: events and release objects are read
                # again and every section re-rendered.
                _replace_nfd(app, resource_version=original.resource_version + "0")
                await settle(pilot)
                assert page.scroll_y == middle

                await pilot.press("end")  # the reader goes to the end of the page
                await wait_for(pilot, lambda: page.scroll_y == page.max_scroll_y > middle)
                await settle(pilot)
                bottom = page.scroll_y
                _replace_nfd(app, conditions=())  # a reconcile: the conditions go for a moment
                await settle(pilot)
                assert page.max_scroll_y < bottom  # the page got shorter: clamped
                _replace_nfd(app, conditions=original.conditions)  # and come back
                await settle(pilot)
                assert page.max_scroll_y == bottom
                assert page.scroll_y == bottom

    asyncio.run(main())
