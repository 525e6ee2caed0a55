"""`tuiops.domain.workload_tree` on hand-written API objects: a Deployment whose new ReplicaSet
cannot create pods (a missing ServiceAccount) while the old one keeps its pods, a crash-looping
StatefulSet pod, a DaemonSet, children found by owner (never by labels), kubectl's pod STATUS
words, and the not-ready path first."""

from __future__ import annotations

from typing import Any

import pytest

from tuiops.domain.events import Event, EventType
from tuiops.domain.pod_status import pod_status_word
from tuiops.domain.refs import ObjectRef
from tuiops.domain.workload_tree import TreeNode, missing_workload, pod_node, workload_tree
from tuiops.domain.workloads import Readiness

JsonObject = dict[str, Any]
NS = "ns"
DENIED = (
    'pods "web-new-" is forbidden: error looking for service account ns/web: '
    'serviceaccount "web" not found'
)


def meta(name: str, *, owner: tuple[str, str] | None = None, **extra: Any) -> JsonObject:
    data: JsonObject = {
        "name": name,
        "namespace": NS,
        "uid": f"uid-{name}",
        "creationTimestamp": "2025-11-25T10:00:00Z",
        **extra,
    }
    if owner is not None:
        kind, owner_name = owner
        data["ownerReferences"] = [{"kind": kind, "name": owner_name, "uid": f"uid-{owner_name}"}]
    return data


ROLLED_OUT = [{"type": "Available", "status": "True"}]
FULL = {"replicas": 1, "fullyLabeledReplicas": 1, "readyReplicas": 1, "availableReplicas": 1}


def deployment(name: str = "web", **status: Any) -> JsonObject:
    status.setdefault("conditions", ROLLED_OUT)
    return {
        "kind": "Deployment",
        "metadata": meta(name, generation=2),
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}}},
        "status": {"observedGeneration": 2, **status},
    }


def replica_set(name: str, owner: str, revision: int, **status: Any) -> JsonObject:
    annotations = {"deployment.kubernetes.io/revision": str(revision)}
    return {
        "kind": "ReplicaSet",
        "metadata": meta(name, owner=("Deployment", owner), annotations=annotations),
        "spec": {"replicas": status.pop("wanted", 1)},
        "status": status,
    }


def running_pod(name: str, owner: tuple[str, str], restarts: int = 0) -> JsonObject:
    return {
        "kind": "Pod",
        "metadata": meta(name, owner=owner),
        "spec": {"nodeName": "w1", "containers": [{"name": "app"}]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [
                {
                    "name": "app",
                    "ready": True,
                    "restartCount": restarts,
                    "image": "app:1",
                    "state": {"running": {"startedAt": "2025-11-25T10:01:00Z"}},
                }
            ],
        },
    }


def crashing_pod(name: str, owner: tuple[str, str]) -> JsonObject:
    return {
        "kind": "Pod",
        "metadata": meta(name, owner=owner),
        "spec": {"nodeName": "w2", "containers": [{"name": "db"}, {"name": "sidecar"}]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "False"}],
            "containerStatuses": [
                {
                    "name": "db",
                    "ready": False,
                    "restartCount": 7,
                    "state": {
                        "waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}
                    },
                    "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}},
                },
                {"name": "sidecar", "ready": True, "restartCount": 1, "state": {"running": {}}},
            ],
        },
    }


def event(kind: str, name: str, reason: str, message: str, last: str, warning: bool) -> Event:
    return Event(
        involved=ObjectRef(kind, NS, name),
        involved_api_version="v1",
        type=EventType.WARNING if warning else EventType.NORMAL,
        reason=reason,
        message=message,
        count=3,
        first_timestamp=last,
        last_timestamp=last,
        source_component="replicaset-controller",
    )


