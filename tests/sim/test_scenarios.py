"""The scenarios: deterministic, one cluster object per repo object, the degraded situations
field by field, Helm storage that decodes to what status.history says, and the shapes of the
Events, log lines and controller workloads against the Flux fixtures."""

from __future__ import annotations

import base64
import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.sim.conftest import FIXTURES
from tuiops.domain.repo import LayerState, RepoModel
from tuiops.gitops.loader import load_repo
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.sim.scenarios.catalog import (
    LARGE_HELM_RELEASES,
    LARGE_KUSTOMIZATIONS,
    SCENARIOS,
    Scenario,
    build_scenario,
)

JsonObject = dict[str, Any]
LOG_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
RECONCILER_KEYS = ["controller", "controllerGroup", "controllerKind"]


@pytest.fixture(scope="module")
def built() -> dict[str, Scenario]:
    return {name: build_scenario(name) for name in ("healthy", "degraded")}


@pytest.fixture(scope="module")
def model() -> RepoModel:
    return load_repo(EXAMPLE_REPO)


def key(obj: JsonObject) -> str:
    meta = obj["metadata"]
    return f"{obj['kind']}/{meta.get('namespace', '')}/{meta['name']}"


def by_key(scenario: Scenario, kind: str) -> dict[str, JsonObject]:
    return {key(obj): obj for obj in scenario.objects_of(kind)}


def cond(obj: JsonObject, type_: str) -> JsonObject | None:
    return next((c for c in obj["status"].get("conditions", []) if c["type"] == type_), None)


def ready_status(obj: JsonObject) -> str:
    ready = cond(obj, "Ready")
    return str(ready["status"]) if ready else ""


def dump(scenario: Scenario) -> str:
    return json.dumps(
        {
            "objects": [[resource.key, obj] for resource, obj in scenario.objects],
            "logs": {
                "/".join(k): [[r.time.isoformat(), r.text] for r in v]
                for k, v in scenario.log_records.items()
            },
            "failing": dict(scenario.failing),
            "expected": {k: repr(v) for k, v in scenario.expected.items()},
            "roles": dict(scenario.roles),
        },
        sort_keys=False,
    )


@pytest.mark.parametrize("name", ["healthy", "degraded"])
def test_builds_are_identical(name: str, built: dict[str, Scenario]) -> None:
    assert dump(build_scenario(name)) == dump(built[name])


def test_unknown_scenario_is_refused() -> None:
    assert SCENARIOS == ("healthy", "degraded", "large")
    with pytest.raises(ValueError, match="unknown scenario"):
        build_scenario("chaos")


@pytest.mark.parametrize("name", ["healthy", "degraded"])
def test_one_object_per_repo_object(
    name: str, built: dict[str, Scenario], model: RepoModel
) -> None:
    cluster = model.clusters[0]
    # Flux applies the listed layers only; the example repo comments `observability` out.
    listed = [layer for layer in cluster.layers if layer.state is LayerState.LISTED]
    assert [layer.name for layer in cluster.layers if layer not in listed] == ["observability"]
    components = [*cluster.entrypoints, *(c for layer in listed for c in layer.components)]
    wanted_ks = {str(k.ref) for c in components for k in c.kustomizations}
    wanted_hr = {str(h.ref) for c in components for h in c.helm_releases}
    orphan_refs = {str(k.ref) for c in cluster.orphans for k in c.kustomizations}
    orphan_refs |= {str(h.ref) for c in cluster.orphans for h in c.helm_releases}
    orphans_only = orphan_refs - wanted_ks - wanted_hr
    assert len(wanted_hr) >= 67 and len(wanted_ks) >= 69 and orphans_only
    scenario = built[name]
    for kind, wanted in (("Kustomization", wanted_ks), ("HelmRelease", wanted_hr)):
        counts = Counter(key(obj) for obj in scenario.objects_of(kind))
        assert set(counts) == wanted
        assert set(counts.values()) == {1}
    assert set(scenario.expected) == wanted_ks | wanted_hr
    sources = {str(s.ref) for s in model.sources}
    assert sources <= {
        key(o)
        for k in ("GitRepository", "HelmRepository", "OCIRepository")
        for o in scenario.objects_of(k)
    }
    charts = by_key(scenario, "HelmChart")
    for release in scenario.objects_of("HelmRelease"):
        chart_spec = release["spec"].get("chart", {}).get("spec")
        if chart_spec is not None:
            meta = release["metadata"]
            chart = charts[f"HelmChart/flux-system/{meta['namespace']}-{meta['name']}"]
            assert chart["spec"]["chart"] == chart_spec["chart"]
            assert chart["spec"]["sourceRef"]["name"] == chart_spec["sourceRef"]["name"]


