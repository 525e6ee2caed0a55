"""Benchmark: `tuiops logs -f -A` next to `kubectl logs -f` on the same stream.

Run: `.venv/bin/python tests/benchmarks/bench_logs_cli.py [--lines N] [--runs R] [--json]`.
Not a test: pytest does not collect it (not `test_*.py`), and it never asserts.

The simulated cluster (degraded scenario, controllers off) runs in another process (`--serve`),
so its HTTP threads never share a GIL with the benchmark's pipe readers. Each run, for each
client in turn (the order alternates between runs):

1. the server prepares N realistic controller lines for kustomize-controller's `manager`
   container (`sim/flux/log_traffic.controller_line`), outside the timed part;
2. the client starts following that container with `--tail 0` (kubectl:
   `kubectl logs -f --tail=0 POD -c manager -n flux-system`; tuiops:
   `tuiops logs -f -A --tail 0`, which follows all four controllers and prints every line in
   `flux logs`' format), writing to a pipe the benchmark drains and counts;
3. a marker line shows the client is following; then the N lines are appended at once and the
   clock runs from that moment until the client has written all N lines to its pipe.

Figures: lines a second of each client (the median of the runs, with the slowest and fastest),
and the ratio tuiops / kubectl (>= 1 means tuiops is at least as fast). The server's own cost
(encoding the lines, writing the socket) is in both figures alike.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:  # run as a script: make the `tests` package importable
    sys.path.insert(0, str(PROJECT_ROOT))

from tests.benchmarks.sim_server import ChildServer  # noqa: E402

KUBECTL = "/usr/bin/kubectl"
CONTROLLER = "kustomize-controller"
MARKER = '{"level":"info","ts":"2025-11-25T10:10:00.000Z","msg":"benchmark marker"}'
BATCH = 1000


# -- the simulated cluster's side (`--serve`) ----------------------------------------------------


def serve() -> None:
    """Prints the kubeconfig and the pod's name, then answers on stdin: `prepare N` (make N
    lines, answer `prepared`), `marker` (append one line, `marked`), `pump` (append the
    prepared lines at once, `pumped N`), `reset` (the log restarts empty, `reset`)."""
    import random
    from datetime import timedelta

    from tuiops.sim.apiserver.podlogs import LogRecord
    from tuiops.sim.flux.log_traffic import controller_line
    from tuiops.sim.flux.pods import CONTAINER, FLUX_NAMESPACE, pod_name
    from tuiops.sim.session import start_simulation

    pod = pod_name(CONTROLLER)
    with start_simulation("degraded", controllers=False) as sim:
        logs = sim.cluster.logs
        logs.keep_lines(10_000_000)
        print(sim.kubeconfig, pod, flush=True)
        prepared: list[LogRecord] = []
        for line in sys.stdin:
            verb, *rest = line.split()
            if verb == "prepare":
                rng = random.Random(len(prepared))
                start = sim.cluster.clock.now()
                prepared = []
                for number in range(int(rest[0])):
                    moment = start + timedelta(microseconds=number)
                    prepared.append(LogRecord(moment, controller_line(number, moment, rng)))
                print("prepared", flush=True)
            elif verb == "marker":
                sim.cluster.append_log(FLUX_NAMESPACE, pod, CONTAINER, MARKER)
                print("marked", flush=True)
            elif verb == "pump":
                for offset in range(0, len(prepared), BATCH):
                    logs.extend(FLUX_NAMESPACE, pod, CONTAINER, prepared[offset : offset + BATCH])
                print(f"pumped {len(prepared)}", flush=True)
            elif verb == "reset":
                logs.restart(FLUX_NAMESPACE, pod, CONTAINER)
                logs.restart(FLUX_NAMESPACE, pod, CONTAINER)  # the previous log goes too
                print("reset", flush=True)


class LogServer(ChildServer):
    """`bench_logs_cli.py --serve` as a child process; it greets with the kubeconfig and the
    followed pod."""

    def __init__(self) -> None:
        super().__init__([sys.executable, __file__, "--serve"], "the simulation")
        kubeconfig, self.pod = self.greeting.split()
        self.kubeconfig = Path(kubeconfig)


# -- the clients ---------------------------------------------------------------------------------


class Client:
    """A following command whose stdout (a pipe) is drained and its lines counted."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=PROJECT_ROOT
        )
        self.lines = 0
        self.last_at = 0.0
        self._changed = threading.Condition()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stdout is not None
        descriptor = self.process.stdout.fileno()
        while chunk := os.read(descriptor, 1 << 20):
            with self._changed:
                self.lines += chunk.count(b"\n")
                self.last_at = time.perf_counter()
                self._changed.notify_all()

    def wait_lines(self, count: int, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.lines >= count, timeout)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _argv(name: str, pod: str) -> list[str]:
    if name == "kubectl":
        return [KUBECTL, "logs", "-f", "--tail=0", pod, "-c", "manager", "-n", "flux-system"]
    return [sys.executable, "-m", "tuiops", "logs", "-f", "-A", "--tail", "0"]


def one_run(server: LogServer, name: str, lines: int) -> float:
    """Lines a second `name` wrote to its pipe, from the append to its last line."""
    env = dict(os.environ, KUBECONFIG=str(server.kubeconfig))
    assert server.ask("reset") == "reset"
    assert server.ask(f"prepare {lines}") == "prepared"
    client = Client(_argv(name, server.pod), env)
    try:
        # Marker lines until one shows up: the client is following (its request is open).
        while True:
            assert server.ask("marker") == "marked"
            if client.wait_lines(1, 0.5):
                break
        seen = client.lines
        started = time.perf_counter()
        assert server.ask("pump") == f"pumped {lines}"
        if not client.wait_lines(seen + lines, 600):
            raise RuntimeError(f"{name} wrote {client.lines - seen} of {lines} lines")
        return lines / (client.last_at - started)
    finally:
        client.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    server = LogServer()
    rates: dict[str, list[float]] = {"kubectl": [], "tuiops": []}
    try:
        for run in range(args.runs):
            order = ("kubectl", "tuiops") if run % 2 == 0 else ("tuiops", "kubectl")
            for name in order:
                rates[name].append(one_run(server, name, args.lines))
    finally:
        server.stop()
    figures: dict[str, Any] = {
        name: {
            "median": statistics.median(values),
            "min": min(values),
            "max": max(values),
            "runs": [round(v) for v in values],
        }
        for name, values in rates.items()
    }
    ratio = figures["tuiops"]["median"] / figures["kubectl"]["median"]
    if args.json:
        print(json.dumps({"lines": args.lines, "ratio": ratio, **figures}, indent=2))
        return
    print(f"{args.lines:,} lines pumped into {CONTROLLER}'s log, {args.runs} runs each, to a pipe")
    for name, figure in figures.items():
        print(
            f"  {name:8} {figure['median']:>10,.0f} lines/s median"
            f"  (min {figure['min']:,.0f}, max {figure['max']:,.0f})"
        )
    print(f"  ratio tuiops / kubectl: {ratio:.2f}")


if __name__ == "__main__":
    main()
