"""Bulk Flux actions at 80x24 and 120x40 (issue 13): three rows marked in Apps, the one
confirmation listing them with the kube context (reached by real keys), and the summary of
each object's outcome. The demo runs no controllers, so the summary is given its outcomes
(the two HelmReleases reconciled, the Kustomization refused) instead of waiting for them;
tests/ui/test_marks_bulk.py runs the whole flow against the controllers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tests.snapshots.scenes import SIZES, apps, make_app
from tuiops.domain.refs import ObjectRef
from tuiops.services.backend import Backend
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.apps import AppsScreen
from tuiops.ui.screens.bulk_summary import BulkResult, BulkSummaryScreen
from tuiops.ui.screens.confirm import ConfirmScreen
from tuiops.ui.widgets.resource_table import ResourceTable

MARKED = (
    ObjectRef("HelmRelease", "kube-system", "cilium"),
    ObjectRef("HelmRelease", "kube-system", "metrics-server"),
    ObjectRef("Kustomization", "flux-system", "cilium"),
)
OUTCOMES = (
    BulkResult(MARKED[0], "information", "HelmRelease kube-system/cilium reconciled"),
    BulkResult(MARKED[1], "information", "HelmRelease kube-system/metrics-server reconciled"),
    BulkResult(
        MARKED[2],
        "error",
        'kustomizations.kustomize.toolkit.fluxcd.io "cilium" is forbidden: User '
        '"system:serviceaccount:default:tuiops" cannot patch resource "kustomizations" in '
        'API group "kustomize.toolkit.fluxcd.io" in the namespace "flux-system"',
    ),
)


async def marked(pilot: Pilot[None]) -> AppsScreen:
    """Apps with the three objects marked, the cursor back on the first row."""
    await apps(pilot)
    screen = await wait_for_screen(pilot, AppsScreen)
    table = screen.query_one(ResourceTable)
    for ref in MARKED:
        table.move_cursor(table.row_index(str(ref)))
        await pilot.press("space")
    await wait_for(pilot, lambda: len(table.marks) == 3, what="three marked rows")
    table.move_cursor(0)
    await settle(pilot)
    return screen


async def bulk_confirm(pilot: Pilot[None]) -> None:
    await marked(pilot)
    await pilot.press("R")
    await wait_for_screen(pilot, ConfirmScreen)
    await settle(pilot)


async def bulk_summary(pilot: Pilot[None]) -> None:
    await marked(pilot)
    app = pilot.app
    assert isinstance(app, TuiopsApp)
    label = app.backend.label
    await app.push_screen(BulkSummaryScreen("reconcile", label, OUTCOMES))
    await wait_for_screen(pilot, BulkSummaryScreen)
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    "scene", [bulk_confirm, bulk_summary], ids=lambda scene: scene.__name__.replace("_", "-")
)
def test_bulk(
    scene: Callable[[Pilot[None]], Any],
    size: tuple[int, int],
    backend: Backend,
    snap_compare: Callable[..., Any],
) -> None:
    assert snap_compare(make_app(backend), terminal_size=size, run_before=scene)
