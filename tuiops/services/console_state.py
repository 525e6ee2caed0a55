"""The console's state, outside Textual: the session (backend, repo model, which cluster) and
the immutable `ConsoleState` snapshot every screen renders (defined in `console_snapshot.py`),
rebuilt at most once per `COALESCE_SECONDS` however fast the live feed changes.

This is the state API the UI may import (import-linter holds `ui` to it, so `ConsoleState`
and `offline_detail` are imported from here): everything the screens read comes from a
`ConsoleState`, and everything slow (connecting, reading the repo) is a blocking
`ConsoleSession` method the UI calls from a worker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tuiops.domain.feed import FeedState
from tuiops.domain.refs import ObjectRef, SourceLocation
from tuiops.errors import NoKubeconfig, RepoLayoutError
from tuiops.services.backend import Backend
from tuiops.services.console_snapshot import ConsoleState, offline_detail
from tuiops.services.overview import build_overview
from tuiops.services.problem_log import ProblemLog
from tuiops.services.repo_yaml import RepoYaml, read_document
from tuiops.services.talos_desired import desired_versions

if TYPE_CHECKING:
    from tuiops.domain.kube_contexts import KubeContextEntry
    from tuiops.domain.repo import Cluster, RepoModel
    from tuiops.domain.talos import TalosDesired

COALESCE_SECONDS = 0.1
"""At most one snapshot per this many seconds while the feed is busy."""

FIRST_LISTS_GRACE = 1.0
"""How long snapshots wait while some kinds' first lists are still arriving: the repo rows
are on screen meanwhile, and one complete picture costs one rebuild and one paint instead of
one per kind (on 7,000 objects each is ~50 ms of rebuild plus a repaint)."""

STARTING = Backend(None, label="starting…")
"""The backend shown while a backend factory is still connecting."""

__all__ = [
    "COALESCE_SECONDS",
    "ConsoleSession",
    "ConsoleState",
    "Throttle",
    "offline_detail",
]


class Throttle:
    """Throttle, not debounce: the first change after a quiet spell is handled at once, the
    rest of a burst at most once per `interval`."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval
        self._clock = clock
        self._last = float("-inf")
        self._pending = False

    def request(self) -> float | None:
        """Ask for a run: the seconds to wait before it, or None when one is already due."""
        if self._pending:
            return None
        self._pending = True
        # Never 0: Textual's timers divide by their interval.
        return max(self._last + self._interval - self._clock(), 0.001)

    def ran(self) -> None:
        """The requested run happened now."""
        self._pending = False
        self._last = self._clock()


