"""`events_for`, `helm_revisions` and `helm_release_of` against the simulated API server loaded
with the Flux fixtures (objects, events, and the podinfo Helm storage Secrets).

Expected values are read from the fixture files here, independently of the adapter: the
releases are unpacked with base64/base64/gzip by hand, the events filtered by hand.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.sim.conftest import NOW, fixture_events, flux_objects, load_fixtures, read_json
from tuiops.adapters.cluster_reads import HelmStorage, events_for, helm_release_of, helm_revisions
from tuiops.adapters.kube_api import KubeApi
from tuiops.domain.decode_live import decode_live_object
from tuiops.domain.helm import ReleaseStatus
from tuiops.domain.kinds import HELM_RELEASE
from tuiops.domain.refs import ObjectRef
from tuiops.errors import Forbidden, NotFound
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.clock import SimClock
from tuiops.sim.cluster import SimulatedCluster

SECRET = type_for_kind("Secret")


@dataclass
class Loaded:
    cluster: SimulatedCluster
    api: KubeApi


def helm_secrets() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = read_json("helm-secrets-apps-podinfo.list.json")["items"]
    return items


def unpack(secret: dict[str, Any]) -> dict[str, Any]:
    """base64 -d | base64 -d | gzip -d, as docs/flux-api.md §6 says."""
    packed = base64.b64decode(base64.b64decode(secret["data"]["release"]))
    release: dict[str, Any] = json.loads(gzip.decompress(packed))
    return release


@pytest.fixture
def loaded(tmp_path: Path) -> Iterator[Loaded]:
    cluster = SimulatedCluster(clock=SimClock(NOW, frozen=True)).start()
    try:
        load_fixtures(cluster)
        secrets = helm_secrets()
        # Load out of order: the adapter must sort by revision, not trust the list order.
        for secret in (secrets[2], secrets[0], secrets[1]):
            fresh = copy.deepcopy(secret)
            fresh["metadata"].pop("resourceVersion", None)
            cluster.store.create(SECRET, fresh)
        # Another release's revision, and a broken one of podinfo, in the same namespace.
        other = copy.deepcopy(secrets[0])
        other["metadata"] = {
            "name": "sh.helm.release.v1.other.v1",
            "namespace": "apps",
            "labels": {"owner": "helm", "name": "other", "status": "deployed", "version": "1"},
        }
        cluster.store.create(SECRET, other)
        broken = copy.deepcopy(secrets[0])
        broken["metadata"] = {
            "name": "sh.helm.release.v1.podinfo.v4",
            "namespace": "apps",
            "labels": {"owner": "helm", "name": "podinfo", "status": "failed", "version": "4"},
        }
        broken["data"] = {"release": base64.b64encode(b"not helm").decode()}
        cluster.store.create(SECRET, broken)
        api = KubeApi(str(cluster.write_kubeconfig(tmp_path / "kubeconfig")), timeout=5.0)
        yield Loaded(cluster, api)
        api.close()
    finally:
        cluster.stop()


def fixture_object(kind: str, namespace: str, name: str) -> dict[str, Any]:
    return next(
        obj
        for obj in flux_objects()
        if (obj["kind"], obj["metadata"]["namespace"], obj["metadata"]["name"])
        == (kind, namespace, name)
    )


# -- Helm storage ----------------------------------------------------------------------------


def test_helm_revisions_decoded_from_the_storage_secrets(loaded: Loaded) -> None:
    expected = sorted((unpack(secret) for secret in helm_secrets()), key=lambda r: r["version"])
    revisions = helm_revisions(loaded.api, "podinfo", "apps")
    assert [r.revision for r in revisions] == [1, 2, 3]
    for revision, release in zip(revisions, expected, strict=True):
        assert revision.name == release["name"] == "podinfo"
        assert revision.namespace == release["namespace"]
        assert revision.status is ReleaseStatus(release["info"]["status"])
        assert revision.chart_version == release["chart"]["metadata"]["version"]
        assert revision.description == release["info"]["description"]
        assert json.loads(revision.values_json) == release["config"]
    assert [r.status for r in revisions] == [
        ReleaseStatus.SUPERSEDED,
        ReleaseStatus.SUPERSEDED,
        ReleaseStatus.DEPLOYED,
    ]
    v3 = read_json("helm-release-apps-podinfo.v3.decoded.json")
    assert revisions[-1].chart == f"podinfo-{v3['chart']['metadata']['version']}"


def test_helm_revisions_of_an_unknown_release_are_empty(loaded: Loaded) -> None:
    assert helm_revisions(loaded.api, "nope", "apps") == ()


def test_helm_revisions_forbidden_is_reported(loaded: Loaded) -> None:
    loaded.cluster.faults.forbid("list", "secrets")
    with pytest.raises(Forbidden, match="forbidden"):
        helm_revisions(loaded.api, "podinfo", "apps")


def test_helm_release_of_follows_helm_controller() -> None:
    podinfo = decode_live_object(fixture_object("HelmRelease", "apps", "podinfo"))
    assert helm_release_of(podinfo) == HelmStorage("podinfo", "apps")

    def release(spec: dict[str, Any], status: dict[str, Any] | None = None) -> HelmStorage:
        obj = {
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": {"name": "grafana", "namespace": "flux-system"},
            "spec": spec,
            "status": status or {},
        }
        return helm_release_of(decode_live_object(obj))

    assert release({}) == HelmStorage("grafana", "flux-system")
    assert release({"targetNamespace": "monitoring"}) == HelmStorage(
        "monitoring-grafana", "monitoring"
    )
    assert release({"releaseName": "graf", "targetNamespace": "monitoring"}) == HelmStorage(
        "graf", "monitoring"
    )
    assert release({"storageNamespace": "helm"}) == HelmStorage("grafana", "helm")
    assert release({}, {"storageNamespace": "observed"}) == HelmStorage("grafana", "observed")
    with pytest.raises(ValueError, match="not a HelmRelease"):
        helm_release_of(decode_live_object(fixture_object("Kustomization", "flux-system", "apps")))


def test_helm_history_end_to_end_from_the_live_object(loaded: Loaded) -> None:
    live = decode_live_object(loaded.api.get(HELM_RELEASE, "apps", "podinfo"))
    storage = helm_release_of(live)
    revisions = {
        r.revision: r for r in helm_revisions(loaded.api, storage.release_name, storage.namespace)
    }
    # status.history (newest first) is helm-controller's digest of the same revisions.
    assert live.history
    for entry in live.history:
        assert revisions[entry.version].chart_version == entry.chart_version
        assert revisions[entry.version].status is entry.status


# -- events ----------------------------------------------------------------------------------


def involved(event: dict[str, Any]) -> tuple[str, str, str]:
    target = event["involvedObject"]
    return target["kind"], target.get("namespace", ""), target["name"]


def expected_events(*targets: tuple[str, str, str]) -> list[tuple[str, str]]:
    """(kind/name, reason) of the fixture events about `targets`, by lastTimestamp."""
    chosen = [event for event in fixture_events() if involved(event) in targets]
    chosen.sort(key=lambda event: event["lastTimestamp"])
    return [(f"{involved(e)[0]}/{involved(e)[2]}", e["reason"]) for e in chosen]


def summary(events: tuple[Any, ...]) -> list[tuple[str, str]]:
    return [(f"{e.involved.kind}/{e.involved.name}", e.reason) for e in events]


def test_events_for_kustomization_add_its_git_repository(loaded: Loaded) -> None:
    events = events_for(loaded.api, ObjectRef("Kustomization", "flux-system", "flux-system"))
    want = expected_events(
        ("Kustomization", "flux-system", "flux-system"),
        ("GitRepository", "flux-system", "flux-system"),
    )
    assert summary(events) == want
    # The same, spelled out from events.sample.json (lastTimestamp order).
    assert want == [
        ("GitRepository/flux-system", "NewArtifact"),  # 10:09:42Z
        ("Kustomization/flux-system", "Progressing"),  # 10:09:44Z
        ("Kustomization/flux-system", "ReconciliationSucceeded"),  # 10:09:45Z
        ("GitRepository/flux-system", "ArtifactUpToDate"),  # 10:14:47Z
    ]
    # Not the events of other objects, even those sharing the namespace.
    assert all(e.involved.name == "flux-system" for e in events)


def test_events_for_filter_by_involved_object(loaded: Loaded) -> None:
    events = events_for(loaded.api, ObjectRef("Kustomization", "flux-system", "apps"))
    assert summary(events) == expected_events(
        ("Kustomization", "flux-system", "apps"),
        ("GitRepository", "flux-system", "flux-system"),
    )
    assert ("Kustomization/apps", "DependencyNotReady") in summary(events)
    assert not any(e.involved.name == "infra-configs" for e in events)


def test_events_for_helm_release_add_chart_source_and_helm_chart(loaded: Loaded) -> None:
    events = events_for(loaded.api, ObjectRef("HelmRelease", "apps", "podinfo"))
    assert summary(events) == expected_events(
        ("HelmRelease", "apps", "podinfo"),
        ("HelmRepository", "flux-system", "podinfo"),
        ("HelmChart", "flux-system", "apps-podinfo"),
    )
    assert [e.reason for e in events] == ["ChartPullSucceeded", "UpgradeSucceeded"]


def test_events_for_with_api_version(loaded: Loaded) -> None:
    ref = ObjectRef("Kustomization", "flux-system", "apps")
    same = events_for(loaded.api, ref, api_version="kustomize.toolkit.fluxcd.io/v1")
    assert ("Kustomization/apps", "DependencyNotReady") in summary(same)
    other = events_for(loaded.api, ref, api_version="kustomize.toolkit.fluxcd.io/v1beta2")
    # Only the source's events remain: the object's own were written for v1.
    assert summary(other) == expected_events(("GitRepository", "flux-system", "flux-system"))


def test_events_for_missing_object_is_not_found(loaded: Loaded) -> None:
    with pytest.raises(NotFound):
        events_for(loaded.api, ObjectRef("Kustomization", "flux-system", "nope"))
