"""Benchmark: loading each corpus repo, in process and as a whole `tuiops status` process.

Run: `.venv/bin/python tests/benchmarks/bench_load.py [--repeat N] [--largest] [--json]`; the
corpus is found as the corpus tests find it (`TUIOPS_CORPUS`, else `shared/corpus` beside the
checkout). Not a test: figures go into the closing notes of issues. Target (issue 16,
`repo_load_largest_s`): `tuiops status --offline --json` on the largest corpus repo (by bytes on
disk), whole process, in < 1.0 s. `--largest` times only that repo; `--json` prints
`{"corpus", "largest", "repos": [{"repo", "files", "bytes", "in_process_s", "process_s"}]}`
(`{"corpus": null, "missing": ...}` and exit 0 when there is no corpus).
"""

from __future__ import annotations

import argparse
import json
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
    parser.add_argument("--largest", action="store_true", help="only the largest repo (bytes)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    corpus = corpus_dir()
    repos = corpus_repos(corpus) if corpus.is_dir() else []
    if not repos:
        missing = f"{CORPUS_MISSING} (looked in {corpus})"
        if args.json:
            print(json.dumps({"corpus": None, "missing": missing}))
            return
        raise SystemExit(missing)
    sizes = {repo: _size(repo) for repo in repos}
    largest = max(repos, key=lambda repo: sizes[repo][1])
    if args.largest:
        repos = [largest]
    figures: list[dict[str, object]] = []
    if not args.json:
        print(f"{'repo':34} {'files':>6} {'KiB':>6} {'in-process s':>13} {'process s':>10}")
    for repo in repos:
        files, size = sizes[repo]
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
        figures.append(
            {
                "repo": repo.name,
                "files": files,
                "bytes": size,
                "in_process_s": in_process,
                "process_s": whole,
            }
        )
        if not args.json:
            print(f"{repo.name:34} {files:>6} {size // 1024:>6} {in_process:>13.3f} {whole:>10.3f}")
    if args.json:
        print(json.dumps({"corpus": str(corpus), "largest": largest.name, "repos": figures}))


if __name__ == "__main__":
    main()
