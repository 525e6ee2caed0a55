"""Pilot tests of marks and bulk Flux actions in Apps against the simulator, through the real
adapters: space marks (the row shows it, the marks stay through a filter and live updates),
ctrl+space clears, and a reconcile of three marked objects asks once (listing them all and the
kube context), runs them side by side and ends with one summary giving each outcome, one of
them failed (the API server refuses to patch Kustomizations).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tests.ui.test_flux_actions import RecordingApp, annotations_of, dialog_text
from tuiops.domain.refs import ObjectRef
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.sim.session import Simulation, start_simulation
from tuiops.ui.bulk_actions import BulkActions, marked_refs, palette_offers
from tuiops.ui.commands import ConsoleCommands
from tuiops.ui.screens.apps import AppsScreen
from tuiops.ui.screens.bulk_summary import BulkSummaryScreen
from tuiops.ui.screens.confirm import ConfirmScreen
from tuiops.ui.widgets.resource_table import MARK_GLYPH, ResourceTable
from tuiops.wiring import cluster_backend

CILIUM = ObjectRef("HelmRelease", "kube-system", "cilium")
METRICS = ObjectRef("HelmRelease", "kube-system", "metrics-server")
CILIUM_KS = ObjectRef("Kustomization", "flux-system", "cilium")
PLEX = ObjectRef("HelmRelease", "plex", "plex")  # suspended in the degraded scenario
REQUESTED_AT = "reconcile.fluxcd.io/requestedAt"

Flow = Callable[[RecordingApp, Pilot[None], Simulation, AppsScreen], Awaitable[None]]


def run_in_apps(
    flow: Flow,
    tmp_path: Path,
    *,
    controllers: bool,
    read_only: bool = False,
    size: tuple[int, int] = (120, 40),
    notifications: bool = False,
) -> None:
    """`flow` on the Apps screen of the degraded scenario, its objects live (`notifications`:
    toasts are drawn, as they are not by default in a test)."""

    async def main() -> None:
        with start_simulation(
            "degraded",
            controllers=controllers,
            controller_delay=0.05,
            frozen_clock=True,
            workdir=tmp_path / "sim",
        ) as simulation:
            backend = cluster_backend(
                EXAMPLE_REPO,
                kubeconfig=str(simulation.kubeconfig),
                read_only=read_only,
                action_poll=0.05,
                action_timeout=10.0,
            )
            app = RecordingApp(backend, keymap_file=tmp_path / "none.toml")
            async with app.run_test(size=size, notifications=notifications) as pilot:

                def live() -> bool:
                    objects = app.state.objects
                    return all(ref in objects for ref in (CILIUM, METRICS, CILIUM_KS, PLEX))

                await wait_for(pilot, live, what="the live objects the tests act on")
                await pilot.press("2")
                apps = await wait_for_screen(pilot, AppsScreen)
                await settle(pilot)
                await flow(app, pilot, simulation, apps)

    asyncio.run(main())


def table_of(apps: AppsScreen) -> ResourceTable:
    return apps.query_one(ResourceTable)


async def mark(pilot: Pilot[None], apps: AppsScreen, *refs: ObjectRef) -> None:
    """Put the cursor on each object's row and press space."""
    table = table_of(apps)
    for ref in refs:
        key = str(ref)
        table.move_cursor(table.row_index(key))
        await pilot.press("space")

        def marked(key: str = key) -> bool:
            return key in table.marks

        await wait_for(pilot, marked, what=f"the mark on {ref}")


def row_text(table: ResourceTable, ref: ObjectRef) -> str:
    """The row of `ref` as drawn (its line on screen)."""
    y = table.row_index(str(ref)) + 1 - table.scroll_offset.y
    return table.render_line(y).text


def summary_of(apps: AppsScreen) -> str:
    content = apps.query_one("#summary", Static).content
    return str(getattr(content, "plain", content))


