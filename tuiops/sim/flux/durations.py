"""Go `time.Duration` strings as Flux writes them in specs, messages and log lines."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}


def parse_duration(text: str, default: float = 600.0) -> float:
    """Seconds of a Go duration string (`10m`, `1h0m0s`, `312.4ms`); `default` when unreadable."""
    parts = _DURATION_PART.findall(text.strip())
    if not parts or "".join(n + u for n, u in parts) != text.strip():
        return default
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def go_duration(seconds: float) -> str:
    """Seconds as Go's `time.Duration.String()` writes them: `1.503215406s`, `10m0s`, `312.44ms`."""
    nanos = round(seconds * 1e9)
    if nanos == 0:
        return "0s"
    if nanos < 1_000_000_000:
        if nanos < 1_000:
            return f"{nanos}ns"
        unit, scale = ("µs", 1_000) if nanos < 1_000_000 else ("ms", 1_000_000)
        whole, rest = divmod(nanos, scale)
        digits = f"{rest:0{len(str(scale)) - 1}d}".rstrip("0")
        return f"{whole}.{digits}{unit}" if digits else f"{whole}{unit}"
    hours, rest = divmod(nanos, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    whole, frac = divmod(rest, 1_000_000_000)
    fraction = f"{frac:09d}".rstrip("0")
    text = f"{whole}.{fraction}s" if fraction else f"{whole}s"
    if hours:
        return f"{hours}h{minutes}m{text}"
    if minutes:
        return f"{minutes}m{text}"
    return text


def kustomization_timeout(spec: Mapping[str, Any]) -> str:
    """`spec.timeout`, else the interval minus 30 s with a floor of 30 s (kustomize-controller)."""
    if isinstance(spec.get("timeout"), str):
        return go_duration(parse_duration(spec["timeout"]))
    interval = parse_duration(str(spec.get("interval", "10m")))
    return go_duration(max(interval - 30.0, 30.0))
