"""The small Protocols the services need; adapters implement them against a real cluster,
and the simulated cluster stands behind those same adapters in tests and the demo."""

from __future__ import annotations

from typing import Protocol

from tuiops.domain.feed import FeedStatus
from tuiops.domain.live import LiveObject


class FluxReader(Protocol):
    """One read of every Flux Kustomization and HelmRelease in the cluster."""

    @property
    def context(self) -> str:
        """The kube context name, for display."""
        ...

    @property
    def server(self) -> str:
        """The API server address, for display and error messages."""
        ...

    def read_appliers(self) -> tuple[tuple[LiveObject, ...], tuple[FeedStatus, ...]]:
        """Live Kustomizations and HelmReleases, and per kind whether the read worked.

        A kind RBAC denies is reported as a FORBIDDEN feed, not as an empty list.

        Raises:
            ClusterUnreachable: no API server answered.
            NoKubeconfig: there is no usable kube context.
        """
        ...
