"""Decoding live Flux objects and Events from the shared fixtures, and tolerance of junk input."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES_ROOT
from tuiops.domain.decode_live import (
    DecodeError,
    decode_event,
    decode_live_object,
    decode_log_line,
)
from tuiops.domain.events import EventType
from tuiops.domain.helm import ReleaseStatus
from tuiops.domain.live import LiveObject
from tuiops.domain.refs import ObjectRef
from tuiops.domain.status import ConditionStatus

FLUX = FIXTURES_ROOT / "flux"
REV_NEW = "main@sha1:3f1c9a0e7b6d5c4a3928171605f4e3d2c1b0a998"
REV_OLD = "main@sha1:9b8a7c6d5e4f30211203948576a6b5c4d3e2f1a0"


def _items(name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads((FLUX / name).read_text(encoding="utf-8"))["items"]
    return items


OBJECTS = _items("flux-objects.sample.json")
EVENTS = _items("events.sample.json")
LOG_LINES = (FLUX / "controller-logs.jsonl").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def live() -> dict[str, LiveObject]:
    return {str(obj.ref): obj for obj in map(decode_live_object, OBJECTS)}


def test_every_fixture_object_decodes_with_its_kind(live: dict[str, LiveObject]) -> None:
    kinds = sorted(obj.ref.kind for obj in live.values())
    assert kinds == sorted(
        ["GitRepository"] * 2
        + ["HelmRepository"] * 2
        + ["HelmChart", "OCIRepository"]
        + ["Kustomization"] * 6
        + ["HelmRelease"] * 3
    )


def test_kustomization_metadata_and_status(live: dict[str, LiveObject]) -> None:
    ks = live["Kustomization/flux-system/flux-system"]
    assert ks.api_version == "kustomize.toolkit.fluxcd.io/v1"
    assert ks.uid == "1f0e9d8c-7b6a-4594-8372-61504f3e2d1c"
    assert ks.resource_version == "48230"
    assert (ks.generation, ks.observed_generation) == (1, 1)
    assert ks.created == "2025-09-02T08:11:37Z"
    assert ks.labels == (
        ("kustomize.toolkit.fluxcd.io/name", "flux-system"),
        ("kustomize.toolkit.fluxcd.io/namespace", "flux-system"),
    )
    assert ks.annotations == (
        ("reconcile.fluxcd.io/requestedAt", "2025-11-25T10:09:41.702917538Z"),
    )
    assert ks.last_handled_reconcile_at == "2025-11-25T10:09:41.702917538Z"
    assert ks.source == ObjectRef("GitRepository", "flux-system", "flux-system")
    assert ks.path == "./clusters/homelab"
    assert ks.applied_version == REV_NEW
    assert len(ks.inventory) == 14
    assert ks.inventory[0] == "_flux-system__Namespace"
    assert "flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization" in ks.inventory
    assert ks.message == f"Applied revision: {REV_NEW}"
    assert not ks.suspended and ks.depends_on == ()


def test_failed_kustomization_keeps_last_applied_and_attempted_revisions(
    live: dict[str, LiveObject],
) -> None:
    ks = live["Kustomization/flux-system/infra-configs"]
    assert ks.depends_on == (ObjectRef("Kustomization", "flux-system", "infra-controllers"),)
    assert ks.last_applied_revision == REV_OLD
    assert ks.last_attempted_revision == REV_NEW
    assert ks.applied_version == REV_OLD
    ready = ks.ready
    assert ready is not None and ready.status is ConditionStatus.FALSE
    assert ready.reason == "ReconciliationFailed"
    assert ready.message.startswith("ClusterIssuer/letsencrypt-prod dry-run failed")
    assert ready.last_transition_time == "2025-11-25T10:10:02Z"
    assert ready.observed_generation == 1


def test_dependency_blocked_suspended_and_progressing_kustomizations(
    live: dict[str, LiveObject],
) -> None:
    apps = live["Kustomization/flux-system/apps"]
    assert apps.waiting_on_dependency
    assert apps.message == "dependency 'flux-system/infra-configs' is not ready"
    monitoring = live["Kustomization/flux-system/monitoring"]
    assert monitoring.suspended
    assert (monitoring.generation, monitoring.observed_generation) == (6, 5)
    tenants = live["Kustomization/flux-system/tenants"]
    assert [c.type for c in tenants.conditions] == ["Reconciling", "Ready", "Healthy"]
    assert tenants.ready is not None and tenants.ready.status is ConditionStatus.UNKNOWN


def test_helm_release_with_chart_spec(live: dict[str, LiveObject]) -> None:
    hr = live["HelmRelease/apps/podinfo"]
    assert hr.source == ObjectRef("HelmRepository", "flux-system", "podinfo")
    assert (hr.chart_name, hr.chart_version, hr.uses_chart_ref) == ("podinfo", "6.x", False)
    assert hr.helm_chart == ObjectRef("HelmChart", "flux-system", "apps-podinfo")
    assert (hr.release_name, hr.storage_namespace) == ("podinfo", "apps")
    assert [(h.version, h.status, h.chart_version) for h in hr.history] == [
        (3, ReleaseStatus.DEPLOYED, "6.9.2"),
        (2, ReleaseStatus.SUPERSEDED, "6.9.1"),
    ]
    newest = hr.history[0]
    assert newest.chart_name == "podinfo" and newest.app_version == "6.9.2"
    assert newest.config_digest.startswith("sha256:71660c6f")
    assert newest.digest.startswith("sha256:e53eb994")
    assert (newest.first_deployed, newest.last_deployed) == (
        "2025-09-02T08:17:02Z",
        "2025-11-24T16:02:14Z",
    )
    assert hr.applied_version == "6.9.2"
    assert hr.last_attempted_revision == "6.9.2"
    assert hr.last_handled_force_at == "2025-11-24T16:01:58.114430087Z"
    assert hr.last_handled_reset_at == ""
    assert (hr.failures, hr.install_failures, hr.upgrade_failures) == (0, 0, 0)


def test_helm_release_with_oci_chart_ref(live: dict[str, LiveObject]) -> None:
    hr = live["HelmRelease/cert-manager/cert-manager"]
    assert hr.uses_chart_ref
    assert hr.source == ObjectRef("OCIRepository", "flux-system", "cert-manager")
    assert hr.chart_version == ""
    assert hr.helm_chart is None
    assert hr.applied_version == "v1.19.1+7c2f4e1ad9b0"


def test_stalled_rolled_back_helm_release(live: dict[str, LiveObject]) -> None:
    hr = live["HelmRelease/monitoring/kube-prometheus-stack"]
    assert (hr.failures, hr.install_failures, hr.upgrade_failures) == (2, 0, 2)
    assert [(h.version, h.status.value) for h in hr.history] == [
        (7, "deployed"),
        (6, "failed"),
        (5, "superseded"),
        (4, "superseded"),
    ]
    # Rolled back to 78.3.2 after 79.5.0 failed; the spec still asks for 79.x.
    assert hr.applied_version == "78.3.2"
    assert hr.chart_version == "79.x"
    assert hr.last_attempted_revision == "79.5.0"
    stalled = next(c for c in hr.conditions if c.type == "Stalled")
    assert stalled.reason == "RetriesExceeded"


def test_sources(live: dict[str, LiveObject]) -> None:
    git = live["GitRepository/flux-system/flux-system"]
    assert git.url == "ssh://git@github.com/example-org/homelab-gitops"
    assert git.applied_version == REV_NEW
    failing = live["GitRepository/flux-system/charts-internal"]
    assert failing.artifact_revision == "" and failing.observed_generation == 1
    oci_helm = live["HelmRepository/flux-system/prometheus-community"]
    assert oci_helm.url == "oci://ghcr.io/prometheus-community/charts"
    assert oci_helm.artifact_revision == ""
    chart = live["HelmChart/flux-system/apps-podinfo"]
    assert chart.source == ObjectRef("HelmRepository", "flux-system", "podinfo")
    assert (chart.chart_name, chart.chart_version, chart.applied_version) == (
        "podinfo",
        "6.x",
        "6.9.2",
    )
    oci = live["OCIRepository/flux-system/cert-manager"]
    assert oci.applied_version.startswith("v1.19.1@sha256:7c2f4e1a")


def test_release_name_follows_helm_controller_when_history_is_empty() -> None:
    base = {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease"}
    plain = decode_live_object({**base, "metadata": {"name": "web", "namespace": "apps"}})
    assert (plain.release_name, plain.storage_namespace) == ("web", "apps")
    targeted = decode_live_object(
        {
            **base,
            "metadata": {"name": "web", "namespace": "flux-system"},
            "spec": {"targetNamespace": "team-a", "storageNamespace": "helm-store"},
        }
    )
    assert (targeted.release_name, targeted.storage_namespace) == ("team-a-web", "helm-store")
    long_name = "a" * 60
    shortened = decode_live_object({**base, "metadata": {"name": long_name, "namespace": "x"}})
    expected = "a" * 40 + "-" + hashlib.sha256(long_name.encode()).hexdigest()[:12]
    assert shortened.release_name == expected and len(expected) == 53


def test_mistyped_fields_take_defaults() -> None:
    obj = {
        "kind": "Kustomization",
        "metadata": {"name": "x", "namespace": "ns", "generation": "7", "labels": ["a"]},
        "spec": {"dependsOn": [{"name": {}}, "junk", {"name": "ok"}], "suspend": "true"},
        "status": {
            "conditions": [{"type": "Ready", "status": "maybe"}, 3, {"status": "True"}],
            "observedGeneration": True,
            "inventory": {"entries": [{"id": 1.5}, {"id": "ns_a__ConfigMap"}]},
        },
    }
    live = decode_live_object(obj)
    assert live.generation == 0 and live.observed_generation is None
    assert live.labels == ()
    assert live.depends_on == (ObjectRef("Kustomization", "ns", "ok"),)
    assert not live.suspended
    assert [(c.type, c.status) for c in live.conditions] == [("Ready", ConditionStatus.UNKNOWN)]
    assert live.inventory == ("1.5", "ns_a__ConfigMap")
    assert live.source is None


@pytest.mark.parametrize(
    "junk",
    [
        {},
        {"kind": "Kustomization"},
        {"kind": "Kustomization", "metadata": {"namespace": "x"}},
        {"metadata": {"name": "x"}},
        {"kind": "", "metadata": {"name": "x"}},
        {"kind": ["Kustomization"], "metadata": {"name": "x"}},
    ],
)
def test_objects_without_kind_or_name_raise_decode_error(junk: dict[str, Any]) -> None:
    with pytest.raises(DecodeError):
        decode_live_object(junk)


def test_decode_error_is_a_value_error() -> None:
    assert issubclass(DecodeError, ValueError)
    with pytest.raises(ValueError, match="API object"):
        decode_live_object([])  # type: ignore[arg-type]


def test_every_fixture_event_decodes() -> None:
    events = [decode_event(e) for e in EVENTS]
    assert len(events) == 11
    assert sum(e.is_warning for e in events) == 3
    failing = next(e for e in events if e.involved.name == "charts-internal")
    assert failing.involved == ObjectRef("GitRepository", "flux-system", "charts-internal")
    assert failing.involved_api_version == "source.toolkit.fluxcd.io/v1"
    assert failing.involved_uid == "0e6f2b0d-88b1-4ec1-a2c3-5d1c6a3b0c77"
    assert (failing.type, failing.reason, failing.count) == (
        EventType.WARNING,
        "GitOperationFailed",
        14,
    )
    assert (failing.first_timestamp, failing.last_timestamp) == (
        "2025-11-25T09:40:03Z",
        "2025-11-25T10:12:10Z",
    )
    assert failing.source_component == "source-controller"
    assert failing.name == "charts-internal.187b28c41a2b3c4d"
    upgrade = next(e for e in events if e.reason == "UpgradeSucceeded")
    assert upgrade.namespace == "apps"
    assert dict(upgrade.annotations)["helm.toolkit.fluxcd.io/app-version"] == "6.9.2"
    assert upgrade.revision == "6.9.2"
    aggregated = next(e for e in events if e.count == 377)
    assert aggregated.reason == "ReconciliationSucceeded"


def test_event_falls_back_to_event_time_and_series() -> None:
    event = decode_event(
        {
            "involvedObject": {"kind": "HelmRelease", "namespace": "apps", "name": "web"},
            "type": "Weird",
            "firstTimestamp": None,
            "lastTimestamp": None,
            "eventTime": "2025-11-25T10:00:00.123456Z",
            "series": {"count": 4, "lastObservedTime": "2025-11-25T10:05:00.000001Z"},
            "reportingComponent": "helm-controller",
        }
    )
    assert event.first_timestamp == "2025-11-25T10:00:00.123456Z"
    assert event.last_timestamp == "2025-11-25T10:05:00.000001Z"
    assert event.count == 4
    assert event.type is EventType.NORMAL
    assert event.source_component == "helm-controller"
    bare = decode_event({"involvedObject": {"kind": "A", "name": "b"}, "eventTime": "T"})
    assert (bare.first_timestamp, bare.last_timestamp, bare.count) == ("T", "T", 1)


def test_event_without_involved_object_raises() -> None:
    with pytest.raises(DecodeError):
        decode_event({"reason": "X"})


# --- never raise anything but DecodeError ---------------------------------------------------

# fmt: off
FLUX_KEYS = [
    "apiVersion", "kind", "metadata", "name", "namespace", "generation", "labels", "annotations",
    "deletionTimestamp", "spec", "status", "suspend", "dependsOn", "sourceRef", "chart",
    "chartRef", "version", "releaseName", "targetNamespace", "conditions", "type", "reason",
    "observedGeneration", "history", "inventory", "entries", "id", "artifact", "revision", "url",
    "failures", "helmChart", "involvedObject", "count", "series", "eventTime", "source",
    "component",
]
# fmt: on
LOG_KEYS = ["ts", "level", "msg", "name", "namespace", "error", "controllerKind", "logger"]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=12)
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FLUX_KEYS) | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=25,
)


def _paths(value: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


@st.composite
def corrupted_objects(draw: st.DrawFn) -> object:
    """A fixture object or Event with a few values swapped for junk."""
    obj: Any = copy.deepcopy(draw(st.sampled_from(OBJECTS + EVENTS)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(_paths(obj)))
        junk = draw(JSONISH)
        if not path:
            obj = junk
            continue
        parent = obj
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = junk
    return obj


def _only_decode_errors(obj: Any) -> None:
    for decode in (decode_live_object, decode_event):
        with contextlib.suppress(DecodeError):
            decode(obj)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(JSONISH)
def test_decoders_raise_only_decode_error_on_arbitrary_json(obj: Any) -> None:
    _only_decode_errors(obj)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(corrupted_objects())
def test_decoders_raise_only_decode_error_on_corrupted_fixtures(obj: Any) -> None:
    _only_decode_errors(obj)


LOG_TEXT = (
    st.text(max_size=40)
    | st.builds(lambda s: "{" + s, st.text(max_size=40))
    | JSONISH.map(json.dumps)
    | st.sampled_from(LOG_LINES)
    | st.builds(lambda line, cut: line[:cut], st.sampled_from(LOG_LINES), st.integers(0, 400))
    | st.dictionaries(st.sampled_from([*LOG_KEYS, "reconciler kind"]), JSONISH).map(json.dumps)
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(LOG_TEXT)
def test_decode_log_line_never_raises(text: str) -> None:
    line = decode_log_line(text)
    if line is not None:
        assert text.startswith("{")
        assert all(isinstance(v, str) for v in (line.ts, line.level, line.kind, line.message))
