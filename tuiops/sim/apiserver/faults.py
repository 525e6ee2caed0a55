"""Faults the tests and the demo inject into the simulated API server: added latency, a
random error rate, dropped and expired watches, and RBAC denials for chosen verbs or kinds.
(An API server restart is `SimulatedCluster.restart()`.)"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field


@dataclass
class Faults:
    """Mutable fault settings, read by every request handler."""

    latency: float = 0.0
    """Seconds added before each request is answered."""
    error_rate: float = 0.0
    """Fraction of requests (watch starts included) answered with a 500 InternalError."""
    seed: int = 7
    _forbidden: set[tuple[str, str]] = field(default_factory=set)
    _watch_epoch: int = 0
    _expire_epoch: int = 0
    _log_epoch: int = 0
    _rng: random.Random = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def forbid(self, verb: str = "*", resource: str = "*") -> None:
        """Answer 403 for `verb` (get, list, watch, patch, ...) on `resource` (plural or Kind)."""
        with self._lock:
            self._forbidden.add((verb, resource))

    def allow_all(self) -> None:
        with self._lock:
            self._forbidden.clear()

    def is_forbidden(self, verb: str, plural: str, kind: str) -> bool:
        with self._lock:
            return any(
                rule_verb in ("*", verb) and rule_resource in ("*", plural, kind)
                for rule_verb, rule_resource in self._forbidden
            )

    def should_fail(self) -> bool:
        with self._lock:
            return self.error_rate > 0 and self._rng.random() < self.error_rate

    def drop_watches(self) -> None:
        """Cut every open watch connection mid-stream (no final chunk), as a network blip does."""
        with self._lock:
            self._watch_epoch += 1

    def expire_watches(self) -> None:
        """End every open watch with an ERROR event carrying 410 Expired."""
        with self._lock:
            self._expire_epoch += 1

    def drop_log_streams(self) -> None:
        """Cut every open pod log stream mid-body (no final chunk); `SimulatedCluster.
        cut_log_streams()` also wakes idle followers so they are cut at once."""
        with self._lock:
            self._log_epoch += 1

    @property
    def log_epoch(self) -> int:
        return self._log_epoch

    @property
    def watch_epoch(self) -> int:
        return self._watch_epoch

    @property
    def expire_epoch(self) -> int:
        return self._expire_epoch

    def clear(self) -> None:
        """Back to a healthy server."""
        with self._lock:
            self.latency = 0.0
            self.error_rate = 0.0
            self._forbidden.clear()
