"""List-then-watch of one resource kind, kept in step with the server (an informer).

A background thread lists (following `continue`), then watches from the list's
resourceVersion. A stream that ends is re-watched from the last position; an expired
position (410) relists and replaces the whole view, so nothing stale or duplicated survives.

The feed's state says what is known, never more (`domain/feed.py`): each watch must end
within a few seconds (`kube_stream.py`), so a stopped server turns the feed NOT_ANSWERING
within 7 s; a refused or dropped connection is RECONNECTING (UNREACHABLE before the server
ever answered); a 403 is FORBIDDEN and a 404 on the list is NOT_SERVED (the CRD is missing),
each with the server's message instead of an empty list. The loop catches everything: an
unexpected exception (an undecodable answer, a bug in a decoder or a consumer) is the ERROR
state with its message, then a relist after a backoff, so a feed never shows LIVE over
frozen data. Every failure keeps the last objects and retries; the state returns to LIVE only
when the server answers again. `FeedStatus.last_contact` is when it last did.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from tuiops.adapters.kube_api import WATCH_SECONDS, JsonObject, KubeApi
from tuiops.adapters.kube_stream import WatchStream
from tuiops.domain.feed import FeedState, FeedStatus
from tuiops.domain.kinds import ApiKind
from tuiops.errors import (
    ApiError,
    ClusterError,
    ClusterNotAnswering,
    ClusterUnreachable,
    CredentialsFailed,
    Expired,
    Forbidden,
    NoKubeconfig,
    NotFound,
)

T = TypeVar("T")
Key = tuple[str, str]

FIRST_BACKOFF = 0.2
MAX_BACKOFF = 5.0
FORBIDDEN_RETRY = 3.0
"""Asking again every 3 s (one cheap list per forbidden kind) shows a fixed role within 5 s of
the fix (issue 16; at 10 s the console kept saying "forbidden" for up to 10 s after it)."""
NOT_SERVED_RETRY = 60.0
"""A missing CRD is terminal for the session's purposes; looked at again once a minute in
case Flux is being installed right now."""
SHORT_WATCH = 1.0
"""A watch that ended sooner than this (asked for 5 s) is retried after the backoff."""
CONFIG_RETRY = 15.0
"""A broken kubeconfig or credential plugin needs a person: retry slowly (a plugin that
hangs costs its timeout on every attempt)."""


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


def not_served_message(api: KubeApi, kind: ApiKind, error: ApiError) -> str:
    """Why a list of `kind` is 404, in the user's terms, asking discovery which versions of
    the group the server offers."""
    what = f"{kind.plural}.{kind.group or 'core'}/{kind.version}"
    if not kind.group:
        return f"{what} is not served here: {error}"
    try:
        versions = api.served_versions(kind.group)
    except ClusterError:
        return f"{what} is not served here: {error}"
    if versions is None:
        if kind.group.endswith(".toolkit.fluxcd.io"):
            return f"Flux is not installed here (the cluster has no {kind.group} API)"
        return f"{kind.kind} is not served here (the cluster has no {kind.group} API)"
    if kind.version not in versions:
        offered = ", ".join(versions) or "no versions"
        return f"{what} is not served here (the cluster serves {kind.group} {offered})"
    return f"{what} is not served here: {error}"


def _now() -> datetime:
    return datetime.now(UTC)


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
        watch_seconds: int = WATCH_SECONDS,
    ) -> None:
        self._api = api
        self._kind = kind
        self._decode = decode
        self._on_update = on_update
        self._namespace = namespace
        self._watch_seconds = watch_seconds
        self._items: dict[Key, T] = {}
        self._lock = threading.Lock()
        """Guards `_items`."""
        self._state_lock = threading.Lock()
        """Guards the state fields, so `status` is never half of one change."""
        self._stop = threading.Event()
        self._state = FeedState.SYNCING
        self._message = ""
        self._since = _now()
        self._last_contact: datetime | None = None
        self._listed = False
        self._stream: WatchStream | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"watch-{kind.plural}")
        self.synced = threading.Event()
        """Set once the first list has been answered (or refused, or failed)."""

    def start(self) -> ResourceWatcher[T]:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        stream = self._stream
        if stream is not None:
            stream.abort()  # an idle watch would otherwise hold the thread for seconds
        self._thread.join(timeout=0.1)

    @property
    def status(self) -> FeedStatus:
        with self._state_lock:
            return FeedStatus(
                self._kind.kind,
                self._state,
                self._message,
                last_contact=self._last_contact,
                since=self._since,
                listed=self._listed,
            )

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
                opened = time.monotonic()
                resource_version = self._follow(resource_version)
                if time.monotonic() - opened >= SHORT_WATCH:
                    backoff = FIRST_BACKOFF
                    continue
                pause = backoff  # a server ending every watch at once must not make us spin
            except Expired:
                resource_version = ""
                pause = backoff if backoff > FIRST_BACKOFF else 0.0  # relist at once, once
            except Forbidden as error:
                resource_version = ""
                pause = self._fail(FeedState.FORBIDDEN, str(error), FORBIDDEN_RETRY)
            except NotFound as error:
                resource_version = ""
                message = not_served_message(self._api, self._kind, error)
                pause = self._fail(FeedState.NOT_SERVED, message, NOT_SERVED_RETRY)
            except ClusterNotAnswering as error:
                pause = self._fail(FeedState.NOT_ANSWERING, str(error), backoff)
            except (NoKubeconfig, CredentialsFailed) as error:
                pause = self._fail(FeedState.ERROR, str(error), CONFIG_RETRY)
            except ClusterUnreachable as error:
                state = FeedState.RECONNECTING if self._last_contact else FeedState.UNREACHABLE
                pause = self._fail(state, str(error), backoff)
            except Exception as error:  # the feed must say so, never freeze
                # ApiError (5xx after retries, invalid JSON) or anything unexpected: the view
                # may be half-updated, so start again from a list.
                resource_version = ""
                text = " ".join(str(error).split())
                message = text if isinstance(error, ApiError) else f"{type(error).__name__}: {text}"
                pause = self._fail(FeedState.ERROR, message, backoff)
            self._stop.wait(pause)
            backoff = min(backoff * 2, MAX_BACKOFF)
        self._set_state(FeedState.STOPPED)

    def _fail(self, state: FeedState, message: str, pause: float) -> float:
        """Enter a not-live state (objects kept); returns how long to wait before retrying."""
        with contextlib.suppress(Exception):  # a failing consumer must not end the loop here
            self._set_state(state, message)
        self.synced.set()
        return pause

    def _contact(self) -> None:
        """The server just answered: evidence for `last_contact`."""
        self._last_contact = _now()

    def _relist(self) -> str:
        raw_items, resource_version = self._api.list_all(self._kind, namespace=self._namespace)
        self._contact()
        fresh = {object_key(obj): self._decode(obj) for obj in raw_items}
        with self._lock:
            self._items = fresh
        self._listed = True
        self._change_state(FeedState.LIVE, "")
        self.synced.set()
        self._emit(FeedUpdate(self.status, relisted=dict(fresh)))
        return resource_version

    def _follow(self, resource_version: str) -> str:
        """Apply watch events until the stream ends; returns the last position seen."""
        stream = self._api.open_watch(
            self._kind,
            resource_version,
            namespace=self._namespace,
            timeout_seconds=self._watch_seconds,
        )
        self._stream = stream
        self._contact()
        if self._state is not FeedState.LIVE:
            self._set_state(FeedState.LIVE)
        try:
            for event_type, obj in stream:
                self._contact()
                if self._stop.is_set():
                    break
                position = str((obj.get("metadata") or {}).get("resourceVersion", ""))
                if event_type == "BOOKMARK":
                    resource_version = position or resource_version
                    continue
                self._apply(event_type, obj)
                resource_version = position or resource_version
        finally:
            self._stream = None
            stream.close()
        self._contact()  # the server ended the watch when asked: it is there
        return resource_version

    def _apply(self, event_type: str, obj: JsonObject) -> None:
        key = object_key(obj)
        if event_type == "DELETED":
            with self._lock:
                self._items.pop(key, None)
            self._emit(FeedUpdate(self.status, key=key, item=None))
            return
        item = self._decode(obj)
        with self._lock:
            self._items[key] = item
        self._emit(FeedUpdate(self.status, key=key, item=item))

    def _change_state(self, state: FeedState, message: str) -> bool:
        with self._state_lock:
            if state is self._state and message == self._message:
                return False
            if state is not self._state:
                self._since = _now()
            self._state, self._message = state, message
            return True

    def _set_state(self, state: FeedState, message: str = "") -> None:
        if self._change_state(state, message):
            self._emit(FeedUpdate(self.status))

    def _emit(self, update: FeedUpdate[T]) -> None:
        # After stop() the consumer may be gone (a closed app); it must not hear from us.
        if self._on_update is not None and not self._stop.is_set():
            self._on_update(update)