def test_space_marks_rows_that_stay_marked_through_filters_and_updates(tmp_path: Path) -> None:
    async def flow(
        app: RecordingApp, pilot: Pilot[None], simulation: Simulation, apps: AppsScreen
    ) -> None:
        table = table_of(apps)
        table.move_cursor(table.row_index(str(CILIUM)))
        await pilot.press("space")
        await wait_for(pilot, lambda: table.marks == {str(CILIUM)}, what="cilium marked")
        # The cursor moves on, so space space space marks three rows in a row.
        assert table.cursor_row == table.row_index(str(CILIUM)) + 1
        assert row_text(table, CILIUM).startswith(MARK_GLYPH)
        assert not row_text(table, METRICS).startswith(MARK_GLYPH)
        await mark(pilot, apps, METRICS)
        assert set(apps.marked_refs()) == {CILIUM, METRICS}
        assert "2 marked" in summary_of(apps)
        # A filter hides cilium's row; the mark stays, and the keys still act on both.
        await pilot.press("slash", *"metrics", "enter")
        await wait_for(pilot, lambda: table.row_index(str(CILIUM)) == table.row_count)
        assert set(apps.marked_refs()) == {CILIUM, METRICS}
        await pilot.press("escape")
        await wait_for(pilot, lambda: table.row_index(str(CILIUM)) < table.row_count)
        assert row_text(table, CILIUM).startswith(MARK_GLYPH)

        # A live change of a marked object (suspended behind tuiops' back) keeps the marks.
        def suspend(obj: dict[str, Any]) -> dict[str, Any]:
            return {**obj, "spec": {**obj.get("spec", {}), "suspend": True}}

        resource = type_for_kind(CILIUM.kind)
        simulation.cluster.store.update(resource, CILIUM.namespace, CILIUM.name, suspend)
        await wait_for(pilot, lambda: app.state.objects[CILIUM].suspended, what="the change")
        await settle(pilot)
        assert set(apps.marked_refs()) == {CILIUM, METRICS}
        # ctrl+space clears them all (most terminals send it as NUL: ctrl+@).
        await pilot.press("ctrl+@")
        await wait_for(pilot, lambda: not table.marks, what="the marks cleared by ctrl+@")
        await mark(pilot, apps, CILIUM)
        await pilot.press("ctrl+space")
        await wait_for(pilot, lambda: not table.marks, what="the marks cleared")
        assert "marked" not in summary_of(apps)
        assert not row_text(table, CILIUM).startswith(MARK_GLYPH)

    run_in_apps(flow, tmp_path, controllers=False)


def test_bulk_reconcile_of_three_marked_objects_one_failing(tmp_path: Path) -> None:
    async def flow(
        app: RecordingApp, pilot: Pilot[None], simulation: Simulation, apps: AppsScreen
    ) -> None:
        simulation.cluster.faults.forbid("patch", "kustomizations")
        await mark(pilot, apps, CILIUM, METRICS, CILIUM_KS)
        assert set(marked_refs(apps)) == {CILIUM, METRICS, CILIUM_KS}
        # The palette names the marked objects, not the one under the cursor.
        palette = [text for text, _h, _c in ConsoleCommands(apps)._actions()]
        assert "Reconcile: 3 marked objects" in palette
        assert {what for _verb, what in palette_offers(apps, app)} == {"3 marked objects"}

        await pilot.press("R")
        await wait_for_screen(pilot, ConfirmScreen)
        text = dialog_text(app)
        assert "Reconcile 3 marked objects?" in text
        for ref in (CILIUM, METRICS, CILIUM_KS):
            assert f"• {ref}" in text, text
        assert f"context: {app.backend.label}" in text and app.backend.label
        assert "runs, side by side: flux reconcile" in text
        assert app.notes == []  # nothing sent before the answer
        assert REQUESTED_AT not in annotations_of(simulation, CILIUM)

        await pilot.press("y")
        summary = await wait_for_screen(pilot, BulkSummaryScreen, seconds=30)
        assert "reconcile requested for 3 objects…" in app.messages()
        outcomes = {result.ref: result for result in summary.results}
        assert list(outcomes) == list(marked_refs(apps))  # in the order they were listed
        for ref in (CILIUM, METRICS):
            assert outcomes[ref].severity == "information", outcomes[ref]
            assert "reconciled" in outcomes[ref].message
            assert REQUESTED_AT in annotations_of(simulation, ref)
        assert outcomes[CILIUM_KS].severity == "error"
        assert "forbidden" in outcomes[CILIUM_KS].message
        shown = "\n".join(
            str(getattr(static.content, "plain", static.content))
            for static in summary.query(Static)
        )
        assert f"reconcile of 3 objects in {app.backend.label}: 2 ok, 1 failed" in shown
        assert f"✔ ok      {CILIUM}\n" in shown  # an ok needs no words
        assert f"✗ failed  {CILIUM_KS}\n{outcomes[CILIUM_KS].message}" in shown
        # esc closes it; the objects are free for the next action, the marks stay.
        await pilot.press("escape")
        await wait_for_screen(pilot, AppsScreen)
        assert set(apps.marked_refs()) == {CILIUM, METRICS, CILIUM_KS}
        await pilot.press("R")
        await wait_for_screen(pilot, ConfirmScreen)
        assert "skipped" not in dialog_text(app)
        await pilot.press("n")
        await wait_for_screen(pilot, AppsScreen)

    run_in_apps(flow, tmp_path, controllers=True)


