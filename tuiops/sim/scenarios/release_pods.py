"""The pods the releases' workloads run, as the ReplicaSet, StatefulSet and DaemonSet controllers,
the scheduler and the kubelets would have made them: named after their owner (`<rs>-<5 chars>`,
`<statefulset>-<ordinal>`, `<daemonset>-<5 chars>`), labelled from the owner's template so its
selector finds them, owned by it (`controller: true`), and running on the scenario's nodes.

Only what the owners' status counts is made, so every count stays true: a ReplicaSet or
StatefulSet gets one running, ready pod per `readyReplicas` (the ReplicaSet that cannot create
pods gets none); a DaemonSet gets a pod on each of `currentNumberScheduled` nodes, the first
`updatedNumberScheduled` of the new template generation and the first `numberReady` ready.
A DaemonSet pod that is not ready on a node that no longer reports keeps the kubelet's last
word (running, its container ready) with `Ready` set False and the node controller's
`NodeNotReady` event, as Kubernetes leaves it. nextcloud's pod runs its chart's cron container
beside the server (`CRON_CONTAINERS`), so one pod has two containers.

Deterministic: names, IPs, container ids and times derive from the owners and the nodes only.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from tuiops.domain.talos import NodeRole
from tuiops.sim.clock import rfc3339
from tuiops.sim.flux.pods import generated_suffix
from tuiops.sim.flux.recorder import event_object
from tuiops.sim.scenarios.objects import uid_for
from tuiops.sim.talos.nodes import SimTalosNode

JsonObject = dict[str, Any]

NODE_CONTROLLER = "node-controller"
NODE_LOST_AGO = timedelta(hours=2, minutes=47)
"""How long before "now" the node lifecycle controller marked the pods of an unreachable node
not ready (nothing else in the scenarios dates the node's loss)."""
FIRST_HOST = 32
"""The first pod address a node hands out (below it: the Flux controllers' pods)."""
DEFAULT_TOLERATIONS = [
    {
        "key": f"node.kubernetes.io/{taint}",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    }
    for taint in ("not-ready", "unreachable")
]
"""What the DefaultTolerationSeconds admission plugin adds to every pod."""
DAEMON_TOLERATIONS = [
    {"key": f"node.kubernetes.io/{taint}", "operator": "Exists", "effect": "NoExecute"}
    for taint in ("not-ready", "unreachable")
] + [
    {"key": f"node.kubernetes.io/{taint}", "operator": "Exists", "effect": "NoSchedule"}
    for taint in ("disk-pressure", "memory-pressure", "pid-pressure", "unschedulable")
]
"""What the DaemonSet controller adds to its pods (`AddOrUpdateDaemonPodTolerations`)."""
CRON_CONTAINERS = {("nextcloud", "nextcloud"): "nextcloud-cron"}
"""Deployments (namespace, name) whose pods run `/cron.sh` in a second container of the same
image, as nextcloud's chart does with `cronjob.enabled` (its `<chart>-cron` container). The
simulated chart templates render one container per workload, so the pods get it here: a pod
with two containers for `kubectl logs -c` and the logs pane's container picker."""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Placement:
    """The scenario's nodes as the scheduler sees them, and the pod IPs each has handed out.

    Node `i` of the list owns the pod CIDR `10.244.<i>.0/24` (the Flux controllers' pods on the
    first worker are in it too, below `FIRST_HOST`).
    """

    def __init__(self, nodes: Sequence[SimTalosNode]) -> None:
        self.nodes = tuple(nodes)
        self._index = {node.hostname: number for number, node in enumerate(self.nodes)}
        self._next = dict.fromkeys(self._index, FIRST_HOST)
        workers = [n for n in self.nodes if n.role is NodeRole.WORKER] or list(self.nodes)
        # Control planes are tainted NoSchedule and an unreachable node is tainted too: the
        # pods of an unreachable node were evicted and run elsewhere.
        self.schedulable = tuple(n for n in workers if n.ready and n.reachable) or tuple(workers)
        self.workers = tuple(sorted(workers, key=lambda n: not (n.ready and n.reachable)))
        """DaemonSet targets (the release workloads' DaemonSets run on workers), those that
        report first."""

    def pick(self, seed: str) -> SimTalosNode:
        """A schedulable node for the pod `seed` names (stable)."""
        return self.schedulable[int(_digest(seed)[:8], 16) % len(self.schedulable)]

    def pod_ip(self, node: SimTalosNode) -> str:
        """The next free address of `node`'s pod CIDR."""
        host = self._next[node.hostname]
        self._next[node.hostname] = host + 1
        return f"10.244.{self._index[node.hostname]}.{host}"


def _condition(kind: str, status: str, at: datetime, **extra: str) -> JsonObject:
    return {
        "type": kind,
        "status": status,
        "lastProbeTime": None,
        "lastTransitionTime": rfc3339(at),
        **extra,
    }


def _cron_container(owner: Mapping[str, Any], containers: Sequence[JsonObject]) -> list[JsonObject]:
    """The cron container a pod of `owner` (a ReplicaSet) runs beside `containers`, if any."""
    meta = owner["metadata"]
    deployments = [
        ref["name"] for ref in meta.get("ownerReferences", []) if ref["kind"] == "Deployment"
    ]
    name = CRON_CONTAINERS.get((str(meta["namespace"]), deployments[0] if deployments else ""))
    if name is None or not containers:
        return []
    return [{"name": name, "image": containers[0]["image"], "command": ["/cron.sh"]}]


def _owner_reference(owner: Mapping[str, Any]) -> JsonObject:
    meta = owner["metadata"]
    return {
        "apiVersion": "apps/v1",
        "kind": owner["kind"],
        "name": meta["name"],
        "uid": meta["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def _container_status(
    container: Mapping[str, Any], pod_uid: str, started: datetime, *, ready: bool
) -> JsonObject:
    image, name = str(container.get("image", "")), str(container["name"])
    repository = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    return {
        "name": name,
        "image": image,
        "imageID": f"{repository}@sha256:{_digest(f'image:{image}')}",
        "containerID": f"containerd://{_digest(f'container:{pod_uid}/{name}')}",
        "ready": ready,
        "started": True,
        "restartCount": 0,
        "state": {"running": {"startedAt": rfc3339(started)}},
        "lastState": {},
    }


def _pod(
    owner: Mapping[str, Any],
    name: str,
    labels: Mapping[str, str],
    node: SimTalosNode,
    ip: str,
    created: datetime,
    *,
    ready: bool = True,
    lost_at: datetime | None = None,
) -> JsonObject:
    """A running pod of `owner`'s template on `node`.

    Args:
        owner: The ReplicaSet, StatefulSet or DaemonSet (with `metadata.uid`).
        name: The pod's name.
        labels: The template's labels and what the controller adds.
        node: Where it runs.
        ip: Its pod IP.
        created: When the controller created it; the container starts seconds later.
        ready: Whether its container passes readiness.
        lost_at: When its node stopped reporting: `Ready` turned False then, the rest is the
            kubelet's last report.
    """
    meta, template = owner["metadata"], owner["spec"]["template"]
    namespace = str(meta["namespace"])
    uid = uid_for("Pod", namespace, name)
    spec = copy.deepcopy(template["spec"])
    spec.update(
        nodeName=node.hostname,
        restartPolicy="Always",
        schedulerName="default-scheduler",
        dnsPolicy="ClusterFirst",
        terminationGracePeriodSeconds=30,
    )
    spec["containers"] = [
        *spec.get("containers", []),
        *_cron_container(owner, spec.get("containers", [])),
    ]
    daemon = owner["kind"] == "DaemonSet"
    spec["tolerations"] = copy.deepcopy(DAEMON_TOLERATIONS if daemon else DEFAULT_TOLERATIONS)
    if daemon:
        term = {
            "matchFields": [{"key": "metadata.name", "operator": "In", "values": [node.hostname]}]
        }
        spec["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}
            }
        }
    started = created + timedelta(seconds=2 + int(_digest(uid)[:2], 16) % 9)
    containers = [
        _container_status(c, uid, started, ready=ready or lost_at is not None)
        for c in spec.get("containers", [])
    ]
    if ready:
        readiness = [
            _condition("Ready", "True", started),
            _condition("ContainersReady", "True", started),
        ]
    elif lost_at is not None:
        readiness = [
            _condition("Ready", "False", lost_at),
            _condition("ContainersReady", "True", started),
        ]
    else:
        waiting = f"containers with unready status: [{' '.join(c['name'] for c in containers)}]"
        readiness = [
            _condition("Ready", "False", started, reason="ContainersNotReady", message=waiting),
            _condition(
                "ContainersReady", "False", started, reason="ContainersNotReady", message=waiting
            ),
        ]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": uid,
            "creationTimestamp": rfc3339(created),
            "labels": dict(labels),
            "ownerReferences": [_owner_reference(owner)],
        },
        "spec": spec,
        "status": {
            "phase": "Running",
            "conditions": [
                _condition("PodReadyToStartContainers", "True", created + timedelta(seconds=1)),
                _condition("Initialized", "True", created),
                *readiness,
                _condition("PodScheduled", "True", created),
            ],
            "hostIP": node.address,
            "hostIPs": [{"ip": node.address}],
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "startTime": rfc3339(created),
            "containerStatuses": containers,
            "qosClass": "BestEffort",
        },
    }


