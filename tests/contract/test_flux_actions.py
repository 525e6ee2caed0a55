"""`FluxActions` against the simulated API server and simulated Flux controllers ("degraded"
scenario): the requests must be the flux CLI's (docs/flux-api.md §4), the
steps its lines, and the outcome the controllers' real answer.

Expected values come from the doc (request shapes, step texts) and from the scenario objects
as loaded (revisions, chart versions), never from what the adapter returned.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tuiops.adapters.flux import FluxActions
from tuiops.adapters.kube_api import KubeApi
from tuiops.domain.actions import ActionOutcome, StepKind
from tuiops.domain.kinds import HELM_RELEASE
from tuiops.domain.refs import ObjectRef
from tuiops.errors import ApiError
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.clock import SimClock
from tuiops.sim.cluster import SimulatedCluster
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.sim.flux.controllers import FluxControllers
from tuiops.sim.scenarios.catalog import Scenario, build_scenario, install_scenario
from tuiops.ui.flux_verbs import step_line

REQUESTED_AT = "reconcile.fluxcd.io/requestedAt"
FORCE_AT = "reconcile.fluxcd.io/forceAt"
RESET_AT = "reconcile.fluxcd.io/resetAt"
MERGE_PATCH = "application/merge-patch+json"
CILIUM_KS = ObjectRef("Kustomization", "flux-system", "cilium")
CILIUM_HR = ObjectRef("HelmRelease", "kube-system", "cilium")
NFD = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")
PLEX = ObjectRef("HelmRelease", "plex", "plex")
ZONE = timezone(timedelta(hours=1))
RFC3339NANO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$")


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    content_type: str | None


class RecordingApi(KubeApi):
    """The real adapter, noting each request it sends (what the server sees)."""

    def __init__(self, kubeconfig: str) -> None:
        super().__init__(kubeconfig, timeout=5.0)
        self.calls: list[Call] = []
        self.conflicts = 0
        """PATCHes still to answer with 409 Conflict (a write that raced another writer)."""

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        query = dict(kwargs.get("query") or ())
        self.calls.append(Call(method, path, query, kwargs.get("body"), kwargs.get("content_type")))
        if method == "PATCH" and self.conflicts > 0:
            self.conflicts -= 1
            raise ApiError(409, "Conflict", "the object has been modified")
        return super().request(method, path, **kwargs)

    def patches(self) -> list[Call]:
        return [call for call in self.calls if call.method == "PATCH"]


@dataclass
class Sim:
    scenario: Scenario
    cluster: SimulatedCluster
    controllers: FluxControllers
    api: RecordingApi

    def raw(self, ref: ObjectRef) -> dict[str, Any]:
        obj = self.cluster.store.get(type_for_kind(ref.kind), ref.namespace, ref.name)
        assert obj is not None, ref
        return obj

    def loaded(self, ref: ObjectRef) -> dict[str, Any]:
        """The object as the scenario loaded it (before any action)."""
        for obj in self.scenario.objects_of(ref.kind):
            meta = obj["metadata"]
            if (meta["namespace"], meta["name"]) == (ref.namespace, ref.name):
                return obj
        raise KeyError(ref)

    def actions(self, **kwargs: Any) -> FluxActions:
        options: dict[str, Any] = {"poll_interval": 0.05, "timeout": 15.0, "now": ticking()}
        options.update(kwargs)
        return FluxActions(self.api, **options)


def ticking() -> Callable[[], datetime]:
    """A local-zone clock that moves 1 ms per reading, so every request gets its own value."""
    moments = iter(
        datetime(2025, 11, 25, 11, 9, 41, 702917, tzinfo=ZONE) + timedelta(milliseconds=step)
        for step in range(1_000_000)
    )
    return lambda: next(moments)


@pytest.fixture(scope="module")
def degraded() -> Scenario:
    return build_scenario("degraded")


@pytest.fixture
def sim(degraded: Scenario, tmp_path: Path) -> Iterator[Sim]:
    cluster = SimulatedCluster(clock=SimClock(frozen=True))
    install_scenario(cluster, degraded)
    cluster.start()
    controllers = FluxControllers(cluster, degraded, EXAMPLE_REPO, delay=0.05).start()
    api = RecordingApi(str(cluster.write_kubeconfig(tmp_path / "kubeconfig")))
    try:
        yield Sim(degraded, cluster, controllers, api)
        assert controllers.errors == []
    finally:
        controllers.stop()
        api.close()
        cluster.stop()


def lines(outcome: ActionOutcome) -> list[str]:
    """The steps as the flux CLI prints them, glyphs and all."""
    return [step_line(step) for step in outcome.steps]


def deployed_chart(obj: dict[str, Any]) -> str:
    """Chart version of the newest `deployed` history entry (what Helm runs)."""
    return str(
        next(h["chartVersion"] for h in obj["status"]["history"] if h["status"] == "deployed")
    )


# -- reconcile ------------------------------------------------------------------------------


def test_reconcile_kustomization_reports_applied_revision(sim: Sim) -> None:
    revision = sim.loaded(CILIUM_KS)["status"]["lastAppliedRevision"]
    outcome = sim.actions().reconcile(CILIUM_KS)
    assert outcome.succeeded, lines(outcome)
    assert lines(outcome) == [
        "► annotating Kustomization cilium in flux-system namespace",
        "✔ Kustomization annotated",
        "◎ waiting for Kustomization reconciliation",
        f"✔ applied revision {revision}",
    ]
    assert outcome.applied_revision == revision
    assert not outcome.still_old_revision
    # One metadata GET, then one merge patch carrying only the annotation
    # (docs/flux-api.md §4, step 3).
    (patch,) = sim.api.patches()
    assert patch.content_type == MERGE_PATCH
    stamp = "2025-11-25T11:09:41.702917+01:00"
    assert patch.body == {"metadata": {"annotations": {REQUESTED_AT: stamp}}}
    obj = sim.raw(CILIUM_KS)
    assert obj["metadata"]["annotations"][REQUESTED_AT] == stamp
    assert obj["status"]["lastHandledReconcileAt"] == stamp


def test_default_timestamp_is_rfc3339nano_in_local_time(sim: Sim) -> None:
    outcome = FluxActions(sim.api, poll_interval=0.05, timeout=15.0).reconcile(CILIUM_KS)
    assert outcome.succeeded, lines(outcome)
    stamp = sim.raw(CILIUM_KS)["metadata"]["annotations"][REQUESTED_AT]
    assert RFC3339NANO.match(stamp), stamp
    sent = datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", stamp))
    local_offset = datetime.now().astimezone().utcoffset()
    assert sent.utcoffset() == local_offset
    assert abs(sent - datetime.now(UTC)) < timedelta(seconds=30)


def test_reconcile_of_suspended_object_is_refused(sim: Sim) -> None:
    before = sim.raw(PLEX)["metadata"].get("annotations", {})
    outcome = sim.actions().reconcile(PLEX)
    assert not outcome.succeeded
    assert outcome.message == "resource is suspended"
    assert lines(outcome) == ["✗ resource is suspended"]
    assert sim.api.patches() == []
    assert sim.raw(PLEX)["metadata"].get("annotations", {}) == before


def test_force_and_reset_on_failing_release_report_the_old_chart(sim: Sim) -> None:
    loaded = sim.loaded(NFD)
    attempted = loaded["spec"]["chart"]["spec"]["version"]
    running = deployed_chart(loaded)
    assert attempted != running  # the scenario's failing upgrade
    outcome = sim.actions().reconcile(NFD, force=True, reset=True)
    assert not outcome.succeeded, lines(outcome)
    assert outcome.still_old_revision
    assert (outcome.attempted_revision, outcome.applied_revision) == (attempted, running)
    assert outcome.message.startswith("HelmRelease reconciliation failed: Helm upgrade failed")
    assert f"chart {attempted} was attempted but {running} is still the applied version" in (
        outcome.message
    )
    assert lines(outcome)[:3] == [
        "► annotating HelmRelease node-feature-discovery in kube-system namespace",
        "✔ HelmRelease annotated",
        "◎ waiting for HelmRelease reconciliation",
    ]
    assert [step.kind for step in outcome.steps[3:]] == [StepKind.FAILURE, StepKind.WARNING]
    # force and reset travel in the same merge patch as requestedAt, with the same value.
    (patch,) = sim.api.patches()
    stamp = "2025-11-25T11:09:41.702917+01:00"
    assert patch.body == {
        "metadata": {"annotations": {REQUESTED_AT: stamp, FORCE_AT: stamp, RESET_AT: stamp}}
    }
    status = sim.raw(NFD)["status"]
    assert status["lastHandledReconcileAt"] == stamp
    assert status["lastHandledForceAt"] == stamp
    assert status["lastHandledResetAt"] == stamp


def test_force_is_for_helm_releases_only(sim: Sim) -> None:
    with pytest.raises(ValueError, match="HelmReleases only"):
        sim.actions().reconcile(CILIUM_KS, force=True)


def test_with_source_annotates_the_source_first(sim: Sim) -> None:
    outcome = sim.actions().reconcile(CILIUM_KS, with_source=True)
    assert outcome.succeeded, lines(outcome)
    source = sim.loaded(CILIUM_KS)["spec"]["sourceRef"]
    git = ObjectRef("GitRepository", "flux-system", source["name"])
    revision = sim.loaded(git)["status"]["artifact"]["revision"]
    assert lines(outcome)[:4] == [
        f"► annotating GitRepository {git.name} in flux-system namespace",
        "✔ GitRepository annotated",
        "◎ waiting for GitRepository reconciliation",
        f"✔ fetched revision {revision}",
    ]
    assert [call.path.rsplit("/", 2)[-2] for call in sim.api.patches()] == [
        "gitrepositories",
        "kustomizations",
    ]
    # The ticking clock proves the order in the store too: the source's request is older.
    source_stamp = sim.raw(git)["metadata"]["annotations"][REQUESTED_AT]
    object_stamp = sim.raw(CILIUM_KS)["metadata"]["annotations"][REQUESTED_AT]
    assert source_stamp < object_stamp
    assert sim.raw(git)["status"]["lastHandledReconcileAt"] == source_stamp


def test_helm_release_with_source_goes_through_its_helm_chart(sim: Sim) -> None:
    loaded = sim.loaded(CILIUM_HR)
    repo_ref = loaded["spec"]["chart"]["spec"]["sourceRef"]
    outcome = sim.actions().reconcile(CILIUM_HR, with_source=True)
    assert outcome.succeeded, lines(outcome)
    # docs/flux-api.md §4: HelmChart `<ns>-<name>` in the source's namespace, which reconciles
    # its own source.
    chart_ns = repo_ref["namespace"]
    assert [call.path for call in sim.api.patches()] == [
        f"/apis/source.toolkit.fluxcd.io/v1/namespaces/{chart_ns}/helmrepositories/"
        f"{repo_ref['name']}",
        f"/apis/source.toolkit.fluxcd.io/v1/namespaces/{chart_ns}/helmcharts/kube-system-cilium",
        HELM_RELEASE.object_path("kube-system", "cilium"),
    ]
    assert [line for line in lines(outcome) if line.startswith("►")] == [
        f"► annotating HelmRepository {repo_ref['name']} in {chart_ns} namespace",
        f"► annotating HelmChart kube-system-cilium in {chart_ns} namespace",
        "► annotating HelmRelease cilium in kube-system namespace",
    ]
    assert lines(outcome)[-1] == f"✔ applied revision {deployed_chart(loaded)}"


def test_oci_helm_repository_has_nothing_to_reconcile(sim: Sim) -> None:
    oci = next(
        o for o in sim.scenario.objects_of("HelmRepository") if o["spec"].get("type") == "oci"
    )
    assert oci["spec"]["type"] == "oci"
    outcome = sim.actions().reconcile(
        ObjectRef("HelmRepository", "flux-system", oci["metadata"]["name"])
    )
    assert outcome.succeeded
    assert lines(outcome) == ["✔ reconciliation not supported by the object"]
    assert sim.api.patches() == []


def test_conflicts_are_retried_with_a_fresh_read(sim: Sim) -> None:
    sim.api.conflicts = 2
    outcome = sim.actions().reconcile(CILIUM_KS)
    assert outcome.succeeded, lines(outcome)
    metadata_reads = [
        call.method for call in sim.api.calls if call.path.endswith("/kustomizations/cilium")
    ]
    # Each attempt reads the metadata again before patching (client-go RetryOnConflict).
    assert metadata_reads[:7] == ["GET", "GET", "PATCH", "GET", "PATCH", "GET", "PATCH"]
    assert len(sim.api.patches()) == 3


def answer_request(sim: Sim, ref: ObjectRef, status: dict[str, Any]) -> threading.Thread:
    """A stand-in controller that answers the next `requestedAt` with `status` merged in and
    `lastHandledReconcileAt` set, as the real controllers leave a failed attempt."""
    resource = type_for_kind(ref.kind)
    before = sim.raw(ref)["metadata"].get("annotations", {}).get(REQUESTED_AT)

    def write(value: str) -> Callable[[dict[str, Any]], None]:
        return lambda obj: obj["status"].update(status, lastHandledReconcileAt=value)

    def run() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            value = sim.raw(ref)["metadata"].get("annotations", {}).get(REQUESTED_AT)
            if value != before:
                update = write(value)
                sim.cluster.store.update(
                    resource, ref.namespace, ref.name, update, status_only=True
                )
                return
            time.sleep(0.01)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def condition(type_: str, status: str, reason: str, message: str, generation: int) -> Any:
    return {
        "type": type_,
        "status": status,
        "reason": reason,
        "message": message,
        "observedGeneration": generation,
        "lastTransitionTime": "2025-11-25T10:10:00Z",
    }


@pytest.mark.parametrize("stalled", [False, True])
def test_failure_waiting_for_retry_ends_the_wait(sim: Sim, stalled: bool) -> None:
    # The real kustomize-controller leaves Reconciling=True/ProgressingWithRetry beside
    # Ready=False after a failed attempt (or Stalled=True when it gives up): kstatus never
    # says Current, but the answer is in, so the action must not sit out its timeout.
    sim.controllers.stop()
    generation = sim.raw(CILIUM_KS)["metadata"]["generation"]
    error = "Deployment/kube-system/cilium-operator dry-run failed: field is immutable"
    first = (
        condition("Stalled", "True", "InvalidPath", error, generation)
        if stalled
        else condition("Reconciling", "True", "ProgressingWithRetry", "retrying", generation)
    )
    ready = condition("Ready", "False", "ReconciliationFailed", error, generation)
    helper = answer_request(sim, CILIUM_KS, {"conditions": [first, ready]})
    started = time.monotonic()
    outcome = sim.actions(timeout=8.0).reconcile(CILIUM_KS)
    helper.join(5)
    assert time.monotonic() - started < 4.0
    assert not outcome.succeeded
    assert outcome.message == f"Kustomization reconciliation failed: {error}"


def test_missing_object_is_a_failed_outcome(sim: Sim) -> None:
    outcome = sim.actions().reconcile(ObjectRef("Kustomization", "flux-system", "nope"))
    assert not outcome.succeeded
    assert outcome.message == 'kustomizations.kustomize.toolkit.fluxcd.io "nope" not found'
    assert lines(outcome) == [f"✗ {outcome.message}"]


def test_timeout_when_no_controller_answers(sim: Sim) -> None:
    sim.controllers.stop()
    outcome = sim.actions(timeout=0.5).reconcile(CILIUM_KS)
    assert not outcome.succeeded
    assert outcome.message.startswith(
        "timed out after 0.5s waiting for Kustomization flux-system/cilium reconciliation: "
    )
    assert "kustomize-controller did not answer the request" in outcome.message
    assert lines(outcome)[-1] == f"✗ {outcome.message}"
    assert len(sim.api.patches()) == 1  # the request was sent; only the answer is missing


def test_forbidden_patch_is_a_failed_outcome(sim: Sim) -> None:
    sim.cluster.faults.forbid("patch", "kustomizations")
    outcome = sim.actions().reconcile(CILIUM_KS)
    assert not outcome.succeeded
    assert "is forbidden" in outcome.message
    assert 'cannot patch resource "kustomizations"' in outcome.message
    assert lines(outcome)[-1] == f"✗ {outcome.message}"

    suspended = sim.actions().suspend(CILIUM_KS)
    assert not suspended.succeeded
    assert suspended.message.startswith(
        "failed suspending Kustomization cilium in flux-system namespace: "
    )
    assert "is forbidden" in suspended.message
    assert "suspend" not in sim.raw(CILIUM_KS)["spec"]


# -- suspend / resume -----------------------------------------------------------------------


def test_suspend_then_resume_patch_spec_suspend(sim: Sim) -> None:
    generation = sim.raw(CILIUM_KS)["metadata"]["generation"]
    revision = sim.loaded(CILIUM_KS)["status"]["lastAppliedRevision"]

    suspended = sim.actions().suspend(CILIUM_KS)
    assert suspended.succeeded, lines(suspended)
    assert lines(suspended) == [
        "► suspending kustomization cilium in flux-system namespace",
        "✔ kustomization suspended",
    ]
    listing = sim.api.calls[0]
    assert (listing.method, listing.query["fieldSelector"]) == ("GET", "metadata.name=cilium")
    assert (
        listing.path == "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations"
    )
    assert sim.api.patches()[-1].body == {"spec": {"suspend": True}}
    obj = sim.raw(CILIUM_KS)
    assert obj["spec"]["suspend"] is True
    assert obj["metadata"]["generation"] == generation + 1

    resumed = sim.actions().resume(CILIUM_KS)
    assert resumed.succeeded, lines(resumed)
    assert lines(resumed) == [
        "► resuming kustomization cilium in flux-system namespace",
        "✔ kustomization resumed",
        "◎ waiting for Kustomization reconciliation",
        "✔ Kustomization cilium reconciliation completed",
        f"✔ applied revision {revision}",
    ]
    assert sim.api.patches()[-1].body == {"spec": {"suspend": None}}
    obj = sim.raw(CILIUM_KS)
    assert "suspend" not in obj["spec"]
    assert obj["metadata"]["generation"] == generation + 2
    # Resume waited for the controller to reconcile the new generation.
    assert obj["status"]["observedGeneration"] == generation + 2


def test_resume_of_suspended_release_waits_for_ready(sim: Sim) -> None:
    chart = deployed_chart(sim.loaded(PLEX))
    outcome = sim.actions().resume(PLEX)
    assert outcome.succeeded, lines(outcome)
    assert lines(outcome)[-2:] == [
        "✔ HelmRelease plex reconciliation completed",
        f"✔ applied revision {chart}",
    ]
    assert outcome.message == f"HelmRelease plex/plex resumed: applied revision {chart}"


def test_suspend_of_missing_name_succeeds_like_flux(sim: Sim) -> None:
    outcome = sim.actions().suspend(ObjectRef("Kustomization", "flux-system", "nope"))
    assert outcome.succeeded  # flux suspend exits 0
    assert lines(outcome) == ["✗ Kustomization nope not found in flux-system namespace"]
    assert sim.api.patches() == []
