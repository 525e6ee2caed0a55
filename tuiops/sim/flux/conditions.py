"""Condition and request-annotation primitives of Flux objects (`metav1.Condition` lists
ordered as fluxcd/pkg orders them: Stalled, Reconciling, Ready, then by type). Used through
`status`, which re-exports them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tuiops.sim.clock import rfc3339

JsonObject = dict[str, Any]

READY = "Ready"
RECONCILING = "Reconciling"
STALLED = "Stalled"

REQUESTED_AT = "reconcile.fluxcd.io/requestedAt"
FORCE_AT = "reconcile.fluxcd.io/forceAt"
RESET_AT = "reconcile.fluxcd.io/resetAt"

_WEIGHT = {STALLED: 0, RECONCILING: 1, READY: 2}


def status_of(obj: JsonObject) -> JsonObject:
    """`obj['status']`, created empty when missing."""
    status = obj.get("status")
    if not isinstance(status, dict):
        status = {}
        obj["status"] = status
    return status


def generation_of(obj: Mapping[str, Any]) -> int:
    """`metadata.generation`, 1 when absent."""
    return int(obj.get("metadata", {}).get("generation", 1))


def sorted_status(obj: JsonObject) -> JsonObject:
    """Order the status fields alphabetically, as the fixtures list them."""
    obj["status"] = dict(sorted(status_of(obj).items()))
    return obj


def condition(obj: Mapping[str, Any], type_: str) -> Mapping[str, Any] | None:
    """The condition of `type_`, or None."""
    for entry in obj.get("status", {}).get("conditions", []) or []:
        if isinstance(entry, dict) and entry.get("type") == type_:
            return entry
    return None


def is_ready(obj: Mapping[str, Any]) -> bool:
    """Ready=True for the object's current generation, as `dependsOn` checks it."""
    ready = condition(obj, READY)
    if ready is None or ready.get("status") != "True":
        return False
    observed = obj.get("status", {}).get("observedGeneration")
    if observed != generation_of(obj):
        return False
    return condition(obj, STALLED) is None and condition(obj, RECONCILING) is None


def set_condition(
    obj: JsonObject, type_: str, status: str, reason: str, message: str, now: datetime
) -> JsonObject:
    """Add or replace one condition; `lastTransitionTime` moves only when `status` changes."""
    conditions = [c for c in status_of(obj).get("conditions", []) or [] if isinstance(c, dict)]
    old = next((c for c in conditions if c.get("type") == type_), None)
    stamp = rfc3339(now)
    if old is not None and old.get("status") == status:
        stamp = str(old.get("lastTransitionTime", stamp))
    fresh = {
        "lastTransitionTime": stamp,
        "message": message,
        "observedGeneration": generation_of(obj),
        "reason": reason,
        "status": status,
        "type": type_,
    }
    conditions = [c for c in conditions if c.get("type") != type_] + [fresh]
    conditions.sort(key=lambda c: (_WEIGHT.get(str(c.get("type")), 3), str(c.get("type"))))
    status_of(obj)["conditions"] = conditions
    return sorted_status(obj)


def remove_condition(obj: JsonObject, type_: str) -> JsonObject:
    """Drop the condition of `type_` (Flux deletes Reconciling/Stalled rather than set False)."""
    status = status_of(obj)
    status["conditions"] = [c for c in status.get("conditions", []) or [] if c.get("type") != type_]
    return obj


def annotation(obj: Mapping[str, Any], key: str) -> str:
    """An annotation value, empty when absent."""
    value = (obj.get("metadata", {}).get("annotations") or {}).get(key, "")
    return value if isinstance(value, str) else ""


def force_requested(obj: Mapping[str, Any]) -> bool:
    """`forceAt` set, equal to `requestedAt` and not yet handled (helm-controller's rule)."""
    force = annotation(obj, FORCE_AT)
    handled = obj.get("status", {}).get("lastHandledForceAt", "")
    return bool(force) and force == annotation(obj, REQUESTED_AT) and force != handled


def reset_requested(obj: Mapping[str, Any]) -> bool:
    """`resetAt` set, equal to `requestedAt` and not yet handled."""
    reset = annotation(obj, RESET_AT)
    handled = obj.get("status", {}).get("lastHandledResetAt", "")
    return bool(reset) and reset == annotation(obj, REQUESTED_AT) and reset != handled


def record_handled(obj: JsonObject) -> JsonObject:
    """Echo the request annotations into status and mark the generation observed.

    `lastHandledReconcileAt` takes `requestedAt`; a HelmRelease's `forceAt`/`resetAt` are
    echoed only when equal to `requestedAt`.
    """
    status = status_of(obj)
    requested = annotation(obj, REQUESTED_AT)
    if requested:
        status["lastHandledReconcileAt"] = requested
    if obj.get("kind") == "HelmRelease" and requested:
        if annotation(obj, FORCE_AT) == requested:
            status["lastHandledForceAt"] = requested
        if annotation(obj, RESET_AT) == requested:
            status["lastHandledResetAt"] = requested
    status["observedGeneration"] = generation_of(obj)
    return sorted_status(obj)


def mark_progressing(
    obj: JsonObject,
    now: datetime,
    message: str = "Reconciliation in progress",
    *,
    reconciling_message: str | None = None,
) -> JsonObject:
    """Reconciling=True/Progressing and Ready=Unknown/Progressing, as at the start of a run."""
    set_condition(obj, RECONCILING, "True", "Progressing", reconciling_message or message, now)
    return set_condition(obj, READY, "Unknown", "Progressing", message, now)


def dependency_not_ready(obj: JsonObject, now: datetime, dependency: str) -> JsonObject:
    """Ready=False/DependencyNotReady naming `dependency` (`ns/name`)."""
    remove_condition(obj, RECONCILING)
    set_condition(
        obj, READY, "False", "DependencyNotReady", f"dependency '{dependency}' is not ready", now
    )
    return record_handled(obj)
