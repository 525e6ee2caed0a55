"""What the simulated Flux controllers do in one reconcile of one object: the start (progress
conditions, or only a log line when suspended) and the outcome (status, Helm storage, Events
and log lines). `controllers.FluxControllers` decides when these run.

Desired state comes from the GitOps repo at reconcile time (`DesiredState`), so an edit and a
commit in the demo repo flows through; without a repo, the objects' own specs are the truth.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.flux import status as fs
from tuiops.sim.flux.helm_actions import timeout_of
from tuiops.sim.flux.helm_sync import HelmSync
from tuiops.sim.flux.objects import object_key
from tuiops.sim.flux.reconcile_context import Context, DesiredState, Outcome

JsonObject = dict[str, Any]
SOURCE_KINDS = ("GitRepository", "HelmRepository", "OCIRepository", "HelmChart")
SUSPENDED = "Reconciliation is suspended for this object"
DEPENDENCIES_WAIT = "Dependencies do not meet ready condition, retrying in 30s"
DEPENDENCIES_READY = "All dependencies are ready, proceeding with reconciliation"


def dependency_keys(obj: Mapping[str, Any]) -> list[str]:
    """`Kind/ns/name` of each `spec.dependsOn` entry (same kind, namespace defaulted)."""
    namespace = obj["metadata"]["namespace"]
    return [
        f"{obj['kind']}/{dep.get('namespace') or namespace}/{dep.get('name')}"
        for dep in obj.get("spec", {}).get("dependsOn") or []
        if isinstance(dep, dict) and dep.get("name")
    ]


def _unready_dependency(ctx: Context, obj: Mapping[str, Any]) -> str | None:
    for key in dependency_keys(obj):
        dep = ctx.store.get(type_for_kind(obj["kind"]), *key.split("/", 2)[1:])
        if dep is None or not fs.is_ready(dep):
            return key.split("/", 1)[1]
    return None


def begin(ctx: Context, key: str) -> bool:
    """Start a reconcile: progress conditions, or just a log line when suspended.

    Returns:
        False when there is nothing more to do (gone or suspended).
    """
    obj = ctx.get(key)
    if obj is None:
        return False
    rid = ctx.recorder.new_reconcile_id()
    if obj.get("spec", {}).get("suspend") is True:
        ctx.recorder.log(obj, "info", SUSPENDED, reconcile_id=rid)
        return False
    now = ctx.clock.now()
    kind = obj["kind"]
    if kind == "Kustomization" and dependency_keys(obj) and _unready_dependency(ctx, obj) is None:
        ctx.recorder.log(obj, "info", DEPENDENCIES_READY, reconcile_id=rid)
    if kind == "Kustomization":
        revision = _source_artifact(ctx, obj).get("revision", "")
        timeout = fs.kustomization_timeout(obj.get("spec", {}))
        fs.mark_progressing(
            obj,
            now,
            reconciling_message=(
                f"Fetching manifests for revision {revision} with a timeout of {timeout}"
            ),
        )
    elif kind == "HelmRelease":
        action = HelmSync(ctx, obj).planned_action()
        if action:
            fs.helm_progressing(obj, now, action, timeout_of(obj))
        else:
            fs.mark_progressing(obj, now, reconciling_message="Fulfilling prerequisites")
    else:
        fs.mark_progressing(obj, now)
    ctx.write_status(obj)
    return True


def finish(ctx: Context, key: str) -> Outcome | None:
    """The outcome of a reconcile started by `begin`; None when the object is gone."""
    obj = ctx.get(key)
    if obj is None:
        return None
    rid = ctx.recorder.new_reconcile_id()
    if obj["kind"] in ("Kustomization", "HelmRelease"):
        blocking = _unready_dependency(ctx, obj)
        if blocking is not None:
            fs.dependency_not_ready(obj, ctx.clock.now(), blocking)
            ctx.write_status(obj)
            if obj["kind"] == "Kustomization":
                ctx.recorder.event(obj, "DependencyNotReady", DEPENDENCIES_WAIT)
                ctx.recorder.log(obj, "info", DEPENDENCIES_WAIT, reconcile_id=rid)
            else:
                message = f"dependency '{blocking}' is not ready"
                ctx.recorder.event(obj, "DependencyNotReady", message)
                ctx.recorder.log(
                    obj,
                    "info",
                    f"dependencies do not meet ready condition ({message}): retrying in 30s",
                    reconcile_id=rid,
                )
            return Outcome(ready=False)
    if obj["kind"] == "HelmRelease":
        return HelmSync(ctx, obj).run(rid)
    if obj["kind"] == "Kustomization":
        return _finish_kustomization(ctx, obj, rid)
    return _finish_source(ctx, obj, rid)


def _source_artifact(ctx: Context, obj: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = obj.get("spec", {}).get("sourceRef") or {}
    namespace = ref.get("namespace") or obj["metadata"]["namespace"]
    source = ctx.store.get(
        type_for_kind(str(ref.get("kind", "GitRepository"))), namespace, str(ref.get("name"))
    )
    artifact = (source or {}).get("status", {}).get("artifact")
    return artifact if isinstance(artifact, dict) else {}


def _digest(*parts: str) -> str:
    return "sha256:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _finish_kustomization(ctx: Context, obj: JsonObject, rid: str) -> Outcome:
    key = object_key(obj)
    now = ctx.clock.now()
    spec = obj.get("spec", {})
    revision = str(_source_artifact(ctx, obj).get("revision", ""))
    took = fs.go_duration(0.2 + (int(hashlib.sha256(rid.encode()).hexdigest()[:4], 16) / 9000))
    if not revision:
        message = "Source artifact not found, retrying in 30s"
        fs.kustomization_failed(obj, now, "", message, digest=_digest(key), reason="ArtifactFailed")
        ctx.write_status(obj)
        ctx.recorder.event(obj, "ArtifactFailed", message, warning=True)
        ctx.recorder.log(obj, "info", message, reconcile_id=rid)
        return Outcome(ready=False)
    error = ctx.failing.get(key)
    if error is not None:
        fs.kustomization_failed(
            obj, now, revision, error, digest=_digest(key, revision), duration=took
        )
        ctx.write_status(obj)
        retry = fs.go_duration(
            fs.parse_duration(str(spec.get("retryInterval") or spec.get("interval", "10m")))
        )
        ctx.recorder.event(
            obj,
            "ReconciliationFailed",
            error,
            warning=True,
            annotations={"kustomize.toolkit.fluxcd.io/revision": revision},
        )
        ctx.recorder.log(
            obj,
            "error",
            f"Reconciliation failed after {took}, next try in {retry}",
            reconcile_id=rid,
            extra={"revision": revision},
            error=error,
        )
        return Outcome(ready=False)
    output = _apply_children(ctx, obj)
    fs.kustomization_applied(obj, now, revision, digest=_digest(key, revision), duration=took)
    ctx.write_status(obj)
    annotations = {"kustomize.toolkit.fluxcd.io/revision": revision}
    changed = [f"{ref} configured" for ref, verb in output.items() if verb == "configured"]
    if changed:
        ctx.recorder.event(obj, "Progressing", "\n".join(changed), annotations=annotations)
    interval = fs.go_duration(fs.parse_duration(str(spec.get("interval", "10m"))))
    done = f"Reconciliation finished in {took}, next run in {interval}"
    ctx.recorder.event(
        obj,
        "ReconciliationSucceeded",
        done,
        annotations={**annotations, "kustomize.toolkit.fluxcd.io/commit_status": "update"},
    )
    ctx.recorder.log(
        obj,
        "info",
        "server-side apply completed",
        reconcile_id=rid,
        extra={"output": output, "revision": revision},
    )
    ctx.recorder.log(obj, "info", done, reconcile_id=rid, extra={"revision": revision})
    return Outcome(ready=True)


def _apply_children(ctx: Context, obj: Mapping[str, Any]) -> dict[str, str]:
    """Re-apply the chart versions of the HelmReleases this Kustomization owns from the repo
    (a version bump changes their spec, so helm-controller picks them up)."""
    name, namespace = obj["metadata"]["name"], obj["metadata"]["namespace"]
    releases, _ = ctx.store.list_objects(type_for_kind("HelmRelease"))
    output: dict[str, str] = {}
    for release in releases:
        labels = release["metadata"].get("labels") or {}
        if (
            labels.get("kustomize.toolkit.fluxcd.io/name") != name
            or labels.get("kustomize.toolkit.fluxcd.io/namespace") != namespace
        ):
            continue
        key = object_key(release)
        chart_spec = (release.get("spec", {}).get("chart") or {}).get("spec") or {}
        wanted = ctx.desired.chart_version(key)
        verb = "unchanged"
        if wanted and chart_spec and chart_spec.get("version") != wanted:

            def bump(current: JsonObject, version: str = wanted) -> None:
                current["spec"]["chart"]["spec"]["version"] = version

            ctx.write_spec(release, bump)
            verb = "configured"
        output[key] = verb
    return output


def _finish_source(ctx: Context, obj: JsonObject, rid: str) -> Outcome:
    now = ctx.clock.now()
    kind, spec = obj["kind"], obj.get("spec", {})
    status = obj.get("status", {})
    artifact = status.get("artifact") if isinstance(status.get("artifact"), dict) else {}
    revision = str(artifact.get("revision", ""))
    new_revision, subject = revision, ""
    if kind == "GitRepository":
        head = ctx.desired.git_head()
        if head is not None:
            branch = (spec.get("ref") or {}).get("branch") or revision.partition("@")[0] or "main"
            new_revision, subject = f"{branch}@sha1:{head[0]}", head[1]
    elif kind == "HelmChart":
        new_revision = str(spec.get("version", revision))
    changed = new_revision != revision
    digest = _digest(object_key(obj), new_revision) if changed else str(artifact.get("digest"))
    fs.source_ready(
        obj, now, revision=new_revision, digest=digest, size=int(artifact.get("size", 40_000))
    )
    ctx.write_status(obj)
    annotations = {
        "source.toolkit.fluxcd.io/revision": new_revision,
        "source.toolkit.fluxcd.io/digest": digest,
    }
    if changed:
        ready = fs.condition(obj, fs.READY) or {}
        message = str(ready.get("message", ""))
        reason = "ChartPullSucceeded" if kind == "HelmChart" else "NewArtifact"
        if kind == "GitRepository":
            message = f"stored artifact for commit '{subject}'"
        ctx.recorder.event(obj, reason, message, annotations=annotations)
        ctx.recorder.log(obj, "info", message, reconcile_id=rid)
    elif new_revision:
        ctx.recorder.event(
            obj,
            "ArtifactUpToDate",
            f"artifact up-to-date with remote revision: '{new_revision}'",
            trace=True,
        )
        ctx.recorder.log(
            obj,
            "info",
            f"no changes since last reconcilation: observed revision '{new_revision}'",
            reconcile_id=rid,
        )
    wake: tuple[str, ...] = ()
    if changed and kind in ("GitRepository", "OCIRepository"):
        wake = _consumers(ctx, obj)
    return Outcome(ready=True, wake=wake)


def _consumers(ctx: Context, source: Mapping[str, Any]) -> tuple[str, ...]:
    """Kustomizations whose sourceRef is `source`."""
    kustomizations, _ = ctx.store.list_objects(type_for_kind("Kustomization"))
    name, namespace = source["metadata"]["name"], source["metadata"]["namespace"]
    found = []
    for ks in kustomizations:
        ref = ks.get("spec", {}).get("sourceRef") or {}
        if (
            ref.get("kind") == source["kind"]
            and ref.get("name") == name
            and (ref.get("namespace") or ks["metadata"]["namespace"]) == namespace
        ):
            found.append(object_key(ks))
    return tuple(found)


__all__ = ["SOURCE_KINDS", "Context", "DesiredState", "Outcome", "begin", "finish"]
