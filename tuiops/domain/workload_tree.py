"""The workloads of one Helm release as a tree, the way `kubectl get deploy,rs,pods` and k9s'
drill-down show them: each Deployment, StatefulSet, DaemonSet or Job, under a Deployment its
ReplicaSets, and under each its pods (phase, ready containers, restarts, node, every
container's state) with the events about every object.

Children are found by `metadata.ownerReferences` (uid, else kind and name), never by labels
alone: a selector can match another controller's pods. Not-ready objects come first at every
level, so the path to what is stuck is the top of the tree. A ReplicaSet that cannot create
its pods (a `ReplicaFailure` condition or a `FailedCreate` event, zero pods) says so.

Pure: raw API objects in, frozen dataclasses out; every accessor tolerates a missing key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tuiops.domain.culprits import pod_problem
from tuiops.domain.decode import as_list, as_map, as_str
from tuiops.domain.events import Event
from tuiops.domain.pod_status import ContainerState, container_state, pod_status_word
from tuiops.domain.refs import ObjectRef
from tuiops.domain.workloads import (
    Readiness,
    as_int,
    conditions_of,
    is_true,
    readiness_of,
    ref_of,
)

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job")
"""The kinds a tree starts from, in the order a release's rows are listed."""
RANK = {Readiness.NOT_READY: 0, Readiness.UNKNOWN: 1, Readiness.READY: 2}


@dataclass(frozen=True, slots=True)
class TreeNode:
    """A workload, a ReplicaSet or a pod, with what a row and its detail panel show."""

    ref: ObjectRef
    readiness: Readiness
    ready: str
    """`ready/wanted` (pods, replicas) or `succeeded/completions` (Jobs); `-` when unknown."""
    status: str
    """One word as kubectl's STATUS column has it: `Running`, `CrashLoopBackOff`,
    `FailedCreate`, `ProgressDeadlineExceeded`, `Available`, `NotFound`."""
    problem: str = ""
    """Why it is not ready, in one line; for a ReplicaSet that cannot create its pods
    `cannot create pods: <message>`."""
    created: str = ""
    """RFC3339 `metadata.creationTimestamp`."""
    restarts: int | None = None
    """Container restarts (pods, and summed over a workload's pods); None when not applicable."""
    node: str = ""
    """The node a pod runs on."""
    revision: str = ""
    """A ReplicaSet's `deployment.kubernetes.io/revision`."""
    containers: tuple[ContainerState, ...] = ()
    events: tuple[Event, ...] = ()
    """Events about this object, newest first."""
    children: tuple[TreeNode, ...] = ()
    hidden_replica_sets: int = 0
    """A Deployment's old ReplicaSets scaled to zero, left out of `children`."""

    @property
    def cannot_create(self) -> bool:
        """A ReplicaSet whose pods cannot be created (FailedCreate)."""
        return self.problem.startswith("cannot create pods")


@dataclass(frozen=True, slots=True)
class WorkloadTree:
    """The workloads of one Helm release, not ready first."""

    release: str = ""
    """`<namespace>/<name>.v<revision>` of the storage revision read; empty when none was."""
    workloads: tuple[TreeNode, ...] = ()
    note: str = ""
    """Why the tree could not be read at all (no release in storage, Secrets forbidden)."""
    unread: tuple[str, ...] = ()
    """What could not be read (`pods: forbidden ...`): the tree is then partial."""

    def rows(self) -> tuple[tuple[int, TreeNode], ...]:
        """Every node depth-first with its depth (0 for workloads), in display order."""
        found: list[tuple[int, TreeNode]] = []

        def walk(node: TreeNode, depth: int) -> None:
            found.append((depth, node))
            for child in node.children:
                walk(child, depth + 1)

        for workload in self.workloads:
            walk(workload, 0)
        return tuple(found)

    @property
    def not_ready(self) -> tuple[TreeNode, ...]:
        return tuple(node for _, node in self.rows() if node.readiness is Readiness.NOT_READY)


def missing_workload(ref: ObjectRef, why: str = "", *, readable: bool = False) -> TreeNode:
    """A workload the release names that could not be shown: `not found` (NOT_READY), or
    unreadable (`readable=False` with a reason: UNKNOWN, e.g. forbidden)."""
    if not why:
        return TreeNode(ref, Readiness.NOT_READY, "-", "NotFound", "not found")
    readiness = Readiness.NOT_READY if readable else Readiness.UNKNOWN
    return TreeNode(ref, readiness, "-", "Unknown", why)


# -- pods -------------------------------------------------------------------------------------


