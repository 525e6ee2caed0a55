"""Independent layout analysis of corpus repos: reachability, orphans and layer order.

Works only from the files on disk and :mod:`corpus_scan`; shares no code with ``tuiops``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.corpus.corpus_scan import KIND_KS, FluxDoc, RepoScan, load_yaml_mapping, read_text, rel

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
CLUSTERTOOL_ROOT = "clusters/main/kubernetes"
CLUSTERTOOL_ENTRY = f"{CLUSTERTOOL_ROOT}/kustomization.yaml"
LEGACY_MAIN = "cluster/main"
_COMMENTED_ENTRY = re.compile(r"^\s*#\s*-\s*(\S+)\s*$")

#: apps root per home-ops repo: the folder whose namespace sub-folders are the layers.
HOME_OPS_APPS_ROOT: Mapping[str, str] = {
    "onedr0p__home-ops": "kubernetes/apps",
    "Heavybullets8__heavy-ops": "kubernetes/apps",
    "onedr0p__home-ops--2023-10": "kubernetes/apps",
    "onedr0p__home-ops--2024-03": "kubernetes/main/apps",
    "joryirving__home-ops": "kubernetes/apps/main",
}
LEGACY_REPOS = frozenset({"PrivatePuffin__cluster--2024-04"})


def is_clustertool(repo: Path) -> bool:
    """clustertool layout: ``clusters/main/kubernetes/kustomization.yaml`` exists."""
    return (repo / CLUSTERTOOL_ENTRY).is_file()


def kustomization_file(directory: Path) -> Path | None:
    """The kustomization file of a directory, if it has one."""
    for name in KUSTOMIZATION_FILES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def resource_entries(kustomization: Path) -> list[str]:
    """Uncommented ``resources:`` entries of a kustomization file (strings only)."""
    entries = load_yaml_mapping(kustomization).get("resources")
    if not isinstance(entries, list):
        return []
    return [e.strip() for e in entries if isinstance(e, str) and e.strip()]


def commented_entries(kustomization: Path) -> list[str]:
    """Entries written as ``# - name`` comments in a kustomization file, in file order."""
    found: list[str] = []
    for line in read_text(kustomization).splitlines():
        match = _COMMENTED_ENTRY.match(line)
        if match:
            found.append(match.group(1))
    return found


def _resolve_entry(base: Path, entry: str) -> Path | None:
    """Map a ``resources`` entry to a file: a directory means its kustomization file."""
    if "://" in entry or entry.startswith(("github.com/", "git@")):
        return None
    target = (base / entry).resolve()
    if target.is_dir():
        return kustomization_file(target)
    return target if target.is_file() else None


def reachable_files(start: Iterable[Path]) -> set[Path]:
    """Files reached by following ``resources:`` from the given kustomization files."""
    seen: set[Path] = set()
    stack = [p.resolve() for p in start]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        if current.name not in KUSTOMIZATION_FILES:
            continue
        for entry in resource_entries(current):
            target = _resolve_entry(current.parent, entry)
            if target is not None and target not in seen:
                stack.append(target)
    return seen


def namespace_overrides(repo: Path) -> dict[str, set[str]]:
    """Per file, the ``namespace:`` values of kustomizations that pull it in.

    kustomize's namespace transformer replaces a document's own ``metadata.namespace``,
    so these are legitimate effective namespaces too.
    """
    base = repo.resolve()
    overrides: dict[str, set[str]] = {}
    for name in KUSTOMIZATION_FILES:
        for kustomization in base.rglob(name):
            namespace = load_yaml_mapping(kustomization).get("namespace")
            if not isinstance(namespace, str):
                continue
            for path in reachable_files([kustomization]) - {kustomization.resolve()}:
                if path.is_relative_to(base):
                    overrides.setdefault(rel(base, path), set()).add(namespace)
    return overrides


# --------------------------------------------------------------------------- orphans


@dataclass(frozen=True)
class OrphanSplit:
    """clustertool ``ks.yaml`` files split by reachability from the root kustomization."""

    reachable: tuple[str, ...]
    orphans: tuple[str, ...]


def clustertool_ks_split(repo: Path) -> OrphanSplit:
    """Split every ``ks.yaml`` under ``clusters/main/kubernetes`` into reachable/orphan."""
    reached = reachable_files([repo / CLUSTERTOOL_ENTRY])
    reachable: list[str] = []
    orphans: list[str] = []
    for path in sorted((repo / CLUSTERTOOL_ROOT).rglob("ks.yaml")):
        target = reachable if path.resolve() in reached else orphans
        target.append(rel(repo, path))
    return OrphanSplit(tuple(reachable), tuple(orphans))


# --------------------------------------------------------------------------- layer order


