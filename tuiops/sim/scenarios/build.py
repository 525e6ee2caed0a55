"""Replays the recent past of the example repo's cluster into API objects, Events and
controller log lines: the shared builder of the `healthy` and `degraded` scenarios (and the
base of `large`).

Everything is drawn from one `random.Random` and a fixed "now", so a scenario is the same on
every build. Status is written only through `flux.status` and `flux.helm_actions`, the functions
the simulated controllers use too.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from tuiops.domain.refs import ObjectRef
from tuiops.sim.flux import status as flux_status
from tuiops.sim.flux.helm_actions import HelmStorage, run_release, storage_namespace_of, timeout_of
from tuiops.sim.flux.helm_storage import previous_version, storage_secret, values_for_revision
from tuiops.sim.flux.objects import chart_name_of, object_key, release_annotations
from tuiops.sim.flux.recorder import (
    KIND_CONTROLLERS,
    dispatch_line,
    event_object,
    log_line,
    new_reconcile_id,
)
from tuiops.sim.scenarios.objects import (
    RepoObject,
    RepoObjects,
    desired_chart_version,
    flux_object,
    helm_chart_object,
    inventory_entry,
)

JsonObject = dict[str, Any]

CLUSTER_AGE = timedelta(days=84)
"""The cluster was bootstrapped 2025-09-02, like the fixtures' objects."""


