"""The shared parts of a simulated reconcile: the repo's desired state, the cluster handles a
reconcile writes through, and the outcome the scheduler acts on."""

from __future__ import annotations

import copy
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuiops.gitops.loader import load_repo
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.apiserver.store import ObjectStore
from tuiops.sim.clock import SimClock
from tuiops.sim.flux.recorder import Recorder

JsonObject = dict[str, Any]


class DesiredState:
    """Chart versions the repo declares, reloaded when any file of the repo changes."""

    def __init__(self, repo: Path | None) -> None:
        self.repo = repo
        self._stamp: tuple[int, int] | None = None
        self._versions: dict[str, str] = {}

    def _fingerprint(self, repo: Path) -> tuple[int, int]:
        newest, count = 0, 0
        for folder, dirs, files in os.walk(repo):
            dirs[:] = [d for d in dirs if d != ".git"]
            for name in files:
                newest = max(newest, os.stat(os.path.join(folder, name)).st_mtime_ns)
                count += 1
        return newest, count

    def chart_version(self, key: str) -> str | None:
        """The version the repo pins for HelmRelease `key`; None when the repo does not say."""
        if self.repo is None:
            return None
        stamp = self._fingerprint(self.repo)
        if stamp != self._stamp:
            model = load_repo(self.repo)
            tags = {str(s.ref): s.reference.partition(":")[2] for s in model.sources}
            versions: dict[str, str] = {}
            for cluster in model.clusters:
                for component in cluster.all_components():
                    for release in component.helm_releases:
                        version = release.version
                        if not version and release.uses_chart_ref and release.chart_source:
                            version = tags.get(str(release.chart_source), "")
                        if version:
                            versions.setdefault(str(release.ref), version)
            self._versions, self._stamp = versions, stamp
        return self._versions.get(key)

    def git_head(self) -> tuple[str, str] | None:
        """(commit sha, subject) of the repo's HEAD when it is its own Git work tree."""
        if self.repo is None or not (self.repo / ".git").exists():
            return None
        try:
            done = subprocess.run(
                ["git", "-C", str(self.repo), "log", "-1", "--format=%H%x00%s"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        sha, _, subject = done.stdout.strip().partition("\0")
        return (sha, subject) if done.returncode == 0 and len(sha) == 40 else None


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a reconcile ended, for the scheduler."""

    ready: bool
    retry: bool = False
    """Run again after a delay without a new request (a failed attempt with retries left)."""
    wake: tuple[str, ...] = ()
    """Further objects to reconcile now (Kustomizations of a source with a new revision)."""


@dataclass
class Context:
    """What a reconcile needs: the cluster's store, clock and recorder, the repo, the faults."""

    store: ObjectStore
    clock: SimClock
    recorder: Recorder
    desired: DesiredState
    failing: dict[str, str]
    own_writes: set[str] = field(default_factory=set)
    """Keys whose spec the controller is changing itself (not a new request to act on)."""

    def get(self, key: str) -> JsonObject | None:
        """A private deep copy of the stored object `Kind/ns/name`."""
        kind, namespace, name = key.split("/", 2)
        stored = self.store.get(type_for_kind(kind), namespace, name)
        return copy.deepcopy(stored) if stored is not None else None

    def write_status(self, obj: JsonObject) -> None:
        """Store `obj`'s status through the status subresource."""
        status = obj.get("status", {})
        meta = obj["metadata"]

        def put(current: JsonObject) -> None:
            current["status"] = status

        self.store.update(
            type_for_kind(obj["kind"]), meta["namespace"], meta["name"], put, status_only=True
        )

    def write_spec(
        self, obj: JsonObject, edit: Callable[[JsonObject], None], *, quiet: bool = False
    ) -> None:
        """Change an object's spec; `quiet` keeps the change from queueing a new reconcile."""
        meta = obj["metadata"]
        key = f"{obj['kind']}/{meta['namespace']}/{meta['name']}"

        def change(current: JsonObject) -> None:
            edit(current)

        if quiet:
            self.own_writes.add(key)
        try:
            self.store.update(type_for_kind(obj["kind"]), meta["namespace"], meta["name"], change)
        finally:
            self.own_writes.discard(key)
