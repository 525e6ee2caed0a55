"""Container log lines of the simulated pods, with followers woken on every new line.

Each container keeps its current log and, after `restart`, its previous one (what
`kubectl logs -p` reads), as the kubelet keeps the last terminated container's log file."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tuiops.sim.clock import rfc3339_nano


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One line a container wrote, with the time the kubelet stamped on it."""

    time: datetime
    text: str
    stamp: str = field(init=False, compare=False)
    """`time` as `timestamps=true` prints it (RFC3339Nano). Written with the line, as the
    kubelet's CRI log file holds each line's stamp, so a follow only copies it."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "stamp", _stamp(self.time))


_STAMP_CACHE: dict[datetime, str] = {}


def _stamp(moment: datetime) -> str:
    """`rfc3339_nano(moment)`, formatting each second once (a flood of lines is one second)."""
    second = moment.replace(microsecond=0)
    prefix = _STAMP_CACHE.get(second)
    if prefix is None:
        if len(_STAMP_CACHE) > 4096:
            _STAMP_CACHE.clear()
        prefix = _STAMP_CACHE[second] = rfc3339_nano(second)[:19]
    return f"{prefix}.{moment.microsecond:06d}000Z"


class PodLogBook:
    """Per (namespace, pod, container) append-only logs, bounded like a kubelet's log file."""

    def __init__(self, *, max_lines_per_container: int = 50_000) -> None:
        self._lock = threading.Condition()
        self._logs: dict[tuple[str, str, str], list[LogRecord]] = {}
        self._dropped: dict[tuple[str, str, str], int] = {}
        self._previous: dict[tuple[str, str, str], list[LogRecord]] = {}
        self._max = max_lines_per_container
        self._closed = False
        self._generation = 0
        """Bumped by `wake`: followers look at the server's state again (a cut, a deletion)."""

    def keep_lines(self, lines: int) -> None:
        """How many lines each container keeps before the oldest half is trimmed (benchmarks
        pumping more lines than a follower can lag behind raise it)."""
        with self._lock:
            self._max = lines

    def append(self, namespace: str, pod: str, container: str, record: LogRecord) -> None:
        self.extend(namespace, pod, container, (record,))

    def extend(
        self, namespace: str, pod: str, container: str, records: Sequence[LogRecord]
    ) -> None:
        """Append several lines at once (one wake-up for the followers)."""
        key = (namespace, pod, container)
        with self._lock:
            lines = self._logs.setdefault(key, [])
            lines.extend(records)
            if len(lines) > self._max:
                cut = len(lines) - self._max // 2
                del lines[:cut]
                self._dropped[key] = self._dropped.get(key, 0) + cut
            self._lock.notify_all()

    def restart(self, namespace: str, pod: str, container: str) -> None:
        """The container restarted: its log becomes the previous one, a new one starts."""
        key = (namespace, pod, container)
        with self._lock:
            self._previous[key] = self._logs.get(key, [])
            self._logs[key] = []
            self._dropped.pop(key, None)
            self._generation += 1  # followers of the old container end
            self._lock.notify_all()

    def previous(self, namespace: str, pod: str, container: str) -> list[LogRecord] | None:
        """The previous container's lines; None when the container never restarted."""
        with self._lock:
            return self._previous.get((namespace, pod, container))

    def position(self, namespace: str, pod: str, container: str) -> int:
        """An absolute line number just past the last line (survives trimming)."""
        key = (namespace, pod, container)
        with self._lock:
            return self._dropped.get(key, 0) + len(self._logs.get(key, []))

    def read(self, namespace: str, pod: str, container: str, start: int = 0) -> list[LogRecord]:
        """Lines from absolute line number `start` on (lines already trimmed are skipped)."""
        key = (namespace, pod, container)
        with self._lock:
            offset = max(start - self._dropped.get(key, 0), 0)
            return self._logs.get(key, [])[offset:]

    def wait(self, namespace: str, pod: str, container: str, after: int, timeout: float) -> bool:
        """Block until there are lines past `after`, the book closes or is woken, or time runs
        out."""
        with self._lock:
            generation = self._generation
            return self._lock.wait_for(
                lambda: (
                    self._closed
                    or self._generation != generation
                    or self.position(namespace, pod, container) > after
                ),
                timeout,
            )

    def wake(self) -> None:
        """Wake every follower to look at the server's state (a cut, a deleted pod)."""
        with self._lock:
            self._generation += 1
            self._lock.notify_all()

    def close(self) -> None:
        """Wake and end every follower (server shutdown)."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()

    def reopen(self) -> None:
        with self._lock:
            self._closed = False