def test_specs_are_the_repos(built: dict[str, Scenario], model: RepoModel) -> None:
    cluster = model.clusters[0]
    listed = [layer for layer in cluster.layers if layer.state is LayerState.LISTED]
    components = [*cluster.entrypoints, *(c for layer in listed for c in layer.components)]
    scenario = built["healthy"]
    releases = by_key(scenario, "HelmRelease")
    for release in (h for c in components for h in c.helm_releases):
        spec = releases[str(release.ref)]["spec"]
        if not release.uses_chart_ref:
            assert spec["chart"]["spec"]["version"] == release.version
        deps = [
            f"{d.get('namespace', release.ref.namespace)}/{d['name']}"
            for d in spec.get("dependsOn", [])
        ]
        assert deps == [d.namespaced_name for d in release.depends_on]
        assert spec.get("suspend", False) == release.suspend
    kustomizations = by_key(scenario, "Kustomization")
    for ks in (k for c in components for k in c.kustomizations):
        spec = kustomizations[str(ks.ref)]["spec"]
        assert spec["interval"] == ks.interval
        assert spec["path"] == ks.raw_path
        assert spec["sourceRef"]["name"] == (ks.source.name if ks.source else None)


def test_healthy_is_all_ready(built: dict[str, Scenario]) -> None:
    scenario = built["healthy"]
    assert not scenario.failing
    assert {(s.ready, s.suspended) for s in scenario.expected.values()} == {("True", False)}
    for ks in scenario.objects_of("Kustomization"):
        git = ks["status"]["lastAppliedRevision"]
        assert ks["status"]["conditions"][0]["message"] == f"Applied revision: {git}"
    nodes = scenario.objects_of("Node")
    assert [ready_status(n) for n in nodes] == ["True"] * 5


def test_degraded_failing_release(built: dict[str, Scenario]) -> None:
    scenario = built["degraded"]
    (failing,) = scenario.roles["failing"]
    assert failing == "HelmRelease/kube-system/node-feature-discovery"
    obj = by_key(scenario, "HelmRelease")[failing]
    status = obj["status"]
    wanted = obj["spec"]["chart"]["spec"]["version"]
    stalled, ready = cond(obj, "Stalled"), cond(obj, "Ready")
    remediated = cond(obj, "Remediated")
    assert stalled and stalled["status"] == "True" and stalled["reason"] == "RetriesExceeded"
    assert ready and ready["status"] == "False" and ready["reason"] == "UpgradeFailed"
    assert scenario.failing[failing] in ready["message"]
    assert ready["message"].startswith(
        f"Helm upgrade failed for release kube-system/node-feature-discovery with chart "
        f"node-feature-discovery@{wanted}: "
    )
    assert remediated and remediated["reason"] == "RollbackSucceeded"
    assert status["failures"] == status["upgradeFailures"] == 4
    assert stalled["message"] == "Failed to upgrade after 4 attempt(s)"
    history = status["history"]
    statuses = [entry["status"] for entry in history]
    assert statuses[0] == "failed" and "deployed" in statuses
    deployed = history[statuses.index("deployed")]
    assert history[0]["chartVersion"] == status["lastAttemptedRevision"] == wanted
    assert deployed["chartVersion"] != wanted
    assert len(history) <= obj["spec"].get("maxHistory", 5)
    assert [e["version"] for e in history] == sorted((e["version"] for e in history), reverse=True)
    assert scenario.expected[failing].ready == "False"


def test_degraded_dependency_chain(built: dict[str, Scenario]) -> None:
    scenario = built["degraded"]
    (failing,) = scenario.roles["failing"]
    blocked = scenario.roles["blocked"]
    assert blocked
    releases = by_key(scenario, "HelmRelease")
    upstream = {failing, *blocked}
    for name in blocked:
        obj = releases[name]
        ready = cond(obj, "Ready")
        assert ready and ready["status"] == "False" and ready["reason"] == "DependencyNotReady"
        deps = {
            f"HelmRelease/{d.get('namespace', obj['metadata']['namespace'])}/{d['name']}"
            for d in obj["spec"]["dependsOn"]
        }
        blocking = deps & upstream
        assert blocking
        assert ready["message"] in {
            f"dependency '{b.split('/', 1)[1]}' is not ready" for b in blocking
        }
        assert scenario.expected[name].reason == "DependencyNotReady"


