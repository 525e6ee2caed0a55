"""Grouping Flux objects into components: a ks.yaml (or an app file) and what it deploys."""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from tuiops.domain.flux import FluxKustomization, HelmRelease
from tuiops.domain.repo import Component

_COMPONENT_FILE_STEMS = frozenset({"ks", "install", "kustomization"})


def component_key(file: str, files_in_folder: int) -> tuple[str, str]:
    """(name, path) of the component a Flux Kustomization file stands for.

    `<app>/ks.yaml` (or the only such file in its folder) is the folder's component; several
    app files in one folder (joryirving's `<ns>/<app>.yaml`) are one component each.

    Args:
        file: the file holding the Kustomization.
        files_in_folder: how many files in its folder hold Flux Kustomizations.
    """
    folder = posixpath.dirname(file)
    stem = posixpath.basename(file).rsplit(".", 1)[0]
    if stem in _COMPONENT_FILE_STEMS or files_in_folder <= 1:
        return posixpath.basename(folder) or stem, folder
    return stem, posixpath.join(folder, stem)


def loose_key(file: str) -> tuple[str, str]:
    """(name, path) for a HelmRelease no component Kustomization owns: its folder, named
    after the folder above `app/` when the folder is the usual `app`."""
    folder = posixpath.dirname(file)
    name = posixpath.basename(folder)
    if name == "app" and "/" in folder:
        name = posixpath.basename(posixpath.dirname(folder))
    return name or file, folder


class ComponentBuilder:
    """Collects Kustomizations and HelmReleases under component keys, keeping first-seen order."""

    def __init__(self, files_with_kustomizations: frozenset[str]) -> None:
        self._per_folder = Counter(posixpath.dirname(f) for f in files_with_kustomizations)
        self._order: list[tuple[str, str]] = []
        self._file: dict[tuple[str, str], str] = {}
        self._kustomizations: dict[tuple[str, str], list[FluxKustomization]] = defaultdict(list)
        self._releases: dict[tuple[str, str], list[HelmRelease]] = defaultdict(list)

    def _touch(self, key: tuple[str, str], file: str) -> tuple[str, str]:
        if key not in self._file:
            self._order.append(key)
            self._file[key] = file
        return key

    def key_for(self, top: FluxKustomization) -> tuple[str, str]:
        """The component key of a top-level Kustomization."""
        file = top.location.file
        return self._touch(component_key(file, self._per_folder[posixpath.dirname(file)]), file)

    def key_named(self, ks: FluxKustomization) -> tuple[str, str]:
        """A component named after the Kustomization itself (entry points such as flux-entry,
        whose folder name says nothing)."""
        return self._touch((ks.ref.name, ks.location.file), ks.location.file)

    def add(
        self,
        key: tuple[str, str],
        kustomizations: Iterable[FluxKustomization] = (),
        releases: Iterable[HelmRelease] = (),
    ) -> None:
        self._kustomizations[key].extend(kustomizations)
        self._releases[key].extend(releases)

    def add_loose(self, release: HelmRelease) -> None:
        key = self._touch(loose_key(release.location.file), release.location.file)
        self._releases[key].append(release)

    def build(self) -> tuple[Component, ...]:
        return tuple(
            Component(
                name=key[0],
                path=key[1],
                file=self._file[key],
                kustomizations=tuple(self._kustomizations[key]),
                helm_releases=tuple(self._releases[key]),
            )
            for key in self._order
        )


def with_releases(
    components: tuple[Component, ...], extra: Sequence[tuple[HelmRelease, FluxKustomization]]
) -> tuple[Component, ...]:
    """`components` with each of `extra` added to the component of the Kustomization that
    builds it (a component folder several Kustomizations include yields one object each)."""
    if not extra:
        return components
    result = []
    for component in components:
        added = tuple(r for r, owner in extra if owner in component.kustomizations)
        result.append(
            replace(component, helm_releases=component.helm_releases + added)
            if added
            else component
        )
    return tuple(result)
