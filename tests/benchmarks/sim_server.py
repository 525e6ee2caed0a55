"""A simulated cluster in its own process, for the console benchmarks: its HTTP threads never
compete with the benchmark's PTY reader for a GIL (a real cluster is elsewhere too), and the
benchmark changes objects in it through stdin.

Run: `.venv/bin/python tests/benchmarks/sim_server.py SCENARIO`. It prints the kubeconfig's
path, then for each line `ready NAMESPACE NAME STATUS REASON` on stdin sets that HelmRelease's
Ready condition (status and reason: the Ready, Reason and health columns of the Apps table)
and answers `ok`, or `missing` when there is no such HelmRelease. End of stdin stops it.
`SimServer` is the benchmark's side of that conversation.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, Self

from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.session import start_simulation

HERE = Path(__file__).resolve().parent


def _set_ready(status: str, reason: str) -> Any:
    def mutate(obj: dict[str, Any]) -> None:
        for condition in obj.get("status", {}).get("conditions", []):
            if condition.get("type") == "Ready":
                condition["status"] = status
                condition["reason"] = reason
                condition["message"] = f"benchmark: {reason}"

    return mutate


def serve(scenario: str) -> None:
    helm_release = type_for_kind("HelmRelease")
    with start_simulation(scenario, controllers=False, frozen_clock=True) as sim:
        print(sim.kubeconfig, flush=True)
        for line in sys.stdin:
            verb, namespace, name, status, reason = line.split()
            assert verb == "ready", line
            if sim.cluster.store.get(helm_release, namespace, name) is None:
                print("missing", flush=True)
                continue
            mutate = _set_ready(status, reason)
            sim.cluster.store.update(helm_release, namespace, name, mutate, status_only=True)
            print("ok", flush=True)


class ChildServer:
    """A benchmark's simulated cluster in a child process that talks one line at a time: the
    first line it prints is its greeting (the kubeconfig's path, …), then it answers each
    line written to its stdin with one line; end of stdin stops it. `with` stops it too."""

    def __init__(self, argv: list[str], what: str) -> None:
        self.process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=HERE.parents[1]
        )
        assert self.process.stdout is not None
        self.greeting = self.process.stdout.readline().strip()
        if not self.greeting:
            raise RuntimeError(f"{what} did not start")

    def ask(self, command: str) -> str:
        """Send one line; its answer, without the line end ("" when the child is gone)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


class SimServer(ChildServer):
    """`sim_server.py SCENARIO` as a child process."""

    def __init__(self, scenario: str) -> None:
        argv = [sys.executable, str(HERE / "sim_server.py"), scenario]
        super().__init__(argv, f"the {scenario} simulation")
        self.kubeconfig = self.greeting

    def set_ready(self, namespace: str, name: str, status: str, reason: str) -> None:
        """Change a HelmRelease's Ready condition; returns once the store holds the change
        (its watch event is then on its way to every watcher)."""
        answer = self.ask(f"ready {namespace} {name} {status} {reason}")
        if answer != "ok":
            raise RuntimeError(f"sim_server: {namespace}/{name}: {answer or 'no answer'}")


if __name__ == "__main__":
    serve(sys.argv[1])
