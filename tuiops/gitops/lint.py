"""Findings about a loaded repo: what `tuiops lint` reports, each with file and line."""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable

from tuiops.domain.findings import Finding, Severity
from tuiops.domain.flux import FluxKustomization, HelmRelease, Source
from tuiops.domain.refs import ObjectRef
from tuiops.domain.repo import Cluster, Component, LayerState
from tuiops.gitops.clusterenv import ClusterEnv, as_interface, location_of
from tuiops.gitops.clustertool import clustertool_findings
from tuiops.gitops.cycles import depends_on_findings, include_cycles
from tuiops.gitops.kustomize import Kustomize
from tuiops.gitops.tree import RepoTree

_RANGE_MARKS = ("*", "x", "X", "^", "~", ">", "<", "|", " ")
FLUX_API_VERSIONS = {
    "kustomize.toolkit.fluxcd.io": ("v1", frozenset({"v1beta2"})),
    "helm.toolkit.fluxcd.io": ("v2", frozenset({"v2beta2"})),
    "source.toolkit.fluxcd.io": ("v1", frozenset({"v1beta2"})),
}
"""Flux 2.7: group → (current version, versions still served but deprecated)."""


def api_version_findings(
    objects: Iterable[FluxKustomization | HelmRelease | Source],
) -> list[Finding]:
    """Deprecated Flux API versions (info) and versions Flux 2.7 no longer serves (warning)."""
    findings = []
    for obj in objects:
        group, _, version = obj.api_version.partition("/")
        current, deprecated = FLUX_API_VERSIONS.get(group, (version, frozenset()))
        if version == current:
            continue
        served = version in deprecated
        findings.append(
            Finding(
                Severity.INFO if served else Severity.WARNING,
                "api-deprecated" if served else "api-removed",
                obj.location.file,
                obj.location.line,
                f"{obj.ref} uses {obj.api_version}, "
                + ("deprecated" if served else "no longer served by Flux 2.7")
                + f": move to {group}/{current}",
            )
        )
    return findings


_TOOL_FILES = re.compile(
    r"^(?:clusters/[^/]+/(?:clusterenv\.yaml|talos/talconfig\.yaml)|talenv\.yaml"
    r"|talconfig\.yaml|\.sops\.yaml)$"
)
"""Files clustertool, talhelper or sops read whether or not Flux applies them."""


def _read_as_yaml(
    tree: RepoTree, kustomize: Kustomize, applied: set[str]
) -> tuple[set[str], set[str]]:
    """(files something parses as YAML, folders Flux builds go through). The files are what
    Flux applies, the kustomization files of those folders and clustertool's own files;
    generator inputs (an app's config with its own tags or templates) and files no
    kustomization reaches are not among them."""
    folders = {posixpath.dirname(file) for file in applied}
    for folder in list(folders):
        while folder:
            folder = posixpath.dirname(folder)
            folders.add(folder)
    # A listed folder whose kustomization is broken contributes no applied file of its own.
    for folder in list(folders):
        listing = kustomize.folder(folder)
        if listing is not None:
            folders.update(e.path for e in (*listing.resources, *listing.components) if e.is_dir)
    read = set(applied)
    read.update(f for f in map(kustomize.kustomization_file, folders) if f is not None)
    read.update(f for f in (*tree.yaml, *tree.unreadable) if _TOOL_FILES.match(f))
    return read, folders


def yaml_findings(tree: RepoTree, applied_files: set[str]) -> list[Finding]:
    """Findings about the files themselves: unreadable YAML where Flux, kustomize or clustertool
    would read it (an error), and kustomize folders that include themselves.

    Args:
        tree: the repo's files.
        applied_files: files the reached Flux Kustomizations' builds apply as manifests.

    Returns:
        The findings; files nothing reads as manifests (generator inputs, unreached files)
        are not judged as Kubernetes YAML.
    """
    kustomize = Kustomize(tree)
    read, folders = _read_as_yaml(tree, kustomize, applied_files)
    findings = []
    for file, problem in tree.unreadable.items():
        if file in read:
            findings.append(
                Finding(Severity.WARNING, "file-unreadable", file, None, problem.message)
            )
    for file, loaded in tree.yaml.items():
        if file not in read:
            continue
        for problem in loaded.problems:
            findings.append(
                Finding(Severity.INFO, "yaml-tolerated", file, problem.line, problem.message)
                if problem.tolerated
                else Finding(
                    Severity.ERROR,
                    "yaml-unreadable",
                    file,
                    problem.line,
                    f"not valid YAML: {problem.message}",
                )
            )
    for cycle in include_cycles(tree, kustomize):
        reached = any(folder in folders for folder in cycle.folders)
        spelled = " -> ".join(folder or "." for folder in cycle.folders)
        findings.append(
            Finding(
                Severity.ERROR if reached else Severity.WARNING,
                "kustomization-cycle",
                cycle.file,
                cycle.line,
                f"kustomization {cycle.folders[0] or '.'} includes itself: {spelled}: "
                + (
                    "kustomize build fails, Flux never reconciles it"
                    if reached
                    else "kustomize build fails (not applied by Flux)"
                ),
            )
        )
    return findings


