"""The talosctl adapter: its parsers on every fixture, its runner against the fake talosctl,
and its behaviour on missing binaries, failing runs and hostile output.

Expected values were read off the fixture files by eye, not produced by the code under test.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuiops.adapters.process import CommandFailed, ToolNotFound
from tuiops.adapters.talosctl import TalosCli
from tuiops.adapters.talosctl_parse import (
    TalosOutputError,
    parse_etcd_members,
    parse_health,
    parse_machine_status,
    parse_members,
    parse_node_errors,
    parse_services,
    parse_version,
)
from tuiops.domain.talos import (
    HealthCheckState,
    MachineStage,
    NodeError,
    NodeRole,
    ServiceHealth,
    ServiceState,
    UnmetCondition,
)
from tuiops.sim.talos import nodes as talos_nodes
from tuiops.sim.talos.nodes import SimTalosCluster
from tuiops.sim.talos.talosctl import install_fake_talosctl

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "talos"
CP1, CP2, CP3, W1, W2 = (f"192.168.10.{n}" for n in (11, 12, 13, 21, 22))
ALL = (CP1, CP2, CP3, W1, W2)


def _fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# --- parsers on the fixtures ----------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["txt", "yaml", "json"])
def test_members_in_every_format(suffix: str) -> None:
    members = parse_members(_fixture(f"talosctl-get-members.{suffix}"))
    assert [m.hostname for m in members] == ["cp-1", "cp-2", "cp-3", "worker-1", "worker-2"]
    assert [m.machine_type for m in members] == [NodeRole.CONTROLPLANE] * 3 + [NodeRole.WORKER] * 2
    assert {m.node for m in members} == {CP1}
    assert members[4].addresses == (W2,)
    assert members[1].id == "cp-2"
    assert {m.talos_version for m in members} == {"v1.11.5"}
    if suffix != "txt":
        assert members[0].node_id == "8t3ZpWFnxUcG4kQ2vrqLJgZ0m1tMHTbD9oXkz7Yy5Sf"


def test_machine_status_table() -> None:
    statuses = parse_machine_status(_fixture("talosctl-get-machinestatus.txt"))
    assert [s.node for s in statuses] == list(ALL)
    assert {s.stage for s in statuses} == {MachineStage.RUNNING}
    assert [s.ready for s in statuses] == [True, True, True, True, False]


def test_machine_status_yaml_keeps_unmet_conditions() -> None:
    first, second = parse_machine_status(_fixture("talosctl-get-machinestatus.yaml"))
    assert (first.node, first.ready, first.unmet_conditions) == (CP1, True, ())
    assert (second.node, second.ready) == (W2, False)
    assert second.unmet_conditions == (UnmetCondition("nodeReady", "node not ready"),)


def test_services_table() -> None:
    services = parse_services(_fixture("talosctl-services.txt"))
    assert len(services) == 20
    assert sum(s.node == CP1 for s in services) == 11
    assert sum(s.node == W2 for s in services) == 9
    assert [s.node for s in services if s.id == "etcd"] == [CP1]
    kubelet = next(s for s in services if s.node == W2 and s.id == "kubelet")
    assert (kubelet.state, kubelet.health, kubelet.last_change) == (
        ServiceState.RUNNING,
        ServiceHealth.FAIL,
        "4m12s ago",
    )
    assert kubelet.last_event.startswith('Health check failed: Get "http://127.0.0.1:10248/')
    dashboard = next(s for s in services if s.node == CP1 and s.id == "dashboard")
    assert dashboard.health is ServiceHealth.UNKNOWN
    assert dashboard.last_event == 'Process Process(["/sbin/dashboard"]) started with PID 2118'


def test_etcd_members_table() -> None:
    members = parse_etcd_members(_fixture("talosctl-etcd-members.txt"))
    assert [(m.id, m.hostname) for m in members] == [
        ("2f3a9c1d7e5b0864", "cp-1"),
        ("8b1e4d6f2a9c3057", "cp-2"),
        ("c5d07a3e9f1b2468", "cp-3"),
    ]
    assert members[1].peer_urls == ("https://192.168.10.12:2380",)
    assert members[2].client_urls == ("https://192.168.10.13:2379",)
    assert not any(m.learner for m in members)


def test_version_single_and_multi_node() -> None:
    single = parse_version(_fixture("talosctl-version.txt"))
    assert single.client is not None
    assert (single.client.tag, single.client.sha, single.client.go_version) == (
        "v1.11.5",
        "bc34de6e",
        "go1.24.9",
    )
    assert [(s.node, s.tag, s.os_arch, s.enabled) for s in single.servers] == [
        (CP1, "v1.11.5", "linux/amd64", ("RBAC",))
    ]
    multi = parse_version(_fixture("talosctl-version.multi-node.txt"))
    assert [s.node for s in multi.servers] == [CP1, CP2, CP3]


def test_version_client_short() -> None:
    report = parse_version(_fixture("talosctl-version.client-short.txt"))
    assert report.client is not None and report.client.tag == "v1.11.5"
    assert report.servers == ()


def test_health_ok() -> None:
    health = parse_health(_fixture("talosctl-health.ok.txt"))
    assert health.discovered_nodes == ALL
    assert len(health.checks) == 16
    assert health.checks[0].name == "etcd to be healthy"
    assert health.checks[-1].name == "all k8s nodes to report schedulable"
    assert health.ok


def test_health_timeout() -> None:
    health = parse_health(_fixture("talosctl-health.timeout.txt"))
    assert len(health.checks) == 13
    assert [c.name for c in health.failed_checks] == ["all k8s nodes to report ready"]
    assert health.failed_checks[0].detail == "some nodes are not ready: [worker-2]"
    assert "DeadlineExceeded" in health.error
    assert not health.ok


def test_health_etcd_unhealthy_keeps_the_multiline_error() -> None:
    health = parse_health(_fixture("talosctl-health.etcd-unhealthy.txt"))
    (check,) = health.checks
    assert check.state is HealthCheckState.FAILED
    assert check.detail == "1 error occurred:\n\t* 192.168.10.13: service is not healthy: etcd"
    assert not health.ok


def test_health_client_side_with_skip() -> None:
    health = parse_health(_fixture("talosctl-health.client-side.txt"))
    assert health.discovered_nodes == ()
    skipped = [c.name for c in health.checks if c.state is HealthCheckState.SKIPPED]
    assert skipped == ["kube-proxy to report ready"]
    assert health.ok


def test_node_errors_from_stderr() -> None:
    stderr = (
        "1 error occurred:\n\t* 192.168.10.22: rpc error: code = Unavailable desc = connection "
        'error: desc = "transport: Error while dialing: dial tcp 192.168.10.22:50000: '
        'connect: no route to host"\n\n'
    )
    (error,) = parse_node_errors(stderr)
    assert error.node == W2
    assert error.message.startswith("rpc error: code = Unavailable")
    assert error.message.endswith('no route to host"')
    newer = "error getting version from node fd00::5: rpc error: boom"
    assert parse_node_errors(newer) == (NodeError("fd00::5", "rpc error: boom"),)


# --- hostile output -------------------------------------------------------------------------

PARSERS: list[Callable[[str], Any]] = [
    parse_members,
    parse_machine_status,
    parse_services,
    parse_etcd_members,
    parse_version,
    parse_health,
]


@pytest.mark.parametrize("parse", PARSERS)
@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n",
        "garbage that is not talosctl output\n",
        "{\n",
        "[1, 2, 3]\n",
        '{"node": "x"}\n',
        "node: x\nmetadata:\n  - oops\n      deeper: [\n",
        "NODE   ID\nshort\n",
        "NODE   SERVICE\n192.168.10.11x apid\n",
    ],
)
def test_hostile_output_is_a_clear_error(parse: Callable[[str], Any], text: str) -> None:
    with pytest.raises(TalosOutputError) as info:
        parse(text)
    assert str(info.value)


def test_misaligned_table_row_is_rejected() -> None:
    good = _fixture("talosctl-services.txt").splitlines()
    bad = "\n".join([good[0], good[1].replace("   apid", "-apid", 1)])
    with pytest.raises(TalosOutputError, match="does not line up"):
        parse_services(bad)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab :\t\n-*"{}[],.#|>1NODE')), max_size=120))
def test_parsers_never_crash_on_arbitrary_text(text: str) -> None:
    for parse in PARSERS:
        with contextlib.suppress(TalosOutputError):
            parse(text)


# --- the adapter against the fake talosctl --------------------------------------------------


def _fake(tmp_path: Path, cluster: SimTalosCluster | None = None) -> str:
    state = tmp_path / "talos.json"
    (cluster or talos_nodes.fixture_cluster()).write_state(state)
    return str(install_fake_talosctl(tmp_path / "bin", state))


def _dead_worker_2() -> SimTalosCluster:
    cluster = talos_nodes.fixture_cluster()
    return dataclasses.replace(
        cluster,
        nodes=tuple(
            dataclasses.replace(n, reachable=False) if n.address == W2 else n for n in cluster.nodes
        ),
        failing_checks=None,
    )


def test_members_and_health_from_the_fake(tmp_path: Path) -> None:
    cli = TalosCli(_fake(tmp_path), talosconfig="/nonexistent/config", context="homelab")
    members = cli.members()
    assert [m.hostname for m in members.items] == ["cp-1", "cp-2", "cp-3", "worker-1", "worker-2"]
    assert members.complete
    health = cli.health()
    assert health.ok and len(health.checks) == 16


def test_unreachable_node_is_a_node_error_next_to_the_others(tmp_path: Path) -> None:
    cli = TalosCli(_fake(tmp_path, _dead_worker_2()), nodes=ALL)

    statuses = cli.machine_status()
    assert [s.node for s in statuses.items] == [CP1, CP2, CP3, W1]
    assert [e.node for e in statuses.errors] == [W2]
    assert "no route to host" in statuses.errors[0].message

    versions = cli.version()
    assert [s.node for s in versions.servers] == [CP1, CP2, CP3, W1]
    assert [e.node for e in versions.errors] == [W2]

    services = cli.services()
    assert {s.node for s in services.items} == {CP1, CP2, CP3, W1}
    assert [e.node for e in services.errors] == [W2]

    health = cli.health()
    assert [c.name for c in health.failed_checks] == ["apid to be ready"]
    assert "DeadlineExceeded" in health.error


def test_cluster_nodes_summarises_reachability(tmp_path: Path) -> None:
    rows = TalosCli(_fake(tmp_path, _dead_worker_2())).cluster_nodes()
    assert [(r.hostname, r.role, r.reachable) for r in rows] == [
        ("cp-1", NodeRole.CONTROLPLANE, True),
        ("cp-2", NodeRole.CONTROLPLANE, True),
        ("cp-3", NodeRole.CONTROLPLANE, True),
        ("worker-1", NodeRole.WORKER, True),
        ("worker-2", NodeRole.WORKER, False),
    ]
    dead = rows[4]
    assert (dead.stage, dead.ready, dead.talos_version) == (None, None, "v1.11.5")
    assert "no route to host" in dead.error
    assert (rows[0].stage, rows[0].ready, rows[0].error) == (MachineStage.RUNNING, True, "")


def test_etcd_members_on_a_worker_reports_that_worker(tmp_path: Path) -> None:
    result = TalosCli(_fake(tmp_path)).etcd_members(nodes=[CP1, W1])
    assert [m.hostname for m in result.items] == ["cp-1", "cp-2", "cp-3"]
    assert [e.node for e in result.errors] == [W1]


def test_all_nodes_dead_gives_only_errors(tmp_path: Path) -> None:
    result = TalosCli(_fake(tmp_path), nodes=("10.9.9.1", "10.9.9.2")).services()
    assert result.items == ()
    assert [e.node for e in result.errors] == ["10.9.9.1", "10.9.9.2"]


def test_missing_binary_is_tool_not_found(tmp_path: Path) -> None:
    with pytest.raises(ToolNotFound):
        TalosCli(str(tmp_path / "no-such-talosctl")).members()
    with pytest.raises(ToolNotFound):
        TalosCli("tuiops-test-no-such-talosctl-binary").version()


def _script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "talosctl"
    path.write_text(f"#!{sys.executable}\nimport sys\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def test_failure_without_node_errors_is_command_failed(tmp_path: Path) -> None:
    binary = _script(
        tmp_path,
        "sys.stderr.write('error constructing client: failed to determine endpoints\\n')\n"
        "sys.exit(1)",
    )
    cli = TalosCli(binary)
    for call in (cli.members, cli.machine_status, cli.services, cli.etcd_members, cli.version):
        with pytest.raises(CommandFailed, match="failed to determine endpoints"):
            call()
    with pytest.raises(CommandFailed):
        cli.health()


def test_garbage_with_exit_zero_is_talos_output_error(tmp_path: Path) -> None:
    binary = _script(tmp_path, "print('Segmentation fault (core dumped)')")
    cli = TalosCli(binary)
    for call in (cli.members, cli.machine_status, cli.services, cli.etcd_members, cli.version):
        with pytest.raises(TalosOutputError):
            call()


def test_argv_carries_config_context_and_nodes(tmp_path: Path) -> None:
    record = tmp_path / "argv.json"
    members = _fixture("talosctl-get-members.json")
    binary = _script(
        tmp_path,
        f"import json\nopen({str(record)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
        f"sys.stdout.write({members!r})",
    )
    result = TalosCli(binary, talosconfig="/t/config", context="lab", nodes=(CP1, CP2)).members()
    assert len(result.items) == 5
    assert json.loads(record.read_text(encoding="utf-8")) == [
        "get", "members", "-o", "json",
        "--talosconfig", "/t/config", "--context", "lab", "--nodes", f"{CP1},{CP2}",
    ]  # fmt: skip
