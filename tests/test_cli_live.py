"""`tuiops status` against the simulated cluster, and `tuiops sim` as people run it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tuiops.sim.session import Simulation, start_simulation


def tuiops(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tuiops", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture(scope="module", params=["healthy", "degraded"])
def simulation(request: pytest.FixtureRequest) -> Iterator[Simulation]:
    with start_simulation(request.param, controllers=False, frozen_clock=True) as running:
        yield running


def _objects(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (cluster,) = report["clusters"]
    rows = [o for layer in cluster["layers"] for o in layer["objects"]] + cluster["notInRepo"]
    return {f"{o['kind']}/{o['namespace']}/{o['name']}": o for o in rows if o["inCluster"]}


def test_status_matches_the_scenario_exactly(simulation: Simulation) -> None:
    result = tuiops("status", "--example", "--json", env=simulation.environment())
    assert "Traceback" not in result.stderr
    objects = _objects(json.loads(result.stdout))
    expected = simulation.scenario.expected
    # Every Flux applier of the scenario, and nothing else, with its scenario state.
    assert set(objects) == set(expected)
    for key, state in expected.items():
        row = objects[key]
        assert row["inCluster"], key
        assert row["ready"] == state.ready, key
        assert row["reason"] == state.reason, key
        assert row["suspended"] == state.suspended, key
        assert (row["appliedVersion"] or "") == state.applied_version, key
    not_ready = [key for key, state in expected.items() if state.ready != "True"]
    assert result.returncode == (1 if not_ready else 0), result.stderr


def test_status_text_names_each_layer_in_order(simulation: Simulation) -> None:
    result = tuiops("status", "--example", env=simulation.environment())
    assert "Traceback" not in result.stderr
    offline = tuiops("status", "--offline", "--example", "--json", env=simulation.environment())
    (cluster,) = json.loads(offline.stdout)["clusters"]
    listed = [layer["name"] for layer in cluster["layers"] if layer["state"] == "listed"]
    positions = [result.stdout.find(f". {name}  ") for name in listed]
    assert all(p > 0 for p in positions), result.stdout[:2000]
    assert positions == sorted(positions)


def test_status_with_a_dead_api_server_is_one_line(tmp_path: Path) -> None:
    with start_simulation("healthy", controllers=False, workdir=tmp_path / "sim") as running:
        env = running.environment()
    result = tuiops("status", "--example", env=env)  # the server is gone now
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("tuiops: cannot reach the API server at http://127.0.0.1:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_status_without_kubeconfig_says_so(tmp_path: Path) -> None:
    env = {**os.environ, "KUBECONFIG": str(tmp_path / "missing"), "HOME": str(tmp_path)}
    result = tuiops("status", "--example", env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "kubeconfig" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_forbidden_helmreleases_is_reported_not_empty(tmp_path: Path) -> None:
    with start_simulation("healthy", controllers=False, workdir=tmp_path / "sim") as running:
        running.cluster.faults.forbid("list", "helmreleases")
        result = tuiops("status", "--example", "--json", env=running.environment())
    report = json.loads(result.stdout)
    (cluster,) = report["clusters"]
    feeds = {f["kind"]: f["state"] for f in cluster["feeds"]}
    assert feeds == {"Kustomization": "live", "HelmRelease": "forbidden"}
    assert result.returncode == 1


def test_tuiops_sim_serves_kubectl_until_interrupted(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tuiops",
            "sim",
            "--scenario",
            "healthy",
            "--kubeconfig",
            str(kubeconfig),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("simulated cluster (healthy) at http://127.0.0.1:")
        got = subprocess.run(
            [
                "/usr/bin/kubectl",
                "--kubeconfig",
                str(kubeconfig),
                "--cache-dir",
                str(tmp_path / "cache"),
                "get",
                "helmreleases",
                "-A",
                "-o",
                "name",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert got.returncode == 0, got.stderr
        assert "helmrelease.helm.toolkit.fluxcd.io/" in got.stdout
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
    assert process.returncode == 0
