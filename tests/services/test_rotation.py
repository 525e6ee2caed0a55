"""The rotation service on fakes and the example repo: what a key reaches (dependencies first),
whether a workload picks a value up, and the refusals. End to end: tests/test_cli_env_rotate.py."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tuiops.domain.actions import ActionOutcome, FluxVerb
from tuiops.domain.refs import ObjectRef
from tuiops.domain.rotation import (
    PickUp,
    RotationStep,
    StepStatus,
    WorkloadSpec,
    commit_message,
    judge,
    workload_spec,
)
from tuiops.errors import TuiopsError
from tuiops.gitops.loader import load_repo
from tuiops.services.rotation import (
    RotationRefused,
    RotationRequest,
    SecretRotation,
)
from tuiops.services.rotation_targets import rotation_targets
from tuiops.sim.example_repo import EXAMPLE_REPO

KS = "Kustomization"


class FakeGit:
    def __init__(self, *, clean: bool = False, remote: bool = False, fail: str = "") -> None:
        self.clean, self.remote, self.fail = clean, remote, fail
        self.commits: list[tuple[tuple[str, ...], str]] = []
        self.pushes = 0

    def head(self) -> str:
        return "a" * 40

    def is_clean(self, paths: Sequence[str | Path]) -> bool:
        return self.clean

    def commit(self, paths: Sequence[str | Path], message: str) -> str:
        if self.fail:
            raise TuiopsError(self.fail)
        self.commits.append((tuple(str(p) for p in paths), message))
        return "b" * 40

    def remote_configured(self) -> bool:
        return self.remote

    def push(self) -> str:
        self.pushes += 1
        return "pushed to origin/main"


class FakeControl:
    def __init__(self, failing: frozenset[ObjectRef] = frozenset()) -> None:
        self.failing = failing
        self.calls: list[ObjectRef] = []

    def reconcile(
        self, ref: ObjectRef, *, with_source: bool = False, force: bool = False, reset: bool = False
    ) -> ActionOutcome:
        self.calls.append(ref)
        ok = ref not in self.failing
        return ActionOutcome(FluxVerb.RECONCILE, ref, ok, "reconciled" if ok else "failed: boom")

    def suspend(self, ref: ObjectRef) -> ActionOutcome:
        raise AssertionError("not used")

    def resume(self, ref: ObjectRef, *, wait: bool = True) -> ActionOutcome:
        raise AssertionError("not used")


def _deployment(annotations: dict[str, str] | None = None, **template: Any) -> dict[str, Any]:
    return {
        "kind": "Deployment",
        "metadata": {"name": "app", "namespace": "ns", "generation": 3,
                     "annotations": annotations or {}},
        "spec": {"template": {"metadata": {"annotations": template.pop("pod_annotations", {})},
                              "spec": template}},
    }  # fmt: skip


def test_targets_follow_the_variable_and_depends_on() -> None:
    model = load_repo(EXAMPLE_REPO)
    targets = rotation_targets(model, EXAMPLE_REPO, ["CROWDSEC_BOUNCER_KEY"])
    assert set(targets.kustomizations) == {
        ObjectRef(KS, "flux-system", "crowdsec"),
        ObjectRef(KS, "flux-system", "traefik"),
    }
    assert targets.sources == (ObjectRef("GitRepository", "flux-system", "cluster"),)
    every = {
        ks.ref: ks
        for c in model.clusters
        for comp in c.all_components()
        for ks in comp.kustomizations
    }
    order = list(targets.kustomizations)
    for position, ref in enumerate(order):
        for dep in every[ref].depends_on:
            if dep in order:
                assert order.index(dep) < position
    nextcloud = rotation_targets(model, EXAMPLE_REPO, ["NEXTCLOUD_ADMIN_PWD"])
    assert nextcloud.helm_releases == (
        (
            ObjectRef("HelmRelease", "nextcloud", "nextcloud"),
            ObjectRef(KS, "flux-system", "nextcloud"),
        ),
    )
    unused = rotation_targets(model, EXAMPLE_REPO, ["NO_SUCH_KEY"])
    assert unused.kustomizations == ()
    # Nothing uses it, yet the commit is still the repo's source's to fetch.
    assert unused.sources == (ObjectRef("GitRepository", "flux-system", "cluster"),)


def test_pod_template_reads() -> None:
    spec = workload_spec(
        _deployment(
            containers=[{"env": [{"name": "P", "valueFrom": {"secretKeyRef": {"name": "db"}}}],
                         "envFrom": [{"configMapRef": {"name": "cfg"}}]}],
            initContainers=[{"envFrom": [{"secretRef": {"name": "init"}}]}],
            volumes=[{"name": "v", "secret": {"secretName": "certs"}},
                     {"name": "p", "projected": {"sources": [{"configMap": {"name": "proj"}}]}}],
        )
    )  # fmt: skip
    assert spec.ref == ObjectRef("Deployment", "ns", "app") and spec.generation == 3
    assert spec.reads == (
        ("env", "Secret", "db"),
        ("envFrom", "ConfigMap", "cfg"),
        ("envFrom", "Secret", "init"),
        ("volume", "ConfigMap", "proj"),
        ("volume", "Secret", "certs"),
    )


@pytest.mark.parametrize(
    ("raw", "before", "source", "helm", "expected"),
    [
        (_deployment(), 2, None, True, PickUp.ROLLED),
        (_deployment({"reloader.stakater.com/auto": "true"}), 3, ("Secret", "db"), False,
         PickUp.RELOADER),
        (_deployment({"secret.reloader.stakater.com/reload": "other, db"}), 3, ("Secret", "db"),
         False, PickUp.RELOADER),
        (_deployment({"secret.reloader.stakater.com/reload": "other"},
                     env=[]), 3, ("Secret", "db"), False, PickUp.RESTART_NEEDED),
        (_deployment(pod_annotations={"checksum/secret": "abc"}), 3, None, True, PickUp.CHECKSUM),
        (_deployment(pod_annotations={"checksum/secret": "abc"}), 3, ("Secret", "db"), False,
         PickUp.RESTART_NEEDED),
        (_deployment(volumes=[{"secret": {"secretName": "db"}}]), 3, ("Secret", "db"), False,
         PickUp.MOUNTED),
        (_deployment(), 3, None, True, PickUp.RESTART_NEEDED),
    ],
)  # fmt: skip
def test_who_picks_the_value_up(
    raw: dict[str, Any], before: int, source: tuple[str, str] | None, helm: bool, expected: PickUp
) -> None:
    spec: WorkloadSpec = workload_spec(raw)
    consumer = judge(spec, "via", generation_before=before, source=source, helm_values=helm)
    assert consumer.pick_up is expected
    assert consumer.needs_restart is (expected in (PickUp.MOUNTED, PickUp.RESTART_NEEDED))


def _request(**changes: Any) -> RotationRequest:
    base: dict[str, Any] = {
        "repo_root": EXAMPLE_REPO,
        "files": (EXAMPLE_REPO / "clusters/main/clusterenv.yaml",),
        "keys": ("CROWDSEC_BOUNCER_KEY",),
    }
    return RotationRequest(**{**base, **changes})


def test_run_reconciles_the_source_then_each_kustomization() -> None:
    git, control, steps = FakeGit(), FakeControl(), list[RotationStep]()
    summary = SecretRotation(git, control, None).run(_request(), steps.append)
    assert git.commits == (
        [
            (
                (str(EXAMPLE_REPO / "clusters/main/clusterenv.yaml"),),
                commit_message(("CROWDSEC_BOUNCER_KEY",)),
            )
        ]
    )
    assert control.calls[0] == ObjectRef("GitRepository", "flux-system", "cluster")
    assert set(control.calls[1:3]) == {
        ObjectRef(KS, "flux-system", n) for n in ("crowdsec", "traefik")
    }
    # Then the HelmRelease whose values use the key, watched to Ready.
    assert control.calls[3:] == [ObjectRef("HelmRelease", "crowdsec", "crowdsec")]
    assert summary.succeeded and summary.commit == "b" * 40
    assert [s.status for s in steps if s.phase == "commit"] == [StepStatus.RUNNING, StepStatus.OK]


def test_a_failed_kustomization_fails_the_summary_but_the_others_run() -> None:
    failing = frozenset({ObjectRef(KS, "flux-system", "crowdsec")})
    control = FakeControl(failing)
    summary = SecretRotation(FakeGit(), control, None).run(_request(), lambda step: None)
    assert not summary.succeeded
    assert ObjectRef(KS, "flux-system", "traefik") in control.calls
    bad = [r for r in summary.results if not r.ok]
    assert [(r.what, r.text) for r in bad] == [
        ("Kustomization/flux-system/crowdsec", "failed: boom"),
        (
            "HelmRelease/crowdsec/crowdsec",
            "not reconciled: Kustomization/flux-system/crowdsec failed",
        ),
    ]


def test_commit_failure_stops_before_any_reconcile() -> None:
    control = FakeControl()
    summary = SecretRotation(FakeGit(fail="git does not know who you are"), control, None).run(
        _request(), lambda step: None
    )
    assert not summary.succeeded and control.calls == [] and summary.commit == ""


def test_push_only_when_asked_and_a_remote_exists() -> None:
    steps: list[RotationStep] = []
    git = FakeGit(remote=True)
    SecretRotation(git, None, None).run(_request(reconcile=False), steps.append)
    assert git.pushes == 0
    assert any(s.phase == "push" and s.status is StepStatus.WARNING for s in steps)
    SecretRotation(git, None, None).run(_request(reconcile=False, push=True), steps.append)
    assert git.pushes == 1
    lonely = FakeGit(remote=False)
    summary = SecretRotation(lonely, None, None).run(
        _request(push=True, reconcile=False), steps.append
    )
    assert lonely.pushes == 0 and summary.succeeded


def test_refusals() -> None:
    with pytest.raises(RotationRefused, match="read-only"):
        SecretRotation(FakeGit(), FakeControl(), None, read_only=True).run(_request(), print)
    with pytest.raises(RotationRefused, match="no keys"):
        SecretRotation(FakeGit(), FakeControl(), None).run(_request(keys=()), print)
    offline = SecretRotation(FakeGit(), None, None).run(_request(), lambda step: None)
    assert not offline.succeeded


def test_already_committed_is_not_an_error() -> None:
    git = FakeGit(clean=True)
    summary = SecretRotation(git, FakeControl(), None).run(_request(), lambda step: None)
    assert git.commits == [] and summary.succeeded and summary.commit == "a" * 40
