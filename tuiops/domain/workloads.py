"""Is an object a Helm release created ready: readiness rules in the spirit of kstatus
(sigs.k8s.io/cli-utils `pkg/kstatus/status/core.go`, which Flux and Helm's waiter use), one
short summary per object (`0/1 available, 0 pods created`, `not bound (phase Pending)`).
Why a workload is stuck is `tuiops.domain.culprits`' part.

This module decodes the raw API objects of those kinds itself, like `decode_live` does for
Flux objects: every accessor tolerates a missing key or a value of the wrong type.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tuiops.domain.decode import as_list, as_map, as_str
from tuiops.domain.refs import ObjectRef


class Readiness(enum.Enum):
    """Whether an object of a release is ready."""

    NOT_READY = "not ready"
    UNKNOWN = "unknown"
    """Not checked (a kind tuiops does not read) or not readable (forbidden, unreachable)."""
    READY = "ready"


@dataclass(frozen=True, slots=True)
class ObjectReadiness:
    """One object of a Helm release and whether it is ready."""

    ref: ObjectRef
    readiness: Readiness
    reason: str
    """Why, in one line: `0/1 available; pod x Pending: 0/5 nodes are available: ...`,
    `not found`, `forbidden: ...`, or the kstatus-style summary of a ready object."""

    @property
    def ready(self) -> bool:
        return self.readiness is Readiness.READY


@dataclass(frozen=True, slots=True)
class ReleaseObjects:
    """The objects of a Helm release's newest revision and their readiness."""

    release: str = ""
    """`<namespace>/<name>.v<revision>` of the storage revision read; empty when none was."""
    objects: tuple[ObjectReadiness, ...] = ()
    """Not ready first, then unknown, then ready; manifest order within each."""
    note: str = ""
    """Why the objects could not be listed (no release in storage, Secrets forbidden);
    empty when they were."""
    unreadable_documents: int = 0
    """Manifest documents that named no object tuiops could read."""

    @property
    def not_ready(self) -> tuple[ObjectReadiness, ...]:
        return tuple(o for o in self.objects if o.readiness is Readiness.NOT_READY)

    @property
    def unknown(self) -> tuple[ObjectReadiness, ...]:
        return tuple(o for o in self.objects if o.readiness is Readiness.UNKNOWN)


def by_readiness(statuses: Iterable[ObjectReadiness]) -> tuple[ObjectReadiness, ...]:
    """Not ready first, then unknown, then ready; the given order within each (stable)."""
    rank = {Readiness.NOT_READY: 0, Readiness.UNKNOWN: 1, Readiness.READY: 2}
    return tuple(sorted(statuses, key=lambda status: rank[status.readiness]))


# -- reading raw objects ----------------------------------------------------------------------


def as_int(value: object, default: int = 0) -> int:
    """JSON integers (and integral floats) as int; booleans and anything else as `default`."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return default


def conditions_of(obj: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """`status.conditions` by type (the last of a type wins)."""
    found: dict[str, Mapping[str, Any]] = {}
    for raw in as_list(as_map(obj.get("status")).get("conditions")):
        condition = as_map(raw)
        if as_str(condition.get("type")):
            found[as_str(condition.get("type"))] = condition
    return found


def is_true(condition: Mapping[str, Any] | None) -> bool:
    """The condition exists and its status is `True`."""
    return condition is not None and as_str(condition.get("status")) == "True"


def ref_of(obj: Mapping[str, Any]) -> ObjectRef:
    """Kind, namespace and name of a raw API object."""
    metadata = as_map(obj.get("metadata"))
    return ObjectRef(
        as_str(obj.get("kind")), as_str(metadata.get("namespace")), as_str(metadata.get("name"))
    )


def label_selector_of(selector: object) -> str:
    """A LabelSelector (`matchLabels`, `matchExpressions`) as `labelSelector` query text.

    Args:
        selector: `spec.selector` of a workload.

    Returns:
        E.g. `app=x,tier in (web,api),!legacy`; empty when it selects nothing expressible
        (then no pods are looked up, rather than every pod of the namespace).
    """
    spec = as_map(selector)
    terms = [f"{k}={as_str(v)}" for k, v in sorted(as_map(spec.get("matchLabels")).items())]
    for raw in as_list(spec.get("matchExpressions")):
        expression = as_map(raw)
        key, operator = as_str(expression.get("key")), as_str(expression.get("operator"))
        values = ",".join(as_str(value) for value in as_list(expression.get("values")))
        if not key:
            continue
        if operator in ("In", "NotIn") and values:
            terms.append(f"{key} {operator.lower()} ({values})")
        elif operator == "Exists":
            terms.append(key)
        elif operator == "DoesNotExist":
            terms.append(f"!{key}")
    return ",".join(terms)


# -- readiness rules (kstatus) ----------------------------------------------------------------


def _generic(obj: Mapping[str, Any]) -> str:
    """kstatus' checks every kind shares: deletion and an unobserved generation."""
    metadata, status = as_map(obj.get("metadata")), as_map(obj.get("status"))
    if as_str(metadata.get("deletionTimestamp")):
        return "being deleted"
    generation = as_int(metadata.get("generation"), 0)
    observed = as_int(status.get("observedGeneration"), -1)
    if "observedGeneration" in status and generation and observed != generation:
        return f"generation {generation} not observed yet (observed {observed})"
    return ""


