"""One container's log, read by one thread, resumed after a break without a lost or doubled line.

The log is asked for with `timestamps=true`: the kubelet puts its RFC3339Nano stamp and a space
before each line, which becomes `LogRecord.time`. A stream that breaks (connection cut, API
server stopped or restarted, a 5xx) is RECONNECTING and asks again with `sinceTime`, after a
backoff of 0.2 s doubling to 5 s.

The resume rule (`ResumePoint`): `sinceTime` is a metav1.Time, which the API carries at whole
seconds, and the kubelet sends every line stamped at or after it. So the answer starts with the
lines of the last delivered line's second again. The stream remembers each (time, text) it
delivered within that second, with counts; on resume, a line matching one of them is dropped
(once per count) until a line of a later second arrives. Two identical lines with the same
stamp therefore stay two. Lines are never compared across seconds, so a stamp that moved on
is always new.

A followed stream the server ends cleanly is over when its pod is gone (NotFound, being
deleted, or finished): the kubelet ends a follow once the container is gone, after its last
line. Otherwise (a kubelet that ended the stream for its own reasons, a restarted container)
it resumes the same way.

A 403 is FORBIDDEN with the server's message, retried every 10 s; a 404 or 400 (no such pod or
container, no previous container) ends the stream with the server's message.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from tuiops.adapters.kube_api import KubeApi
from tuiops.adapters.kube_http import Response
from tuiops.adapters.log_batches import RecordBatcher
from tuiops.adapters.log_decode import decode_line
from tuiops.domain.decode import as_map
from tuiops.domain.kinds import POD
from tuiops.domain.log_records import LogQuery, LogRecord, LogStream, StreamState, StreamStatus
from tuiops.errors import ApiError, ClusterError, Forbidden, NotFound

FIRST_BACKOFF = 0.2
MAX_BACKOFF = 5.0
FORBIDDEN_RETRY = 10.0
ENDED_POD_PHASES = frozenset({"Succeeded", "Failed"})


class ResumePoint:
    """Where a broken stream resumes, and which re-sent lines to drop (see the module doc)."""

    __slots__ = ("_replay", "_replay_second", "_second", "_window")

    def __init__(self) -> None:
        self._second = ""
        """`YYYY-MM-DDTHH:MM:SS` of the last delivered line ("" before the first)."""
        self._window: list[tuple[str, str]] = []
        """(time, text) of the lines delivered within `_second`, in order."""
        self._replay: Counter[tuple[str, str]] | None = None
        """After a resume: the lines the new answer sends again, with counts."""
        self._replay_second = ""

    @property
    def started(self) -> bool:
        return bool(self._window)

    def since_time(self) -> str:
        """`sinceTime` for the next request: the last line's second."""
        return f"{self._second}Z" if self._second else ""

    def resume(self) -> None:
        """A new request is about to re-send the lines of `since_time()`'s second."""
        self._replay = Counter(self._window) if self._window else None
        self._replay_second = self._second

    def take(self, lines: list[str]) -> list[tuple[str, str]]:
        """(time, text) of each new line among `lines` read with `timestamps=true`, the
        kubelet's stamp split off; the lines a resumed answer sends again are left out."""
        if self._replay is not None:
            return [pair for pair in map(split_stamp, lines) if self.admit(*pair)]
        # The hot path (20,000 lines a second): one loop, no call per line.
        fresh: list[tuple[str, str]] = []
        append = fresh.append
        second, window = self._second, self._window
        for line in lines:
            if line[-1:] == "\r":
                line = line[:-1]
            stamp, space, text = line.partition(" ")
            if not (space and len(stamp) >= 20 and stamp[4] == "-" and stamp[10] == "T"):
                stamp, text = "", line
            if stamp[:19] != second:
                second = stamp[:19]
                window = []
            pair = (stamp, text)
            window.append(pair)
            append(pair)
        self._second, self._window = second, window
        return fresh

    def admit(self, stamp: str, text: str) -> bool:
        """Whether one line read now is new (and remember it as delivered when it is)."""
        key = (stamp, text)
        second = stamp[:19]
        replay = self._replay
        if replay is not None:
            if second == self._replay_second:
                count = replay.get(key, 0)
                if count:
                    replay[key] = count - 1
                    return False
            elif second > self._replay_second:
                self._replay = None
        if second != self._second:
            self._second = second
            self._window = []
        self._window.append(key)
        return True


def split_stamp(line: str) -> tuple[str, str]:
    """(kubelet timestamp, text) of one line read with `timestamps=true`."""
    if line[-1:] == "\r":
        line = line[:-1]
    stamp, space, text = line.partition(" ")
    if space and len(stamp) >= 20 and stamp[4] == "-" and stamp[10] == "T":
        return stamp, text
    return "", line


@dataclass(frozen=True, slots=True)
class StreamOptions:
    query: LogQuery
    previous: bool = False
    whole_log: bool = False
    """Read from the first line whatever `query` says (a pod that appeared after the start:
    all of its lines are new)."""


