"""Each connection fault, run once and timed: how long until tuiops says so clearly, and how
long until it is live again once the server behaves.

The tests (`test_connection_faults.py`) assert on these figures; the benchmark
(`tests/benchmarks/bench_connection_faults.py`) prints them. Every wait is a poll on a
condition with a deadline, never a fixed sleep.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tests.adapters.faults import (
    STATE_LIMIT,
    FaultServer,
    SimProcess,
    StatusRun,
    env_with_kubeconfig,
    kubeconfig_text,
    run_status,
    wait_for,
)
from tuiops.adapters.kube_api import KubeApi
from tuiops.adapters.kube_watch import ResourceWatcher
from tuiops.domain.feed import FeedState
from tuiops.domain.kinds import KUSTOMIZATION

RECOVER_LIMIT = 15.0
"""Live again within this many seconds of the server answering again."""

Watcher = ResourceWatcher[dict[str, Any]]


@dataclass
class Measured:
    """One fault case's figures."""

    case: str
    state: str
    """The feed state the watcher reached (its `value`)."""
    to_state: float
    """Seconds from the fault to that state."""
    message: str
    """The feed's message in that state."""
    status_seconds: float
    """Wall time of `tuiops status` (a fresh process) during the fault."""
    status_code: int
    status_stderr: str
    to_live: float | None
    """Seconds from the server answering again (resumed, forwarding, or the restarted
    process serving) to the feed being LIVE; None when not tried."""
    objects_kept: bool
    """The watcher still held every object while not live."""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class BackgroundStatus:
    """`tuiops status` started now in a thread, so it runs during the watcher's wait."""

    def __init__(self, env: dict[str, str]) -> None:
        self.result: StatusRun | None = None
        self._thread = threading.Thread(target=self._run, args=(env,), daemon=True)
        self._thread.start()

    def _run(self, env: dict[str, str]) -> None:
        self.result = run_status(env)

    def wait(self) -> StatusRun:
        self._thread.join(60)
        assert self.result is not None, "tuiops status did not finish within 60 s"
        return self.result


def _identity(obj: dict[str, Any]) -> dict[str, Any]:
    return obj


@contextmanager
def watching(kubeconfig: Path) -> Iterator[Watcher]:
    """A Kustomization watcher on `kubeconfig`, LIVE before the block starts."""
    api = KubeApi(str(kubeconfig))
    watcher = ResourceWatcher(api, KUSTOMIZATION, _identity).start()
    try:
        wait_for(lambda: watcher.status.state is FeedState.LIVE, STATE_LIMIT)
        yield watcher
    finally:
        watcher.stop()
        api.close()


def _is(state: FeedState, watcher: Watcher) -> Callable[[], bool]:
    return lambda: watcher.status.state is state


def _fault_then_recover(
    case: str,
    watcher: Watcher,
    kubeconfig: Path,
    *,
    fault: Callable[[], object],
    expect: FeedState,
    recover: Callable[[], object],
) -> Measured:
    """Apply `fault`, time the state and a concurrent `tuiops status`, then `recover`."""
    before = len(watcher.snapshot())
    started = time.monotonic()
    fault()
    status = BackgroundStatus(env_with_kubeconfig(str(kubeconfig)))
    wait_for(_is(expect, watcher), STATE_LIMIT + 2)
    to_state = time.monotonic() - started
    reached = watcher.status
    kept = len(watcher.snapshot()) == before
    done = status.wait()
    recover()  # returns once the server answers again (a restarted one: once it serves)
    to_live = wait_for(_is(FeedState.LIVE, watcher), RECOVER_LIMIT)
    return Measured(
        case,
        reached.state.value,
        to_state,
        reached.message,
        done.seconds,
        done.returncode,
        done.stderr,
        to_live,
        kept,
    )


def proxied_case(workdir: Path, mode: str) -> Measured:
    """The real simulated cluster behind a `FaultServer` that turns `silent` or `dribble*`."""
    sim = SimProcess(workdir / "sim-kubeconfig").start()
    proxy = FaultServer(sim.port).start()
    kubeconfig = workdir / "kubeconfig"
    kubeconfig.write_text(kubeconfig_text(proxy.url), encoding="utf-8")
    try:
        with watching(kubeconfig) as watcher:

            def fault() -> None:
                proxy.mode = mode
                if mode != "silent":
                    proxy.cut()  # the watcher's next request meets the dribble

            def recover() -> None:
                proxy.mode = "forward"
                proxy.cut()  # a dribbled answer in progress ends now

            return _fault_then_recover(
                mode,
                watcher,
                kubeconfig,
                fault=fault,
                expect=FeedState.NOT_ANSWERING,
                recover=recover,
            )
    finally:
        proxy.stop()
        sim.kill()


def sigstop_case(workdir: Path) -> Measured:
    """The simulated cluster's process stopped with SIGSTOP, then continued."""
    sim = SimProcess(workdir / "kubeconfig").start()
    try:
        with watching(sim.kubeconfig) as watcher:
            return _fault_then_recover(
                "sigstop",
                watcher,
                sim.kubeconfig,
                fault=sim.pause,
                expect=FeedState.NOT_ANSWERING,
                recover=sim.resume,
            )
    finally:
        sim.kill()


def restart_case(workdir: Path) -> Measured:
    """The simulated cluster killed (SIGKILL), then started again on the same port."""
    sim = SimProcess(workdir / "kubeconfig").start()
    try:
        with watching(sim.kubeconfig) as watcher:
            return _fault_then_recover(
                "kill+restart",
                watcher,
                sim.kubeconfig,
                fault=sim.kill,
                expect=FeedState.RECONNECTING,
                recover=sim.start,  # returns once the new process serves
            )
    finally:
        sim.kill()


def silent_from_start_case(workdir: Path, mode: str) -> Measured:
    """A server that never behaved (`silent`, `dribble`, `dribble-chunked`): no recovery."""
    server = FaultServer(mode=mode).start()
    kubeconfig = workdir / "kubeconfig"
    kubeconfig.write_text(kubeconfig_text(server.url), encoding="utf-8")
    api = KubeApi(str(kubeconfig))
    watcher = ResourceWatcher(api, KUSTOMIZATION, _identity).start()
    try:
        status = BackgroundStatus(env_with_kubeconfig(str(kubeconfig)))
        to_state = wait_for(_is(FeedState.NOT_ANSWERING, watcher), STATE_LIMIT + 2)
        reached = watcher.status
        done = status.wait()
    finally:
        watcher.stop()
        api.close()
        server.stop()
    return Measured(
        f"{mode} (from the start)",
        reached.state.value,
        to_state,
        reached.message,
        done.seconds,
        done.returncode,
        done.stderr,
        None,
        True,
    )
