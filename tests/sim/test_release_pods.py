"""The pods the `degraded` scenario's release workloads run: as many as their owners' status
counts, labelled so the owner's selector finds them, owned by it, placed on the scenario's nodes
with unique addresses; none for the nfd-worker ReplicaSet that cannot create pods; the half
rolled out longhorn-manager DaemonSet with one updated ready pod and an old one, not ready, on
the unreachable worker. The real kubectl lists them from the simulator.

Expected counts are read from the owners' status in the scenario, not from the simulator's pod
code; selectors are matched here by hand.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.sim.conftest import KubectlCluster
from tuiops.sim.clock import SCENARIO_NOW
from tuiops.sim.scenarios.catalog import Scenario, build_scenario
from tuiops.sim.scenarios.release_pods import Placement, release_pods
from tuiops.sim.session import Simulation, start_simulation
from tuiops.sim.talos.nodes import scenario_cluster

JsonObject = dict[str, Any]
OWNER_KINDS = ("ReplicaSet", "StatefulSet", "DaemonSet")
SUFFIX = r"[bcdfghjklmnpqrstvwxz2456789]{5}"
"""Kubernetes' generated-name characters."""


@pytest.fixture(scope="module")
def degraded() -> Scenario:
    return build_scenario("degraded")


def ref(obj: JsonObject) -> tuple[str, str, str]:
    meta = obj["metadata"]
    return obj["kind"], meta.get("namespace", ""), meta["name"]


def matches(selector: JsonObject, labels: JsonObject) -> bool:
    return all(labels.get(key) == value for key, value in selector["matchLabels"].items())


def controller_of(pod: JsonObject) -> JsonObject:
    (owner,) = [o for o in pod["metadata"].get("ownerReferences", []) if o.get("controller")]
    return dict(owner)


def release_pods_of(scenario: Scenario) -> list[JsonObject]:
    return [p for p in scenario.objects_of("Pod") if p["metadata"]["namespace"] != "flux-system"]


def is_ready(pod: JsonObject) -> bool:
    ready = [c for c in pod["status"]["conditions"] if c["type"] == "Ready"]
    return [c["status"] for c in ready] == ["True"]


def test_every_owner_has_the_pods_its_status_counts(degraded: Scenario) -> None:
    pods = release_pods_of(degraded)
    owned: dict[str, list[JsonObject]] = {}
    for pod in pods:
        owned.setdefault(controller_of(pod)["uid"], []).append(pod)
    owners = [o for kind in OWNER_KINDS for o in degraded.objects_of(kind)]
    assert {o["metadata"]["uid"] for o in owners} >= set(owned)
    for owner in owners:
        mine = owned.get(owner["metadata"]["uid"], [])
        status = owner["status"]
        if owner["kind"] == "DaemonSet":
            assert len(mine) == status["currentNumberScheduled"], ref(owner)
            assert sum(map(is_ready, mine)) == status["numberReady"], ref(owner)
        else:
            assert len(mine) == status.get("readyReplicas", 0), ref(owner)
            assert all(map(is_ready, mine)), ref(owner)
        for pod in mine:
            labels = pod["metadata"]["labels"]
            assert matches(owner["spec"]["selector"], labels), (ref(owner), ref(pod))
            template = owner["spec"]["template"]["metadata"]["labels"]
            assert labels.items() >= template.items()
            assert controller_of(pod)["name"] == owner["metadata"]["name"]
            assert controller_of(pod)["kind"] == owner["kind"]
            assert pod["metadata"]["namespace"] == owner["metadata"]["namespace"]
            if owner["kind"] == "ReplicaSet":
                name = re.escape(owner["metadata"]["name"])
                assert re.fullmatch(rf"{name}-{SUFFIX}", pod["metadata"]["name"])
                created = pod["metadata"]["creationTimestamp"]
                assert created == owner["metadata"]["creationTimestamp"]
    # Every Deployment's ready count is its ReplicaSets' running pods.
    for deployment in degraded.objects_of("Deployment"):
        meta = deployment["metadata"]
        if meta["namespace"] == "flux-system":
            continue
        running = [
            p
            for p in pods
            if p["metadata"]["namespace"] == meta["namespace"]
            and matches(deployment["spec"]["selector"], p["metadata"]["labels"])
            and is_ready(p)
        ]
        assert len(running) == deployment["status"]["readyReplicas"], meta["name"]


