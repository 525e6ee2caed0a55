"""Legacy discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/<g>/<v>`) and `/version`.

kubectl accepts legacy answers to its aggregated-discovery Accept header, then fetches every
group/version listed, so every version listed here must also be served.
"""

from __future__ import annotations

from typing import Any

from tuiops.sim.apiserver.resources import ResourceType, all_types

JsonObject = dict[str, Any]

SERVER_VERSION: JsonObject = {
    "major": "1",
    "minor": "34",
    "gitVersion": "v1.34.1",
    "gitCommit": "93248f9ae092f571eb870b7664c534bfc7d00f03",
    "gitTreeState": "clean",
    "buildDate": "2025-09-09T19:44:50Z",
    "goVersion": "go1.24.6",
    "compiler": "gc",
    "platform": "linux/amd64",
}
"""The Kubernetes version of the example repo's talconfig (v1.34.1)."""


def api_versions() -> JsonObject:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": ""}],
    }


def api_group_list() -> JsonObject:
    groups: dict[str, list[str]] = {}
    for resource in all_types():
        if resource.group:
            known = groups.setdefault(resource.group, [])
            known.extend(version for version in resource.versions if version not in known)
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [
            {
                "name": group,
                "versions": [
                    {"groupVersion": f"{group}/{version}", "version": version}
                    for version in versions
                ],
                "preferredVersion": {
                    "groupVersion": f"{group}/{versions[0]}",
                    "version": versions[0],
                },
            }
            for group, versions in groups.items()
        ],
    }


def _entries(resource: ResourceType) -> list[JsonObject]:
    entry: JsonObject = {
        "name": resource.plural,
        "singularName": resource.singular,
        "namespaced": resource.namespaced,
        "kind": resource.kind,
        "verbs": list(resource.verbs),
    }
    if resource.short_names:
        entry["shortNames"] = list(resource.short_names)
    if resource.group.endswith("fluxcd.io"):
        entry["storageVersionHash"] = ""
    entries = [entry]
    for sub in resource.subresources:
        verbs = ["get"] if sub == "log" else ["get", "patch", "update"]
        kind = "Pod" if sub == "log" else resource.kind
        entries.append(
            {
                "name": f"{resource.plural}/{sub}",
                "singularName": "",
                "namespaced": resource.namespaced,
                "kind": kind,
                "verbs": verbs,
            }
        )
    return entries


def api_resource_list(group: str, version: str) -> JsonObject | None:
    """The APIResourceList of one group/version, or None when it is not served."""
    served = [r for r in all_types() if r.group == group and version in r.versions]
    if not served:
        return None
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": [entry for resource in served for entry in _entries(resource)],
    }
