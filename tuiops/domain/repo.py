"""The offline model of a GitOps repo: clusters, their layers in apply order, components."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from tuiops.domain.findings import Finding
from tuiops.domain.flux import FluxKustomization, HelmRelease, RenovateHint, Source
from tuiops.domain.refs import ObjectRef
from tuiops.domain.variables import VariableReport


class Layout(enum.Enum):
    """Which family of repo layout was recognised."""

    CLUSTERTOOL = "clustertool"
    HOME_OPS = "home-ops"
    LEGACY_TRUECHARTS = "legacy-truecharts"
    GENERIC = "generic"


class LayerState(enum.Enum):
    """Whether the root kustomization lists a layer, comments it out, or ignores a folder."""

    LISTED = "listed"
    COMMENTED = "commented"
    UNLISTED = "unlisted"


@dataclass(frozen=True, slots=True)
class Component:
    """A unit of deployment: a ks.yaml (or equivalent file) with the HelmReleases under it."""

    name: str
    path: str
    """Folder of the component (or the file, when several components share a folder)."""
    file: str
    kustomizations: tuple[FluxKustomization, ...]
    helm_releases: tuple[HelmRelease, ...]


@dataclass(frozen=True, slots=True)
class LayerMove:
    """Why a listed layer comes after a layer listed below it."""

    after: str
    """The layer it now follows."""
    reason: str
    """The dependency the repo states, e.g. `dependsOn: Kustomization a/web -> a/certs`."""


@dataclass(frozen=True, slots=True)
class Layer:
    """One deployment layer (a folder, or a layer Kustomization in the legacy layout)."""

    name: str
    path: str
    state: LayerState
    components: tuple[Component, ...]
    exists: bool = True
    """False for a commented entry that names no folder on disk."""
    generated: bool = False
    """Its folder has no kustomization file: Flux generates one."""
    moved_after: tuple[LayerMove, ...] = ()
    """Layers listed below it that it must follow; empty when it keeps its listed place."""
    cycle_with: tuple[str, ...] = ()
    """Layers that depend on it while it depends on them: listing order is kept."""


@dataclass(frozen=True, slots=True)
class ObjectNote:
    """What the model knows of a Flux object beyond its decoded fields."""

    ref: ObjectRef
    """The object as Flux names it (variables of known value substituted)."""
    name_raw: str
    """`metadata.name` as the file writes it, before substitution."""
    components: tuple[str, ...] = ()
    """A Flux Kustomization's `spec.components`, as the repo folders they resolve to."""


@dataclass(frozen=True, slots=True)
class Cluster:
    """One cluster of the repo, with its entry points, layers in apply order and orphans."""

    name: str
    layer_root: str
    """Folder whose entries are the layers (e.g. `clusters/main/kubernetes`)."""
    entrypoints: tuple[Component, ...]
    """Flux's own entry Kustomizations and whatever they reach outside the layers."""
    layers: tuple[Layer, ...]
    orphans: tuple[Component, ...]
    """Kustomizations and HelmReleases no entry point reaches (e.g. a commented ks.yaml)."""
    variables: VariableReport
    notes: tuple[ObjectNote, ...] = ()
    """Objects whose name substitution changed, or that include components."""

    def note(self, ref: ObjectRef) -> ObjectNote | None:
        """What the model noted about `ref`, if anything."""
        return next((n for n in self.notes if n.ref == ref), None)

    def name_raw(self, ref: ObjectRef) -> str:
        """The name of `ref` as the repo writes it (the same as `ref.name` unless a
        `${VAR}` in it was substituted)."""
        note = self.note(ref)
        return note.name_raw if note is not None else ref.name

    def all_components(self) -> tuple[Component, ...]:
        """Entry points, every layer's components (listed or not) and orphans."""
        in_layers = tuple(c for layer in self.layers for c in layer.components)
        return (*self.entrypoints, *in_layers, *self.orphans)


@dataclass(frozen=True, slots=True)
class RepoModel:
    """Everything tuiops knows about a repo without a cluster."""

    root: str
    layout: Layout
    clusters: tuple[Cluster, ...]
    sources: tuple[Source, ...]
    renovate: tuple[RenovateHint, ...]
    findings: tuple[Finding, ...]

    def renovate_for(self, release: HelmRelease) -> RenovateHint | None:
        """The renovate comment that marks `release`'s chart version, if any."""
        return next(
            (
                hint
                for hint in self.renovate
                if hint.location.file == release.location.file
                and hint.key == "version"
                and hint.value == release.version
            ),
            None,
        )

    def cluster(self, name: str) -> Cluster | None:
        """The cluster called `name`, if the repo has it."""
        return next((c for c in self.clusters if c.name == name), None)
