"""Simulated Flux controllers: answer `flux reconcile/suspend/resume` (annotation and generation
changes) the way source-, kustomize- and helm-controller do, on a background thread.

A store listener only notes what changed and queues work; a scheduler thread (a heap of due
tasks) runs each reconcile in two steps, `delay` seconds apart: progress conditions, then the
outcome. Dependents waiting on an object are reconciled again when it becomes Ready, a
source's new revision reconciles the Kustomizations that use it, and failed Helm attempts
with retries left are tried again.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.apiserver.store import Change
from tuiops.sim.clock import rfc3339_nano
from tuiops.sim.cluster import SimulatedCluster
from tuiops.sim.flux import status as fs
from tuiops.sim.flux.objects import object_key
from tuiops.sim.flux.reconcile_context import Context, DesiredState
from tuiops.sim.flux.reconcilers import begin, dependency_keys, finish
from tuiops.sim.flux.recorder import Recorder

JsonObject = dict[str, Any]
WATCHED_KINDS = (
    "GitRepository",
    "HelmRepository",
    "OCIRepository",
    "HelmChart",
    "Kustomization",
    "HelmRelease",
)
Trigger = tuple[str, int]
"""(`reconcile.fluxcd.io/requestedAt` value, generation): a change of either asks for work."""


class LoadedScenario(Protocol):
    """What the controllers take from the scenario loaded into the cluster
    (`scenarios.catalog.Scenario`)."""

    @property
    def failing(self) -> Mapping[str, str]:
        """`Kind/ns/name` → error text the controllers keep failing with."""
        ...

    @property
    def seed(self) -> int:
        """The seed the scenario was drawn with."""
        ...


def _trigger(obj: JsonObject) -> Trigger:
    return fs.annotation(obj, fs.REQUESTED_AT), fs.generation_of(obj)


class FluxControllers:
    """source-, kustomize- and helm-controller for one simulated cluster."""

    def __init__(
        self,
        cluster: SimulatedCluster,
        scenario: LoadedScenario,
        repo: Path | None,
        *,
        delay: float = 1.0,
    ) -> None:
        """Args:
        cluster: The cluster whose store the controllers watch and write.
        scenario: The loaded scenario; its `failing` objects keep failing until healed.
        repo: GitOps repo to read desired chart versions (and Git HEAD) from at reconcile
            time; None to trust the objects' specs.
        delay: Seconds between a request and the progress step, and between progress and
            the outcome.
        """
        self.delay = delay
        self._store = cluster.store
        self._kinds = {type_for_kind(kind).key: kind for kind in WATCHED_KINDS}
        self._ctx = Context(
            store=cluster.store,
            clock=cluster.clock,
            recorder=Recorder(cluster.store, cluster.logs, cluster.clock, seed=scenario.seed),
            desired=DesiredState(repo),
            failing=dict(scenario.failing),
        )
        self._cv = threading.Condition()
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._seen: dict[str, Trigger] = {}
        self._inflight: set[str] = set()
        self._again: set[str] = set()
        self._running = False
        self._listening = False
        self._thread: threading.Thread | None = None
        self.errors: list[BaseException] = []
        """Exceptions a task raised (the thread goes on); tests assert it stays empty."""

    @property
    def failing(self) -> dict[str, str]:
        """`Kind/ns/name` → error of the objects that fail on every attempt (live view)."""
        return self._ctx.failing

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FluxControllers:
        """Note the current state, start listening and run the scheduler thread.

        Objects that were mid-reconcile in the scenario (Reconciling=True) finish a few
        delays later, as their controller would.
        """
        with self._cv:
            if self._running:
                return self
            self._running = True
        self._ctx.recorder.prime()
        in_progress: list[str] = []
        for kind in WATCHED_KINDS:
            objects, _ = self._store.list_objects(type_for_kind(kind))
            for obj in objects:
                key = object_key(obj)
                self._seen[key] = _trigger(obj)
                if fs.condition(obj, fs.RECONCILING) is not None:
                    in_progress.append(key)
        if not self._listening:
            self._store.add_listener(self._on_change)
            self._listening = True
        self._thread = threading.Thread(target=self._run, daemon=True, name="sim-flux-controllers")
        self._thread.start()
        for key in in_progress:
            self.enqueue(key, delay=self.delay * 3)
        return self

    def stop(self) -> None:
        """Stop the scheduler; pending work is dropped."""
        with self._cv:
            self._running = False
            self._heap.clear()
            self._cv.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    # -- requests ----------------------------------------------------------------------------

    def _on_change(self, change: Change) -> None:
        # Runs in the writer's thread: only note and queue, never reconcile here.
        kind = self._kinds.get(change.resource_key)
        if kind is None or not self._running:
            return
        key = object_key(change.object)
        if change.type == "DELETED":
            with self._cv:
                self._seen.pop(key, None)
            return
        trigger = _trigger(change.object)
        with self._cv:
            previous = self._seen.get(key)
            self._seen[key] = trigger
        if previous != trigger and key not in self._ctx.own_writes:
            self.enqueue(key)

    def enqueue(self, key: str, *, delay: float | None = None) -> None:
        """Reconcile `Kind/ns/name` after `delay` (default: the controllers' delay); a request
        for an object already being reconciled runs once more afterwards."""
        with self._cv:
            if not self._running:
                return
            if key in self._inflight:
                self._again.add(key)
                return
            self._inflight.add(key)
            self._push(self.delay if delay is None else delay, lambda: self._begin(key))

    def heal(self, key: str) -> None:
        """The fix for a failing object lands: it stops failing and is reconciled as by
        `flux reconcile --force --reset` (plain `flux reconcile` for non-HelmReleases)."""
        self._ctx.failing.pop(key, None)
        kind, namespace, name = key.split("/", 2)
        value = rfc3339_nano(self._ctx.clock.now())

        def request(obj: JsonObject) -> None:
            annotations = obj["metadata"].setdefault("annotations", {})
            annotations[fs.REQUESTED_AT] = value
            if kind == "HelmRelease":
                annotations[fs.FORCE_AT] = value
                annotations[fs.RESET_AT] = value

        self._store.update(type_for_kind(kind), namespace, name, request)

    def fail(self, key: str, error: str) -> None:
        """Make `Kind/ns/name` fail with `error` on its next attempts."""
        self._ctx.failing[key] = error

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no reconcile is queued or running (True) or `timeout` passes."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while self._inflight or self._heap:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cv.wait(min(left, 0.05))
            return True

    # -- scheduler ---------------------------------------------------------------------------

    def _push(self, delay: float, task: Callable[[], None]) -> None:
        heapq.heappush(self._heap, (time.monotonic() + delay, next(self._order), task))
        self._cv.notify_all()

    def _run(self) -> None:
        while True:
            with self._cv:
                while self._running and (not self._heap or self._heap[0][0] > time.monotonic()):
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cv.wait(wait)
                if not self._running:
                    return
                _, _, task = heapq.heappop(self._heap)
            try:
                task()
            except Exception as error:
                self.errors.append(error)

    def _begin(self, key: str) -> None:
        proceed = False
        try:
            proceed = begin(self._ctx, key)
        finally:
            if not proceed:
                self._done(key)
        if proceed:
            with self._cv:
                self._push(self.delay, lambda: self._finish(key))

    def _finish(self, key: str) -> None:
        outcome = None
        try:
            outcome = finish(self._ctx, key)
        finally:
            self._done(key, retry=outcome is not None and outcome.retry)
        if outcome is None:
            return
        for other in outcome.wake:
            self.enqueue(other)
        if outcome.ready:
            for dependent in self._waiting_on(key):
                self.enqueue(dependent)

    def _done(self, key: str, *, retry: bool = False) -> None:
        with self._cv:
            self._inflight.discard(key)
            again = key in self._again or retry
            self._again.discard(key)
            self._cv.notify_all()
        if again:
            self.enqueue(key)

    def _waiting_on(self, key: str) -> list[str]:
        """Objects of the same kind that depend on `key` and wait (DependencyNotReady)."""
        kind = key.split("/", 1)[0]
        objects, _ = self._store.list_objects(type_for_kind(kind))
        waiting = []
        for obj in objects:
            ready = fs.condition(obj, fs.READY) or {}
            if key in dependency_keys(obj) and ready.get("reason") == "DependencyNotReady":
                waiting.append(object_key(obj))
        return waiting
