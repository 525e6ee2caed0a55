"""One helm-controller reconcile of one HelmRelease: decide the action (install, upgrade or
nothing), run it against the release's storage Secrets, remediate failures by rollback, and
report through status, Events and log lines.
"""

from __future__ import annotations

import hashlib
from typing import Any

from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.flux import status as fs
from tuiops.sim.flux.helm_actions import (
    HelmStorage,
    release_name_of,
    remediates_last_failure,
    retries_of,
    rollback,
    run_release,
    storage_namespace_of,
    timeout_of,
)
from tuiops.sim.flux.helm_storage import (
    decode_release,
    history_entry,
    secret_name,
    storage_secret,
    with_status,
)
from tuiops.sim.flux.objects import chart_name_of, helm_chart_name, object_key, release_annotations
from tuiops.sim.flux.reconcile_context import Context, Outcome

JsonObject = dict[str, Any]
TERMINAL = "terminal error: exceeded maximum retries: cannot remediate failed release"


class HelmSync:
    """The reconcile of one HelmRelease (a private copy of it) against the cluster."""

    def __init__(self, ctx: Context, obj: JsonObject) -> None:
        self.ctx = ctx
        self.obj = obj
        self.key = object_key(obj)

    # -- desired state -----------------------------------------------------------------------

    def _oci_source(self) -> JsonObject | None:
        ref = self.obj.get("spec", {}).get("chartRef") or {}
        if not ref:
            return None
        namespace = ref.get("namespace") or self.obj["metadata"]["namespace"]
        kind = type_for_kind(str(ref.get("kind", "OCIRepository")))
        return self.ctx.store.get(kind, namespace, str(ref.get("name")))

    def desired_version(self) -> str:
        """The repo's version at this moment, else the spec's, else what runs now."""
        wanted = self.ctx.desired.chart_version(self.key)
        if wanted:
            return wanted
        chart_spec = (self.obj.get("spec", {}).get("chart") or {}).get("spec") or {}
        if chart_spec.get("version"):
            return str(chart_spec["version"])
        source = self._oci_source()
        tag = ((source or {}).get("spec", {}).get("ref") or {}).get("tag")
        if tag:
            return str(tag)
        history = self.obj.get("status", {}).get("history") or [{}]
        return str(history[0].get("chartVersion", "")).partition("+")[0]

    def planned_action(self) -> str | None:
        """`install`, `upgrade`, or None when the release is in sync (or stalled)."""
        obj = self.obj
        status = obj.get("status", {})
        if fs.condition(obj, fs.STALLED) is not None and not fs.reset_requested(obj):
            return None
        history = status.get("history") or []
        if not history:
            return "install"
        head = history[0]
        if (
            fs.force_requested(obj)
            or head.get("status") != "deployed"
            or str(head.get("chartVersion", "")).partition("+")[0] != self.desired_version()
            or status.get("lastAttemptedGeneration") != fs.generation_of(obj)
        ):
            return "upgrade"
        return None

    # -- cluster writes ----------------------------------------------------------------------

    def _sync_spec(self, version: str) -> None:
        """Bring `chart.spec.version` to the repo's version, as kustomize-controller would."""
        chart_spec = (self.obj.get("spec", {}).get("chart") or {}).get("spec")
        if not isinstance(chart_spec, dict) or chart_spec.get("version") == version:
            return

        def bump(current: JsonObject) -> None:
            current["spec"]["chart"]["spec"]["version"] = version

        self.ctx.write_spec(self.obj, bump, quiet=True)
        fresh = self.ctx.get(self.key)
        if fresh is not None:
            fresh["status"] = self.obj.get("status", {})
            self.obj = fresh

    def _sync_chart(self, version: str) -> None:
        """Point the release's HelmChart at `version` (source-controller then pulls it)."""
        names = helm_chart_name(self.obj)
        if names is None:
            return
        chart = self.ctx.store.get(type_for_kind("HelmChart"), *names)
        if chart is None or chart.get("spec", {}).get("version") == version:
            return

        def point(current: JsonObject) -> None:
            current["spec"]["version"] = version

        self.ctx.write_spec(chart, point)

    def _storage(self) -> HelmStorage:
        name = release_name_of(self.obj)
        secrets, _ = self.ctx.store.list_objects(
            type_for_kind("Secret"), storage_namespace_of(self.obj)
        )
        releases = [
            decode_release(s["data"]["release"])
            for s in secrets
            if (s["metadata"].get("labels") or {}).get("owner") == "helm"
            and s["metadata"]["labels"].get("name") == name
        ]
        return HelmStorage(sorted(releases, key=lambda r: int(r["version"])))

    def _write_storage(self, storage: HelmStorage) -> None:
        now = self.ctx.clock.now()
        namespace = storage_namespace_of(self.obj)
        secret_type = type_for_kind("Secret")
        created, updated, deleted = storage.take_writes()
        name = release_name_of(self.obj)
        for release in updated:
            status = str(release["info"]["status"])

            def restatus(current: JsonObject, status: str = status) -> None:
                with_status(current, status, now)

            self.ctx.store.update(
                secret_type,
                namespace,
                secret_name(name, int(release["version"])),
                restatus,
            )
        for release in created:
            secret = storage_secret(release, now)
            secret["metadata"]["namespace"] = namespace
            self.ctx.store.create(secret_type, secret)
        for revision in deleted:
            self.ctx.store.delete(secret_type, namespace, secret_name(name, revision))

    # -- the reconcile -----------------------------------------------------------------------

    def _log(self, msg: str, rid: str, *, level: str = "info", error: str | None = None) -> None:
        self.ctx.recorder.log(self.obj, level, msg, reconcile_id=rid, error=error)

    def run(self, rid: str) -> Outcome:
        """Reconcile once: in sync, or one install/upgrade attempt (and its remediation)."""
        ctx = self.ctx
        version = self.desired_version()
        self._sync_spec(version)
        obj = self.obj
        now = ctx.clock.now()
        if fs.reset_requested(obj):
            fs.reset_failures(obj)
        if fs.condition(obj, fs.STALLED) is not None:
            fs.helm_in_sync(obj, now)
            ctx.write_status(obj)
            self._log("Reconciler error", rid, level="error", error=TERMINAL)
            return Outcome(ready=False)
        action = self.planned_action()
        if action is None:
            fs.helm_in_sync(obj, now)
            ctx.write_status(obj)
            self._log("release in-sync with desired state", rid)
            return Outcome(ready=fs.is_ready(obj))
        self._sync_chart(version)
        storage = self._storage()
        head = (obj.get("status", {}).get("history") or [{}])[0]
        if not storage.releases:
            self._log("release not installed: no release in storage for object", rid)
        elif str(head.get("chartVersion", "")).partition("+")[0] != version:
            self._log("release out-of-sync with desired state: release chart changed", rid)
        elif head.get("status") != "deployed":
            self._log("release is in a failed state", rid)
        else:
            self._log("release out-of-sync with desired state: release config values changed", rid)
        timeout = timeout_of(obj)
        self._log(f"running '{action}' action with timeout of {timeout}", rid)
        oci_digest = ""
        source = self._oci_source()
        if source is not None:
            revision = str((source.get("status", {}).get("artifact") or {}).get("revision", ""))
            oci_digest = "sha256:" + revision.rpartition(":")[2] if "@sha256:" in revision else ""
        full = f"{version}+{oci_digest[7:19]}" if oci_digest else version
        error = ctx.failing.get(self.key)
        took = fs.go_duration(1 + int(hashlib.sha256(rid.encode()).hexdigest()[:6], 16) / 4e6)
        release = run_release(
            obj,
            storage,
            now,
            chart=chart_name_of(obj),
            version=full,
            config=obj.get("spec", {}).get("values") or {},
            error=error,
            duration=took,
            oci_digest=oci_digest,
        )
        ready = fs.condition(obj, fs.READY) or {}
        annotations = release_annotations(history_entry(release, oci_digest=oci_digest))
        if error is None:
            self._write_storage(storage)
            ctx.write_status(obj)
            ctx.recorder.event(
                obj, str(ready.get("reason")), str(ready.get("message")), annotations=annotations
            )
            self._log("release in-sync with desired state", rid)
            return Outcome(ready=True)
        ctx.recorder.event(
            obj,
            str(ready.get("reason")),
            str(ready.get("message")),
            warning=True,
            annotations=annotations,
        )
        self._log("Reconciler error", rid, level="error", error=str(ready.get("message")))
        exhausted = int(obj["status"].get("failures", 0)) > retries_of(obj, action)
        if action == "upgrade" and (not exhausted or remediates_last_failure(obj)):
            self._log(f"running 'rollback' action with timeout of {timeout}", rid)
            restored = rollback(obj, storage, now)
            remediated = fs.condition(obj, fs.REMEDIATED) or {}
            if restored is not None:
                ctx.recorder.event(
                    obj,
                    "RollbackSucceeded",
                    str(remediated.get("message")),
                    annotations=release_annotations(history_entry(restored)),
                )
        self._write_storage(storage)
        ctx.write_status(obj)
        if exhausted:
            self._log("Reconciler error", rid, level="error", error=TERMINAL)
            return Outcome(ready=False)
        return Outcome(ready=False, retry=True)
