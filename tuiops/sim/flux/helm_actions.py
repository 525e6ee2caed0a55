"""Helm actions as helm-controller runs them, applied to a HelmRelease dict and the revisions
in its Helm storage: install/upgrade (succeeding or failing), rollback remediation, and
`maxHistory` pruning.

Both the scenario builders (which replay a release's past) and the simulated helm-controller
use these, so a scenario's `status.history`, conditions and storage Secrets always agree with
what the controllers would have produced.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tuiops.domain.helm import shorten_release_name
from tuiops.sim.flux import status as flux_status
from tuiops.sim.flux.helm_storage import build_release, history_entry

JsonObject = dict[str, Any]

DEFAULT_TIMEOUT = "5m0s"


def release_name_of(obj: Mapping[str, Any]) -> str:
    """`spec.releaseName`, else `[<targetNamespace>-]<name>`, shortened like helm-controller."""
    spec = obj.get("spec", {})
    name = str(obj.get("metadata", {}).get("name", ""))
    target = spec.get("targetNamespace")
    predicted = f"{target}-{name}" if target else name
    return shorten_release_name(str(spec.get("releaseName") or predicted))


def release_namespace_of(obj: Mapping[str, Any]) -> str:
    """Where the chart's objects go: `spec.targetNamespace` or the object's namespace."""
    spec = obj.get("spec", {})
    return str(spec.get("targetNamespace") or obj.get("metadata", {}).get("namespace", ""))


def storage_namespace_of(obj: Mapping[str, Any]) -> str:
    """Namespace of the storage Secrets: `spec.storageNamespace`, else the release's."""
    spec = obj.get("spec", {})
    return str(spec.get("storageNamespace") or release_namespace_of(obj))


def timeout_of(obj: Mapping[str, Any]) -> str:
    """`spec.timeout` as a Go duration, default 5m0s."""
    text = obj.get("spec", {}).get("timeout")
    if not isinstance(text, str):
        return DEFAULT_TIMEOUT
    return flux_status.go_duration(flux_status.parse_duration(text, 300.0))


def retries_of(obj: Mapping[str, Any], action: str) -> int:
    """`spec.<action>.remediation.retries`, 0 when unset."""
    remediation = (obj.get("spec", {}).get(action) or {}).get("remediation") or {}
    value = remediation.get("retries")
    return value if isinstance(value, int) and value >= 0 else 0


def remediates_last_failure(obj: Mapping[str, Any]) -> bool:
    """`upgrade.remediation.remediateLastFailure`; defaults to true when retries > 0."""
    remediation = (obj.get("spec", {}).get("upgrade") or {}).get("remediation") or {}
    value = remediation.get("remediateLastFailure")
    if isinstance(value, bool):
        return value
    return retries_of(obj, "upgrade") > 0


@dataclass
class HelmStorage:
    """The stored revisions of one release (decoded release JSON), oldest first, and what an
    action changed since `take_writes()` was last called."""

    releases: list[JsonObject] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)

    def latest(self) -> JsonObject | None:
        """The newest revision, None before the first install."""
        return self.releases[-1] if self.releases else None

    def deployed(self) -> JsonObject | None:
        """The newest release whose status is `deployed`."""
        return next((r for r in reversed(self.releases) if r["info"]["status"] == "deployed"), None)

    def get(self, revision: int) -> JsonObject | None:
        """The release of `revision`, None when pruned or never made."""
        return next((r for r in self.releases if r["version"] == revision), None)

    def next_revision(self) -> int:
        """The version number the next action gets."""
        return max((int(r["version"]) for r in self.releases), default=0) + 1

    def _set_status(self, release: JsonObject, status: str) -> None:
        if release["info"]["status"] != status:
            release["info"]["status"] = status
            if release["version"] not in self.created:
                self.updated.append(int(release["version"]))

    def _add(self, release: JsonObject, max_history: int) -> None:
        self.releases.append(release)
        self.created.append(int(release["version"]))
        # Helm's MaxHistory: drop the oldest revisions, never the deployed one.
        while len(self.releases) > max_history:
            keep = self.deployed()
            victim = next(r for r in self.releases if r is not keep)
            self.releases.remove(victim)
            revision = int(victim["version"])
            if revision in self.created:
                self.created.remove(revision)
            else:
                self.deleted.append(revision)
            if revision in self.updated:
                self.updated.remove(revision)

    def take_writes(self) -> tuple[list[JsonObject], list[JsonObject], list[int]]:
        """(created releases, updated releases, deleted revisions) since the last call."""
        created = [r for r in self.releases if r["version"] in self.created]
        updated = [r for r in self.releases if r["version"] in self.updated]
        deleted = list(self.deleted)
        self.created, self.updated, self.deleted = [], [], []
        return created, updated, deleted


