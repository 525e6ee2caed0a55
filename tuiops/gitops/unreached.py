"""Components that no entry point reaches: orphans, and the contents of commented layers."""

from __future__ import annotations

from collections.abc import Collection

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
from tuiops.domain.repo import Component
from tuiops.gitops.components import ComponentBuilder
from tuiops.gitops.graph import DocKey, component_paths
from tuiops.gitops.index import RepoIndex
from tuiops.gitops.kustomize import Kustomize
from tuiops.gitops.scope import substituted_release
from tuiops.gitops.tree import DocumentAt


def _location(doc: DocumentAt) -> SourceLocation:
    return SourceLocation(doc.file, doc.document.line)


def _under(file: str, folder: str) -> bool:
    return folder == "" or file.startswith(folder + "/")


class UnreachedReader:
    """Reads unreached Kustomizations as written (their own namespace, their own inline
    `postBuild.substitute` only) and the HelmReleases they would build."""

    def __init__(self, index: RepoIndex, kustomize: Kustomize) -> None:
        self._index = index
        self._kustomize = kustomize
        self._release_keys = {doc.key: doc for doc in index.helm_releases}
        self._ks_files = frozenset(doc.file for doc in index.kustomizations)
        self._origins: dict[ObjectRef, ChartOrigin] = {}
        for doc in index.chart_origins:
            origin = decode_chart_origin(doc.data, namespace_of(doc.data))
            self._origins.setdefault(origin.ref, origin)
        flux_folders = (
            path
            for doc in index.kustomizations
            for path in component_paths(
                decode_kustomization(doc.data, _location(doc), "").path,
                flux_components(doc.data),
            )
        )
        self._component_files = kustomize.component_files(flux_folders)
        self.raw_names: dict[ObjectRef, str] = {}
        """Unreached objects whose name the Kustomization's own substitute changed."""

    def fill(
        self,
        builder: ComponentBuilder,
        under: str,
        reached_kustomizations: Collection[DocKey],
        reached_releases: Collection[DocKey],
    ) -> None:
        """Add to `builder` every unreached Kustomization (and its HelmReleases) whose file
        lies under `under`, then the unreached HelmReleases there that none of them builds.
        Documents that only components bring in are templates, not orphans."""
        taken: set[DocKey] = set(reached_releases)
        for doc in self._index.kustomizations:
            if doc.key in reached_kustomizations or not _under(doc.file, under):
                continue
            if doc.file in self._component_files:
                continue
            ks = decode_kustomization(
                doc.data, _location(doc), namespace_of(doc.data) or "flux-system"
            )
            releases = []
            if self._index.is_ours(ks.source) and "${" not in ks.path:
                components = component_paths(ks.path, flux_components(doc.data))
                for item in self._kustomize.build_with(ks.path, components):
                    release_doc = self._release_keys.get(item.doc.key)
                    if release_doc is None:
                        continue
                    # A component's release is one object per includer, not taken once.
                    if item.doc.file in self._component_files or item.doc.key not in taken:
                        taken.add(item.doc.key)
                        namespace = ks.target_namespace or item.namespace
                        releases.append(self._release(release_doc, namespace, ks))
            builder.add(builder.key_for(ks), [ks], releases)
        for key, doc in self._release_keys.items():
            if key in taken or not _under(doc.file, under) or doc.file in self._component_files:
                continue
            builder.add_loose(self._release(doc, "", None))

    def _release(
        self, doc: DocumentAt, namespace: str, owner: FluxKustomization | None
    ) -> HelmRelease:
        written = decode_helm_release(
            doc.data, _location(doc), namespace or namespace_of(doc.data) or "default"
        )
        release = written
        if owner is not None and owner.has_post_build:
            release = substituted_release(written, dict(owner.substitute))
            if release.ref.name != written.ref.name:
                self.raw_names[release.ref] = written.ref.name
        # Nothing reaches it, so its namespace (and its source's) is a guess: match the
        # source by name when the namespace does not fit.
        return resolve_chart(release, self._origins, loose=True)

    def orphans(
        self, reached_kustomizations: Collection[DocKey], reached_releases: Collection[DocKey]
    ) -> tuple[Component, ...]:
        """Everything no cluster reaches, grouped into components."""
        builder = ComponentBuilder(self._ks_files)
        self.fill(builder, "", reached_kustomizations, reached_releases)
        return builder.build()
