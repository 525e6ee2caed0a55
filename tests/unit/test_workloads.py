"""The readiness rules of `tuiops.domain.workloads` (kstatus' rules per kind) and the culprit
`tuiops.domain.culprits` adds, on hand-written API objects: each case states the object as a
cluster would hold it and the reason a person should read."""

from __future__ import annotations

from typing import Any

import pytest

from tuiops.domain.culprits import explain, pod_problem
from tuiops.domain.events import Event, EventType
from tuiops.domain.refs import ObjectRef
from tuiops.domain.workloads import (
    ObjectReadiness,
    Readiness,
    by_readiness,
    label_selector_of,
    missing,
    readiness_of,
    unknown,
)

JsonObject = dict[str, Any]


def obj(
    kind: str, name: str = "app", *, spec: JsonObject | None = None, **status: Any
) -> JsonObject:
    return {
        "apiVersion": "v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": "ns", "generation": 1, "uid": f"uid-{name}"},
        "spec": spec or {},
        "status": status,
    }


def cond(type_: str, status: str, reason: str = "", message: str = "") -> JsonObject:
    return {"type": type_, "status": status, "reason": reason, "message": message}


ROLLED_OUT = [
    cond("Available", "True", "MinimumReplicasAvailable"),
    cond("Progressing", "True", "NewReplicaSetAvailable"),
]


def deployment(wanted: int = 2, **status: Any) -> JsonObject:
    """A Deployment of `wanted` replicas with a progress deadline, rolled out unless `status`
    says otherwise."""
    spec: JsonObject = {"replicas": wanted, "progressDeadlineSeconds": 600}
    fields = {"observedGeneration": 1, "conditions": ROLLED_OUT, **status}
    return obj("Deployment", spec=spec, **fields)


def reason(raw: JsonObject) -> str:
    status = readiness_of(raw)
    assert status.ref == ObjectRef(raw["kind"], "ns", raw["metadata"]["name"])
    return "" if status.ready else status.reason


def warning(kind: str, name: str, why: str, message: str, when: str) -> Event:
    return Event(
        ObjectRef(kind, "ns", name), "v1", EventType.WARNING, why, message, 1, when, when, "x"
    )


# -- rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ({"replicas": 2, "updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 2}, ""),
        (
            {"replicas": 1, "updatedReplicas": 1, "availableReplicas": 0},
            "0/2 available, 1 pods created",
        ),
        (
            {"replicas": 2, "updatedReplicas": 1, "readyReplicas": 2, "availableReplicas": 2},
            "1/2 updated",
        ),
        (
            {"replicas": 3, "updatedReplicas": 2, "readyReplicas": 3, "availableReplicas": 3},
            "1 old replicas pending termination",
        ),
        (
            {"replicas": 2, "updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 1},
            "1/2 available",
        ),
        (
            {"replicas": 2, "updatedReplicas": 2, "readyReplicas": 1, "availableReplicas": 2},
            "1/2 ready",
        ),
    ],
)
def test_deployment_counts(status: JsonObject, expected: str) -> None:
    assert reason(deployment(**status)) == expected


def test_deployment_conditions() -> None:
    full: JsonObject = {
        "replicas": 1,
        "updatedReplicas": 1,
        "readyReplicas": 1,
        "availableReplicas": 1,
    }
    stuck = deployment(
        1,
        **{**full, "updatedReplicas": 0},
        conditions=[cond("Progressing", "False", "ProgressDeadlineExceeded", "timed out")],
    )
    assert reason(stuck) == "progress deadline exceeded, 0/1 updated"
    rolling = deployment(1, **full, conditions=[cond("Progressing", "True", "ReplicaSetUpdated")])
    assert reason(rolling) == "new ReplicaSet not available yet"
    unavailable = deployment(
        1, **full, conditions=[cond("Progressing", "True", "NewReplicaSetAvailable")]
    )
    assert reason(unavailable) == "Available condition is not True"
    # Without a progress deadline the controller never sets Progressing (kstatus).
    bare = obj("Deployment", spec={"replicas": 1}, conditions=[cond("Available", "True")], **full)
    assert reason(bare) == ""
    # spec.replicas defaults to 1.
    assert reason(obj("Deployment", spec={}, **full, conditions=[cond("Available", "True")])) == ""


def test_generic_checks_come_first() -> None:
    moved = deployment(replicas=1)
    moved["metadata"]["generation"] = 3
    moved["status"]["observedGeneration"] = 2
    assert reason(moved) == "generation 3 not observed yet (observed 2)"
    going = obj("ConfigMap")
    going["metadata"]["deletionTimestamp"] = "2025-11-25T10:00:00Z"
    assert reason(going) == "being deleted"


