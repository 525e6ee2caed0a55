"""Benchmark: the Logs pane under a flood of controller lines, measured to the painted terminal.

Run: `.venv/bin/python tests/benchmarks/bench_logs_pane.py [--lines N] [--rate R] [--json]`.
Not a test: pytest does not collect it, and it never asserts. `tuiops --kubeconfig` runs on a
120x40 PTY (`pty_screen.py`, pyte) against the degraded scenario served by this file in another
process (`--serve`), whose `pump_logs` appends realistic controller lines to helm-controller's
log at `--rate` lines a second. The pane has a filter on (`L`: errors only, a sixth of the
flood), so every line costs a filter test. Figures, all read off the pane's status line on the
emulated screen:

1. Sustained ingest: lines received a second (the status line's count) from the first to the
   last line of the flood. Target: >= 20,000/s, i.e. the pane keeps up with the sim.
2. Nothing lost: the pane's count equals the backlog plus what the sim sent, and its evicted
   count equals received minus the buffer's capacity (received = buffered + evicted).
3. A keypress during the flood: `space` (pause) until the status line says "paused", then `G`
   until it says "following"; each from the bytes written to the PTY. Target: < 100 ms.
4. Memory: the console's RSS after the whole flood (default one million lines). Target:
   < 250 MB.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import threading
import time
from functools import partial
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:  # run as a script: make the `tests` package importable
    sys.path.insert(0, str(PROJECT_ROOT))

from tests.benchmarks.console_figures import TUIOPS, footer_shown, terminal  # noqa: E402
from tests.benchmarks.process_memory import rss_mb  # noqa: E402
from tests.benchmarks.pty_screen import Lines, PtyScreen  # noqa: E402
from tests.benchmarks.sim_server import ChildServer  # noqa: E402
from tuiops.services.log_buffer import DEFAULT_CAPACITY  # noqa: E402
from tuiops.sim.example_repo import EXAMPLE_REPO  # noqa: E402

STATUS = re.compile(
    r"(?P<state>\w+)(?:[^·]*)· (?:\d+ streams · )?(?:(?P<shown>[\d,]+) of )?(?P<received>[\d,]+)"
    r" lines · (?:(?P<evicted>[\d,]+) evicted|none evicted) · (?P<follow>following|paused)"
)
KEY_TARGET = 0.100
RATE_TARGET = 20_000.0
RSS_TARGET_MB = 250.0


# -- the simulated cluster's side (`--serve`) ----------------------------------------------------


def serve() -> None:
    """The degraded scenario (controllers off, the clock running): prints the kubeconfig,
    then for each `pump N RATE` line on stdin floods helm-controller's log and answers
    `pumped N`."""
    from tuiops.sim.flux.log_traffic import pump_logs
    from tuiops.sim.flux.pods import CONTAINER, FLUX_NAMESPACE, pod_name
    from tuiops.sim.session import start_simulation

    # A running clock: the flood's lines are stamped as they are written, as a kubelet does.
    # Under the frozen clock they would all fall in one second, and the adapter remembers
    # every line of the current second to drop what a resumed stream sends again.
    with start_simulation("degraded", controllers=False, frozen_clock=False) as sim:
        print(sim.kubeconfig, flush=True)
        for line in sys.stdin:
            verb, total, rate = line.split()
            assert verb == "pump", line
            pod = pod_name("helm-controller")
            sent = pump_logs(
                sim.cluster,
                FLUX_NAMESPACE,
                pod,
                CONTAINER,
                total=int(total),
                lines_per_second=float(rate),
            )
            print(f"pumped {sent}", flush=True)


class LogServer(ChildServer):
    """`bench_logs_pane.py --serve` as a child process."""

    def __init__(self) -> None:
        super().__init__([sys.executable, __file__, "--serve"], "the simulation")
        self.kubeconfig = self.greeting

    def pump(self, total: int, rate: float) -> int:
        """Flood the log; returns once every line is in the log (the lines sent)."""
        answer = self.ask(f"pump {total} {rate}").split()
        return int(answer[1]) if len(answer) == 2 else -1


# -- the console's side -------------------------------------------------------------------------


def status(lines: Lines) -> re.Match[str] | None:
    for line in lines[:4]:
        found = STATUS.search(line)
        if found:
            return found
    return None


def count_changed(seen: int, lines: Lines) -> bool:
    """The status line shows another count of lines received than `seen`."""
    found = status(lines)
    return found is not None and number(found, "received") != seen


def number(found: re.Match[str], group: str) -> int:
    text = found[group]
    return int(text.replace(",", "")) if text else 0


def key_latency(term: PtyScreen, key: bytes, follow: str) -> float:
    sent = term.write(key)
    shown = term.wait_for(
        lambda lines: (found := status(lines)) is not None and found["follow"] == follow, 10
    )
    return shown.at - sent if shown is not None else float("inf")


def run(total: int, rate: float) -> dict[str, float | int | list[float]]:
    server = LogServer()
    try:
        argv = [TUIOPS, "--repo", str(EXAMPLE_REPO), "--kubeconfig", server.kubeconfig]
        with terminal(argv) as term:
            if term.wait_for(footer_shown, timeout=60) is None:
                raise RuntimeError("the console never drew its footer")
            term.write(b"5")
            live = term.wait_for(
                lambda lines: (found := status(lines)) is not None and found["state"] == "live",
                60,
            )
            if live is None:
                raise RuntimeError("the Logs pane never went live")
            term.drain(quiet=1.0)
            found = status(term.lines())
            assert found is not None
            backlog = number(found, "received")
            term.write(b"L")  # errors only
            term.wait_for(lambda lines: (f := status(lines)) is not None and bool(f["shown"]), 10)

            answer: list[int] = []
            pump = threading.Thread(target=lambda: answer.append(server.pump(total, rate)))
            started = time.perf_counter()
            pump.start()
            samples: list[tuple[float, int]] = []
            keys: list[float] = []
            next_key = started + 2.0
            seen = backlog
            while pump.is_alive() or seen < backlog + total:
                painted = term.wait_for(partial(count_changed, seen), 1.0)
                if painted is not None:
                    found = status(painted.lines)
                    if found is not None:
                        seen = number(found, "received")
                        samples.append((painted.at, seen))
                now = time.perf_counter()
                if pump.is_alive() and now >= next_key:
                    keys.append(key_latency(term, b" ", "paused"))
                    keys.append(key_latency(term, b"G", "following"))
                    next_key = now + 2.0
                if now - started > total / rate * 3 + 60:
                    break
            pump.join()
            final = status(term.drain(quiet=1.0))
            assert final is not None
            received = number(final, "received")
            moving = [(at, count) for at, count in samples if backlog < count < backlog + total]
            first = next(((at, c) for at, c in samples if c > backlog), (started, backlog))
            last = next(((at, c) for at, c in samples if c >= backlog + total), samples[-1])
            ingest = (last[1] - first[1]) / max(last[0] - first[0], 1e-9)
            return {
                "lines": total,
                "rate": rate,
                "sent": answer[0] if answer else -1,
                "backlog": backlog,
                "received": received,
                "evicted": number(final, "evicted"),
                "expected_evicted": max(received - DEFAULT_CAPACITY, 0),
                "lost": backlog + total - received,
                "ingest_lines_per_second": round(ingest),
                "samples": len(moving),
                "key_ms": [round(k * 1000, 1) for k in keys],
                "rss_mb": round(rss_mb(term.process.pid), 1),
            }
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=RATE_TARGET)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    figures = run(args.lines, args.rate)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    keys = [k for k in figures["key_ms"] if isinstance(k, float)]  # type: ignore[union-attr]
    print(f"lines sent            {figures['sent']:>12,}  (+ backlog {figures['backlog']:,})")
    print(f"pane received         {figures['received']:>12,}  lost {figures['lost']}")
    print(
        f"evicted               {figures['evicted']:>12,}  expected {figures['expected_evicted']:,}"
    )
    print(f"ingest (lines/s)      {figures['ingest_lines_per_second']:>12,}  target >= 20,000")
    if keys:
        print(
            f"keypress (ms)         median {statistics.median(keys):.1f}  max {max(keys):.1f}"
            f"  target < {KEY_TARGET * 1000:.0f}"
        )
    print(f"RSS (MB)              {figures['rss_mb']:>12}  target < {RSS_TARGET_MB:.0f}")


if __name__ == "__main__":
    main()
