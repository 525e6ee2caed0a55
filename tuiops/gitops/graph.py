"""The Flux graph: entry points per cluster and everything each one reaches.

A Flux Kustomization reaches the documents its `spec.path` builds to; the Flux Kustomizations
among them are its children. Entry points are the Kustomizations no other one includes (Flux
bootstrap applies them), except those lying inside another Kustomization's folder: those are
simply not listed any more (orphans, e.g. a commented-out ks.yaml).
"""

from __future__ import annotations

import posixpath
import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from tuiops.domain.charts import ChartOrigin, resolve_chart
from tuiops.domain.decode import (
    decode_chart_origin,
    decode_helm_release,
    decode_kustomization,
    flux_components,
    namespace_of,
)
from tuiops.domain.flux import FluxKustomization, HelmRelease
from tuiops.domain.refs import ObjectRef, SourceLocation
from tuiops.gitops.index import RepoIndex
from tuiops.gitops.kustomize import BuildItem, Kustomize
from tuiops.gitops.scope import (
    Injection,
    Scope,
    ValuesObject,
    apply_injections,
    injections_of,
    substitute_known,
    substituted_kustomization,
    substituted_origin,
    substituted_release,
)
from tuiops.gitops.tree import DocumentAt

DocKey = tuple[str, int]
DEFAULT_CLUSTER = "main"
_CLUSTER_PATTERNS = (
    re.compile(r"^(?:.*/)?clusters?/([^/]+)/"),
    re.compile(r"^kubernetes/([^/]+)/flux/"),
)


@dataclass(slots=True)
class Reached:
    """A Flux Kustomization as one cluster reaches it."""

    doc: DocumentAt
    ks: FluxKustomization
    parent: DocKey | None
    scope: Scope
    build_path: str | None
    """Folder its path resolves to in this repo; None when its source is elsewhere."""
    items: tuple[BuildItem, ...] = ()
    """What Flux builds for it: its path's documents, then its `spec.components`'."""
    components: tuple[str, ...] = ()
    """Its `spec.components` as repo folders (relative to its path, variables resolved)."""


@dataclass(slots=True)
class ClusterWalk:
    """What one cluster's entry points reach."""

    name: str
    roots: list[DocKey]
    kustomizations: dict[DocKey, Reached] = field(default_factory=dict)
    helm_releases: dict[DocKey, tuple[HelmRelease, DocKey]] = field(default_factory=dict)
    """HelmRelease → (release, the Kustomization whose build holds it), first reach."""
    more_releases: list[tuple[HelmRelease, DocKey]] = field(default_factory=list)
    """Further objects made from an already reached HelmRelease document: a component that
    several Kustomizations include, named after each one's `${APP}`."""
    documents: set[DocKey] = field(default_factory=set)
    raw_names: dict[ObjectRef, str] = field(default_factory=dict)
    """Objects whose name `${VAR}` substitution changed → the name as written."""
    origins: dict[ObjectRef, ChartOrigin] = field(default_factory=dict)
    """Chart sources (OCIRepository, HelmChart, Git) by the ref they get in this cluster."""


def cluster_name_of(file: str) -> str | None:
    """The cluster a file's folder names (`clusters/<name>/`, `kubernetes/<name>/flux/`)."""
    for pattern in _CLUSTER_PATTERNS:
        match = pattern.match(file)
        if match:
            return match.group(1)
    return None


def _is_within(file: str, folder: str) -> bool:
    return folder == "" or file.startswith(folder + "/")


def component_paths(path: str, written: tuple[str, ...]) -> tuple[str, ...]:
    """Flux `spec.components` as repo folders: they are relative to the Kustomization's
    `spec.path`. Remote ones, unresolved `${VARS}` and paths leaving the repo are dropped."""
    found = []
    for entry in written:
        if "${" in entry or "://" in entry:
            continue
        joined = posixpath.normpath(posixpath.join(path, entry)) if path else entry
        if joined != ".." and not joined.startswith("../"):
            found.append(joined)
    return tuple(found)


def find_roots(index: RepoIndex, kustomize: Kustomize) -> list[DocumentAt]:
    """Entry-point Kustomizations, in file order."""
    included: set[DocKey] = set()
    folders: dict[DocKey, str] = {}
    for doc in index.kustomizations:
        ks = decode_kustomization(doc.data, SourceLocation(doc.file, 1), namespace_of(doc.data))
        if not index.is_ours(ks.source) or "${" in ks.path:
            continue
        folders[doc.key] = ks.path
        components = component_paths(ks.path, flux_components(doc.data))
        included.update(
            item.doc.key
            for item in kustomize.build_with(ks.path, components)
            if item.doc.key != doc.key
        )
    candidates = [doc for doc in index.kustomizations if doc.key not in included]
    return [
        doc
        for doc in candidates
        if not any(
            key != doc.key and _is_within(doc.file, folder) and folder
            for key, folder in folders.items()
        )
    ]


def group_roots(roots: list[DocumentAt]) -> dict[str, list[DocumentAt]]:
    """Roots per cluster; roots outside any cluster folder are shared by every cluster."""
    named: dict[str, list[DocumentAt]] = {}
    shared: list[DocumentAt] = []
    for root in roots:
        name = cluster_name_of(root.file)
        if name is None:
            shared.append(root)
        else:
            named.setdefault(name, []).append(root)
    if not named:
        return {DEFAULT_CLUSTER: shared}
    return {name: shared + own for name, own in sorted(named.items())}