class ContainerStream:
    """Reads one container's log in its own thread into a `RecordBatcher`."""

    def __init__(
        self,
        api: KubeApi,
        stream: LogStream,
        options: StreamOptions,
        batcher: RecordBatcher,
        on_state: Callable[[], None] | None = None,
    ) -> None:
        self.stream = stream
        self._api = api
        self._options = options
        self._batcher = batcher
        self._on_state = on_state
        self._resume = ResumePoint()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._state = StreamState.CONNECTING
        self._message = ""
        self._lines = 0
        self._response: Response | None = None
        self.read_at = 0.0
        """`time.monotonic()` of the last bytes read (0 before any)."""
        self._thread = threading.Thread(
            target=self._run, daemon=True, name=f"log-{stream.pod}-{stream.container}"
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.cut()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def cut(self) -> None:
        """Break the current request (from another thread): the stream resumes, or stops."""
        response = self._response
        if response is not None:
            response.slot.cut()

    @property
    def status(self) -> StreamStatus:
        with self._lock:
            return StreamStatus(self.stream, self._state, self._message, self._lines)

    @property
    def state(self) -> StreamState:
        return self._state

    def _set(self, state: StreamState, message: str = "") -> None:
        with self._lock:
            if (state, message) == (self._state, self._message):
                return
            self._state, self._message = state, message
        if self._on_state is not None:
            self._on_state()

    # -- the loop ------------------------------------------------------------------------

    def _run(self) -> None:
        backoff = FIRST_BACKOFF
        while not self._stop.is_set():
            try:
                delivered = self._lines
                finished = self._read_once()
                if finished or self._stop.is_set():
                    break
                if self._pod_finished():
                    break
                # Ended by the server for its own reasons: resume at once if it was useful.
                pause = 0.0 if self._lines > delivered else backoff
            except Forbidden as error:
                self._set(StreamState.FORBIDDEN, str(error))
                pause = FORBIDDEN_RETRY
            except (NotFound, ApiError) as error:
                if isinstance(error, NotFound) or error.code in (400, 404):
                    self._end(str(error))
                    return
                self._set(StreamState.RECONNECTING, str(error))
                pause = backoff
            except ClusterError as error:
                self._set(StreamState.RECONNECTING, str(error))
                pause = backoff
            except Exception as error:  # never freeze LIVE over a dead stream
                self._set(
                    StreamState.RECONNECTING,
                    f"{type(error).__name__}: {' '.join(str(error).split())}",
                )
                pause = backoff
            else:
                if self._lines > delivered:
                    backoff = FIRST_BACKOFF
            if self._stop.wait(pause):
                break
            backoff = min(backoff * 2, MAX_BACKOFF)
        if not self._stop.is_set():
            self._end("")

    def _end(self, message: str) -> None:
        """ENDED, once every record read was delivered (so ENDED means "all of it shown")."""
        self._batcher.wait_delivered(self._batcher.put([]))
        self._set(StreamState.ENDED, message)

    def _read_once(self) -> bool:
        """One request, read to its end; True when the stream is complete (not following)."""
        query = self._options.query
        resume = self._resume
        since_time = resume.since_time()
        fresh = not resume.started
        if not fresh:
            resume.resume()
        whole = self._options.whole_log or not fresh
        response = self._api.open_log(
            self.stream.namespace,
            self.stream.pod,
            container=self.stream.container,
            follow=query.follow and not self._options.previous,
            timestamps=True,
            since_seconds=None if whole else query.since_seconds,
            since_time=since_time,
            tail_lines=None if whole else query.tail_lines,
            previous=self._options.previous,
        )
        self._response = response
        try:
            if self._stop.is_set():
                return True
            self._set(StreamState.LIVE)
            self._read(response)
        finally:
            self._response = None
            response.close()
        return not query.follow or self._options.previous

    def _read(self, response: Response) -> None:
        buffer = b""
        for chunk in response.chunks():
            self.read_at = time.monotonic()
            buffer += chunk
            cut = buffer.rfind(b"\n")
            if cut < 0:
                continue
            complete, buffer = buffer[:cut], buffer[cut + 1 :]
            self._deliver(complete.decode("utf-8", "replace").split("\n"))
            if self._stop.is_set():
                return
        if buffer:  # a last line without its newline, at the clean end of the answer
            self._deliver([buffer.decode("utf-8", "replace")])

    def _deliver(self, lines: list[str]) -> None:
        stream = self.stream
        if self._options.query.decoded:
            records = [
                LogRecord(stream, stamp, text, decode_line(text))
                for stamp, text in self._resume.take(lines)
            ]
        else:
            records = [LogRecord(stream, stamp, text) for stamp, text in self._resume.take(lines)]
        if records:
            with self._lock:
                self._lines += len(records)
            self._batcher.put(records)

    def _pod_finished(self) -> bool:
        """After a clean end of a follow: whether the pod is gone (the stream is over)."""
        try:
            pod = self._api.get(POD, self.stream.namespace, self.stream.pod)
        except NotFound:
            return True
        metadata, status = as_map(pod.get("metadata")), as_map(pod.get("status"))
        return bool(metadata.get("deletionTimestamp")) or status.get("phase") in ENDED_POD_PHASES
