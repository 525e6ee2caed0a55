"""Pilot tests of `--read-only` and of calm notifications, against the simulator through the
real adapters: every Flux key says in one line why it does nothing (for the object under the
cursor, or for the marked ones) and sends nothing; the command palette leaves the Flux actions
out; and an action's notification sits in the bottom-right corner, narrow and short-lived,
leaving the table's rows and its cursor readable at 80x24 and 120x40.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets._toast import Toast

from tests.pilot_waits import settle, wait_for
from tests.ui.test_flux_actions import RecordingApp, raw
from tests.ui.test_marks_bulk import CILIUM, METRICS, mark, run_in_apps, table_of
from tuiops.sim.session import Simulation
from tuiops.ui.commands import ConsoleCommands
from tuiops.ui.flux_verbs import NOTICE_SECONDS
from tuiops.ui.screens.apps import AppsScreen

REFUSED = "(tuiops runs with --read-only)"


def audit_entries() -> list[dict[str, object]]:
    """The session's audit log (conftest puts XDG_STATE_HOME in a temp dir)."""
    path = Path(os.environ["XDG_STATE_HOME"]) / "tuiops" / "audit.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_flux_key_says_why_it_is_refused_and_sends_nothing(tmp_path: Path) -> None:
    async def flow(
        app: RecordingApp, pilot: Pilot[None], simulation: Simulation, apps: AppsScreen
    ) -> None:
        table = table_of(apps)
        table.move_cursor(table.row_index(str(CILIUM)))
        await settle(pilot)
        before = raw(simulation, CILIUM)
        audited = len(audit_entries())
        words = {"R": "reconcile", "W": "reconcile with source", "T": "suspend"}
        words |= {"F": "force upgrade", "X": "reset failures"}
        for key, label in words.items():
            notes = len(app.notes)
            await pilot.press(key)

            def answered(notes: int = notes) -> bool:
                return len(app.notes) > notes

            await wait_for(pilot, answered, what=f"the answer to {key}")
            assert app.screen is apps, key  # no dialog
            assert app.notes[-1] == (
                "warning",
                "",
                f"read-only: {label} of {CILIUM} refused {REFUSED}",
            )
        await settle(pilot)  # no action worker runs that could still send something
        assert raw(simulation, CILIUM) == before
        # Each refusal is in the audit log, naming the action and the object.
        refused = [e for e in audit_entries()[audited:] if e["outcome"] == "refused"]
        assert [e["action"] for e in refused] == [f"flux {label}" for label in words.values()]
        assert all(e["objects"] == [str(CILIUM)] for e in refused)
        # With marks, the refusal names how many.
        await mark(pilot, apps, CILIUM, METRICS)
        notes = len(app.notes)
        await pilot.press("R")
        await wait_for(pilot, lambda: len(app.notes) > notes, what="the answer to R on marks")
        assert app.notes[-1][2] == f"read-only: reconcile of 2 marked objects refused {REFUSED}"

    run_in_apps(flow, tmp_path, controllers=False, read_only=True)


def test_the_palette_leaves_flux_actions_out(tmp_path: Path) -> None:
    async def flow(
        app: RecordingApp, pilot: Pilot[None], _simulation: Simulation, apps: AppsScreen
    ) -> None:
        table = table_of(apps)
        table.move_cursor(table.row_index(str(CILIUM)))
        await settle(pilot)
        palette = [text for text, _h, _c in ConsoleCommands(apps)._actions()]
        assert "Help" in palette
        flux = ("Reconcile", "Suspend", "Resume", "Force", "Reset")
        assert not [text for text in palette if text.startswith(flux)], palette

    run_in_apps(flow, tmp_path, controllers=False, read_only=True)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_notification_leaves_the_table_readable(tmp_path: Path, size: tuple[int, int]) -> None:
    async def flow(
        app: RecordingApp, pilot: Pilot[None], _simulation: Simulation, apps: AppsScreen
    ) -> None:
        table = table_of(apps)
        table.move_cursor(table.row_index(str(CILIUM)))
        await settle(pilot)
        await pilot.press("R")  # read-only: the refusal is an action's notification
        await wait_for(pilot, lambda: bool(app.screen.query(Toast)), what="the toast")
        await settle(pilot)  # laid out: the regions below are measured
        (toast,) = app.screen.query(Toast)
        width, height = size
        region = toast.region
        assert region.right == width and region.width <= width * 0.45 + 1, region
        assert region.height <= 4, region  # no padding lines, at most 4
        # Above the status bar and the footer, below the table's cursor and first rows.
        assert region.bottom <= height - 2, region
        cursor_y = table.region.y + 1 + table.cursor_row - table.scroll_offset.y
        first_rows = range(table.region.y, table.region.y + (height - 2) // 2)
        assert cursor_y < region.y and first_rows.stop <= region.y, (cursor_y, region)
        assert app.notes[-1][0] == "warning"
        assert NOTICE_SECONDS == {"information": 3, "warning": 6, "error": 8}

    run_in_apps(flow, tmp_path, controllers=False, read_only=True, size=size, notifications=True)
