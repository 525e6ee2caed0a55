"""The four Flux controllers as workloads: their names, images, Deployments and Pods in
flux-system, shaped like the flux2 v2.7.5 manifests (`app=<controller>`, part-of flux,
container `manager`, JSON logging args), and which pod of a controller is the current one."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.apiserver.store import ObjectStore
from tuiops.sim.clock import rfc3339

JsonObject = dict[str, Any]

FLUX_NAMESPACE = "flux-system"
CONTAINER = "manager"
FLUX_VERSION = "v2.7.5"
CONTROLLER_IMAGES = {
    "source-controller": "ghcr.io/fluxcd/source-controller:v1.7.4",
    "kustomize-controller": "ghcr.io/fluxcd/kustomize-controller:v1.7.3",
    "helm-controller": "ghcr.io/fluxcd/helm-controller:v1.4.5",
    "notification-controller": "ghcr.io/fluxcd/notification-controller:v1.7.5",
}
CONTROLLERS = tuple(CONTROLLER_IMAGES)

HASH_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
"""The characters of generated name suffixes (Kubernetes' `rand.SafeEncodeString`)."""


def generated_suffix(seed: str, length: int) -> str:
    """Deterministic characters from the alphabet Kubernetes names generated objects with
    (pod and ReplicaSet hashes)."""
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    chars = []
    for _ in range(length):
        number, digit = divmod(number, len(HASH_ALPHABET))
        chars.append(HASH_ALPHABET[digit])
    return "".join(chars)


def pod_template_hash(controller: str) -> str:
    """The ReplicaSet hash of a controller's pods (stable per controller)."""
    return generated_suffix(f"template:{controller}", 9)


def pod_name(controller: str) -> str:
    """E.g. `kustomize-controller-5d7b8b8b8-abcde` (deterministic)."""
    return (
        f"{controller}-{pod_template_hash(controller)}-{generated_suffix(f'pod:{controller}', 5)}"
    )


def controller_pods(store: ObjectStore, controller: str) -> list[JsonObject]:
    """The stored pods of `controller` in flux-system (label `app=<controller>`), oldest
    first: by creationTimestamp, then by resourceVersion (the store's commit order)."""
    pods, _ = store.list_objects(type_for_kind("Pod"), FLUX_NAMESPACE)
    mine = [pod for pod in pods if (pod["metadata"].get("labels") or {}).get("app") == controller]
    return sorted(
        mine,
        key=lambda pod: (
            str(pod["metadata"].get("creationTimestamp", "")),
            int(pod["metadata"].get("resourceVersion") or 0),
        ),
    )


def current_pod(store: ObjectStore, controller: str) -> str:
    """The name of the pod `controller` runs in now, read from the stored Pods: the one truth
    the simulated controllers write their log lines by, so a rollout
    (`log_traffic.replace_controller_pod`) moves them to the new pod.

    While a rollout has both pods, the newer one is current. With no pod stored (a store
    loaded without workloads), the deterministic `pod_name` of a fresh scenario.
    """
    pods = controller_pods(store, controller)
    return str(pods[-1]["metadata"]["name"]) if pods else pod_name(controller)


def _labels(controller: str) -> dict[str, str]:
    return {
        "app": controller,
        "app.kubernetes.io/component": controller,
        "app.kubernetes.io/instance": FLUX_NAMESPACE,
        "app.kubernetes.io/part-of": "flux",
    }


def _container(controller: str) -> JsonObject:
    args = [
        "--watch-all-namespaces",
        "--log-level=info",
        "--log-encoding=json",
        "--enable-leader-election",
    ]
    if controller != "notification-controller":
        args.append("--events-addr=http://notification-controller.flux-system.svc.cluster.local./")
    return {
        "name": CONTAINER,
        "image": CONTROLLER_IMAGES[controller],
        "args": args,
        "ports": [
            {"containerPort": 8080, "name": "http-prom", "protocol": "TCP"},
            {"containerPort": 9440, "name": "healthz", "protocol": "TCP"},
        ],
    }


def controller_deployment(controller: str, created: datetime) -> JsonObject:
    """The flux2 manifests' Deployment of `controller` in flux-system, rolled out."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": controller,
            "namespace": FLUX_NAMESPACE,
            "creationTimestamp": rfc3339(created),
            "labels": {**_labels(controller), "app.kubernetes.io/version": FLUX_VERSION},
        },
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": controller}},
            "template": {
                "metadata": {"labels": _labels(controller)},
                "spec": {"containers": [_container(controller)]},
            },
        },
        "status": {
            "observedGeneration": 1,
            "replicas": 1,
            "readyReplicas": 1,
            "updatedReplicas": 1,
            "availableReplicas": 1,
        },
    }


def controller_pod(controller: str, node: str, started: datetime, ip: str) -> JsonObject:
    """The running pod of `controller` with one `manager` container."""
    stamp = rfc3339(started)
    container = _container(controller)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": pod_name(controller),
            "namespace": FLUX_NAMESPACE,
            "creationTimestamp": stamp,
            "labels": {**_labels(controller), "pod-template-hash": pod_template_hash(controller)},
        },
        "spec": {"nodeName": node, "containers": [container]},
        "status": {
            "phase": "Running",
            "podIP": ip,
            "startTime": stamp,
            "conditions": [
                {"type": "Ready", "status": "True", "lastTransitionTime": stamp},
                {"type": "ContainersReady", "status": "True", "lastTransitionTime": stamp},
            ],
            "containerStatuses": [
                {
                    "name": CONTAINER,
                    "image": container["image"],
                    "ready": True,
                    "started": True,
                    "restartCount": 0,
                    "state": {"running": {"startedAt": stamp}},
                }
            ],
        },
    }
