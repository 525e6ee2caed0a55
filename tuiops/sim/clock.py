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


def parse_time(text: str) -> datetime | None:
    """RFC3339 with or without fractions; None for anything else."""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def human_age(delta: timedelta) -> str:
    """kubectl's `duration.HumanDuration`: 45s, 5m12s, 3h4m, 2d5h, 400d, 3y120d.

    A moment in the future reads `<invalid>`, except up to 1 s of clock skew, which reads `0s`.
    """
    seconds = int(delta.total_seconds())
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        rest = seconds % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 192:
        rest = hours % 24
        return f"{hours // 24}d{rest}h" if rest else f"{hours // 24}d"
    days = hours // 24
    if days < 365 * 2:
        return f"{days}d"
    years = days // 365
    if years < 8:
        rest = days % 365
        return f"{years}y{rest}d" if rest else f"{years}y"
    return f"{years}y"
