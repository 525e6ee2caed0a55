"""`release_objects` (and `KubeObjectDetails.release_objects`) against the simulated API server
running the `degraded` scenario: node-feature-discovery's upgrade times out because its worker
Deployment cannot create pods (its ServiceAccount is gone), and the adapter must name that
Deployment and the `FailedCreate` reason, and nothing else.

Expected values come from the cluster as loaded, read here by other means: the release
manifest unpacked by hand (base64, base64, gzip, then PyYAML), the stuck ReplicaSet found in the
simulator's store. A second release, written here by hand into the cluster, holds one object
per readiness rule (a pod that cannot be scheduled, a crash-looping StatefulSet, an unbound
claim, a failed Job, a LoadBalancer without an address, a kind tuiops does not read).
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from tuiops.adapters.flux_feed import KubeObjectDetails
from tuiops.adapters.kube_api import KubeApi
from tuiops.adapters.kubectl import Kubectl
from tuiops.adapters.release_objects import release_objects
from tuiops.domain.decode_live import decode_live_object
from tuiops.domain.kinds import HELM_RELEASE
from tuiops.domain.live import LiveObject
from tuiops.domain.refs import ObjectRef
from tuiops.domain.workloads import Readiness, ReleaseObjects
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.flux.helm_storage import build_release, storage_secret
from tuiops.sim.session import Simulation, start_simulation

JsonObject = dict[str, Any]
NFD = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")
LONGHORN = ObjectRef("HelmRelease", "longhorn-system", "longhorn")
GPU = ObjectRef("HelmRelease", "kube-system", "intel-gpu-plugin")
NFD_WORKER = ObjectRef("Deployment", "kube-system", "nfd-worker")
MISSING_ACCOUNT = (
    "error looking for service account kube-system/nfd-worker: "
    'serviceaccount "nfd-worker" not found'
)


def _start(workdir: Path) -> Simulation:
    return start_simulation("degraded", controllers=False, frozen_clock=True, workdir=workdir)


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulation]:
    with _start(tmp_path_factory.mktemp("release-objects")) as running:
        yield running


@pytest.fixture
def own_sim(tmp_path: Path) -> Iterator[Simulation]:
    """A simulation of its own, for tests that break the cluster."""
    with _start(tmp_path / "sim") as running:
        yield running


@pytest.fixture
def api(sim: Simulation) -> Iterator[KubeApi]:
    client = KubeApi(str(sim.kubeconfig), timeout=5.0)
    yield client
    client.close()


def live(api: KubeApi, ref: ObjectRef) -> LiveObject:
    return decode_live_object(api.get(HELM_RELEASE, ref.namespace, ref.name))


def newest_manifest_refs(sim: Simulation, name: str, namespace: str) -> set[ObjectRef]:
    """The objects of the newest storage revision, unpacked and parsed here with PyYAML."""
    secrets = [
        obj
        for obj in sim.cluster.store.list_objects(type_for_kind("Secret"), namespace)[0]
        if obj["metadata"].get("labels", {}).get("name") == name
    ]
    newest = max(secrets, key=lambda obj: int(obj["metadata"]["labels"]["version"]))
    packed = base64.b64decode(base64.b64decode(newest["data"]["release"]))
    release = json.loads(gzip.decompress(packed))
    refs = set()
    for doc in yaml.safe_load_all(release["manifest"]):
        if doc:
            scoped = doc["kind"] != "ClusterRole"
            refs.add(ObjectRef(doc["kind"], namespace if scoped else "", doc["metadata"]["name"]))
    return refs


def by_ref(result: ReleaseObjects) -> dict[ObjectRef, Any]:
    return {item.ref: item for item in result.objects}


def test_names_the_deployment_that_cannot_create_pods(sim: Simulation, api: KubeApi) -> None:
    release = live(api, NFD)
    assert release.ready is not None and "context deadline exceeded" in release.ready.message
    result = release_objects(api, release)
    assert result.note == ""
    assert {item.ref for item in result.objects} == newest_manifest_refs(
        sim, "node-feature-discovery", "kube-system"
    )
    revision = max(entry.version for entry in release.history)
    assert result.release == f"kube-system/node-feature-discovery.v{revision}"
    (culprit,) = result.not_ready
    assert culprit.ref == NFD_WORKER
    assert result.objects[0] == culprit
    # The ReplicaSet the store holds as failing is the one named, with the event's text.
    stuck = [
        rs["metadata"]["name"]
        for rs in sim.cluster.store.list_objects(type_for_kind("ReplicaSet"), "kube-system")[0]
        if any(c["type"] == "ReplicaFailure" for c in rs["status"].get("conditions", []))
    ]
    assert len(stuck) == 1
    assert f"ReplicaSet {stuck[0]} FailedCreate: Error creating: pods" in culprit.reason
    assert MISSING_ACCOUNT in culprit.reason
    assert "0/1 updated" in culprit.reason
    assert not result.unknown
    assert all(item.ready for item in result.objects[1:])


def test_port_answers_the_same(sim: Simulation, api: KubeApi) -> None:
    details = KubeObjectDetails(api, Kubectl(str(sim.kubeconfig), None))
    answer = details.release_objects(live(api, NFD))
    assert [item.ref for item in answer.not_ready] == [NFD_WORKER]


def test_upgrading_and_blocked_releases(api: KubeApi) -> None:
    upgrading = release_objects(api, live(api, LONGHORN))
    (rolling,) = upgrading.not_ready
    assert rolling.ref == ObjectRef("DaemonSet", "longhorn-system", "longhorn-manager")
    # The old pod sits on the unreachable worker: the node controller marked it not ready.
    assert rolling.reason.startswith("1/2 updated; pod longhorn-manager-")
    assert rolling.reason.endswith("Running: not ready; NodeNotReady: Node is not ready")
    # Blocked by its dependency: its own objects are all there and ready.
    blocked = release_objects(api, live(api, GPU))
    assert blocked.objects and all(item.ready for item in blocked.objects)
    assert {item.ref.kind for item in blocked.objects} >= {"Deployment", "Service"}


def test_release_without_storage_is_a_note(api: KubeApi) -> None:
    ghost = replace(live(api, GPU), release_name="never-installed")
    result = release_objects(api, ghost)
    assert result.objects == ()
    assert result.note == "no revision of kube-system/never-installed in the Helm storage"


def test_forbidden_and_missing_objects_are_lines(own_sim: Simulation) -> None:
    api = KubeApi(str(own_sim.kubeconfig), timeout=5.0)
    try:
        release = live(api, NFD)
        own_sim.cluster.store.delete(type_for_kind("ConfigMap"), "kube-system", "nfd-worker-conf")
        own_sim.cluster.faults.forbid("get", "serviceaccounts")
        result = release_objects(api, release)
        lines = by_ref(result)
        gone = lines[ObjectRef("ConfigMap", "kube-system", "nfd-worker-conf")]
        assert (gone.readiness, gone.reason) == (Readiness.NOT_READY, "not found")
        accounts = [item for item in result.objects if item.ref.kind == "ServiceAccount"]
        assert len(accounts) == 2
        assert all(item.readiness is Readiness.UNKNOWN for item in accounts)
        assert all("forbidden" in item.reason for item in accounts)
        assert lines[NFD_WORKER].readiness is Readiness.NOT_READY
        ranks = [item.readiness for item in result.objects]
        assert ranks == sorted(
            ranks, key=[Readiness.NOT_READY, Readiness.UNKNOWN, Readiness.READY].index
        )

        own_sim.cluster.faults.forbid("list", "events")
        muted = by_ref(release_objects(api, release))[NFD_WORKER]
        assert "FailedCreate" not in muted.reason and "not read: events" in muted.reason

        own_sim.cluster.faults.forbid("list", "secrets")
        denied = release_objects(api, release)
        assert denied.objects == ()
        assert denied.note.startswith("cannot list the Helm storage of kube-system/")
        assert "forbidden" in denied.note
    finally:
        api.close()


# -- a hand-written release with one object per rule --------------------------------------------

LAB = "lab"
LAB_LABELS = {"app.kubernetes.io/managed-by": "Helm"}


def _meta(name: str, **extra: Any) -> JsonObject:
    return {"name": name, "namespace": LAB, "labels": dict(LAB_LABELS), **extra}


def _lab_objects() -> list[JsonObject]:
    """The objects as the cluster holds them (status included), written out by hand."""
    return [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": _meta("lonely"),
            "spec": {"containers": [{"name": "app", "image": "x"}]},
            "status": {
                "phase": "Pending",
                "conditions": [
                    {
                        "type": "PodScheduled",
                        "status": "False",
                        "reason": "Unschedulable",
                        "message": "0/5 nodes are available: 5 Insufficient memory.",
                    }
                ],
            },
        },
        {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": _meta("db"),
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "db"}},
                "template": {"metadata": {"labels": {"app": "db"}}},
            },
            "status": {"replicas": 1, "readyReplicas": 0, "currentReplicas": 1},
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": _meta("db-0", labels={"app": "db"}),
            "spec": {"containers": [{"name": "postgres", "image": "postgres"}]},
            "status": {
                "phase": "Running",
                "conditions": [{"type": "Ready", "status": "False"}],
                "containerStatuses": [
                    {
                        "name": "postgres",
                        "ready": False,
                        "restartCount": 7,
                        "state": {
                            "waiting": {
                                "reason": "CrashLoopBackOff",
                                "message": "back-off 5m0s restarting failed container",
                            }
                        },
                        "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}},
                    }
                ],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": _meta("data"),
            "spec": {"accessModes": ["ReadWriteOnce"]},
            "status": {"phase": "Pending"},
        },
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": _meta("migrate"),
            "spec": {"completions": 1},
            "status": {
                "failed": 3,
                "startTime": "2025-11-25T10:00:00Z",
                "conditions": [
                    {
                        "type": "Failed",
                        "status": "True",
                        "reason": "BackoffLimitExceeded",
                        "message": "Job has reached the specified backoff limit",
                    }
                ],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta("edge"),
            "spec": {"type": "LoadBalancer", "ports": [{"port": 443}]},
            "status": {"loadBalancer": {}},
        },
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("settings")},
    ]


def _lab_manifest(objects: list[JsonObject]) -> str:
    documents = []
    for obj in objects:
        rendered = {k: v for k, v in obj.items() if k != "status"}
        rendered["metadata"] = {"name": obj["metadata"]["name"]}  # the namespace is Helm's
        documents.append(
            f"# Source: lab/templates/{obj['kind'].lower()}.yaml\n" + yaml.safe_dump(rendered)
        )
    monitor = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": {"name": "lab"},
    }
    documents.append(yaml.safe_dump(monitor))
    documents.append("kind: Deployment\nmetadata:\n  labels: {}\n")  # no name: unreadable
    return "---\n" + "---\n".join(documents)


def test_each_rule_on_a_hand_written_release(sim: Simulation, api: KubeApi) -> None:
    store = sim.cluster.store
    store.create(type_for_kind("Namespace"), {"metadata": {"name": LAB}})
    objects = _lab_objects()
    for obj in objects:
        store.create(type_for_kind(obj["kind"]), obj)
    release = build_release(
        name="lab",
        namespace=LAB,
        revision=1,
        chart="lab",
        version="1.0.0",
        status="failed",
        description='Release "lab" failed: context deadline exceeded',
        first_deployed=store.clock.now(),
        last_deployed=store.clock.now(),
        config={},
    )
    # db-0 is the StatefulSet's pod, not the chart's.
    release["manifest"] = _lab_manifest([o for o in objects if o["metadata"]["name"] != "db-0"])
    store.create(type_for_kind("Secret"), storage_secret(release, store.clock.now()))
    owner = LiveObject(
        ref=ObjectRef("HelmRelease", LAB, "lab"),
        api_version="helm.toolkit.fluxcd.io/v2",
        release_name="lab",
        storage_namespace=LAB,
    )

    result = release_objects(api, owner)

    assert result.release == "lab/lab.v1" and result.unreadable_documents == 1
    lines = {item.ref.name: item for item in result.objects}
    assert set(lines) == {
        o["metadata"]["name"] for o in objects if o["metadata"]["name"] != "db-0"
    } | {"lab"}
    assert lines["settings"].ready
    monitor = lines["lab"]
    assert monitor.readiness is Readiness.UNKNOWN
    assert (
        monitor.reason
        == "not checked: tuiops does not read monitoring.coreos.com/v1 ServiceMonitor"
    )
    wanted = {
        "lonely": "pod lonely Pending: 0/5 nodes are available: 5 Insufficient memory.",
        "db": "0/1 ready; pod db-0: container postgres waiting: CrashLoopBackOff: back-off 5m0s "
        "restarting failed container (last exit 1, Error)",
        "data": "not bound (phase Pending)",
        "migrate": "failed (3 failed pods): Job has reached the specified backoff limit",
        "edge": "LoadBalancer has no external address yet",
    }
    for name, reason in wanted.items():
        assert lines[name].readiness is Readiness.NOT_READY, name
        assert lines[name].reason == reason, name
    assert [item.readiness for item in result.objects[: len(wanted)]] == [
        Readiness.NOT_READY
    ] * len(wanted)