def run_release(
    obj: JsonObject,
    storage: HelmStorage,
    now: datetime,
    *,
    chart: str,
    version: str,
    config: Mapping[str, Any],
    error: str | None = None,
    duration: str = "3.472118094s",
    oci_digest: str = "",
) -> JsonObject:
    """Install (no revision yet) or upgrade `obj`'s release to `chart@version` with `config`.

    Success makes a `deployed` revision and supersedes the previous deployed one; `error`
    makes a `failed` revision and leaves the deployed one alone (Helm's behaviour), updating
    failure counters and Stalled on `obj`.

    Returns:
        The new release.
    """
    action = "upgrade" if storage.releases else "install"
    name = release_name_of(obj)
    first = storage.releases[0]["info"]["first_deployed"] if storage.releases else None
    first_time = datetime.fromisoformat(first.replace("Z", "+00:00")) if first else now
    if error is None:
        description = "Install complete" if action == "install" else "Upgrade complete"
    else:
        verb = "Release" if action == "install" else "Upgrade"
        description = f'{verb} "{name}" failed: {error}'
    release = build_release(
        name=name,
        namespace=release_namespace_of(obj),
        revision=storage.next_revision(),
        chart=chart,
        version=version,
        status="deployed" if error is None else "failed",
        description=description,
        first_deployed=first_time,
        last_deployed=now,
        config=config,
    )
    if error is None:
        for old in storage.releases:
            if old["info"]["status"] == "deployed":
                storage._set_status(old, "superseded")
    storage._add(release, flux_status.max_history(obj))
    entry = history_entry(release, oci_digest=oci_digest)
    if error is None:
        flux_status.helm_succeeded(obj, now, action=action, entry=entry, duration=duration)
    else:
        retries = retries_of(obj, action)
        flux_status.helm_failed(
            obj, now, action=action, entry=entry, error=error, duration=duration, retries=retries
        )
    return release


def rollback(obj: JsonObject, storage: HelmStorage, now: datetime) -> JsonObject | None:
    """Remediate a failed upgrade by rolling back to the deployed revision.

    Returns:
        The new revision the rollback made, or None when nothing was deployed.
    """
    target = storage.deployed()
    if target is None:
        return None
    release = build_release(
        name=target["name"],
        namespace=target["namespace"],
        revision=storage.next_revision(),
        chart=target["chart"]["metadata"]["name"],
        version=target["chart"]["metadata"]["version"],
        status="deployed",
        description=f"Rollback to {target['version']}",
        first_deployed=datetime.fromisoformat(
            target["info"]["first_deployed"].replace("Z", "+00:00")
        ),
        last_deployed=now,
        config=target["config"],
    )
    target_entry = history_entry(target)
    storage._set_status(target, "superseded")
    storage._add(release, flux_status.max_history(obj))
    flux_status.helm_rolled_back(obj, now, target=target_entry, entry=history_entry(release))
    return release


def upgrade_with_retries(
    obj: JsonObject,
    storage: HelmStorage,
    now: datetime,
    *,
    chart: str,
    version: str,
    config: Mapping[str, Any],
    error: str,
    step_seconds: float = 30.0,
    on_step: Callable[[str, JsonObject, datetime], None] | None = None,
) -> datetime:
    """Replay a failing upgrade until retries are exhausted (scenario history).

    Each attempt fails with `error`; every failure but the last is rolled back, and the last
    one too when `remediateLastFailure` holds. `on_step(step, release, time)` is told of each
    `failed` and `rollback` revision (for events and log lines).

    Returns:
        The time of the last step.
    """
    moment = now
    retries = retries_of(obj, "upgrade")
    for attempt in range(retries + 1):
        failed = run_release(
            obj, storage, moment, chart=chart, version=version, config=config, error=error
        )
        if on_step is not None:
            on_step("failed", failed, moment)
        moment += timedelta(seconds=step_seconds)
        if attempt < retries or remediates_last_failure(obj):
            restored = rollback(obj, storage, moment)
            if on_step is not None and restored is not None:
                on_step("rollback", restored, moment)
            moment += timedelta(seconds=step_seconds)
    return moment
