"""The server-side Table form (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`).

Columns come from the resource's printer columns (a CRD's additionalPrinterColumns), with
`Name` first (unless the kind places it itself, as events do); `date` columns hold the human
age, since kubectl prints cells verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from tuiops.domain.age import human_age, parse_time
from tuiops.sim.apiserver.resources import PrinterColumn, ResourceType

JsonObject = dict[str, Any]

_FILTER = re.compile(r'^\[\?\(@\.([A-Za-z0-9_]+)==["\']([^"\']*)["\']\)\]')
_FIELD = re.compile(r"^\.([A-Za-z0-9_-]+)")

NAME_COLUMN: JsonObject = {
    "name": "Name",
    "type": "string",
    "format": "name",
    "description": "Name must be unique within a namespace. Is required when creating resources,"
    " although some resources may allow a client to request the generation of an appropriate"
    " name automatically. Name is primarily intended for creation idempotence and"
    " configuration definition. Cannot be updated.",
    "priority": 0,
}


def json_path(obj: Any, path: str) -> Any:
    """Evaluate the JSONPath subset printer columns use; None when a step is missing."""
    rest, value = path, obj
    while rest:
        match = _FIELD.match(rest)
        if match:
            value = value.get(match.group(1)) if isinstance(value, Mapping) else None
            rest = rest[match.end() :]
            continue
        match = _FILTER.match(rest)
        if match:
            key, wanted = match.groups()
            items = value if isinstance(value, list) else []
            value = next(
                (item for item in items if isinstance(item, Mapping) and item.get(key) == wanted),
                None,
            )
            rest = rest[match.end() :]
            continue
        return None
    return value


def _age(now: datetime, stamp: Any) -> str:
    moment = parse_time(stamp) if isinstance(stamp, str) else None
    return human_age(now - moment) if moment else "<unknown>"


def _computed(resource: ResourceType, column: PrinterColumn, obj: JsonObject, now: datetime) -> Any:
    """Columns a built-in kind's printer computes in Go rather than by JSONPath."""
    status = obj.get("status") or {}
    if resource.kind == "Pod" and column.name == "Ready":
        containers = status.get("containerStatuses") or []
        ready = sum(1 for container in containers if container.get("ready"))
        return f"{ready}/{len((obj.get('spec') or {}).get('containers') or [])}"
    if resource.kind == "Pod" and column.name == "Restarts":
        return str(sum(c.get("restartCount", 0) for c in status.get("containerStatuses") or []))
    if column.name == "Data":
        return str(len(obj.get("data") or {}) + len(obj.get("binaryData") or {}))
    if resource.kind == "Node" and column.name == "Status":
        ready = json_path(obj, '.status.conditions[?(@.type=="Ready")].status')
        return "Ready" if ready == "True" else "NotReady"
    if resource.kind == "Node" and column.name == "Roles":
        labels = (obj.get("metadata") or {}).get("labels") or {}
        prefix = "node-role.kubernetes.io/"
        roles = sorted(key[len(prefix) :] for key in labels if key.startswith(prefix))
        return ",".join(roles) or "<none>"
    if resource.kind == "Deployment" and column.name == "Ready":
        replicas = (obj.get("spec") or {}).get("replicas", 1)
        return f"{status.get('readyReplicas', 0)}/{replicas}"
    if resource.kind == "Event":
        return _event_cell(column.name, obj, now)
    return _workload_cell(resource.kind, column.name, obj)


_WORKLOAD_FIELDS = {
    ("ReplicaSet", "Desired"): ("spec", "replicas"),
    ("ReplicaSet", "Current"): ("status", "replicas"),
    ("ReplicaSet", "Ready"): ("status", "readyReplicas"),
    ("DaemonSet", "Desired"): ("status", "desiredNumberScheduled"),
    ("DaemonSet", "Current"): ("status", "currentNumberScheduled"),
    ("DaemonSet", "Ready"): ("status", "numberReady"),
    ("DaemonSet", "Up-to-date"): ("status", "updatedNumberScheduled"),
    ("DaemonSet", "Available"): ("status", "numberAvailable"),
}
"""Integer cells the Go printers fill from a field, 0 when it is absent."""


