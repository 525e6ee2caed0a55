"""Print a per-repo table of what ``tuiops`` reports for the real-repo corpus.

Usage: ``python tests/benchmarks/corpus_report.py [--corpus DIR] [NAME ...]``; without
``--corpus`` the corpus is found like the corpus tests find it (``TUIOPS_CORPUS``, else
``shared/corpus`` beside the checkout).

For each corpus repo it runs ``tuiops status --offline --repo DIR --json`` (and
``tuiops vars --json --repo DIR`` for the variables column) as subprocesses and prints:
repo, layers, Kustomizations, HelmReleases, orphans, findings by severity, variables and
the wall time of the status run. A column shows ``-`` when the command gave no usable JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:  # run as a script: make the `tests` package importable
    sys.path.insert(0, str(PROJECT_ROOT))

from tests.corpus.corpus_scan import CORPUS_MISSING, corpus_dir  # noqa: E402
from tests.corpus.corpus_scan import corpus_repos as all_corpus_repos  # noqa: E402

TIMEOUT_S = 900
COLUMNS = (
    "repo",
    "layers",
    "ks",
    "hr",
    "orphans",
    "error",
    "warning",
    "info",
    "variables",
    "seconds",
)


@dataclass(frozen=True)
class Outcome:
    """Exit code, parsed JSON (or None) and wall time of one CLI run."""

    returncode: int
    data: Any
    seconds: float


def run_cli(args: Sequence[str]) -> Outcome:
    """Run ``python -m tuiops ARGS`` from the project root and parse its stdout as JSON."""
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tuiops", *args],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Outcome(-1, None, time.perf_counter() - started)
    elapsed = time.perf_counter() - started
    try:
        data: Any = json.loads(proc.stdout)
    except json.JSONDecodeError:
        data = None
    return Outcome(proc.returncode, data, elapsed)


def _documents(holders: Sequence[dict[str, Any]], field: str) -> set[tuple[str, int]]:
    """Distinct (file, line) of the documents listed under ``field`` of each holder."""
    return {(d["file"], d["line"]) for h in holders for d in h.get(field, [])}


def status_row(repo: Path) -> dict[str, str]:
    """Table cells derived from the status JSON of one repo."""
    outcome = run_cli(["status", "--offline", "--repo", str(repo), "--json"])
    row = {column: "-" for column in COLUMNS}
    row.update(repo=repo.name, seconds=f"{outcome.seconds:.1f}")
    data = outcome.data
    if outcome.returncode not in (0, 1) or not isinstance(data, dict):
        return row
    clusters: list[dict[str, Any]] = data.get("clusters", [])
    holders = [c for cl in clusters for layer in cl["layers"] for c in layer["components"]]
    holders += [o for cl in clusters for o in cl["orphans"]]
    holders += [e for cl in clusters for e in cl.get("entrypoints", [])]
    severities = Counter(f["severity"] for f in data.get("findings", []))
    row.update(
        layers=str(sum(len(cl["layers"]) for cl in clusters)),
        ks=str(len(_documents(holders, "kustomizations"))),
        hr=str(len(_documents(holders, "helmReleases"))),
        orphans=str(sum(len(cl["orphans"]) for cl in clusters)),
        error=str(severities["error"]),
        warning=str(severities["warning"]),
        info=str(severities["info"]),
    )
    return row


def variables_cell(repo: Path) -> str:
    """Number of variables from ``tuiops vars --json``, or ``-`` when unavailable."""
    outcome = run_cli(["vars", "--json", "--repo", str(repo)])
    data = outcome.data
    if outcome.returncode not in (0, 1) or not isinstance(data, dict):
        return "-"
    variables = data.get("variables")
    return str(len(variables)) if isinstance(variables, list) else "-"


def render(rows: Sequence[dict[str, str]]) -> str:
    """Fixed-width text table of ``rows``."""
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in COLUMNS}
    lines = ["  ".join(c.ljust(widths[c]) for c in COLUMNS)]
    lines.append("  ".join("-" * widths[c] for c in COLUMNS))
    for row in rows:
        cells = [
            row[c].ljust(widths[c]) if c == "repo" else row[c].rjust(widths[c]) for c in COLUMNS
        ]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def corpus_repos(corpus: Path, names: Sequence[str]) -> list[Path]:
    """Repo folders of the corpus, restricted to ``names`` when given."""
    return [p for p in all_corpus_repos(corpus) if not names or p.name in names]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: print the table; exit 2 when the corpus is missing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="default: as the corpus tests find it (corpus_scan.corpus_dir)",
    )
    parser.add_argument("names", nargs="*", help="only these corpus repos")
    args = parser.parse_args(argv)
    corpus: Path = args.corpus or corpus_dir()
    if not corpus.is_dir():
        print(f"{CORPUS_MISSING} (looked in {corpus})", file=sys.stderr)
        return 2
    rows = []
    for repo in corpus_repos(corpus, args.names):
        row = status_row(repo)
        row["variables"] = variables_cell(repo)
        rows.append(row)
    if not rows:
        print("no corpus repos matched", file=sys.stderr)
        return 2
    print(render(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
