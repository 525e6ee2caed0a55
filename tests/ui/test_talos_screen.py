"""The Talos screen against the degraded demo cluster (one node unreachable, one behind on
Talos, both visible while the rest of the cluster still shows), against a talosctl that is
missing, failing or hanging, and against a reader with a bug: the screen never stays at
"loading…". Plus the pure renderers of `ui/talos_text.py`."""

from __future__ import annotations

import asyncio
import dataclasses
import stat
from pathlib import Path

import pytest
from textual.content import Content
from textual.widgets import Static

from tests.pilot_waits import wait_for
from tuiops.adapters.process import CommandFailed
from tuiops.adapters.talosctl import TalosCli
from tuiops.domain.talos import (
    ClusterHealth,
    EtcdMember,
    HealthCheck,
    HealthCheckState,
    MachineStage,
    NodeError,
    NodeResults,
    NodeRole,
    ServiceHealth,
    ServiceState,
    TalosDesired,
    TalosNode,
    TalosService,
)
from tuiops.services.backend import Backend
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.talos import TalosScreen
from tuiops.ui.talos_text import (
    TalosSnapshot,
    health_text,
    node_cells,
    nodes_summary,
    services_text,
    status_text,
)
from tuiops.ui.tones import Tone
from tuiops.ui.widgets.resource_table import ResourceTable
from tuiops.wiring import demo_backend

WAIT_SECONDS = 15.0
NODE = TalosNode(
    address="10.0.0.1",
    hostname="cp-1",
    role=NodeRole.CONTROLPLANE,
    talos_version="v1.1.0",
    reachable=True,
    stage=MachineStage.RUNNING,
    ready=True,
)


def _row_texts(table: ResourceTable) -> dict[str, list[str]]:
    """Hostname → the plain text of each cell of its row."""
    rows: dict[str, list[str]] = {}
    for key in table.keys:
        cells = [cell.plain for cell in table.cells(key)]
        rows[cells[1]] = cells
    return rows


def _status(app: TuiopsApp) -> str:
    return str(app.screen.query_one("#talos-status", Static).content)


async def _settled_status(app: TuiopsApp) -> str:
    """Open the Talos screen and wait until its status line is no longer loading."""
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        assert isinstance(app.screen, TalosScreen)
        await wait_for(pilot, lambda: "loading" not in _status(app), WAIT_SECONDS)
        return _status(app)


def test_demo_shows_unreachable_node_and_version_drift() -> None:
    async def run() -> None:
        with demo_backend(frozen_clock=True) as backend:
            app = TuiopsApp(backend)
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press("3")
                assert isinstance(app.screen, TalosScreen)
                table = app.screen.query_one("#talos-nodes", ResourceTable)
                await wait_for(pilot, lambda: table.row_count >= 5, WAIT_SECONDS)
                assert table.row_count == 5
                rows = _row_texts(table)
                assert rows["k8s-w-2"][2] == "✗ unreachable"
                assert rows["k8s-w-2"][0] == "✗"
                assert "v1.11.2 → v1.11.3" in rows["k8s-w-1"][3]
                assert "→" not in rows["k8s-cp-1"][3]
                assert rows["k8s-cp-1"][2] == "✓"
                assert rows["k8s-w-2"][-1] == "192.168.10.22"
                summary = str(app.screen.query_one("#talos-nodes-summary", Static).content)
                assert "1 unreachable" in summary
                assert "no route to host" in summary
                health = str(app.screen.query_one("#talos-health", Static).content)
                assert "apid to be ready" in health
                assert "failed" in health
                etcd = str(app.screen.query_one("#talos-etcd", Static).content)
                assert "k8s-cp-3" in etcd

                table.move_cursor(3)
                cursor = table.cursor_key
                await pilot.press("r")
                assert "refreshing" in _status(app)
                await wait_for(pilot, lambda: "refreshing" not in _status(app), WAIT_SECONDS)
                assert "read" in _status(app)
                assert table.row_count == 5
                assert table.cursor_key == cursor  # the cursor stays on its machine

    asyncio.run(run())


def test_without_talos_reader_says_so() -> None:
    app = TuiopsApp(Backend(None, offline_reason="offline (--offline)", read_only=True))
    status = asyncio.run(_settled_status(app))
    assert status == "Talos: live state unknown · offline (--offline)"


def _fake_talosctl(folder: Path, body: str) -> str:
    path = folder / "talosctl"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.mark.parametrize(
    ("body", "timeout", "reason"),
    [
        (None, 5.0, "not installed or not on PATH"),
        ('echo "error: rpc error: connection refused" >&2; exit 1', 5.0, "exited 1: error: rpc"),
        ("sleep 5", 0.3, "timed out"),
    ],
    ids=["missing", "failing", "hanging"],
)
def test_a_talosctl_that_never_answers_is_the_screens_state(
    tmp_path: Path, body: str | None, timeout: float, reason: str
) -> None:
    binary = str(tmp_path / "absent") if body is None else _fake_talosctl(tmp_path, body)
    app = TuiopsApp(Backend(None, talos=TalosCli(binary, timeout=timeout)))
    status = asyncio.run(_settled_status(app))
    assert status.startswith("Talos: ") and reason in status, status
    assert "\n" not in status


