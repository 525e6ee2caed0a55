"""What the cluster says about a Flux object right now: spec highlights plus the whole status.

The repo model (`tuiops.domain.flux`) holds what Git declares; `LiveObject` holds what the API
server returns for Kustomizations, HelmReleases and the source kinds, so the two can be compared
field by field. `tuiops.domain.decode_live` builds these from raw API objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tuiops.domain.helm import ReleaseStatus
from tuiops.domain.refs import ObjectRef
from tuiops.domain.status import (
    DEPENDENCY_NOT_READY,
    READY,
    Condition,
    Health,
    find_condition,
    health_of,
)


@dataclass(frozen=True, slots=True)
class ReleaseHistoryEntry:
    """One entry of a HelmRelease's `status.history` (helm-controller's digest of a revision)."""

    version: int
    """Helm release revision."""
    status: ReleaseStatus
    chart_name: str
    chart_version: str
    """E.g. `6.9.2`, or `1.2.3+<12 hex>` for OCI chart sources."""
    app_version: str
    config_digest: str
    """`sha256:` digest of the values the revision was made with."""
    digest: str
    """`sha256:` digest of the release object in Helm storage."""
    first_deployed: str
    last_deployed: str
    name: str = ""
    """Helm release name."""
    namespace: str = ""
    """Helm release namespace."""


@dataclass(frozen=True, slots=True)
class LiveObject:
    """A Kustomization, HelmRelease, GitRepository, HelmRepository, OCIRepository or HelmChart as
    the API server returns it. Fields that do not apply to the kind are empty."""

    ref: ObjectRef
    api_version: str
    uid: str = ""
    resource_version: str = ""
    generation: int = 0
    """`metadata.generation`; 0 when absent."""
    observed_generation: int | None = None
    """`status.observedGeneration`; None when the status omits it (-1 means never reconciled)."""
    created: str = ""
    """`metadata.creationTimestamp`, RFC3339."""
    deleting: bool = False
    """`metadata.deletionTimestamp` is set: the object waits on its finalizer."""
    labels: tuple[tuple[str, str], ...] = ()
    """Sorted by key."""
    annotations: tuple[tuple[str, str], ...] = ()
    """Sorted by key; `reconcile.fluxcd.io/requestedAt` and friends live here."""
    suspended: bool = False
    """`spec.suspend`."""
    conditions: tuple[Condition, ...] = ()
    depends_on: tuple[ObjectRef, ...] = ()
    """`spec.dependsOn`, same kind as the object, namespace defaulted to the object's."""
    source: ObjectRef | None = None
    """Kustomization `sourceRef`; HelmRelease `chart.spec.sourceRef` or `chartRef`; HelmChart
    `sourceRef`. Namespace defaulted to the object's."""
    path: str = ""
    """Kustomization `spec.path` as written."""
    last_applied_revision: str = ""
    """Kustomization: e.g. `main@sha1:<hex>`."""
    last_attempted_revision: str = ""
    """Kustomization: a Git revision; HelmRelease: a chart version."""
    last_handled_reconcile_at: str = ""
    """Echo of the `reconcile.fluxcd.io/requestedAt` value the controller last acted on."""
    last_handled_force_at: str = ""
    last_handled_reset_at: str = ""
    chart_name: str = ""
    """HelmRelease `chart.spec.chart` (for `chartRef`, the referenced object's name, as the repo
    model does); HelmChart `spec.chart`."""
    chart_version: str = ""
    """Desired chart version or range from the spec (`6.x`); empty when unpinned or `chartRef`."""
    uses_chart_ref: bool = False
    """HelmRelease uses `spec.chartRef` rather than `spec.chart`."""
    helm_chart: ObjectRef | None = None
    """HelmRelease `status.helmChart`: the HelmChart source-controller builds for it."""
    release_name: str = ""
    """HelmRelease: the Helm release name that names its storage Secrets."""
    storage_namespace: str = ""
    """HelmRelease: namespace of its Helm storage Secrets."""
    history: tuple[ReleaseHistoryEntry, ...] = ()
    """HelmRelease `status.history`, newest first."""
    failures: int = 0
    install_failures: int = 0
    upgrade_failures: int = 0
    inventory: tuple[str, ...] = ()
    """Kustomization inventory ids, `<namespace>_<name>_<group>_<kind>`."""
    artifact_revision: str = ""
    """Sources: `status.artifact.revision` (`main@sha1:…`, `sha256:…`, `6.9.2`, `v1@sha256:…`)."""
    url: str = ""
    """Sources: `spec.url`, the column `flux get sources` prints."""
    _health: Health = field(default=Health.UNKNOWN, init=False, repr=False, compare=False)
    """`health`, worked out once: screens and counts ask for it thousands of times a second."""
    _ready: Condition | None = field(default=None, init=False, repr=False, compare=False)
    """`ready`, found once for the same reason."""

    def __post_init__(self) -> None:
        health = health_of(
            self.conditions,
            generation=self.generation or None,
            observed_generation=self.observed_generation,
            suspended=self.suspended,
            deleting=self.deleting,
        )
        object.__setattr__(self, "_health", health)
        object.__setattr__(self, "_ready", find_condition(self.conditions, READY))

    @property
    def ready(self) -> Condition | None:
        """The Ready condition, None before the controller has reported."""
        return self._ready

    @property
    def message(self) -> str:
        """The Ready message, which is what `flux get` shows as MESSAGE."""
        ready = self.ready
        return ready.message if ready is not None else ""

    @property
    def health(self) -> Health:
        """Health by the rules of `tuiops.domain.status.health_of`."""
        return self._health

    @property
    def waiting_on_dependency(self) -> bool:
        """Ready=False only because a `dependsOn` object is not ready (the cause is elsewhere)."""
        ready = self.ready
        return ready is not None and ready.is_false and ready.reason == DEPENDENCY_NOT_READY

    @property
    def applied_version(self) -> str:
        """What runs now: the chart version of the newest `deployed` history entry for a
        HelmRelease (empty when no release is deployed),
        the last applied revision for a Kustomization, the artifact revision for a source."""
        if self.ref.kind == "HelmRelease":
            # Not history[0]: after a failed upgrade that is the failed attempt, while the
            # release still runs the last deployed one (flux2 #1760).
            deployed = next(
                (entry for entry in self.history if entry.status is ReleaseStatus.DEPLOYED), None
            )
            return deployed.chart_version if deployed is not None else ""
        return self.last_applied_revision or self.artifact_revision
