"""Pure converters from raw Kubernetes API objects and controller log text to live domain objects.

This is the only module that reads raw API dicts for Flux objects, Events, controller log lines
and Helm storage Secrets. Input comes from a cluster we do not control, so every accessor
tolerates a missing key or a value of the wrong type; `DecodeError` is raised only when an input
cannot name what it is about, or when a Helm Secret's payload cannot be unpacked.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any, TypedDict

from tuiops.domain.decode import as_list, as_map, as_str, source_ref
from tuiops.domain.events import Event, EventType
from tuiops.domain.helm import (
    ReleaseRevision,
    ReleaseStatus,
    canonical_values_json,
    helm_storage_secret_name,
    shorten_release_name,
    unpack_release_payload,
)
from tuiops.domain.live import LiveObject, ReleaseHistoryEntry
from tuiops.domain.logs import LogLine
from tuiops.domain.refs import ObjectRef
from tuiops.domain.status import Condition, ConditionStatus

__all__ = [
    "DecodeError",
    "decode_event",
    "decode_helm_release",
    "decode_helm_release_secret",
    "decode_live_object",
    "decode_log_line",
    "helm_storage_secret_name",
]


class DecodeError(ValueError):
    """Raised when an API object or payload is too broken to describe anything."""


def _opt_int(value: object) -> int | None:
    """JSON integers (and integral floats) as int; booleans and anything else as None."""
    if type(value) is int:  # the common case (a bool is not exactly int)
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _as_int(value: object, default: int = 0) -> int:
    number = _opt_int(value)
    return default if number is None else number


def _text(value: object) -> str:
    """Strings as they are, anything else as empty (log lines carry strings only)."""
    return value if isinstance(value, str) else ""


def _pairs(value: object) -> tuple[tuple[str, str], ...]:
    """A string map (labels, annotations) as sorted pairs; non-string values are dropped."""
    return tuple(sorted((str(k), v) for k, v in as_map(value).items() if isinstance(v, str)))


def _condition(raw: object) -> Condition | None:
    cond = as_map(raw)
    type_ = as_str(cond.get("type"))
    if not type_:
        return None
    return Condition(
        type=type_,
        status=ConditionStatus.parse(as_str(cond.get("status"))),
        reason=as_str(cond.get("reason")),
        message=as_str(cond.get("message")),
        last_transition_time=as_str(cond.get("lastTransitionTime")),
        observed_generation=_as_int(cond.get("observedGeneration")),
    )


def _conditions(status: Mapping[str, Any]) -> tuple[Condition, ...]:
    decoded = (_condition(raw) for raw in as_list(status.get("conditions")))
    return tuple(c for c in decoded if c is not None)


def _depends_on(spec: Mapping[str, Any], kind: str, namespace: str) -> tuple[ObjectRef, ...]:
    refs: list[ObjectRef] = []
    for raw in as_list(spec.get("dependsOn")):
        entry = as_map(raw)
        name = as_str(entry.get("name"))
        if name:
            refs.append(ObjectRef(kind, as_str(entry.get("namespace"), namespace), name))
    return tuple(refs)


def _history_entry(raw: object) -> ReleaseHistoryEntry:
    entry = as_map(raw)
    return ReleaseHistoryEntry(
        version=_as_int(entry.get("version")),
        status=ReleaseStatus.parse(as_str(entry.get("status"))),
        chart_name=as_str(entry.get("chartName")),
        chart_version=as_str(entry.get("chartVersion")),
        app_version=as_str(entry.get("appVersion")),
        config_digest=as_str(entry.get("configDigest")),
        digest=as_str(entry.get("digest")),
        first_deployed=as_str(entry.get("firstDeployed")),
        last_deployed=as_str(entry.get("lastDeployed")),
        name=as_str(entry.get("name")),
        namespace=as_str(entry.get("namespace")),
    )


class _KindFields(TypedDict, total=False):
    """`LiveObject` fields that only some kinds have, checked by mypy when unpacked."""

    source: ObjectRef | None
    path: str
    inventory: tuple[str, ...]
    artifact_revision: str
    url: str
    chart_name: str
    chart_version: str
    uses_chart_ref: bool
    helm_chart: ObjectRef | None
    release_name: str
    storage_namespace: str
    history: tuple[ReleaseHistoryEntry, ...]
    failures: int
    install_failures: int
    upgrade_failures: int
    last_handled_force_at: str
    last_handled_reset_at: str


def _helm_release_fields(
    spec: Mapping[str, Any], status: Mapping[str, Any], namespace: str, name: str
) -> _KindFields:
    chart_ref = as_map(spec.get("chartRef"))
    if chart_ref:
        chart_name = as_str(chart_ref.get("name"))
        chart_version = ""
        source = source_ref(chart_ref, "OCIRepository", namespace)
    else:
        chart_spec = as_map(as_map(spec.get("chart")).get("spec"))
        chart_name = as_str(chart_spec.get("chart"))
        chart_version = as_str(chart_spec.get("version"))
        source = source_ref(chart_spec.get("sourceRef"), "HelmRepository", namespace)
    history = tuple(_history_entry(raw) for raw in as_list(status.get("history")))
    target_namespace = as_str(spec.get("targetNamespace"))
    # The newest history entry names the release Helm really has; the spec only predicts it.
    release_name = history[0].name if history else ""
    if not release_name:
        predicted = f"{target_namespace}-{name}" if target_namespace else name
        release_name = shorten_release_name(as_str(spec.get("releaseName")) or predicted)
    chart_namespace, _, chart_object = as_str(status.get("helmChart")).partition("/")
    return _KindFields(
        source=source,
        chart_name=chart_name,
        chart_version=chart_version,
        uses_chart_ref=bool(chart_ref),
        helm_chart=ObjectRef("HelmChart", chart_namespace, chart_object) if chart_object else None,
        release_name=release_name,
        storage_namespace=as_str(status.get("storageNamespace"))
        or as_str(spec.get("storageNamespace"))
        or target_namespace
        or namespace,
        history=history,
        failures=_as_int(status.get("failures")),
        install_failures=_as_int(status.get("installFailures")),
        upgrade_failures=_as_int(status.get("upgradeFailures")),
        last_handled_force_at=as_str(status.get("lastHandledForceAt")),
        last_handled_reset_at=as_str(status.get("lastHandledResetAt")),
    )


def _kind_fields(
    kind: str, spec: Mapping[str, Any], status: Mapping[str, Any], namespace: str, name: str
) -> _KindFields:
    if kind == "HelmRelease":
        return _helm_release_fields(spec, status, namespace, name)
    if kind == "Kustomization":
        entries = as_list(as_map(status.get("inventory")).get("entries"))
        ids = (as_str(as_map(entry).get("id")) for entry in entries)
        return _KindFields(
            source=source_ref(spec.get("sourceRef"), "GitRepository", namespace),
            path=as_str(spec.get("path")),
            inventory=tuple(i for i in ids if i),
        )
    fields = _KindFields(
        artifact_revision=as_str(as_map(status.get("artifact")).get("revision")),
        url=as_str(spec.get("url")),
    )
    if kind == "HelmChart":
        # A HelmChart's sourceRef has no namespace field: its source always sits beside it.
        ref = as_map(spec.get("sourceRef"))
        source_name = as_str(ref.get("name"))
        fields["source"] = (
            ObjectRef(as_str(ref.get("kind"), "HelmRepository"), namespace, source_name)
            if source_name
            else None
        )
        fields["chart_name"] = as_str(spec.get("chart"))
        fields["chart_version"] = as_str(spec.get("version"))
    return fields


def decode_live_object(obj: Mapping[str, Any]) -> LiveObject:
    """A Flux object (any kind) as the API server returned it.

    Args:
        obj: One item of a list/get/watch response, as parsed JSON.

    Returns:
        The decoded object; missing or mistyped fields take their defaults.

    Raises:
        DecodeError: `obj` is not a mapping, or has no `kind` or no `metadata.name`.
    """
    if not isinstance(obj, Mapping):
        raise DecodeError(f"expected an API object, got {type(obj).__name__}")
    metadata = as_map(obj.get("metadata"))
    kind = as_str(obj.get("kind"))
    name = as_str(metadata.get("name"))
    if not kind or not name:
        raise DecodeError("API object without kind or metadata.name")
    namespace = as_str(metadata.get("namespace"))
    spec = as_map(obj.get("spec"))
    status = as_map(obj.get("status"))
    return LiveObject(
        ref=ObjectRef(kind, namespace, name),
        api_version=as_str(obj.get("apiVersion")),
        uid=as_str(metadata.get("uid")),
        resource_version=as_str(metadata.get("resourceVersion")),
        generation=_as_int(metadata.get("generation")),
        observed_generation=_opt_int(status.get("observedGeneration")),
        created=as_str(metadata.get("creationTimestamp")),
        deleting=bool(as_str(metadata.get("deletionTimestamp"))),
        labels=_pairs(metadata.get("labels")),
        annotations=_pairs(metadata.get("annotations")),
        suspended=spec.get("suspend") is True,
        conditions=_conditions(status),
        depends_on=_depends_on(spec, kind, namespace),
        last_applied_revision=as_str(status.get("lastAppliedRevision")),
        last_attempted_revision=as_str(status.get("lastAttemptedRevision")),
        last_handled_reconcile_at=as_str(status.get("lastHandledReconcileAt")),
        **_kind_fields(kind, spec, status, namespace, name),
    )


def decode_event(obj: Mapping[str, Any]) -> Event:
    """A core/v1 Event (also the core view of an events.k8s.io Event).

    Args:
        obj: One item of an EventList or a watch, as parsed JSON.

    Returns:
        The decoded Event; timestamps fall back to `eventTime` and the series when the legacy
        fields are empty, and `count` is at least 1.

    Raises:
        DecodeError: `obj` is not a mapping or does not name its involved object.
    """
    if not isinstance(obj, Mapping):
        raise DecodeError(f"expected an Event, got {type(obj).__name__}")
    involved = as_map(obj.get("involvedObject"))
    kind = as_str(involved.get("kind"))
    name = as_str(involved.get("name"))
    if not kind or not name:
        raise DecodeError("Event without involvedObject kind or name")
    metadata = as_map(obj.get("metadata"))
    series = as_map(obj.get("series"))
    event_time = as_str(obj.get("eventTime"))
    first = (
        as_str(obj.get("firstTimestamp")) or event_time or as_str(metadata.get("creationTimestamp"))
    )
    last = as_str(obj.get("lastTimestamp")) or as_str(series.get("lastObservedTime")) or first
    count = _as_int(obj.get("count"))
    if count < 1:
        count = max(1, _as_int(series.get("count")))
    return Event(
        involved=ObjectRef(kind, as_str(involved.get("namespace")), name),
        involved_api_version=as_str(involved.get("apiVersion")),
        type=EventType.WARNING if obj.get("type") == "Warning" else EventType.NORMAL,
        reason=as_str(obj.get("reason")),
        message=as_str(obj.get("message")),
        count=count,
        first_timestamp=first,
        last_timestamp=last,
        source_component=as_str(as_map(obj.get("source")).get("component"))
        or as_str(obj.get("reportingComponent")),
        annotations=_pairs(metadata.get("annotations")),
        name=as_str(metadata.get("name")),
        namespace=as_str(metadata.get("namespace")),
        involved_uid=as_str(involved.get("uid")),
    )


def decode_log_line(text: str) -> LogLine | None:
    """One line of a Flux controller's log, read the way `flux logs` reads it.

    Args:
        text: The line, with or without its line terminator.

    Returns:
        The decoded line, or None when it does not start with `{` (flux skips those too) or is
        not a JSON object. Keys that are missing or not strings read as empty.
    """
    if not isinstance(text, str):
        return None
    raw = text.rstrip("\r\n")
    if not raw.startswith("{"):
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    controller_kind = _text(data.get("controllerKind"))
    return LogLine(
        ts=_text(data.get("ts")),
        level=_text(data.get("level")),
        controller=_text(data.get("controller")),
        # `flux logs` prints `{{or .Kind .ControllerKind}}` with Kind the pre-2022 key.
        kind=_text(data.get("reconciler kind")) or controller_kind,
        name=_text(data.get("name")),
        namespace=_text(data.get("namespace")),
        message=_text(data.get("msg")),
        error=_text(data.get("error")),
        logger=_text(data.get("logger")),
        raw=raw,
        controller_kind=controller_kind,
    )


def _release_revision(release: Mapping[str, Any], labels: Mapping[str, Any]) -> ReleaseRevision:
    info = as_map(release.get("info"))
    chart = as_map(as_map(release.get("chart")).get("metadata"))
    # The storage labels repeat name, status and version; they stand in when the JSON lacks them.
    name = as_str(release.get("name")) or as_str(labels.get("name"))
    revision = _opt_int(release.get("version"))
    version_label = as_str(labels.get("version"))
    if revision is None and re.fullmatch(r"[0-9]{1,9}", version_label):
        revision = int(version_label)
    if not name or revision is None or revision < 1:
        raise DecodeError("Helm release without a name or a revision number")
    try:
        values_json = canonical_values_json(release.get("config"))
    except (ValueError, RecursionError) as err:
        raise DecodeError(f"Helm release {name}.v{revision}: unreadable config: {err}") from err
    manifest = as_str(release.get("manifest"))
    digest = hashlib.sha256(manifest.encode("utf-8", "surrogatepass")).hexdigest()
    return ReleaseRevision(
        name=name,
        namespace=as_str(release.get("namespace")),
        revision=revision,
        status=ReleaseStatus.parse(as_str(info.get("status")) or as_str(labels.get("status"))),
        chart_name=as_str(chart.get("name")),
        chart_version=as_str(chart.get("version")),
        app_version=as_str(chart.get("appVersion")),
        first_deployed=as_str(info.get("first_deployed")),
        last_deployed=as_str(info.get("last_deployed")),
        description=as_str(info.get("description")),
        values_json=values_json,
        manifest_digest=f"sha256:{digest}" if manifest else "",
    )


def decode_helm_release(release: Mapping[str, Any]) -> ReleaseRevision:
    """A Helm v3 release object (`pkg/release.Release` as JSON), already unpacked.

    Args:
        release: The release JSON, e.g. what `base64 -d | base64 -d | gzip -d` prints.

    Returns:
        The revision.

    Raises:
        DecodeError: No name or revision, or a `config` that cannot be re-serialised.
    """
    if not isinstance(release, Mapping):
        raise DecodeError(f"expected a Helm release object, got {type(release).__name__}")
    return _release_revision(release, {})


def decode_helm_release_secret(secret: Mapping[str, Any]) -> ReleaseRevision:
    """One revision from a Helm storage Secret (`sh.helm.release.v1.<release>.v<N>`).

    Args:
        secret: The Secret as the API server returns it (`data` still base64-encoded).

    Returns:
        The revision.

    Raises:
        DecodeError: No `data.release`, a payload that is not base64(base64(gzip(JSON))) of an
            object, or a release without name or revision. The message names the Secret.
    """
    if not isinstance(secret, Mapping):
        raise DecodeError(f"expected a Secret, got {type(secret).__name__}")
    metadata = as_map(secret.get("metadata"))
    label = as_str(metadata.get("name")) or "(unnamed Secret)"
    payload = as_map(secret.get("data")).get("release")
    if not isinstance(payload, str) or not payload:
        raise DecodeError(f"{label}: no data.release")
    try:
        release = json.loads(unpack_release_payload(payload))
    except (ValueError, RecursionError) as err:
        raise DecodeError(f"{label}: {err}") from err
    if not isinstance(release, dict):
        raise DecodeError(f"{label}: release is not a JSON object")
    try:
        return _release_revision(release, as_map(metadata.get("labels")))
    except DecodeError as err:
        raise DecodeError(f"{label}: {err}") from err
