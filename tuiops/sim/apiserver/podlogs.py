"""Container log lines of the simulated pods, with followers woken on every new line."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One line a container wrote, with the time the kubelet stamped on it."""

    time: datetime
    text: str


class PodLogBook:
    """Per (namespace, pod, container) append-only logs, bounded like a kubelet's log file."""

    def __init__(self, *, max_lines_per_container: int = 50_000) -> None:
        self._lock = threading.Condition()
        self._logs: dict[tuple[str, str, str], list[LogRecord]] = {}
        self._dropped: dict[tuple[str, str, str], int] = {}
        self._max = max_lines_per_container
        self._closed = False

    def append(self, namespace: str, pod: str, container: str, record: LogRecord) -> None:
        key = (namespace, pod, container)
        with self._lock:
            lines = self._logs.setdefault(key, [])
            lines.append(record)
            if len(lines) > self._max:
                cut = len(lines) - self._max // 2
                del lines[:cut]
                self._dropped[key] = self._dropped.get(key, 0) + cut
            self._lock.notify_all()

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
        """Block until there are lines past `after`, the book closes, or time runs out."""
        with self._lock:
            return self._lock.wait_for(
                lambda: self._closed or self.position(namespace, pod, container) > after,
                timeout,
            )

    def close(self) -> None:
        """Wake and end every follower (server shutdown)."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()

    def reopen(self) -> None:
        with self._lock:
            self._closed = False
