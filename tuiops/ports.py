"""The small Protocols the services need; adapters implement them against a real cluster,
and the simulated cluster stands behind those same adapters in tests and the demo."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from tuiops.domain.actions import ActionOutcome
from tuiops.domain.events import Event
from tuiops.domain.feed import FeedStatus
from tuiops.domain.helm import ReleaseRevision
from tuiops.domain.live import LiveObject
from tuiops.domain.log_records import LogQuery, LogRecord, StreamStatus
from tuiops.domain.refs import ObjectRef
from tuiops.domain.rotation import WorkloadSpec
from tuiops.domain.talos import ClusterHealth, EtcdMember, NodeResults, TalosNode, TalosService
from tuiops.domain.workload_tree import WorkloadTree
from tuiops.domain.workloads import ReleaseObjects


class FluxReader(Protocol):
    """One read of every Flux Kustomization and HelmRelease in the cluster."""

    @property
    def context(self) -> str:
        """The kube context name, for display."""
        ...

    @property
    def server(self) -> str:
        """The API server address, for display and error messages."""
        ...

    def read_appliers(self) -> tuple[tuple[LiveObject, ...], tuple[FeedStatus, ...]]:
        """Live Kustomizations and HelmReleases, and per kind whether the read worked.

        A kind RBAC denies is reported as a FORBIDDEN feed, not as an empty list.

        Raises:
            ClusterUnreachable: no API server answered.
            NoKubeconfig: there is no usable kube context.
        """
        ...


class FluxFeed(Protocol):
    """Live Kustomizations and HelmReleases, kept current by list+watch in the background."""

    @property
    def context(self) -> str: ...

    @property
    def server(self) -> str: ...

    def start(self, on_change: Callable[[], None]) -> None:
        """Begin watching; `on_change` is called (from a background thread) after changes."""
        ...

    def stop(self) -> None: ...

    def objects(self) -> tuple[LiveObject, ...]:
        """The current view (may be empty until the first list answers)."""
        ...

    def feeds(self) -> tuple[FeedStatus, ...]: ...


class ObjectDetails(Protocol):
    """Blocking reads behind the Detail, History and Pods screens (run them in a worker)."""

    def events_for(self, ref: ObjectRef) -> tuple[Event, ...]: ...

    def flux_events(self, namespace: str = "") -> tuple[Event, ...]:
        """Events about Flux objects in every namespace (or one), newest last (`flux events
        -A`)."""
        ...

    def describe(self, ref: ObjectRef) -> str:
        """`kubectl describe` text."""
        ...

    def yaml(self, ref: ObjectRef) -> str:
        """`kubectl get -o yaml` text."""
        ...

    def revisions(self, release: LiveObject) -> tuple[ReleaseRevision, ...]:
        """Helm storage revisions of a HelmRelease, oldest first."""
        ...

    def release_objects(self, release: LiveObject) -> ReleaseObjects:
        """The objects a HelmRelease's newest Helm revision created and whether each is ready:
        not ready first (each with its culprit: a pod that cannot be scheduled, a missing
        ServiceAccount, a crashing container), then unknown (not checked, forbidden), then
        ready. Never raises a cluster error: an object that cannot be read is an UNKNOWN
        line, a missing one a NOT_READY line, and an unreadable release storage `note`."""
        ...

    def workload_tree(self, release: LiveObject) -> WorkloadTree:
        """The workloads (Deployments, StatefulSets, DaemonSets, Jobs) of a HelmRelease's newest
        Helm revision, each with its ReplicaSets and pods and the events about each, not ready
        first. Never raises a cluster error: an unreadable workload is a node saying why, a
        list that failed a line of `unread`, an unreadable release storage `note`."""
        ...


class FluxControl(Protocol):
    """Flux actions that change the cluster; each blocks until the controller answers (run it
    in a worker) and reports failures in the outcome rather than raising."""

    def reconcile(
        self, ref: ObjectRef, *, with_source: bool = False, force: bool = False, reset: bool = False
    ) -> ActionOutcome:
        """`flux reconcile` (`force`/`reset`: HelmRelease only)."""
        ...

    def suspend(self, ref: ObjectRef) -> ActionOutcome: ...

    def resume(self, ref: ObjectRef, *, wait: bool = True) -> ActionOutcome: ...


class TalosReader(Protocol):
    """The Talos nodes and their health, through talosctl (blocking; run in a worker)."""

    def cluster_nodes(self) -> tuple[TalosNode, ...]: ...

    def health(self) -> ClusterHealth: ...

    def services(self) -> NodeResults[TalosService]: ...

    def etcd_members(self) -> NodeResults[EtcdMember]: ...


class LogFeed(Protocol):
    """A running set of log streams: the Flux controllers', or one pod's containers. It follows
    new pods of the controllers (a restart, a rollout) and resumes a broken stream after its
    last line, never delivering a line twice."""

    def start(self, on_records: Callable[[Sequence[LogRecord]], None]) -> None:
        """Begin reading; `on_records` is called from background threads with each batch, in
        the order each stream delivered it."""
        ...

    def stop(self) -> None: ...

    def statuses(self) -> tuple[StreamStatus, ...]:
        """Every stream and its state (the pane shows the worst)."""
        ...


class LogReader(Protocol):
    """Opens log feeds (nothing is read before `LogFeed.start`)."""

    def flux_logs(self, query: LogQuery) -> LogFeed:
        """The four controllers' logs, pods picked as `flux logs` picks them."""
        ...

    def pod_logs(
        self,
        namespace: str,
        pod: str,
        query: LogQuery,
        *,
        container: str = "",
        previous: bool = False,
    ) -> LogFeed:
        """One pod's containers (every one when `container` is empty); `previous`: the
        terminated container before the current one (`kubectl logs -p`)."""
        ...


