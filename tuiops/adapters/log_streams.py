"""`ports.LogReader` on the Kubernetes API: the Flux controllers' logs as `flux logs` reads them,
and one pod's containers as `kubectl logs` does.

A feed runs one thread per container stream (`log_stream.ContainerStream`: follow,
`timestamps=true`, lossless resume), one dispatcher that batches their records for the
consumer (`log_batches.RecordBatcher`) and one discovery thread:

- Flux: the Deployments in the flux namespace labelled `app.kubernetes.io/part-of=flux`, then
  each one's pods by its pod-template labels, one pod per Deployment as kubectl's
  `podutils.ByLogging` prefers it (scheduled, running, ready, ready longest, most restarts,
  oldest); `container=manager` only when the pod has several containers. When following, the
  pods are listed again every 2 s and a pod picked for the first time (a restart, a rollout)
  gets a stream reading its whole log; a stream whose pod is gone ends after its last line.
- A pod: its containers (or the one named) from a GET of the pod, polled every 2 s while
  following.

The discovery's own state is one extra `StreamStatus` (`pod` empty for Flux, `container` empty
for a pod) while it has not succeeded: CONNECTING, then FORBIDDEN / RECONNECTING (ENDED when
not following) with the server's message; ENDED with a message when there is nothing to read.
While the discovery cannot reach the server, streams silent for `ANSWER_SECONDS` are cut, so a
stopped server is RECONNECTING within seconds even on a quiet log (a followed log has no
heartbeat and no body deadline).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tuiops.adapters.kube_api import JsonObject, KubeApi
from tuiops.adapters.kube_http import ANSWER_SECONDS
from tuiops.adapters.log_batches import RecordBatcher
from tuiops.adapters.log_stream import (
    FIRST_BACKOFF,
    FORBIDDEN_RETRY,
    MAX_BACKOFF,
    ContainerStream,
    StreamOptions,
)
from tuiops.domain.decode import as_map
from tuiops.domain.kinds import DEPLOYMENT, POD
from tuiops.domain.log_records import LogQuery, LogRecord, LogStream, StreamState, StreamStatus
from tuiops.errors import ClusterError, Forbidden, NotFound

DISCOVERY_SECONDS = 2.0
FLUX_SELECTOR = "app.kubernetes.io/part-of=flux"
FLUX_CONTAINER = "manager"
FLUX_DISCOVERY = "flux"
"""`LogStream.controller` of the Flux discovery's status."""

Target = tuple[LogStream, bool]
"""A stream to run, and whether it was found after the first discovery."""


class NothingToRead(Exception):
    """The discovery found no stream (no Flux Deployments, no such container)."""


def pod_containers(pod: Mapping[str, Any]) -> list[str]:
    spec = as_map(pod.get("spec"))
    names = [as_map(c).get("name") for c in spec.get("containers") or []]
    return [name for name in names if isinstance(name, str) and name]


def _logging_rank(pod: Mapping[str, Any]) -> tuple[Any, ...]:
    """kubectl's `podutils.ByLogging`: the smallest is the pod whose log is wanted."""
    metadata, spec, status = (as_map(pod.get(k)) for k in ("metadata", "spec", "status"))
    phase = {"Running": 0, "Unknown": 1, "Pending": 2}.get(str(status.get("phase")), 3)
    ready_since = ""
    for condition in status.get("conditions") or []:
        condition = as_map(condition)
        if condition.get("type") == "Ready" and condition.get("status") == "True":
            ready_since = str(condition.get("lastTransitionTime") or "")
    restarts = sum(
        int(as_map(c).get("restartCount") or 0) for c in status.get("containerStatuses") or []
    )
    return (
        not spec.get("nodeName"),
        phase,
        not ready_since,
        ready_since or "~",
        -restarts,
        str(metadata.get("creationTimestamp") or "~"),
        str(metadata.get("name") or ""),
    )


def pick_pod(pods: Sequence[JsonObject]) -> JsonObject | None:
    """The pod `flux logs` reads for one Deployment."""
    return min(pods, key=_logging_rank, default=None)


def flux_streams(api: KubeApi, namespace: str) -> list[LogStream]:
    """The controllers' streams as `flux logs` picks them.

    Raises:
        NothingToRead: no Flux Deployment, or none with a pod.
        ClusterError: as `KubeApi` raises.
    """
    deployments, _ = api.list_all(DEPLOYMENT, namespace=namespace, label_selector=FLUX_SELECTOR)
    if not deployments:
        raise NothingToRead(
            f"no Flux controllers in {namespace} (no Deployment labelled {FLUX_SELECTOR})"
        )
    streams = []
    for deployment in sorted(deployments, key=lambda d: str(as_map(d.get("metadata")).get("name"))):
        template = as_map(as_map(as_map(deployment.get("spec")).get("template")).get("metadata"))
        labels = as_map(template.get("labels"))
        selector = ",".join(f"{key}={value}" for key, value in sorted(labels.items()))
        pods, _ = api.list_all(POD, namespace=namespace, label_selector=selector)
        pod = pick_pod(pods)
        if pod is None:
            continue
        containers = pod_containers(pod)
        container = FLUX_CONTAINER if len(containers) > 1 else (containers or [""])[0]
        name = str(as_map(deployment.get("metadata")).get("name") or "")
        pod_name = str(as_map(pod.get("metadata")).get("name") or "")
        streams.append(LogStream(namespace, pod_name, container, controller=name))
    if not streams:
        raise NothingToRead(f"no pods of the Flux controllers in {namespace}")
    return streams


