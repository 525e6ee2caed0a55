"""The simulated charts: the objects each release renders, and its `manifest` text as Helm
stores it (documents in Helm's install order, each after a `# Source:` comment).

Most charts render a ServiceAccount, a Service and a Deployment named after the release. Two
mimic their real charts more closely, for the `degraded` scenario:

- `node-feature-discovery`: master and worker Deployments with their ServiceAccounts, a
  ConfigMap and a ClusterRole. From 0.18.2 the worker's ServiceAccount template is named
  `<release>-worker` while the worker Deployment still runs as `nfd-worker`: the upgrade
  deletes the old account and the new ReplicaSet cannot create pods (helm-controller #716).
- `longhorn`: a manager DaemonSet, UI and driver Deployments, and a LoadBalancer Service.

The same functions serve the scenario builders and the simulated helm-controller, so a
release's manifest is the same however it was made.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml

JsonObject = dict[str, Any]
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

INSTALL_ORDER = (
    "Namespace",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "PersistentVolumeClaim",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicaSet",
    "Deployment",
    "StatefulSet",
    "Job",
)
"""Helm's `releaseutil.InstallOrder`, for the kinds the simulated charts render."""
NFD_SERVICE_ACCOUNT_RENAMED = (0, 18, 2)
"""The node-feature-discovery version whose worker ServiceAccount no longer matches."""


# -- objects ----------------------------------------------------------------------------------


def _labels(name: str, chart: str, version: str, app: str, component: str = "") -> JsonObject:
    labels = {
        "helm.sh/chart": f"{chart}-{version}",
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/version": app,
        "app.kubernetes.io/managed-by": "Helm",
    }
    if component:
        labels["app.kubernetes.io/component"] = component
    return labels


def _object(api_version: str, kind: str, name: str, labels: JsonObject) -> JsonObject:
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "labels": labels}}


def _deployment(
    name: str, labels: JsonObject, selector: JsonObject, *, replicas: int, account: str, image: str
) -> JsonObject:
    obj = _object("apps/v1", "Deployment", name, labels)
    obj["spec"] = {
        "replicas": replicas,
        "selector": {"matchLabels": dict(selector)},
        "template": {
            "metadata": {"labels": dict(selector)},
            "spec": {
                "serviceAccountName": account,
                "containers": [{"name": name, "image": image}],
            },
        },
    }
    return obj


def _daemon_set(name: str, labels: JsonObject, selector: JsonObject, image: str) -> JsonObject:
    obj = _deployment(name, labels, selector, replicas=0, account=name, image=image)
    obj["kind"] = "DaemonSet"
    del obj["spec"]["replicas"]
    return obj


def _service(
    name: str, labels: JsonObject, selector: JsonObject, port: int, kind: str
) -> JsonObject:
    obj = _object("v1", "Service", name, labels)
    obj["spec"] = {
        "type": kind,
        "ports": [{"port": port, "targetPort": "http", "protocol": "TCP", "name": "http"}],
        "selector": dict(selector),
    }
    return obj


