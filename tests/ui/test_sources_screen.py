"""Sources are watched and listed: `6` opens the Sources screen with every source of the
degraded scenario, ready state and revision as the cluster reports them; enter opens one;
Detail then knows the source revision of an applier (it said "unknown" before)."""

from __future__ import annotations

import asyncio

from textual.widgets import Static

from tests.pilot_waits import wait_for, wait_for_screen
from tests.snapshots.scenes import demo, make_app
from tuiops.domain.kinds import is_source
from tuiops.ui.screens.confirm import ConfirmScreen
from tuiops.ui.screens.detail import DetailScreen
from tuiops.ui.screens.sources import SourcesScreen
from tuiops.ui.source_cells import sources_of
from tuiops.ui.widgets.resource_table import ResourceTable

SOURCES = 94
"""The degraded scenario's sources: 67 HelmCharts, 24 HelmRepositories, 2 OCIRepositories and
1 GitRepository."""


def test_the_sources_screen_lists_every_source_and_opens_one() -> None:
    async def main() -> None:
        with demo() as backend:
            app = make_app(backend)
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(pilot, lambda: app.state.connection == "live", 30)
                await pilot.press("6")
                screen = await wait_for_screen(pilot, SourcesScreen)
                table = screen.query_one(ResourceTable)
                await wait_for(pilot, lambda: table.row_count == SOURCES, what="94 rows")
                sources = sources_of(app.state.objects.values())
                assert all(is_source(source.ref.kind) for source in sources)
                git = next(s for s in sources if s.ref.kind == "GitRepository")
                assert git.artifact_revision  # the feed reads status.artifact
                first = sources[0]
                assert first.ref.kind == "GitRepository"  # sorted by kind
                assert table.cursor_key == str(first.ref)
                # The Flux keys act on sources as flux does: reconcile/suspend, no Helm force.
                assert app.check_action("flux", ("reconcile",)) is True
                assert app.check_action("flux", ("force",)) is False
                await pilot.press("R")
                dialog = await wait_for_screen(pilot, ConfirmScreen)
                words = " ".join(str(static.content) for static in dialog.query(Static))
                assert f"runs: flux reconcile source git {first.ref.name}" in words
                await pilot.press("n")
                await wait_for_screen(pilot, SourcesScreen)
                await pilot.press("enter")
                detail = await wait_for_screen(pilot, DetailScreen)
                assert detail.ref == first.ref

    asyncio.run(main())