def test_stateful_set() -> None:
    spec: JsonObject = {"replicas": 3}
    ready: JsonObject = {
        "replicas": 3,
        "readyReplicas": 3,
        "currentReplicas": 3,
        "updatedReplicas": 3,
    }
    same: JsonObject = {"currentRevision": "db-1", "updateRevision": "db-1"}
    assert reason(obj("StatefulSet", spec=spec, **ready, **same)) == ""
    assert reason(obj("StatefulSet", spec=spec, **{**ready, "replicas": 2})) == "2/3 replicas"
    assert reason(obj("StatefulSet", spec=spec, **{**ready, "readyReplicas": 1})) == "1/3 ready"
    rolling: JsonObject = {**ready, "currentReplicas": 1, "updatedReplicas": 2}
    assert reason(obj("StatefulSet", spec=spec, **rolling)) == "1/3 current"
    pending: JsonObject = {"currentRevision": "db-1", "updateRevision": "db-2"}
    assert reason(obj("StatefulSet", spec=spec, **ready, **pending)) == (
        "waiting for the update revision to roll out"
    )
    partitioned: JsonObject = {**spec, "updateStrategy": {"rollingUpdate": {"partition": 2}}}
    assert reason(obj("StatefulSet", spec=partitioned, **{**ready, "updatedReplicas": 1})) == ""
    assert reason(obj("StatefulSet", spec=partitioned, **{**ready, "updatedReplicas": 0})) == (
        "0/1 updated"
    )
    on_delete: JsonObject = {**spec, "updateStrategy": {"type": "OnDelete"}}
    assert reason(obj("StatefulSet", spec=on_delete)) == ""


def test_daemon_set() -> None:
    full: JsonObject = {
        "desiredNumberScheduled": 3,
        "currentNumberScheduled": 3,
        "updatedNumberScheduled": 3,
        "numberAvailable": 3,
        "numberReady": 3,
    }
    assert reason(obj("DaemonSet", **full)) == ""
    assert reason(obj("DaemonSet")) == "not scheduled yet"
    assert reason(obj("DaemonSet", **{**full, "currentNumberScheduled": 2})) == "2/3 scheduled"
    assert reason(obj("DaemonSet", **{**full, "updatedNumberScheduled": 1})) == "1/3 updated"
    assert reason(obj("DaemonSet", **{**full, "numberAvailable": 0})) == "0/3 available"
    assert reason(obj("DaemonSet", **{**full, "numberReady": 2})) == "2/3 ready"


def test_replica_set() -> None:
    full: JsonObject = {
        "replicas": 2,
        "fullyLabeledReplicas": 2,
        "availableReplicas": 2,
        "readyReplicas": 2,
    }
    assert reason(obj("ReplicaSet", spec={"replicas": 2}, **full)) == ""
    failed = obj(
        "ReplicaSet",
        spec={"replicas": 2},
        conditions=[cond("ReplicaFailure", "True", "FailedCreate", 'pods "x-" is forbidden')],
    )
    assert reason(failed) == 'FailedCreate: pods "x-" is forbidden'
    assert reason(obj("ReplicaSet", spec={"replicas": 2}, **{**full, "readyReplicas": 1})) == (
        "1/2 ready"
    )


def test_job_claim_service_and_other_kinds() -> None:
    done = obj("Job", conditions=[cond("Complete", "True")], succeeded=1)
    assert reason(done) == ""
    failed = obj(
        "Job",
        failed=6,
        conditions=[cond("Failed", "True", "BackoffLimitExceeded", "Job has reached the limit")],
    )
    assert reason(failed) == "failed (6 failed pods): Job has reached the limit"
    assert reason(obj("Job")) == "not started"
    running = obj("Job", spec={"completions": 3}, startTime="t", succeeded=1, active=2)
    assert reason(running) == "running: 1/3 succeeded, 2 active, 0 failed"

    assert reason(obj("PersistentVolumeClaim", phase="Bound")) == ""
    assert reason(obj("PersistentVolumeClaim", phase="Pending")) == "not bound (phase Pending)"
    assert reason(obj("PersistentVolumeClaim")) == "not bound (phase Pending)"

    balancer = {"type": "LoadBalancer"}
    assert reason(obj("Service", spec=balancer, loadBalancer={})) == (
        "LoadBalancer has no external address yet"
    )
    assert (
        reason(obj("Service", spec=balancer, loadBalancer={"ingress": [{"ip": "1.2.3.4"}]})) == ""
    )
    assert reason(obj("Service", spec={**balancer, "externalIPs": ["1.2.3.4"]})) == ""
    assert reason(obj("Service", spec={"type": "ClusterIP"})) == ""
    assert reason(obj("ServiceMonitor")) == ""
    assert reason(obj("ConfigMap")) == ""


