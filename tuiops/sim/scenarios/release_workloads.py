"""What the `degraded` scenario's Helm releases run in the cluster: the objects of each
release's newest revision (rendered by the same chart templates as its manifest), with the
status their Kubernetes controllers would report, ready unless a role says otherwise:

- **failing** (node-feature-discovery 0.18.1 → 0.18.2): the upgrade replaced the worker's
  ServiceAccount with one of another name, so the worker Deployment's new ReplicaSet cannot
  create pods (`FailedCreate ... serviceaccount "nfd-worker" not found`), the rollout passes
  its progress deadline and Helm's wait times out (helm-controller #716);
- **upgrading** (longhorn): the manager DaemonSet is half rolled out: its updated pod runs on
  the worker that reports, the old one on the unreachable worker is not ready.

The ReplicaSets, StatefulSets and DaemonSets get the pods their status counts
(`release_pods`), with no log lines. Only `degraded` has these objects (`healthy` and `large`
keep just the Flux controllers' workloads, so building `large` costs nothing more).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from tuiops.domain.refs import ObjectRef
from tuiops.domain.talos import NodeRole
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.clock import rfc3339
from tuiops.sim.flux.charts import chart_objects
from tuiops.sim.flux.pods import HASH_ALPHABET, generated_suffix
from tuiops.sim.flux.recorder import event_object
from tuiops.sim.scenarios.build import ScenarioBuilder
from tuiops.sim.scenarios.degraded import UPGRADE_STARTED_AGO
from tuiops.sim.scenarios.objects import uid_for
from tuiops.sim.scenarios.release_pods import Placement, release_pods
from tuiops.sim.talos.nodes import SimTalosNode

JsonObject = dict[str, Any]

RS_CONTROLLER = "replicaset-controller"


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _condition(kind: str, status: str, reason: str, message: str, at: datetime) -> JsonObject:
    stamp = rfc3339(at)
    return {
        "type": kind,
        "status": status,
        "lastUpdateTime": stamp,
        "lastTransitionTime": stamp,
        "reason": reason,
        "message": message,
    }


def _live(template: Mapping[str, Any], release: Mapping[str, Any], created: datetime) -> JsonObject:
    """A rendered object as the API server holds it once Helm applied it."""
    obj = copy.deepcopy(dict(template))
    kind, namespace = str(obj["kind"]), str(release["namespace"])
    scoped = type_for_kind(kind).namespaced
    name = str(obj["metadata"]["name"])
    metadata: JsonObject = {"name": name}
    if scoped:
        metadata["namespace"] = namespace
    metadata["uid"] = uid_for(kind, namespace if scoped else "", name)
    metadata["generation"] = 1
    metadata["creationTimestamp"] = rfc3339(created)
    metadata["labels"] = obj["metadata"].get("labels", {})
    metadata["annotations"] = {
        "meta.helm.sh/release-name": str(release["name"]),
        "meta.helm.sh/release-namespace": namespace,
    }
    obj["metadata"] = metadata
    return obj


def _ready_deployment(obj: JsonObject, replica_set: str, at: datetime) -> None:
    spec = obj["spec"]
    spec["progressDeadlineSeconds"] = 600
    spec["strategy"] = {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
    }
    replicas = int(spec.get("replicas", 1))
    obj["status"] = {
        "observedGeneration": obj["metadata"]["generation"],
        "replicas": replicas,
        "updatedReplicas": replicas,
        "readyReplicas": replicas,
        "availableReplicas": replicas,
        "conditions": [
            _condition(
                "Available",
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.",
                at,
            ),
            _condition(
                "Progressing",
                "True",
                "NewReplicaSetAvailable",
                f'ReplicaSet "{replica_set}" has successfully progressed.',
                at,
            ),
        ],
    }


def _replica_set(deployment: JsonObject, revision: int, created: datetime) -> JsonObject:
    """The ReplicaSet a Deployment's current template made, all its pods ready."""
    meta = deployment["metadata"]
    template = copy.deepcopy(deployment["spec"]["template"])
    digest = generated_suffix(f"{meta.get('namespace')}/{meta['name']}/{template}", 10)
    name = f"{meta['name']}-{digest}"
    template["metadata"]["labels"]["pod-template-hash"] = digest
    selector = dict(deployment["spec"]["selector"]["matchLabels"], **{"pod-template-hash": digest})
    replicas = int(deployment["spec"].get("replicas", 1))
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": name,
            "namespace": meta["namespace"],
            "uid": uid_for("ReplicaSet", meta["namespace"], name),
            "generation": 1,
            "creationTimestamp": rfc3339(created),
            "labels": dict(template["metadata"]["labels"]),
            "annotations": {
                "deployment.kubernetes.io/desired-replicas": str(replicas),
                "deployment.kubernetes.io/max-replicas": str(replicas + 1),
                "deployment.kubernetes.io/revision": str(revision),
                **meta["annotations"],
            },
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": meta["name"],
                    "uid": meta["uid"],
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {"replicas": replicas, "selector": {"matchLabels": selector}, "template": template},
        "status": {
            "replicas": replicas,
            "fullyLabeledReplicas": replicas,
            "readyReplicas": replicas,
            "availableReplicas": replicas,
            "observedGeneration": 1,
        },
    }


