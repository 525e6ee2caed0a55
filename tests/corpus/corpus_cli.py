"""Run ``tuiops status --offline --json`` on a corpus repo and read its JSON answer.

Only the documented CLI contract is used here (subprocess + JSON); nothing is imported
from ``tuiops``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
CLI_TIMEOUT_S = 900
SEVERITIES = frozenset({"error", "warning", "info"})
LAYER_STATES = ("listed", "commented", "unlisted")
KIND_KS = "Kustomization"
KIND_HR = "HelmRelease"


@dataclass(frozen=True)
class CliRun:
    """Outcome of one CLI invocation; ``data`` is the parsed JSON or None."""

    returncode: int
    stdout: str
    stderr: str
    data: Any
    json_error: str | None


def status_command(repo: Path) -> list[str]:
    """The exact command line the tests run for ``repo``."""
    return [sys.executable, "-m", "tuiops", "status", "--offline", "--repo", str(repo), "--json"]


def run_status(repo: Path) -> CliRun:
    """Run the status command from the project root; never raises on CLI failure."""
    try:
        proc = subprocess.run(
            status_command(repo),
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        return CliRun(-1, "", f"timed out after {exc.timeout}s", None, "timeout")
    try:
        data: Any = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        return CliRun(proc.returncode, proc.stdout, proc.stderr, None, str(exc))
    return CliRun(proc.returncode, proc.stdout, proc.stderr, data, None)


class StatusCache:
    """Runs the CLI at most once per repo and hands the cached result out again."""

    def __init__(self) -> None:
        """Start with an empty cache."""
        self._runs: dict[Path, CliRun] = {}

    def get(self, repo: Path) -> CliRun:
        """Return the (cached) CLI outcome for ``repo``."""
        if repo not in self._runs:
            self._runs[repo] = run_status(repo)
        return self._runs[repo]


# --------------------------------------------------------------------------- shape

_STR = (str,)
_OPT_STR = (str, type(None))
_LIST = (list,)
_KS_FIELDS: Mapping[str, tuple[type, ...]] = {
    "name": _STR,
    "namespace": _OPT_STR,
    "path": _OPT_STR,
    "file": _STR,
    "line": (int,),
    "dependsOn": _LIST,
}
_HR_FIELDS: Mapping[str, tuple[type, ...]] = {
    "name": _STR,
    "namespace": _OPT_STR,
    "chart": _OPT_STR,
    "version": _OPT_STR,
    "file": _STR,
    "line": (int,),
    "dependsOn": _LIST,
}
_COMPONENT_FIELDS: Mapping[str, tuple[type, ...]] = {
    "name": _STR,
    "path": _STR,
    "kustomizations": _LIST,
    "helmReleases": _LIST,
}
_ORPHAN_FIELDS: Mapping[str, tuple[type, ...]] = {
    "name": _STR,
    "path": _OPT_STR,
    "file": _OPT_STR,
    "kustomizations": _LIST,
    "helmReleases": _LIST,
}
_FINDING_FIELDS: Mapping[str, tuple[type, ...]] = {
    "severity": _STR,
    "code": _STR,
    "file": _STR,
    "line": (int, type(None)),
    "message": _STR,
}


def _fields(obj: Any, spec: Mapping[str, tuple[type, ...]], where: str) -> list[str]:
    """Problems with ``obj``'s required keys and their value types."""
    if not isinstance(obj, dict):
        return [f"{where}: expected an object, got {type(obj).__name__}"]
    problems: list[str] = []
    for key, types in spec.items():
        if key not in obj:
            problems.append(f"{where}: missing key {key!r}")
        elif isinstance(obj[key], bool) or not isinstance(obj[key], types):
            problems.append(f"{where}.{key}: unexpected type {type(obj[key]).__name__}")
    return problems


def _posix_relative(value: Any, where: str) -> list[str]:
    """A ``file`` value must be a POSIX path relative to the repo root."""
    if isinstance(value, str) and (value.startswith("/") or "\\" in value or not value):
        return [f"{where}: not a POSIX relative path: {value!r}"]
    return []


def _doc_problems(doc: Any, spec: Mapping[str, tuple[type, ...]], where: str) -> list[str]:
    """Shape problems of one Kustomization/HelmRelease entry."""
    problems = _fields(doc, spec, where)
    if problems:
        return problems
    problems += _posix_relative(doc["file"], f"{where}.file")
    if doc["line"] < 1:
        problems.append(f"{where}.line: must be >= 1, got {doc['line']}")
    if not all(isinstance(d, str) for d in doc["dependsOn"]):
        problems.append(f"{where}.dependsOn: entries must be strings")
    return problems


def _holder_problems(obj: Any, spec: Mapping[str, tuple[type, ...]], where: str) -> list[str]:
    """Shape problems of a component or orphan group and of the documents it holds."""
    problems = _fields(obj, spec, where)
    if problems:
        return problems
    for i, ks in enumerate(obj["kustomizations"]):
        problems += _doc_problems(ks, _KS_FIELDS, f"{where}.kustomizations[{i}]")
    for i, hr in enumerate(obj["helmReleases"]):
        problems += _doc_problems(hr, _HR_FIELDS, f"{where}.helmReleases[{i}]")
    return problems