def _workload_cell(kind: str, name: str, obj: JsonObject) -> Any:
    """Cells of the kinds Helm releases create (kubectl's printers.go)."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    field = _WORKLOAD_FIELDS.get((kind, name))
    if field is not None:
        return int((spec if field[0] == "spec" else status).get(field[1]) or 0)
    if kind == "StatefulSet" and name == "Ready":
        return f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}"
    if kind == "DaemonSet" and name == "Node Selector":
        selector = (spec.get("template") or {}).get("spec", {}).get("nodeSelector") or {}
        return ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or "<none>"
    if kind == "ServiceAccount" and name == "Secrets":
        return str(len(obj.get("secrets") or []))
    if kind == "Service" and name == "External-IP":
        ingress = (status.get("loadBalancer") or {}).get("ingress") or []
        addresses = [i.get("ip") or i.get("hostname", "") for i in ingress] + list(
            spec.get("externalIPs") or []
        )
        if addresses:
            return ",".join(addresses)
        return "<pending>" if spec.get("type") == "LoadBalancer" else "<none>"
    if kind == "Service" and name == "Port(s)":
        ports = [
            f"{p.get('port')}:{p['nodePort']}/{p.get('protocol', 'TCP')}"
            if p.get("nodePort")
            else f"{p.get('port')}/{p.get('protocol', 'TCP')}"
            for p in spec.get("ports") or []
        ]
        return ",".join(ports) or "<none>"
    if kind == "PersistentVolumeClaim" and name == "Access Modes":
        short = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX"}
        modes = (status.get("accessModes") or spec.get("accessModes")) or []
        return ",".join(short.get(mode, mode) for mode in modes)
    if kind == "Job" and name == "Completions":
        completions = spec.get("completions")
        total = str(completions) if completions is not None else "1"
        return f"{status.get('succeeded', 0)}/{total}"
    if kind == "Job" and name == "Status":
        kinds = {c.get("type") for c in status.get("conditions") or [] if c.get("status") == "True"}
        for condition, word in (("Complete", "Complete"), ("Failed", "Failed")):
            if condition in kinds:
                return word
        return "Suspended" if spec.get("suspend") else "Running"
    return None


def _event_cell(name: str, event: JsonObject, now: datetime) -> Any:
    """The apiserver's `printEvent`: ages, `kind/name`, source, trimmed message, count."""
    first = event.get("firstTimestamp") or event.get("eventTime")
    last = event.get("lastTimestamp") or first
    series = event.get("series") or {}
    if series.get("lastObservedTime"):
        last = series["lastObservedTime"]
    if name == "Last Seen":
        return _age(now, last)
    if name == "First Seen":
        return _age(now, first)
    involved = event.get("involvedObject") or {}
    if name == "Subobject":
        return str(involved.get("fieldPath") or "")
    if name == "Source":
        source = event.get("source") or {}
        component = source.get("component") or event.get("reportingComponent") or ""
        instance = source.get("host") or event.get("reportingInstance") or ""
        return f"{component}, {instance}" if instance else str(component)
    if name == "Message":
        return str(event.get("message") or "").strip()
    if name == "Count":
        return int(series.get("count") or event.get("count") or 1)
    kind = str(involved.get("kind", "")).lower()
    return f"{kind}/{involved['name']}" if involved.get("name") else kind


def _cell(resource: ResourceType, column: PrinterColumn, obj: JsonObject, now: datetime) -> Any:
    if not column.json_path:
        return _computed(resource, column, obj, now)
    value = json_path(obj, column.json_path)
    if column.type == "date":
        return _age(now, value)
    if value is None:
        return "<none>" if resource.group == "" else ""
    if column.type in ("integer", "number") and isinstance(value, int | float):
        return value
    return str(value)


def _partial_metadata(obj: JsonObject) -> JsonObject:
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj.get("metadata", {}),
    }


def _default_description(resource: ResourceType, column: PrinterColumn) -> str:
    if resource.is_custom:
        # What apiextensions-apiserver says for a printer column without a description.
        return f"Custom resource definition column (in JSONPath format): {column.json_path}"
    return column.name


def _names_itself(resource: ResourceType) -> bool:
    """True when the kind's printer places Name itself (events: a wide-only last column)."""
    return any(column.name == "Name" for column in resource.columns)


def column_definitions(resource: ResourceType) -> list[JsonObject]:
    return (
        ([] if _names_itself(resource) else [NAME_COLUMN])
        + [
            {
                "name": column.name,
                # A CRD's column keeps its declared type ("date" too); built-in printers
                # declare their Age column a string.
                "type": column.type if resource.is_custom or column.type != "date" else "string",
                "format": "",
                "description": column.description or _default_description(resource, column),
                "priority": column.priority,
            }
            for column in resource.columns
        ]
        if resource.columns
        else [
            NAME_COLUMN,
            {"name": "Created At", "type": "date", "format": "", "description": "", "priority": 0},
        ]
    )


def table_row(resource: ResourceType, obj: JsonObject, now: datetime) -> JsonObject:
    name = (obj.get("metadata") or {}).get("name", "")
    if resource.columns:
        cells = [] if _names_itself(resource) else [name]
        cells += [_cell(resource, column, obj, now) for column in resource.columns]
    else:
        cells = [name, (obj.get("metadata") or {}).get("creationTimestamp", "")]
    return {"cells": cells, "object": _partial_metadata(obj)}


def table(
    resource: ResourceType,
    objects: Sequence[JsonObject],
    now: datetime,
    metadata: JsonObject,
    *,
    with_columns: bool = True,
) -> JsonObject:
    """A `meta.k8s.io/v1` Table; watch events after the first may omit the columns."""
    result: JsonObject = {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata}
    if with_columns:
        result["columnDefinitions"] = column_definitions(resource)
    result["rows"] = [table_row(resource, obj, now) for obj in objects]
    return result