def _ready(obj: JsonObject, workers: int, at: datetime) -> None:
    """The status a healthy object of `obj`'s kind reports."""
    kind, meta = obj["kind"], obj["metadata"]
    if kind == "DaemonSet":
        obj["status"] = {
            "currentNumberScheduled": workers,
            "desiredNumberScheduled": workers,
            "numberAvailable": workers,
            "numberMisscheduled": 0,
            "numberReady": workers,
            "observedGeneration": meta["generation"],
            "updatedNumberScheduled": workers,
        }
    elif kind == "Service":
        seed = generated_suffix(f"svc/{meta.get('namespace')}/{meta['name']}", 4)
        address = f"10.96.{HASH_ALPHABET.index(seed[0]) * 9}.{HASH_ALPHABET.index(seed[1]) * 9 + 1}"
        obj["spec"]["clusterIP"] = address
        obj["spec"]["clusterIPs"] = [address]
        ingress = []
        if obj["spec"].get("type") == "LoadBalancer":
            ingress = [{"ip": f"192.168.20.{HASH_ALPHABET.index(seed[2]) + 30}", "ipMode": "VIP"}]
        obj["status"] = {"loadBalancer": {"ingress": ingress} if ingress else {}}


def live_objects(
    release: Mapping[str, Any], workers: int, *, revision: int = 1
) -> list[JsonObject]:
    """The ready objects of a Helm release (a decoded release JSON), ReplicaSets included.

    Args:
        release: The release revision whose objects run.
        workers: Nodes a DaemonSet schedules on.
        revision: The Deployments' rollout revision (their ReplicaSets' annotation).
    """
    chart = release["chart"]["metadata"]
    created = _time(str(release["info"]["first_deployed"]))
    deployed = _time(str(release["info"]["last_deployed"]))
    templates = chart_objects(
        str(release["name"]),
        str(chart["name"]),
        str(chart["version"]),
        str(chart["appVersion"]),
        release.get("config") or {},
    )
    objects: list[JsonObject] = []
    for template in templates:
        obj = _live(template, release, created)
        objects.append(obj)
        if obj["kind"] == "Deployment":
            replica_set = _replica_set(obj, revision, deployed)
            _ready_deployment(obj, str(replica_set["metadata"]["name"]), deployed)
            objects.append(replica_set)
        else:
            _ready(obj, workers, deployed)
    return objects


def _first(objects: list[JsonObject], kind: str) -> JsonObject | None:
    return next((o for o in objects if o["kind"] == kind), None)


def _owned_replica_set(objects: list[JsonObject], deployment: str) -> JsonObject | None:
    return next(
        (
            o
            for o in objects
            if o["kind"] == "ReplicaSet"
            and o["metadata"]["ownerReferences"][0]["name"] == deployment
        ),
        None,
    )


