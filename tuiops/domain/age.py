"""Ages as kubectl prints them (`AGE` columns): pure, used by the console and the simulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


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


def age_of(timestamp: str, now: datetime) -> str:
    """The age of an RFC3339 timestamp at `now`; empty when the timestamp is missing or broken."""
    moment = parse_time(timestamp) if timestamp else None
    if moment is None:
        return ""
    if moment.tzinfo is None:  # RFC3339 always has an offset; a bare time is read as UTC
        moment = moment.replace(tzinfo=UTC)
    return human_age(now.astimezone() - moment)
