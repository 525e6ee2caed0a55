"""The two streaming answers: watches (one JSON event per line) and pod logs (plain text).

Both are chunked HTTP bodies that stay open; they end on `timeoutSeconds`, on a server stop,
or on an injected fault (a dropped connection, or an ERROR event with 410 Expired).
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta
from typing import Any, Protocol

from tuiops.domain.age import parse_time
from tuiops.sim.apiserver.faults import Faults
from tuiops.sim.apiserver.podlogs import LogRecord, PodLogBook
from tuiops.sim.apiserver.resources import ResourceType, type_for_kind
from tuiops.sim.apiserver.routes import Route
from tuiops.sim.apiserver.selectors import field_selector_for, label_selector
from tuiops.sim.apiserver.store import (
    Change,
    JsonObject,
    ObjectStore,
    StatusError,
    expired,
    not_found,
)
from tuiops.sim.apiserver.tables import table
from tuiops.sim.apiserver.verbs import Verbs, served_as, wants_table

DEFAULT_WATCH_SECONDS = 1800
BOOKMARK_EVERY = 5.0
"""Seconds between bookmarks on an idle watch (the real server sends about one a minute)."""
POLL = 0.5
"""Longest sleep between checks of faults and shutdown while a stream is idle."""


class StreamWriter(Protocol):
    """What the request handler offers a stream."""

    headers: Any

    def start_stream(self, content_type: str) -> None: ...
    def write_chunk(self, payload: bytes) -> None: ...
    def end_stream(self, *, clean: bool = True) -> None: ...

    @property
    def stopping(self) -> threading.Event: ...


def _line(document: JsonObject) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode() + b"\n"


def _error_event(error: StatusError) -> bytes:
    return _line({"type": "ERROR", "object": error.status()})


class _WatchFilter:
    def __init__(self, resource: ResourceType, route: Route, query: dict[str, str]) -> None:
        self.key = resource.key
        self.namespace = route.namespace
        self.labels = label_selector(query["labelSelector"]) if query.get("labelSelector") else None
        self.fields = (
            field_selector_for(resource.kind, query["fieldSelector"])
            if query.get("fieldSelector")
            else None
        )

    def matches(self, change: Change) -> bool:
        if change.resource_key != self.key:
            return False
        obj = change.object
        if self.namespace and obj.get("metadata", {}).get("namespace") != self.namespace:
            return False
        if self.labels and not self.labels(obj):
            return False
        return not (self.fields and not self.fields(obj))


def serve_watch(
    handler: StreamWriter,
    store: ObjectStore,
    faults: Faults,
    resource: ResourceType,
    route: Route,
    query: dict[str, str],
) -> None:
    """Stream changes after `resourceVersion` (or the current state first, when none/0)."""
    watch_filter = _WatchFilter(resource, route, query)
    as_table = wants_table(handler.headers.get("Accept", ""))
    bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
    timeout = float(query.get("timeoutSeconds") or DEFAULT_WATCH_SECONDS)
    deadline = time.monotonic() + timeout
    epochs = (faults.watch_epoch, faults.expire_epoch)
    columns_sent = False

    def encode(kind: str, obj: JsonObject) -> bytes:
        nonlocal columns_sent
        if as_table:
            rv = obj["metadata"]["resourceVersion"]
            body = table(
                resource,
                [obj],
                store.clock.now(),
                {"resourceVersion": rv},
                with_columns=not columns_sent,
            )
            columns_sent = True
            return _line({"type": kind, "object": body})
        return _line({"type": kind, "object": served_as(resource, route.version, obj)})

    start = query.get("resourceVersion") or "0"
    handler.start_stream("application/json")
    if start == "0":
        items, last_seen = Verbs(store).selected(resource, route, query)
        handler.write_chunk(b"".join(encode("ADDED", item) for item in items))
    else:
        try:
            last_seen = int(start)
        except ValueError:
            last_seen = -1
    last_bookmark = time.monotonic()
    while True:
        try:
            changes = store.changes_since(last_seen)
        except StatusError as error:
            handler.write_chunk(_error_event(error))
            return handler.end_stream()
        chunk = b"".join(
            encode(change.type, change.object) for change in changes if watch_filter.matches(change)
        )
        if changes:
            last_seen = changes[-1].resource_version
        handler.write_chunk(chunk)
        if handler.stopping.is_set() or faults.watch_epoch != epochs[0]:
            return handler.end_stream(clean=False)
        if faults.expire_epoch != epochs[1]:
            handler.write_chunk(_error_event(expired(last_seen, store.resource_version)))
            return handler.end_stream()
        now = time.monotonic()
        if now >= deadline:
            return handler.end_stream()
        if bookmarks and now - last_bookmark >= BOOKMARK_EVERY:
            bookmark = {
                "kind": resource.kind,
                "apiVersion": resource.api_version(route.version),
                "metadata": {"resourceVersion": str(last_seen)},
            }
            handler.write_chunk(_line({"type": "BOOKMARK", "object": bookmark}))
            last_bookmark = now
        store.wait_for_change(last_seen, min(POLL, deadline - now))


def _pick_container(store: ObjectStore, route: Route, query: dict[str, str]) -> tuple[str, str]:
    """The container whose log is asked for, and the pod's uid."""
    pod = store.get(type_for_kind("Pod"), route.namespace, route.name)
    if pod is None:
        raise not_found(type_for_kind("Pod"), route.name)
    uid = str((pod.get("metadata") or {}).get("uid", ""))
    names = [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or []]
    wanted = query.get("container")
    if wanted:
        if wanted not in names:
            raise StatusError(
                400, "BadRequest", f"container {wanted} is not valid for pod {route.name}"
            )
        return str(wanted), uid
    if len(names) != 1:
        raise StatusError(
            400,
            "BadRequest",
            f"a container name must be specified for pod {route.name},"
            f" choose one of: [{' '.join(names)}]",
        )
    return str(names[0]), uid


