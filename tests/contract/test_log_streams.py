"""The log streams (`adapters/log_streams.py`) against the simulator's real HTTP pod logs: what
is delivered must equal what the simulated containers wrote, line for line, in order, through
rollouts, cut streams, an API server restart and RBAC denials."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.faults import wait_for
from tuiops.adapters.kube_api import KubeApi
from tuiops.adapters.log_stream import ResumePoint, split_stamp
from tuiops.adapters.log_streams import KubeLogFeed, KubeLogReader
from tuiops.domain.log_records import LogQuery, LogRecord, StreamState, StreamStatus
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.clock import rfc3339_nano
from tuiops.sim.flux.log_traffic import pump_logs, replace_controller_pod
from tuiops.sim.flux.pods import CONTAINER, CONTROLLERS, FLUX_NAMESPACE, pod_name
from tuiops.sim.session import Simulation, start_simulation

SECONDS = 20.0
"""Longest wait for a condition (reconnects back off up to 5 s)."""
KUSTOMIZE = "kustomize-controller"


class Collected:
    """The consumer: every batch, in delivery order."""

    def __init__(self) -> None:
        self.records: list[LogRecord] = []
        self.batches = 0
        self._lock = threading.Lock()

    def __call__(self, batch: Sequence[LogRecord]) -> None:
        with self._lock:
            self.records.extend(batch)
            self.batches += 1

    def texts(self, pod: str) -> list[str]:
        with self._lock:
            return [record.text for record in self.records if record.stream.pod == pod]


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[Simulation]:
    with start_simulation("degraded", controllers=False, workdir=tmp_path / "sim") as simulation:
        yield simulation


@pytest.fixture
def api(sim: Simulation) -> Iterator[KubeApi]:
    kube = KubeApi(str(sim.kubeconfig), timeout=5.0)
    yield kube
    kube.close()


@pytest.fixture
def feeds() -> Iterator[list[KubeLogFeed]]:
    """Feeds a test started; stopped at its end whatever happened."""
    started: list[KubeLogFeed] = []
    yield started
    for feed in started:
        feed.stop()


def _held(
    sim: Simulation, pod: str, container: str = CONTAINER, ns: str = FLUX_NAMESPACE
) -> list[str]:
    """What the simulated container wrote (the truth)."""
    return [record.text for record in sim.cluster.logs.read(ns, pod, container)]


def _start(
    feeds: list[KubeLogFeed], feed: KubeLogFeed, collected: Collected | None = None
) -> Collected:
    sink = collected or Collected()
    feed.start(sink)
    feeds.append(feed)
    return sink


def _all(feed: KubeLogFeed, state: StreamState) -> Callable[[], bool]:
    def check() -> bool:
        statuses = feed.statuses()
        return bool(statuses) and all(status.state is state for status in statuses)

    return check


def _status(feed: KubeLogFeed, pod: str) -> StreamStatus | None:
    return next((s for s in feed.statuses() if s.stream.pod == pod and s.stream.container), None)


def _caught_up(sim: Simulation, sink: Collected, pod: str) -> Callable[[], bool]:
    return lambda: sink.texts(pod) == _held(sim, pod)


def _kustomize_pod(sim: Simulation) -> str:
    return pod_name(KUSTOMIZE)


def test_all_four_controllers_are_read_and_decoded(
    sim: Simulation, api: KubeApi, feeds: list[KubeLogFeed]
) -> None:
    feed = KubeLogReader(api).flux_logs(LogQuery(follow=False))
    sink = _start(feeds, feed)
    wait_for(_all(feed, StreamState.ENDED), SECONDS)
    assert sorted(s.stream.controller for s in feed.statuses()) == sorted(CONTROLLERS)
    for controller in CONTROLLERS:
        pod = pod_name(controller)
        status = _status(feed, pod)
        assert status is not None and status.stream.container == CONTAINER
        assert sink.texts(pod) == _held(sim, pod) and status.lines == len(_held(sim, pod))
    truth = {
        (pod_name(c), r.text): rfc3339_nano(r.time)
        for c in CONTROLLERS
        for r in sim.cluster.logs.read(FLUX_NAMESPACE, pod_name(c), CONTAINER)
    }
    for record in sink.records:
        assert record.line is not None and record.line.raw == record.text
        assert record.time == truth[(record.stream.pod, record.text)]
    assert sink.batches < len(sink.records) / 10  # batched, not one call per line


def test_tail_applies_per_stream(sim: Simulation, api: KubeApi, feeds: list[KubeLogFeed]) -> None:
    feed = KubeLogReader(api).flux_logs(LogQuery(follow=False, tail_lines=2))
    sink = _start(feeds, feed)
    wait_for(_all(feed, StreamState.ENDED), SECONDS)
    for controller in CONTROLLERS:
        assert sink.texts(pod_name(controller)) == _held(sim, pod_name(controller))[-2:]


def test_follow_receives_appended_lines(
    sim: Simulation, api: KubeApi, feeds: list[KubeLogFeed]
) -> None:
    pod = _kustomize_pod(sim)
    feed = KubeLogReader(api).flux_logs(LogQuery(follow=True))
    sink = _start(feeds, feed)
    wait_for(_caught_up(sim, sink, pod), SECONDS)
    assert _all(feed, StreamState.LIVE)()
    for index in range(3):
        sim.cluster.append_log(
            FLUX_NAMESPACE, pod, CONTAINER, f'{{"level":"info","msg":"fresh {index}"}}'
        )
    wait_for(_caught_up(sim, sink, pod), SECONDS)
    assert sink.texts(pod)[-3:] == [f'{{"level":"info","msg":"fresh {i}"}}' for i in range(3)]


def test_a_rollout_ends_the_old_stream_and_reads_the_new_pod(
    sim: Simulation, api: KubeApi, feeds: list[KubeLogFeed]
) -> None:
    old = _kustomize_pod(sim)
    feed = KubeLogReader(api, poll_seconds=0.2).flux_logs(LogQuery(follow=True, tail_lines=5))
    sink = _start(feeds, feed)
    wait_for(lambda: sink.texts(old) == _held(sim, old)[-5:], SECONDS)
    for index in range(50):
        sim.cluster.append_log(FLUX_NAMESPACE, old, CONTAINER, f'{{"msg":"old {index}"}}')
    new = replace_controller_pod(sim.cluster, KUSTOMIZE)
    for index in range(50):
        sim.cluster.append_log(FLUX_NAMESPACE, new, CONTAINER, f'{{"msg":"new {index}"}}')

    def old_ended() -> bool:
        status = _status(feed, old)
        return status is not None and status.state is StreamState.ENDED

    wait_for(old_ended, SECONDS)
    wait_for(_caught_up(sim, sink, new), SECONDS)
    assert sink.texts(old) == _held(sim, old)[-55:]
    assert sink.texts(new) == [f'{{"msg":"new {i}"}}' for i in range(50)]
    status = _status(feed, new)
    assert status is not None and status.stream.controller == KUSTOMIZE
    assert status.state is StreamState.LIVE


class OpenLogSpy:
    """Counts the log requests that resume (`sinceTime`)."""

    def __init__(self, api: KubeApi) -> None:
        self.resumed: list[str] = []
        original = api.open_log

        def spy(*args: Any, **kwargs: Any) -> Any:
            if kwargs.get("since_time"):
                self.resumed.append(str(kwargs["since_time"]))
            return original(*args, **kwargs)

        api.open_log = spy  # type: ignore[method-assign]


def _more_than(sink: Collected, pod: str, count: int) -> Callable[[], bool]:
    return lambda: len(sink.texts(pod)) > count


def _resumed(spy: OpenLogSpy, count: int) -> Callable[[], bool]:
    return lambda: len(spy.resumed) >= count


def test_cut_streams_resume_with_no_gap_and_no_duplicate(
    sim: Simulation, api: KubeApi, feeds: list[KubeLogFeed]
) -> None:
    pod = _kustomize_pod(sim)
    spy = OpenLogSpy(api)
    feed = KubeLogReader(api).flux_logs(LogQuery(follow=True))
    sink = _start(feeds, feed)
    wait_for(_caught_up(sim, sink, pod), SECONDS)
    pump = threading.Thread(
        target=pump_logs,
        args=(sim.cluster, FLUX_NAMESPACE, pod, CONTAINER),
        kwargs={"total": 30_000, "lines_per_second": 15_000},
    )
    pump.start()
    for cuts in range(1, 5):
        seen = len(sink.texts(pod))
        wait_for(_more_than(sink, pod, seen + 2000), SECONDS)
        sim.cluster.cut_log_streams()
        wait_for(_resumed(spy, cuts * len(CONTROLLERS)), SECONDS)
    pump.join()
    wait_for(_caught_up(sim, sink, pod), SECONDS)
    for controller in CONTROLLERS:
        assert sink.texts(pod_name(controller)) == _held(sim, pod_name(controller))


def test_lines_with_the_same_stamp_survive_a_resume(
    sim: Simulation, api: KubeApi, feeds: list[KubeLogFeed]
) -> None:
    pod = _kustomize_pod(sim)
    spy = OpenLogSpy(api)
    feed = KubeLogReader(api).flux_logs(LogQuery(follow=True))
    sink = _start(feeds, feed)
    wait_for(_caught_up(sim, sink, pod), SECONDS)
    moment = sim.cluster.clock.now()
    for text in ("same", "same", "other", "same"):
        sim.cluster.append_log(FLUX_NAMESPACE, pod, CONTAINER, text, at=moment)
    wait_for(_caught_up(sim, sink, pod), SECONDS)
    sim.cluster.cut_log_streams()
    wait_for(lambda: len(spy.resumed) >= 4, SECONDS)
    for text in ("same", "late"):  # the very same stamp, after the resume
        sim.cluster.append_log(FLUX_NAMESPACE, pod, CONTAINER, text, at=moment)
    wait_for(_caught_up(sim, sink, pod), SECONDS)
    assert sink.texts(pod)[-6:] == ["same", "same", "other", "same", "same", "late"]


def test_an_api_server_restart_is_reconnecting_then_resumes(
    sim: Simulation, api: KubeApi, feeds: list[KubeLogFeed]
) -> None:
    pod = _kustomize_pod(sim)
    feed = KubeLogReader(api, poll_seconds=0.2).flux_logs(LogQuery(follow=True))
    sink = _start(feeds, feed)
    wait_for(_caught_up(sim, sink, pod), SECONDS)
    sim.cluster.stop()

    def reconnecting() -> bool:
        status = _status(feed, pod)
        return status is not None and status.state is StreamState.RECONNECTING

    wait_for(reconnecting, SECONDS)
    status = _status(feed, pod)
    assert status is not None and "API server" in status.message
    for index in range(20):  # written while the API server is away
        sim.cluster.append_log(FLUX_NAMESPACE, pod, CONTAINER, f'{{"msg":"meanwhile {index}"}}')
    sim.cluster.start()
    for index in range(20):
        sim.cluster.append_log(FLUX_NAMESPACE, pod, CONTAINER, f'{{"msg":"after {index}"}}')
    wait_for(_caught_up(sim, sink, pod), SECONDS)
    wait_for(_all(feed, StreamState.LIVE), SECONDS)
    for controller in CONTROLLERS:
        assert sink.texts(pod_name(controller)) == _held(sim, pod_name(controller))


def test_a_forbidden_log_is_forbidden_with_the_servers_message(
    sim: Simulation, api: KubeApi, feeds: list[KubeLogFeed]
) -> None:
    sim.cluster.faults.forbid("get", "pods")
    feed = KubeLogReader(api).flux_logs(LogQuery(follow=True))
    sink = _start(feeds, feed)
    wait_for(_all(feed, StreamState.FORBIDDEN), SECONDS)
    assert len(feed.statuses()) == len(CONTROLLERS)
    for status in feed.statuses():
        assert 'cannot get resource "pods"' in status.message
    assert sink.records == []


def test_a_forbidden_discovery_says_so(
    sim: Simulation, api: KubeApi, feeds: list[KubeLogFeed]
) -> None:
    sim.cluster.faults.forbid("list", "deployments")
    feed = KubeLogReader(api).flux_logs(LogQuery(follow=False))
    _start(feeds, feed)
    wait_for(_all(feed, StreamState.FORBIDDEN), SECONDS)
    (status,) = feed.statuses()
    assert status.stream.pod == "" and 'cannot list resource "deployments"' in status.message


def _release_pod(sim: Simulation, prefix: str) -> tuple[str, str]:
    pods, _ = sim.cluster.store.list_objects(type_for_kind("Pod"), "kube-system")
    pod = next(p for p in pods if p["metadata"]["name"].startswith(prefix))
    return pod["metadata"]["name"], pod["spec"]["containers"][0]["name"]


def test_pod_logs_of_a_release_pod(sim: Simulation, api: KubeApi, feeds: list[KubeLogFeed]) -> None:
    pod, container = _release_pod(sim, "nfd-master-")
    feed = KubeLogReader(api).pod_logs("kube-system", pod, LogQuery(follow=False))
    sink = _start(feeds, feed)
    wait_for(_all(feed, StreamState.ENDED), SECONDS)
    held = _held(sim, pod, container, "kube-system")
    assert held and sink.texts(pod) == held
    (status,) = feed.statuses()
    assert status.stream.label == f"{pod}/{container}" and status.lines == len(held)
    assert all(record.line is None for record in sink.records)  # klog text, not Flux JSON


def test_pod_logs_previous_reads_the_terminated_container(
    sim: Simulation, api: KubeApi, feeds: list[KubeLogFeed]
) -> None:
    pod, container = _release_pod(sim, "nfd-master-")
    before = _held(sim, pod, container, "kube-system")
    never = KubeLogReader(api).pod_logs("kube-system", pod, LogQuery(), previous=True)
    _start(feeds, never)
    wait_for(_all(never, StreamState.ENDED), SECONDS)
    (status,) = never.statuses()
    assert "previous terminated container" in status.message
    sim.cluster.restart_container("kube-system", pod, container)
    sim.cluster.append_log("kube-system", pod, container, "I1125 started again")
    previous = KubeLogReader(api).pod_logs("kube-system", pod, LogQuery(), previous=True)
    sink = _start(feeds, previous)
    wait_for(_all(previous, StreamState.ENDED), SECONDS)
    assert sink.texts(pod) == before
    current = KubeLogReader(api).pod_logs("kube-system", pod, LogQuery(follow=False))
    now_sink = _start(feeds, current)
    wait_for(_all(current, StreamState.ENDED), SECONDS)
    assert now_sink.texts(pod) == ["I1125 started again"]


def test_pod_logs_of_a_missing_pod_end_with_the_servers_message(
    sim: Simulation, api: KubeApi, feeds: list[KubeLogFeed]
) -> None:
    feed = KubeLogReader(api).pod_logs("kube-system", "nope", LogQuery())
    _start(feeds, feed)
    wait_for(_all(feed, StreamState.ENDED), SECONDS)
    (status,) = feed.statuses()
    assert 'pods "nope" not found' in status.message


def test_the_resume_point_drops_exactly_what_is_sent_again() -> None:
    point = ResumePoint()
    first = ["2025-11-25T10:10:00.5Z a", "2025-11-25T10:10:01.1Z b", "2025-11-25T10:10:01.1Z b\r"]
    assert point.take(first) == [
        ("2025-11-25T10:10:00.5Z", "a"),
        ("2025-11-25T10:10:01.1Z", "b"),
        ("2025-11-25T10:10:01.1Z", "b"),
    ]
    assert point.since_time() == "2025-11-25T10:10:01Z"
    point.resume()
    # The kubelet sends the whole second again: both b's are old, the third is new.
    again = ["2025-11-25T10:10:01.1Z b", "2025-11-25T10:10:01.1Z b", "2025-11-25T10:10:01.1Z b"]
    assert point.take(again) == [("2025-11-25T10:10:01.1Z", "b")]
    later = ["2025-11-25T10:10:02.0Z b", "not stamped"]
    assert point.take(later) == [("2025-11-25T10:10:02.0Z", "b"), ("", "not stamped")]
    assert split_stamp("2025-11-25T10:10:02.000000001Z {}") == (
        "2025-11-25T10:10:02.000000001Z",
        "{}",
    )


def test_a_container_restart_is_followed_into_the_new_container(
    sim: Simulation, api: KubeApi, feeds: list[KubeLogFeed]
) -> None:
    pod, container = _release_pod(sim, "nfd-master-")
    feed = KubeLogReader(api).pod_logs("kube-system", pod, LogQuery(follow=True))
    sink = _start(feeds, feed)
    before = _held(sim, pod, container, "kube-system")
    wait_for(lambda: sink.texts(pod) == before, SECONDS)
    sim.cluster.restart_container("kube-system", pod, container)
    sim.cluster.append_log("kube-system", pod, container, "I1125 the new container")
    wait_for(lambda: sink.texts(pod) == [*before, "I1125 the new container"], SECONDS)
    (status,) = feed.statuses()
    assert status.state is StreamState.LIVE
