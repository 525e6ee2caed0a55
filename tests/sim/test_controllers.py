"""The simulated Flux controllers answering requests the way docs/flux-api.md §4 describes:
reconcile requests, suspend/resume, force/reset on a release that keeps failing, dependency
gating and healing, upgrades from a repo edit (and a Git commit), Events and log lines."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.sim.test_scenarios import check_log_line, decode
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.clock import rfc3339_nano
from tuiops.sim.cluster import SimulatedCluster
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.sim.flux.controllers import FluxControllers
from tuiops.sim.flux.pods import pod_name
from tuiops.sim.scenarios.catalog import Scenario, build_scenario, install_scenario

JsonObject = dict[str, Any]
TIMEOUT = 10.0
REQUESTED = "reconcile.fluxcd.io/requestedAt"


@pytest.fixture(scope="module")
def degraded() -> Scenario:
    return build_scenario("degraded")


@pytest.fixture(scope="module")
def healthy() -> Scenario:
    return build_scenario("healthy")


@dataclass
class Running:
    """A started cluster with a scenario and controllers, and helpers to poke at it."""

    cluster: SimulatedCluster
    controllers: FluxControllers
    scenario: Scenario

    def get(self, key: str) -> JsonObject:
        kind, namespace, name = key.split("/", 2)
        obj = self.cluster.store.get(type_for_kind(kind), namespace, name)
        assert obj is not None, key
        return obj

    def edit(self, key: str, change: Callable[[JsonObject], None]) -> None:
        kind, namespace, name = key.split("/", 2)
        self.cluster.store.update(type_for_kind(kind), namespace, name, change)

    def request(self, key: str, *extra: str) -> str:
        """What `flux reconcile` patches: requestedAt (and forceAt/resetAt) = one timestamp."""
        value = rfc3339_nano(self.cluster.clock.now())

        def annotate(obj: JsonObject) -> None:
            annotations = obj["metadata"].setdefault("annotations", {})
            for name in ("requestedAt", *extra):
                annotations[f"reconcile.fluxcd.io/{name}"] = value

        self.edit(key, annotate)
        return value

    def wait(self, key: str, done: Callable[[JsonObject], bool]) -> JsonObject:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            obj = self.get(key)
            if done(obj):
                return obj
            time.sleep(0.005)
        pytest.fail(f"{key} did not get there in {TIMEOUT}s: {self.get(key).get('status')}")

    def handled(self, key: str, value: str) -> JsonObject:
        self.wait(key, lambda o: o["status"].get("lastHandledReconcileAt") == value)
        assert self.controllers.wait_idle(TIMEOUT)
        return self.get(key)

    def logs(self, controller: str) -> list[str]:
        records = self.cluster.logs.read("flux-system", pod_name(controller), "manager")
        return [r.text for r in records]

    def events_for(self, key: str) -> list[JsonObject]:
        kind, namespace, name = key.split("/", 2)
        events, _ = self.cluster.store.list_objects(type_for_kind("Event"), namespace)
        return [
            e
            for e in events
            if e["involvedObject"]["kind"] == kind and e["involvedObject"]["name"] == name
        ]


@contextmanager
def running(scenario: Scenario, repo: Path | None, delay: float = 0.05) -> Iterator[Running]:
    cluster = SimulatedCluster()
    install_scenario(cluster, scenario)
    cluster.start()
    controllers = FluxControllers(cluster, scenario, repo, delay=delay).start()
    try:
        yield Running(cluster, controllers, scenario)
    finally:
        controllers.stop()
        cluster.stop()
    assert controllers.errors == []


def cond(obj: JsonObject, type_: str) -> JsonObject:
    found = [c for c in obj["status"].get("conditions", []) if c["type"] == type_]
    return found[0] if found else {}


def ready(obj: JsonObject) -> tuple[str, str]:
    condition = cond(obj, "Ready")
    return condition.get("status", ""), condition.get("reason", "")


def test_request_goes_through_progressing_to_ready(degraded: Scenario) -> None:
    ks = "Kustomization/flux-system/cilium"
    with running(degraded, EXAMPLE_REPO, delay=0.3) as sim:
        value = sim.request(ks)
        progressing = sim.wait(ks, lambda o: cond(o, "Reconciling").get("status") == "True")
        assert ready(progressing) == ("Unknown", "Progressing")
        assert cond(progressing, "Reconciling")["message"].startswith("Fetching manifests for ")
        done = sim.handled(ks, value)
        assert ready(done) == ("True", "ReconciliationSucceeded")
        assert not cond(done, "Reconciling")
        git = sim.get("GitRepository/flux-system/cluster")["status"]["artifact"]["revision"]
        assert done["status"]["lastAppliedRevision"] == git
        assert cond(done, "Ready")["message"] == f"Applied revision: {git}"
        assert done["status"]["observedGeneration"] == done["metadata"]["generation"]
        assert done["status"]["history"][0]["metadata"]["revision"] == git
        reasons = [e["reason"] for e in sim.events_for(ks)]
        assert "ReconciliationSucceeded" in reasons
        hr = "HelmRelease/immich/immich"
        value = sim.request(hr)
        done = sim.handled(hr, value)
        assert ready(done)[0] == "True"
        assert done["status"]["observedGeneration"] == done["metadata"]["generation"]


def test_log_lines_are_json_in_zap_order(degraded: Scenario) -> None:
    with running(degraded, None) as sim:
        before = {c: len(sim.logs(c)) for c in ("kustomize-controller", "notification-controller")}
        value = sim.request("Kustomization/flux-system/traefik")
        sim.handled("Kustomization/flux-system/traefik", value)
        sim.controllers.fail(
            "Kustomization/flux-system/blocky", "Deployment/blocky/x dry-run failed"
        )
        value = sim.request("Kustomization/flux-system/blocky")
        failed = sim.handled("Kustomization/flux-system/blocky", value)
        assert ready(failed) == ("False", "ReconciliationFailed")
        kustomize = sim.logs("kustomize-controller")[before["kustomize-controller"] :]
        notify = sim.logs("notification-controller")[before["notification-controller"] :]
        lines = [check_log_line(text) for text in kustomize + notify]
        assert any(d.get("msg") == "server-side apply completed" for d in lines)
        errors = [d for d in lines if d["level"] == "error"]
        assert errors and errors[0]["error"] == "Deployment/blocky/x dry-run failed"
        assert errors[0]["msg"].startswith("Reconciliation failed after ")
        dispatched = [d for d in lines if d["msg"] == "dispatching event"]
        assert {d["eventInvolvedObject"]["name"] for d in dispatched} >= {"traefik", "blocky"}
        for controller in ("source-controller", "helm-controller"):
            for text in sim.logs(controller):
                check_log_line(text)
        warnings = [
            e for e in sim.events_for("Kustomization/flux-system/blocky") if e["type"] == "Warning"
        ]
        assert warnings and warnings[0]["reason"] == "ReconciliationFailed"


def test_suspend_only_logs_and_resume_reconciles(degraded: Scenario) -> None:
    ks = "Kustomization/flux-system/jellyfin"
    with running(degraded, None) as sim:
        before = sim.get(ks)
        events = len(sim.events_for(ks))
        sim.edit(ks, lambda o: o["spec"].update(suspend=True))
        suspended = "Reconciliation is suspended for this object"

        def logged() -> bool:
            return any(
                suspended in t and '"name":"jellyfin"' in t
                for t in sim.logs("kustomize-controller")
            )

        deadline = time.monotonic() + TIMEOUT
        while not logged() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert logged()
        assert sim.controllers.wait_idle(TIMEOUT)
        after = sim.get(ks)
        assert after["status"] == before["status"]
        assert after["metadata"]["generation"] == before["metadata"]["generation"] + 1
        assert len(sim.events_for(ks)) == events

        def resume(obj: JsonObject) -> None:
            obj["spec"].pop("suspend")

        sim.edit(ks, resume)
        generation = after["metadata"]["generation"] + 1
        done = sim.wait(ks, lambda o: o["status"].get("observedGeneration") == generation)
        assert ready(done) == ("True", "ReconciliationSucceeded")
        assert cond(done, "Ready")["observedGeneration"] == generation
        assert len(sim.events_for(ks)) > events


def test_force_and_reset_on_the_failing_release(degraded: Scenario) -> None:
    (key,) = degraded.roles["failing"]
    with running(degraded, EXAMPLE_REPO, delay=0.1) as sim:
        start = sim.get(key)["status"]
        wanted = start["lastAttemptedRevision"]
        # A plain request cannot move a stalled release.
        value = sim.request(key)
        plain = sim.handled(key, value)["status"]
        assert plain["history"] == start["history"] and plain["failures"] == 4
        assert cond(sim.get(key), "Stalled")["reason"] == "RetriesExceeded"
        assert any("cannot remediate failed release" in t for t in sim.logs("helm-controller"))
        # --force --reset: failures start from zero and the upgrade is retried until exhausted.
        value = sim.request(key, "forceAt", "resetAt")
        seen: set[int] = set()
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            status = sim.get(key)["status"]
            seen.add(int(status.get("failures", 0)))
            if status.get("lastHandledResetAt") == value and cond(sim.get(key), "Stalled"):
                break
            time.sleep(0.003)
        assert sim.controllers.wait_idle(TIMEOUT)
        obj = sim.get(key)
        status = obj["status"]
        assert min(seen) < 4, seen
        assert status["lastHandledForceAt"] == status["lastHandledResetAt"] == value
        assert status["lastHandledReconcileAt"] == value
        assert status["failures"] == status["upgradeFailures"] == 4
        assert cond(obj, "Stalled")["status"] == "True"
        assert ready(obj) == ("False", "UpgradeFailed")
        assert sim.scenario.failing[key] in cond(obj, "Ready")["message"]
        assert cond(obj, "Remediated")["reason"] == "RollbackSucceeded"
        history = status["history"]
        assert (
            history[0]["status"] == "failed"
            and history[0]["version"] > start["history"][0]["version"]
        )
        deployed = next(e for e in history if e["status"] == "deployed")
        assert status["lastAttemptedRevision"] == wanted != deployed["chartVersion"]
        failed_events = [e for e in sim.events_for(key) if e["reason"] == "UpgradeFailed"]
        assert failed_events[0]["count"] == 8


def test_heal_makes_the_chain_ready(degraded: Scenario) -> None:
    (root,) = degraded.roles["failing"]
    chain = (root, *degraded.roles["blocked"])
    with running(degraded, EXAMPLE_REPO) as sim:
        for key in chain:
            assert ready(sim.get(key))[0] == "False"
        sim.controllers.heal(root)
        assert root not in sim.controllers.failing
        for key in chain:
            sim.wait(key, lambda o: ready(o)[0] == "True")
        assert sim.controllers.wait_idle(TIMEOUT)
        fixed = sim.get(root)["status"]
        assert fixed["history"][0]["status"] == "deployed"
        assert fixed["history"][0]["chartVersion"] == fixed["lastAttemptedRevision"]
        assert "failures" not in fixed
        assert not cond(sim.get(root), "Stalled") and not cond(sim.get(root), "Remediated")
        for key in chain[1:]:
            assert (
                sim.get(key)["status"]["observedGeneration"]
                == sim.get(key)["metadata"]["generation"]
            )


def test_dependency_not_ready_repeats_aggregate(degraded: Scenario) -> None:
    key = degraded.roles["blocked"][-1]
    with running(degraded, None) as sim:
        (event,) = [e for e in sim.events_for(key) if e["reason"] == "DependencyNotReady"]
        value = sim.request(key)
        obj = sim.handled(key, value)
        assert ready(obj) == ("False", "DependencyNotReady")
        (again,) = [e for e in sim.events_for(key) if e["reason"] == "DependencyNotReady"]
        assert again["metadata"]["name"] == event["metadata"]["name"]
        assert again["count"] == event["count"] + 1
        assert again["lastTimestamp"] >= event["lastTimestamp"]


def bump(version: str) -> str:
    major, minor, patch = version.split(".")
    return f"{major}.{minor}.{int(patch) + 1}"


def edit_version(repo: Path, component: str, old: str, new: str) -> None:
    path = next(repo.glob(f"clusters/main/kubernetes/*/{component}/app/helm-release.yaml"))
    text = path.read_text(encoding="utf-8")
    assert f"version: {old}\n" in text
    path.write_text(text.replace(f"version: {old}\n", f"version: {new}\n"), encoding="utf-8")


def storage(sim: Running, namespace: str, release: str) -> dict[int, JsonObject]:
    secrets, _ = sim.cluster.store.list_objects(type_for_kind("Secret"), namespace)
    return {
        int(s["metadata"]["labels"]["version"]): s
        for s in secrets
        if s["metadata"]["labels"].get("name") == release
    }


def test_upgrade_from_a_repo_edit(healthy: Scenario, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE_REPO, repo)
    key = "HelmRelease/kube-system/metrics-server"
    with running(healthy, repo) as sim:
        before = sim.get(key)
        old = before["spec"]["chart"]["spec"]["version"]
        new = bump(old)
        edit_version(repo, "metrics-server", old, new)
        head = before["status"]["history"][0]
        value = sim.request(key)
        obj = sim.handled(key, value)
        history = obj["status"]["history"]
        assert (history[0]["chartVersion"], history[0]["status"]) == (new, "deployed")
        assert history[0]["version"] == head["version"] + 1
        assert (history[1]["version"], history[1]["status"]) == (head["version"], "superseded")
        assert obj["spec"]["chart"]["spec"]["version"] == new
        secrets = storage(sim, "kube-system", "metrics-server")
        newest, previous = secrets[history[0]["version"]], secrets[head["version"]]
        assert newest["metadata"]["labels"]["status"] == "deployed"
        assert previous["metadata"]["labels"]["status"] == "superseded"
        assert decode(previous["data"]["release"])["info"]["status"] == "superseded"
        assert decode(newest["data"]["release"])["chart"]["metadata"]["version"] == new
        assert len(secrets) <= obj["spec"].get("maxHistory", 5)
        chart = "HelmChart/flux-system/kube-system-metrics-server"
        sim.wait(chart, lambda o: o["status"]["artifact"]["revision"] == new)
        messages = [e["message"] for e in sim.events_for(key) if e["reason"] == "UpgradeSucceeded"]
        assert any(m.endswith(f"with chart metrics-server@{new}") for m in messages)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=sim", "-c", "user.email=sim@example.org", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return done.stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_commit_flows_through_source_kustomization_and_release(
    healthy: Scenario, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE_REPO, repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    key = "HelmRelease/kube-system/descheduler"
    with running(healthy, repo) as sim:
        old = sim.get(key)["spec"]["chart"]["spec"]["version"]
        edit_version(repo, "descheduler", old, bump(old))
        git(repo, "commit", "-q", "-am", f"chore(deps): update descheduler to {bump(old)}")
        sha = git(repo, "rev-parse", "HEAD")
        source = "GitRepository/flux-system/cluster"
        value = sim.request(source)
        fetched = sim.wait(source, lambda o: o["status"].get("lastHandledReconcileAt") == value)
        assert fetched["status"]["artifact"]["revision"] == f"main@sha1:{sha}"
        new_artifact = [e for e in sim.events_for(source) if e["reason"] == "NewArtifact"]
        assert any(f"update descheduler to {bump(old)}" in e["message"] for e in new_artifact)
        ks = "Kustomization/flux-system/descheduler"
        sim.wait(ks, lambda o: o["status"].get("lastAppliedRevision") == f"main@sha1:{sha}")
        done = sim.wait(key, lambda o: o["status"]["history"][0]["chartVersion"] == bump(old))
        assert done["status"]["history"][0]["status"] == "deployed"
        assert sim.controllers.wait_idle(TIMEOUT)
