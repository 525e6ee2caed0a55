"""The Talos screen against the degraded demo cluster: one node unreachable, one behind on
Talos, both visible while the rest of the cluster still shows; plus the pure renderers."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.widgets import DataTable, Static

from tuiops.domain.talos import (
    ClusterHealth,
    HealthCheck,
    HealthCheckState,
    MachineStage,
    NodeError,
    NodeResults,
    NodeRole,
    ServiceHealth,
    ServiceState,
    TalosNode,
    TalosService,
)
from tuiops.services.backend import Backend
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.talos import (
    TalosScreen,
    health_text,
    node_cells,
    services_text,
)
from tuiops.wiring import demo_backend

WAIT_SECONDS = 15.0


def _row_texts(table: DataTable[Text]) -> dict[str, list[str]]:
    """Hostname → the plain text of each cell of its row."""
    rows: dict[str, list[str]] = {}
    for index in range(table.row_count):
        cells = [str(cell) for cell in table.get_row_at(index)]
        rows[cells[1]] = cells
    return rows


def test_demo_shows_unreachable_node_and_version_drift() -> None:
    async def run() -> None:
        with demo_backend(frozen_clock=True) as backend:
            app = TuiopsApp(backend)
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press("3")
                assert isinstance(app.screen, TalosScreen)
                table: DataTable[Text] = app.screen.query_one("#talos-nodes", DataTable)
                waited = 0.0
                while table.row_count < 5 and waited < WAIT_SECONDS:
                    await pilot.pause(0.1)
                    waited += 0.1
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

                await pilot.press("r")
                assert "refreshing" in _status(app)
                waited = 0.0
                while "refreshing" in _status(app) and waited < WAIT_SECONDS:
                    await pilot.pause(0.1)
                    waited += 0.1
                assert "read" in _status(app)
                assert table.row_count == 5

    asyncio.run(run())


def _status(app: TuiopsApp) -> str:
    return str(app.screen.query_one("#talos-status", Static).content)


def test_without_talos_reader_says_so() -> None:
    async def run() -> None:
        app = TuiopsApp(Backend(None, offline_reason="offline (--offline)", read_only=True))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("3")
            waited = 0.0
            while "loading" in _status(app) and waited < WAIT_SECONDS:
                await pilot.pause(0.1)
                waited += 0.1
            assert "talosctl not configured" in _status(app)
            assert "offline" in _status(app)

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
