"""The bundle of port implementations a console session runs on (live cluster, simulator, or
none), built by `wiring.py`; the UI sees only this and the services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the console's first frame does not pay for every port's domain types
    from tuiops.domain.kube_contexts import KubeContextEntry
    from tuiops.ports import (
        FluxControl,
        FluxFeed,
        GitRepository,
        LogReader,
        ObjectDetails,
        TalosReader,
    )
    from tuiops.services.rollback import ChartRollback
    from tuiops.services.rotation import SecretRotation


@dataclass(frozen=True)
class Backend:
    """What one console session talks to."""

    repo_root: Path | None
    """The GitOps repo; None when tuiops was started outside one."""
    flux: FluxFeed | None = None
    """None when offline (no kubeconfig, or `--offline`)."""
    details: ObjectDetails | None = None
    talos: TalosReader | None = None
    logs: LogReader | None = None
    """Controller and pod logs; None when offline."""
    control: FluxControl | None = None
    """Reconcile/suspend/resume; None when offline. `read_only` forbids using it."""
    offline_reason: str = ""
    """Why there is no cluster, shown in the status bar and on the Layers screen."""
    read_only: bool = False
    label: str = ""
    """Kube context (and `demo` in the demo), for the status bar."""
    contexts: Callable[[], tuple[KubeContextEntry, ...]] | None = None
    """Blocking: the kubeconfig's contexts (`:ctx` lists them); None without a kubeconfig.
    Raises NoKubeconfig when the files cannot be read."""
    switch_context: Callable[[str], Backend] | None = None
    """Blocking: a backend on another context of the same kubeconfig, with the same options;
    None without a kubeconfig. Raises NoKubeconfig for a context it cannot use."""
    git: GitRepository | None = None
    """The GitOps repo's git; None outside a repo."""
    rollback: ChartRollback | None = None
    """GitOps rollback of a HelmRelease's chart version (History): `plan(release, version)`,
    then `apply(plan, push=...)`; blocking, run both in a worker. None outside a repo."""
    rotation: SecretRotation | None = None
    """After an env save: commit, push, reconcile the affected objects, list the consumers
    (`targets(repo, keys)`, `run(request, on_step)`, `restart(consumers, on_step)`); blocking,
    run in a thread worker. None outside a repo."""