# -- pods ---------------------------------------------------------------------------------------


def pod(name: str = "web-1", **status: Any) -> JsonObject:
    return obj("Pod", name, spec={"containers": [{"name": "web"}]}, **status)


def test_pod_rules() -> None:
    assert reason(pod(phase="Succeeded")) == ""
    assert reason(pod(phase="Running", conditions=[cond("Ready", "True")])) == ""
    assert reason(pod(phase="Running", conditions=[cond("Ready", "False")])) == (
        "Running, not ready"
    )
    assert reason(pod(phase="Pending")) == "Pending"
    assert reason(pod()) == "phase Unknown"


def test_pod_problem() -> None:
    unscheduled = pod(
        phase="Pending",
        conditions=[cond("PodScheduled", "False", "Unschedulable", "0/5 nodes are available: x.")],
    )
    assert pod_problem(unscheduled) == "pod web-1 Pending: 0/5 nodes are available: x."
    # explain gives a pod's own problem, and the phase is not said twice.
    explained = explain(readiness_of(unscheduled), unscheduled)
    assert explained.reason == "pod web-1 Pending: 0/5 nodes are available: x."
    evicted = pod(phase="Failed", reason="Evicted", message="The node was low on memory.")
    assert pod_problem(evicted) == "pod web-1 Failed: Evicted: The node was low on memory."
    assert pod_problem(pod()) == "pod web-1 Pending: not ready"
    assert pod_problem(pod(phase="Succeeded")) == ""
    going = pod(phase="Running")
    going["metadata"]["deletionTimestamp"] = "2025-11-25T10:00:00Z"
    assert pod_problem(going) == "pod web-1 terminating"


def test_pod_problem_picks_the_worst_container() -> None:
    crashing = pod(
        phase="Running",
        conditions=[cond("Ready", "False")],
        initContainerStatuses=[
            {"name": "init", "ready": True, "state": {"terminated": {"exitCode": 0}}}
        ],
        containerStatuses=[
            {"name": "sidecar", "ready": False, "state": {"running": {}}},
            {
                "name": "web",
                "ready": False,
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s"}},
                "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}},
            },
        ],
    )
    assert pod_problem(crashing) == (
        "pod web-1: container web waiting: CrashLoopBackOff: back-off 40s "
        "(last exit 137, OOMKilled)"
    )
    init_failed = pod(
        phase="Pending",
        initContainerStatuses=[
            {"name": "migrate", "state": {"terminated": {"exitCode": 2, "reason": "Error"}}}
        ],
        containerStatuses=[
            {"name": "web", "ready": False, "state": {"waiting": {"reason": "PodInitializing"}}}
        ],
    )
    assert pod_problem(init_failed) == "pod web-1: init container migrate failed: exit 2 (Error)"


def test_pod_problem_adds_the_probe_event() -> None:
    unready = pod(
        phase="Running",
        conditions=[cond("Ready", "False")],
        containerStatuses=[{"name": "web", "ready": False, "state": {"running": {}}}],
    )
    events = [
        warning(
            "Pod", "web-1", "Unhealthy", "Readiness probe failed: HTTP 503", "2025-11-25T10:00:00Z"
        ),
        warning(
            "Pod", "web-1", "Unhealthy", "Readiness probe failed: HTTP 500", "2025-11-25T09:00:00Z"
        ),
        warning("Pod", "other", "Unhealthy", "not about this pod", "2025-11-25T11:00:00Z"),
    ]
    assert pod_problem(unready, events) == (
        "pod web-1: container web not ready; Unhealthy: Readiness probe failed: HTTP 503"
    )


# -- explain ------------------------------------------------------------------------------------


def replica_set(name: str, revision: str, owner: str = "uid-app") -> JsonObject:
    rs = obj("ReplicaSet", name, spec={"replicas": 1})
    rs["metadata"]["annotations"] = {"deployment.kubernetes.io/revision": revision}
    rs["metadata"]["ownerReferences"] = [{"kind": "Deployment", "name": "app", "uid": owner}]
    return rs