class KubeLogFeed:
    """`ports.LogFeed`: streams found by `discover`, batched into `on_records`."""

    def __init__(
        self,
        api: KubeApi,
        query: LogQuery,
        discover: Callable[[], list[LogStream]],
        discovery: LogStream,
        *,
        previous: bool = False,
        poll_seconds: float = DISCOVERY_SECONDS,
    ) -> None:
        self._api = api
        self._query = query
        self._discover = discover
        self._previous = previous
        self._poll = poll_seconds
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._streams: dict[tuple[str, str], ContainerStream] = {}
        self._discovery = StreamStatus(discovery, StreamState.CONNECTING)
        self._discovery_open = True
        """Whether the discovery's status is shown (until its first success)."""
        self._batcher: RecordBatcher | None = None
        self._thread = threading.Thread(
            target=self._run, daemon=True, name=f"log-discovery-{discovery.pod or 'flux'}"
        )

    def start(self, on_records: Callable[[Sequence[LogRecord]], None]) -> None:
        label = self._discovery.stream.pod or FLUX_DISCOVERY
        self._batcher = RecordBatcher(on_records, name=label)
        self._batcher.start()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            streams = list(self._streams.values())
        for stream in streams:
            stream.stop()
        if self._batcher is not None:
            self._batcher.stop()
        for stream in streams:
            stream.join(0.05)

    def statuses(self) -> tuple[StreamStatus, ...]:
        with self._lock:
            streams = [stream.status for stream in self._streams.values()]
            discovery = [self._discovery] if self._discovery_open else []
        return (*discovery, *streams)

    # -- discovery -----------------------------------------------------------------------

    def _run(self) -> None:
        backoff = FIRST_BACKOFF
        first = True
        following = self._query.follow and not self._previous
        while not self._stop.is_set():
            pause = self._poll
            try:
                found = self._discover()
                self._open(found, later=not first)
                with self._lock:
                    self._discovery_open = False
                first = False
                backoff = FIRST_BACKOFF
                if not following:
                    return
            except NothingToRead as error:
                self._fail(StreamState.ENDED, str(error))
                if not following:
                    return
            except Forbidden as error:
                self._fail(StreamState.FORBIDDEN, str(error), first)
                if not following:
                    return
                pause = FORBIDDEN_RETRY
            except NotFound as error:
                if first or not following:
                    self._fail(StreamState.ENDED, str(error))
                    return
                # The pod went away after its streams started: they end on their own.
            except Exception as error:  # a transport failure, a 5xx, or a bug: say so, retry
                message = " ".join(str(error).split())
                if not isinstance(error, ClusterError):
                    message = f"{type(error).__name__}: {message}"
                if not following:
                    self._fail(StreamState.ENDED, message)
                    return
                self._fail(StreamState.RECONNECTING, message, first)
                self._cut_idle_streams()
                pause = backoff
                backoff = min(backoff * 2, MAX_BACKOFF)
            if self._stop.wait(pause):
                return

    def _fail(self, state: StreamState, message: str, shown: bool = True) -> None:
        """The discovery failed; its status is shown only until it first succeeded."""
        with self._lock:
            self._discovery = StreamStatus(self._discovery.stream, state, message)
            if shown:
                self._discovery_open = True

    def _open(self, found: list[LogStream], *, later: bool) -> None:
        batcher = self._batcher
        assert batcher is not None
        options = StreamOptions(self._query, previous=self._previous, whole_log=later)
        for stream in found:
            key = (stream.pod, stream.container)
            with self._lock:
                if key in self._streams or self._stop.is_set():
                    continue
                reader = ContainerStream(self._api, stream, options, batcher)
                self._streams[key] = reader
            reader.start()

    def _cut_idle_streams(self) -> None:
        """The server does not answer the discovery: cut streams that are silent too, so they
        say RECONNECTING instead of waiting for a quiet log's next line."""
        quiet_since = time.monotonic() - ANSWER_SECONDS
        with self._lock:
            streams = list(self._streams.values())
        for stream in streams:
            if stream.state is StreamState.LIVE and stream.read_at < quiet_since:
                stream.cut()


class KubeLogReader:
    """`ports.LogReader` on one `KubeApi` (shared with the other feeds)."""

    def __init__(self, api: KubeApi, *, poll_seconds: float = DISCOVERY_SECONDS) -> None:
        self._api = api
        self._poll = poll_seconds

    def flux_logs(self, query: LogQuery) -> KubeLogFeed:
        namespace = query.flux_namespace
        return KubeLogFeed(
            self._api,
            query,
            lambda: flux_streams(self._api, namespace),
            LogStream(namespace, "", "", controller=FLUX_DISCOVERY),
            poll_seconds=self._poll,
        )

    def pod_logs(
        self,
        namespace: str,
        pod: str,
        query: LogQuery,
        *,
        container: str = "",
        previous: bool = False,
    ) -> KubeLogFeed:
        def discover() -> list[LogStream]:
            names = pod_containers(self._api.get(POD, namespace, pod))
            if container:
                if container not in names:
                    raise NothingToRead(f"container {container} is not valid for pod {pod}")
                names = [container]
            if not names:
                raise NothingToRead(f"pod {pod} has no containers")
            return [LogStream(namespace, pod, name) for name in names]

        return KubeLogFeed(
            self._api,
            query,
            discover,
            LogStream(namespace, pod, ""),
            previous=previous,
            poll_seconds=self._poll,
        )
