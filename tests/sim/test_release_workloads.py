"""The objects the `degraded` scenario's Helm releases run: every object of each release's
newest manifest is in the cluster with Helm's ownership annotations, Deployments own their
ReplicaSets, and node-feature-discovery's worker Deployment is stuck because 0.18.2 no longer
renders its ServiceAccount. The real kubectl reads those kinds from the simulator.

Manifests are unpacked and parsed here with base64, gzip and PyYAML, independently of the
simulator's chart templates and of tuiops' own manifest reader.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.sim.conftest import KubectlCluster
from tuiops.sim.clock import SimClock
from tuiops.sim.cluster import SimulatedCluster
from tuiops.sim.scenarios.catalog import Scenario, build_scenario, install_scenario

JsonObject = dict[str, Any]
CLUSTER_SCOPED = {"ClusterRole"}


@pytest.fixture(scope="module")
def degraded() -> Scenario:
    return build_scenario("degraded")


def key(obj: JsonObject) -> tuple[str, str, str]:
    meta = obj["metadata"]
    return obj["kind"], meta.get("namespace", ""), meta["name"]


def releases(scenario: Scenario) -> dict[tuple[str, str], list[JsonObject]]:
    """(namespace, release) → its revisions, decoded by hand, oldest first."""
    found: dict[tuple[str, str], list[JsonObject]] = {}
    for secret in scenario.objects_of("Secret"):
        if secret.get("type") != "helm.sh/release.v1":
            continue
        packed = base64.b64decode(base64.b64decode(secret["data"]["release"]))
        release = json.loads(gzip.decompress(packed))
        found.setdefault((release["namespace"], release["name"]), []).append(release)
    return {k: sorted(v, key=lambda r: int(r["version"])) for k, v in found.items()}


def manifest_keys(release: JsonObject) -> set[tuple[str, str, str]]:
    keys = set()
    for doc in yaml.safe_load_all(release["manifest"]):
        if doc:
            scoped = doc["kind"] not in CLUSTER_SCOPED
            keys.add((doc["kind"], release["namespace"] if scoped else "", doc["metadata"]["name"]))
    return keys


def test_every_release_runs_its_newest_manifest(degraded: Scenario) -> None:
    cluster = {key(obj): obj for _, obj in degraded.objects}
    stored = releases(degraded)
    assert len(stored) == len(degraded.objects_of("HelmRelease"))
    for (namespace, name), revisions in stored.items():
        wanted = manifest_keys(revisions[-1])
        assert wanted, name
        for item in wanted:
            assert item in cluster, (name, item)
            annotations = cluster[item]["metadata"]["annotations"]
            assert annotations["meta.helm.sh/release-name"] == name
            assert annotations["meta.helm.sh/release-namespace"] == namespace


def test_deployments_own_their_replica_sets(degraded: Scenario) -> None:
    sets = degraded.objects_of("ReplicaSet")
    for deployment in degraded.objects_of("Deployment"):
        meta = deployment["metadata"]
        if meta["namespace"] == "flux-system":
            continue  # the controllers' own, without ReplicaSets in the scenario
        owned = [
            rs
            for rs in sets
            if rs["metadata"]["namespace"] == meta["namespace"]
            and rs["metadata"]["ownerReferences"][0]["uid"] == meta["uid"]
        ]
        assert owned, meta["name"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        for rs in owned:
            labels = rs["metadata"]["labels"]
            assert rs["metadata"]["name"] == f"{meta['name']}-{labels['pod-template-hash']}"
            assert all(labels.get(k) == v for k, v in selector.items())


def test_node_feature_discovery_lost_its_worker_account(degraded: Scenario) -> None:
    revisions = releases(degraded)[("kube-system", "node-feature-discovery")]
    newest = revisions[-1]
    deployed = next(r for r in reversed(revisions) if r["info"]["status"] == "deployed")
    assert newest["info"]["status"] == "failed"
    assert newest["info"]["description"].endswith("context deadline exceeded")
    account = ("ServiceAccount", "kube-system", "nfd-worker")
    assert account in manifest_keys(deployed) and account not in manifest_keys(newest)
    cluster = {key(obj): obj for _, obj in degraded.objects}
    assert account not in cluster
    worker = cluster[("Deployment", "kube-system", "nfd-worker")]
    assert worker["spec"]["template"]["spec"]["serviceAccountName"] == "nfd-worker"
    assert worker["status"]["updatedReplicas"] == 0
    (event,) = [e for e in degraded.objects_of("Event") if e["reason"] == "FailedCreate"]
    involved = event["involvedObject"]
    stuck = cluster[("ReplicaSet", "kube-system", involved["name"])]
    assert involved["uid"] == stuck["metadata"]["uid"] and involved["kind"] == "ReplicaSet"
    assert stuck["metadata"]["ownerReferences"][0]["uid"] == worker["metadata"]["uid"]
    assert event["type"] == "Warning" and event["source"] == {"component": "replicaset-controller"}
    assert event["message"] == (
        f'Error creating: pods "{involved["name"]}-" is forbidden: error looking for service '
        'account kube-system/nfd-worker: serviceaccount "nfd-worker" not found'
    )
    assert event["count"] > 1 and event["firstTimestamp"] < event["lastTimestamp"]


def test_healthy_has_no_release_workloads() -> None:
    kinds = {resource.kind for resource, _ in build_scenario("healthy").objects}
    assert not kinds & {"ReplicaSet", "DaemonSet", "ServiceAccount", "Service", "ClusterRole"}


@pytest.fixture
def degraded_kubectl(tmp_path: Path, degraded: Scenario) -> Iterator[KubectlCluster]:
    cluster = SimulatedCluster(clock=SimClock(frozen=True))
    install_scenario(cluster, degraded)
    cluster.start()
    try:
        kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
        cache_dir = tmp_path / "kube-cache"
        cache_dir.mkdir()
        yield KubectlCluster(cluster, kubeconfig, cache_dir)
    finally:
        cluster.stop()


def rows(stdout: str) -> dict[str, list[str]]:
    lines = [line.split() for line in stdout.splitlines() if line.strip()]
    return {cells[0]: cells[1:] for cells in lines[1:]}


def test_kubectl_reads_the_release_workloads(degraded_kubectl: KubectlCluster) -> None:
    run = degraded_kubectl.kubectl
    deployments = run("get", "deployments", "-n", "kube-system")
    assert deployments.returncode == 0, deployments.stderr
    assert deployments.stdout.split("\n")[0].split() == [
        "NAME",
        "READY",
        "UP-TO-DATE",
        "AVAILABLE",
        "AGE",
    ]
    assert rows(deployments.stdout)["nfd-worker"][:3] == ["1/1", "0", "1"]
    sets = run("get", "rs", "-n", "kube-system", "-l", "role=worker")
    assert sets.stdout.split("\n")[0].split() == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    counts = sorted(cells[:3] for cells in rows(sets.stdout).values())
    assert counts == [["1", "0", "0"], ["1", "1", "1"]]
    events = run("get", "events", "-n", "kube-system", "--field-selector", "reason=FailedCreate")
    assert 'serviceaccount "nfd-worker" not found' in events.stdout
    services = run("get", "svc", "-n", "longhorn-system")
    (frontend,) = [
        cells for name, cells in rows(services.stdout).items() if name == "longhorn-frontend"
    ]
    assert frontend[0] == "LoadBalancer" and frontend[2].startswith("192.168.")
    assert frontend[3] == "80/TCP"
    daemons = run("get", "ds", "-n", "longhorn-system")
    assert rows(daemons.stdout)["longhorn-manager"][:5] == ["2", "2", "1", "1", "1"]
    accounts = run("get", "sa", "-n", "kube-system", "-o", "name")
    assert "serviceaccount/nfd-master" in accounts.stdout.split()
    assert "serviceaccount/nfd-worker" not in accounts.stdout.split()
    roles = run("get", "clusterroles", "-o", "name")
    assert roles.returncode == 0, roles.stderr
    assert "clusterrole.rbac.authorization.k8s.io/nfd-master" in roles.stdout.split()