def stable_topological_order(items: Sequence[str], edges: Iterable[tuple[str, str]]) -> list[str]:
    """Order ``items`` keeping their given order, but each after the items it depends on.

    ``edges`` are (dependent, dependency). At each step the earliest item whose dependencies
    are all placed comes next (so an item only ever moves *later*); when a cycle blocks
    every remaining item the earliest one is taken anyway.
    """
    deps: dict[str, set[str]] = {item: set() for item in items}
    for dependent, dependency in edges:
        if dependent in deps and dependency in deps and dependent != dependency:
            deps[dependent].add(dependency)
    placed: list[str] = []
    remaining = list(items)
    while remaining:
        ready = [i for i in remaining if deps[i] <= set(placed)]
        chosen = ready[0] if ready else remaining[0]
        placed.append(chosen)
        remaining.remove(chosen)
    return placed


def strongly_connected(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Component id per node (Kosaraju); nodes in one cycle share an id."""
    graph: dict[str, set[str]] = {n: set() for n in nodes}
    reverse: dict[str, set[str]] = {n: set() for n in graph}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        reverse.setdefault(b, set()).add(a)
        graph.setdefault(b, set())
        reverse.setdefault(a, set())
    order: list[str] = []
    visited: set[str] = set()
    for start in graph:
        _post_order(start, graph, visited, order)
    component: dict[str, int] = {}
    for index, start in enumerate(reversed(order)):
        _assign(start, reverse, component, index)
    return component


def _post_order(start: str, graph: Mapping[str, set[str]], seen: set[str], out: list[str]) -> None:
    """Iterative DFS appending nodes in post-order."""
    if start in seen:
        return
    seen.add(start)
    stack: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
    while stack:
        node, children = stack[-1]
        if children:
            child = children.pop()
            if child not in seen:
                seen.add(child)
                stack.append((child, sorted(graph[child])))
        else:
            out.append(node)
            stack.pop()


def _assign(start: str, reverse: Mapping[str, set[str]], comp: dict[str, int], cid: int) -> None:
    """Give every node reachable in the reversed graph from ``start`` the id ``cid``."""
    stack = [start]
    while stack:
        node = stack.pop()
        if node in comp:
            continue
        comp[node] = cid
        stack.extend(n for n in reverse[node] if n not in comp)


@dataclass(frozen=True)
class PlacedKs:
    """A Flux Kustomization with the layer it belongs to and its effective namespace."""

    doc: FluxDoc
    layer: str
    namespace: str | None


def resolve_dependency(
    dependent: PlacedKs, name: str, namespace: str | None, pool: Sequence[PlacedKs]
) -> PlacedKs | None:
    """Find the Kustomization a ``dependsOn`` entry names, or None if absent/ambiguous."""
    wanted_ns = namespace if namespace is not None else dependent.namespace
    by_name = [p for p in pool if p.doc.name == name]
    if len(by_name) <= 1:
        return by_name[0] if by_name else None
    exact = [p for p in by_name if p.namespace == wanted_ns]
    return exact[0] if len(exact) == 1 else None


def layer_edges(pool: Sequence[PlacedKs]) -> set[tuple[str, str]]:
    """Cross-layer (dependent layer, dependency layer) edges from ``spec.dependsOn``."""
    edges: set[tuple[str, str]] = set()
    for placed in pool:
        for dep in placed.doc.depends_on:
            target = resolve_dependency(placed, dep.name, dep.namespace, pool)
            if target is not None and target.layer != placed.layer:
                edges.add((placed.layer, target.layer))
    return edges


# --------------------------------------------------------------------------- clustertool


@dataclass(frozen=True)
class ClustertoolLayers:
    """Expected layers of a clustertool repo, each group in its expected order."""

    listed: tuple[str, ...]
    commented: tuple[str, ...]
    unlisted: tuple[str, ...]
    edges: frozenset[tuple[str, str]]


def _layer_of_entry(root: Path, entry: str) -> str | None:
    """Layer named by a root entry: a directory, or ``<dir>/ks.yaml``; else None."""
    entry = entry.strip().removeprefix("./").rstrip("/")
    if entry.endswith("/ks.yaml"):
        return entry.removesuffix("/ks.yaml")
    if entry.endswith((".yaml", ".yml")) or "/" in entry:
        return None
    return entry if (root / entry).is_dir() or not (root / entry).exists() else None


def _has_layer_content(directory: Path) -> bool:
    """A folder counts as a layer when it holds a kustomization file or any ks.yaml."""
    return kustomization_file(directory) is not None or any(directory.rglob("ks.yaml"))


def clustertool_placed_ks(repo: Path, scan: RepoScan) -> list[PlacedKs]:
    """Reachable Flux Kustomizations of a clustertool repo with their layer."""
    split = clustertool_ks_split(repo)
    placed: list[PlacedKs] = []
    for doc in scan.of_kind(KIND_KS):
        if doc.file in split.reachable:
            layer = doc.file.removeprefix(f"{CLUSTERTOOL_ROOT}/").split("/", 1)[0]
            placed.append(PlacedKs(doc, layer, doc.namespace))
    return placed


def clustertool_layers(repo: Path, scan: RepoScan) -> ClustertoolLayers:
    """Compute the expected listed/commented/unlisted layers and the listed order."""
    root = repo / CLUSTERTOOL_ROOT
    entry = root / "kustomization.yaml"
    listed_raw = [
        layer
        for e in resource_entries(entry)
        if (layer := _layer_of_entry(root, e)) is not None and (root / layer).is_dir()
    ]
    listed = list(dict.fromkeys(listed_raw))
    commented = [
        layer
        for e in commented_entries(entry)
        if (layer := _layer_of_entry(root, e)) is not None and layer not in listed
    ]
    commented = list(dict.fromkeys(commented))
    unlisted = sorted(
        d.name
        for d in root.iterdir()
        if d.is_dir() and d.name not in listed and d.name not in commented and _has_layer_content(d)
    )
    placed = clustertool_placed_ks(repo, scan)
    edges = layer_edges(placed) | values_source_edges(repo, {p.layer for p in placed})
    ordered = stable_topological_order(listed, edges)
    return ClustertoolLayers(tuple(ordered), tuple(commented), tuple(unlisted), frozenset(edges))


_SUBSTITUTE_FROM_NAME = re.compile(r"^\s*-?\s*name:\s*([\w.-]+)\s*$")


def _substitute_from_names(entry_file: Path) -> set[str]:
    """Names under every ``substituteFrom:`` of the flux-entry file, patches included (text
    scan, so names inside the ``patch: |-`` strings count too)."""
    names: set[str] = set()
    inside: int | None = None
    for line in read_text(entry_file).splitlines():
        indent = len(line) - len(line.lstrip())
        if "substituteFrom:" in line:
            inside = indent
            continue
        if inside is not None and line.strip() and indent <= inside:
            inside = None
        if inside is not None and (match := _SUBSTITUTE_FROM_NAME.match(line)):
            names.add(match.group(1))
    return names


def values_source_edges(repo: Path, layers: set[str]) -> set[tuple[str, str]]:
    """(layer, holder) edges: flux-entry injects ``substituteFrom`` into every child, so every
    layer with Kustomizations needs the layer that ships those ConfigMaps/Secrets."""
    root = repo / CLUSTERTOOL_ROOT
    entry_files = [root / "flux-entry.yaml", repo / "clusters/main/flux-entry/ks.yaml"]
    names = set().union(*(_substitute_from_names(f) for f in entry_files if f.is_file()))
    holders: set[str] = set()
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        text = read_text(path)
        if not re.search(r"^kind:\s*(ConfigMap|Secret)\s*$", text, re.M):
            continue
        if any(re.search(rf"^\s+name:\s*{re.escape(n)}\s*$", text, re.M) for n in names):
            holders.add(rel(root, path).split("/", 1)[0])
    return {(layer, holder) for layer in layers for holder in holders if layer != holder}


# --------------------------------------------------------------------------- legacy


def legacy_layers(repo: Path, scan: RepoScan) -> tuple[list[str], set[tuple[str, str]]]:
    """Legacy TrueCharts layers (Flux Ks in listed ``cluster/main/*.yaml``) and their edges."""
    root_entries = resource_entries(repo / LEGACY_MAIN / "kustomization.yaml")
    entries = [e.removeprefix("./") for e in root_entries]
    files = [
        f"{LEGACY_MAIN}/{e}" for e in entries if "/" not in e and e.endswith((".yaml", ".yml"))
    ]
    docs = [d for f in files for d in scan.in_file(f) if d.kind == KIND_KS]
    names = [d.name for d in docs]
    edges = {
        (d.name, dep.name)
        for d in docs
        for dep in d.depends_on
        if dep.name in names and dep.name != d.name
    }
    return names, edges


# --------------------------------------------------------------------------- home-ops


def home_ops_layer_dirs(repo: Path, apps_root: str) -> list[str]:
    """Namespace folders of an apps root: listed ones, or all with a kustomization file."""
    root = repo / apps_root
    own = kustomization_file(root)
    if own is not None:
        names = [e.removeprefix("./").rstrip("/") for e in resource_entries(own)]
        return [n for n in names if (root / n).is_dir()]
    return sorted(d.name for d in root.iterdir() if d.is_dir() and kustomization_file(d))


def _namespace_field(kustomization: Path | None) -> str | None:
    """The ``namespace:`` a kustomization file sets, if any."""
    if kustomization is None:
        return None
    value: Any = load_yaml_mapping(kustomization).get("namespace")
    return value if isinstance(value, str) else None


def home_ops_placed_ks(repo: Path, apps_root: str, scan: RepoScan) -> list[PlacedKs]:
    """Flux Kustomizations reached from each namespace folder, with layer and namespace."""
    placed: list[PlacedKs] = []
    for layer in home_ops_layer_dirs(repo, apps_root):
        folder = repo / apps_root / layer
        entry = kustomization_file(folder)
        if entry is None:
            continue
        default_ns = _namespace_field(entry) or layer
        for path in sorted(reachable_files([entry])):
            if not path.is_relative_to(repo.resolve()):
                continue
            for doc in scan.in_file(rel(repo.resolve(), path)):
                if doc.kind == KIND_KS:
                    placed.append(PlacedKs(doc, layer, doc.namespace or default_ns))
    return placed
