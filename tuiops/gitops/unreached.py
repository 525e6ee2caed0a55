"""Components that no entry point reaches: orphans, and the contents of commented layers."""

from __future__ import annotations

from collections.abc import Collection

from tuiops.domain.decode import decode_helm_release, decode_kustomization, namespace_of
from tuiops.domain.flux import HelmRelease
from tuiops.domain.refs import SourceLocation
from tuiops.domain.repo import Component
from tuiops.gitops.components import ComponentBuilder
from tuiops.gitops.graph import DocKey
from tuiops.gitops.index import RepoIndex
from tuiops.gitops.kustomize import Kustomize
from tuiops.gitops.tree import DocumentAt


def _location(doc: DocumentAt) -> SourceLocation:
    return SourceLocation(doc.file, doc.document.line)


def _under(file: str, folder: str) -> bool:
    return folder == "" or file.startswith(folder + "/")


class UnreachedReader:
    """Reads unreached Kustomizations as written (their own namespace, no substitution)."""

    def __init__(self, index: RepoIndex, kustomize: Kustomize) -> None:
        self._index = index
        self._kustomize = kustomize
        self._release_keys = {doc.key: doc for doc in index.helm_releases}
        self._ks_files = frozenset(doc.file for doc in index.kustomizations)

    def fill(
        self,
        builder: ComponentBuilder,
        under: str,
        reached_kustomizations: Collection[DocKey],
        reached_releases: Collection[DocKey],
    ) -> None:
        """Add to `builder` every unreached Kustomization (and its HelmReleases) whose file
        lies under `under`, then the unreached HelmReleases there that none of them builds."""
        taken: set[DocKey] = set(reached_releases)
        for doc in self._index.kustomizations:
            if doc.key in reached_kustomizations or not _under(doc.file, under):
                continue
            ks = decode_kustomization(
                doc.data, _location(doc), namespace_of(doc.data) or "flux-system"
            )
            releases = []
            if self._index.is_ours(ks.source) and "${" not in ks.path:
                for item in self._kustomize.build(ks.path):
                    release_doc = self._release_keys.get(item.doc.key)
                    if release_doc is not None and item.doc.key not in taken:
                        taken.add(item.doc.key)
                        namespace = ks.target_namespace or item.namespace
                        releases.append(self._release(release_doc, namespace))
            builder.add(builder.key_for(ks), [ks], releases)
        for key, doc in self._release_keys.items():
            if key not in taken and _under(doc.file, under):
                builder.add_loose(self._release(doc, ""))

    @staticmethod
    def _release(doc: DocumentAt, namespace: str) -> HelmRelease:
        return decode_helm_release(
            doc.data, _location(doc), namespace or namespace_of(doc.data) or "default"
        )

    def orphans(
        self, reached_kustomizations: Collection[DocKey], reached_releases: Collection[DocKey]
    ) -> tuple[Component, ...]:
        """Everything no cluster reaches, grouped into components."""
        builder = ComponentBuilder(self._ks_files)
        self.fill(builder, "", reached_kustomizations, reached_releases)
        return builder.build()
