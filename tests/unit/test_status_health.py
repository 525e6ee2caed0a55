"""`health_of`: one test per rule, then the verdict for every object of the shared Flux fixture."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import FIXTURES_ROOT
from tuiops.domain.decode_live import decode_live_object
from tuiops.domain.live import LiveObject
from tuiops.domain.status import Condition, ConditionStatus, Health, find_condition, health_of

FLUX = FIXTURES_ROOT / "flux"
T, F, U = ConditionStatus.TRUE, ConditionStatus.FALSE, ConditionStatus.UNKNOWN


def cond(type_: str, status: ConditionStatus, reason: str = "", gen: int = 0) -> Condition:
    return Condition(type_, status, reason, observed_generation=gen)


def test_ready_true_is_ready() -> None:
    assert health_of([cond("Ready", T, "Succeeded")]) is Health.READY


def test_ready_false_is_failed() -> None:
    assert health_of([cond("Ready", F, "BuildFailed")]) is Health.FAILED


def test_dependency_not_ready_is_failed_like_flux_reconcile_reports_it() -> None:
    assert health_of([cond("Ready", F, "DependencyNotReady")]) is Health.FAILED


def test_ready_unknown_while_progressing_is_progressing() -> None:
    assert health_of([cond("Ready", U, "Progressing")]) is Health.PROGRESSING


def test_ready_unknown_for_another_reason_is_unknown() -> None:
    assert health_of([cond("Ready", U, "SomethingElse")]) is Health.UNKNOWN


def test_no_ready_condition_is_unknown() -> None:
    assert health_of([]) is Health.UNKNOWN
    assert health_of([cond("Healthy", T)]) is Health.UNKNOWN


def test_unobserved_generation_is_progressing_even_if_ready() -> None:
    ready = [cond("Ready", T, "Succeeded", gen=1)]
    assert health_of(ready, generation=2, observed_generation=1) is Health.PROGRESSING


def test_schema_default_observed_generation_minus_one_is_progressing() -> None:
    assert health_of([], generation=1, observed_generation=-1) is Health.PROGRESSING


def test_missing_observed_generation_skips_the_generation_check() -> None:
    ready = [cond("Ready", T, "Succeeded")]
    assert health_of(ready, generation=5, observed_generation=None) is Health.READY


def test_reconciling_true_is_progressing() -> None:
    conditions = [cond("Reconciling", T, "Progressing"), cond("Ready", T, "Succeeded")]
    assert health_of(conditions, generation=1, observed_generation=1) is Health.PROGRESSING


def test_stalled_is_failed_even_when_ready_looks_fine() -> None:
    conditions = [cond("Stalled", T, "RetriesExceeded", gen=3), cond("Ready", T, gen=3)]
    assert health_of(conditions, generation=3, observed_generation=3) is Health.FAILED


def test_stalled_on_current_generation_beats_a_lagging_observed_generation() -> None:
    conditions = [cond("Stalled", T, "InvalidCELExpression", gen=4), cond("Ready", F, gen=4)]
    assert health_of(conditions, generation=4, observed_generation=3) is Health.FAILED


def test_stalled_from_an_older_generation_gives_way_to_the_new_spec() -> None:
    conditions = [cond("Stalled", T, "RetriesExceeded", gen=5), cond("Ready", F, gen=5)]
    assert health_of(conditions, generation=6, observed_generation=5) is Health.PROGRESSING


def test_failing_with_retry_is_failed_not_progressing() -> None:
    # source-controller: Ready=False for gen 2, Reconciling=ProgressingWithRetry, status lags.
    conditions = [
        cond("Reconciling", T, "ProgressingWithRetry", gen=2),
        cond("Ready", F, "GitOperationFailed", gen=2),
    ]
    assert health_of(conditions, generation=2, observed_generation=1) is Health.FAILED


def test_retry_verdict_on_an_older_generation_is_progressing() -> None:
    conditions = [
        cond("Reconciling", T, "ProgressingWithRetry", gen=1),
        cond("Ready", F, "GitOperationFailed", gen=1),
    ]
    assert health_of(conditions, generation=2, observed_generation=1) is Health.PROGRESSING


def test_suspended_wins_over_everything() -> None:
    conditions = [cond("Stalled", T, "RetriesExceeded", gen=6), cond("Ready", F, gen=6)]
    assert health_of(conditions, generation=6, observed_generation=6, suspended=True) is (
        Health.SUSPENDED
    )
    # `flux suspend` bumps the generation and nothing observes it.
    stale = [cond("Ready", T, "ReconciliationSucceeded", gen=5)]
    assert health_of(stale, generation=6, observed_generation=5, suspended=True) is (
        Health.SUSPENDED
    )


def test_deleting_is_progressing() -> None:
    assert health_of([cond("Ready", T)], deleting=True) is Health.PROGRESSING


def test_condition_status_parse_and_find() -> None:
    assert ConditionStatus.parse("True") is T
    assert ConditionStatus.parse("true") is U
    conditions = [cond("Healthy", T), cond("Ready", F, "X"), cond("Ready", T)]
    found = find_condition(conditions, "Ready")
    assert found is not None and found.reason == "X"
    assert find_condition(conditions, "Stalled") is None


def test_rank_puts_failed_first_and_ready_last() -> None:
    ranked = sorted(Health, key=lambda h: h.rank)
    assert ranked[0] is Health.FAILED and ranked[-1] is Health.READY


# What the fixture README says each object is: ready / failing / DependencyNotReady / suspended /
# in progress. Written from the README and by reading each object's conditions.
EXPECTED_HEALTH = {
    "GitRepository/flux-system/flux-system": Health.READY,
    "GitRepository/flux-system/charts-internal": Health.FAILED,  # auth error, retrying
    "HelmRepository/flux-system/podinfo": Health.READY,
    "HelmRepository/flux-system/prometheus-community": Health.READY,  # OCI, no artifact
    "HelmChart/flux-system/apps-podinfo": Health.READY,
    "OCIRepository/flux-system/cert-manager": Health.READY,
    "Kustomization/flux-system/flux-system": Health.READY,
    "Kustomization/flux-system/infra-controllers": Health.READY,
    "Kustomization/flux-system/infra-configs": Health.FAILED,  # ReconciliationFailed
    "Kustomization/flux-system/apps": Health.FAILED,  # DependencyNotReady
    "Kustomization/flux-system/monitoring": Health.SUSPENDED,
    "Kustomization/flux-system/tenants": Health.PROGRESSING,  # Reconciling=True, Ready=Unknown
    "HelmRelease/apps/podinfo": Health.READY,
    "HelmRelease/cert-manager/cert-manager": Health.READY,
    "HelmRelease/monitoring/kube-prometheus-stack": Health.FAILED,  # Stalled RetriesExceeded
}


def _fixture_objects() -> list[LiveObject]:
    items: list[dict[str, Any]] = json.loads(
        (FLUX / "flux-objects.sample.json").read_text(encoding="utf-8")
    )["items"]
    return [decode_live_object(item) for item in items]


@pytest.fixture(scope="module")
def live_objects() -> dict[str, LiveObject]:
    return {str(obj.ref): obj for obj in _fixture_objects()}


def test_fixture_objects_are_exactly_the_ones_the_readme_lists(
    live_objects: dict[str, LiveObject],
) -> None:
    assert sorted(live_objects) == sorted(EXPECTED_HEALTH)


@pytest.mark.parametrize(("ref", "expected"), sorted(EXPECTED_HEALTH.items()))
def test_fixture_health(live_objects: dict[str, LiveObject], ref: str, expected: Health) -> None:
    assert live_objects[ref].health is expected


def test_only_the_dependency_blocked_kustomization_waits_on_a_dependency(
    live_objects: dict[str, LiveObject],
) -> None:
    waiting = [ref for ref, obj in live_objects.items() if obj.waiting_on_dependency]
    assert waiting == ["Kustomization/flux-system/apps"]
