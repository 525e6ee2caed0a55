"""The composition root: the only module that knows which concrete adapters serve the ports.

Everything heavy (the kubernetes client) is imported when a port is first used, not here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec

from tuiops.adapters.flux import FluxActions
from tuiops.adapters.flux_feed import KubeFluxFeed, KubeObjectDetails
from tuiops.adapters.flux_reader import KubeFluxReader
from tuiops.adapters.kube_api import KubeApi
from tuiops.adapters.kubeconfig import has_kubeconfig, list_contexts, load_context
from tuiops.adapters.kubectl import Kubectl
from tuiops.adapters.log_streams import KubeLogReader
from tuiops.adapters.sops_age_secret import KubeAgeKeySecret
from tuiops.adapters.talosctl import TalosCli
from tuiops.errors import NoKubeconfig
from tuiops.ports import FluxReader, LogReader
from tuiops.services.audit import AuditLog
from tuiops.services.backend import Backend, GuardedControl
from tuiops.services.config import Config, load_config

if TYPE_CHECKING:
    from tuiops.services.rotation import SecretRotation


def check_api(kubeconfig: str | None, context: str | None, *, seconds: float = 10.0) -> None:
    """One request (`GET /version`) to see that the kube context's API server answers.

    Raises:
        NoKubeconfig, ClusterUnreachable, CredentialsFailed: it does not (one line).
    """
    from tuiops.errors import ApiError

    api = KubeApi(kubeconfig, context, deadline=time.monotonic() + seconds)
    try:
        api.request_json("GET", "/version")
    except ApiError:  # it answered (403 for anonymous /version, say): it is there
        pass
    finally:
        api.close()


def flux_reader(
    kubeconfig: str | None = None, context: str | None = None, *, deadline: float | None = None
) -> FluxReader:
    """A FluxReader for the kube context (default: $KUBECONFIG / ~/.kube/config current).

    Args:
        deadline: A `time.monotonic()` moment no request may run past (the caller's budget).
    """
    return KubeFluxReader(KubeApi(kubeconfig, context, deadline=deadline))


def log_reader(kubeconfig: str | None = None, context: str | None = None) -> LogReader:
    """A LogReader for the kube context (`tuiops logs`).

    Raises:
        NoKubeconfig: no usable kubeconfig or context (one line, read now rather than
            retried by every stream).
    """
    load_context(kubeconfig, context)
    return KubeLogReader(KubeApi(kubeconfig, context))


P = ParamSpec("P")


def _adds_repo_actions(build: Callable[P, Backend]) -> Callable[P, Backend]:
    """Every backend `build` makes also gets the repo's git, its GitOps rollback and secret
    rotation (none outside a repo). The rotation acts through the backend's own guarded
    `control`, and reads workloads on the same kube context."""

    @functools.wraps(build)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> Backend:
        backend = build(*args, **kwargs)
        if backend.repo_root is None:
            return backend
        from tuiops.adapters.git import GitCli
        from tuiops.services.rollback import ChartRollback
        from tuiops.services.rotation import SecretRotation

        git = GitCli(backend.repo_root)
        return dataclasses.replace(
            backend,
            git=git,
            rollback=ChartRollback(backend.repo_root, git, read_only=backend.read_only),
            rotation=SecretRotation(
                git, backend.control, backend.workloads, read_only=backend.read_only
            ),
        )

    return wrapped


@_adds_repo_actions
def cluster_backend(
    repo_root: Path | None,
    *,
    kubeconfig: str | None = None,
    context: str | None = None,
    offline: bool = False,
    read_only: bool = False,
    talosctl: str = "talosctl",
    label: str = "",
    action_poll: float = 2.0,
    action_timeout: float = 300.0,
    config: Config | None = None,
    audit: AuditLog | None = None,
) -> Backend:
    """A Backend on the kube context, or an offline one when there is no kubeconfig.

    Args:
        read_only: `--read-only` was given (the config file may make it read-only too).
        action_poll: Seconds between status reads while a Flux action waits (flux: 2 s).
        action_timeout: Seconds a Flux action may wait for the controller (flux: 5 min).
        config: The user's settings (default: `load_config()`); decides read-only per context.
        audit: Where changes are recorded (default: the XDG state dir's `audit.jsonl`).

    Raises:
        ConfigError: `config` was not given and the config file is broken.
    """
    config = load_config() if config is None else config
    audit = AuditLog() if audit is None else audit
    if offline:
        return Backend(
            repo_root,
            offline_reason="offline (--offline)",
            read_only_reason="offline (--offline)",
            audit=audit,
        )
    if not has_kubeconfig(kubeconfig):
        return Backend(
            repo_root,
            offline_reason="offline: no kubeconfig",
            read_only_reason=config.read_only_reason("", flag=read_only),
            audit=audit,
        )
    # `:ctx` lists the same files and switches with the same options (talosctl, read-only,
    # action timings), also from a context that could not be used.
    switch = functools.partial(
        _context_backend,
        repo_root,
        kubeconfig=kubeconfig,
        read_only=read_only,
        talosctl=talosctl,
        action_poll=action_poll,
        action_timeout=action_timeout,
        config=config,
        audit=audit,
    )
    contexts = functools.partial(list_contexts, kubeconfig)
    try:
        # Read now (a few milliseconds): a broken kubeconfig is one line in the status bar,
        # not a feed "connecting" forever. The credential plugin runs with the first request.
        resolved = load_context(kubeconfig, context)
    except NoKubeconfig as error:
        return Backend(
            repo_root,
            offline_reason=f"offline: {error}",
            read_only_reason=config.read_only_reason(context or "", flag=read_only),
            audit=audit.for_context(context or ""),
            contexts=contexts,
            switch_context=switch,
        )
    from tuiops.adapters.rollout import KubeWorkloads

    api = KubeApi(kubeconfig, context)
    return Backend(
        repo_root,
        flux=KubeFluxFeed(api),
        details=KubeObjectDetails(api, Kubectl(kubeconfig, context)),
        talos=TalosCli(talosctl),
        # The feed's KubeApi: one connection pool and one kube context for reads and actions.
        control=FluxActions(api, poll_interval=action_poll, timeout=action_timeout),
        logs=KubeLogReader(api),
        # Per context, as k9s: the flag, else the context's table, else the global setting.
        read_only_reason=config.read_only_reason(resolved.name, flag=read_only),
        # The context in use, also when it is the kubeconfig's current-context.
        label=label or resolved.name,
        contexts=contexts,
        switch_context=switch,
        audit=audit.for_context(resolved.name),
        age_secret=KubeAgeKeySecret(api),
        workloads=KubeWorkloads(api),
    )


def _context_backend(
    repo_root: Path | None,
    context: str,
    *,
    kubeconfig: str | None,
    read_only: bool,
    talosctl: str,
    action_poll: float,
    action_timeout: float,
    config: Config,
    audit: AuditLog,
) -> Backend:
    """`cluster_backend` on `context`, refusing (NoKubeconfig) a context it cannot use
    instead of going offline: `:ctx` keeps the current one then."""
    resolved = load_context(kubeconfig, context)
    return cluster_backend(
        repo_root,
        kubeconfig=kubeconfig,
        context=resolved.name,
        read_only=read_only,
        talosctl=talosctl,
        action_poll=action_poll,
        action_timeout=action_timeout,
        config=config,
        audit=audit,
    )


@contextmanager
def demo_repo() -> Iterator[Path]:
    """A temporary copy of the example repo with its demo key, removed (with everything the
    simulator put beside it) on exit. Copied, so saving an env file never edits the package.

    The copy is a git repository with one commit by the demo identity (`age.agekey` ignored),
    so a rotation or rollback in the demo commits, and the simulated source-controller
    serves that commit. Without git it is a plain folder (committing then says why)."""
    from tuiops.adapters.git import GitFailed, init_demo_repository
    from tuiops.sim.example_repo import copy_example

    workdir = Path(tempfile.mkdtemp(prefix="tuiops-demo-"))
    try:
        repo = copy_example(workdir / "repo")
        with contextlib.suppress(GitFailed):
            init_demo_repository(repo)
        yield repo
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def simulated_backend(
    repo: Path,
    *,
    frozen_clock: bool = False,
    controllers: bool = True,
    read_only: bool = False,
    action_poll: float = 2.0,
    action_timeout: float = 300.0,
    config: Config | None = None,
) -> Iterator[Backend]:
    """The degraded simulated cluster serving `repo` (a `demo_repo()`); its files go beside the
    repo and it stops on exit. Snapshots use a frozen clock and no controllers, so nothing moves
    while the picture is taken. Flux actions act on the simulator.

    Args:
        config: The user's settings (default: `load_config()`); its read-only settings apply
            (the simulator's kube context is `tuiops-sim`).
    """
    from tuiops.sim.session import start_simulation

    simulation = start_simulation(
        "degraded",
        repo=repo,
        workdir=repo.parent / "sim",
        frozen_clock=frozen_clock,
        controllers=controllers,
    )
    try:
        yield cluster_backend(
            repo,
            kubeconfig=str(simulation.kubeconfig),
            talosctl=str(simulation.talosctl),
            label="demo (simulated)",
            read_only=read_only,
            action_poll=action_poll,
            action_timeout=action_timeout,
            config=config,
        )
    finally:
        simulation.stop()


@contextmanager
def demo_backend(
    *,
    frozen_clock: bool = False,
    controllers: bool = True,
    read_only: bool = False,
    action_poll: float = 2.0,
    action_timeout: float = 300.0,
) -> Iterator[Backend]:
    """`simulated_backend` on a fresh `demo_repo()`; everything is removed on exit."""
    with (
        demo_repo() as repo,
        simulated_backend(
            repo,
            frozen_clock=frozen_clock,
            controllers=controllers,
            read_only=read_only,
            action_poll=action_poll,
            action_timeout=action_timeout,
        ) as backend,
    ):
        yield backend


def secret_rotation(
    repo_root: Path,
    *,
    kubeconfig: str | None = None,
    context: str | None = None,
    cluster: bool = True,
    read_only: bool = False,
    action_poll: float = 2.0,
    action_timeout: float = 300.0,
) -> SecretRotation:
    """The rotation service on `repo_root`'s git and (with `cluster`) the kube context, for
    `tuiops env rotate --commit --reconcile`."""
    from tuiops.adapters.git import GitCli
    from tuiops.adapters.rollout import KubeWorkloads
    from tuiops.services.rotation import SecretRotation

    config = load_config()
    if not cluster:
        refusal = config.read_only_reason("", flag=read_only)
        return SecretRotation(GitCli(repo_root), None, None, read_only=bool(refusal))
    name = load_context(kubeconfig, context).name
    api = KubeApi(kubeconfig, context)
    # The same guard and audit log as the console's Flux actions: config.toml's read-only
    # (global or for this context) applies, and every reconcile is recorded.
    refusal = config.read_only_reason(name, flag=read_only)
    control = GuardedControl(
        FluxActions(api, poll_interval=action_poll, timeout=action_timeout),
        refusal=refusal,
        audit=AuditLog(context=name),
    )
    return SecretRotation(GitCli(repo_root), control, KubeWorkloads(api), read_only=bool(refusal))