class ConsoleSession:
    """The backend and repo of one console session, and the snapshots built from them."""

    def __init__(
        self,
        backend: Backend | Callable[[], Backend],
        *,
        cluster: str | None = None,
        repo: Path | Callable[[], Path | None] | None = None,
        clock: Callable[[], datetime] = datetime.now,
        problem_log: ProblemLog | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        repo_problem: str = "",
    ) -> None:
        """A session on a backend.

        Args:
            backend: the backend, or a factory `connect()` calls (from a worker: the first
                frame never waits for a simulated cluster to start or a kube context to load).
            cluster: the repo cluster to show (default: the first).
            repo: the repo, or a function finding it (called from a worker: the demo copies
                its example repo), so it is read before connecting; default: the backend's.
            clock: "now", for ages (frozen in snapshots).
            problem_log: where tracebacks of unexpected errors go (default: the XDG state
                dir).
            monotonic: the clock for `lists_pending`.
            repo_problem: why no repo was found (the one line `tuiops status` prints), shown
                instead of "reading the repo…".
        """
        self._problem_log = problem_log or ProblemLog()
        self._connect = backend if callable(backend) else None
        self.backend: Backend = backend if isinstance(backend, Backend) else STARTING
        self._locate_repo = repo if callable(repo) else None
        self.repo_root: Path | None = repo if isinstance(repo, Path) else None
        """The repo read; known before the backend is when the caller names it."""
        self.model: RepoModel | None = None
        self._lists_started: float | None = None
        self._updated: datetime | None = None
        """When a snapshot was last built with every feed live."""
        self._monotonic = monotonic
        self._cluster_name = cluster
        self.now = clock
        self.repo_problem = repo_problem

    def first_state(self) -> ConsoleState:
        """The snapshot before anything was read."""
        return ConsoleState(
            offline_reason=self.backend.offline_reason, repo_problem=self.repo_problem
        )

    def connect(self) -> Backend:
        """Blocking: build the backend if a factory was given; the backend either way."""
        if self._connect is not None:
            self.backend = self._connect()
            self._connect = None
        return self.backend

    def read_repo(self) -> RepoModel | None:
        """Blocking, CPU-bound: read the repo (never raises for bad content); None when no
        repo is known yet (a backend factory not called yet) or there is none."""
        if self._locate_repo is not None:
            self.repo_root, self._locate_repo = self._locate_repo(), None
        root = self.repo_root or self.backend.repo_root
        if root is None:
            return None
        from tuiops.gitops.loader import load_repo  # the YAML reader: after the first frame

        self.repo_root = root
        self.model = load_repo(root)
        return self.model

    def contexts(self) -> tuple[KubeContextEntry, ...]:
        """Blocking: the kubeconfig's contexts (`:ctx`).

        Raises:
            NoKubeconfig: there is no kubeconfig, or it cannot be read.
        """
        listed = self.backend.contexts
        if listed is None:
            raise NoKubeconfig(f"no kube contexts to list ({self._why_no_contexts()})")
        return listed()

    def switch_context(self, name: str) -> Backend:
        """Blocking: connect to context `name` and make it the session's backend. The new
        backend is built before the old feed stops, so a context that cannot be used leaves
        the session as it was; its feed is not started (the caller starts it with its
        callback). From the swap on, snapshots hold only the new context's objects.

        Raises:
            NoKubeconfig: no kubeconfig, or `name` is not a context it can use.
        """
        switch = self.backend.switch_context
        if switch is None:
            raise NoKubeconfig(f"cannot switch contexts ({self._why_no_contexts()})")
        new = switch(name)
        old = self.backend
        self.backend = new
        self._lists_started = None
        self._updated = None  # "updated" is evidence about this context only
        if old.flux is not None:
            old.flux.stop()
        return new

    def _why_no_contexts(self) -> str:
        return offline_detail(self.backend.offline_reason) or "no kubeconfig"

    @property
    def cluster_names(self) -> tuple[str, ...]:
        """The repo's clusters (`clusters/<name>/`), in the repo's order."""
        return tuple(cluster.name for cluster in self.model.clusters) if self.model else ()

    def choose_cluster(self, name: str) -> None:
        """Show repo cluster `name` from the next snapshot on.

        Raises:
            RepoLayoutError: the repo has no such cluster (the message lists those it has).
        """
        names = self.cluster_names
        if name not in names:
            listed = ", ".join(names) or "none read yet"
            raise RepoLayoutError(f"the repo has no cluster {name!r} (clusters: {listed})")
        self._cluster_name = name

    def talos_desired(self) -> TalosDesired:
        """Blocking: the Talos and Kubernetes versions the repo's talconfig asks for."""
        return desired_versions(self.repo_root or self.backend.repo_root)

    def repo_yaml(self, ref: ObjectRef) -> RepoYaml:
        """Blocking: the document the repo defines `ref` with, and its file and line.

        Raises:
            RepoLayoutError: the repo does not define it, or its file cannot be read.
        """
        root = self.repo_root or self.backend.repo_root
        cluster = self._shown_cluster()
        components = cluster.all_components() if cluster is not None else ()
        located: dict[ObjectRef, SourceLocation] = {}
        for component in components:
            for kustomization in component.kustomizations:
                located.setdefault(kustomization.ref, kustomization.location)
            for release in component.helm_releases:
                located.setdefault(release.ref, release.location)
        location = located.get(ref)
        if root is None or location is None:
            raise RepoLayoutError(f"{ref} is not defined in the repo")
        return read_document(root, location)

    def lists_pending(self) -> float:
        """Seconds a snapshot should still wait for the first lists of other kinds (0: build
        it now). Never more than FIRST_LISTS_GRACE after the first change, so a slow kind
        does not hide the others for long."""
        flux = self.backend.flux
        syncing = flux is not None and any(f.state is FeedState.SYNCING for f in flux.feeds())
        if not syncing:
            return 0.0
        now = self._monotonic()
        if self._lists_started is None:
            self._lists_started = now
        return max(self._lists_started + FIRST_LISTS_GRACE - now, 0.0)

    def snapshot(self) -> ConsoleState:
        """A new snapshot from the repo model and the feed's current objects."""
        flux = self.backend.flux
        objects = flux.objects() if flux else ()
        feeds = flux.feeds() if flux else ()
        cluster = self._shown_cluster()
        overview = (
            build_overview(cluster, objects, feeds, context=flux.context if flux else "")
            if cluster is not None
            else None
        )
        if flux is not None and feeds and all(feed.live for feed in feeds):
            # Every feed is live, which the feeds claim only with recent contact: evidence
            # that this picture is current. Otherwise "updated" stays at the last such time.
            self._updated = self.now()
        return ConsoleState(
            model=self.model,
            overview=overview,
            offline_reason=self.backend.offline_reason,
            updated=self._updated,
            objects={obj.ref: obj for obj in objects},
            repo_problem=self.repo_problem if self.model is None else "",
        )

    def record_problem(self, error: BaseException, where: str) -> str:
        """Keep an unexpected error's traceback; the one line to show for it.

        Args:
            error: What was raised.
            where: What was running (a worker's description).
        """
        path = self._problem_log.record(error, where)
        text = f"{where}: {type(error).__name__}: {error}"
        return f"{text} (details in {path})" if path else text

    def _shown_cluster(self) -> Cluster | None:
        model = self.model
        if model is None or not model.clusters:
            return None
        chosen = model.cluster(self._cluster_name) if self._cluster_name else None
        return chosen or model.clusters[0]


