"""At 80 columns every screen's footer still shows `?` (help), whatever else it offers: the
footer was cut before `? Help` (and W, F, X) on the Apps screen."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tests.pilot_waits import settle, wait_for
from tests.snapshots.scenes import demo, make_app
from tuiops.domain.refs import ObjectRef
from tuiops.ui.screens.events import EventsScreen
from tuiops.ui.screens.logs import PodLogsScreen
from tuiops.ui.screens.pods import PodsScreen

MODES = ("layers", "apps", "sources", "talos", "env", "logs")
WIDTH = 80


def _visible_keys(footer: Footer) -> list[str]:
    """The keys of the footer entries drawn whole: inside the terminal and left of the command
    palette's entry, which is docked right and drawn over whatever reaches it (`? He…`)."""
    keys = list(footer.query(FooterKey))
    palette = [key for key in keys if key.has_class("-command-palette")]
    limit = min((key.region.x for key in palette), default=WIDTH)
    return [
        key.key_display or key.key
        for key in keys
        if key.region.width and key.region.right <= limit and key not in palette
    ]


@pytest.mark.parametrize("where", [*MODES, "detail", "pods", "events", "pod-logs"])
def test_help_is_in_the_footer_at_80_columns(where: str) -> None:
    async def main() -> None:
        with demo() as backend:
            app = make_app(backend)
            async with app.run_test(size=(WIDTH, 24)) as pilot:
                await wait_for(pilot, lambda: app.state.connection == "live", 30)
                if where == "detail":
                    app.open_detail(ObjectRef("HelmRelease", "kube-system", "cilium"))
                elif where == "pods":
                    nfd = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")
                    app.push_screen(PodsScreen(nfd))
                elif where == "events":
                    app.push_screen(EventsScreen())
                elif where == "pod-logs":
                    app.push_screen(PodLogsScreen("kube-system", "node-feature-discovery-x"))
                else:
                    await app.switch_mode(where)
                await settle(pilot)
                footer = app.screen.query_one(Footer)
                # Laid out, not only mounted: a key's region is empty until the footer's first
                # layout (CI once caught it in between and saw no key at all).
                await wait_for(
                    pilot,
                    lambda: "?" in _visible_keys(footer),
                    what=f"{where}: `?` whole in the footer",
                )

    asyncio.run(main())