def pod_node(pod: Mapping[str, Any], events: Sequence[Event] = ()) -> TreeNode:
    """One pod as a tree node.

    Args:
        pod: The pod as the API server returned it.
        events: Events about it.
    """
    status, spec = as_map(pod.get("status")), as_map(pod.get("spec"))
    containers = tuple(
        container_state(raw, init)
        for init, key in ((True, "initContainerStatuses"), (False, "containerStatuses"))
        for raw in as_list(status.get(key))
    )
    regular = [c for c in containers if not c.init]
    total = max(len(as_list(spec.get("containers"))), len(regular))
    problem = pod_problem(pod, events)
    readiness = readiness_of(pod).readiness
    if problem and readiness is Readiness.READY:
        readiness = Readiness.NOT_READY
    return TreeNode(
        ref=ref_of(pod),
        readiness=readiness,
        ready=f"{sum(1 for c in regular if c.ready)}/{total}",
        status=pod_status_word(pod),
        problem=problem.removeprefix(f"pod {ref_of(pod).name}").lstrip(": ") if problem else "",
        created=_created(pod),
        restarts=sum(c.restarts for c in regular),
        node=as_str(spec.get("nodeName")),
        containers=containers,
        events=_newest_first(events),
    )


# -- workloads and ReplicaSets ----------------------------------------------------------------


def _created(obj: Mapping[str, Any]) -> str:
    return as_str(as_map(obj.get("metadata")).get("creationTimestamp"))


def _uid(obj: Mapping[str, Any]) -> str:
    return as_str(as_map(obj.get("metadata")).get("uid"))


def _owner_keys(obj: Mapping[str, Any]) -> set[str]:
    """The owners of an object, each as `uid:<uid>` and `ref:<kind>/<name>`."""
    keys = set()
    for raw in as_list(as_map(obj.get("metadata")).get("ownerReferences")):
        owner = as_map(raw)
        if as_str(owner.get("uid")):
            keys.add(f"uid:{as_str(owner.get('uid'))}")
        keys.add(f"ref:{as_str(owner.get('kind'))}/{as_str(owner.get('name'))}")
    return keys


def _owned_by(obj: Mapping[str, Any], owner: Mapping[str, Any]) -> bool:
    keys = _owner_keys(obj)
    ref = ref_of(owner)
    same_namespace = ref_of(obj).namespace == ref.namespace
    uid = _uid(owner)
    if uid and any(key.startswith("uid:") for key in keys):
        return f"uid:{uid}" in keys and same_namespace
    return same_namespace and f"ref:{ref.kind}/{ref.name}" in keys


def _newest_first(events: Sequence[Event]) -> tuple[Event, ...]:
    return tuple(sorted(events, key=lambda event: event.last_timestamp, reverse=True))


def _sorted(nodes: Sequence[TreeNode]) -> tuple[TreeNode, ...]:
    """Not ready first; then newest revision (ReplicaSets) and name."""
    return tuple(
        sorted(
            nodes,
            key=lambda node: (
                RANK[node.readiness],
                -int(node.revision) if node.revision.isdigit() else 0,
                node.ref.name,
            ),
        )
    )


def _replica_set_node(
    rs: Mapping[str, Any], pods: Sequence[TreeNode], events: Sequence[Event]
) -> TreeNode:
    spec, status = as_map(rs.get("spec")), as_map(rs.get("status"))
    wanted = as_int(spec.get("replicas"), 1)
    failure = conditions_of(rs).get("ReplicaFailure")
    failed_create = [e for e in events if e.is_warning and e.reason == "FailedCreate"]
    problem, word = "", ""
    if is_true(failure) and failure is not None:
        word = as_str(failure.get("reason")) or "ReplicaFailure"
        problem = as_str(failure.get("message"))
    elif failed_create and not pods and wanted:
        word, problem = "FailedCreate", _newest_first(failed_create)[0].message
    if problem or word == "FailedCreate":
        problem = f"cannot create pods: {problem.removeprefix('Error creating: ')}".rstrip(": ")
    readiness = readiness_of(rs)
    state = readiness.readiness if not problem else Readiness.NOT_READY
    if state is Readiness.READY and any(pod.readiness is not Readiness.READY for pod in pods):
        state = Readiness.NOT_READY
    annotations = as_map(as_map(rs.get("metadata")).get("annotations"))
    return TreeNode(
        ref=ref_of(rs),
        readiness=state,
        ready=f"{as_int(status.get('readyReplicas'))}/{wanted}",
        status=word or ("Ready" if state is Readiness.READY else "Progressing"),
        problem=problem or ("" if state is Readiness.READY else readiness.reason),
        created=_created(rs),
        restarts=sum(pod.restarts or 0 for pod in pods),
        revision=as_str(annotations.get("deployment.kubernetes.io/revision")),
        events=_newest_first(events),
        children=_sorted(pods),
    )


def _ready_column(obj: Mapping[str, Any]) -> str:
    kind = as_str(obj.get("kind"))
    spec, status = as_map(obj.get("spec")), as_map(obj.get("status"))
    if kind == "DaemonSet":
        return f"{as_int(status.get('numberReady'))}/{as_int(status.get('desiredNumberScheduled'))}"
    if kind == "Job":
        wanted = as_int(spec.get("completions"), as_int(spec.get("parallelism"), 1))
        return f"{as_int(status.get('succeeded'))}/{wanted}"
    return f"{as_int(status.get('readyReplicas'))}/{as_int(spec.get('replicas'), 1)}"