def test_degraded_suspended_and_upgrading(built: dict[str, Scenario]) -> None:
    scenario = built["degraded"]
    releases = by_key(scenario, "HelmRelease")
    (suspended,) = scenario.roles["suspended"]
    obj = releases[suspended]
    assert obj["spec"]["suspend"] is True
    assert ready_status(obj) == "True"
    assert scenario.expected[suspended].suspended is True
    (upgrading,) = scenario.roles["upgrading"]
    obj = releases[upgrading]
    ready, reconciling = cond(obj, "Ready"), cond(obj, "Reconciling")
    assert ready and (ready["status"], ready["reason"]) == ("Unknown", "Progressing")
    assert ready["message"] == "Running 'upgrade' action with timeout of 5m0s"
    assert reconciling and reconciling["status"] == "True"
    assert obj["status"]["history"][0]["status"] == "deployed"
    assert obj["status"]["history"][0]["chartVersion"] != obj["status"]["lastAttemptedRevision"]
    unknown = [n for n in scenario.objects_of("Node") if ready_status(n) != "True"]
    assert len(unknown) == 1


def decode(data_release: str) -> JsonObject:
    """base64 → base64 → gunzip → JSON, independently of the simulator's helpers."""
    packed = base64.b64decode(base64.b64decode(data_release))
    assert packed[:3] == b"\x1f\x8b\x08"
    release: JsonObject = json.loads(gzip.decompress(packed))
    return release


def helm_storage(scenario: Scenario) -> Iterator[tuple[JsonObject, list[JsonObject]]]:
    secrets = [s for s in scenario.objects_of("Secret") if s["type"] == "helm.sh/release.v1"]
    for release in scenario.objects_of("HelmRelease"):
        name = release["spec"].get("releaseName", release["metadata"]["name"])
        ns = release["metadata"]["namespace"]
        mine = [
            s
            for s in secrets
            if s["metadata"]["namespace"] == ns and s["metadata"]["labels"]["name"] == name
        ]
        yield release, mine


@pytest.mark.parametrize("name", ["healthy", "degraded"])
def test_helm_secrets_decode_to_the_history(name: str, built: dict[str, Scenario]) -> None:
    fixture = json.loads((FIXTURES / "helm-release-apps-podinfo.v3.decoded.json").read_text())
    multi = 0
    for release, secrets in helm_storage(built[name]):
        history = release["status"]["history"]
        assert 1 <= len(secrets) <= 5
        decoded = [decode(s["data"]["release"]) for s in secrets]
        for secret, item in zip(secrets, decoded, strict=True):
            assert secret["data"]["release"].startswith("SDRzSUFBQUFBQUFD")
            assert list(item) == list(fixture)
            assert list(item["info"]) == list(fixture["info"])
            labels = secret["metadata"]["labels"]
            assert sorted(labels) == ["modifiedAt", "name", "owner", "status", "version"]
            assert labels["status"] == item["info"]["status"]
            assert (
                secret["metadata"]["name"]
                == f"sh.helm.release.v1.{item['name']}.v{labels['version']}"
            )
        seen = {
            (r["version"], r["info"]["status"], r["chart"]["metadata"]["version"]) for r in decoded
        }
        assert seen == {(e["version"], e["status"], e["chartVersion"]) for e in history}
        done = [r for r in decoded if r["info"]["status"] in ("deployed", "superseded")]
        if len(done) > 1:
            multi += 1
            configs = [json.dumps(r["config"], sort_keys=True) for r in done]
            assert len(set(configs)) == len(configs)
    assert multi > 5


def test_failed_revision_values_differ_from_deployed(built: dict[str, Scenario]) -> None:
    scenario = built["degraded"]
    (failing,) = scenario.roles["failing"]
    for release, secrets in helm_storage(scenario):
        if key(release) == failing:
            by_status = {}
            for s in secrets:
                item = decode(s["data"]["release"])
                by_status[item["info"]["status"]] = item
            assert by_status["failed"]["config"] != by_status["deployed"]["config"]
            assert by_status["failed"]["info"]["description"].startswith("Upgrade ")


def test_events_have_the_fixture_shape(built: dict[str, Scenario]) -> None:
    fixture = json.loads((FIXTURES / "events.sample.json").read_text())["items"][0]
    scenario = built["degraded"]
    uids = {o["metadata"].get("uid") for _, o in scenario.objects}
    events = scenario.objects_of("Event")
    names = [e["metadata"]["name"] for e in events]
    assert len(set(names)) == len(names)
    for event in events:
        assert list(event) == list(fixture)
        assert list(event["involvedObject"]) == list(fixture["involvedObject"])
        assert re.fullmatch(r"[a-z0-9.-]+\.[0-9a-f]{16}", event["metadata"]["name"])
        assert event["involvedObject"]["uid"] in uids
        assert event["count"] >= 1 and event["firstTimestamp"] <= event["lastTimestamp"]
        assert event["type"] in ("Normal", "Warning")
    reasons = Counter(e["reason"] for e in events)
    for reason in (
        "UpgradeFailed",
        "RollbackSucceeded",
        "DependencyNotReady",
        "NewArtifact",
        "ReconciliationSucceeded",
        "ChartPullSucceeded",
        "UpgradeSucceeded",
    ):
        assert reasons[reason] >= 1, reason


