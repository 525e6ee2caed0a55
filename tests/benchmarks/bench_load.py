"""Benchmark: loading each corpus repo, in process and as a whole `tuiops status` process.

Run: `.venv/bin/python tests/benchmarks/bench_load.py [--repeat N]`; the corpus is found as the
corpus tests find it (`TUIOPS_CORPUS`, else `shared/corpus` beside the checkout). Not a test:
figures go into the closing notes of issues. Target (issue 2): the largest corpus repo loads in
< 1.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tuiops.gitops.loader import load_repo

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:  # run as a script: make the `tests` package importable
    sys.path.insert(0, str(PROJECT_ROOT))

from tests.corpus.corpus_scan import CORPUS_MISSING, corpus_dir, corpus_repos  # noqa: E402


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
    corpus = corpus_dir()
    if not corpus.is_dir():
        raise SystemExit(f"{CORPUS_MISSING} (looked in {corpus})")
    print(f"{'repo':34} {'files':>6} {'KiB':>6} {'in-process s':>13} {'process s':>10}")
    for repo in corpus_repos(corpus):
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