def _cluster_role(name: str, labels: JsonObject) -> JsonObject:
    obj = _object("rbac.authorization.k8s.io/v1", "ClusterRole", name, labels)
    obj["rules"] = [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list", "watch"]}]
    return obj


def _version(text: str) -> tuple[int, ...]:
    numbers = re.findall(r"\d+", text.partition("+")[0])[:3]
    return tuple(int(number) for number in numbers)


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _section(config: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = config.get(key)
    return value if isinstance(value, dict) else {}


def _default(
    name: str, chart: str, version: str, app: str, config: Mapping[str, Any]
) -> list[JsonObject]:
    image = _section(config, "image")
    tag = image.get("tag", app)
    labels = _labels(name, chart, version, app)
    selector = {"app.kubernetes.io/name": name}
    replicas = _int(config.get("replicaCount"), 1)
    return [
        _object("v1", "ServiceAccount", name, labels),
        _service(name, labels, selector, 80, "ClusterIP"),
        _deployment(
            name,
            labels,
            selector,
            replicas=replicas,
            account=name,
            image=f"example.org/{chart}:{tag}",
        ),
    ]


def _node_feature_discovery(
    name: str, chart: str, version: str, app: str, config: Mapping[str, Any]
) -> list[JsonObject]:
    image = f"registry.k8s.io/nfd/node-feature-discovery:v{app}"
    master, worker = (
        _labels(name, chart, version, app, "master"),
        _labels(name, chart, version, app, "worker"),
    )
    renamed = _version(version) >= NFD_SERVICE_ACCOUNT_RENAMED
    worker_account = f"{name}-worker" if renamed else "nfd-worker"
    config_map = _object("v1", "ConfigMap", "nfd-worker-conf", worker)
    config_map["data"] = {
        "nfd-worker.conf": json.dumps(_section(config, "worker").get("config", {}))
    }
    master_selector = {"app.kubernetes.io/name": name, "role": "master"}
    worker_selector = {"app.kubernetes.io/name": name, "role": "worker"}
    return [
        _object("v1", "ServiceAccount", "nfd-master", master),
        _object("v1", "ServiceAccount", worker_account, worker),
        config_map,
        _cluster_role("nfd-master", master),
        _service("nfd-master", master, master_selector, 8080, "ClusterIP"),
        _deployment(
            "nfd-master",
            master,
            master_selector,
            replicas=_int(_section(config, "master").get("replicaCount"), 1),
            account="nfd-master",
            image=image,
        ),
        _deployment(
            "nfd-worker", worker, worker_selector, replicas=1, account="nfd-worker", image=image
        ),
    ]


def _longhorn(
    name: str, chart: str, version: str, app: str, config: Mapping[str, Any]
) -> list[JsonObject]:
    labels = _labels(name, chart, version, app)
    ui = _section(_section(config, "service"), "ui")
    image = f"longhornio/longhorn-manager:v{app}"
    return [
        _object("v1", "ServiceAccount", "longhorn-service-account", labels),
        _object("v1", "ConfigMap", "longhorn-default-setting", labels),
        _cluster_role("longhorn-role", labels),
        _service(
            "longhorn-frontend",
            labels,
            {"app": "longhorn-ui"},
            80,
            str(ui.get("type", "ClusterIP")),
        ),
        _daemon_set("longhorn-manager", labels, {"app": "longhorn-manager"}, image),
        _deployment(
            "longhorn-ui",
            labels,
            {"app": "longhorn-ui"},
            replicas=_int(_section(config, "longhornUI").get("replicas"), 2),
            account="longhorn-service-account",
            image=f"longhornio/longhorn-ui:v{app}",
        ),
        _deployment(
            "longhorn-driver-deployer",
            labels,
            {"app": "longhorn-driver-deployer"},
            replicas=1,
            account="longhorn-service-account",
            image=image,
        ),
    ]


Template = Callable[[str, str, str, str, Mapping[str, Any]], list[JsonObject]]
TEMPLATES: dict[str, Template] = {
    "node-feature-discovery": _node_feature_discovery,
    "longhorn": _longhorn,
}
"""Charts with their own objects; any other chart renders `_default`."""


def chart_objects(
    name: str, chart: str, version: str, app: str, config: Mapping[str, Any]
) -> list[JsonObject]:
    """The objects a release of `chart@version` renders, in Helm's install order.

    Args:
        name: Release name.
        chart: Chart name.
        version: Chart version.
        app: App version (image tags follow it unless the values pin `image.tag`).
        config: The release's user values.

    Returns:
        New dicts without namespace or status (as templates render them).
    """
    objects = TEMPLATES.get(chart, _default)(name, chart, version, app, config)
    rank = {kind: number for number, kind in enumerate(INSTALL_ORDER)}
    return sorted(objects, key=lambda obj: rank.get(str(obj["kind"]), len(rank)))


# -- YAML text ------------------------------------------------------------------------------------


def render_manifest(chart: str, objects: list[JsonObject]) -> str:
    """The `manifest` text of a release: `---`, `# Source:` and block YAML per object."""
    parts = []
    for obj in objects:
        template = str(obj["kind"]).lower()
        body = yaml.dump(
            obj, Dumper=_DUMPER, sort_keys=False, default_flow_style=False, allow_unicode=True
        )
        parts.append(f"---\n# Source: {chart}/templates/{template}.yaml\n{body}")
    return "".join(parts)