def _workload_word(obj: Mapping[str, Any], ready: bool) -> str:
    conditions = conditions_of(obj)
    if as_str(as_map(obj.get("metadata")).get("deletionTimestamp")):
        return "Terminating"
    for kind in ("ReplicaFailure", "Failed"):
        condition = conditions.get(kind)
        if is_true(condition) and condition is not None:
            return as_str(condition.get("reason")) or kind
    progressing = conditions.get("Progressing")
    if progressing is not None and as_str(progressing.get("status")) == "False":
        return as_str(progressing.get("reason")) or "Progressing"
    if as_str(obj.get("kind")) == "Job":
        return "Complete" if ready else "Running"
    return "Ready" if ready else "Progressing"


def workload_node(
    workload: Mapping[str, Any],
    replica_sets: Sequence[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
    events: Sequence[Event],
) -> TreeNode:
    """One workload with its ReplicaSets (Deployments) or pods (the other kinds).

    Args:
        workload: The Deployment, StatefulSet, DaemonSet or Job.
        replica_sets: ReplicaSets that may be its (those it does not own are ignored).
        pods: Pods that may be its or its ReplicaSets' (the same).
        events: Events of its namespace; each node keeps those about itself.

    Returns:
        The node; old ReplicaSets scaled to zero and without pods are counted, not listed.
    """
    about: dict[ObjectRef, list[Event]] = {}
    for event in events:
        about.setdefault(event.involved, []).append(event)

    def pods_of(owner: Mapping[str, Any]) -> list[TreeNode]:
        return [pod_node(p, about.get(ref_of(p), ())) for p in pods if _owned_by(p, owner)]

    ref = ref_of(workload)
    readiness = readiness_of(workload)
    children: list[TreeNode] = []
    hidden = 0
    if ref.kind == "Deployment":
        for rs in (rs for rs in replica_sets if _owned_by(rs, workload)):
            node = _replica_set_node(rs, pods_of(rs), about.get(ref_of(rs), ()))
            if node.ready == "0/0" and not node.children and node.readiness is Readiness.READY:
                hidden += 1
                continue
            children.append(node)
    else:
        children = pods_of(workload)
    state = readiness.readiness
    if state is Readiness.READY and any(c.readiness is Readiness.NOT_READY for c in children):
        state = Readiness.NOT_READY
    stuck = next((c for c in _sorted(children) if c.problem), None)
    problem = readiness.reason
    if stuck is not None and stuck.problem not in problem:
        problem = f"{problem}; {stuck.ref.kind} {stuck.ref.name}: {stuck.problem}".lstrip("; ")
    pod_restarts = [pod.restarts or 0 for pod in _pods_under(children)]
    return TreeNode(
        ref=ref,
        readiness=state,
        ready=_ready_column(workload),
        status=_workload_word(workload, readiness.ready),
        problem=problem if state is not Readiness.READY else "",
        created=_created(workload),
        restarts=sum(pod_restarts),
        events=_newest_first(about.get(ref, ())),
        children=_sorted(children),
        hidden_replica_sets=hidden,
    )


def _pods_under(nodes: Sequence[TreeNode]) -> list[TreeNode]:
    found: list[TreeNode] = []
    for node in nodes:
        if node.ref.kind == "Pod":
            found.append(node)
        found += _pods_under(node.children)
    return found


def workload_tree(
    release: str,
    workloads: Sequence[Mapping[str, Any] | TreeNode],
    replica_sets: Sequence[Mapping[str, Any]] = (),
    pods: Sequence[Mapping[str, Any]] = (),
    events: Sequence[Event] = (),
    unread: Sequence[str] = (),
) -> WorkloadTree:
    """The tree of a release's workloads.

    Args:
        release: `<namespace>/<name>.v<revision>` of the revision read.
        workloads: The release's workloads as read, or nodes already made for those that could
            not be (`missing_workload`).
        replica_sets: ReplicaSets of its namespaces (matched to their Deployment by owner).
        pods: Pods of its namespaces (matched to their owner).
        events: Events of its namespaces (matched by involved object).
        unread: What could not be read, one line each.

    Returns:
        The workloads, not ready first, then by kind (`WORKLOAD_KINDS` order) and name.
    """
    nodes = [
        item if isinstance(item, TreeNode) else workload_node(item, replica_sets, pods, events)
        for item in workloads
    ]
    order = {kind: index for index, kind in enumerate(WORKLOAD_KINDS)}
    nodes.sort(key=lambda n: (RANK[n.readiness], order.get(n.ref.kind, 9), n.ref.name))
    return WorkloadTree(release=release, workloads=tuple(nodes), unread=tuple(unread))
