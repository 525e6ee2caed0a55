"""Benchmark: loading each corpus repo, in process and as a whole `tuiops status` process.

Run: `.venv/bin/python tests/benchmarks/bench_load.py [--repeat N]`. Not a test: figures go
into the closing notes of issues. Target (issue 2): the largest corpus repo loads in < 1.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tuiops.gitops.loader import load_repo

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


def _repos() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_"))


def _size(repo: Path) -> tuple[int, int]:
    files = [p for p in repo.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def _median_seconds(action: object, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'repo':34} {'files':>6} {'KiB':>6} {'in-process s':>13} {'process s':>10}")
    for repo in _repos():
        files, size = _size(repo)
        in_process = _median_seconds(lambda r=repo: load_repo(r), args.repeat)
        argv = [
            sys.executable,
            "-m",
            "tuiops",
            "status",
            "--offline",
            "--json",
            "--repo",
            str(repo),
        ]
        whole = _median_seconds(
            lambda a=argv: subprocess.run(a, capture_output=True, check=False), args.repeat
        )
        print(f"{repo.name:34} {files:>6} {size // 1024:>6} {in_process:>13.3f} {whole:>10.3f}")


if __name__ == "__main__":
    main()
