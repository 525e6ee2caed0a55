"""The pure half of `run.py`: issue 16's metrics, read from each benchmark's JSON, judged
against their targets and shown as a table (plain text or Markdown).

Nothing here runs a process or reads the clock, so `tests/unit/test_bench_run.py` tests it on
sample JSON; `report.py` shows the results. A metric whose figure could not be measured (its
benchmark failed, or a prerequisite such as the corpus is missing) keeps a None value and is
"n/a": never counted as met, always shown with the reason.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

OK, NOT_MET, NOT_AVAILABLE = "ok", "NOT MET", "n/a"


@dataclass(frozen=True, slots=True)
class Target:
    """What a metric must satisfy: `of` (its value, or its ratio to the peer) `op` `limit`."""

    op: str
    """One of "<", "<=", ">=", "==" ."""
    limit: float
    of: str = "value"
    """"value" or "ratio"."""

    def met(self, value: float | None, ratio: float | None) -> bool | None:
        """Whether the figure meets the target; None when the figure is missing."""
        figure = ratio if self.of == "ratio" else value
        if figure is None:
            return None
        checks: dict[str, Callable[[float, float], bool]] = {
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">=": lambda a, b: a >= b,
            "==": lambda a, b: a == b,
        }
        return checks[self.op](figure, self.limit)

    def text(self, unit: str) -> str:
        """The target as the table shows it: `ratio <= 1.15`, `< 1 s`, `>= 20,000 lines/s`."""
        limit = f"{self.limit:,.0f}" if self.limit >= 1000 else f"{self.limit:g}"
        if self.of == "ratio":
            return f"ratio {self.op} {limit}"
        return f"{self.op} {limit} {unit}".rstrip()


@dataclass(frozen=True, slots=True)
class Metric:
    """One row of the report: the JSON's `{"name", "value", "unit", "peer", "peer_value",
    "ratio", "target", "ok"}` plus the comparison and a note."""

    name: str
    value: float | None
    unit: str
    target: Target
    peer: str | None = None
    peer_value: float | None = None
    ratio: float | None = None
    note: str = ""

    @property
    def ok(self) -> bool | None:
        """True (met), False (not met) or None (not measured: n/a)."""
        return self.target.met(self.value, self.ratio)

    @property
    def verdict(self) -> str:
        return {True: OK, False: NOT_MET, None: NOT_AVAILABLE}[self.ok]

    def as_json(self) -> dict[str, Any]:
        """Strict JSON: a timeout (infinitely slow) is a null value, its note says timeout."""
        return {
            "name": self.name,
            "value": _finite(self.value),
            "unit": self.unit,
            "peer": self.peer,
            "peer_value": _finite(self.peer_value),
            "ratio": _finite(self.ratio),
            "target": self.target.limit,
            "op": self.target.op,
            "of": self.target.of,
            "ok": self.ok,
            "verdict": self.verdict,
            "note": self.note,
        }


TARGETS: dict[str, tuple[str, Target]] = {
    "startup_first_frame_ratio": ("ms", Target("<=", 1.15, "ratio")),
    "repo_load_largest_s": ("s", Target("<", 1.0)),
    "status_vs_kubectl_ratio": ("s", Target("<=", 0.6, "ratio")),
    "table_first_render_large_s": ("s", Target("<", 1.5)),
    "filter_keystroke_ms": ("ms", Target("<", 30)),
    "filter_keystroke_ms_p95": ("ms", Target("<", 50)),
    "watch_event_to_screen_ms": ("ms", Target("<", 60)),
    "watch_event_to_screen_ms_p95": ("ms", Target("<", 100)),
    "console_rss_mb_large": ("MB", Target("<", 300)),
    "logs_ingest_lines_per_s": ("lines/s", Target(">=", 20_000)),
    "logs_lost": ("lines", Target("==", 0)),
    "logs_keypress_ms_under_load": ("ms", Target("<=", 100)),
    "logs_rss_mb_after_1m_lines": ("MB", Target("<", 250)),
    "logs_cli_vs_kubectl_ratio": ("s", Target("<=", 1.0, "ratio")),
    "sops_get_vs_sops_ratio": ("ms", Target("<=", 1.3, "ratio")),
    "sops_decrypt_500_keys_ms": ("ms", Target("<", 15)),
    "sops_50k_keys_rotate_vs_sops_ratio": ("ms", Target("<=", 1.0, "ratio")),
    "idle_bytes_per_minute": ("B/min", Target("==", 0)),
    "bytes_per_state_change": ("B", Target("<", 1024)),
}
"""Every metric issue 16 names, in the report's order, with its unit and target."""


def _finite(figure: float | None) -> float | None:
    return None if figure is None or math.isinf(figure) else figure


def metric(name: str, value: float | None, **fields: Any) -> Metric:
    """The metric `name` with its unit and target from `TARGETS`."""
    unit, target = TARGETS[name]
    return Metric(name, value, unit, target, **fields)


def not_measured(names: Sequence[str], why: str) -> list[Metric]:
    """n/a rows for `names`, each saying `why`."""
    return [metric(name, None, note=why) for name in names]


def _ratio(value: float | None, peer_value: float | None) -> float | None:
    return value / peer_value if value is not None and peer_value else None


# -- each benchmark's JSON -> metrics ------------------------------------------------------------


def from_console(data: Mapping[str, Any]) -> list[Metric]:
    """`bench_console.py --json`: `{"figures": [{"metric", "median", "p95", "unit",
    "peer_median", "ratio", "n", ...}]}` (ms, B, MB, B/min)."""
    figures: dict[str, list[Mapping[str, Any]]] = {}
    for figure in data.get("figures", []):
        if figure.get("metric"):
            figures.setdefault(figure["metric"], []).append(figure)
    runs = f"median of {data.get('runs', '?')} runs"
    found: list[Metric] = []

    def first(name: str) -> Mapping[str, Any] | None:
        return figures[name][0] if figures.get(name) else None

    if startup := first("startup_first_frame_ratio"):
        found.append(
            metric(
                "startup_first_frame_ratio",
                startup["median"],
                peer="bare Textual app, 70-row DataTable",
                peer_value=startup["peer_median"],
                ratio=startup["ratio"],
                note=f"spawn to first frame with rows on a 120x40 pty, {runs}",
            )
        )
    if rows := first("table_first_render_large_s"):
        found.append(
            metric(
                "table_first_render_large_s",
                rows["median"] / 1000,
                note=f"7,000 rows, spawn to Apps rows painted, {runs}",
            )
        )
    for name, what in (
        ("filter_keystroke_ms", "a key in the Apps filter, 7,000 rows"),
        ("watch_event_to_screen_ms", "a Ready change in the API server to its row"),
    ):
        if figure := first(name):
            count = f"{figure['n']} events over {data.get('runs', '?')} runs"
            found.append(metric(name, figure["median"], note=f"{what}; median of {count}"))
            found.append(metric(f"{name}_p95", figure["p95"], note=f"p95 of {count}"))
    if rss := first("console_rss_mb_large"):
        found.append(
            metric("console_rss_mb_large", rss["median"], note=f"7,000 rows painted, {runs}")
        )
    idle = figures.get("idle_bytes_per_minute", [])
    if idle:
        found.append(
            metric(
                "idle_bytes_per_minute",
                max(figure["median"] for figure in idle),
                note="the larger of tuiops --demo (controllers on) and --kubeconfig (still)",
            )
        )
    if changed := first("bytes_per_state_change"):
        found.append(
            metric(
                "bytes_per_state_change",
                changed["median"],
                note="bytes written to the pty per watched Ready change, median",
            )
        )
    return found


def from_status(data: Mapping[str, Any]) -> list[Metric]:
    """`bench_status.py --json`: `{"runs", "medians": {name: s}}`."""
    medians = data["medians"]
    value, peer = medians["tuiops status --json"], medians["kubectl (warm cache)"]
    return [
        metric(
            "status_vs_kubectl_ratio",
            value,
            peer="kubectl get ks,hr -A -o json, warm cache",
            peer_value=peer,
            ratio=_ratio(value, peer),
            note=f"whole process, large scenario, median of {data.get('runs', '?')} runs",
        )
    ]


def from_load(data: Mapping[str, Any]) -> list[Metric]:
    """`bench_load.py --largest --json`: `{"largest", "repos": [{"repo", "process_s", ...}]}`,
    or `{"corpus": null, "missing"}` without a corpus (n/a)."""
    if data.get("corpus") is None:
        return not_measured(["repo_load_largest_s"], str(data.get("missing", "no corpus")))
    repo = next(r for r in data["repos"] if r["repo"] == data["largest"])
    note = f"tuiops status --offline --json, {repo['repo']} ({repo['files']} files), whole process"
    return [metric("repo_load_largest_s", repo["process_s"], note=note)]


def from_logs_pane(data: Mapping[str, Any]) -> list[Metric]:
    """`bench_logs_pane.py --json`: `{"lines", "rate", "lost", "ingest_lines_per_second",
    "key_ms": [...], "rss_mb", ...}`."""
    lines = int(data.get("lines", 0))
    keys = [float(k) for k in data.get("key_ms", []) if k != float("inf")]
    key_note = (
        f"space/G during the flood, median of {len(keys)} (max {max(keys):.0f} ms)"
        if keys
        else "no keypress during the flood (too short)"
    )
    rate = float(data.get("rate", 0))
    return [
        metric(
            "logs_ingest_lines_per_s",
            float(data["ingest_lines_per_second"]),
            note=f"errors-only filter on; the sim sends {rate:,.0f} lines/s",
        ),
        metric("logs_lost", float(data["lost"]), note=f"of {lines:,} lines plus the backlog"),
        metric(
            "logs_keypress_ms_under_load", statistics.median(keys) if keys else None, note=key_note
        ),
        metric(
            "logs_rss_mb_after_1m_lines",
            float(data["rss_mb"]),
            note=f"after {lines:,} lines" + ("" if lines >= 1_000_000 else " (not 1M: --quick)"),
        ),
    ]


def from_logs_cli(data: Mapping[str, Any]) -> list[Metric]:
    """`bench_logs_cli.py --json`: `{"lines", "tuiops": {"median"}, "kubectl": {"median"}}`,
    medians in lines/s. Reported as seconds for the same lines, so the ratio is tuiops time /
    kubectl time (= kubectl rate / tuiops rate): <= 1 means tuiops is at least as fast."""
    lines = float(data["lines"])
    ours, peer = data["tuiops"]["median"], data["kubectl"]["median"]
    value = lines / ours if ours else None
    peer_value = lines / peer if peer else None
    return [
        metric(
            "logs_cli_vs_kubectl_ratio",
            value,
            peer="kubectl logs -f (one container)",
            peer_value=peer_value,
            ratio=_ratio(value, peer_value),
            note=(
                f"seconds for the same {lines:,.0f} lines to a pipe; ratio = tuiops time / "
                f"kubectl time = kubectl rate / tuiops rate ({peer:,.0f} / {ours:,.0f} lines/s)"
            ),
        )
    ]


SOPS_METRICS = (
    "sops_get_vs_sops_ratio",
    "sops_decrypt_500_keys_ms",
    "sops_50k_keys_rotate_vs_sops_ratio",
)


def from_sops(data: Mapping[str, Any]) -> list[Metric]:
    """`bench_sops.py --json PATH` writes `{"metrics": [...]}` already in this shape (ms). A
    timeout is a figure too slow to measure: shown as infinitely slow, NOT MET."""
    rows = [
        {**row, "note": row.get("note") or ("whole process" if row.get("peer") else "in process")}
        for row in data.get("metrics", [])
        if row.get("name") in SOPS_METRICS
    ]
    return from_results(rows)


def from_results(rows: Sequence[Mapping[str, Any]]) -> list[Metric]:
    """Metrics from JSON rows in this shape (`run.py --json`, `bench_sops.py --json`), targets
    from `TARGETS`. A null figure whose note says timeout was too slow to measure: it reads
    back as infinitely slow (NOT MET), not as n/a."""
    found = []
    for row in rows:
        if row.get("name") not in TARGETS:
            continue
        note = str(row.get("note") or "")
        value, ratio = row.get("value"), row.get("ratio")
        if value is None and "timeout" in note:
            value = ratio = math.inf
        found.append(
            metric(
                row["name"],
                value,
                peer=row.get("peer"),
                peer_value=row.get("peer_value"),
                ratio=ratio,
                note=note,
            )
        )
    return found


def complete(found: Sequence[Metric], expected: Sequence[str], why: str) -> list[Metric]:
    """`found` plus an n/a row (saying `why`) for each expected metric it lacks."""
    names = {m.name for m in found}
    return [*found, *not_measured([n for n in expected if n not in names], why)]


def ordered(found: Sequence[Metric]) -> list[Metric]:
    """The metrics in the issue's order (`TARGETS`); any metric missing entirely is n/a."""
    by_name = {m.name: m for m in found}
    return [by_name.get(name) or metric(name, None, note="not measured") for name in TARGETS]
