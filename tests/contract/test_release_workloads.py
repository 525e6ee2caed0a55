"""`release_workloads` (and `KubeObjectDetails.workload_tree`) against the simulated API server
running the `degraded` scenario: node-feature-discovery's worker Deployment has a new
ReplicaSet that cannot create pods (its ServiceAccount is gone) and an old one whose pod still
runs.

The expected ReplicaSets and pods come from the simulator's store, read here by other means;
the test adds the kubelet's `Started` event about the old pod (the scenario has none) to see
events reach the pod's node.
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


def old_pod(sim: Simulation, old: JsonObject) -> JsonObject:
    """The pod the old ReplicaSet controls, as the store holds it."""
    pods = sim.cluster.store.list_objects(type_for_kind("Pod"), "kube-system")[0]
    (pod,) = [
        p
        for p in pods
        if any(o["uid"] == old["metadata"]["uid"] for o in p["metadata"].get("ownerReferences", []))
    ]
    return pod


def add_started_event(sim: Simulation, pod: JsonObject) -> None:
    """The kubelet's Normal event about `pod`'s container."""
    name = pod["metadata"]["name"]
    container = pod["spec"]["containers"][0]["name"]
    sim.cluster.store.create(
        type_for_kind("Event"),
        {
            "metadata": {"name": f"{name}.1", "namespace": "kube-system"},
            "involvedObject": {"kind": "Pod", "namespace": "kube-system", "name": name},
            "type": "Normal",
            "reason": "Started",
            "message": f"Started container {container}",
            "count": 1,
            "lastTimestamp": pod["status"]["containerStatuses"][0]["state"]["running"]["startedAt"],
        },
    )


def test_drills_from_the_release_to_the_replica_set_that_cannot_create_pods(
    sim: Simulation, api: KubeApi
) -> None:
    stuck, old = worker_replica_sets(sim)
    running = old_pod(sim, old)
    add_started_event(sim, running)
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
    assert old_rs.readiness is Readiness.READY and old_rs.ready == "1/1"
    (pod,) = old_rs.children
    assert (pod.ref.name, pod.ready, pod.status, pod.restarts, pod.node) == (
        running["metadata"]["name"],
        "1/1",
        "Running",
        0,
        running["spec"]["nodeName"],
    )
    assert pod.readiness is Readiness.READY and pod.problem == ""
    assert pod.created == old["metadata"]["creationTimestamp"]
    (container,) = pod.containers
    assert (container.state, container.ready, container.image) == (
        "running",
        True,
        running["spec"]["containers"][0]["image"],
    )
    assert [event.reason for event in pod.events] == ["Started"]
    master = tree.workloads[1]
    (master_rs,) = master.children
    assert [child.ref.kind for child in master_rs.children] == ["Pod"]
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
