"""A pod's containers and its STATUS word as kubectl prints them (`printPod`), from the raw
pod: pure, every accessor tolerates a missing key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tuiops.domain.decode import as_list, as_map, as_str
from tuiops.domain.workloads import as_int


@dataclass(frozen=True, slots=True)
class ContainerState:
    """One container of a pod as its status reports it."""

    name: str
    init: bool
    state: str
    """`running`, `waiting`, `terminated` or `unknown`."""
    reason: str = ""
    """The waiting or terminated reason (`CrashLoopBackOff`, `OOMKilled`, `Completed`)."""
    message: str = ""
    exit_code: int | None = None
    """Of a terminated container."""
    since: str = ""
    """RFC3339: started (running) or finished (terminated)."""
    ready: bool = False
    restarts: int = 0
    image: str = ""
    last_terminated: str = ""
    """The previous run's end, e.g. `exit 1 (Error)`; empty when it never restarted."""


def container_state(raw: object, init: bool) -> ContainerState:
    """One entry of a pod's `containerStatuses` (or `initContainerStatuses`)."""
    status = as_map(raw)
    state = as_map(status.get("state"))
    last = as_map(as_map(status.get("lastState")).get("terminated"))
    last_text = ""
    if last:
        last_text = f"exit {as_int(last.get('exitCode'))} ({as_str(last.get('reason')) or 'Error'})"
    word = next((w for w in ("waiting", "terminated", "running") if w in state), "unknown")
    detail = as_map(state.get(word))
    return ContainerState(
        name=as_str(status.get("name")),
        init=init,
        state=word,
        reason=as_str(detail.get("reason")),
        message=as_str(detail.get("message")),
        exit_code=as_int(detail.get("exitCode")) if word == "terminated" else None,
        since=as_str(detail.get("finishedAt") or detail.get("startedAt")),
        ready=status.get("ready") is True,
        restarts=as_int(status.get("restartCount")),
        image=as_str(status.get("image")),
        last_terminated=last_text,
    )


def pod_status_word(pod: Mapping[str, Any]) -> str:
    """kubectl's STATUS column for a pod (`printPod`): Terminating, Init:CrashLoopBackOff,
    Init:1/2, CrashLoopBackOff, ContainerCreating, Completed, Running, Pending, ..."""
    status = as_map(pod.get("status"))
    if as_str(as_map(pod.get("metadata")).get("deletionTimestamp")):
        return "Terminating"
    word = as_str(status.get("reason")) or as_str(status.get("phase")) or "Unknown"
    inits = as_list(status.get("initContainerStatuses"))
    for index, raw in enumerate(inits):
        container = container_state(raw, True)
        if container.state == "terminated" and container.exit_code == 0:
            continue
        if container.state == "terminated":
            return f"Init:{container.reason or f'ExitCode:{container.exit_code}'}"
        if container.state == "waiting" and container.reason not in ("", "PodInitializing"):
            return f"Init:{container.reason}"
        return f"Init:{index}/{len(inits)}"
    running = False
    for raw in reversed(as_list(status.get("containerStatuses"))):
        container = container_state(raw, False)
        if container.state in ("waiting", "terminated") and container.reason:
            word = container.reason
        elif container.state == "terminated":
            word = f"ExitCode:{container.exit_code}"
        elif container.state == "running" and container.ready:
            running = True
    if word == "Completed" and running:
        word = "Running"
    if word == "Succeeded":
        word = "Completed"
    return word
