"""`FluxFeed` and `ObjectDetails` over the Kubernetes API and kubectl."""

from __future__ import annotations

import threading
from collections.abc import Callable

from tuiops.adapters.cluster_reads import (
    events_for,
    flux_events,
    helm_release_of,
    helm_revisions,
)
from tuiops.adapters.flux_reader import decode_flux_object
from tuiops.adapters.kube_api import KubeApi
from tuiops.adapters.kube_watch import FeedUpdate, ResourceWatcher
from tuiops.adapters.kubectl import Kubectl
from tuiops.adapters.release_objects import release_objects
from tuiops.adapters.release_workloads import release_workloads
from tuiops.domain.events import Event
from tuiops.domain.feed import FeedStatus
from tuiops.domain.helm import ReleaseRevision
from tuiops.domain.kinds import FLUX_APPLIERS, FLUX_SOURCES
from tuiops.domain.live import LiveObject
from tuiops.domain.refs import ObjectRef
from tuiops.domain.workload_tree import WorkloadTree
from tuiops.domain.workloads import ReleaseObjects


class KubeFluxFeed:
    """One informer per Flux kind (the appliers and the sources they read) behind one change
    callback: Detail shows a source's revision beside the applied one, and the Sources
    screen lists them."""

    def __init__(self, api: KubeApi) -> None:
        self._api = api
        self._watchers: list[ResourceWatcher[LiveObject | None]] = []
        self._on_change: Callable[[], None] = lambda: None
        self._lock = threading.Lock()

    @property
    def context(self) -> str:
        return self._api.context_name

    @property
    def server(self) -> str:
        return self._api.server

    def start(self, on_change: Callable[[], None]) -> None:
        self._on_change = on_change
        self._watchers = [
            ResourceWatcher(self._api, kind, decode_flux_object, self._changed)
            for kind in (*FLUX_APPLIERS, *FLUX_SOURCES)
        ]
        for watcher in self._watchers:
            watcher.start()

    def _changed(self, _update: FeedUpdate[LiveObject | None]) -> None:
        self._on_change()

    def stop(self) -> None:
        for watcher in self._watchers:
            watcher.stop()

    def objects(self) -> tuple[LiveObject, ...]:
        return tuple(
            item
            for watcher in self._watchers
            for item in watcher.snapshot().values()
            if item is not None
        )

    def feeds(self) -> tuple[FeedStatus, ...]:
        return tuple(watcher.status for watcher in self._watchers)


class KubeObjectDetails:
    """Events, Helm history, release objects and workloads from the API; describe and YAML from
    kubectl."""

    def __init__(self, api: KubeApi, kubectl: Kubectl) -> None:
        self._api = api
        self._kubectl = kubectl

    def events_for(self, ref: ObjectRef) -> tuple[Event, ...]:
        return events_for(self._api, ref)

    def flux_events(self, namespace: str = "") -> tuple[Event, ...]:
        return flux_events(self._api, namespace)

    def describe(self, ref: ObjectRef) -> str:
        return self._kubectl.describe(ref)

    def yaml(self, ref: ObjectRef) -> str:
        return self._kubectl.yaml(ref)

    def revisions(self, release: LiveObject) -> tuple[ReleaseRevision, ...]:
        storage = helm_release_of(release)
        return helm_revisions(self._api, storage.release_name, storage.namespace)

    def release_objects(self, release: LiveObject) -> ReleaseObjects:
        return release_objects(self._api, release)

    def workload_tree(self, release: LiveObject) -> WorkloadTree:
        return release_workloads(self._api, release)
