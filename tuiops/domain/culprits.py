"""Why a not-ready object of a Helm release is stuck, in one line: the culprit behind it (a pod
that cannot be scheduled, a container in CrashLoopBackOff, a failing probe, a ReplicaSet whose
`FailedCreate` names a missing ServiceAccount), read from the object, its pods, its
ReplicaSets and the Warning events of its namespace (helm-controller #716).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from tuiops.domain.decode import as_list, as_map, as_str
from tuiops.domain.events import Event
from tuiops.domain.refs import ObjectRef
from tuiops.domain.workloads import ObjectReadiness, as_int, conditions_of, is_true, ref_of

MAX_REASON = 600
"""Characters of a reason kept: enough for a scheduler message naming every node."""
_WAITING_FINE = frozenset({"ContainerCreating", "PodInitializing"})
"""Waiting reasons that only mean "not yet": a pod with nothing worse shows as not ready."""


def _container_problem(raw: object, init: bool) -> tuple[int, str]:
    """(severity, text) of one container status; severity 0 means nothing wrong."""
    container = as_map(raw)
    name = as_str(container.get("name"))
    label = f"{'init container' if init else 'container'} {name}"
    state = as_map(container.get("state"))
    waiting, terminated = as_map(state.get("waiting")), as_map(state.get("terminated"))
    if waiting:
        reason = as_str(waiting.get("reason"))
        text = f"{label} waiting: {reason}"
        if as_str(waiting.get("message")):
            text += f": {as_str(waiting.get('message'))}"
        last = as_map(as_map(container.get("lastState")).get("terminated"))
        if last:
            code = as_int(last.get("exitCode"))
            text += f" (last exit {code}, {as_str(last.get('reason')) or 'terminated'})"
        return (1 if reason in _WAITING_FINE else 3), text
    if terminated and init and as_int(terminated.get("exitCode")) != 0:
        code = as_int(terminated.get("exitCode"))
        return 3, f"{label} failed: exit {code} ({as_str(terminated.get('reason')) or 'Error'})"
    if not init and not container.get("ready") and not terminated:
        return 1, f"{label} not ready"
    return 0, ""


def pod_problem(pod: Mapping[str, Any], events: Sequence[Event] = ()) -> str:
    """Why a pod is not ready, in one line; empty when it is ready or has completed.

    Args:
        pod: The pod as the API server returned it.
        events: Events of its namespace; Warnings about this pod add the probe or pull error.

    Returns:
        E.g. `pod x Pending: 0/5 nodes are available: ...`, `pod x: container app waiting:
        CrashLoopBackOff: back-off 5m0s ... (last exit 1, Error)`, `pod x: container app not
        ready; Unhealthy: Readiness probe failed: ...`.
    """
    ref = ref_of(pod)
    status = as_map(pod.get("status"))
    phase = as_str(status.get("phase"))
    conditions = conditions_of(pod)
    label = f"pod {ref.name}"
    if as_str(as_map(pod.get("metadata")).get("deletionTimestamp")):
        return f"{label} terminating"
    scheduled = conditions.get("PodScheduled")
    if scheduled is not None and as_str(scheduled.get("status")) == "False":
        why = as_str(scheduled.get("message")) or as_str(scheduled.get("reason"))
        return _with_events(f"{label} {phase or 'Pending'}: {why}", ref, events, skip=why)
    if phase == "Failed":
        texts = (as_str(status.get("reason")), as_str(status.get("message")))
        why = ": ".join(text for text in texts if text)
        return f"{label} Failed" + (f": {why}" if why else "")
    if phase == "Succeeded" or (phase == "Running" and is_true(conditions.get("Ready"))):
        return ""
    problems = [
        _container_problem(raw, init)
        for init, key in ((True, "initContainerStatuses"), (False, "containerStatuses"))
        for raw in as_list(status.get(key))
    ]
    severity, text = max(problems, key=lambda item: item[0], default=(0, ""))
    base = f"{label}: {text}" if severity else f"{label} {phase or 'Pending'}: not ready"
    return _with_events(base, ref, events)


def _with_events(text: str, ref: ObjectRef, events: Sequence[Event], skip: str = "") -> str:
    """`text` and the newest Warning event about `ref` that says something new."""
    for event in _warnings_about(events, {ref}):
        if event.message and event.message not in text and (not skip or skip not in event.message):
            return f"{text}; {event.reason}: {event.message}"
    return text


def _warnings_about(events: Sequence[Event], refs: set[ObjectRef]) -> list[Event]:
    """Warning events about `refs`, newest first."""
    chosen = [e for e in events if e.is_warning and e.involved in refs]
    return sorted(chosen, key=lambda event: event.last_timestamp, reverse=True)


def _owned_by(obj: Mapping[str, Any], owner: Mapping[str, Any]) -> bool:
    uid = as_str(as_map(owner.get("metadata")).get("uid"))
    references = as_list(as_map(obj.get("metadata")).get("ownerReferences"))
    return bool(uid) and any(as_str(as_map(r).get("uid")) == uid for r in references)


def _newest_replica_sets(
    deployment: Mapping[str, Any], replica_sets: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The Deployment's own ReplicaSets, newest revision first."""
    owned = [rs for rs in replica_sets if _owned_by(rs, deployment)] or list(replica_sets)

    def revision(rs: Mapping[str, Any]) -> int:
        annotations = as_map(as_map(rs.get("metadata")).get("annotations"))
        text = as_str(annotations.get("deployment.kubernetes.io/revision"))
        return int(text) if text.isdigit() else 0

    return sorted(owned, key=revision, reverse=True)


