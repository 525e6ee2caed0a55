"""A simulated cluster with a kubeconfig, for running the real adapters against it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tuiops.adapters.kube_api import KubeApi
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.clock import SimClock
from tuiops.sim.cluster import SimulatedCluster

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "flux"


@dataclass
class LiveCluster:
    cluster: SimulatedCluster
    kubeconfig: Path
    api: KubeApi


def load_fixture_objects(cluster: SimulatedCluster, extra_kustomizations: int = 0) -> None:
    """The Flux sample objects, plus generated Kustomizations to make lists span pages."""
    for namespace in ("flux-system", "apps", "cert-manager", "monitoring"):
        cluster.store.create(type_for_kind("Namespace"), {"metadata": {"name": namespace}})
    sample = json.loads((FIXTURES / "flux-objects.sample.json").read_text())
    for obj in sample["items"]:
        obj["metadata"].pop("resourceVersion", None)
        cluster.store.create(type_for_kind(obj["kind"]), obj)
    for index in range(extra_kustomizations):
        cluster.store.create(
            type_for_kind("Kustomization"),
            {
                "metadata": {"name": f"generated-{index:04d}", "namespace": "flux-system"},
                "spec": {"interval": "10m", "path": f"./gen/{index}", "prune": True},
            },
        )


@pytest.fixture
def live_cluster(tmp_path: Path) -> Iterator[LiveCluster]:
    cluster = SimulatedCluster(clock=SimClock(frozen=True)).start()
    load_fixture_objects(cluster, extra_kustomizations=1200)
    kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
    api = KubeApi(str(kubeconfig), timeout=5.0)
    try:
        yield LiveCluster(cluster, kubeconfig, api)
    finally:
        api.close()
        cluster.stop()