def _layer_problems(layer: Any, where: str) -> list[str]:
    """Shape problems of one layer and its components."""
    problems = _fields(layer, {"name": _STR, "state": _STR, "components": _LIST}, where)
    if problems:
        return problems
    if layer["state"] not in LAYER_STATES:
        problems.append(f"{where}.state: {layer['state']!r} not in {LAYER_STATES}")
    for i, comp in enumerate(layer["components"]):
        problems += _holder_problems(comp, _COMPONENT_FIELDS, f"{where}.components[{i}]")
    return problems


def _cluster_problems(cluster: Any, where: str) -> list[str]:
    """Shape problems of one cluster, its layers and its orphans."""
    problems = _fields(cluster, {"name": _STR, "layers": _LIST, "orphans": _LIST}, where)
    if problems:
        return problems
    for i, layer in enumerate(cluster["layers"]):
        problems += _layer_problems(layer, f"{where}.layers[{i}]")
    for i, orphan in enumerate(cluster["orphans"]):
        problems += _holder_problems(orphan, _ORPHAN_FIELDS, f"{where}.orphans[{i}]")
    return problems


def _finding_problems(finding: Any, where: str) -> list[str]:
    """Shape problems of one finding."""
    problems = _fields(finding, _FINDING_FIELDS, where)
    if problems:
        return problems
    if finding["severity"] not in SEVERITIES:
        problems.append(f"{where}.severity: {finding['severity']!r} not in {sorted(SEVERITIES)}")
    return problems + _posix_relative(finding["file"], f"{where}.file")


def shape_problems(data: Any) -> list[str]:
    """Every deviation of the status JSON from the documented shape (empty when valid)."""
    problems = _fields(data, {"clusters": _LIST, "findings": _LIST}, "$")
    if problems:
        return problems
    for i, cluster in enumerate(data["clusters"]):
        problems += _cluster_problems(cluster, f"$.clusters[{i}]")
    for i, finding in enumerate(data["findings"]):
        problems += _finding_problems(finding, f"$.findings[{i}]")
    return problems


# --------------------------------------------------------------------------- reading

ORPHAN = "<orphan>"


@dataclass(frozen=True)
class Entry:
    """One reported Kustomization/HelmRelease and where in the JSON it sits."""

    kind: str
    name: str
    namespace: str | None
    file: str
    line: int
    cluster: str
    layer: str  # layer name, or ORPHAN

    @property
    def key(self) -> tuple[str, str, str]:
        """(kind, name, file), matching :attr:`corpus_scan.FluxDoc.key`."""
        return (self.kind, self.name, self.file)


def _holder_entries(holder: dict[str, Any], cluster: str, layer: str) -> list[Entry]:
    """Entries of one component or orphan group."""
    found: list[Entry] = []
    for kind, field in ((KIND_KS, "kustomizations"), (KIND_HR, "helmReleases")):
        for doc in holder.get(field, []):
            found.append(
                Entry(
                    kind,
                    doc["name"],
                    doc.get("namespace"),
                    doc["file"],
                    doc["line"],
                    cluster,
                    layer,
                )
            )
    return found


ENTRYPOINT = "<entrypoint>"
"""Layer label for a cluster's Flux entry points (flux-entry, cluster-apps, ...)."""


def entries(data: dict[str, Any]) -> list[Entry]:
    """Every Kustomization/HelmRelease entry of every cluster (entry points, layers, orphans)."""
    found: list[Entry] = []
    for cluster in data["clusters"]:
        for comp in cluster.get("entrypoints", []):
            found += _holder_entries(comp, cluster["name"], ENTRYPOINT)
        for layer in cluster["layers"]:
            for comp in layer["components"]:
                found += _holder_entries(comp, cluster["name"], layer["name"])
        for orphan in cluster["orphans"]:
            found += _holder_entries(orphan, cluster["name"], ORPHAN)
    return found


def pick_cluster(data: dict[str, Any], preferred: str = "main") -> dict[str, Any]:
    """The cluster named ``preferred``, else the only cluster; AssertionError otherwise."""
    clusters: list[dict[str, Any]] = data["clusters"]
    named = [c for c in clusters if c["name"] == preferred]
    if named:
        return named[0]
    assert len(clusters) == 1, (
        f"expected a cluster named {preferred!r} or exactly one cluster, "
        f"got {[c['name'] for c in clusters]}"
    )
    return clusters[0]


def layer_states(cluster: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, state) of every layer in reported order."""
    return [(layer["name"], layer["state"]) for layer in cluster["layers"]]


def listed_layers(cluster: dict[str, Any]) -> list[str]:
    """Names of the layers whose state is ``listed``, in reported order."""
    return [name for name, state in layer_states(cluster) if state == "listed"]