def test_explain_names_the_new_replica_set_that_cannot_create_pods() -> None:
    denied = (
        'pods "app-new-" is forbidden: error looking for service account ns/app: '
        'serviceaccount "app" not found'
    )
    stuck = deployment(
        1,
        replicas=1,
        updatedReplicas=0,
        readyReplicas=1,
        availableReplicas=1,
        conditions=[
            cond("Progressing", "False", "ProgressDeadlineExceeded", 'ReplicaSet "app-new" ...'),
            cond("ReplicaFailure", "True", "FailedCreate", denied),
        ],
    )
    sets = [
        replica_set("app-old", "4"),
        replica_set("app-new", "5"),
        replica_set("stranger", "9", owner="uid-someone-else"),
    ]
    events = [
        warning("ReplicaSet", "app-old", "FailedCreate", "an old failure", "2025-11-24T00:00:00Z"),
        warning(
            "ReplicaSet",
            "app-new",
            "FailedCreate",
            f"Error creating: {denied}",
            "2025-11-25T10:00:00Z",
        ),
        warning("ReplicaSet", "stranger", "FailedCreate", "someone else's", "2025-11-25T11:00:00Z"),
    ]
    result = explain(readiness_of(stuck), stuck, replica_sets=sets, events=events)
    assert result.readiness is Readiness.NOT_READY
    # The condition repeats the event's text: it is said once.
    assert result.reason == (
        f"progress deadline exceeded, 0/1 updated; ReplicaSet app-new FailedCreate: "
        f"Error creating: {denied}"
    )


def test_explain_adds_the_worst_pod_and_counts_the_rest() -> None:
    sts = obj("StatefulSet", "db", spec={"replicas": 3}, replicas=3, readyReplicas=1)
    pods = [
        pod("db-0", phase="Running", conditions=[cond("Ready", "True")]),
        pod(
            "db-1",
            phase="Pending",
            containerStatuses=[
                {
                    "name": "pg",
                    "ready": False,
                    "state": {"waiting": {"reason": "ContainerCreating"}},
                }
            ],
        ),
        pod(
            "db-2",
            phase="Pending",
            conditions=[
                cond(
                    "PodScheduled",
                    "False",
                    "Unschedulable",
                    "0/3 nodes: volume node affinity conflict",
                )
            ],
        ),
    ]
    result = explain(readiness_of(sts), sts, pods=pods)
    assert result.reason == (
        "1/3 ready; pod db-2 Pending: 0/3 nodes: volume node affinity conflict "
        "(and 1 more pods not ready)"
    )


def test_explain_leaves_ready_objects_alone_and_bounds_the_reason() -> None:
    ready = readiness_of(obj("ConfigMap"))
    assert (
        explain(ready, obj("ConfigMap"), events=[warning("ConfigMap", "app", "X", "y", "t")])
        is ready
    )
    claim = obj("PersistentVolumeClaim", phase="Pending")
    long = warning("PersistentVolumeClaim", "app", "ProvisioningFailed", "z" * 2000, "t")
    result = explain(readiness_of(claim), claim, events=[long])
    assert result.reason.startswith("not bound (phase Pending); ProvisioningFailed: zzz")
    assert len(result.reason) == 600 and result.reason.endswith("…")


def test_selectors_ordering_and_constructors() -> None:
    selector = {
        "matchLabels": {"b": "2", "a": "1"},
        "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["web", "api"]},
            {"key": "env", "operator": "NotIn", "values": ["dev"]},
            {"key": "canary", "operator": "Exists"},
            {"key": "legacy", "operator": "DoesNotExist"},
            {"key": "", "operator": "Exists"},
        ],
    }
    assert label_selector_of(selector) == "a=1,b=2,tier in (web,api),env notin (dev),canary,!legacy"
    assert label_selector_of(None) == ""
    ref = ObjectRef("Widget", "ns", "w")
    statuses = [
        ObjectReadiness(ref, Readiness.READY, ""),
        unknown(ref, "forbidden"),
        missing(ObjectRef("ConfigMap", "ns", "a")),
        missing(ObjectRef("ConfigMap", "ns", "b")),
    ]
    ordered = by_readiness(statuses)
    assert [s.readiness for s in ordered] == [
        Readiness.NOT_READY,
        Readiness.NOT_READY,
        Readiness.UNKNOWN,
        Readiness.READY,
    ]
    assert [s.ref.name for s in ordered[:2]] == ["a", "b"]
    assert ordered[0].reason == "not found"
