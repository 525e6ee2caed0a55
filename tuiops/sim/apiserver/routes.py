"""Kubernetes REST paths taken apart: group, version, namespace, plural, name, subresource."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Route:
    """What a request path addresses."""

    group: str
    version: str
    plural: str = ""
    namespace: str = ""
    name: str = ""
    subresource: str = ""
    discovery: bool = False
    """True for `/api/v1` and `/apis/<g>/<v>` themselves (an APIResourceList)."""


def parse_route(path: str) -> Route | None:
    """The route of `/api/v1/...` or `/apis/<group>/<version>/...`; None for anything else."""
    parts = [part for part in path.split("/") if part]
    if len(parts) >= 2 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    if not rest:
        return Route(group, version, discovery=True)
    namespace = ""
    # `/namespaces/NS/<plural>...` is a namespaced collection; `/namespaces[/NS]` is the
    # Namespace resource itself, and `/namespaces/NS/status` its status subresource.
    if rest[0] == "namespaces" and len(rest) >= 3 and rest[2:] != ["status"]:
        namespace, rest = rest[1], rest[2:]
    plural = rest[0]
    name = rest[1] if len(rest) > 1 else ""
    subresource = rest[2] if len(rest) > 2 else ""
    if len(rest) > 3:
        return None
    return Route(group, version, plural, namespace, name, subresource)