def _deployment(obj: Mapping[str, Any]) -> str:
    spec, status = as_map(obj.get("spec")), as_map(obj.get("status"))
    conditions = conditions_of(obj)
    progressing = conditions.get("Progressing")
    wanted = as_int(spec.get("replicas"), 1)
    current = as_int(status.get("replicas"))
    updated = as_int(status.get("updatedReplicas"))
    ready = as_int(status.get("readyReplicas"))
    available = as_int(status.get("availableReplicas"))
    deadline = progressing is not None and progressing.get("reason") == "ProgressDeadlineExceeded"
    prefix = "progress deadline exceeded, " if deadline else ""
    if wanted > current:
        return f"{prefix}{available}/{wanted} available, {current} pods created"
    if wanted > updated:
        return f"{prefix}{updated}/{wanted} updated"
    if current > wanted:
        return f"{prefix}{current - wanted} old replicas pending termination"
    if updated > available:
        return f"{prefix}{available}/{updated} available"
    if wanted > ready:
        return f"{prefix}{ready}/{wanted} ready"
    if deadline:
        return "progress deadline exceeded"
    no_deadline = "progressDeadlineSeconds" not in spec
    rolled_out = is_true(progressing) and as_map(progressing).get("reason") == (
        "NewReplicaSetAvailable"
    )
    if not no_deadline and not rolled_out:
        return "new ReplicaSet not available yet"
    if not is_true(conditions.get("Available")):
        return "Available condition is not True"
    return ""


def _stateful_set(obj: Mapping[str, Any]) -> str:
    spec, status = as_map(obj.get("spec")), as_map(obj.get("status"))
    strategy = as_map(spec.get("updateStrategy"))
    if as_str(strategy.get("type")) == "OnDelete":
        return ""
    wanted = as_int(spec.get("replicas"), 1)
    current = as_int(status.get("replicas"))
    ready = as_int(status.get("readyReplicas"))
    updated = as_int(status.get("updatedReplicas"))
    partition = as_int(as_map(strategy.get("rollingUpdate")).get("partition"), -1)
    if wanted > current:
        return f"{current}/{wanted} replicas"
    if wanted > ready:
        return f"{ready}/{wanted} ready"
    if current > wanted:
        return f"{current - wanted} old replicas pending termination"
    if partition > 0:
        return "" if updated >= wanted - partition else f"{updated}/{wanted - partition} updated"
    if wanted > as_int(status.get("currentReplicas")):
        return f"{as_int(status.get('currentReplicas'))}/{wanted} current"
    if as_str(status.get("currentRevision")) != as_str(status.get("updateRevision")):
        return "waiting for the update revision to roll out"
    return ""


def _first_shortfall(
    status: Mapping[str, Any], wanted: int, counts: tuple[tuple[str, str], ...]
) -> str:
    """`have/wanted word` for the first status count below `wanted`, in the order given (the
    earliest stage of a rollout that falls short); empty when none does."""
    for field, word in counts:
        have = as_int(status.get(field))
        if wanted > have:
            return f"{have}/{wanted} {word}"
    return ""


def _daemon_set(obj: Mapping[str, Any]) -> str:
    status = as_map(obj.get("status"))
    if "desiredNumberScheduled" not in status:
        return "not scheduled yet"
    wanted = as_int(status.get("desiredNumberScheduled"))
    return _first_shortfall(
        status,
        wanted,
        (
            ("currentNumberScheduled", "scheduled"),
            ("updatedNumberScheduled", "updated"),
            ("numberAvailable", "available"),
            ("numberReady", "ready"),
        ),
    )


