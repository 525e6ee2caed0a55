"""The fake talosctl, run as a real program, against the hand-assembled talosctl fixtures.

Every fixture the simulated cluster can produce is compared byte for byte, so a change in
spacing, ordering or quoting fails here first.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tuiops.domain.talos import NodeRole
from tuiops.sim.talos import nodes as talos_nodes
from tuiops.sim.talos.nodes import SimHealthFailure, SimService, SimTalosCluster
from tuiops.sim.talos.render import tabwrite
from tuiops.sim.talos.talosctl import install_fake_talosctl, main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "talos"
ROOT = Path(__file__).resolve().parents[2]
ALL_NODES = "192.168.10.11,192.168.10.12,192.168.10.13,192.168.10.21,192.168.10.22"
CONTROL_PLANES = "192.168.10.11,192.168.10.12,192.168.10.13"
CP1 = "192.168.10.11"
YAML_STATUS = ("get", "machinestatus", "-o", "yaml")


def _install(tmp_path: Path, cluster: SimTalosCluster) -> Path:
    state = tmp_path / "talos-state.json"
    cluster.write_state(state)
    return install_fake_talosctl(tmp_path / "bin", state)


def _run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != talos_nodes.STATE_ENV}
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, timeout=30, env=env, check=False
    )


def _fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture
def talosctl(tmp_path: Path) -> Path:
    return _install(tmp_path, talos_nodes.fixture_cluster())


@pytest.mark.parametrize(
    ("fixture", "args"),
    [
        ("talosctl-version.txt", ["-n", "192.168.10.11", "version"]),
        ("talosctl-version.multi-node.txt", ["-n", CONTROL_PLANES, "version"]),
        ("talosctl-version.client-short.txt", ["version", "--client", "--short"]),
        ("talosctl-get-members.txt", ["get", "members"]),
        ("talosctl-get-members.yaml", ["get", "members", "-o", "yaml"]),
        ("talosctl-get-members.json", ["get", "members", "--output=json"]),
        ("talosctl-get-machinestatus.txt", ["--nodes", ALL_NODES, "get", "machinestatus"]),
        ("talosctl-get-machinestatus.yaml", ["-n", CP1, "-n", "192.168.10.22", *YAML_STATUS]),
        ("talosctl-services.txt", ["-n", "192.168.10.11,192.168.10.22", "services"]),
        ("talosctl-etcd-members.txt", ["-n192.168.10.11", "etcd", "members"]),
    ],
)  # fmt: skip
def test_stdout_is_byte_identical_to_fixture(talosctl: Path, fixture: str, args: list[str]) -> None:
    result = _run(talosctl, *args)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == _fixture(fixture)


def test_global_flags_are_accepted_anywhere(talosctl: Path) -> None:
    result = _run(
        talosctl, "get", "members", "--talosconfig", "/nowhere", "--context", "lab", "-e", "x"
    )
    assert result.returncode == 0
    assert result.stdout == _fixture("talosctl-get-members.txt")


def test_health_ok_streams_on_stderr(talosctl: Path) -> None:
    result = _run(talosctl, "health")
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == _fixture("talosctl-health.ok.txt")


def test_health_with_unhealthy_etcd_matches_fixture(tmp_path: Path) -> None:
    cluster = talos_nodes.fixture_cluster()
    nodes = list(cluster.nodes)
    cp3 = nodes[2]
    etcd_down = SimService("etcd", "10s", health="Fail", last_event="Health check failed")
    nodes[2] = dataclasses.replace(
        cp3, services=tuple(etcd_down if s.id == "etcd" else s for s in cp3.services)
    )
    cluster = dataclasses.replace(
        cluster, nodes=tuple(nodes), failing_checks=None, health_final_error=""
    )
    result = _run(_install(tmp_path, cluster), "health")
    assert result.returncode == 1
    assert result.stderr == _fixture("talosctl-health.etcd-unhealthy.txt")


def test_health_timeout_matches_fixture(tmp_path: Path) -> None:
    failure = SimHealthFailure(
        "all k8s nodes to report ready", "some nodes are not ready: [worker-2]"
    )
    cluster = dataclasses.replace(talos_nodes.fixture_cluster(), failing_checks=(failure,))
    result = _run(_install(tmp_path, cluster), "health")
    assert result.returncode == 1
    assert result.stderr == _fixture("talosctl-health.timeout.txt")


def test_health_refuses_several_nodes(talosctl: Path) -> None:
    result = _run(talosctl, "-n", "192.168.10.11,192.168.10.12", "health")
    assert result.returncode == 1
    assert result.stderr == 'command "health" is not supported with multiple nodes\n'


def _with_dead_worker_2() -> SimTalosCluster:
    cluster = talos_nodes.fixture_cluster()
    nodes = tuple(
        dataclasses.replace(n, reachable=False) if n.hostname == "worker-2" else n
        for n in cluster.nodes
    )
    return dataclasses.replace(cluster, nodes=nodes)


def test_unreachable_node_keeps_others_on_stdout_and_fails(tmp_path: Path) -> None:
    script = _install(tmp_path, _with_dead_worker_2())
    result = _run(script, "-n", "192.168.10.11,192.168.10.22", "services")
    assert result.returncode == 1
    # cp-1's rows are the fixture's first 12 lines: worker-2's rows never widened a column
    expected = "".join(_fixture("talosctl-services.txt").splitlines(keepends=True)[:12])
    assert result.stdout == expected
    assert result.stderr.startswith("1 error occurred:\n\t* 192.168.10.22: rpc error: ")
    assert "dial tcp 192.168.10.22:50000: connect: no route to host" in result.stderr
    assert result.stderr.endswith("\n\n")


def test_unreachable_node_fails_health_at_apid(tmp_path: Path) -> None:
    cluster = dataclasses.replace(_with_dead_worker_2(), failing_checks=None)
    result = _run(_install(tmp_path, cluster), "health")
    assert result.returncode == 1
    assert "waiting for etcd to be healthy: OK\n" in result.stderr
    assert "waiting for apid to be ready: 1 error occurred:\n\t* 192.168.10.22: " in result.stderr
    assert "waiting for kubelet to be healthy" not in result.stderr
    assert result.stderr.endswith("healthcheck error: " + talos_nodes.DEADLINE_ERROR + "\n")


def test_etcd_members_on_a_worker_is_a_node_error(talosctl: Path) -> None:
    result = _run(talosctl, "-n", "192.168.10.11,192.168.10.21", "etcd", "members")
    assert result.returncode == 1
    assert result.stdout == _fixture("talosctl-etcd-members.txt")
    assert "* 192.168.10.21: rpc error: code = Unimplemented" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["frobnicate"], 'unknown command "frobnicate" for "talosctl"'),
        (["etcd", "status"], 'unknown command "status" for "talosctl etcd"'),
        (["version", "--bogus"], "unknown flag: --bogus"),
        (["get", "members", "-o", "xml"], 'unknown output type: "xml"'),
        (["-n"], "flag needs an argument"),
    ],
)
def test_usage_errors_exit_1_on_stderr(talosctl: Path, args: list[str], message: str) -> None:
    result = _run(talosctl, *args)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(message)


def test_bad_state_file_is_a_clear_error(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text('{"name": "x"}', encoding="utf-8")
    script = install_fake_talosctl(tmp_path / "bin", state)
    result = _run(script, "version")
    assert result.returncode == 1
    assert "is not a simulated Talos state" in result.stderr
    assert "Traceback" not in result.stderr


def test_python_dash_m_runs_the_fake() -> None:
    env = {k: v for k, v in os.environ.items() if k != talos_nodes.STATE_ENV}
    result = subprocess.run(
        [sys.executable, "-m", "tuiops.sim.talos.talosctl", "version", "--client", "--short"],
        capture_output=True, text=True, timeout=30, cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (0, "Client:\nTalos v1.11.5\n")


def test_main_in_process_reads_state_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "s.json"
    talos_nodes.scenario_cluster("healthy").write_state(state)
    monkeypatch.setenv(talos_nodes.STATE_ENV, str(state))
    assert main(["version", "--client", "--short"]) == 0
    assert capsys.readouterr().out == "Client:\nTalos v1.11.3\n"


def test_state_round_trips(tmp_path: Path) -> None:
    for cluster in (
        talos_nodes.fixture_cluster(),
        talos_nodes.scenario_cluster("degraded"),
        dataclasses.replace(
            talos_nodes.fixture_cluster(), failing_checks=(SimHealthFailure("x", "y"),)
        ),
    ):
        cluster.write_state(tmp_path / "s.json")
        assert talos_nodes.read_state(tmp_path / "s.json") == cluster


def test_scenarios_follow_the_example_talconfig() -> None:
    healthy = talos_nodes.scenario_cluster("healthy")
    assert [(n.hostname, n.address, n.role) for n in healthy.nodes] == [
        ("k8s-cp-1", "192.168.10.11", NodeRole.CONTROLPLANE),
        ("k8s-cp-2", "192.168.10.12", NodeRole.CONTROLPLANE),
        ("k8s-cp-3", "192.168.10.13", NodeRole.CONTROLPLANE),
        ("k8s-w-1", "192.168.10.21", NodeRole.WORKER),
        ("k8s-w-2", "192.168.10.22", NodeRole.WORKER),
    ]
    assert {n.talos_version for n in healthy.nodes} == {"v1.11.3"}
    assert {n.kubernetes_version for n in healthy.nodes} == {"v1.34.1"}
    assert all(n.reachable and n.ready for n in healthy.nodes)
    assert healthy.health_failures() == ()

    degraded = talos_nodes.scenario_cluster("degraded")
    dead = [n for n in degraded.nodes if not n.reachable]
    assert len(dead) == 1 and dead[0].role is NodeRole.WORKER
    older = [n for n in degraded.nodes if n.talos_version != "v1.11.3"]
    assert [n.talos_version for n in older] == ["v1.11.2"]
    assert older[0].reachable
    assert degraded.health_failures()[0].check == "apid to be ready"
    with pytest.raises(ValueError, match="unknown Talos scenario"):
        talos_nodes.scenario_cluster("chaos")


def test_degraded_scenario_through_the_fake(tmp_path: Path) -> None:
    script = _install(tmp_path, talos_nodes.scenario_cluster("degraded"))
    result = _run(script, "-n", ALL_NODES, "version")
    assert result.returncode == 1
    assert result.stdout.count("\tNODE:") == 4
    assert "\tTag:         v1.11.2\n" in result.stdout
    assert "* 192.168.10.22: rpc error" in result.stderr


def test_tabwriter_pads_columns_but_not_the_last_cell() -> None:
    assert tabwrite("a\tbbb\tc\naaaa\tb\tc\n") == "a      bbb   c\naaaa   b     c\n"


def test_tabwriter_sizes_columns_per_block() -> None:
    # the one-cell line ends the block: the column is sized again after it
    assert tabwrite("x\ty\tz\nlonger\n\tq\tr\n") == "x   y   z\nlonger\n   q   r\n"
