"""Kubernetes core/v1 Events, as the Flux controllers record them about their objects."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from tuiops.domain.refs import ObjectRef


class EventType(enum.Enum):
    """`type` of an Event; the API server accepts only these two."""

    NORMAL = "Normal"
    WARNING = "Warning"


@dataclass(frozen=True, slots=True)
class Event:
    """One (possibly aggregated) Event about a Flux object."""

    involved: ObjectRef
    """`involvedObject` kind, namespace and name."""
    involved_api_version: str
    """`involvedObject.apiVersion`, which `kubectl events --for` also selects on."""
    type: EventType
    reason: str
    """E.g. `ReconciliationSucceeded`, `DependencyNotReady`, `UpgradeFailed`, `NewArtifact`."""
    message: str
    count: int
    """How many times it happened; at least 1."""
    first_timestamp: str
    """RFC3339; `eventTime` when `firstTimestamp` is empty."""
    last_timestamp: str
    """RFC3339; falls back to the series' last observation, then to `first_timestamp`."""
    source_component: str
    """`source.component`, else `reportingComponent`, e.g. `kustomize-controller`."""
    annotations: tuple[tuple[str, str], ...] = ()
    """Sorted; Flux puts the revision here, e.g. `kustomize.toolkit.fluxcd.io/revision`."""
    name: str = ""
    """The Event's own `metadata.name`."""
    namespace: str = ""
    """The Event's own namespace (that of the involved object)."""
    involved_uid: str = ""

    @property
    def is_warning(self) -> bool:
        return self.type is EventType.WARNING

    @property
    def revision(self) -> str:
        """The `<group>/revision` annotation Flux adds, or empty."""
        return next((v for k, v in self.annotations if k.endswith("/revision")), "")