def stuck_rollout() -> tuple[list[JsonObject], list[JsonObject], list[JsonObject], list[Event]]:
    """web: the new ReplicaSet cannot create pods; the old one runs 1 pod. api: healthy."""
    failure = {"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate"}
    web = deployment(
        "web",
        replicas=1,
        updatedReplicas=0,
        readyReplicas=1,
        availableReplicas=1,
        conditions=[
            {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"},
            {**failure, "message": DENIED},
        ],
    )
    api = deployment("api", replicas=1, updatedReplicas=1, readyReplicas=1, availableReplicas=1)
    replica_sets = [
        replica_set("web-old", "web", 1, **FULL),
        replica_set("web-new", "web", 2, replicas=0, conditions=[{**failure, "message": DENIED}]),
        replica_set("web-older", "web", 0, wanted=0, replicas=0),
        replica_set("api-1", "api", 1, **FULL),
    ]
    pods = [
        running_pod("web-old-abcde", ("ReplicaSet", "web-old"), restarts=2),
        running_pod("api-1-xyz", ("ReplicaSet", "api-1")),
        # Same labels, another owner: never shown under web.
        running_pod("stray", ("ReplicaSet", "someone-else")),
    ]
    events = [
        event("ReplicaSet", "web-new", "FailedCreate", f"Error creating: {DENIED}", "T2", True),
        event("Pod", "web-old-abcde", "Pulled", "image pulled", "T1", False),
        event("Pod", "web-old-abcde", "Started", "started", "T3", False),
    ]
    return [api, web], replica_sets, pods, events


def test_a_replica_set_that_cannot_create_pods_leads_the_tree() -> None:
    workloads, replica_sets, pods, events = stuck_rollout()
    tree = workload_tree("ns/web.v2", workloads, replica_sets, pods, events)
    rows = [(depth, node.ref.name) for depth, node in tree.rows()]
    assert rows == [
        (0, "web"),
        (1, "web-new"),
        (1, "web-old"),
        (2, "web-old-abcde"),
        (0, "api"),
        (1, "api-1"),
        (2, "api-1-xyz"),
    ]
    web = tree.workloads[0]
    assert web.readiness is Readiness.NOT_READY and web.status == "FailedCreate"
    assert web.hidden_replica_sets == 1  # web-older, scaled to zero
    assert web.restarts == 2
    new = web.children[0]
    assert new.cannot_create and new.children == ()
    assert new.problem == f"cannot create pods: {DENIED}"
    assert (new.ready, new.status, new.revision) == ("0/1", "FailedCreate", "2")
    assert [e.reason for e in new.events] == ["FailedCreate"]
    assert "ReplicaSet web-new: cannot create pods" in web.problem
    old = web.children[1]
    assert old.readiness is Readiness.READY and old.problem == ""
    pod = old.children[0]
    assert (pod.ready, pod.status, pod.restarts, pod.node) == ("1/1", "Running", 2, "w1")
    assert [e.reason for e in pod.events] == ["Started", "Pulled"]  # newest first
    assert tree.not_ready == (web, new)
    assert all(node.ref.name != "stray" for _, node in tree.rows())


def test_failed_create_event_alone_names_the_replica_set() -> None:
    """No ReplicaFailure condition (yet): the Warning event says it, when there are no pods."""
    rs = replica_set("web-new", "web", 2, replicas=0)
    warning = event("ReplicaSet", "web-new", "FailedCreate", f"Error creating: {DENIED}", "T", True)
    web = deployment("web", replicas=0, updatedReplicas=0)
    (node,) = workload_tree("r", [web], [rs], [], [warning]).workloads
    assert node.children[0].problem == f"cannot create pods: {DENIED}"
    assert node.readiness is Readiness.NOT_READY


def test_stateful_set_pods_hang_directly_and_show_container_states() -> None:
    db = {
        "kind": "StatefulSet",
        "metadata": meta("db"),
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "db"}}},
        "status": {"replicas": 1, "readyReplicas": 0, "currentReplicas": 1},
    }
    pod = crashing_pod("db-0", ("StatefulSet", "db"))
    (node,) = workload_tree("r", [db], (), [pod]).workloads
    assert node.readiness is Readiness.NOT_READY and node.ready == "0/1"
    (child,) = node.children
    assert (child.ready, child.status, child.restarts, child.node) == (
        "1/2",
        "CrashLoopBackOff",
        8,
        "w2",
    )
    db_container = child.containers[0]
    assert (db_container.state, db_container.reason, db_container.message) == (
        "waiting",
        "CrashLoopBackOff",
        "back-off 5m0s",
    )
    assert db_container.last_terminated == "exit 1 (Error)"
    assert child.problem.startswith("container db waiting: CrashLoopBackOff")
    assert "Pod db-0: container db waiting" in node.problem