def _created(obj: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(str(obj["metadata"]["creationTimestamp"]).replace("Z", "+00:00"))


def _labels(owner: Mapping[str, Any], **extra: str) -> dict[str, str]:
    return {**owner["spec"]["template"]["metadata"].get("labels", {}), **extra}


def _replica_set_pods(rs: Mapping[str, Any], placement: Placement) -> list[JsonObject]:
    namespace, owner = str(rs["metadata"]["namespace"]), str(rs["metadata"]["name"])
    pods = []
    for number in range(int(rs.get("status", {}).get("readyReplicas", 0))):
        name = f"{owner}-{generated_suffix(f'pod:{namespace}/{owner}/{number}', 5)}"
        node = placement.pick(f"{namespace}/{name}")
        pods.append(_pod(rs, name, _labels(rs), node, placement.pod_ip(node), _created(rs)))
    return pods


def _stateful_set_pods(sts: Mapping[str, Any], placement: Placement) -> list[JsonObject]:
    status = sts.get("status", {})
    namespace, owner = str(sts["metadata"]["namespace"]), str(sts["metadata"]["name"])
    hashed = generated_suffix(f"revision:{namespace}/{owner}", 10)
    revision = str(status.get("currentRevision") or f"{owner}-{hashed}")
    pods = []
    for ordinal in range(int(status.get("readyReplicas", 0))):
        name = f"{owner}-{ordinal}"
        labels = _labels(
            sts,
            **{
                "apps.kubernetes.io/pod-index": str(ordinal),
                "controller-revision-hash": revision,
                "statefulset.kubernetes.io/pod-name": name,
            },
        )
        node = placement.pick(f"{namespace}/{name}")
        created = _created(sts) + timedelta(seconds=20 * ordinal)  # OrderedReady: one by one
        pods.append(_pod(sts, name, labels, node, placement.pod_ip(node), created))
    return pods


def _daemon_set_pods(
    ds: Mapping[str, Any], placement: Placement, now: datetime, rollout: datetime | None
) -> list[tuple[JsonObject, datetime | None]]:
    """The DaemonSet's pods, each with when its unreachable node's pod was marked not ready."""
    meta, status = ds["metadata"], ds.get("status", {})
    namespace, owner = str(meta["namespace"]), str(meta["name"])
    scheduled = int(status.get("currentNumberScheduled", status.get("desiredNumberScheduled", 0)))
    generation = int(meta.get("generation", 1))
    updated = int(status.get("updatedNumberScheduled", scheduled))
    ready = int(status.get("numberReady", 0))
    pods: list[tuple[JsonObject, datetime | None]] = []
    for number, node in enumerate(placement.workers[:scheduled]):
        current = number < updated
        template = generation if current else max(generation - 1, 1)
        revision = generated_suffix(f"revision:{namespace}/{owner}/{template}", 10)
        labels = _labels(
            ds, **{"controller-revision-hash": revision, "pod-template-generation": str(template)}
        )
        created = _created(ds)
        if current and generation > 1 and rollout is not None:
            created = rollout + timedelta(seconds=5 + 30 * number)  # one node at a time
        name = (
            f"{owner}-{generated_suffix(f'pod:{namespace}/{owner}/{node.hostname}/{template}', 5)}"
        )
        lost_at = None
        if number >= ready and not (node.ready and node.reachable):
            lost_at = max(created, now - NODE_LOST_AGO)
        ip = placement.pod_ip(node)
        pod = _pod(ds, name, labels, node, ip, created, ready=number < ready, lost_at=lost_at)
        pods.append((pod, lost_at))
    return pods


def _node_not_ready(pod: Mapping[str, Any], at: datetime, serial: int) -> JsonObject:
    """The node lifecycle controller's event about a pod it marked not ready."""
    event = event_object(
        pod,
        reason="NodeNotReady",
        message="Node is not ready",
        first=at,
        warning=True,
        nanos=int(at.timestamp() * 1e9) + serial,
    )
    event["source"] = {"component": NODE_CONTROLLER}
    event["reportingComponent"] = NODE_CONTROLLER
    return event


def release_pods(
    objects: Sequence[Mapping[str, Any]],
    placement: Placement,
    now: datetime,
    *,
    rollout: datetime | None = None,
    events: list[JsonObject] | None = None,
) -> list[JsonObject]:
    """The pods of a release's ReplicaSets, StatefulSets and DaemonSets.

    Args:
        objects: The release's live objects, statuses final.
        placement: The scenario's nodes (shared by every release: pod IPs stay unique).
        now: The scenario's "now".
        rollout: When a DaemonSet of a newer generation started rolling out.
        events: Where the node controller's `NodeNotReady` events about the pods of
            unreachable nodes go.
    """
    pods: list[JsonObject] = []
    for obj in objects:
        kind = obj["kind"]
        if kind == "ReplicaSet":
            pods += _replica_set_pods(obj, placement)
        elif kind == "StatefulSet":
            pods += _stateful_set_pods(obj, placement)
        elif kind == "DaemonSet":
            for pod, lost_at in _daemon_set_pods(obj, placement, now, rollout):
                pods.append(pod)
                if lost_at is not None and events is not None:
                    events.append(_node_not_ready(pod, lost_at, len(events)))
    return pods