def _pod_running(store: ObjectStore, route: Route, uid: str) -> bool:
    """Whether the pod a follow started on is still there (not deleted, not replaced)."""
    pod = store.get(type_for_kind("Pod"), route.namespace, route.name)
    return pod is not None and str((pod.get("metadata") or {}).get("uid", "")) == uid


def _since(query: dict[str, str], now: datetime) -> datetime | None:
    """The oldest line time to send (sinceSeconds or sinceTime), or None for all."""
    if query.get("sinceSeconds"):
        return now - timedelta(seconds=int(query["sinceSeconds"]))
    if query.get("sinceTime"):
        return parse_time(query["sinceTime"])
    return None


def _backlog(
    records: list[LogRecord], query: dict[str, str], since: datetime | None
) -> list[LogRecord]:
    """What the kubelet sends first: the last tailLines lines, minus each one older than since."""
    if query.get("tailLines"):
        tail = int(query["tailLines"])
        records = records[len(records) - tail :] if 0 <= tail < len(records) else records
    return _newer(records, since)


def _newer(records: list[LogRecord], since: datetime | None) -> list[LogRecord]:
    # The kubelet skips each line stamped before `since`, in the backlog and when following.
    return records if since is None else [record for record in records if record.time >= since]


def serve_logs(
    handler: StreamWriter,
    store: ObjectStore,
    logs: PodLogBook,
    faults: Faults,
    route: Route,
    query: dict[str, str],
) -> None:
    """`GET /api/v1/namespaces/NS/pods/NAME/log`: text/plain, followed when asked.

    A follow ends (cleanly, after the last line) when the pod is deleted or the container
    restarts, as the kubelet's does when the container goes away; `Faults.drop_log_streams`
    cuts it mid-body.
    """
    container, uid = _pick_container(store, route, query)
    stamp = query.get("timestamps") in ("true", "1")
    limit = int(query.get("limitBytes") or 0)
    sent = 0

    def encode(records: list[LogRecord]) -> bytes:
        if not stamp:
            return "".join([f"{r.text}\n" for r in records]).encode()
        return "".join([f"{r.stamp} {r.text}\n" for r in records]).encode()

    def send(records: list[LogRecord]) -> None:
        nonlocal sent
        payload = encode(records)
        if limit:
            payload = payload[: limit - sent]
        handler.write_chunk(payload)
        sent += len(payload)

    since = _since(query, store.clock.now())
    if query.get("previous") in ("true", "1"):
        previous = logs.previous(route.namespace, route.name, container)
        if previous is None:
            raise StatusError(
                400,
                "BadRequest",
                f'previous terminated container "{container}" in pod "{route.name}" not found',
            )
        handler.start_stream("text/plain")
        send(_backlog(previous, query, since))
        return handler.end_stream()
    epoch = faults.log_epoch
    position = logs.position(route.namespace, route.name, container)
    backlog = _backlog(logs.read(route.namespace, route.name, container), query, since)
    handler.start_stream("text/plain")
    send(backlog)
    if query.get("follow") not in ("true", "1"):
        return handler.end_stream()
    while not handler.stopping.is_set() and not (limit and sent >= limit):
        woken = logs.wait(route.namespace, route.name, container, position, POLL)
        if faults.log_epoch != epoch:
            return handler.end_stream(clean=False)
        if logs.position(route.namespace, route.name, container) < position:
            return handler.end_stream()  # the container restarted: its log starts anew
        if woken:
            fresh = logs.read(route.namespace, route.name, container, position)
            position += len(fresh)
            send(_newer(fresh, since))
        if not _pod_running(store, route, uid):
            fresh = logs.read(route.namespace, route.name, container, position)
            send(_newer(fresh, since))
            return handler.end_stream()
    handler.end_stream(clean=not handler.stopping.is_set())
