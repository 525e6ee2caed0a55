"""The simulated cluster's clock: a fixed scenario "now" that either stands still (snapshots,
deterministic tests) or runs forward at real speed from that instant (the demo)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

SCENARIO_NOW = datetime(2025, 11, 25, 10, 10, 0, tzinfo=UTC)
""""Now" of the Flux fixtures; every scenario timestamp is relative to it."""


class SimClock:
    """Wall-clock time of the simulated cluster."""

    def __init__(self, start: datetime = SCENARIO_NOW, *, frozen: bool = False) -> None:
        self._start = start
        self._frozen = frozen
        self._started_at = time.monotonic()

    @property
    def frozen(self) -> bool:
        return self._frozen

    def now(self) -> datetime:
        if self._frozen:
            return self._start
        return self._start + timedelta(seconds=time.monotonic() - self._started_at)


def rfc3339(moment: datetime) -> str:
    """Seconds precision, `Z` suffix: how the API server writes metav1.Time."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339_nano(moment: datetime) -> str:
    """Nanosecond layout (microseconds padded) used by log timestamps and requestedAt."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"
