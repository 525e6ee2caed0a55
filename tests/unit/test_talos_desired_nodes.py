"""The machines talconfig.yaml lists (`nodes:`), for the Talos screen offline."""

from __future__ import annotations

from tests.conftest import WriteRepo
from tuiops.domain.talos import NodeRole, TalosDesiredNode
from tuiops.services.talos_desired import desired_versions
from tuiops.sim.example_repo import EXAMPLE_REPO


def test_example_repo_nodes() -> None:
    nodes = desired_versions(EXAMPLE_REPO).nodes
    assert [node.hostname for node in nodes] == [
        "k8s-cp-1",
        "k8s-cp-2",
        "k8s-cp-3",
        "k8s-w-1",
        "k8s-w-2",
    ]
    assert nodes[0] == TalosDesiredNode("k8s-cp-1", "${MASTER1IP_IP}", NodeRole.CONTROLPLANE)
    assert nodes[-1].role is NodeRole.WORKER


def test_odd_shapes(write_repo: WriteRepo) -> None:
    text = (
        "talosVersion: v1.9.0\n"
        "nodes:\n"
        "  - hostname: a\n    ipAddress: 10.0.0.1\n    controlPlane: 'true'\n"
        "  - just a string\n"
        "  - hostname: 42\n    controlPlane: false\n"
        "  - ipAddress: [not, text]\n"
    )
    nodes = desired_versions(write_repo({"talconfig.yaml": text})).nodes
    assert nodes == (
        TalosDesiredNode("a", "10.0.0.1", NodeRole.CONTROLPLANE),
        TalosDesiredNode("42", "", NodeRole.WORKER),
        TalosDesiredNode("", "", NodeRole.WORKER),
    )
    assert desired_versions(write_repo({"talconfig.yaml": "nodes: {a: 1}\n"})).nodes == ()
