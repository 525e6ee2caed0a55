"""The one place that writes Flux `status`: pure functions that set conditions, revisions,
history and counters on an object dict the way the Flux 2.7 controllers do.

Every function edits the dict it is given (a copy: `ObjectStore.update` hands `mutate` a deep
copy, and the scenario builders own theirs) and returns it, so they can be used as `mutate`
callbacks. Conditions keep their `lastTransitionTime` while their status does not change, and
are ordered as fluxcd/pkg orders them (Stalled, Reconciling, Ready, then by type), with keys
in the order the fixtures show them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tuiops.sim.clock import rfc3339
from tuiops.sim.flux.conditions import (
    FORCE_AT,
    READY,
    RECONCILING,
    REQUESTED_AT,
    RESET_AT,
    STALLED,
    annotation,
    condition,
    dependency_not_ready,
    force_requested,
    generation_of,
    is_ready,
    mark_progressing,
    record_handled,
    remove_condition,
    reset_requested,
    set_condition,
    sorted_status,
    status_of,
)
from tuiops.sim.flux.durations import go_duration, kustomization_timeout, parse_duration

JsonObject = dict[str, Any]

RELEASED = "Released"
REMEDIATED = "Remediated"
ARTIFACT_IN_STORAGE = "ArtifactInStorage"

STORAGE_HOST = "http://source-controller.flux-system.svc.cluster.local."
"""Base of every artifact URL source-controller advertises."""

MAX_KUSTOMIZATION_HISTORY = 5
DEFAULT_MAX_HISTORY = 5
"""HelmRelease `spec.maxHistory` default."""

# -- Kustomization ---------------------------------------------------------------------------


def _kustomization_history(
    obj: JsonObject, now: datetime, revision: str, digest: str, reason: str, duration: str
) -> None:
    status = status_of(obj)
    history = [dict(entry) for entry in status.get("history", []) or []]
    stamp = rfc3339(now)
    if (
        history
        and history[0].get("digest") == digest
        and (history[0].get("lastReconciledStatus") == reason)
    ):
        # kustomize-controller updates the newest entry in place when nothing changed.
        head = history[0]
        head["lastReconciled"] = stamp
        head["lastReconciledDuration"] = duration
        head["totalReconciliations"] = int(head.get("totalReconciliations", 0)) + 1
    else:
        history.insert(
            0,
            {
                "digest": digest,
                "firstReconciled": stamp,
                "lastReconciled": stamp,
                "lastReconciledDuration": duration,
                "lastReconciledStatus": reason,
                "metadata": {"revision": revision},
                "totalReconciliations": 1,
            },
        )
    status["history"] = history[:MAX_KUSTOMIZATION_HISTORY]


def kustomization_applied(
    obj: JsonObject,
    now: datetime,
    revision: str,
    *,
    digest: str,
    inventory: list[JsonObject] | None = None,
    duration: str = "1.2s",
) -> JsonObject:
    """Ready=True/ReconciliationSucceeded with `Applied revision: <revision>`."""
    remove_condition(obj, RECONCILING)
    set_condition(
        obj, READY, "True", "ReconciliationSucceeded", f"Applied revision: {revision}", now
    )
    status = status_of(obj)
    status["lastAppliedRevision"] = revision
    status["lastAttemptedRevision"] = revision
    if inventory is not None:
        status["inventory"] = {"entries": inventory}
    _kustomization_history(obj, now, revision, digest, "ReconciliationSucceeded", duration)
    return record_handled(obj)


def kustomization_failed(
    obj: JsonObject,
    now: datetime,
    revision: str,
    message: str,
    *,
    digest: str,
    reason: str = "ReconciliationFailed",
    duration: str = "312.446571ms",
) -> JsonObject:
    """Ready=False with the controller's error text; the last applied revision stays."""
    remove_condition(obj, RECONCILING)
    set_condition(obj, READY, "False", reason, message, now)
    status_of(obj)["lastAttemptedRevision"] = revision
    _kustomization_history(obj, now, revision, digest, reason, duration)
    return record_handled(obj)


# -- sources ---------------------------------------------------------------------------------