def _objects(components: Iterable[Component]) -> Iterable[FluxKustomization | HelmRelease]:
    for component in components:
        yield from component.kustomizations
        yield from component.helm_releases


def cluster_findings(cluster: Cluster, known: set[ObjectRef]) -> list[Finding]:
    """dependsOn naming nothing, itself or a loop; unpinned charts, orphans, undefined
    variables."""
    findings: list[Finding] = []
    live = [
        c for layer in cluster.layers if layer.state is LayerState.LISTED for c in layer.components
    ]
    reached = [*cluster.entrypoints, *live]
    names_by_kind: dict[tuple[str, str], list[str]] = defaultdict(list)
    for ref in known:
        names_by_kind[ref.kind, ref.name].append(ref.namespace)
    for obj in _objects(reached):
        for dependency in obj.depends_on:
            if dependency in known:
                continue
            elsewhere = names_by_kind.get((dependency.kind, dependency.name))
            hint = f" (exists in namespace {', '.join(sorted(elsewhere))})" if elsewhere else ""
            findings.append(
                Finding(
                    Severity.ERROR,
                    "depends-on-missing",
                    obj.location.file,
                    obj.location.line,
                    f"{obj.ref} depends on {dependency} which nothing in the repo defines{hint}",
                )
            )
        if (
            isinstance(obj, HelmRelease)
            and not obj.uses_chart_ref
            and (not obj.version or any(m in obj.version for m in _RANGE_MARKS))
        ):
            what = f"range {obj.version!r}" if obj.version else "no version"
            findings.append(
                Finding(
                    Severity.WARNING,
                    "chart-unpinned",
                    obj.location.file,
                    obj.location.line,
                    f"{obj.ref} installs chart {obj.chart} with {what}: pin a version",
                )
            )
    findings.extend(depends_on_findings(_objects(reached)))
    for orphan in cluster.orphans:
        for ks in orphan.kustomizations:
            findings.append(
                Finding(
                    Severity.INFO,
                    "orphan",
                    ks.location.file,
                    ks.location.line,
                    f"{ks.ref} is referenced by no kustomization (disabled or commented out)",
                )
            )
    for layer in cluster.layers:
        if layer.state is LayerState.COMMENTED and not layer.exists:
            findings.append(
                Finding(
                    Severity.INFO,
                    "layer-missing",
                    cluster.layer_root,
                    None,
                    f"commented layer {layer.name!r} names no folder",
                )
            )
    for use in cluster.variables.undefined:
        shell_like = use.name != use.name.upper()
        findings.append(
            Finding(
                Severity.WARNING if shell_like else Severity.ERROR,
                "var-undefined",
                use.location.file,
                use.location.line,
                f"${{{use.name}}} is defined nowhere in its scope: Flux renders it empty"
                + ("; probably a shell variable, escape it as $${...}" if shell_like else ""),
            )
        )
    return findings


def clusterenv_findings(env: ClusterEnv, cluster_config: set[str] | None) -> list[Finding]:
    """Duplicate IPs among plaintext values; keys that genconfig did not copy to cluster-config;
    clustertool's own checks (required keys, address rules) on cleartext values."""
    findings = clustertool_findings(env)
    by_ip: dict[str, list[str]] = defaultdict(list)
    for key, value in env.values.items():
        if value is not None and "/" not in value and as_interface(value) is not None:
            by_ip[value.strip()].append(key)
    for ip, keys in sorted(by_ip.items()):
        if len(keys) > 1:
            location = location_of(env, keys[1])
            findings.append(
                Finding(
                    Severity.WARNING,
                    "duplicate-ip",
                    location.file,
                    location.line,
                    f"{ip} is the value of {', '.join(keys)}",
                )
            )
    if cluster_config is not None:
        for key in sorted(set(env.values) - cluster_config):
            location = location_of(env, key)
            findings.append(
                Finding(
                    Severity.WARNING,
                    "clusterenv-drift",
                    location.file,
                    location.line,
                    f"{key} is in clusterenv but not in cluster-config: run clustertool genconfig",
                )
            )
    return findings