class Walker:
    """Breadth-first walk from a cluster's roots, resolving paths and substitution scopes."""

    def __init__(self, index: RepoIndex, kustomize: Kustomize) -> None:
        self._index = index
        self._kustomize = kustomize
        self._kustomization_docs = {doc.key for doc in index.kustomizations}
        self._release_docs = {doc.key for doc in index.helm_releases}
        self._origin_docs = {doc.key for doc in index.chart_origins}

    def walk(self, name: str, roots: list[DocumentAt]) -> ClusterWalk:
        walk = ClusterWalk(name, [r.key for r in roots])
        queue: deque[tuple[DocumentAt, str, DocKey | None, Scope | None, tuple[Injection, ...]]]
        queue = deque((r, namespace_of(r.data) or "flux-system", None, None, ()) for r in roots)
        while queue:
            doc, namespace, parent, parent_scope, injections = queue.popleft()
            if doc.key in walk.kustomizations:
                continue
            reached = self._reach(doc, namespace, parent, parent_scope, injections, walk)
            walk.kustomizations[doc.key] = reached
            child_injections = injections_of(doc.data)
            values = reached.scope.values if reached.scope.enabled else {}
            for item in reached.items:
                walk.documents.add(item.doc.key)
                item_ns = self._namespace(item, reached.ks)
                if item.doc.key == doc.key:
                    continue
                if item.doc.key in self._kustomization_docs:
                    queue.append((item.doc, item_ns, doc.key, reached.scope, child_injections))
                elif item.doc.key in self._release_docs:
                    self._add_release(walk, item.doc, item_ns, values, doc.key)
                elif item.doc.key in self._origin_docs:
                    origin = substituted_origin(decode_chart_origin(item.doc.data, item_ns), values)
                    walk.origins.setdefault(origin.ref, origin)
        # Sources are found wherever the walk met them, so charts are read once it is done.
        for key, (release, owner) in walk.helm_releases.items():
            walk.helm_releases[key] = (resolve_chart(release, walk.origins), owner)
        walk.more_releases = [
            (resolve_chart(release, walk.origins), owner) for release, owner in walk.more_releases
        ]
        return walk

    @staticmethod
    def _add_release(
        walk: ClusterWalk,
        doc: DocumentAt,
        namespace: str,
        values: Mapping[str, str | None],
        owner: DocKey,
    ) -> None:
        location = SourceLocation(doc.file, doc.document.line)
        written = decode_helm_release(doc.data, location, namespace)
        release = substituted_release(written, values)
        if release.ref.name != written.ref.name:
            walk.raw_names[release.ref] = written.ref.name
        first = walk.helm_releases.get(doc.key)
        if first is None:
            walk.helm_releases[doc.key] = (release, owner)
        elif first[0].ref != release.ref and all(
            r.ref != release.ref for r, _ in walk.more_releases
        ):
            walk.more_releases.append((release, owner))

    @staticmethod
    def _namespace(item: BuildItem, owner: FluxKustomization) -> str:
        # targetNamespace overrides everything; then kustomize's `namespace:`; then the doc's
        # own; an object that names none lands in its Kustomization's namespace.
        return (
            owner.target_namespace
            or item.namespace
            or namespace_of(item.doc.data)
            or owner.ref.namespace
        )

    def _reach(
        self,
        doc: DocumentAt,
        namespace: str,
        parent: DocKey | None,
        parent_scope: Scope | None,
        injections: tuple[Injection, ...],
        walk: ClusterWalk,
    ) -> Reached:
        location = SourceLocation(doc.file, doc.document.line)
        parent_values = parent_scope.values if parent_scope and parent_scope.enabled else {}
        written = decode_kustomization(doc.data, location, namespace)
        # The parent's substitution runs over this whole document: names, spec.path included.
        ks = substituted_kustomization(written, parent_values)
        if ks.ref.name != written.ref.name:
            walk.raw_names[ks.ref] = written.ref.name
        substitute, substitute_from, enabled = apply_injections(ks, injections)
        scope = Scope(enabled=enabled)
        for values_ref in substitute_from:
            found = self._values_object(values_ref.kind, values_ref.name, doc.file)
            if found is None:
                scope.missing.append(values_ref)
            else:
                scope.sources.append(found)
                scope.values.update(found.values)
        scope.values.update({k: substitute_known(v, parent_values) for k, v in substitute.items()})
        path = posixpath.normpath(substitute_known(ks.path, parent_values)) if ks.path else ""
        path = "" if path == "." else path
        ks = replace(
            ks,
            path=path,
            substitute=tuple(sorted(substitute.items())),
            substitute_from=tuple(substitute_from),
        )
        in_repo = self._index.is_ours(ks.source) and "${" not in path
        build_path = path if in_repo and self._kustomize.folder(path) is not None else None
        written_components = tuple(
            substitute_known(c, parent_values) for c in flux_components(doc.data)
        )
        components = component_paths(path, written_components) if in_repo else ()
        items = self._kustomize.build_with(path, components) if build_path is not None else ()
        return Reached(doc, ks, parent, scope, build_path, items, components)

    def _values_object(self, kind: str, name: str, near: str) -> ValuesObject | None:
        candidates = self._index.values.get((kind, name), [])
        if not candidates:
            return None
        cluster = cluster_name_of(near)
        for candidate in candidates:
            if cluster and cluster_name_of(candidate.location.file) == cluster:
                return candidate
        return candidates[0]
