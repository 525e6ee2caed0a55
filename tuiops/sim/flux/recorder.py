"""What the Flux controllers leave besides status: core/v1 Events (aggregated like client-go's
recorder) and JSON log lines in the `manager` container of their pods (see `pods`): always
the controller's current pod, so after a rollout the lines go to the new one.

Shapes follow `tests/fixtures/flux/events.sample.json` and `controller-logs.jsonl`: log keys
in zap's order (`level`, `ts`, `logger`?, `msg`, reconciler keys, extras, `error` last).
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tuiops.sim.apiserver.podlogs import LogRecord, PodLogBook
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.apiserver.store import ObjectStore, StatusError
from tuiops.sim.clock import SimClock, rfc3339
from tuiops.sim.flux.pods import CONTAINER, FLUX_NAMESPACE, current_pod

JsonObject = dict[str, Any]

KIND_GROUPS = {
    "GitRepository": "source.toolkit.fluxcd.io",
    "HelmRepository": "source.toolkit.fluxcd.io",
    "OCIRepository": "source.toolkit.fluxcd.io",
    "HelmChart": "source.toolkit.fluxcd.io",
    "Kustomization": "kustomize.toolkit.fluxcd.io",
    "HelmRelease": "helm.toolkit.fluxcd.io",
}
KIND_CONTROLLERS = {
    kind: f"{group.split('.')[0]}-controller" for kind, group in KIND_GROUPS.items()
}
"""`source-controller`, `kustomize-controller` or `helm-controller` per Flux kind."""

_EVENT_ANNOTATION_PREFIX = "event.toolkit.fluxcd.io/"


# -- log lines -------------------------------------------------------------------------------


def log_ts(moment: datetime) -> str:
    """ISO8601 UTC with milliseconds, zap's `ts` (`2025-11-25T10:09:42.118Z`)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def new_reconcile_id(rng: random.Random) -> str:
    """A reconcileID (a v4 UUID) drawn from `rng`, so scenarios stay deterministic."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def log_line(
    moment: datetime,
    level: str,
    msg: str,
    *,
    ref: tuple[str, str, str] | None = None,
    reconcile_id: str = "",
    extra: Mapping[str, Any] | None = None,
    error: str | None = None,
    logger: str | None = None,
) -> str:
    """One controller log line as JSON text.

    Args:
        moment: Time of the line.
        level: `info`, `error`, `debug`.
        msg: The message.
        ref: (kind, namespace, name) of the reconciled object, for reconciler lines.
        reconcile_id: The reconcile run's UUID (reconciler lines).
        extra: Further keys (`revision`, `output`, ...), after the reconciler keys.
        error: The error text, written last.
        logger: Logger name for non-reconciler lines (`setup`, `event-server`).
    """
    data: JsonObject = {"level": level, "ts": log_ts(moment)}
    if logger:
        data["logger"] = logger
    data["msg"] = msg
    if ref is not None:
        kind, namespace, name = ref
        data["controller"] = kind.lower()
        data["controllerGroup"] = KIND_GROUPS[kind]
        data["controllerKind"] = kind
        data[kind] = {"name": name, "namespace": namespace}
        data["namespace"] = namespace
        data["name"] = name
        data["reconcileID"] = reconcile_id
    if extra:
        data.update(extra)
    if error is not None:
        data["error"] = error
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def involved_object(obj: Mapping[str, Any]) -> JsonObject:
    """The `involvedObject` of an Event about `obj`."""
    meta = obj.get("metadata", {})
    return {
        "kind": obj.get("kind", ""),
        "namespace": meta.get("namespace", ""),
        "name": meta.get("name", ""),
        "uid": meta.get("uid", ""),
        "apiVersion": obj.get("apiVersion", ""),
        "resourceVersion": meta.get("resourceVersion", ""),
    }


def dispatch_line(moment: datetime, event: Mapping[str, Any]) -> str:
    """notification-controller's `dispatching event` line for a forwarded event."""
    return log_line(
        moment,
        "info",
        "dispatching event",
        logger="event-server",
        extra={"eventInvolvedObject": event["involvedObject"], "message": event["message"]},
    )