# The Env screen's state API (issue 15), re-exported from the one services module the UI may
# import, imported when first asked for (the Env screen is not on the way to the first frame).
if TYPE_CHECKING:
    from tuiops.services.env_session import EnvFile as EnvFile
    from tuiops.services.env_session import EnvFileInfo as EnvFileInfo
    from tuiops.services.env_session import EnvSession as EnvSession
    from tuiops.services.env_session import SaveOutcome as SaveOutcome

# The rotation request the Env screen builds (issue 15), imported when first asked for: the
# rotation service reads the repo with the gitops loader, which the console's first frame does
# not need.
if TYPE_CHECKING:
    from tuiops.services.rotation import RotationRequest as RotationRequest

_LAZY = {"RotationRequest": "tuiops.services.rotation"}
_LAZY.update(
    dict.fromkeys(
        ("EnvFile", "EnvFileInfo", "EnvSession", "SaveOutcome"), "tuiops.services.env_session"
    )
)


def __getattr__(name: str) -> object:
    """The Env, rotation and recipients names (`_LAZY`), imported on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


# Recipient rotation (issue 15): the Recipients screen's service and what it returns, imported
# on first use as the rotation request is.
if TYPE_CHECKING:
    from tuiops.services.recipients import AgeKeyChoice as AgeKeyChoice
    from tuiops.services.recipients import FileResult as FileResult
    from tuiops.services.recipients import RecipientPlan as RecipientPlan
    from tuiops.services.recipients import RecipientRotation as RecipientRotation

_LAZY.update(
    dict.fromkeys(
        ("AgeKeyChoice", "FileResult", "RecipientPlan", "RecipientRotation"),
        "tuiops.services.recipients",
    )
)
