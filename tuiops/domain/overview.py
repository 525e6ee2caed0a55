"""The repo's desired state next to the cluster's live state: one row per Kustomization and
HelmRelease, grouped by layer in apply order. What `tuiops status` prints and the Layers and
Apps screens show."""

from __future__ import annotations

from dataclasses import dataclass, field

from tuiops.domain.charts import chart_drift
from tuiops.domain.feed import FeedStatus
from tuiops.domain.live import LiveObject
from tuiops.domain.refs import ObjectRef, SourceLocation
from tuiops.domain.status import Health


@dataclass(frozen=True, slots=True)
class AppRow:
    """One Flux Kustomization or HelmRelease: where the repo puts it and what the cluster says."""

    ref: ObjectRef
    layer: str
    """Layer name; empty for objects the cluster has but the repo does not list."""
    component: str
    location: SourceLocation | None
    """The repo file and line it came from; None when only the cluster knows it."""
    desired_version: str
    """HelmRelease chart version in the repo (after ${VAR} substitution where known)."""
    live: LiveObject | None
    """None when the object is not in the cluster (or the cluster is not reachable)."""

    @property
    def health(self) -> Health:
        return self.live.health if self.live is not None else Health.UNKNOWN

    @property
    def ready_status(self) -> str:
        """`True`, `False`, `Unknown`, or `-` when there is no live object."""
        ready = self.live.ready if self.live is not None else None
        return ready.status.value if ready is not None else "-"

    @property
    def applied_version(self) -> str:
        return self.live.applied_version if self.live is not None else ""

    @property
    def drift(self) -> bool:
        """The applied chart version differs from the repo's (a pending or failed upgrade)."""
        if self.ref.kind != "HelmRelease":
            return False
        return chart_drift(self.applied_version, self.desired_version)

    @property
    def not_ready(self) -> bool:
        """Counts against `tuiops status`'s exit code: anything but Ready=True and healthy."""
        if self.live is None:
            return True
        if self.health in (Health.FAILED, Health.PROGRESSING, Health.UNKNOWN):
            return True
        return self.ready_status != "True"


@dataclass(frozen=True, slots=True)
class LayerOverview:
    """One deployment layer and its rows, in the repo's order."""

    name: str
    rows: tuple[AppRow, ...]
    applied: bool = True
    """False for a layer the repo comments out or does not list: Flux does not apply it."""
    why_not_applied: str = ""
    """For a layer not applied: `commented out` or `not listed` (by the root kustomization)."""

    def count(self, health: Health) -> int:
        return sum(1 for row in self.rows if row.health is health)

    @property
    def worst(self) -> Health:
        return min((row.health for row in self.rows), key=lambda h: h.rank, default=Health.READY)


@dataclass(frozen=True, slots=True)
class ClusterOverview:
    """Everything `tuiops status` knows about one cluster."""

    cluster: str
    layers: tuple[LayerOverview, ...]
    unlisted: tuple[AppRow, ...]
    """Live objects the repo's cluster does not list (applied by hand, or by another repo)."""
    feeds: tuple[FeedStatus, ...]
    context: str = ""
    server: str = ""

    _rows: tuple[AppRow, ...] = field(default=(), init=False, repr=False, compare=False)
    _not_ready: tuple[AppRow, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Worked out once: the status bar and every screen ask on each redraw, and with
        # thousands of rows recomputing them was the largest cost of a live update.
        rows = tuple(row for layer in self.layers for row in layer.rows) + self.unlisted
        unapplied = {row.ref for layer in self.layers if not layer.applied for row in layer.rows}
        not_ready = tuple(
            row for row in rows if row.not_ready and not (row.ref in unapplied and row.live is None)
        )
        object.__setattr__(self, "_rows", rows)
        object.__setattr__(self, "_not_ready", not_ready)

    @property
    def rows(self) -> tuple[AppRow, ...]:
        return self._rows

    @property
    def not_ready(self) -> tuple[AppRow, ...]:
        """Rows that should run and are not ready (an unapplied layer's absence is expected)."""
        return self._not_ready
