"""The list+watch adapter against the simulated API server, through every injected fault:
its view must match the server again within 5 s, with nothing stale and nothing twice."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.contract.conftest import LiveCluster
from tuiops.adapters.kube_watch import ResourceWatcher
from tuiops.domain.feed import FeedState
from tuiops.domain.kinds import HELM_RELEASE, KUSTOMIZATION
from tuiops.sim.apiserver.resources import type_for_kind

CONVERGE_SECONDS = 5.0
KS = type_for_kind("Kustomization")


def _versions(obj: dict[str, object]) -> str:
    metadata = obj["metadata"]
    assert isinstance(metadata, dict)
    return str(metadata["resourceVersion"])


def _server_view(live: LiveCluster) -> dict[tuple[str, str], str]:
    items, _ = live.cluster.store.list_objects(KS)
    return {(o["metadata"]["namespace"], o["metadata"]["name"]): _versions(o) for o in items}


def _wait_until(check: Callable[[], bool], seconds: float = CONVERGE_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def _start(live: LiveCluster) -> ResourceWatcher[str]:
    watcher = ResourceWatcher(live.api, KUSTOMIZATION, _versions, watch_seconds=30).start()
    assert watcher.synced.wait(5)
    return watcher


def _matches(live: LiveCluster, watcher: ResourceWatcher[str]) -> Callable[[], bool]:
    return lambda: watcher.snapshot() == _server_view(live)


def _churn(live: LiveCluster, start: int) -> None:
    """Add, change and delete objects so a resumed watch has something to miss."""
    for index in range(start, start + 5):
        KS_obj = {
            "metadata": {"name": f"late-{index}", "namespace": "flux-system"},
            "spec": {"path": "./late", "prune": True},
        }
        live.cluster.store.create(KS, KS_obj)
    live.cluster.store.update(
        KS, "flux-system", "generated-0001", lambda o: o["spec"].update(path="./changed")
    )
    live.cluster.store.delete(KS, "flux-system", f"generated-{start:04d}")


def test_initial_list_spans_pages_and_matches(live_cluster: LiveCluster) -> None:
    watcher = _start(live_cluster)
    try:
        # 6 sample Kustomizations + 1200 generated: three pages of 500.
        assert len(watcher.snapshot()) == 1206
        assert watcher.status.state is FeedState.LIVE
        _churn(live_cluster, 10)
        assert _wait_until(_matches(live_cluster, watcher))
    finally:
        watcher.stop()


@pytest.mark.parametrize("fault", ["drop", "expire", "restart", "compact-and-drop"])
def test_view_converges_after_fault(live_cluster: LiveCluster, fault: str) -> None:
    watcher = _start(live_cluster)
    try:
        faults, cluster = live_cluster.cluster.faults, live_cluster.cluster
        if fault == "drop":
            faults.drop_watches()
        elif fault == "expire":
            faults.expire_watches()
        elif fault == "restart":
            cluster.restart(downtime=0.3)
        else:
            cluster.store.compact()
            faults.drop_watches()
        _churn(live_cluster, 20)
        # The old stream may deliver the churn before it is cut, so wait for both: the view
        # matches and the feed is live again (on a new connection).
        matches = _matches(live_cluster, watcher)
        assert _wait_until(lambda: matches() and watcher.status.state is FeedState.LIVE), fault
        # Changes after recovery still arrive.
        _churn(live_cluster, 40)
        assert _wait_until(_matches(live_cluster, watcher)), fault
    finally:
        watcher.stop()


def test_forbidden_is_a_state_not_an_empty_list(live_cluster: LiveCluster) -> None:
    live_cluster.cluster.faults.forbid("list", "helmreleases")
    watcher = ResourceWatcher(live_cluster.api, HELM_RELEASE, _versions).start()
    try:
        assert watcher.synced.wait(5)
        assert watcher.status.state is FeedState.FORBIDDEN
        assert 'cannot list resource "helmreleases"' in watcher.status.message
    finally:
        watcher.stop()


def test_unreachable_server_then_recovery(live_cluster: LiveCluster) -> None:
    watcher = _start(live_cluster)
    try:
        live_cluster.cluster.stop()
        assert _wait_until(lambda: watcher.status.state is FeedState.RECONNECTING)
        assert len(watcher.snapshot()) == 1206, "the last known objects are kept"
        live_cluster.cluster.start()
        _churn(live_cluster, 60)
        assert _wait_until(_matches(live_cluster, watcher), 8.0)
    finally:
        watcher.stop()


def test_latency_and_errors_still_converge(live_cluster: LiveCluster) -> None:
    live_cluster.cluster.faults.latency = 0.05
    live_cluster.cluster.faults.error_rate = 0.3
    watcher = ResourceWatcher(live_cluster.api, KUSTOMIZATION, _versions, watch_seconds=2).start()
    try:
        _churn(live_cluster, 80)
        assert _wait_until(_matches(live_cluster, watcher), 10.0)
    finally:
        watcher.stop()
