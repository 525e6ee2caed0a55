"""Load a GitOps repo into the domain model: the one entry point of `gitops/`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tuiops.domain.findings import Finding, Severity
from tuiops.domain.flux import FluxKustomization, HelmRelease
from tuiops.domain.refs import ObjectRef, SourceLocation
from tuiops.domain.repo import Cluster, Layout, ObjectNote, RepoModel
from tuiops.gitops.clusterenv import ClusterEnv, read_clusterenv
from tuiops.gitops.components import with_releases
from tuiops.gitops.graph import (
    ClusterWalk,
    DocKey,
    Walker,
    cluster_name_of,
    find_roots,
    group_roots,
)
from tuiops.gitops.index import RepoIndex, build_index
from tuiops.gitops.kustomize import Kustomize
from tuiops.gitops.layers import ClusterLayers, LayerReader
from tuiops.gitops.lint import (
    api_version_findings,
    cluster_findings,
    clusterenv_findings,
    yaml_findings,
)
from tuiops.gitops.renovate import renovate_hints
from tuiops.gitops.scope import ValuesObject
from tuiops.gitops.tree import RepoTree, read_tree
from tuiops.gitops.unreached import UnreachedReader
from tuiops.gitops.variables import VariableReader


def detect_layout(walks: list[ClusterWalk]) -> Layout:
    """The layout family, from where the entry points live."""
    files = [key[0] for walk in walks for key in walk.roots]
    if any(f.endswith(("kubernetes/flux-entry.yaml", "flux-entry/ks.yaml")) for f in files):
        return Layout.CLUSTERTOOL
    if any(f.startswith("cluster/") for f in files):
        return Layout.LEGACY_TRUECHARTS
    if any(f.startswith("kubernetes/") for f in files):
        return Layout.HOME_OPS
    return Layout.GENERIC


def load_repo(root: Path) -> RepoModel:
    """Read the repo at `root`; never raises for bad content (it becomes findings).

    Args:
        root: the repo's top folder.

    Returns:
        Clusters with layers in apply order, sources, renovate hints and findings.
    """
    tree = read_tree(root)
    kustomize = Kustomize(tree)
    index = build_index(tree, kustomize)
    walker = Walker(index, kustomize)
    groups = group_roots(find_roots(index, kustomize))
    envs = {name: read_clusterenv(tree, name) for name in groups}
    for name, env in envs.items():
        if env is not None and ("ConfigMap", "cluster-config") not in index.values:
            # clustertool genconfig copies clusterenv into ConfigMap cluster-config; a repo that
            # has not run it yet still means those keys.
            values = {**env.values, "CLUSTERNAME": name}
            index.values["ConfigMap", "cluster-config"].append(
                ValuesObject(
                    ObjectRef("ConfigMap", "flux-system", "cluster-config"),
                    SourceLocation(env.file, 1),
                    values,
                    "clusterenv",
                )
            )
    walks = [walker.walk(name, roots) for name, roots in groups.items()]
    unreached = UnreachedReader(index, kustomize)
    layer_reader = LayerReader(index, kustomize, unreached)
    variable_reader = VariableReader(tree)
    reached_ks: set[DocKey] = set().union(*(w.kustomizations for w in walks))
    reached_hr: set[DocKey] = set().union(*(w.helm_releases for w in walks))
    orphans = unreached.orphans(reached_ks, reached_hr)
    clusters = []
    names = [walk.name for walk in walks]
    for walk in walks:
        layers = _with_more_releases(layer_reader.read(walk), walk)
        own_orphans = tuple(o for o in orphans if _owner(o.file, names) == walk.name)
        env = envs.get(walk.name)
        variables = variable_reader.read(walk, env)
        clusters.append(
            Cluster(
                walk.name,
                layers.layer_root,
                layers.entrypoints,
                layers.layers,
                own_orphans,
                variables,
                _notes(walk, unreached.raw_names),
            )
        )
    findings = _findings(tree, walks, clusters, envs, index, kustomize)
    renovate = tuple(
        h for file, text in sorted(tree.texts.items()) for h in renovate_hints(file, text)
    )
    return RepoModel(
        root=str(root),
        layout=detect_layout(walks),
        clusters=tuple(clusters),
        sources=tuple(index.sources),
        renovate=renovate,
        findings=tuple(sorted(set(findings), key=Finding.sort_key)),
    )


def _with_more_releases(layers: ClusterLayers, walk: ClusterWalk) -> ClusterLayers:
    """The layers with the HelmReleases a component made more than once (one per
    Kustomization including it) in each includer's component."""
    extra = [(r, walk.kustomizations[owner].ks) for r, owner in walk.more_releases]
    if not extra:
        return layers
    return ClusterLayers(
        layers.layer_root,
        with_releases(layers.entrypoints, extra),
        tuple(
            replace(layer, components=with_releases(layer.components, extra))
            for layer in layers.layers
        ),
    )


def _notes(walk: ClusterWalk, unreached_raw: dict[ObjectRef, str]) -> tuple[ObjectNote, ...]:
    """Raw names of substituted objects, and the components each Kustomization includes."""
    raw = {**unreached_raw, **walk.raw_names}
    notes = []
    for reached in walk.kustomizations.values():
        ref = reached.ks.ref
        if ref in raw or reached.components:
            notes.append(ObjectNote(ref, raw.pop(ref, ref.name), reached.components))
    notes.extend(ObjectNote(ref, name) for ref, name in raw.items())
    return tuple(notes)


def _owner(file: str, clusters: list[str]) -> str:
    """The cluster an unreached file belongs to: the one its folder names, else the first."""
    named = cluster_name_of(file)
    segments = file.split("/")
    for name in clusters:
        if name == named or name in segments[:-1]:
            return name
    return clusters[0]


def _findings(
    tree: RepoTree,
    walks: list[ClusterWalk],
    clusters: list[Cluster],
    envs: dict[str, ClusterEnv | None],
    index: RepoIndex,
    kustomize: Kustomize,
) -> list[Finding]:
    applied = {
        file
        for walk in walks
        for reached in walk.kustomizations.values()
        if reached.build_path is not None
        for file in kustomize.listed_files(reached.build_path, reached.components)
    }
    findings = yaml_findings(tree, applied)
    objects: dict[SourceLocation, FluxKustomization | HelmRelease] = {}
    for cluster in clusters:
        for component in cluster.all_components():
            objects.update((o.location, o) for o in component.kustomizations)
            objects.update((o.location, o) for o in component.helm_releases)
    known = {obj.ref for obj in objects.values()}
    for cluster in clusters:
        findings.extend(cluster_findings(cluster, known))
    findings.extend(api_version_findings([*objects.values(), *index.sources]))
    for walk in walks:
        for reached in walk.kustomizations.values():
            ks = reached.ks
            if index.is_ours(ks.source) and reached.build_path is None and "${" not in ks.path:
                findings.append(
                    Finding(
                        Severity.ERROR,
                        "path-missing",
                        ks.location.file,
                        ks.location.line,
                        f"{ks.ref} path {ks.raw_path!r} is not a folder of this repo",
                    )
                )
    for env in envs.values():
        if env is None:
            continue
        configs = [
            v
            for v in index.values.get(("ConfigMap", "cluster-config"), [])
            if v.origin != "clusterenv"
        ]
        keys = {k for v in configs for k in v.values} - {"CLUSTERNAME"} if configs else None
        findings.extend(clusterenv_findings(env, keys))
    return findings