def source_ready(
    obj: JsonObject,
    now: datetime,
    *,
    revision: str,
    digest: str,
    size: int,
    source_revision: str = "",
) -> JsonObject:
    """A source kind after a successful fetch: artifact, Ready and ArtifactInStorage.

    Args:
        obj: GitRepository, HelmRepository, OCIRepository or HelmChart.
        now: Time of the fetch.
        revision: `main@sha1:<hex>`, `sha256:<hex>` (index), `<tag>@sha256:<hex>` or the
            chart version.
        digest: `sha256:<hex>` of the artifact.
        size: Artifact size in bytes.
        source_revision: HelmChart only: the revision of its HelmRepository's index.
    """
    kind = str(obj.get("kind"))
    meta = obj.get("metadata", {})
    namespace, name = meta.get("namespace", ""), meta.get("name", "")
    spec = obj.get("spec", {})
    status = status_of(obj)
    hex_digest = digest.partition(":")[2]
    folder = f"{kind.lower()}/{namespace}/{name}"
    reason = "Succeeded"
    if kind == "HelmRepository" and spec.get("type") == "oci":
        # OCI Helm repositories store nothing; they only check the URL.
        status.pop("artifact", None)
        set_condition(obj, READY, "True", "Succeeded", "Helm repository is Ready", now)
        remove_condition(obj, RECONCILING)
        return record_handled(obj)
    if kind == "GitRepository":
        sha = revision.rpartition(":")[2]
        path = f"{folder}/{sha}.tar.gz"
        message = f"stored artifact for revision '{revision}'"
    elif kind == "HelmRepository":
        path = f"{folder}/index-{hex_digest}.yaml"
        message = f"stored artifact: revision '{revision}'"
        status["url"] = f"{STORAGE_HOST}/{folder}/index.yaml"
    elif kind == "OCIRepository":
        path = f"{folder}/{revision.rpartition(':')[2]}.tar.gz"
        message = f"stored artifact for digest '{revision}'"
        status["url"] = f"{STORAGE_HOST}/{folder}/latest.tar.gz"
        if isinstance(spec.get("layerSelector"), dict):
            status["observedLayerSelector"] = dict(spec["layerSelector"])
    else:
        chart = str(spec.get("chart", name))
        path = f"{folder}/{chart}-{revision}.tgz"
        message = f"pulled '{chart}' chart with version '{revision}'"
        reason = "ChartPullSucceeded"
        status["observedChartName"] = chart
        status["url"] = f"{STORAGE_HOST}/{folder}/latest.tar.gz"
        if source_revision:
            status["observedSourceArtifactRevision"] = source_revision
    previous = status.get("artifact", {})
    unchanged = isinstance(previous, dict) and previous.get("revision") == revision
    status["artifact"] = {
        "digest": digest,
        "lastUpdateTime": previous.get("lastUpdateTime", rfc3339(now))
        if unchanged
        else rfc3339(now),
        "path": path,
        "revision": revision,
        "size": size,
        "url": f"{STORAGE_HOST}/{path}",
    }
    remove_condition(obj, RECONCILING)
    set_condition(obj, READY, "True", reason, message, now)
    set_condition(obj, ARTIFACT_IN_STORAGE, "True", reason, message, now)
    return record_handled(obj)


# -- HelmRelease -----------------------------------------------------------------------------

_ACTION_REASON = {
    ("install", True): "InstallSucceeded",
    ("upgrade", True): "UpgradeSucceeded",
    ("install", False): "InstallFailed",
    ("upgrade", False): "UpgradeFailed",
}


def max_history(obj: Mapping[str, Any]) -> int:
    """`spec.maxHistory`, default 5 (0 means unlimited in Helm; keep 5 then)."""
    value = obj.get("spec", {}).get("maxHistory")
    return value if isinstance(value, int) and value > 0 else DEFAULT_MAX_HISTORY


def _push_history(obj: JsonObject, entry: JsonObject) -> None:
    status = status_of(obj)
    history = [dict(e) for e in status.get("history", []) or [] if isinstance(e, dict)]
    if entry.get("status") == "deployed":
        for old in history:
            if old.get("status") == "deployed":
                old["status"] = "superseded"
    history = [e for e in history if e.get("version") != entry.get("version")]
    history.insert(0, dict(entry))
    status["history"] = history[: max_history(obj)]


def _attempted(obj: JsonObject, action: str, entry: Mapping[str, Any], duration: str) -> None:
    status = status_of(obj)
    status["lastAttemptedConfigDigest"] = entry.get("configDigest", "")
    status["lastAttemptedGeneration"] = generation_of(obj)
    status["lastAttemptedReleaseAction"] = action
    status["lastAttemptedReleaseActionDuration"] = duration
    status["lastAttemptedRevision"] = entry.get("chartVersion", "")
    if entry.get("ociDigest"):
        status["lastAttemptedRevisionDigest"] = entry["ociDigest"]
    spec = obj.get("spec", {})
    namespace = obj.get("metadata", {}).get("namespace", "")
    name = obj.get("metadata", {}).get("name", "")
    chart_spec = (spec.get("chart") or {}).get("spec") if isinstance(spec, dict) else None
    if isinstance(chart_spec, dict):
        source_ns = (chart_spec.get("sourceRef") or {}).get("namespace") or namespace
        status["helmChart"] = f"{source_ns}/{namespace}-{name}"
    status["storageNamespace"] = (
        spec.get("storageNamespace") or spec.get("targetNamespace") or namespace
    )