def test_bulk_skips_what_a_verb_does_not_apply_to(tmp_path: Path) -> None:
    async def flow(
        app: RecordingApp, pilot: Pilot[None], _simulation: Simulation, apps: AppsScreen
    ) -> None:
        await mark(pilot, apps, CILIUM, CILIUM_KS, PLEX)
        # T suspends while any marked object runs; resume only once all are suspended.
        assert app.check_action("flux", ("suspend",)) is True
        assert app.check_action("flux", ("resume",)) is False
        await pilot.press("F")
        await wait_for_screen(pilot, ConfirmScreen)
        text = dialog_text(app)
        assert "Force upgrade 1 marked object?" in text
        assert f"• {CILIUM}" in text
        assert f"- {CILIUM_KS} (skipped: not a HelmRelease)" in text
        assert f"- {PLEX} (skipped: suspended: resume it first)" in text
        await pilot.press("n")
        await wait_for_screen(pilot, AppsScreen)
        await settle(pilot)
        assert not any(isinstance(screen, BulkSummaryScreen) for screen in app.screen_stack)

    run_in_apps(flow, tmp_path, controllers=False)


def test_bulk_finished_is_a_flux_actions_finished() -> None:
    # The app routes every action's end through one handler (`FluxActions.Finished`).
    from tuiops.ui.flux_actions import FluxActions

    assert issubclass(BulkActions.Finished, FluxActions.Finished)


def test_summary_lines_say_each_outcome_in_words() -> None:
    from tuiops.domain.actions import ActionOutcome, FluxVerb
    from tuiops.errors import TuiopsError
    from tuiops.ui.bulk_actions import result_of
    from tuiops.ui.screens.bulk_summary import heading, result_line

    ok = result_of(CILIUM, ActionOutcome(FluxVerb.RECONCILE, CILIUM, True, "reconciled"))
    refused = result_of(CILIUM_KS, TuiopsError("patch \x1b[2Jforbidden\nby RBAC"))
    bug = result_of(METRICS, KeyError("status"))
    assert (ok.severity, ok.message) == ("information", "reconciled")
    assert (refused.severity, refused.message) == ("error", "patch \\x1b[2Jforbidden by RBAC")
    assert (bug.severity, bug.message) == ("error", "KeyError: 'status'")
    assert result_line(ok).plain == f"✔ ok      {CILIUM}"
    assert result_line(refused).plain == f"✗ failed  {CILIUM_KS}"
    assert heading("reconcile", "prod", (ok, refused, bug)) == (
        "reconcile of 3 objects in prod: 1 ok, 2 failed"
    )
