"""The `degraded` scenario's situations, cast on the example repo's HelmReleases and played
through the same status functions the controllers use:

- **failing**: an upgrade that times out on every attempt until retries are exhausted (Stalled
  RetriesExceeded, Ready False UpgradeFailed, Remediated RollbackSucceeded from the earlier
  rollbacks, the failed revision on top of the deployed one; `remediateLastFailure: false`,
  so the last failure is left in place);
- **blocked**: the HelmReleases that depend on it, directly or transitively (Ready False
  DependencyNotReady);
- **suspended**: an app with `spec.suspend: true` (Ready keeps its last value);
- **upgrading**: an upgrade in progress (Ready Unknown Progressing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tuiops.domain.refs import ObjectRef
from tuiops.sim.flux import status as flux_status
from tuiops.sim.flux.helm_actions import release_name_of, timeout_of, upgrade_with_retries
from tuiops.sim.flux.helm_storage import history_entry, previous_version
from tuiops.sim.flux.objects import chart_name_of, object_key, release_annotations
from tuiops.sim.scenarios.build import ScenarioBuilder
from tuiops.sim.scenarios.objects import RepoObjects, desired_chart_version

JsonObject = dict[str, Any]

PREFERRED_FAILING = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")
PREFERRED_SUSPENDED = ObjectRef("HelmRelease", "plex", "plex")
PREFERRED_UPGRADING = ObjectRef("HelmRelease", "longhorn-system", "longhorn")
FAILED_AGO = timedelta(minutes=42, seconds=17)
UPGRADE_STARTED_AGO = timedelta(seconds=95)


def failing_error(release: str) -> str:
    """The error the failing release's upgrade keeps hitting: Helm's wait for the release's
    objects runs out of time (a worker Deployment cannot create pods; see
    `release_workloads`), which is all helm-controller reports (helm-controller #716)."""
    return "context deadline exceeded"


@dataclass(frozen=True, slots=True)
class DegradedRoles:
    """Which HelmReleases play which part in `degraded`."""

    failing: ObjectRef
    blocked: tuple[ObjectRef, ...]
    suspended: ObjectRef
    upgrading: ObjectRef

    def special(self) -> frozenset[ObjectRef]:
        """Every HelmRelease with a part (built by `play_degraded`)."""
        return frozenset({self.failing, self.suspended, self.upgrading, *self.blocked})

    def as_keys(self) -> dict[str, tuple[str, ...]]:
        """Role → `Kind/ns/name`s, as `Scenario.roles` holds them."""
        return {
            "failing": (str(self.failing),),
            "blocked": tuple(str(ref) for ref in self.blocked),
            "suspended": (str(self.suspended),),
            "upgrading": (str(self.upgrading),),
        }


def _dependents(repo: RepoObjects, root: ObjectRef) -> tuple[ObjectRef, ...]:
    """HelmReleases that depend on `root` directly or transitively, in repo order."""
    found: list[ObjectRef] = []
    frontier = {root}
    while frontier:
        step = [
            item.ref
            for item in repo.helm_releases
            if item.helm_release is not None
            and item.ref not in found
            and any(dep in frontier for dep in item.helm_release.depends_on)
        ]
        found.extend(step)
        frontier = set(step)
    order = [item.ref for item in repo.helm_releases]
    return tuple(sorted(found, key=order.index))


def pick_roles(repo: RepoObjects) -> DegradedRoles:
    """Cast the roles: the preferred example-repo releases when present, otherwise the
    release with the most dependents and the first suitable others."""
    refs = [item.ref for item in repo.helm_releases]
    if not refs:
        raise ValueError("the repo's cluster has no HelmRelease to degrade")
    failing = PREFERRED_FAILING
    if failing not in refs or not _dependents(repo, failing):
        failing = max(refs, key=lambda ref: (len(_dependents(repo, ref)), -refs.index(ref)))
    blocked = _dependents(repo, failing)
    used = {failing, *blocked}

    def pick(preferred: ObjectRef, fits: Any) -> ObjectRef:
        if preferred in refs and preferred not in used:
            return preferred
        spare = [r for r in refs if r not in used]
        chosen = next((r for r in reversed(spare) if fits(r)), spare[-1] if spare else refs[-1])
        return chosen

    docs = {item.ref: item.doc for item in repo.helm_releases}
    suspended = pick(PREFERRED_SUSPENDED, lambda ref: True)
    used.add(suspended)
    upgrading = pick(
        PREFERRED_UPGRADING, lambda ref: "timeout" not in (docs[ref].get("spec") or {})
    )
    return DegradedRoles(failing, blocked, suspended, upgrading)


def play_degraded(builder: ScenarioBuilder, roles: DegradedRoles) -> None:
    """Build the role HelmReleases in their degraded states (others are built already)."""
    failed_at = builder.now - FAILED_AGO
    _play_failing(builder, roles.failing, failed_at)
    for ref in roles.blocked:
        _play_blocked(builder, ref, failed_at, roles)
    _play_suspended(builder, roles.suspended)
    _play_upgrading(builder, roles.upgrading)


def _earlier(builder: ScenarioBuilder, before: datetime) -> datetime:
    return before - timedelta(days=builder.rng.randint(3, 30), minutes=builder.rng.randint(1, 600))


def _play_failing(builder: ScenarioBuilder, ref: ObjectRef, failed_at: datetime) -> None:
    obj = builder.helm_release(builder.release_of(ref))
    target = desired_chart_version(obj, builder.sources()) or "1.0.0"
    storage, modified = builder.release_history(
        obj, previous_version(target), 2, last=_earlier(builder, failed_at), values_age=1
    )
    obj["metadata"]["generation"] += 1  # the commit that bumped the chart version
    upgrade = obj["spec"].setdefault("upgrade", {})
    upgrade.setdefault("remediation", {})["remediateLastFailure"] = False
    obj["spec"] = dict(sorted(obj["spec"].items()))
    error = failing_error(release_name_of(obj))
    builder.failing[object_key(obj)] = error
    seen: dict[tuple[str, str], tuple[datetime, datetime, int, dict[str, str]]] = {}
    rid = builder.rid()
    timeout = timeout_of(obj)
    builder.log(
        obj, failed_at, "release out-of-sync with desired state: release chart changed", rid=rid
    )

    def on_step(step: str, release: JsonObject, moment: datetime) -> None:
        builder.note_writes(storage, moment, modified)
        if step == "failed":
            cond = flux_status.condition(obj, flux_status.READY) or {}
            key = ("UpgradeFailed", str(cond.get("message", "")))
            action = "upgrade"
        else:
            cond = flux_status.condition(obj, flux_status.REMEDIATED) or {}
            key = ("RollbackSucceeded", str(cond.get("message", "")))
            action = "rollback"
        builder.log(
            obj,
            moment - timedelta(seconds=1),
            f"running '{action}' action with timeout of {timeout}",
            rid=rid,
        )
        first, _, count, _ = seen.get(key, (moment, moment, 0, {}))
        seen[key] = (first, moment, count + 1, release_annotations(history_entry(release)))
        if step == "failed":
            builder.log(obj, moment, "Reconciler error", level="error", rid=rid, error=key[1])

    last = upgrade_with_retries(
        obj,
        storage,
        failed_at,
        chart=chart_name_of(obj),
        version=target,
        config=obj["spec"].get("values") or {},
        error=error,
        on_step=on_step,
    )
    for (reason, message), (first, latest, count, metadata) in seen.items():
        builder.event(
            obj,
            reason,
            message,
            first,
            last=latest,
            count=count,
            warning=reason.endswith("Failed"),
            annotations=metadata,
        )
    terminal = "terminal error: exceeded maximum retries: cannot remediate failed release"
    for moment in (last, builder.now - timedelta(seconds=builder.rng.randint(20, 400))):
        builder.log(obj, moment, "Reconciler error", level="error", error=terminal)
    builder.finish_release(obj, storage, modified, in_sync=False)


def _play_blocked(
    builder: ScenarioBuilder, ref: ObjectRef, failed_at: datetime, roles: DegradedRoles
) -> None:
    item = builder.release_of(ref)
    obj = builder.helm_release(item)
    version = desired_chart_version(obj, builder.sources()) or "1.0.0"
    storage, modified = builder.release_history(
        obj, version, builder.rng.randint(1, 3), last=_earlier(builder, failed_at)
    )
    builder.finish_release(obj, storage, modified, in_sync=False)
    deps = item.helm_release.depends_on if item.helm_release is not None else ()
    blocking = next(d for d in deps if d == roles.failing or d in roles.blocked)
    noticed = failed_at + timedelta(seconds=builder.rng.randint(5, 60))
    flux_status.dependency_not_ready(obj, noticed, blocking.namespaced_name)
    message = f"dependency '{blocking.namespaced_name}' is not ready"
    count = int((builder.now - noticed).total_seconds() // 30)
    latest = noticed + timedelta(seconds=30 * (count - 1))
    builder.event(obj, "DependencyNotReady", message, noticed, last=latest, count=count)
    for moment in (noticed, latest):
        builder.log(
            obj, moment, f"dependencies do not meet ready condition ({message}): retrying in 30s"
        )


def _play_suspended(builder: ScenarioBuilder, ref: ObjectRef) -> None:
    obj = builder.helm_release(builder.release_of(ref))
    version = desired_chart_version(obj, builder.sources()) or "1.0.0"
    storage, modified = builder.release_history(
        obj, version, builder.rng.randint(2, 4), last=builder.ago(86400 * 3, 86400 * 9)
    )
    builder.finish_release(obj, storage, modified)
    obj["spec"]["suspend"] = True
    obj["spec"] = dict(sorted(obj["spec"].items()))
    obj["metadata"]["generation"] += 1
    builder.log(obj, builder.ago(86400, 86400 * 2), "Reconciliation is suspended for this object")


def _play_upgrading(builder: ScenarioBuilder, ref: ObjectRef) -> None:
    obj = builder.helm_release(builder.release_of(ref))
    target = desired_chart_version(obj, builder.sources()) or "1.0.0"
    started = builder.now - UPGRADE_STARTED_AGO
    storage, modified = builder.release_history(
        obj,
        previous_version(target),
        builder.rng.randint(1, 3),
        last=_earlier(builder, started),
        values_age=1,
    )
    builder.finish_release(obj, storage, modified, in_sync=False)
    obj["metadata"]["generation"] += 1
    status = obj["status"]
    status["lastAttemptedGeneration"] = obj["metadata"]["generation"]
    status["lastAttemptedReleaseAction"] = "upgrade"
    status["lastAttemptedRevision"] = target
    timeout = timeout_of(obj)
    flux_status.helm_progressing(obj, started, "upgrade", timeout)
    rid = builder.rid()
    builder.log(
        obj,
        started - timedelta(milliseconds=80),
        "release out-of-sync with desired state: release chart changed",
        rid=rid,
    )
    builder.log(obj, started, f"running 'upgrade' action with timeout of {timeout}", rid=rid)
