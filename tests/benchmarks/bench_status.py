"""Benchmark: whole-process `tuiops status` against `kubectl get kustomizations,helmreleases
-A -o json` on the large simulated scenario (5,000 HelmReleases, 2,000 Kustomizations).

Run: `.venv/bin/python tests/benchmarks/bench_status.py [--runs N] [--json]`. Not a test: the
figures go into the issue's closing note. Target (issue 16, `status_vs_kubectl_ratio`): the
median of `tuiops status --json` at most 0.6 times the median of kubectl with a warm cache.
Both run in the same session against the same server; kubectl is measured with a warm
discovery cache (its everyday case) and with a cold one (a fresh cache dir every run).
`--json` prints `{"runs", "seconds": {name: [...]}, "medians": {name: s}, "counts"}` instead.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tuiops.sim.session import start_simulation

BIN = Path(sys.executable).parent
KUBECTL = "/usr/bin/kubectl"


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)
    return time.perf_counter() - started, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with start_simulation("large", controllers=False, frozen_clock=True) as simulation:
        env = simulation.environment()
        warm_cache = Path(tempfile.mkdtemp(prefix="kubectl-cache-"))
        kubectl = [KUBECTL, "get", "kustomizations,helmreleases", "-A", "-o", "json"]
        tuiops = [str(BIN / "tuiops"), "status", "--example"]
        _timed([*kubectl, "--cache-dir", str(warm_cache)], env)  # fill the warm cache
        results: dict[str, list[float]] = {
            "tuiops status": [],
            "tuiops status --json": [],
            "kubectl (warm cache)": [],
            "kubectl (cold cache)": [],
        }
        counts: dict[str, int] = {}
        for _ in range(args.runs):
            seconds, done = _timed(tuiops, env)
            results["tuiops status"].append(seconds)
            counts["tuiops rows"] = done.stdout.count("\n")
            seconds, done = _timed([*tuiops, "--json"], env)
            results["tuiops status --json"].append(seconds)
            report = json.loads(done.stdout)
            counts["tuiops objects"] = sum(
                1 for c in report["clusters"] for o in c["notInRepo"] if o["inCluster"]
            ) + sum(
                1
                for c in report["clusters"]
                for layer in c["layers"]
                for o in layer["objects"]
                if o["inCluster"]
            )
            seconds, done = _timed([*kubectl, "--cache-dir", str(warm_cache)], env)
            results["kubectl (warm cache)"].append(seconds)
            counts["kubectl objects"] = len(json.loads(done.stdout)["items"])
            cold = tempfile.mkdtemp(prefix="kubectl-cold-")
            seconds, _ = _timed([*kubectl, "--cache-dir", cold], env)
            results["kubectl (cold cache)"].append(seconds)
    medians = {name: statistics.median(values) for name, values in results.items()}
    if args.json:
        figures = {"runs": args.runs, "seconds": results, "medians": medians, "counts": counts}
        print(json.dumps(figures, indent=2))
        return 0
    print(f"large scenario, {args.runs} runs each, median wall seconds (same server, same run):")
    for name, value in medians.items():
        print(f"  {name:<24} {value:6.3f} s   (min {min(results[name]):.3f})")
    for name in ("tuiops status", "tuiops status --json"):
        ratio = medians[name] / medians["kubectl (warm cache)"]
        print(f"  ratio {name} / kubectl warm: {ratio:.2f}  (target <= 1.00)")
    print(f"  objects: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
