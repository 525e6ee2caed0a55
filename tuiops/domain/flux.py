"""Flux objects as the repo declares them (desired state), independent of any cluster."""

from __future__ import annotations

from dataclasses import dataclass

from tuiops.domain.refs import ObjectRef, SourceLocation


@dataclass(frozen=True, slots=True)
class ValuesRef:
    """One `postBuild.substituteFrom` entry: a ConfigMap or Secret whose keys become variables."""

    kind: str
    name: str
    optional: bool = False


@dataclass(frozen=True, slots=True)
class RenovateHint:
    """A `# renovate: datasource=... depName=...` comment and the version line it marks."""

    location: SourceLocation
    """The comment's own file and line."""
    datasource: str
    dep_name: str
    key: str
    """Key of the marked line (`version`, `TALOS_VERSION`, `talosVersion`, ...)."""
    value: str
    """The version the marked line pins."""
    target_line: int
    extra: tuple[tuple[str, str], ...] = ()
    """Other `k=v` options of the comment (registryUrl, versioning, ...)."""


@dataclass(frozen=True, slots=True)
class FluxKustomization:
    """A `kustomize.toolkit.fluxcd.io` Kustomization document."""

    ref: ObjectRef
    api_version: str
    path: str
    """`spec.path` normalised relative to the source root (no leading `./`), variables resolved."""
    raw_path: str
    """`spec.path` exactly as written."""
    source: ObjectRef | None
    depends_on: tuple[ObjectRef, ...]
    substitute: tuple[tuple[str, str], ...]
    substitute_from: tuple[ValuesRef, ...]
    has_post_build: bool
    suspend: bool
    interval: str
    wait: bool
    prune: bool
    target_namespace: str
    labels: tuple[tuple[str, str], ...]
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class HelmRelease:
    """A `helm.toolkit.fluxcd.io` HelmRelease document that names a chart."""

    ref: ObjectRef
    api_version: str
    chart: str
    """Chart name (`chart.spec.chart`) or, for `chartRef`, the OCIRepository's name."""
    version: str
    """Pinned chart version; empty when unpinned or decided by the OCIRepository."""
    chart_source: ObjectRef | None
    """`chart.spec.sourceRef` or `chartRef`, namespace resolved."""
    uses_chart_ref: bool
    depends_on: tuple[ObjectRef, ...]
    install_retries: int | None
    upgrade_retries: int | None
    suspend: bool
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class Source:
    """A HelmRepository, GitRepository or OCIRepository document."""

    ref: ObjectRef
    api_version: str
    url: str
    type: str
    """`spec.type` for HelmRepository (`oci` or `default`); empty otherwise."""
    reference: str
    """Branch, tag, semver or digest the source follows, when it says."""
    location: SourceLocation

    @property
    def deprecated_api(self) -> bool:
        """True for beta source APIs that Flux 2.7 no longer serves."""
        return not self.api_version.endswith("/v1")
