"""Deployment layers of one cluster, in apply order, read from the repo.

The layer root is the reached Kustomization whose folder lists the most entries that lead to
Flux Kustomizations (clustertool's `clusters/main/kubernetes`, home-ops' `kubernetes/apps`, the
legacy `cluster/main`). Each entry is a layer: a folder, or in the legacy layout a layer
Kustomization file. Apply order is the listing order, changed only where the repo states a
dependency between two layers: a dependsOn edge, or a Kustomization substituting from a
ConfigMap/Secret that another layer ships (Flux applies the children of one Kustomization
together, so these are the only orderings the repo states). Commented entries and folders
that nothing lists follow, so the screen can show "listed", "commented" and "on disk only".
"""

from __future__ import annotations

import heapq
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field

from tuiops.domain.refs import ObjectRef
from tuiops.domain.repo import Component, Layer, LayerState
from tuiops.gitops.components import ComponentBuilder
from tuiops.gitops.graph import ClusterWalk, DocKey
from tuiops.gitops.index import RepoIndex
from tuiops.gitops.kustomize import Kustomize
from tuiops.gitops.unreached import UnreachedReader


@dataclass(slots=True)
class _Draft:
    name: str
    path: str
    state: LayerState
    listing: int
    builder: ComponentBuilder
    exists: bool = True
    refs: set[ObjectRef] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class ClusterLayers:
    """Layers of one cluster and the entry components outside them."""

    layer_root: str
    entrypoints: tuple[Component, ...]
    layers: tuple[Layer, ...]


def _relative(root: str, path: str) -> str:
    return posixpath.relpath(path, root) if root else path


class LayerReader:
    """Builds the layers of one cluster from its walk."""

    def __init__(self, index: RepoIndex, kustomize: Kustomize, unreached: UnreachedReader) -> None:
        self._index = index
        self._kustomize = kustomize
        self._unreached = unreached
        self._ks_keys = frozenset(doc.key for doc in index.kustomizations)
        self._ks_files = frozenset(doc.file for doc in index.kustomizations)

    def choose_root(self, walk: ClusterWalk) -> DocKey | None:
        """The reached Kustomization whose folder entries are the layers; None if none."""
        best: tuple[int, DocKey | None] = (0, None)
        for key, reached in walk.kustomizations.items():
            if reached.build_path is None:
                continue
            folder = self._kustomize.folder(reached.build_path)
            if folder is None:
                continue
            segments = {
                _relative(folder.path, entry.path).split("/", 1)[0]
                for entry in folder.resources
                if self._leads_to_kustomization(entry.path, entry.is_dir, key)
            }
            if len(segments) > best[0]:
                best = (len(segments), key)
        return best[1]

    def _leads_to_kustomization(self, path: str, is_dir: bool, own: DocKey) -> bool:
        if is_dir:
            return any(
                i.doc.key in self._ks_keys and i.doc.key != own for i in self._kustomize.build(path)
            )
        return path in self._ks_files and path != own[0]

    def read(self, walk: ClusterWalk) -> ClusterLayers:
        root_key = self.choose_root(walk)
        root_path = ""
        drafts: dict[str, _Draft] = {}
        file_layers: dict[DocKey, str] = {}
        if root_key is not None:
            root_path = walk.kustomizations[root_key].build_path or ""
            self._draft_layers(walk, root_key, root_path, drafts, file_layers)
        entry = ComponentBuilder(self._ks_files)
        component_of: dict[DocKey, tuple[ComponentBuilder, tuple[str, str]]] = {}
        for key, reached in walk.kustomizations.items():
            placement = self._placement(walk, key, root_key, root_path, drafts, file_layers)
            if placement is None:
                builder, component = entry, entry.key_named(reached.ks)
            else:
                draft, top_key = placement
                builder = draft.builder
                component = builder.key_for(walk.kustomizations[top_key].ks)
                draft.refs.add(reached.ks.ref)
            builder.add(component, [reached.ks])
            component_of[key] = (builder, component)
        for release, owner in walk.helm_releases.values():
            if owner != root_key and owner in component_of:
                builder, component = component_of[owner]
                builder.add(component, releases=[release])
                continue
            segment = _relative(root_path, release.location.file).split("/", 1)[0]
            loose_layer = drafts.get(segment) if owner == root_key else None
            if loose_layer is None:
                entry.add_loose(release)
            else:
                loose_layer.builder.add_loose(release)
                loose_layer.refs.add(release.ref)
        for draft in drafts.values():
            if draft.state is not LayerState.LISTED and draft.exists:
                self._unreached.fill(
                    draft.builder, draft.path, walk.kustomizations, walk.helm_releases
                )
        layers = tuple(
            Layer(d.name, d.path, d.state, d.builder.build(), d.exists)
            for d in _ordered(drafts, walk)
        )
        return ClusterLayers(root_path, entry.build(), layers)

    def _draft_layers(
        self,
        walk: ClusterWalk,
        root_key: DocKey,
        root_path: str,
        drafts: dict[str, _Draft],
        file_layers: dict[DocKey, str],
    ) -> None:
        folder = self._kustomize.folder(root_path)
        if folder is None:
            return

        def add(name: str, path: str, state: LayerState, listing: int, exists: bool = True) -> None:
            if name not in drafts:
                builder = ComponentBuilder(self._ks_files)
                drafts[name] = _Draft(name, path, state, listing, builder, exists)

        for position, entry in enumerate(folder.resources):
            relative = _relative(root_path, entry.path)
            if entry.is_dir or "/" in relative:
                name = relative.split("/", 1)[0]
                add(name, posixpath.join(root_path, name), LayerState.LISTED, position)
                continue
            for key, reached in walk.kustomizations.items():
                # A layer Kustomization listed as a file (legacy `cluster/main/apps.yaml`).
                if key[0] == entry.path and reached.parent == root_key and key != root_key:
                    file_layers[key] = reached.ks.ref.name
                    add(reached.ks.ref.name, entry.path, LayerState.LISTED, position)
        offset = len(folder.resources)
        for position, written in enumerate(folder.commented):
            name = written.rstrip("/").split("/", 1)[0]
            path = posixpath.join(root_path, name)
            exists = self._kustomize.folder(path) is not None
            add(name, path, LayerState.COMMENTED, offset + position, exists)
        offset += len(folder.commented)
        for position, name in enumerate(self._kustomize.subfolders(root_path)):
            path = posixpath.join(root_path, name)
            if any(f.startswith(path + "/") for f in self._ks_files):
                add(name, path, LayerState.UNLISTED, offset + position)

    @staticmethod
    def _placement(
        walk: ClusterWalk,
        key: DocKey,
        root_key: DocKey | None,
        root_path: str,
        drafts: dict[str, _Draft],
        file_layers: dict[DocKey, str],
    ) -> tuple[_Draft, DocKey] | None:
        """(layer, component top) of a reached Kustomization, None if outside the layers."""
        if root_key is None or key == root_key:
            return None
        chain = [key]
        while (parent := walk.kustomizations[chain[-1]].parent) is not None and parent != root_key:
            chain.append(parent)
            if len(chain) > len(walk.kustomizations):
                return None  # a cycle of Kustomizations including each other
        if parent != root_key:
            return None
        layer_key = chain[-1]
        if layer_key in file_layers:
            return drafts[file_layers[layer_key]], chain[-2] if len(chain) > 1 else layer_key
        folder_layer = drafts.get(_relative(root_path, layer_key[0]).split("/", 1)[0])
        return (folder_layer, layer_key) if folder_layer is not None else None