def check_log_line(text: str) -> JsonObject:
    """One controller line: JSON, zap's key order, ts with milliseconds."""
    data: JsonObject = json.loads(text)
    keys = list(data)
    assert keys[:2] == ["level", "ts"] and LOG_TS.match(data["ts"])
    rest = keys[2:]
    if rest[0] == "logger":
        rest = rest[1:]
    assert rest[0] == "msg"
    if "controller" in data and "reconcileID" in data:
        kind = data["controllerKind"]
        assert rest[1:8] == [*RECONCILER_KEYS, kind, "namespace", "name", "reconcileID"]
        assert list(data[kind]) == ["name", "namespace"]
    if "error" in data:
        assert keys[-1] == "error" and data["level"] == "error"
    return data


def test_log_backlog(built: dict[str, Scenario]) -> None:
    scenario = built["degraded"]
    pods = {key(p): p for p in scenario.objects_of("Pod")}
    controllers = {k for k in pods if k.startswith("Pod/flux-system/")}  # releases' pods: no logs
    assert {f"Pod/{ns}/{pod}" for ns, pod, _ in scenario.log_records} == controllers
    messages: Counter[str] = Counter()
    for (_, pod, container), records in scenario.log_records.items():
        assert container == "manager" and records
        assert [r.time for r in records] == sorted(r.time for r in records)
        for record in records:
            data = check_log_line(record.text)
            messages[f"{pod.rsplit('-', 2)[0]}: {data['msg']}"] += 1
    assert messages["notification-controller: dispatching event"] > 10
    assert messages["kustomize-controller: server-side apply completed"] >= 70
    assert messages["helm-controller: Reconciler error"] >= 4


def test_controller_workloads_and_nodes(built: dict[str, Scenario]) -> None:
    scenario = built["healthy"]
    deployments = scenario.objects_of("Deployment")
    assert sorted(d["metadata"]["name"] for d in deployments) == [
        "helm-controller",
        "kustomize-controller",
        "notification-controller",
        "source-controller",
    ]
    pods = scenario.objects_of("Pod")
    for deployment in deployments:
        name = deployment["metadata"]["name"]
        labels = deployment["metadata"]["labels"]
        assert labels["app"] == name and labels["app.kubernetes.io/part-of"] == "flux"
        assert labels["app.kubernetes.io/component"] == name
        template = deployment["spec"]["template"]
        assert template["metadata"]["labels"]["app"] == name
        (container,) = template["spec"]["containers"]
        assert container["name"] == "manager" and "--log-encoding=json" in container["args"]
        (pod,) = [p for p in pods if p["metadata"]["labels"]["app"] == name]
        assert re.fullmatch(rf"{name}-[a-z0-9]{{9}}-[a-z0-9]{{5}}", pod["metadata"]["name"])
        assert pod["metadata"]["labels"]["app.kubernetes.io/part-of"] == "flux"
    nodes = {n["metadata"]["name"]: n for n in scenario.objects_of("Node")}
    assert {"k8s-cp-1", "k8s-cp-2", "k8s-cp-3", "k8s-w-1", "k8s-w-2"} == set(nodes)
    assert "node-role.kubernetes.io/control-plane" in nodes["k8s-cp-1"]["metadata"]["labels"]
    assert {n["status"]["nodeInfo"]["kubeletVersion"] for n in nodes.values()} == {"v1.34.1"}
    namespaces = {o["metadata"]["name"] for o in scenario.objects_of("Namespace")}
    kinds = [resource.kind for resource, _ in scenario.objects]
    assert kinds[: len(namespaces)] == ["Namespace"] * len(namespaces)
    used = {o["metadata"].get("namespace") for _, o in scenario.objects} - {None}
    assert used <= namespaces


def test_large_counts() -> None:
    scenario = build_scenario("large")
    assert len(scenario.objects_of("HelmRelease")) == LARGE_HELM_RELEASES == 5000
    assert len(scenario.objects_of("Kustomization")) == LARGE_KUSTOMIZATIONS == 2000
    assert len(scenario.expected) == 7000
    tenants = {o["metadata"]["namespace"] for o in scenario.objects_of("HelmRelease")}
    assert len(tenants) >= 50
    states = Counter(s.ready for s in scenario.expected.values())
    assert states["True"] > 6500 and states["False"] > 0