def event_object(
    obj: Mapping[str, Any],
    *,
    reason: str,
    message: str,
    first: datetime,
    last: datetime | None = None,
    count: int = 1,
    warning: bool = False,
    annotations: Mapping[str, str] | None = None,
    nanos: int | None = None,
) -> JsonObject:
    """A core/v1 Event about `obj` from its controller, shaped like events.sample.json.

    Args:
        obj: The involved Flux object (with metadata.uid).
        reason: Ready reason or action reason.
        message: Event message.
        first: firstTimestamp.
        last: lastTimestamp (default `first`).
        count: How many times it was seen.
        warning: `Warning` rather than `Normal`.
        annotations: Flux metadata (`<group>/revision`, ...).
        nanos: Unix nanoseconds for the name suffix (default from `first`).
    """
    meta = obj.get("metadata", {})
    name = meta.get("name", "")
    namespace = meta.get("namespace", "")
    suffix = nanos if nanos is not None else int(first.timestamp() * 1e9)
    event_name = f"{name}.{suffix:x}"
    merged = dict(annotations or {})
    for key, value in (meta.get("annotations") or {}).items():
        if key.startswith(_EVENT_ANNOTATION_PREFIX):
            merged[key] = value
    component = KIND_CONTROLLERS.get(str(obj.get("kind")), "flux")
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "name": event_name,
            "namespace": namespace,
            "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"events/{namespace}/{event_name}")),
            "creationTimestamp": rfc3339(first),
            "annotations": merged,
        },
        "involvedObject": involved_object(obj),
        "reason": reason,
        "message": message,
        "source": {"component": component},
        "firstTimestamp": rfc3339(first),
        "lastTimestamp": rfc3339(last or first),
        "count": count,
        "type": "Warning" if warning else "Normal",
        "eventTime": None,
        "reportingComponent": component,
        "reportingInstance": "",
    }


class Recorder:
    """Writes Events into the store and log lines into the controller pods, at clock time."""

    def __init__(
        self, store: ObjectStore, logs: PodLogBook, clock: SimClock, *, seed: int = 0
    ) -> None:
        self._store = store
        self._logs = logs
        self._clock = clock
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._events: dict[tuple[str, ...], str] = {}
        self._last_nanos = 0

    def prime(self) -> None:
        """Index the Events already stored, so repeats aggregate onto them."""
        events, _ = self._store.list_objects(type_for_kind("Event"))
        with self._lock:
            for event in events:
                self._events[self._key(event)] = event["metadata"]["name"]

    @staticmethod
    def _key(event: Mapping[str, Any]) -> tuple[str, ...]:
        involved = event.get("involvedObject", {})
        return (
            str(event.get("metadata", {}).get("namespace", "")),
            str(involved.get("uid", "")),
            str(event.get("type", "")),
            str(event.get("reason", "")),
            str(event.get("message", "")),
            str(event.get("source", {}).get("component", "")),
        )

    def new_reconcile_id(self) -> str:
        """A fresh reconcileID for the lines of one reconcile run."""
        with self._lock:
            return new_reconcile_id(self._rng)

    def _append(self, controller: str, moment: datetime, text: str) -> None:
        pod = current_pod(self._store, controller)
        self._logs.append(FLUX_NAMESPACE, pod, CONTAINER, LogRecord(moment, text))

    def log(
        self,
        obj: Mapping[str, Any],
        level: str,
        msg: str,
        *,
        reconcile_id: str,
        extra: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        """A reconciler line about `obj` in its controller's log."""
        kind = str(obj.get("kind"))
        meta = obj.get("metadata", {})
        moment = self._clock.now()
        ref = (kind, str(meta.get("namespace", "")), str(meta.get("name", "")))
        text = log_line(
            moment, level, msg, ref=ref, reconcile_id=reconcile_id, extra=extra, error=error
        )
        self._append(KIND_CONTROLLERS[kind], moment, text)

    def _nanos(self, moment: datetime) -> int:
        with self._lock:
            # A frozen clock would give every event the same name suffix.
            self._last_nanos = max(int(moment.timestamp() * 1e9), self._last_nanos + 1)
            return self._last_nanos

    def event(
        self,
        obj: Mapping[str, Any],
        reason: str,
        message: str,
        *,
        warning: bool = False,
        annotations: Mapping[str, str] | None = None,
        trace: bool = False,
    ) -> None:
        """Record an Event about `obj`; a repeat bumps `count` and moves `lastTimestamp`.

        Non-trace events are also forwarded to notification-controller, which logs
        `dispatching event`.
        """
        moment = self._clock.now()
        fresh = event_object(
            obj,
            reason=reason,
            message=message,
            first=moment,
            warning=warning,
            annotations=annotations,
            nanos=self._nanos(moment),
        )
        resource = type_for_kind("Event")
        key = self._key(fresh)
        with self._lock:
            existing = self._events.get(key)
        stored = None
        if existing is not None:

            def bump(event: JsonObject) -> None:
                event["count"] = int(event.get("count", 1)) + 1
                event["lastTimestamp"] = rfc3339(moment)
                event["involvedObject"] = fresh["involvedObject"]

            try:
                stored = self._store.update(
                    resource, fresh["metadata"]["namespace"], existing, bump
                )
            except StatusError:
                stored = None
        if stored is None:
            stored = self._store.create(resource, fresh)
            with self._lock:
                self._events[key] = stored["metadata"]["name"]
        if not trace:
            self._append("notification-controller", moment, dispatch_line(moment, stored))
