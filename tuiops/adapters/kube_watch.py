"""List-then-watch of one resource kind, kept in step with the server (an informer).

A background thread lists (following `continue`), then watches from the list's
resourceVersion. A stream that ends is re-watched from the last position; an expired
position (410) relists and replaces the whole view, so nothing stale or duplicated survives;
a dropped connection or a restarted server is retried with exponential backoff; a 403 puts
the feed in the FORBIDDEN state with the server's message instead of showing an empty list.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from tuiops.adapters.kube_api import JsonObject, KubeApi
from tuiops.domain.feed import FeedState, FeedStatus
from tuiops.domain.kinds import ApiKind
from tuiops.errors import ClusterError, Expired, Forbidden

T = TypeVar("T")
Key = tuple[str, str]

FIRST_BACKOFF = 0.2
MAX_BACKOFF = 5.0
FORBIDDEN_RETRY = 10.0
"""RBAC rarely changes; asking again every 10 s keeps a fixed role visible soon enough."""


@dataclass(frozen=True, slots=True)
class FeedUpdate(Generic[T]):
    """What changed: a full relist, one object, or only the feed's state."""

    status: FeedStatus
    relisted: dict[Key, T] | None = None
    """The whole new view after a (re)list; replaces everything held before."""
    key: Key | None = None
    item: T | None = None
    """The new value of `key`; None with a key means it was deleted."""


def object_key(obj: JsonObject) -> Key:
    metadata = obj.get("metadata") or {}
    return str(metadata.get("namespace", "")), str(metadata.get("name", ""))


class ResourceWatcher(Generic[T]):
    """Keeps `snapshot()` equal to the server's objects of one kind, decoded by `decode`."""

    def __init__(
        self,
        api: KubeApi,
        kind: ApiKind,
        decode: Callable[[JsonObject], T],
        on_update: Callable[[FeedUpdate[T]], None] | None = None,
        *,
        namespace: str = "",
        watch_seconds: int = 290,
    ) -> None:
        self._api = api
        self._kind = kind
        self._decode = decode
        self._on_update = on_update
        self._namespace = namespace
        self._watch_seconds = watch_seconds
        self._items: dict[Key, T] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._status = FeedStatus(kind.kind, FeedState.SYNCING)
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"watch-{kind.plural}")
        self.synced = threading.Event()
        """Set once the first list has been answered (or refused)."""

    def start(self) -> ResourceWatcher[T]:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=0.1)

    @property
    def status(self) -> FeedStatus:
        return self._status

    def snapshot(self) -> dict[Key, T]:
        with self._lock:
            return dict(self._items)

    # -- the loop ------------------------------------------------------------------------

    def _run(self) -> None:
        resource_version = ""
        backoff = FIRST_BACKOFF
        while not self._stop.is_set():
            try:
                if not resource_version:
                    resource_version = self._relist()
                    backoff = FIRST_BACKOFF
                resource_version = self._follow(resource_version)
                backoff = FIRST_BACKOFF
            except Expired:
                resource_version = ""
            except Forbidden as error:
                resource_version = ""
                self._set_status(FeedState.FORBIDDEN, str(error))
                self.synced.set()
                self._stop.wait(FORBIDDEN_RETRY)
            except ClusterError as error:
                state = (
                    FeedState.UNREACHABLE if not self.synced.is_set() else FeedState.RECONNECTING
                )
                self._set_status(state, str(error))
                self.synced.set()
                self._stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
        self._set_status(FeedState.STOPPED)

    def _relist(self) -> str:
        raw_items, resource_version = self._api.list_all(self._kind, namespace=self._namespace)
        fresh = {object_key(obj): self._decode(obj) for obj in raw_items}
        with self._lock:
            self._items = fresh
        self._status = FeedStatus(self._kind.kind, FeedState.LIVE)
        self.synced.set()
        self._emit(FeedUpdate(self._status, relisted=dict(fresh)))
        return resource_version

    def _follow(self, resource_version: str) -> str:
        """Apply watch events until the stream ends; returns the last position seen."""
        events = self._api.watch(
            self._kind,
            resource_version,
            namespace=self._namespace,
            timeout_seconds=self._watch_seconds,
        )
        if self._status.state is not FeedState.LIVE:
            self._set_status(FeedState.LIVE)
        for event_type, obj in events:
            if self._stop.is_set():
                break
            position = str((obj.get("metadata") or {}).get("resourceVersion", ""))
            if event_type == "BOOKMARK":
                resource_version = position or resource_version
                continue
            key = object_key(obj)
            if event_type == "DELETED":
                with self._lock:
                    self._items.pop(key, None)
                self._emit(FeedUpdate(self._status, key=key, item=None))
            else:
                item = self._decode(obj)
                with self._lock:
                    self._items[key] = item
                self._emit(FeedUpdate(self._status, key=key, item=item))
            resource_version = position or resource_version
        return resource_version

    def _set_status(self, state: FeedState, message: str = "") -> None:
        self._status = FeedStatus(self._kind.kind, state, message)
        self._emit(FeedUpdate(self._status))

    def _emit(self, update: FeedUpdate[T]) -> None:
        # After stop() the consumer may be gone (a closed app); it must not hear from us.
        if self._on_update is not None and not self._stop.is_set():
            self._on_update(update)
