"""Pod log streams through the Kubernetes adapter: backlog, tail, follow, a dropped server."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from tests.contract.conftest import LiveCluster
from tuiops.errors import ClusterUnreachable, NotFound
from tuiops.sim.apiserver.podlogs import LogRecord
from tuiops.sim.apiserver.resources import type_for_kind

POD = "kustomize-controller-abc"


def _pod(live: LiveCluster) -> None:
    live.cluster.store.create(
        type_for_kind("Pod"),
        {
            "metadata": {"name": POD, "namespace": "flux-system"},
            "spec": {"containers": [{"name": "manager"}]},
            "status": {"phase": "Running"},
        },
    )
    now = live.cluster.clock.now()
    for index in range(5):
        record = LogRecord(now - timedelta(seconds=50 - index), f'{{"msg":"line {index}"}}')
        live.cluster.logs.append("flux-system", POD, "manager", record)


def test_tail_returns_the_last_lines(live_cluster: LiveCluster) -> None:
    _pod(live_cluster)
    lines = list(live_cluster.api.log_lines("flux-system", POD, tail_lines=2))
    assert lines == ['{"msg":"line 3"}', '{"msg":"line 4"}']


def test_follow_streams_new_lines_then_reports_a_dropped_server(
    live_cluster: LiveCluster,
) -> None:
    _pod(live_cluster)
    stream = live_cluster.api.log_lines("flux-system", POD, follow=True, tail_lines=1)
    assert next(stream) == '{"msg":"line 4"}'
    record = LogRecord(live_cluster.cluster.clock.now(), '{"msg":"fresh"}')
    threading.Timer(
        0.2, live_cluster.cluster.logs.append, ("flux-system", POD, "manager", record)
    ).start()
    assert next(stream) == '{"msg":"fresh"}'
    threading.Timer(0.2, live_cluster.cluster.stop).start()
    with pytest.raises(ClusterUnreachable):
        for _line in stream:
            pass


def test_missing_pod_is_not_found(live_cluster: LiveCluster) -> None:
    with pytest.raises(NotFound, match='pods "nope" not found'):
        list(live_cluster.api.log_lines("flux-system", "nope"))
