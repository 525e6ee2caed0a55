"""`:events` against the simulator: the Events screen lists every Event about a Flux object,
as many as the real kubectl finds with `get events -A` filtered to Flux kinds, newest first;
`:ns` and `w` filter what was read; enter opens the object's Detail."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.pilot_waits import wait_for, wait_for_screen
from tuiops.adapters.cluster_reads import FLUX_EVENT_KINDS
from tuiops.domain.refs import ObjectRef
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.sim.session import start_simulation
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.detail import DetailScreen
from tuiops.ui.screens.events import EventsScreen
from tuiops.ui.widgets.resource_table import ResourceTable
from tuiops.wiring import cluster_backend

KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"


def _kubectl_flux_events(kubeconfig: Path) -> list[dict[str, Any]]:
    """What the real kubectl lists: every Event, kept when it is about a Flux kind."""
    out = subprocess.run(
        [KUBECTL, "--kubeconfig", str(kubeconfig), "get", "events", "-A", "-o", "json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    items: list[dict[str, Any]] = json.loads(out)["items"]
    return [e for e in items if e["involvedObject"]["kind"] in FLUX_EVENT_KINDS]


@pytest.mark.skipif(not Path(KUBECTL).exists(), reason="kubectl v1.32 not installed")
def test_events_lists_what_kubectl_finds_and_filters_it(tmp_path: Path) -> None:
    async def main() -> None:
        with start_simulation(
            "degraded", controllers=False, frozen_clock=True, workdir=tmp_path / "sim"
        ) as simulation:
            expected = _kubectl_flux_events(simulation.kubeconfig)
            in_kube_system = [
                e for e in expected if e["involvedObject"].get("namespace") == "kube-system"
            ]
            warnings = [e for e in in_kube_system if e["type"] == "Warning"]
            assert expected and warnings and len(warnings) < len(in_kube_system)
            backend = cluster_backend(EXAMPLE_REPO, kubeconfig=str(simulation.kubeconfig))
            app = TuiopsApp(backend)
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(pilot, lambda: app.state.connection == "live", 30)
                await pilot.press("colon", *"events", "enter")
                screen = await wait_for_screen(pilot, EventsScreen)
                table = screen.query_one(ResourceTable)
                await wait_for(pilot, lambda: screen.loaded, what="the events read")
                assert not screen.problem
                assert table.row_count == len(expected)
                newest = max(e["lastTimestamp"] for e in expected)
                assert table.cursor_key_at(0) in {
                    f"{e['metadata']['namespace']}/{e['metadata']['name']}"
                    for e in expected
                    if e["lastTimestamp"] == newest
                }

                await pilot.press("colon", *"ns kube-system", "enter")
                await wait_for(pilot, lambda: table.row_count == len(in_kube_system))
                await pilot.press("w")
                await wait_for(pilot, lambda: table.row_count == len(warnings))
                involved = warnings[0]["involvedObject"]
                keys = [table.cursor_key_at(i) for i in range(table.row_count)]
                first = next(
                    e
                    for e in warnings
                    if f"{e['metadata']['namespace']}/{e['metadata']['name']}" == keys[0]
                )
                involved = first["involvedObject"]
                await pilot.press("enter")
                detail = await wait_for_screen(pilot, DetailScreen)
                assert detail.ref == ObjectRef(
                    involved["kind"], involved["namespace"], involved["name"]
                )

    asyncio.run(main())
