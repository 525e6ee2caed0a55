"""The Talos nodes table's columns (`ui/talos_text.py`), pure: which show in an 80- and a
120-column terminal, live and offline, and that an optional column shows whole or not at all
(a Talos version cut before its arrow would hide the drift)."""

from __future__ import annotations

from textual.content import Content

from tuiops.domain.talos import (
    MachineStage,
    NodeRole,
    TalosDesired,
    TalosDesiredNode,
    TalosNode,
)
from tuiops.ui.column_layout import Column, fit_columns
from tuiops.ui.tables import measured_columns
from tuiops.ui.talos_text import (
    DESIRED_NODE_COLUMNS,
    NODE_COLUMNS,
    desired_node_cells,
    node_cells,
)

NARROW = 76
"""The table's room at 80 columns: the screen's and the table's scrollbars take two each."""
WIDE = 116
"""The table's room at 120 columns, with both scrollbars (a short body has none)."""
NODES = (
    TalosNode(
        "192.168.10.11",
        "k8s-cp-1",
        NodeRole.CONTROLPLANE,
        "v1.11.3",
        True,
        MachineStage.RUNNING,
        True,
    ),
    TalosNode(
        "192.168.10.21", "k8s-w-1", NodeRole.WORKER, "v1.11.2", True, MachineStage.RUNNING, True
    ),
    TalosNode(
        "192.168.10.22", "k8s-w-2", NodeRole.WORKER, "v1.11.3", False, None, None, "no route"
    ),
)


def _shown(
    columns: tuple[Column, ...], cells: list[tuple[Content, ...]], width: int
) -> dict[str, int]:
    """Label → width of each column shown in `width` cells."""
    return {
        column.label: column.width
        for column in fit_columns(measured_columns(columns, cells), width)
    }


def test_live_nodes_at_80_and_120_columns() -> None:
    cells = [node_cells(node, "v1.11.3") for node in NODES]
    narrow = _shown(NODE_COLUMNS, cells, NARROW)
    assert list(narrow) == ["", "Hostname", "Talos", "Stage", "Ready", "Role"]
    assert narrow["Talos"] == len("v1.11.2 → v1.11.3")  # the drift whole
    assert narrow["Role"] == len("controlplane")
    wide = _shown(NODE_COLUMNS, cells, WIDE)
    assert list(wide) == [column.label for column in NODE_COLUMNS]
    assert wide["Reachable"] == len("✗ unreachable") and wide["Address"] == len("192.168.10.11")


def test_essential_node_columns_alone_when_narrow() -> None:
    cells = [node_cells(node, "v1.11.3") for node in NODES]
    assert list(_shown(NODE_COLUMNS, cells, 30)) == ["", "Hostname", "Ready"]
    # Too narrow for the drift whole: the Talos column is left out, not cut.
    assert "Talos" not in _shown(NODE_COLUMNS, cells, 38)
    assert _shown(NODE_COLUMNS, cells, 39)["Talos"] == len("v1.11.2 → v1.11.3")


def test_offline_nodes_show_role_and_address_before_the_versions() -> None:
    desired = TalosDesired(
        "v1.11.3",
        "v1.34.1",
        "talconfig.yaml",
        (
            TalosDesiredNode("k8s-cp-1", "${MASTER1IP_IP}", NodeRole.CONTROLPLANE),
            TalosDesiredNode("k8s-w-1", "${WORKER1IP}", NodeRole.WORKER),
        ),
    )
    cells = [desired_node_cells(node, desired) for node in desired.nodes]
    assert list(_shown(DESIRED_NODE_COLUMNS, cells, NARROW)) == [
        column.label for column in DESIRED_NODE_COLUMNS
    ]
    assert list(_shown(DESIRED_NODE_COLUMNS, cells, 50)) == ["", "Hostname", "Role", "Address"]