def _stuck_without_account(
    builder: ScenarioBuilder,
    objects: list[JsonObject],
    old: list[JsonObject],
    since: datetime,
) -> None:
    """A Deployment whose new ReplicaSet cannot create pods: its ServiceAccount is missing.

    The Deployment is the first whose `serviceAccountName` the release no longer has (else the
    first one, whose account is then removed). The old ReplicaSet keeps the old pods running.
    """
    accounts = {o["metadata"]["name"] for o in objects if o["kind"] == "ServiceAccount"}
    deployments = [o for o in objects if o["kind"] == "Deployment"]
    if not deployments:
        return
    deployment = next(
        (
            d
            for d in deployments
            if d["spec"]["template"]["spec"].get("serviceAccountName") not in accounts
        ),
        deployments[0],
    )
    meta, namespace = deployment["metadata"], deployment["metadata"]["namespace"]
    account = str(deployment["spec"]["template"]["spec"].get("serviceAccountName", "default"))
    objects[:] = [
        o for o in objects if (o["kind"], o["metadata"]["name"]) != ("ServiceAccount", account)
    ]
    new = _owned_replica_set(objects, meta["name"])
    if new is None:
        return
    previous = _owned_replica_set(old, meta["name"])
    rs_name = str(new["metadata"]["name"])
    denied = (
        f'pods "{rs_name}-" is forbidden: error looking for service account '
        f'{namespace}/{account}: serviceaccount "{account}" not found'
    )
    new["status"] = {
        "replicas": 0,
        "observedGeneration": 1,
        "conditions": [
            {
                "type": "ReplicaFailure",
                "status": "True",
                "lastTransitionTime": rfc3339(since),
                "reason": "FailedCreate",
                "message": denied,
            }
        ],
    }
    if previous is not None and previous["metadata"]["name"] == rs_name:
        previous = None  # the same template: there is no older ReplicaSet
    if previous is not None:
        objects.append(previous)
    replicas = int(deployment["spec"].get("replicas", 1))
    meta["generation"] = 2
    deadline = since + timedelta(seconds=600)
    deployment["status"] = {
        "observedGeneration": 2,
        "replicas": replicas if previous is not None else 0,
        "updatedReplicas": 0,
        "readyReplicas": replicas if previous is not None else 0,
        "availableReplicas": replicas if previous is not None else 0,
        "unavailableReplicas": 0 if previous is not None else replicas,
        "conditions": [
            _condition(
                "Available",
                "True" if previous is not None else "False",
                "MinimumReplicasAvailable"
                if previous is not None
                else "MinimumReplicasUnavailable",
                "Deployment has minimum availability."
                if previous is not None
                else "Deployment does not have minimum availability.",
                since,
            ),
            _condition(
                "Progressing",
                "False",
                "ProgressDeadlineExceeded",
                f'ReplicaSet "{rs_name}" has timed out progressing.',
                deadline,
            ),
            _condition("ReplicaFailure", "True", "FailedCreate", denied, since),
        ],
    }
    # The ReplicaSet controller retries with exponential backoff, capped at 1000 s.
    count, moment, delay = 1, since, 0.005
    while moment + timedelta(seconds=delay) < builder.now:
        moment += timedelta(seconds=delay)
        count, delay = count + 1, min(delay * 2, 1000.0)
    event = event_object(
        new,
        reason="FailedCreate",
        message=f"Error creating: {denied}",
        first=since,
        last=moment,
        count=count,
        warning=True,
        nanos=int(since.timestamp() * 1e9) + len(builder.events),
    )
    event["source"] = {"component": RS_CONTROLLER}
    event["reportingComponent"] = RS_CONTROLLER
    builder.events.append(event)


def _half_rolled_out(objects: list[JsonObject], since: datetime) -> None:
    """The first DaemonSet (else Deployment) mid-rollout: half of it updated."""
    rolling = _first(objects, "DaemonSet") or _first(objects, "Deployment")
    if rolling is None:
        return
    rolling["metadata"]["generation"] = 2
    status = rolling["status"]
    status["observedGeneration"] = 2
    if rolling["kind"] == "DaemonSet":
        wanted = int(status["desiredNumberScheduled"])
        status["updatedNumberScheduled"] = wanted // 2
        status["numberAvailable"] = status["numberReady"] = wanted - 1
        status["numberUnavailable"] = 1
    else:
        status["updatedReplicas"] = int(rolling["spec"].get("replicas", 1)) // 2
        for condition in status["conditions"]:
            if condition["type"] == "Progressing":
                condition.update(reason="ReplicaSetUpdated", lastUpdateTime=rfc3339(since))


def add_release_workloads(
    builder: ScenarioBuilder,
    failing: ObjectRef,
    upgrading: ObjectRef,
    nodes: Sequence[SimTalosNode],
) -> None:
    """Every recorded release's objects and their pods into `builder.workloads`, failing and
    upgrading ones in their states (the FailedCreate and NodeNotReady events into
    `builder.events`).

    Args:
        builder: The scenario being built, its releases recorded.
        failing: The HelmRelease whose worker Deployment cannot create pods.
        upgrading: The HelmRelease whose DaemonSet is half rolled out.
        nodes: The cluster's nodes: DaemonSets run on its workers, pods are placed on them.
    """
    workers = sum(1 for node in nodes if node.role is NodeRole.WORKER)
    placement = Placement(nodes)
    rollout = builder.now - UPGRADE_STARTED_AGO
    for key, (latest, deployed) in builder.releases.items():
        revision = int(latest["version"])
        objects = live_objects(latest, workers, revision=revision)
        if key == str(failing):
            old = (
                live_objects(deployed, workers, revision=int(deployed["version"]))
                if deployed
                else []
            )
            _stuck_without_account(
                builder, objects, old, _time(str(latest["info"]["last_deployed"]))
            )
        elif key == str(upgrading):
            _half_rolled_out(objects, rollout)
        pods = release_pods(
            objects,
            placement,
            builder.now,
            rollout=rollout if key == str(upgrading) else None,
            events=builder.events,
        )
        builder.workloads.extend(objects)
        builder.workloads.extend(pods)
