"""A whole simulated environment in one call: API server with a scenario loaded, Flux
controllers running, a kubeconfig, and the fake `talosctl` on a private PATH folder.

Used by `tuiops sim`, `tuiops --demo`, the tests and the benchmarks, so all of them run the
same thing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from tuiops.sim.clock import SimClock
from tuiops.sim.cluster import SimulatedCluster
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.sim.flux.controllers import FluxControllers
from tuiops.sim.scenarios.catalog import Scenario, build_scenario, install_scenario
from tuiops.sim.talos.nodes import scenario_cluster
from tuiops.sim.talos.talosctl import install_fake_talosctl


@dataclass
class Simulation:
    """A running simulated environment; `stop()` (or leaving the `with`) tears it down."""

    scenario: Scenario
    cluster: SimulatedCluster
    controllers: FluxControllers | None
    workdir: Path
    kubeconfig: Path
    talosctl: Path
    """The fake talosctl executable; its folder is `bin_dir`."""
    _owns_workdir: bool = True

    @property
    def bin_dir(self) -> Path:
        return self.talosctl.parent

    def environment(self) -> dict[str, str]:
        """Environment for a child process that should use this simulation."""
        env = dict(os.environ)
        env["KUBECONFIG"] = str(self.kubeconfig)
        env["PATH"] = f"{self.bin_dir}{os.pathsep}{env.get('PATH', '')}"
        return env

    def stop(self) -> None:
        if self.controllers is not None:
            self.controllers.stop()
        self.cluster.stop()
        if self._owns_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Simulation:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def start_simulation(
    scenario: str = "degraded",
    *,
    port: int = 0,
    repo: Path | None = EXAMPLE_REPO,
    kubeconfig: Path | None = None,
    workdir: Path | None = None,
    frozen_clock: bool = False,
    controllers: bool = True,
    controller_delay: float = 1.0,
) -> Simulation:
    """Start the API server on 127.0.0.1 with `scenario` loaded and (optionally) controllers.

    Args:
        scenario: `healthy`, `degraded` or `large`.
        port: 0 for a free port.
        repo: the GitOps repo the controllers read desired state from at reconcile time.
        kubeconfig: where to write the kubeconfig (default: inside `workdir`).
        workdir: folder for the kubeconfig, talosctl and its state (default: a new temp dir,
            removed by `stop()`).
        frozen_clock: keep "now" fixed (snapshots, deterministic tests).
        controllers: run the simulated Flux controllers.
        controller_delay: seconds a simulated reconcile step takes.
    """
    built = build_scenario(scenario, repo or EXAMPLE_REPO)
    owns = workdir is None
    folder = Path(tempfile.mkdtemp(prefix="tuiops-sim-")) if workdir is None else workdir
    cluster = SimulatedCluster(clock=SimClock(frozen=frozen_clock), port=port)
    running = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        install_scenario(cluster, built)
        cluster.start()
        if controllers:
            running = FluxControllers(cluster, built, repo, delay=controller_delay)
            running.start()
        config_path = cluster.write_kubeconfig(kubeconfig or folder / "kubeconfig")
        talos_state = folder / "talos-state.json"
        scenario_cluster("healthy" if scenario == "large" else scenario).write_state(talos_state)
        talosctl = install_fake_talosctl(folder / "bin", talos_state)
    except BaseException:  # a taken port, an unwritable kubeconfig: leave nothing behind
        if running is not None:
            running.stop()
        cluster.stop()
        if owns:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return Simulation(built, cluster, running, folder, config_path, talosctl, owns)
