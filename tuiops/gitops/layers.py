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
from dataclasses import dataclass, field

from tuiops.domain.refs import ObjectRef
from tuiops.domain.repo import Component, Layer, LayerMove, LayerState
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
        order = _Order(drafts, walk)
        layers = tuple(
            Layer(
                d.name,
                d.path,
                d.state,
                d.builder.build(),
                d.exists,
                generated=self._generated(walk, d),
                moved_after=tuple(order.moves.get(d.name, ())),
                cycle_with=tuple(sorted(order.cycles.get(d.name, ()))),
            )
            for d in order.layers
        )
        return ClusterLayers(root_path, entry.build(), layers)

    def _generated(self, walk: ClusterWalk, draft: _Draft) -> bool:
        """True when Flux generates the kustomization of the layer's folder."""
        if not draft.exists:
            return False
        folder = self._kustomize.folder(draft.path)
        if folder is None:  # a layer Kustomization file: the folder its path builds
            folder = next(
                (
                    self._kustomize.folder(r.build_path)
                    for key, r in walk.kustomizations.items()
                    if key[0] == draft.path and r.build_path is not None
                ),
                None,
            )
        return folder is not None and folder.file is None

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


class _Order:
    """Listed layers in a stable topological order by the dependencies the repo states between
    layers (then the rest), with why each layer left its listed place."""

    def __init__(self, drafts: dict[str, _Draft], walk: ClusterWalk) -> None:
        listed = [d for d in drafts.values() if d.state is LayerState.LISTED]
        self._layer_of = {ref: d.name for d in listed for ref in d.refs}
        self._after: dict[str, set[str]] = {d.name: set() for d in listed}
        self._reasons: dict[tuple[str, str], str] = {}
        for reached in walk.kustomizations.values():
            self._depends_on(reached.ks.ref, reached.ks.depends_on)
            # A Kustomization needs the ConfigMaps/Secrets it substitutes from: the layer that
            # ships them (clustertool's cluster-config in flux-system) goes first.
            dependent = self._layer_of.get(reached.ks.ref)
            for source in reached.scope.sources:
                holder = _holding_layer(listed, source.location.file)
                self._edge(
                    holder,
                    dependent,
                    f"substituteFrom: Kustomization {reached.ks.ref.namespaced_name} reads "
                    f"{source.ref.kind} {source.ref.namespaced_name}",
                )
        for release, _owner in walk.helm_releases.values():
            self._depends_on(release.ref, release.depends_on)
        self.moves: dict[str, list[LayerMove]] = {}
        self.cycles: dict[str, set[str]] = {}
        self.layers = self._sorted(listed) + sorted(
            (d for d in drafts.values() if d.state is not LayerState.LISTED),
            key=lambda d: d.listing,
        )

    def _depends_on(self, ref: ObjectRef, depends_on: tuple[ObjectRef, ...]) -> None:
        for dependency in depends_on:
            self._edge(
                self._layer_of.get(dependency),
                self._layer_of.get(ref),
                f"dependsOn: {ref.kind} {ref.namespaced_name} -> {dependency.namespaced_name}",
            )

    def _edge(self, dependency: str | None, dependent: str | None, reason: str) -> None:
        """Record that `dependent` comes after `dependency` (other layers only)."""
        if dependency is None or dependent is None or dependency == dependent:
            return
        self._after[dependency].add(dependent)
        self._reasons.setdefault((dependency, dependent), reason)

    def _sorted(self, listed: list[_Draft]) -> list[_Draft]:
        by_name = {d.name: d for d in listed}
        needs = {d.name: 0 for d in listed}
        for followers in self._after.values():
            for follower in followers:
                needs[follower] += 1
        ready = [(d.listing, d.name) for d in listed if needs[d.name] == 0]
        heapq.heapify(ready)
        order: list[_Draft] = []
        while ready:
            _, name = heapq.heappop(ready)
            order.append(by_name[name])
            for follower in sorted(self._after[name]):
                needs[follower] -= 1
                if needs[follower] == 0:
                    heapq.heappush(ready, (by_name[follower].listing, follower))
        for (dependency, dependent), reason in sorted(self._reasons.items()):
            if by_name[dependency].listing > by_name[dependent].listing:
                self.moves.setdefault(dependent, []).append(LayerMove(dependency, reason))
        # Layers caught in a dependsOn cycle keep their listing order after the rest.
        stuck = sorted((d for d in listed if d not in order), key=lambda d: d.listing)
        names = {d.name for d in stuck}
        for draft in stuck:
            self.moves.pop(draft.name, None)
            self.cycles[draft.name] = {
                other
                for (a, b) in self._reasons
                for other in (a, b)
                if draft.name in (a, b) and other != draft.name and other in names
            }
        return order + stuck


def _holding_layer(listed: list[_Draft], file: str) -> str | None:
    return next((d.name for d in listed if file == d.path or file.startswith(d.path + "/")), None)