class _Reader:
    """A TalosReader whose health read fails (a tool error) or whose reads have a bug."""

    def __init__(self, *, bug: bool = False) -> None:
        self.bug = bug

    def cluster_nodes(self) -> tuple[TalosNode, ...]:
        if self.bug:
            raise RuntimeError("decoder bug")
        return (NODE,)

    def health(self) -> ClusterHealth:
        raise CommandFailed(("talosctl", "health"), 1, "error: waiting for apid")

    def services(self) -> NodeResults[TalosService]:
        return NodeResults(())

    def etcd_members(self) -> NodeResults[EtcdMember]:
        return NodeResults(())


def test_one_failed_read_is_a_line_in_its_section() -> None:
    async def run() -> None:
        app = TuiopsApp(Backend(None, talos=_Reader()))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("3")
            await wait_for(pilot, lambda: "loading" not in _status(app), WAIT_SECONDS)
            assert _status(app).startswith("Talos · read ")
            health = str(app.screen.query_one("#talos-health", Static).content)
            assert "talosctl exited 1: error: waiting for apid" in health
            assert app.screen.query_one("#talos-nodes", ResourceTable).row_count == 1

    asyncio.run(run())


def test_a_bug_in_the_read_is_shown_and_reported_by_the_app() -> None:
    async def run() -> None:
        app = TuiopsApp(Backend(None, talos=_Reader(bug=True)))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("3")
            await wait_for(pilot, lambda: "loading" not in _status(app), WAIT_SECONDS)
            assert _status(app) == "Talos: read failed: RuntimeError: decoder bug"
            await wait_for(pilot, lambda: bool(app._notifications), WAIT_SECONDS)
            notes = [note.message for note in app._notifications]
            assert any("decoder bug" in note for note in notes), notes

    asyncio.run(run())


def test_node_cells_escape_and_mark() -> None:
    node = TalosNode(
        address="10.0.0.1",
        hostname="evil\x1b[31m[bold]x",
        role=NodeRole.WORKER,
        talos_version="v1.0.0",
        reachable=True,
        stage=MachineStage.RUNNING,
        ready=False,
    )
    cells = node_cells(node, "v1.1.0")
    assert "\x1b" not in str(cells[1])
    assert str(cells[1]) == "evil\\x1b[31m[bold]x"
    assert str(cells[3]) == "v1.0.0 → v1.1.0"
    assert str(cells[5]) == "no"
    assert str(node_cells(node, "")[3]) == "v1.0.0"


def _tones(content: Content) -> set[str]:
    return {str(span.style) for span in content.spans}


def test_node_cells_carry_tones_not_colours() -> None:
    down = dataclasses.replace(NODE, reachable=False, stage=None, ready=None, error="x")
    mark, _name, reachable, *_rest = node_cells(down, "v1.1.0")
    assert _tones(mark) == {Tone.BAD} and _tones(reachable) == {Tone.BAD}
    assert _tones(node_cells(NODE, "v1.1.0")[0]) == {Tone.GOOD}
    drifted = node_cells(NODE, "v1.2.0")
    assert _tones(drifted[0]) == {Tone.WARN} and _tones(drifted[3]) == {Tone.WARN}


def test_health_and_services_text() -> None:
    health = ClusterHealth(
        ("a", "b"),
        (
            HealthCheck("etcd to be healthy", HealthCheckState.OK),
            HealthCheck("all nodes ready", HealthCheckState.SKIPPED),
            HealthCheck("apid to be ready", HealthCheckState.FAILED, "line one\n\t* line two"),
        ),
    )
    text = str(health_text(health, ""))
    assert "failing" in text and "skipped" in text and "line two" in text
    assert "ToolNotFound" not in str(health_text(None, "talosctl: not found"))
    services = NodeResults(
        (
            TalosService("n1", "apid", ServiceState.RUNNING, ServiceHealth.OK, "1h ago", "ok"),
            TalosService("n1", "dashboard", ServiceState.RUNNING, ServiceHealth.UNKNOWN, "", ""),
            TalosService("n1", "kubelet", ServiceState.WAITING, ServiceHealth.FAIL, "", "wait"),
        ),
        (NodeError("n2", "no route to host"),),
    )
    shown = str(services_text(services, "", ()))
    assert "3 services, 1 not running/OK" in shown
    assert "kubelet" in shown and "dashboard" not in shown and "apid" not in shown
    assert "n2: no route to host" in shown


def test_a_section_title_is_strong_alone() -> None:
    """The title's style ends with the title: the checks under it are not bold."""
    health = ClusterHealth(("a",), (HealthCheck("etcd", HealthCheckState.OK),))
    content = health_text(health, "")
    strong = [span for span in content.spans if span.style == Tone.STRONG]
    assert [(span.start, span.end) for span in strong] == [(0, len("Health"))]


def test_status_line_names_why_nothing_answered() -> None:
    desired = TalosDesired()
    failed = TalosSnapshot(
        desired,
        nodes_error="talosctl: not installed or not on PATH",
        health_error="talosctl: not installed or not on PATH",
        services_error="talosctl: not installed or not on PATH",
        etcd_error="talosctl: not installed or not on PATH",
    )
    assert status_text(failed, "10:10:00", "").plain == (
        "Talos: talosctl: not installed or not on PATH"
    )
    partly = TalosSnapshot(desired, nodes=(NODE,), health_error="talosctl timed out")
    assert status_text(partly, "10:10:00", "").plain == "Talos · read 10:10:00 · r refresh"
    assert "1 nodes" in nodes_summary(partly).plain