class GitRepository(Protocol):
    """The GitOps repo's git (blocking; run in a worker). Failures raise a TuiopsError whose
    message is one line saying what to do; no secret value is ever passed to git."""

    def head(self) -> str:
        """The full sha of HEAD."""
        ...

    def is_clean(self, paths: Sequence[str | Path]) -> bool:
        """Whether every one of `paths` is committed as it is on disk."""
        ...

    def commit(self, paths: Sequence[str | Path], message: str) -> str:
        """Commit exactly `paths` (never `-a`) with `message`; returns the new sha."""
        ...

    def remote_configured(self) -> bool: ...

    def push(self) -> str:
        """Push the current branch; returns one line saying where it went."""
        ...


class WorkloadControl(Protocol):
    """Workloads that may consume a rotated value, and their rollout restart (blocking; run
    in a worker). Reads raise ClusterError when the cluster cannot answer."""

    def release_workloads(self, release: ObjectRef) -> tuple[WorkloadSpec, ...]:
        """The Deployments, StatefulSets and DaemonSets a HelmRelease's Helm release runs."""
        ...

    def namespace_workloads(self, namespace: str) -> tuple[WorkloadSpec, ...]: ...

    def workload(self, ref: ObjectRef) -> WorkloadSpec: ...

    def restart(self, ref: ObjectRef) -> str:
        """`kubectl rollout restart`; returns the `restartedAt` value set."""
        ...


class AgeKeySecret(Protocol):
    """The Secret Flux's kustomize-controller decrypts SOPS files with (`sops-age` in the Flux
    namespace, its age identity under `age.agekey`); blocking, run it in a worker."""

    def replace_age_key(self, namespace: str, name: str, identity: str) -> str:
        """Create the Secret, or replace its `age.agekey` data (other keys kept), with
        `identity` (an `AGE-SECRET-KEY-1…` line), then read it back to check it holds it.

        Returns:
            One line saying what was done (`created` or `replaced`); never the key.

        Raises:
            ClusterError: the write or the read-back failed, or the Secret read back does not
                hold the key (one line; never the key).
        """
        ...