class ScenarioBuilder:
    """Collects objects, Events and log lines of one scenario build."""

    def __init__(self, name: str, repo: RepoObjects, now: datetime, seed: int) -> None:
        self.name = name
        self.repo = repo
        self.now = now
        self.rng = random.Random(f"{name}/{seed}")
        self.born = now - CLUSTER_AGE
        self.objects: dict[str, JsonObject] = {}
        """`Kind/ns/name` → object, in build order."""
        self.secrets: list[JsonObject] = []
        self.events: list[JsonObject] = []
        self.lines: dict[str, list[tuple[datetime, str]]] = {}
        self.failing: dict[str, str] = {}
        self.releases: dict[str, tuple[JsonObject, JsonObject | None]] = {}
        """`Kind/ns/name` of a HelmRelease → (newest, deployed) revision of its release."""
        self.workloads: list[JsonObject] = []
        """Objects the releases run (`release_workloads`; `degraded` only)."""
        self.commit_subject = "chore(deps): update helm charts"

    # -- small helpers -----------------------------------------------------------------------

    def hex(self, digits: int) -> str:
        """`digits` random hex digits (commit shas, digests)."""
        return f"{self.rng.getrandbits(4 * digits):0{digits}x}"

    def ago(self, low: float, high: float) -> datetime:
        """A moment between `high` and `low` seconds before now (whole milliseconds)."""
        return self.now - timedelta(
            milliseconds=self.rng.randint(int(low * 1000), int(high * 1000))
        )

    def duration(self, low: float, high: float) -> str:
        """A Go duration string between `low` and `high` seconds."""
        return flux_status.go_duration(self.rng.randint(int(low * 1e6), int(high * 1e6)) / 1e6)

    def rid(self) -> str:
        """A reconcileID drawn from the scenario's random stream."""
        return new_reconcile_id(self.rng)

    def add(self, obj: JsonObject) -> JsonObject:
        """Keep `obj` as a scenario object (by `Kind/ns/name`)."""
        self.objects[object_key(obj)] = obj
        return obj

    def log(
        self,
        obj: Mapping[str, Any],
        moment: datetime,
        msg: str,
        *,
        level: str = "info",
        rid: str | None = None,
        extra: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        """A reconciler log line about `obj` in its controller's backlog."""
        meta = obj["metadata"]
        ref = (str(obj["kind"]), str(meta["namespace"]), str(meta["name"]))
        text = log_line(
            moment, level, msg, ref=ref, reconcile_id=rid or self.rid(), extra=extra, error=error
        )
        self.lines.setdefault(KIND_CONTROLLERS[ref[0]], []).append((moment, text))

    def event(
        self,
        obj: Mapping[str, Any],
        reason: str,
        message: str,
        first: datetime,
        *,
        last: datetime | None = None,
        count: int = 1,
        warning: bool = False,
        annotations: Mapping[str, str] | None = None,
        trace: bool = False,
    ) -> None:
        """An Event about `obj`; non-trace ones also get notification-controller's line."""
        event = event_object(
            obj,
            reason=reason,
            message=message,
            first=first,
            last=last,
            count=count,
            warning=warning,
            annotations=annotations,
            nanos=int(first.timestamp() * 1e9) + len(self.events),
        )
        self.events.append(event)
        if not trace:
            moment = last or first
            notify = self.lines.setdefault("notification-controller", [])
            notify.append((moment, dispatch_line(moment, event)))

    # -- sources -----------------------------------------------------------------------------

    def build_sources(self) -> None:
        """Every source of the repo, fetched and Ready, with its Events and log lines."""
        for item in self.repo.sources:
            obj = self.add(flux_object(item.doc, created=self.born, owner=item.owner))
            self._source_status(obj)

    def _source_status(self, obj: JsonObject) -> None:
        kind, spec = obj["kind"], obj["spec"]
        fetched = self.ago(60, 3000)
        changed = self.ago(3600, 86400 * 6)
        digest = f"sha256:{self.hex(64)}"
        size = self.rng.randint(20_000, 200_000)
        revision_key = "source.toolkit.fluxcd.io/revision"
        if kind == "HelmRepository" and spec.get("type") == "oci":
            flux_status.source_ready(obj, changed, revision="", digest="", size=0)
            return
        if kind == "GitRepository":
            ref = spec.get("ref") or {}
            branch = ref.get("branch") or ref.get("tag") or "main"
            revision = f"{branch}@sha1:{self.hex(40)}"
            message = f"stored artifact for commit '{self.commit_subject}'"
        elif kind == "OCIRepository":
            tag = (spec.get("ref") or {}).get("tag", "latest")
            revision = f"{tag}@sha256:{self.hex(64)}"
            message = f"stored artifact for digest '{revision}'"
        else:
            revision = f"sha256:{self.hex(64)}"
            message = f"stored fetched index of size {size / 1000:.2f}kB from '{spec.get('url')}'"
        flux_status.source_ready(obj, changed, revision=revision, digest=digest, size=size)
        annotations = {revision_key: revision, "source.toolkit.fluxcd.io/digest": digest}
        self.event(obj, "NewArtifact", message, changed, annotations=annotations)
        self.log(obj, changed, message)
        upto = f"artifact up-to-date with remote revision: '{revision}'"
        count = self.rng.randint(5, 400)
        self.event(obj, "ArtifactUpToDate", upto, changed, last=fetched, count=count, trace=True)
        self.log(
            obj, fetched, f"no changes since last reconcilation: observed revision '{revision}'"
        )

    def sources(self) -> dict[str, JsonObject]:
        """The source objects built so far, by `Kind/ns/name`."""
        kinds = ("GitRepository", "HelmRepository", "OCIRepository")
        return {k: o for k, o in self.objects.items() if o["kind"] in kinds}

    # -- Kustomizations ----------------------------------------------------------------------

    def build_kustomizations(self) -> None:
        """Every Kustomization, applied at its source's revision, with inventory and history."""
        owned: dict[ObjectRef, list[RepoObject]] = {}
        for item in (*self.repo.kustomizations, *self.repo.helm_releases, *self.repo.sources):
            if item.owner is not None:
                owned.setdefault(item.owner, []).append(item)
        for item in self.repo.kustomizations:
            obj = self.add(flux_object(item.doc, created=self.born, owner=item.owner))
            self._kustomization_status(obj, owned.get(item.ref, []))

    def source_revision(self, obj: Mapping[str, Any]) -> str:
        """The artifact revision of a Kustomization's source, empty when it has none."""
        ref = obj.get("spec", {}).get("sourceRef") or {}
        namespace = ref.get("namespace") or obj["metadata"]["namespace"]
        source = self.objects.get(f"{ref.get('kind')}/{namespace}/{ref.get('name')}")
        artifact = (source or {}).get("status", {}).get("artifact") or {}
        return str(artifact.get("revision", ""))

    def _kustomization_status(self, obj: JsonObject, owned: list[RepoObject]) -> None:
        revision = self.source_revision(obj)
        inventory = sorted(
            (inventory_entry(item.ref) for item in owned), key=lambda entry: entry["id"]
        )
        namespaces = sorted({i.ref.namespace for i in owned if i.ref.kind == "HelmRelease"})
        inventory = [{"id": f"_{ns}__Namespace", "v": "v1"} for ns in namespaces] + inventory
        older = revision.rpartition(":")[0] + ":" + self.hex(64 if "sha256:" in revision else 40)
        changed = self.ago(3600, 86400 * 6)
        last = self.ago(5, 500)
        first = changed - timedelta(days=self.rng.randint(3, 20))
        for moment, rev in ((first, older), (changed, revision), (last, revision)):
            flux_status.kustomization_applied(
                obj,
                moment,
                rev,
                digest="sha256:" + hashlib.sha256(f"{object_key(obj)}@{rev}".encode()).hexdigest(),
                inventory=inventory,
                duration=self.duration(0.2, 4.0),
            )
        interval = flux_status.go_duration(flux_status.parse_duration(obj["spec"]["interval"]))
        took = obj["status"]["history"][0]["lastReconciledDuration"]
        done = f"Reconciliation finished in {took}, next run in {interval}"
        annotations = {
            "kustomize.toolkit.fluxcd.io/revision": revision,
            "kustomize.toolkit.fluxcd.io/commit_status": "update",
        }
        count = self.rng.randint(2, 300)
        self.event(
            obj,
            "ReconciliationSucceeded",
            done,
            changed,
            last=last,
            count=count,
            annotations=annotations,
        )
        rid = self.rid()
        output = {f"{i.ref.kind}/{i.ref.namespace}/{i.ref.name}": "unchanged" for i in owned}
        self.log(
            obj,
            last,
            "server-side apply completed",
            rid=rid,
            extra={"output": output, "revision": revision},
        )
        self.log(obj, last, done, rid=rid, extra={"revision": revision})

    # -- HelmReleases ------------------------------------------------------------------------

    def helm_release(self, item: RepoObject) -> JsonObject:
        """The HelmRelease object of `item`, added with an empty status."""
        return self.add(flux_object(item.doc, created=self.born, owner=item.owner))

    def release_history(
        self,
        obj: JsonObject,
        final_version: str,
        revisions: int,
        *,
        last: datetime,
        values_age: int = 0,
    ) -> tuple[HelmStorage, dict[int, datetime]]:
        """Replay `revisions` successful releases ending with `final_version` at `last`.

        `values_age` > 0 makes even the newest of them run older values than the spec's (a
        later change has not been released yet).

        Returns:
            The storage and, per revision, when its Secret was last written.
        """
        chart = chart_name_of(obj)
        values = obj["spec"].get("values") or {}
        versions = [final_version]
        for _ in range(revisions - 1):
            step = 1 if self.rng.random() < 0.7 else 0
            versions.insert(0, previous_version(versions[0], step))
        storage = HelmStorage()
        obj["metadata"]["generation"] = revisions
        times = sorted(last - timedelta(days=self.rng.randint(1, 60)) for _ in versions[1:])
        oci = "chartRef" in obj["spec"]
        modified: dict[int, datetime] = {}
        for age, (version, moment) in enumerate(zip(versions, [*times, last], strict=True)):
            age = len(versions) - 1 - age
            digest = f"sha256:{self.hex(64)}" if oci else ""
            full = f"{version}+{digest[7:19]}" if oci else version
            config = values_for_revision(values, age + values_age, version)
            run_release(
                obj,
                storage,
                moment,
                chart=chart,
                version=full,
                config=config,
                oci_digest=digest,
                duration=self.duration(2.0, 40.0),
            )
            self.note_writes(storage, moment, modified)
        return storage, modified

    def note_writes(
        self, storage: HelmStorage, moment: datetime, modified: dict[int, datetime]
    ) -> None:
        """Remember when each revision's Secret was last written (its `modifiedAt`)."""
        created, updated, _ = storage.take_writes()
        for release in (*created, *updated):
            modified[int(release["version"])] = moment

    def finish_release(
        self,
        obj: JsonObject,
        storage: HelmStorage,
        modified: Mapping[int, datetime],
        *,
        in_sync: bool = True,
    ) -> None:
        """Storage Secrets, HelmChart, and the event and log lines of the newest release."""
        namespace = storage_namespace_of(obj)
        latest = storage.latest()
        if latest is not None:
            self.releases[object_key(obj)] = (latest, storage.deployed())
        for release in storage.releases:
            secret = storage_secret(release, modified[int(release["version"])])
            secret["metadata"]["namespace"] = namespace
            self.secrets.append(secret)
        desired = desired_chart_version(obj, self.sources())
        chart = helm_chart_object(obj, self.born)
        if chart is not None:
            source = self.objects.get(
                f"{chart['spec']['sourceRef']['kind']}/{chart['metadata']['namespace']}/"
                f"{chart['spec']['sourceRef']['name']}"
            )
            index = ((source or {}).get("status", {}).get("artifact") or {}).get("revision", "")
            pulled = self.ago(600, 86400)
            flux_status.source_ready(
                chart,
                pulled,
                revision=desired,
                digest=f"sha256:{self.hex(64)}",
                size=self.rng.randint(8_000, 90_000),
                source_revision=index,
            )
            self.add(chart)
            pulled_msg = f"pulled '{chart['spec']['chart']}' chart with version '{desired}'"
            self.event(
                chart,
                "ChartPullSucceeded",
                pulled_msg,
                pulled,
                annotations={
                    "source.toolkit.fluxcd.io/revision": desired,
                    "source.toolkit.fluxcd.io/digest": chart["status"]["artifact"]["digest"],
                },
            )
            self.log(chart, pulled, pulled_msg)
        entry = obj["status"].get("history", [{}])[0]
        released = flux_status.condition(obj, flux_status.RELEASED)
        if released is not None and released.get("status") == "True" and entry:
            moment = datetime.fromisoformat(entry["lastDeployed"].replace("Z", "+00:00"))
            self.event(
                obj,
                str(released["reason"]),
                str(released["message"]),
                moment,
                annotations=release_annotations(entry),
            )
            rid = self.rid()
            action = obj["status"].get("lastAttemptedReleaseAction", "install")
            timeout = timeout_of(obj)
            self.log(obj, moment, f"running '{action}' action with timeout of {timeout}", rid=rid)
            if in_sync:
                self.log(obj, self.ago(5, 900), "release in-sync with desired state")

    def build_helm_releases(self, skip: frozenset[ObjectRef] = frozenset()) -> None:
        """Every HelmRelease not in `skip`, healthy, with 1-4 revisions."""
        sources = self.sources()
        for item in self.repo.helm_releases:
            if item.ref in skip:
                continue
            obj = self.helm_release(item)
            version = desired_chart_version(obj, sources) or "1.0.0"
            storage, modified = self.release_history(
                obj, version, self.rng.randint(1, 4), last=self.ago(3600, 86400 * 20)
            )
            self.finish_release(obj, storage, modified)

    def release_of(self, ref: ObjectRef) -> RepoObject:
        """The repo's HelmRelease `ref`."""
        return next(item for item in self.repo.helm_releases if item.ref == ref)
