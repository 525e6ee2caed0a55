"""The console through every API fault the simulator injects (issue 16): the API server
restarted while the console watches, watches dropped, watches expired (410), 20% of requests
failing, 2 s added to every request, and 403 on a chosen kind.

For each: the console answers a key while the fault lasts (a screen switch is drawn before
the faulted feed gets anywhere, so no key waits on a request), says what is wrong where the
fault is visible (`reconnecting`, `forbidden`), and within 5 s of the fault ending shows the
server's objects exactly, each at the server's resourceVersion: what was created during the
fault is there, what was deleted is gone, what changed is current, and no row is there twice.

The real adapters run against the in-process simulator (controllers off, frozen clock); every
wait is a poll on a condition with a deadline.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen

from tests.pilot_waits import wait_for
from tuiops.domain.kinds import FLUX_APPLIERS, FLUX_SOURCES
from tuiops.domain.refs import ObjectRef
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.sim.session import Simulation, start_simulation
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.apps import AppsScreen
from tuiops.ui.screens.layers import LayersScreen
from tuiops.ui.widgets.status_bar import StatusBar
from tuiops.wiring import cluster_backend

RECOVER_SECONDS = 5.0
"""The issue's bound: the view is the server's again within 5 s of the fault ending."""
KEY_SECONDS = 1.0
"""A key is answered well within one injected latency (2 s) or retry; a console that waited
on a request would miss this. The 100 ms target itself is measured by the benchmarks."""
STATE_SECONDS = 12.0
"""Long enough for an open watch to end (5 s) and its retry to meet the fault."""
KS = type_for_kind("Kustomization")
HR = type_for_kind("HelmRelease")

View = dict[ObjectRef, str]


@dataclass
class Fault:
    """One injected fault: how to start it, the console's word for it (if it shows one), and
    how to end it."""

    start: Callable[[Simulation], object]
    end: Callable[[Simulation], object]
    shows: frozenset[str] = frozenset()
    """Connection words the console must show while the fault lasts (any of them)."""
    detail: str = ""
    """Text the status line must name while it shows the fault."""


def _set_latency(simulation: Simulation, seconds: float) -> None:
    simulation.cluster.faults.latency = seconds


def _set_error_rate(simulation: Simulation, rate: float) -> None:
    simulation.cluster.faults.error_rate = rate


def _forbid_helmreleases(simulation: Simulation) -> None:
    simulation.cluster.faults.forbid("*", "helmreleases")
    simulation.cluster.faults.drop_watches()  # open watches meet the 403 now, not in 5 s


def _errors_and_drops(simulation: Simulation) -> None:
    _set_error_rate(simulation, 0.2)
    simulation.cluster.faults.drop_watches()  # so the retries meet the failing requests


def _latency_and_drops(simulation: Simulation) -> None:
    _set_latency(simulation, 2.0)
    simulation.cluster.faults.drop_watches()


def _compact_and_expire(simulation: Simulation) -> None:
    simulation.cluster.store.compact()  # the old positions are gone: a relist is needed
    simulation.cluster.faults.expire_watches()


FAULTS = {
    "restart": Fault(
        start=lambda sim: sim.cluster.stop(),
        end=lambda sim: sim.cluster.start(),  # the same port, the objects kept (etcd)
        shows=frozenset({"reconnecting"}),
    ),
    "watches-dropped": Fault(
        start=lambda sim: sim.cluster.faults.drop_watches(), end=lambda sim: None
    ),
    "watches-expired": Fault(start=_compact_and_expire, end=lambda sim: None),
    "20%-failing": Fault(start=_errors_and_drops, end=lambda sim: sim.cluster.faults.clear()),
    "2s-latency": Fault(start=_latency_and_drops, end=lambda sim: sim.cluster.faults.clear()),
    "403-helmreleases": Fault(
        start=_forbid_helmreleases,
        end=lambda sim: sim.cluster.faults.allow_all(),
        shows=frozenset({"forbidden"}),
        detail="HelmRelease",
    ),
}


def server_view(simulation: Simulation) -> View:
    """Every Flux object the server holds, with its resourceVersion."""
    view: View = {}
    for kind in (*FLUX_APPLIERS, *FLUX_SOURCES):
        try:
            resource = type_for_kind(kind.kind)
        except KeyError:
            continue
        items, _ = simulation.cluster.store.list_objects(resource)
        for obj in items:
            metadata = obj["metadata"]
            ref = ObjectRef(kind.kind, str(metadata.get("namespace", "")), str(metadata["name"]))
            view[ref] = str(metadata["resourceVersion"])
    return view


def console_view(app: TuiopsApp) -> View:
    return {ref: obj.resource_version for ref, obj in app.state.objects.items()}


def churn(simulation: Simulation, tag: str) -> None:
    """A create, a status change and a delete, for a resumed watch to miss if it could."""
    store = simulation.cluster.store
    store.create(
        KS,
        {
            "metadata": {"name": f"fault-{tag}", "namespace": "flux-system"},
            "spec": {"interval": "10m", "path": f"./fault/{tag}", "prune": True},
        },
    )
    kustomizations, _ = store.list_objects(KS, "flux-system")
    first = kustomizations[0]["metadata"]["name"]

    def note(obj: dict[str, object]) -> None:
        status = obj.setdefault("status", {})
        assert isinstance(status, dict)
        status["lastAttemptedRevision"] = f"fault-{tag}"

    store.update(KS, "flux-system", first, note, status_only=True)
    releases, _ = store.list_objects(HR)
    victim = releases[-1]["metadata"]
    store.delete(HR, str(victim["namespace"]), str(victim["name"]))


def _bar(app: TuiopsApp) -> str:
    return app.screen.query_one(StatusBar).render().plain


async def answers_a_key(pilot: Pilot[None], app: TuiopsApp) -> None:
    """Switch to Apps and back with keys; each switch is drawn within `KEY_SECONDS`."""

    async def switch(key: str, kind: type[Screen[Any]]) -> None:
        await pilot.press(key)
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, kind) and app.screen.is_mounted,
            KEY_SECONDS,
            what=f"the {kind.__name__} after pressing {key!r} during the fault",
        )

    await switch("2", AppsScreen)
    await switch("1", LayersScreen)


def _no_row_twice(app: TuiopsApp) -> None:
    keys = [str(row.ref) for row in app.state.rows]
    assert len(keys) == len(set(keys)), sorted(k for k in set(keys) if keys.count(k) > 1)


@pytest.mark.parametrize("name", list(FAULTS))
def test_the_console_survives_an_api_fault(name: str, tmp_path: Path) -> None:
    fault = FAULTS[name]

    async def main() -> None:
        with start_simulation(
            "degraded", controllers=False, frozen_clock=True, workdir=tmp_path / "sim"
        ) as simulation:
            backend = cluster_backend(EXAMPLE_REPO, kubeconfig=str(simulation.kubeconfig))
            app = TuiopsApp(backend, keymap_file=tmp_path / "no-keys.toml")
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(pilot, lambda: app.state.connection == "live", 30, "live")
                await wait_for(pilot, lambda: console_view(app) == server_view(simulation))

                fault.start(simulation)
                churn(simulation, "during")
                await answers_a_key(pilot, app)
                if fault.shows:
                    await wait_for(
                        pilot,
                        lambda: app.state.connection in fault.shows,
                        STATE_SECONDS,
                        what=f"the console showing {sorted(fault.shows)}",
                    )
                    assert app.state.connection in _bar(app)
                    assert fault.detail in app.state.connection_detail
                    await answers_a_key(pilot, app)  # still, with the state shown
                    assert app.state.objects, "the last known objects are kept"

                fault.end(simulation)
                churn(simulation, "after")
                await wait_for(
                    pilot,
                    lambda: (
                        app.state.connection == "live"
                        and console_view(app) == server_view(simulation)
                    ),
                    RECOVER_SECONDS,
                    what="live again with the server's objects",
                )
                assert ObjectRef("Kustomization", "flux-system", "fault-after") in app.state.objects
                _no_row_twice(app)
                assert "live" in _bar(app)

    asyncio.run(main())
