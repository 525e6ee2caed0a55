"""The simulated cluster's object store: what etcd plus the apiserver's registry do for us.

Objects are JSON-shaped dicts. A stored dict is never mutated after it is committed (every
change builds a new one), so readers may hold and serialise them without copying. Every commit
gets the next resourceVersion and lands in a bounded change log that watches resume from;
a resourceVersion older than the log answers 410 Expired, as etcd compaction does.
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tuiops.sim.apiserver.resources import ResourceType
from tuiops.sim.clock import SimClock, rfc3339

JsonObject = dict[str, Any]


class StatusError(Exception):
    """An API error the server answers with a `Status` object."""

    def __init__(
        self, code: int, reason: str, message: str, details: JsonObject | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details or {}

    def status(self) -> JsonObject:
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "details": self.details,
            "code": self.code,
        }


def not_found(resource: ResourceType, name: str) -> StatusError:
    details: JsonObject = {"name": name, "kind": resource.plural}
    if resource.group:
        details["group"] = resource.group
    return StatusError(404, "NotFound", f'{resource.key} "{name}" not found', details)


def _details(resource: ResourceType, name: str) -> JsonObject:
    """Status details as the apiserver writes them: empty fields (core's group) left out."""
    details: JsonObject = {"name": name, "kind": resource.plural}
    if resource.group:
        details["group"] = resource.group
    return details


def expired(resource_version: int, current: int) -> StatusError:
    return StatusError(410, "Expired", f"too old resource version: {resource_version} ({current})")


@dataclass(frozen=True, slots=True)
class Change:
    """One committed change, as a watch delivers it."""

    type: str
    """ADDED, MODIFIED or DELETED."""
    resource_key: str
    object: JsonObject
    resource_version: int


Listener = Callable[[Change], None]


class ObjectStore:
    """Thread-safe objects by type, namespace and name, with a change log for watches."""

    def __init__(self, clock: SimClock, *, history_limit: int = 100_000) -> None:
        self.clock = clock
        self._lock = threading.Condition()
        self._resource_version = 1000
        self._objects: dict[str, dict[tuple[str, str], JsonObject]] = {}
        self._changes: list[Change] = []
        self._first_kept = 1001
        """The oldest resourceVersion a watch may resume after (etcd's compaction point)."""
        self._history_limit = history_limit
        self._listeners: list[Listener] = []

    # -- reading -------------------------------------------------------------------------

    @property
    def resource_version(self) -> int:
        with self._lock:
            return self._resource_version

    def get(self, resource: ResourceType, namespace: str, name: str) -> JsonObject | None:
        """The stored object (do not mutate it) or None."""
        with self._lock:
            return self._objects.get(resource.key, {}).get((namespace, name))

    def list_objects(
        self, resource: ResourceType, namespace: str | None = None
    ) -> tuple[list[JsonObject], int]:
        """Objects sorted by namespace and name, with the resourceVersion of the snapshot."""
        with self._lock:
            table = self._objects.get(resource.key, {})
            keys = (
                sorted(table)
                if namespace is None
                else sorted(key for key in table if key[0] == namespace)
            )
            return [table[key] for key in keys], self._resource_version

    def changes_since(self, resource_version: int) -> list[Change]:
        """Committed changes newer than `resource_version`; 410 when they were compacted."""
        with self._lock:
            if resource_version + 1 < self._first_kept:
                raise expired(resource_version, self._resource_version)
            start = resource_version + 1 - self._first_kept
            return self._changes[max(start, 0) :]

    def wait_for_change(self, after: int, timeout: float) -> bool:
        """Block until the store's resourceVersion passes `after` (True) or time runs out."""
        with self._lock:
            return self._lock.wait_for(lambda: self._resource_version > after, timeout)

    def wake_watchers(self) -> None:
        """Wake every blocked watch so it notices a fault or a shutdown."""
        with self._lock:
            self._lock.notify_all()

    # -- writing -------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """Call `listener` after every commit (outside the lock, in the writer's thread)."""
        self._listeners.append(listener)

    def create(self, resource: ResourceType, obj: JsonObject) -> JsonObject:
        """Store a new object, filling uid, creationTimestamp, generation and apiVersion."""
        fresh = copy.deepcopy(obj)
        metadata = fresh.setdefault("metadata", {})
        namespace = metadata.get("namespace", "") if resource.namespaced else ""
        name = metadata["name"]
        fresh["apiVersion"] = resource.api_version()
        fresh["kind"] = resource.kind
        metadata.setdefault(
            "uid", str(uuid.uuid5(uuid.NAMESPACE_URL, f"{resource.key}/{namespace}/{name}"))
        )
        metadata.setdefault("creationTimestamp", rfc3339(self.clock.now()))
        metadata.setdefault("generation", 1)
        with self._lock:
            table = self._objects.setdefault(resource.key, {})
            if (namespace, name) in table:
                raise StatusError(
                    409,
                    "AlreadyExists",
                    f'{resource.key} "{name}" already exists',
                    _details(resource, name),
                )
            change = self._commit(resource, "ADDED", (namespace, name), fresh)
        self._notify(change)
        return change.object

    def update(
        self,
        resource: ResourceType,
        namespace: str,
        name: str,
        mutate: Callable[[JsonObject], JsonObject | None],
        *,
        status_only: bool = False,
        expected_version: str | None = None,
    ) -> JsonObject:
        """Apply `mutate` to a copy of the object and commit it.

        `mutate` edits the copy in place (or returns a replacement). Only `status` is kept
        when `status_only` (the /status subresource); a spec change bumps `generation`.

        Raises:
            StatusError: 404 when missing, 409 when `expected_version` is stale.
        """
        with self._lock:
            table = self._objects.get(resource.key, {})
            current = table.get((namespace, name))
            if current is None:
                raise not_found(resource, name)
            if expected_version and expected_version != current["metadata"]["resourceVersion"]:
                raise StatusError(
                    409,
                    "Conflict",
                    f'Operation cannot be fulfilled on {resource.key} "{name}": the object has'
                    " been modified; please apply your changes to the latest version and try"
                    " again",
                    _details(resource, name),
                )
            edited = copy.deepcopy(current)
            edited = mutate(edited) or edited
            if status_only:
                result = dict(current)
                result["status"] = edited.get("status", {})
                result["metadata"] = dict(current["metadata"])
            else:
                result = edited
                result["metadata"] = dict(edited.get("metadata", {}))
                result["status"] = current.get("status", result.get("status"))
                if result.get("status") is None:
                    result.pop("status", None)
                # Identity fields are the server's, whatever the client sent.
                for field in ("name", "namespace", "uid", "creationTimestamp"):
                    if field in current["metadata"]:
                        result["metadata"][field] = current["metadata"][field]
                result["kind"] = current["kind"]
                result["apiVersion"] = current["apiVersion"]
                generation = int(current["metadata"].get("generation", 1))
                if result.get("spec") != current.get("spec"):
                    generation += 1
                result["metadata"]["generation"] = generation
            change = self._commit(resource, "MODIFIED", (namespace, name), result)
        self._notify(change)
        return change.object

    def delete(self, resource: ResourceType, namespace: str, name: str) -> JsonObject:
        with self._lock:
            table = self._objects.get(resource.key, {})
            if (namespace, name) not in table:
                raise not_found(resource, name)
            gone = dict(table[(namespace, name)])
            change = self._commit(resource, "DELETED", (namespace, name), gone)
        self._notify(change)
        return change.object

    def load(self, objects: Iterable[tuple[ResourceType, JsonObject]]) -> None:
        """Bulk-create a scenario without notifying listeners (nothing is running yet)."""
        listeners, self._listeners = self._listeners, []
        try:
            for resource, obj in objects:
                self.create(resource, obj)
        finally:
            self._listeners = listeners

    def compact(self) -> None:
        """Forget the change log, so every open watch position is too old (etcd compaction)."""
        with self._lock:
            self._changes.clear()
            self._first_kept = self._resource_version + 1
            self._lock.notify_all()

    # -- internals -----------------------------------------------------------------------

    def _commit(
        self, resource: ResourceType, kind: str, key: tuple[str, str], obj: JsonObject
    ) -> Change:
        self._resource_version += 1
        obj["metadata"]["resourceVersion"] = str(self._resource_version)
        table = self._objects.setdefault(resource.key, {})
        if kind == "DELETED":
            del table[key]
        else:
            table[key] = obj
        change = Change(kind, resource.key, obj, self._resource_version)
        self._changes.append(change)
        if len(self._changes) > self._history_limit:
            dropped = len(self._changes) - self._history_limit // 2
            del self._changes[:dropped]
            self._first_kept += dropped
        self._lock.notify_all()
        return change

    def _notify(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)