def explain(
    status: ObjectReadiness,
    obj: Mapping[str, Any],
    *,
    pods: Sequence[Mapping[str, Any]] = (),
    replica_sets: Sequence[Mapping[str, Any]] = (),
    events: Sequence[Event] = (),
) -> ObjectReadiness:
    """A not-ready object's reason with its culprit added: the newest Warning event about the
    object or (for a Deployment) its newest ReplicaSet, such as a `FailedCreate` naming a
    missing ServiceAccount, and the worst of its pods that are not ready.

    Args:
        status: `readiness_of(obj)`.
        obj: The object.
        pods: Its pods (those its selector matches).
        replica_sets: For a Deployment, the ReplicaSets its selector matches.
        events: Events of its namespace.

    Returns:
        `status` as it is when ready, else with the culprit appended to its reason.
    """
    if status.ready:
        return status
    parts = [status.reason]
    subjects = {status.ref}
    if status.ref.kind == "Deployment" and replica_sets:
        subjects.add(ref_of(_newest_replica_sets(obj, replica_sets)[0]))
    for event in _warnings_about(events, subjects)[:1]:
        about = event.involved
        prefix = "" if about == status.ref else f"{about.kind} {about.name} "
        parts.append(f"{prefix}{event.reason}: {event.message}")
    for condition in conditions_of(obj).values():
        message = as_str(condition.get("message"))
        is_failure = as_str(condition.get("type")) in ("ReplicaFailure", "Failed")
        if is_failure and is_true(condition) and message:
            parts.append(message)
    if status.ref.kind == "Pod":
        pods = (obj,)
    problems = sorted(text for text in (pod_problem(pod, events) for pod in pods) if text)
    if problems:
        worst = max(problems, key=_severity)
        more = f" (and {len(problems) - 1} more pods not ready)" if len(problems) > 1 else ""
        parts.append(worst + more)
    return replace(status, reason=_joined(parts))


def _severity(text: str) -> int:
    """Unschedulable or crashing pods before pods that are merely starting."""
    if "Pending:" in text or "Failed" in text or "BackOff" in text or "Err" in text:
        return 2
    return 1


def _joined(parts: Sequence[str]) -> str:
    """Parts joined by `; `, each dropped when an earlier or later one already contains it."""
    texts = [" ".join(part.split()) for part in parts]
    kept: list[str] = []
    for text in texts:
        longer = (other for other in texts if len(other) > len(text))
        if text and text not in kept and not any(text in other for other in longer):
            kept.append(text)
    joined = "; ".join(kept)
    return joined if len(joined) <= MAX_REASON else joined[: MAX_REASON - 1] + "…"
