"""Who uses the variables a SOPS file defines: the manifests Flux substitutes `${KEY}` into
(from the repo model's variable report), clustertool when it reads the key, and which of them
use it as a LoadBalancer IP (the line names `loadBalancerIP` or MetalLB's annotation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tuiops.domain.repo import RepoModel

_LB_MARKERS = ("loadbalancerip", "metallb.universe.tf", "metallb.io/loadbalancerips")


@dataclass(frozen=True, slots=True)
class VariableUsers:
    """Per variable name defined in one file: who uses it."""

    users: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Manifest files (relative paths), then `clustertool` when it reads the key."""
    uses: dict[str, int] = field(default_factory=dict)
    """How many manifests substitute it."""
    loadbalancer: frozenset[str] = frozenset()
    """Names some manifest uses as a LoadBalancer IP."""


def variable_users(model: RepoModel | None, root: Path, rel: str) -> VariableUsers:
    """Who uses each variable that file `rel` defines, from the model's variable reports.

    Blocking: reads the lines of the manifests that use the variables.
    """
    if model is None:
        return VariableUsers()
    clusters = [c for c in model.clusters if rel.startswith(f"clusters/{c.name}/")]
    users: dict[str, tuple[str, ...]] = {}
    uses: dict[str, int] = {}
    loadbalancer: set[str] = set()
    lines: dict[str, list[str]] = {}
    for cluster in clusters or model.clusters:
        for variable in cluster.variables.variables:
            if not any(d.location.file == rel for d in variable.definitions):
                continue
            files = tuple(sorted({_short(use.location.file) for use in variable.uses}))
            uses[variable.name] = uses.get(variable.name, 0) + len(files)
            tool = ("clustertool",) if variable.clustertool else ()
            users[variable.name] = (*users.get(variable.name, ()), *files, *tool)
            for use in variable.uses:
                text = _line(root, use.location.file, use.location.line, lines).lower()
                if any(marker in text for marker in _LB_MARKERS):
                    loadbalancer.add(variable.name)
    return VariableUsers(users, uses, frozenset(loadbalancer))


def _short(file: str) -> str:
    """A manifest's path without `clusters/<name>/kubernetes/` (the file's own cluster)."""
    parts = file.split("/")
    if len(parts) > 3 and parts[0] == "clusters" and parts[2] == "kubernetes":
        return "/".join(parts[3:])
    return file


def _line(root: Path, file: str, number: int, cache: dict[str, list[str]]) -> str:
    """Line `number` (1-based) of repo file `file`; empty when it cannot be read."""
    if file not in cache:
        try:
            cache[file] = (root / file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            cache[file] = []
    found = cache[file]
    return found[number - 1] if 0 < number <= len(found) else ""