def test_daemon_set_job_and_missing_workloads() -> None:
    ds = {
        "kind": "DaemonSet",
        "metadata": meta("agent"),
        "spec": {"selector": {"matchLabels": {"app": "agent"}}},
        "status": {
            "desiredNumberScheduled": 2,
            "currentNumberScheduled": 2,
            "updatedNumberScheduled": 2,
            "numberAvailable": 2,
            "numberReady": 2,
        },
    }
    job = {
        "kind": "Job",
        "metadata": meta("migrate"),
        "spec": {"completions": 1},
        "status": {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]},
    }
    gone = missing_workload(ObjectRef("Deployment", NS, "gone"))
    denied = missing_workload(ObjectRef("StatefulSet", NS, "secret"), "forbidden: no")
    pods = [
        running_pod("agent-a", ("DaemonSet", "agent")),
        running_pod("agent-b", ("DaemonSet", "agent")),
    ]
    tree = workload_tree("r", [ds, job, gone, denied], (), pods)
    names = [(node.ref.name, node.status) for node in tree.workloads]
    assert names == [
        ("gone", "NotFound"),
        ("secret", "Unknown"),
        ("agent", "Ready"),
        ("migrate", "Complete"),
    ]
    assert tree.workloads[2].ready == "2/2" and len(tree.workloads[2].children) == 2
    assert tree.workloads[3].ready == "1/1"


def _pod(status: JsonObject, **metadata: Any) -> JsonObject:
    return {"kind": "Pod", "metadata": {"name": "p", "namespace": NS, **metadata}, "status": status}


@pytest.mark.parametrize(
    ("pod", "word"),
    [
        (_pod({"phase": "Pending"}), "Pending"),
        (_pod({"phase": "Running"}, deletionTimestamp="2025-01-01T00:00:00Z"), "Terminating"),
        (_pod({"phase": "Succeeded"}), "Completed"),
        (_pod({"phase": "Failed", "reason": "Evicted"}), "Evicted"),
        (
            _pod(
                {
                    "phase": "Pending",
                    "containerStatuses": [
                        {"name": "a", "state": {"waiting": {"reason": "ContainerCreating"}}}
                    ],
                }
            ),
            "ContainerCreating",
        ),
        (
            _pod(
                {
                    "phase": "Pending",
                    "initContainerStatuses": [
                        {"name": "i", "state": {"terminated": {"exitCode": 0}}},
                        {"name": "j", "state": {"waiting": {"reason": "CrashLoopBackOff"}}},
                    ],
                }
            ),
            "Init:CrashLoopBackOff",
        ),
        (
            _pod(
                {
                    "phase": "Pending",
                    "initContainerStatuses": [{"name": "i", "state": {"running": {}}}],
                }
            ),
            "Init:0/1",
        ),
        (
            _pod(
                {
                    "phase": "Running",
                    "containerStatuses": [
                        {
                            "name": "a",
                            "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}},
                        }
                    ],
                }
            ),
            "OOMKilled",
        ),
    ],
)
def test_pod_status_words_follow_kubectl(pod: JsonObject, word: str) -> None:
    assert pod_status_word(pod) == word


def test_unscheduled_pod_says_why() -> None:
    pod = {
        "kind": "Pod",
        "metadata": meta("p"),
        "spec": {"containers": [{"name": "a"}]},
        "status": {
            "phase": "Pending",
            "conditions": [
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "reason": "Unschedulable",
                    "message": "0/5 nodes are available: 5 Insufficient memory.",
                }
            ],
        },
    }
    node = pod_node(pod)
    assert isinstance(node, TreeNode)
    assert (node.ready, node.status, node.node) == ("0/1", "Pending", "")
    assert node.readiness is Readiness.NOT_READY
    assert node.problem == "Pending: 0/5 nodes are available: 5 Insufficient memory."
