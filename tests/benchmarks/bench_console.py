"""Benchmark: the console's speed targets, measured to the painted terminal.

Run: `.venv/bin/python tests/benchmarks/bench_console.py [--runs N] [--idle-seconds S]
[--only frame|large|idle] [--json] [--timeline]`. Not a test: it never asserts, and pytest
does not collect it. Every figure is a real process on a 120x40 PTY whose output is fed to a
terminal emulator (pyte); a clock stops at the read that put the expected text on the
emulated screen (`pty_screen.py`), never when a model changed.

1. First frame with rows: spawning `tuiops --demo` until the screen holds the Layers table's
   header, its `flux-system` and `apps` rows and the footer; the peer is a bare Textual app
   painting the same (`bare_textual_app.py`), measured alternately with the same screen test.
   Target: median ratio <= 1.15. Also shown, without a target: the first frame with live
   counts, and the same frames from `tuiops --kubeconfig` on a cluster in another process.
2. 7,000 rows painted: `tuiops` on the large scenario (API server in another process);
   spawn until the Apps screen shows `7002 of 7002` and a screen of rows ("2" typed as soon
   as the console draws its footer). Target: median < 1.5 s.
3. Filter keystroke: typing "tenant-07" in the Apps filter and erasing it; each key, from its
   bytes written to the PTY until the screen stopped changing with the summary naming the
   filter. Targets: median < 30 ms, p95 < 50 ms.
4. Watch event: a HelmRelease on screen turns Ready False/True with a new reason (the Ready,
   Reason and health columns, on screen at 120 columns); from the change in the API server's
   store until its row shows it. Targets: median < 60 ms, p95 < 100 ms. Also shown: the bytes
   written per change (target < 1 KB) and the console's RSS with the 7,000 rows loaded
   (its process tree, after the rows are painted; target < 300 MB).
5. Idle: bytes an idle console writes during `--idle-seconds` after settling, for
   `tuiops --demo` (controllers on) and `tuiops --kubeconfig` on a still cluster. Target 0.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:  # run as a script: make the `tests` package importable
    sys.path.insert(0, str(PROJECT_ROOT))

from tests.benchmarks.console_figures import (  # noqa: E402
    BARE_APP,
    TUIOPS,
    FirstFrame,
    LargeFigures,
    first_frame,
    idle_rate,
    large_session,
    run_alternately,
    timeline,
)
from tests.benchmarks.sim_server import SimServer  # noqa: E402
from tuiops.sim.example_repo import EXAMPLE_REPO  # noqa: E402

WATCH_EVENTS_PER_RUN = 6
READ_PRECISION = 0.0005
"""GIL switch interval while measuring: the PTY reader thread takes its timestamps within
this long of the bytes arriving, even while the main thread parses."""


@dataclass
class Figure:
    """One row of the report; values in seconds, or in `unit` when it is not "ms"."""

    name: str
    values: list[float]
    unit: str = "ms"
    median_target: float | None = None
    """In `unit`; the median must stay under it (at most it, for 0 targets)."""
    p95_target: float | None = None
    peer: str = ""
    peer_values: list[float] = field(default_factory=list)
    ratio_target: float | None = None
    show_p95: bool = False
    """Print the p95 (always, when there is a p95 target)."""
    metric: str | None = None
    """The name `run.py` reports this figure under (issue 16), in the JSON as "metric"."""

    def _shown(self, value: float) -> float:
        return value * 1000 if self.unit == "ms" else value

    @property
    def median(self) -> float:
        return self._shown(statistics.median(self.values))

    @property
    def p95(self) -> float:
        """Nearest rank: with few values it is the largest, never an interpolation."""
        ordered = sorted(self.values)
        return self._shown(ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)])

    @property
    def peer_median(self) -> float | None:
        return self._shown(statistics.median(self.peer_values)) if self.peer_values else None

    @property
    def ratio(self) -> float | None:
        peer = self.peer_median
        return self.median / peer if peer else None

    @property
    def target(self) -> str:
        parts = []
        if self.median_target is not None:
            sign = "<=" if self.median_target == 0 else "<"
            parts.append(f"median {sign} {self.median_target:g} {self.unit}")
        if self.p95_target is not None:
            parts.append(f"p95 < {self.p95_target:g} {self.unit}")
        if self.ratio_target is not None:
            parts.append(f"<= {self.ratio_target:g} x peer")
        return ", ".join(parts) or "-"

    @property
    def met(self) -> bool | None:
        checks = []
        if self.median_target is not None:
            limit = self.median_target
            checks.append(self.median <= limit if limit == 0 else self.median < limit)
        if self.p95_target is not None:
            checks.append(self.p95 < self.p95_target)
        if self.ratio_target is not None and self.ratio is not None:
            checks.append(self.ratio <= self.ratio_target)
        return all(checks) if checks else None

    def as_json(self) -> dict[str, Any]:
        return {
            "figure": self.name,
            "metric": self.metric,
            "unit": self.unit,
            "n": len(self.values),
            "median": self.median,
            "p95": self.p95,
            "target": self.target,
            "met": self.met,
            "peer": self.peer or None,
            "peer_median": self.peer_median,
            "ratio": self.ratio,
            "values": [self._shown(v) for v in self.values],
            "peer_values": [self._shown(v) for v in self.peer_values],
        }


def print_table(figures: list[Figure]) -> None:
    header = (
        f"{'figure':<44} {'median':>15} {'p95':>9}  {'target':<30} {'met':<4} peer median, ratio"
    )
    print(header)
    print("-" * len(header))
    for fig in figures:
        shown = fig.show_p95 or fig.p95_target is not None
        p95 = f"{fig.p95:9.1f}" if shown else f"{'':>9}"
        met = {True: "yes", False: "NO", None: "-"}[fig.met]
        peer = ""
        if fig.peer_median is not None and fig.ratio is not None:
            peer = f"{fig.peer} {fig.peer_median:.1f} {fig.unit}, ratio {fig.ratio:.2f}"
        print(
            f"{fig.name:<44} {fig.median:9.1f} {fig.unit:<5} {p95}  {fig.target:<30} "
            f"{met:<4} {peer}"
        )


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def frame_figures(runs: int) -> list[Figure]:
    found: dict[str, list[FirstFrame]] = {"demo": [], "bare": [], "other": []}
    with SimServer("degraded") as sim:
        argv = {
            "demo": [TUIOPS, "--demo"],
            "bare": BARE_APP,
            "other": [TUIOPS, "--repo", str(EXAMPLE_REPO), "--kubeconfig", sim.kubeconfig],
        }

        def measure(name: str) -> None:
            found[name].append(first_frame(argv[name], live=name != "bare"))

        note("1. first frame: warming up (page cache, .pyc files)")
        measure("bare")
        measure("demo")
        for name in found:
            found[name].clear()
        note(f"1. first frame: {runs} runs, alternately")
        run_alternately(*(partial(measure, name) for name in found), runs=runs)

    def seconds(name: str, stage: str) -> list[float]:
        return [getattr(frame, stage) or 0.0 for frame in found[name]]

    bare = seconds("bare", "rows")
    figures = [
        Figure(
            "1. first frame with rows, tuiops --demo",
            seconds("demo", "rows"),
            peer="bare",
            peer_values=bare,
            ratio_target=1.15,
            metric="startup_first_frame_ratio",
        ),
        Figure("   same, bare Textual app (the peer)", bare),
    ]
    for name, values, peer in (
        ("first paint (footer), --demo", seconds("demo", "footer"), seconds("bare", "footer")),
        ("first frame with live counts, --demo", seconds("demo", "live"), bare),
        ("first frame with rows, --kubeconfig", seconds("other", "rows"), bare),
        ("first live frame, --kubeconfig", seconds("other", "live"), bare),
    ):
        figures.append(Figure(f"   {name}", values, peer="bare", peer_values=peer))
    return figures


def large_figures(runs: int) -> tuple[list[Figure], int]:
    large = LargeFigures([], [], [], [], [])
    with SimServer("large") as sim:
        for run in range(runs):
            note(f"2-4. large scenario: run {run + 1} of {runs}")
            large_session(sim, large, run, WATCH_EVENTS_PER_RUN)
    return [
        Figure(
            "2. 7,000 rows painted (start -> Apps rows)",
            large.rows,
            median_target=1500,
            metric="table_first_render_large_s",
        ),
        Figure(
            "3. filter keystroke painted",
            large.filter_keys,
            median_target=30,
            p95_target=50,
            metric="filter_keystroke_ms",
        ),
        Figure(
            "4. watch event painted",
            large.watch_events,
            median_target=60,
            p95_target=100,
            metric="watch_event_to_screen_ms",
        ),
        Figure(
            "   bytes written per watch event",
            large.watch_bytes,
            "B",
            median_target=1024,
            show_p95=True,
            metric="bytes_per_state_change",
        ),
        Figure(
            "   console RSS, 7,000 rows loaded",
            large.rss_mb,
            "MB",
            median_target=300,
            metric="console_rss_mb_large",
        ),
    ], large.filtered


def idle_figures(seconds: float) -> list[Figure]:
    note(f"5. idle: tuiops --demo, {seconds:.0f} s after a 10 s settle")
    demo = idle_rate([TUIOPS, "--demo"], settle=10.0, idle=seconds)
    with SimServer("degraded") as sim:
        note(f"5. idle: tuiops --kubeconfig (still cluster), {seconds:.0f} s after 3 s")
        console = [TUIOPS, "--repo", str(EXAMPLE_REPO), "--kubeconfig", sim.kubeconfig]
        still = idle_rate(console, settle=3.0, idle=seconds)
    return [
        Figure(
            "5. idle, tuiops --demo (controllers on)",
            [demo],
            "B/min",
            median_target=0,
            metric="idle_bytes_per_minute",
        ),
        Figure(
            "   idle, tuiops --kubeconfig (still cluster)",
            [still],
            "B/min",
            median_target=0,
            metric="idle_bytes_per_minute",
        ),
    ]


def print_timeline(seconds: float) -> None:
    """Each change of `tuiops --demo`'s screen after spawning it: where its first frame's
    time goes, as the terminal shows it."""
    for at, lines in timeline([TUIOPS, "--demo"], seconds):
        shown = [line.rstrip() for line in lines if line.strip()]
        print(f"--- {at * 1000:7.1f} ms, {len(shown)} lines:")
        print("\n".join(shown[:4] + (["  …"] if len(shown) > 6 else []) + shown[4:][-2:]))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (default 7)")
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--only", choices=("frame", "large", "idle"), action="append")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--timeline", action="store_true", help="print the screen changes of one --demo start"
    )
    args = parser.parse_args()
    sys.setswitchinterval(READ_PRECISION)
    if args.timeline:
        print_timeline(3.0)
        return 0
    parts = set(args.only or ("frame", "large", "idle"))

    figures: list[Figure] = []
    filtered = None
    if "frame" in parts:
        figures += frame_figures(args.runs)
    if "large" in parts:
        large, filtered = large_figures(args.runs)
        figures += large
    if "idle" in parts:
        figures += idle_figures(args.idle_seconds)

    if args.json:
        figures_json = [f.as_json() for f in figures]
        print(json.dumps({"runs": args.runs, "filtered_rows": filtered, "figures": figures_json}))
        return 0
    print(f"console benchmark, 120x40 PTY, {args.runs} runs; clocks stop on the painted screen")
    print_table(figures)
    if filtered is not None:
        print(f"rows shown with the filter {'tenant-07'!r}: {filtered}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
