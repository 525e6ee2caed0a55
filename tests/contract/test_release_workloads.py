"""`release_workloads` (and `KubeObjectDetails.workload_tree`) against the simulated API server
running the `degraded` scenario: node-feature-discovery's worker Deployment has a new
ReplicaSet that cannot create pods (its ServiceAccount is gone) and an old one still running.

The scenario makes no pods for releases, so the test writes the old ReplicaSet's pod (and an
event about it) into the cluster by hand, as the ReplicaSet controller and kubelet would; the
expected ReplicaSets come from the simulator's store, read here by other means.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tuiops.adapters.flux_feed import KubeObjectDetails
from tuiops.adapters.kube_api import KubeApi
from tuiops.adapters.kubectl import Kubectl
from tuiops.adapters.release_workloads import release_workloads
from tuiops.domain.decode_live import decode_live_object
from tuiops.domain.kinds import HELM_RELEASE
from tuiops.domain.live import LiveObject
from tuiops.domain.refs import ObjectRef
from tuiops.domain.workloads import Readiness
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.session import Simulation, start_simulation

JsonObject = dict[str, Any]
NFD = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")
MISSING_ACCOUNT = 'serviceaccount "nfd-worker" not found'


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[Simulation]:
    with start_simulation(
        "degraded", controllers=False, frozen_clock=True, workdir=tmp_path / "sim"
    ) as running:
        yield running


@pytest.fixture
def api(sim: Simulation) -> Iterator[KubeApi]:
    client = KubeApi(str(sim.kubeconfig), timeout=5.0)
    yield client
    client.close()


def live(api: KubeApi, ref: ObjectRef) -> LiveObject:
    return decode_live_object(api.get(HELM_RELEASE, ref.namespace, ref.name))


def worker_replica_sets(sim: Simulation) -> tuple[JsonObject, JsonObject]:
    """(stuck, old) ReplicaSets of nfd-worker, as the store holds them."""
    owned = [
        rs
        for rs in sim.cluster.store.list_objects(type_for_kind("ReplicaSet"), "kube-system")[0]
        if rs["metadata"]["ownerReferences"][0]["name"] == "nfd-worker"
    ]
    stuck = [rs for rs in owned if rs["status"].get("conditions")]
    old = [rs for rs in owned if not rs["status"].get("conditions")]
    assert len(stuck) == len(old) == 1
    return stuck[0], old[0]


def add_old_pod(sim: Simulation, old: JsonObject) -> str:
    """A running pod of the old ReplicaSet with one restart, and a Normal event about it."""
    rs_meta = old["metadata"]
    name = f"{rs_meta['name']}-x7k2p"
    labels = dict(old["spec"]["selector"]["matchLabels"])
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": "kube-system",
            "labels": labels,
            "creationTimestamp": "2025-11-25T09:30:20Z",
            "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs_meta["name"]}
                | {"uid": rs_meta["uid"], "controller": True}
            ],
        },
        "spec": {"nodeName": "k8s-w-2", "containers": [{"name": "nfd-worker", "image": "x"}]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [
                {
                    "name": "nfd-worker",
                    "ready": True,
                    "restartCount": 1,
                    "state": {"running": {"startedAt": "2025-11-25T09:31:00Z"}},
                }
            ],
        },
    }
    store = sim.cluster.store
    store.create(type_for_kind("Pod"), pod)
    store.create(
        type_for_kind("Event"),
        {
            "metadata": {"name": f"{name}.1", "namespace": "kube-system"},
            "involvedObject": {"kind": "Pod", "namespace": "kube-system", "name": name},
            "type": "Normal",
            "reason": "Started",
            "message": "Started container nfd-worker",
            "count": 1,
            "lastTimestamp": "2025-11-25T09:31:00Z",
        },
    )
    return name


def test_drills_from_the_release_to_the_replica_set_that_cannot_create_pods(
    sim: Simulation, api: KubeApi
) -> None:
    stuck, old = worker_replica_sets(sim)
    pod_name = add_old_pod(sim, old)
    tree = release_workloads(api, live(api, NFD))
    assert tree.note == "" and tree.unread == ()
    assert tree.release.startswith("kube-system/node-feature-discovery.v")
    assert [node.ref.name for node in tree.workloads] == ["nfd-worker", "nfd-master"]
    worker = tree.workloads[0]
    assert worker.readiness is Readiness.NOT_READY
    assert [child.ref.name for child in worker.children] == [
        stuck["metadata"]["name"],
        old["metadata"]["name"],
    ]
    new_rs, old_rs = worker.children
    assert new_rs.cannot_create and new_rs.children == ()
    assert MISSING_ACCOUNT in new_rs.problem
    assert new_rs.events and new_rs.events[0].reason == "FailedCreate"
    assert new_rs.events[0].count > 1
    (pod,) = old_rs.children
    assert (pod.ref.name, pod.ready, pod.status, pod.restarts, pod.node) == (
        pod_name,
        "1/1",
        "Running",
        1,
        "k8s-w-2",
    )
    assert [event.reason for event in pod.events] == ["Started"]
    assert tree.workloads[1].readiness is Readiness.READY


def test_port_answers_the_same(sim: Simulation, api: KubeApi) -> None:
    details = KubeObjectDetails(api, Kubectl(str(sim.kubeconfig), None))
    tree = details.workload_tree(live(api, NFD))
    assert tree.not_ready[0].ref == ObjectRef("Deployment", "kube-system", "nfd-worker")
    assert tree.not_ready[1].cannot_create


def test_forbidden_reads_are_lines_not_errors(sim: Simulation, api: KubeApi) -> None:
    release = live(api, NFD)
    sim.cluster.faults.forbid("list", "pods")
    partial = release_workloads(api, release)
    assert partial.workloads and any("pods in kube-system" in line for line in partial.unread)
    assert all("forbidden" in line for line in partial.unread)
    sim.cluster.faults.forbid("get", "deployments")
    denied = release_workloads(api, release)
    assert {node.status for node in denied.workloads} == {"Unknown"}
    assert all(node.problem.startswith("forbidden") for node in denied.workloads)
    sim.cluster.faults.forbid("list", "secrets")
    none = release_workloads(api, release)
    assert none.workloads == () and none.note.startswith("cannot list the Helm storage")