def test_pods_run_like_the_kubelet_reports_them(degraded: Scenario) -> None:
    pods = release_pods_of(degraded)
    assert len(pods) == 72  # 70 ReplicaSets with one ready pod each, 2 DaemonSet pods
    nodes = {n["metadata"]["name"]: n for n in degraded.objects_of("Node")}
    addresses = {
        name: next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
        for name, node in nodes.items()
    }
    ips = Counter(p["status"]["podIP"] for p in degraded.objects_of("Pod"))
    assert max(ips.values()) == 1
    for pod in pods:
        spec, status = pod["spec"], pod["status"]
        assert spec["nodeName"] in nodes
        assert status["hostIP"] == addresses[spec["nodeName"]]
        assert status["podIPs"] == [{"ip": status["podIP"]}]
        assert status["phase"] == "Running"
        kinds = [c["type"] for c in status["conditions"]]
        assert {"Ready", "ContainersReady", "PodScheduled"} <= set(kinds)
        names = [c["name"] for c in spec["containers"]]
        assert [c["name"] for c in status["containerStatuses"]] == names
        for container in status["containerStatuses"]:
            assert container["restartCount"] == 0
            assert container["containerID"].startswith("containerd://")
            assert container["image"] == spec["containers"][0]["image"]
            started = container["state"]["running"]["startedAt"]
            assert pod["metadata"]["creationTimestamp"] <= started
            assert datetime.fromisoformat(started.replace("Z", "+00:00")) < SCENARIO_NOW
    # Only DaemonSet pods stay on the unreachable worker: the others were placed elsewhere.
    lost = {p["spec"]["nodeName"] for p in pods if controller_of(p)["kind"] != "DaemonSet"}
    assert lost == {"k8s-w-1"}


def test_the_stuck_replica_set_has_no_pods_and_the_old_one_keeps_its_own(
    degraded: Scenario,
) -> None:
    sets = [
        rs
        for rs in degraded.objects_of("ReplicaSet")
        if rs["metadata"]["ownerReferences"][0]["name"] == "nfd-worker"
    ]
    (stuck,) = [rs for rs in sets if rs["status"].get("conditions")]
    (old,) = [rs for rs in sets if not rs["status"].get("conditions")]
    owners = Counter(controller_of(p)["uid"] for p in release_pods_of(degraded))
    assert owners[stuck["metadata"]["uid"]] == 0
    assert owners[old["metadata"]["uid"]] == 1


def test_the_half_rolled_out_daemon_set(degraded: Scenario) -> None:
    daemons = {d["metadata"]["name"]: d for d in degraded.objects_of("DaemonSet")}
    manager = daemons["longhorn-manager"]
    pods = [
        p
        for p in release_pods_of(degraded)
        if controller_of(p)["uid"] == manager["metadata"]["uid"]
    ]
    by_node = {p["spec"]["nodeName"]: p for p in pods}
    assert sorted(by_node) == ["k8s-w-1", "k8s-w-2"]
    new, old = by_node["k8s-w-1"], by_node["k8s-w-2"]
    generation = str(manager["metadata"]["generation"])
    assert new["metadata"]["labels"]["pod-template-generation"] == generation
    assert old["metadata"]["labels"]["pod-template-generation"] != generation
    hashes = {p["metadata"]["labels"]["controller-revision-hash"] for p in pods}
    assert len(hashes) == 2
    assert is_ready(new) and not is_ready(old)
    assert re.fullmatch(rf"longhorn-manager-{SUFFIX}", old["metadata"]["name"])
    (event,) = [
        e
        for e in degraded.objects_of("Event")
        if e["involvedObject"]["kind"] == "Pod"
        and e["involvedObject"]["name"] == old["metadata"]["name"]
    ]
    assert (event["type"], event["reason"], event["message"]) == (
        "Warning",
        "NodeNotReady",
        "Node is not ready",
    )
    assert event["involvedObject"]["uid"] == old["metadata"]["uid"]
    assert event["source"] == {"component": "node-controller"}


def test_pods_are_deterministic_and_only_in_degraded(degraded: Scenario) -> None:
    again = build_scenario("degraded")
    assert json.dumps(again.objects_of("Pod")) == json.dumps(degraded.objects_of("Pod"))
    healthy = build_scenario("healthy")
    assert [p["metadata"]["namespace"] for p in healthy.objects_of("Pod")] == ["flux-system"] * 4


def test_a_stateful_set_gets_ordinal_pods() -> None:
    created = datetime(2025, 11, 1, tzinfo=UTC)
    sts = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            "name": "db",
            "namespace": "data",
            "uid": "u-db",
            "creationTimestamp": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "db"}},
            "template": {
                "metadata": {"labels": {"app": "db"}},
                "spec": {"containers": [{"name": "db", "image": "postgres:17"}]},
            },
        },
        "status": {"replicas": 3, "readyReplicas": 2, "currentRevision": "db-7c9d5b8f4"},
    }
    placement = Placement(scenario_cluster("healthy").nodes)
    pods = release_pods([sts], placement, SCENARIO_NOW)
    assert [p["metadata"]["name"] for p in pods] == ["db-0", "db-1"]
    labels = pods[1]["metadata"]["labels"]
    assert labels["statefulset.kubernetes.io/pod-name"] == "db-1"
    assert labels["controller-revision-hash"] == "db-7c9d5b8f4" and labels["app"] == "db"
    assert {p["spec"]["nodeName"] for p in pods} <= {"k8s-w-1", "k8s-w-2"}
    assert pods[0]["metadata"]["ownerReferences"][0]["uid"] == "u-db"