def _ordered(drafts: dict[str, _Draft], walk: ClusterWalk) -> list[_Draft]:
    """Listed layers in a stable topological order by cross-layer dependsOn, then the rest."""
    listed = [d for d in drafts.values() if d.state is LayerState.LISTED]
    layer_of = {ref: d.name for d in listed for ref in d.refs}
    after: dict[str, set[str]] = {d.name: set() for d in listed}
    needs: dict[str, int] = {d.name: 0 for d in listed}
    for reached in walk.kustomizations.values():
        _edges(reached.ks.ref, reached.ks.depends_on, layer_of, after, needs)
        # A Kustomization needs the ConfigMaps/Secrets it substitutes from: the layer that
        # ships them (clustertool's cluster-config in flux-system) goes first.
        holders = (_holding_layer(listed, s.location.file) for s in reached.scope.sources)
        _layer_edges(layer_of.get(reached.ks.ref), holders, after, needs)
    for release, _owner in walk.helm_releases.values():
        _edges(release.ref, release.depends_on, layer_of, after, needs)
    by_name = {d.name: d for d in listed}
    ready = [(d.listing, d.name) for d in listed if needs[d.name] == 0]
    heapq.heapify(ready)
    order: list[_Draft] = []
    while ready:
        _, name = heapq.heappop(ready)
        order.append(by_name[name])
        for follower in sorted(after[name]):
            needs[follower] -= 1
            if needs[follower] == 0:
                heapq.heappush(ready, (by_name[follower].listing, follower))
    # Layers caught in a dependsOn cycle keep their listing order after the rest.
    order.extend(sorted((d for d in listed if d not in order), key=lambda d: d.listing))
    rest = sorted(
        (d for d in drafts.values() if d.state is not LayerState.LISTED), key=lambda d: d.listing
    )
    return order + rest


def _holding_layer(listed: list[_Draft], file: str) -> str | None:
    return next((d.name for d in listed if file == d.path or file.startswith(d.path + "/")), None)


def _edges(
    ref: ObjectRef,
    depends_on: tuple[ObjectRef, ...],
    layer_of: dict[ObjectRef, str],
    after: dict[str, set[str]],
    needs: dict[str, int],
) -> None:
    _layer_edges(layer_of.get(ref), (layer_of.get(d) for d in depends_on), after, needs)


def _layer_edges(
    dependent: str | None,
    dependencies: Iterable[str | None],
    after: dict[str, set[str]],
    needs: dict[str, int],
) -> None:
    """Record that `dependent` comes after each of `dependencies` (other layers only)."""
    if dependent is None:
        return
    for dependency in dependencies:
        if dependency is None or dependency == dependent or dependent in after[dependency]:
            continue
        after[dependency].add(dependent)
        needs[dependent] += 1