def _replica_set(obj: Mapping[str, Any]) -> str:
    spec, status = as_map(obj.get("spec")), as_map(obj.get("status"))
    failure = conditions_of(obj).get("ReplicaFailure")
    if is_true(failure) and failure is not None:
        return f"{as_str(failure.get('reason'))}: {as_str(failure.get('message'))}"
    wanted = as_int(spec.get("replicas"), 1)
    shortfall = _first_shortfall(
        status,
        wanted,
        (
            ("fullyLabeledReplicas", "labelled"),
            ("availableReplicas", "available"),
            ("readyReplicas", "ready"),
        ),
    )
    if shortfall:
        return shortfall
    current = as_int(status.get("replicas"))
    return f"{current - wanted} old replicas pending termination" if current > wanted else ""


def _pod(obj: Mapping[str, Any]) -> str:
    """The phase; why a pod is stuck is `culprits.pod_problem`'s to say."""
    status = as_map(obj.get("status"))
    phase = as_str(status.get("phase"))
    if phase == "Succeeded":
        return ""
    if phase == "Running":
        return "" if is_true(conditions_of(obj).get("Ready")) else "Running, not ready"
    return phase or "phase Unknown"


def _job(obj: Mapping[str, Any]) -> str:
    spec, status = as_map(obj.get("spec")), as_map(obj.get("status"))
    conditions = conditions_of(obj)
    completions = as_int(spec.get("completions"), as_int(spec.get("parallelism"), 1))
    succeeded, failed = as_int(status.get("succeeded")), as_int(status.get("failed"))
    failure = conditions.get("Failed")
    if is_true(failure) and failure is not None:
        why = as_str(failure.get("message")) or as_str(failure.get("reason"))
        return f"failed ({failed} failed pods): {why}"
    if is_true(conditions.get("Complete")):
        return ""
    if not as_str(status.get("startTime")):
        return "not started"
    active = as_int(status.get("active"))
    return f"running: {succeeded}/{completions} succeeded, {active} active, {failed} failed"


def _persistent_volume_claim(obj: Mapping[str, Any]) -> str:
    phase = as_str(as_map(obj.get("status")).get("phase"))
    return "" if phase == "Bound" else f"not bound (phase {phase or 'Pending'})"


def _service(obj: Mapping[str, Any]) -> str:
    spec, status = as_map(obj.get("spec")), as_map(obj.get("status"))
    if as_str(spec.get("type")) != "LoadBalancer" or as_list(spec.get("externalIPs")):
        return ""
    ingress = as_list(as_map(status.get("loadBalancer")).get("ingress"))
    return "" if ingress else "LoadBalancer has no external address yet"


_RULES = {
    "Deployment": _deployment,
    "StatefulSet": _stateful_set,
    "DaemonSet": _daemon_set,
    "ReplicaSet": _replica_set,
    "Pod": _pod,
    "Job": _job,
    "PersistentVolumeClaim": _persistent_volume_claim,
    "Service": _service,
}
"""Kinds with a readiness rule; any other kind is ready once it exists."""


def readiness_of(obj: Mapping[str, Any]) -> ObjectReadiness:
    """Whether an object that exists is ready, by its kind's rule.

    Args:
        obj: The object as the API server returned it.

    Returns:
        READY with an empty reason, or NOT_READY with a short summary such as
        `0/1 available (0 created)`, `1/2 updated`, `not bound (phase Pending)`.
    """
    rule = _RULES.get(as_str(obj.get("kind")))
    problem = _generic(obj) or (rule(obj) if rule is not None else "")
    if problem:
        return ObjectReadiness(ref_of(obj), Readiness.NOT_READY, problem)
    return ObjectReadiness(ref_of(obj), Readiness.READY, "")


def missing(ref: ObjectRef) -> ObjectReadiness:
    """An object the release creates that the cluster does not have."""
    return ObjectReadiness(ref, Readiness.NOT_READY, "not found")


def unknown(ref: ObjectRef, why: str) -> ObjectReadiness:
    """An object whose readiness could not be told (`not checked: ...`, `forbidden: ...`)."""
    return ObjectReadiness(ref, Readiness.UNKNOWN, why)