# -- the real kubectl ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulation]:
    workdir = tmp_path_factory.mktemp("release-pods") / "sim"
    with start_simulation(
        "degraded", controllers=False, frozen_clock=True, workdir=workdir
    ) as running:
        yield running


@pytest.fixture
def kubectl(sim: Simulation, tmp_path: Path) -> KubectlCluster:
    cache_dir = tmp_path / "kube-cache"
    cache_dir.mkdir()
    return KubectlCluster(sim.cluster, sim.kubeconfig, cache_dir)


def selector_text(obj: JsonObject) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(obj["spec"]["selector"]["matchLabels"].items()))


def get_json(kubectl: KubectlCluster, *args: str) -> JsonObject:
    done = kubectl.kubectl(*args, "-o", "json")
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_kubectl_lists_the_running_pods_of_nfd_master(kubectl: KubectlCluster) -> None:
    master = get_json(kubectl, "get", "deployment", "-n", "kube-system", "nfd-master")
    selector = selector_text(master)
    sets = get_json(kubectl, "get", "rs", "-n", "kube-system", "-l", selector)["items"]
    (rs,) = sets
    table = kubectl.kubectl("get", "pods", "-n", "kube-system", "-l", selector)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    (row,) = [line.split() for line in lines[1:]]
    assert row[0].startswith(f"{rs['metadata']['name']}-")
    assert row[1:4] == ["1/1", "Running", "0"]
    pods = get_json(kubectl, "get", "pods", "-n", "kube-system", "-l", selector)["items"]
    (pod,) = pods
    owner = controller_of(pod)
    assert (owner["kind"], owner["name"], owner["uid"]) == (
        "ReplicaSet",
        rs["metadata"]["name"],
        rs["metadata"]["uid"],
    )
    assert pod["status"]["phase"] == "Running" and is_ready(pod)
    wide = kubectl.kubectl("get", "pod", "-n", "kube-system", pod["metadata"]["name"], "-o", "wide")
    assert pod["status"]["podIP"] in wide.stdout.split() and "k8s-w-1" in wide.stdout.split()


def test_kubectl_finds_no_pods_of_the_stuck_replica_set(kubectl: KubectlCluster) -> None:
    sets = get_json(kubectl, "get", "rs", "-n", "kube-system", "-l", "role=worker")["items"]
    (stuck,) = [rs for rs in sets if rs["status"].get("conditions")]
    (old,) = [rs for rs in sets if not rs["status"].get("conditions")]
    hash_of = "pod-template-hash={}".format
    empty = kubectl.kubectl(
        "get",
        "pods",
        "-n",
        "kube-system",
        "-l",
        hash_of(stuck["metadata"]["labels"]["pod-template-hash"]),
    )
    assert empty.returncode == 0 and empty.stdout == ""
    assert "No resources found in kube-system namespace." in empty.stderr
    running = get_json(
        kubectl,
        "get",
        "pods",
        "-n",
        "kube-system",
        "-l",
        hash_of(old["metadata"]["labels"]["pod-template-hash"]),
    )["items"]
    assert [controller_of(p)["uid"] for p in running] == [old["metadata"]["uid"]]


def test_every_pod_owner_exists(kubectl: KubectlCluster) -> None:
    pods = get_json(kubectl, "get", "pods", "--all-namespaces")["items"]
    assert len(pods) == 76  # 72 for the releases, 4 Flux controllers
    owners = {
        (kind, o["metadata"]["namespace"], o["metadata"]["name"]): o["metadata"]["uid"]
        for kind, short in (("ReplicaSet", "rs"), ("DaemonSet", "ds"), ("StatefulSet", "sts"))
        for o in get_json(kubectl, "get", short, "--all-namespaces")["items"]
    }
    owned = 0
    for pod in pods:
        for owner in pod["metadata"].get("ownerReferences", []):
            found = owners.get((owner["kind"], pod["metadata"]["namespace"], owner["name"]))
            assert found == owner["uid"], (pod["metadata"]["name"], owner)
            owned += 1
    assert owned == 72  # the Flux controllers' pods have no owner in the scenario