def _chart_label(entry: Mapping[str, Any]) -> str:
    return f"{entry.get('chartName', '')}@{entry.get('chartVersion', '')}"


def helm_progressing(obj: JsonObject, now: datetime, action: str, timeout: str) -> JsonObject:
    """Ready=Unknown/Progressing `Running '<action>' action with timeout of <timeout>`."""
    return mark_progressing(obj, now, f"Running '{action}' action with timeout of {timeout}")


def helm_succeeded(
    obj: JsonObject, now: datetime, *, action: str, entry: JsonObject, duration: str
) -> JsonObject:
    """A successful install or upgrade: Ready/Released True, history, counters cleared."""
    message = (
        f"Helm {action} succeeded for release {entry.get('namespace')}/{entry.get('name')}"
        f".v{entry.get('version')} with chart {_chart_label(entry)}"
    )
    reason = _ACTION_REASON[(action, True)]
    for type_ in (RECONCILING, STALLED, REMEDIATED):
        remove_condition(obj, type_)
    set_condition(obj, READY, "True", reason, message, now)
    set_condition(obj, RELEASED, "True", reason, message, now)
    for counter in ("failures", "installFailures", "upgradeFailures"):
        status_of(obj).pop(counter, None)
    _push_history(obj, entry)
    _attempted(obj, action, entry, duration)
    return record_handled(obj)


def helm_in_sync(obj: JsonObject, now: datetime) -> JsonObject:
    """Nothing to do: Ready goes back to the last release result (kept in Released)."""
    remove_condition(obj, RECONCILING)
    released = condition(obj, RELEASED)
    if released is not None:
        set_condition(
            obj,
            READY,
            str(released.get("status")),
            str(released.get("reason")),
            str(released.get("message")),
            now,
        )
    return record_handled(obj)


def helm_failed(
    obj: JsonObject,
    now: datetime,
    *,
    action: str,
    entry: JsonObject,
    error: str,
    duration: str,
    retries: int,
) -> JsonObject:
    """A failed install or upgrade: Ready/Released False, failure counters, Stalled when the
    failures exceed `retries` (`RetriesExceeded`)."""
    message = (
        f"Helm {action} failed for release {entry.get('namespace')}/{entry.get('name')}"
        f" with chart {_chart_label(entry)}: {error}"
    )
    reason = _ACTION_REASON[(action, False)]
    remove_condition(obj, RECONCILING)
    set_condition(obj, READY, "False", reason, message, now)
    set_condition(obj, RELEASED, "False", reason, message, now)
    status = status_of(obj)
    status["failures"] = int(status.get("failures", 0)) + 1
    counter = "upgradeFailures" if action == "upgrade" else "installFailures"
    status[counter] = int(status.get(counter, 0)) + 1
    if status["failures"] > retries:
        set_condition(
            obj,
            STALLED,
            "True",
            "RetriesExceeded",
            f"Failed to {action} after {status['failures']} attempt(s)",
            now,
        )
    _push_history(obj, entry)
    _attempted(obj, action, entry, duration)
    return record_handled(obj)


def helm_rolled_back(
    obj: JsonObject, now: datetime, *, target: Mapping[str, Any], entry: JsonObject
) -> JsonObject:
    """Remediated=True/RollbackSucceeded; `entry` is the new revision the rollback made and
    `target` the history entry it restored."""
    message = (
        f"Helm rollback to previous release {target.get('namespace')}/{target.get('name')}"
        f".v{target.get('version')} with chart {_chart_label(target)} succeeded"
    )
    set_condition(obj, REMEDIATED, "True", "RollbackSucceeded", message, now)
    _push_history(obj, entry)
    return sorted_status(obj)


def reset_failures(obj: JsonObject) -> JsonObject:
    """What `--reset` does: failure counters cleared, so retries start again."""
    for counter in ("failures", "installFailures", "upgradeFailures"):
        status_of(obj).pop(counter, None)
    remove_condition(obj, STALLED)
    return sorted_status(obj)


__all__ = [
    "ARTIFACT_IN_STORAGE",
    "FORCE_AT",
    "READY",
    "RECONCILING",
    "RELEASED",
    "REMEDIATED",
    "REQUESTED_AT",
    "RESET_AT",
    "STALLED",
    "annotation",
    "condition",
    "dependency_not_ready",
    "force_requested",
    "generation_of",
    "go_duration",
    "helm_failed",
    "helm_in_sync",
    "helm_progressing",
    "helm_rolled_back",
    "helm_succeeded",
    "is_ready",
    "kustomization_applied",
    "kustomization_failed",
    "kustomization_timeout",
    "mark_progressing",
    "max_history",
    "parse_duration",
    "record_handled",
    "remove_condition",
    "reset_failures",
    "reset_requested",
    "set_condition",
    "source_ready",
]
