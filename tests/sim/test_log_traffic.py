"""A controller rollout (`log_traffic.replace_controller_pod`) as the simulated controllers see
it: the lines they write after it land in the new pod's log, read back through the API server
with the real kubectl, and the old pod's log gets nothing more."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sim.conftest import KubectlCluster
from tests.sim.test_controllers import TIMEOUT, ready, running
from tests.sim.test_scenarios import check_log_line
from tuiops.sim.cluster import SimulatedCluster
from tuiops.sim.flux.log_traffic import replace_controller_pod
from tuiops.sim.flux.pods import CONTAINER, FLUX_NAMESPACE, current_pod, pod_name
from tuiops.sim.scenarios.catalog import Scenario, build_scenario, install_scenario

KUSTOMIZE = "kustomize-controller"
NOTIFICATION = "notification-controller"
KS = "Kustomization/flux-system/traefik"


@pytest.fixture(scope="module")
def degraded() -> Scenario:
    return build_scenario("degraded")


def _kubectl(cluster: SimulatedCluster, tmp_path: Path) -> KubectlCluster:
    cache_dir = tmp_path / "kube-cache"
    cache_dir.mkdir()
    return KubectlCluster(cluster, cluster.write_kubeconfig(tmp_path / "kubeconfig"), cache_dir)


def _logs(kubectl: KubectlCluster, pod: str) -> list[str]:
    """The pod's `manager` log as `kubectl logs` prints it (fails the test on an error)."""
    result = kubectl.kubectl("logs", "-n", FLUX_NAMESPACE, pod, "-c", CONTAINER)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def _held(cluster: SimulatedCluster, pod: str) -> list[str]:
    return [record.text for record in cluster.logs.read(FLUX_NAMESPACE, pod, CONTAINER)]


def test_current_pod_follows_each_rollout(degraded: Scenario) -> None:
    cluster = SimulatedCluster()
    install_scenario(cluster, degraded)
    assert current_pod(cluster.store, KUSTOMIZE) == pod_name(KUSTOMIZE)
    first = replace_controller_pod(cluster, KUSTOMIZE)
    assert first != pod_name(KUSTOMIZE)
    assert current_pod(cluster.store, KUSTOMIZE) == first
    second = replace_controller_pod(cluster, KUSTOMIZE)
    assert second not in (first, pod_name(KUSTOMIZE))
    assert current_pod(cluster.store, KUSTOMIZE) == second
    assert current_pod(cluster.store, "helm-controller") == pod_name("helm-controller")


def test_after_a_rollout_reconcile_lines_land_in_the_new_pod(
    degraded: Scenario, tmp_path: Path
) -> None:
    with running(degraded, None) as sim:
        kubectl = _kubectl(sim.cluster, tmp_path)
        assert sim.controllers.wait_idle(TIMEOUT)
        old = {c: pod_name(c) for c in (KUSTOMIZE, NOTIFICATION)}
        before = {c: _logs(kubectl, pod) for c, pod in old.items()}
        assert all(before.values())
        new = {c: replace_controller_pod(sim.cluster, c) for c in old}

        value = sim.request(KS)
        assert ready(sim.handled(KS, value))[0] == "True"

        kustomize = [check_log_line(text) for text in _logs(kubectl, new[KUSTOMIZE])]
        traefik = [d for d in kustomize if d.get("name") == "traefik"]
        assert any(d["msg"].startswith("Reconciliation finished in ") for d in traefik)
        notify = [check_log_line(text) for text in _logs(kubectl, new[NOTIFICATION])]
        assert any(
            d["msg"] == "dispatching event" and d["eventInvolvedObject"]["name"] == "traefik"
            for d in notify
        )
        for controller, pod in old.items():
            # The old pod is gone from the API, and its log did not grow after the rollout.
            gone = kubectl.kubectl("logs", "-n", FLUX_NAMESPACE, pod, "-c", CONTAINER)
            assert gone.returncode != 0 and "NotFound" in gone.stderr
            assert _held(sim.cluster, pod) == before[controller]
