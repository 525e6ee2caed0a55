"""A short log for every container of the releases' pods (the Flux controllers' logs come from
`sim/flux`): klog-style startup lines stamped a few seconds after the pod started, so the
logs pane and `kubectl logs` have something true-looking to show for any pod."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from tuiops.sim.apiserver.podlogs import LogRecord
from tuiops.sim.apiserver.resources import ResourceType
from tuiops.sim.flux.pods import FLUX_NAMESPACE

JsonObject = dict[str, Any]
LogKey = tuple[str, str, str]


def _klog(moment: datetime, severity: str, source: str, message: str) -> str:
    """`I1125 10:09:42.118000       1 main.go:87] message`, klog's header."""
    return f"{severity}{moment:%m%d %H:%M:%S.%f}       1 {source}] {message}"


def container_lines(pod: str, container: str, image: str, started: datetime) -> list[LogRecord]:
    """What a container wrote in its first seconds."""
    lines = [
        ("I", "main.go:61", f'"Starting {container}" version="{image.rpartition(":")[2]}"'),
        ("I", "main.go:74", f'"Loaded configuration" path="/etc/{container}/config.yaml"'),
        ("I", "leaderelection.go:257", f"attempting to acquire leader lease {container}..."),
        ("I", "server.go:112", '"Serving metrics" address=":8080"'),
        ("I", "server.go:131", '"Serving health probes" address=":8081"'),
        ("I", "controller.go:220", f'"Started workers" pod="{pod}" count=1'),
    ]
    records = []
    for number, (severity, source, message) in enumerate(lines):
        moment = started + timedelta(seconds=2 + number, microseconds=137_000 * number)
        records.append(LogRecord(moment, _klog(moment, severity, source, message)))
    return records


def workload_logs(
    objects: Iterable[tuple[ResourceType, JsonObject]],
) -> dict[LogKey, list[LogRecord]]:
    """Lines for each container of each pod outside the Flux namespace."""
    logs: dict[LogKey, list[LogRecord]] = {}
    for _, obj in objects:
        metadata = obj.get("metadata") or {}
        namespace = str(metadata.get("namespace") or "")
        if obj.get("kind") != "Pod" or namespace == FLUX_NAMESPACE:
            continue
        status = obj.get("status") or {}
        started_text = status.get("startTime") or metadata.get("creationTimestamp")
        if not started_text:
            continue
        started = datetime.fromisoformat(str(started_text).replace("Z", "+00:00"))
        name = str(metadata.get("name") or "")
        for container in (obj.get("spec") or {}).get("containers") or []:
            key = (namespace, name, str(container.get("name") or ""))
            logs[key] = container_lines(name, key[2], str(container.get("image") or ""), started)
    return logs
