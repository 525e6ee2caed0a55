"""The pure parts of `tests/benchmarks/run.py`: each benchmark's JSON mapped to issue 16's
metric names, the verdicts (n/a is never ok) and the README rewrite between the perf markers.
No benchmark runs here."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.benchmarks import metrics as m
from tests.benchmarks import report
from tests.benchmarks.run import BENCHES


def _figure(metric: str | None, median: float, **more: Any) -> dict[str, Any]:
    return {"figure": "x", "metric": metric, "median": median, "p95": median, "n": 3, **more}


CONSOLE = {
    "runs": 3,
    "filtered_rows": 250,
    "figures": [
        _figure("startup_first_frame_ratio", 550.0, peer_median=500.0, ratio=1.1),
        _figure(None, 500.0),
        _figure("table_first_render_large_s", 1200.0),
        _figure("filter_keystroke_ms", 20.0, p95=55.0, n=54),
        _figure("watch_event_to_screen_ms", 40.0, p95=90.0, n=18),
        _figure("bytes_per_state_change", 800.0),
        _figure("console_rss_mb_large", 180.0),
        _figure("idle_bytes_per_minute", 0.0),
        _figure("idle_bytes_per_minute", 12.0),
    ],
}
LOGS_PANE = {
    "lines": 300_000,
    "rate": 25_000.0,
    "sent": 300_000,
    "lost": 0,
    "ingest_lines_per_second": 24_000,
    "key_ms": [20.0, 40.0, 90.0],
    "rss_mb": 140.5,
}
SOPS = {
    "metrics": [
        {
            "name": "sops_get_vs_sops_ratio",
            "value": 60.0,
            "unit": "ms",
            "peer": "sops -d",
            "peer_value": 50.0,
            "ratio": 1.2,
            "target": 1.3,
            "ok": True,
        },
        {
            "name": "sops_decrypt_500_keys_ms",
            "value": 9.0,
            "unit": "ms",
            "peer": None,
            "peer_value": None,
            "ratio": None,
            "target": 15,
            "ok": True,
        },
        {"name": "sops_50k_keys_get_vs_sops_encrypt_ratio", "value": 1.0, "ratio": 0.5},
        {
            "name": "sops_50k_keys_rotate_vs_sops_ratio",
            "value": None,
            "unit": "ms",
            "peer": "sops -e",
            "peer_value": 900.0,
            "ratio": None,
            "target": 1.0,
            "ok": False,
            "note": "timeout (> 120 s)",
        },
    ]
}


def _by_name(rows: list[m.Metric]) -> dict[str, m.Metric]:
    return {row.name: row for row in rows}


def test_console_figures_map_to_their_metrics_with_p95_and_the_worse_idle() -> None:
    rows = _by_name(m.from_console(CONSOLE))
    assert set(rows) == {name for name in BENCHES[0].metrics}
    startup = rows["startup_first_frame_ratio"]
    assert (startup.value, startup.peer_value, startup.ratio, startup.ok) == (550, 500, 1.1, True)
    assert rows["table_first_render_large_s"].value == pytest.approx(1.2)
    assert rows["filter_keystroke_ms"].ok is True
    assert (
        rows["filter_keystroke_ms_p95"].value == 55 and rows["filter_keystroke_ms_p95"].ok is False
    )
    assert rows["watch_event_to_screen_ms_p95"].ok is True
    assert rows["idle_bytes_per_minute"].value == 12 and rows["idle_bytes_per_minute"].ok is False
    assert rows["bytes_per_state_change"].ok is True


def test_status_load_and_logs_cli_map_to_time_ratios() -> None:
    status = m.from_status(
        {
            "runs": 3,
            "medians": {
                "tuiops status --json": 0.5,
                "kubectl (warm cache)": 1.0,
                "tuiops status": 0.4,
            },
        }
    )
    assert status[0].ratio == 0.5 and status[0].ok is True
    load = m.from_load(
        {
            "corpus": "/c",
            "largest": "b",
            "repos": [
                {"repo": "a", "files": 1, "process_s": 0.1},
                {"repo": "b", "files": 9, "process_s": 1.2},
            ],
        }
    )
    assert load[0].value == 1.2 and load[0].verdict == m.NOT_MET
    # Rates in, times out: tuiops at 40,000 lines/s, kubectl at 20,000 -> tuiops takes half.
    cli = m.from_logs_cli(
        {
            "lines": 50_000,
            "ratio": 2.0,
            "tuiops": {"median": 40_000.0},
            "kubectl": {"median": 20_000.0},
        }
    )
    assert cli[0].value == pytest.approx(1.25) and cli[0].peer_value == pytest.approx(2.5)
    assert cli[0].ratio == pytest.approx(0.5) and cli[0].ok is True
    assert "kubectl rate / tuiops rate" in cli[0].note


def test_logs_pane_figures() -> None:
    rows = _by_name(m.from_logs_pane(LOGS_PANE))
    assert rows["logs_ingest_lines_per_s"].ok is True
    assert rows["logs_lost"].value == 0 and rows["logs_lost"].ok is True
    assert rows["logs_keypress_ms_under_load"].value == 40
    assert "not 1M" in rows["logs_rss_mb_after_1m_lines"].note
    no_keys = _by_name(m.from_logs_pane({**LOGS_PANE, "key_ms": [], "lost": 3}))
    assert no_keys["logs_keypress_ms_under_load"].verdict == m.NOT_AVAILABLE
    assert no_keys["logs_lost"].verdict == m.NOT_MET


def test_sops_metrics_keep_the_three_named_and_a_timeout_fails() -> None:
    rows = _by_name(m.from_sops(SOPS))
    assert set(rows) == set(m.SOPS_METRICS)
    assert rows["sops_get_vs_sops_ratio"].ok is True
    rotate = rows["sops_50k_keys_rotate_vs_sops_ratio"]
    assert rotate.verdict == m.NOT_MET and report.row_cells(rotate)[1] == "timeout"


def test_missing_corpus_and_missing_figures_are_n_a_never_ok() -> None:
    load = m.from_load({"corpus": None, "missing": "real-repo corpus not found"})
    assert load[0].ok is None and load[0].verdict == "n/a" and "corpus" in load[0].note
    rows = m.ordered(m.complete([], ["logs_lost"], "bench_logs_pane.py failed"))
    assert [row.name for row in rows] == list(m.TARGETS)
    assert all(row.verdict == "n/a" for row in rows)
    assert _by_name(rows)["logs_lost"].note == "bench_logs_pane.py failed"
    assert json.loads(json.dumps(rows[0].as_json()))["ok"] is None


def test_an_earlier_runs_json_reads_back_the_same_rows() -> None:
    rows = m.ordered([*m.from_console(CONSOLE), *m.from_sops(SOPS)])
    written = json.loads(json.dumps([row.as_json() for row in rows], allow_nan=False))
    assert m.ordered(m.from_results(written)) == rows


def test_targets_compare_value_or_ratio() -> None:
    assert m.Target("<=", 1.0, "ratio").met(value=9.0, ratio=1.0) is True
    assert m.Target("<", 1.0).met(value=1.0, ratio=0.1) is False
    assert m.Target(">=", 20_000).met(value=20_000, ratio=None) is True
    assert m.Target("==", 0).met(value=None, ratio=None) is None
    assert m.Target(">=", 20_000).text("lines/s") == ">= 20,000 lines/s"
    assert m.Target("<=", 1.15, "ratio").text("ms") == "ratio <= 1.15"


def test_every_metric_comes_from_exactly_one_benchmark() -> None:
    named = [name for bench in BENCHES for name in bench.metrics]
    assert sorted(named) == sorted(m.TARGETS)


def test_markdown_rewrite_replaces_only_between_the_markers() -> None:
    document = (
        "# tuiops\n\nintro\n\n## Performance\n\n"
        f"{report.PERF_START}\nold table\n{report.PERF_END}\n\n## Layout of the code\n\nrest\n"
    )
    rows = m.ordered(
        m.from_status(
            {"runs": 1, "medians": {"tuiops status --json": 0.9, "kubectl (warm cache)": 1.0}}
        )
    )
    machine = {"cpu": "Some CPU", "cores": 2, "ram_gib": 24.0, "python": "3.11.7", "os": "Debian"}
    body = report.performance_section(rows, machine, "2026-11-01 10:00 UTC", "python run.py")
    rewritten = report.replace_between_markers(document, body)
    before, after = document.split(report.PERF_START)[0], document.split(report.PERF_END)[1]
    assert rewritten.startswith(before) and rewritten.endswith(after)
    assert "old table" not in rewritten
    assert "Some CPU (2 cores)" in rewritten and "2026-11-01" in rewritten
    assert "| `status_vs_kubectl_ratio` |" in rewritten and "**NOT MET**" in rewritten
    assert "**n/a**" in rewritten
    assert report.replace_between_markers(rewritten, body) == rewritten  # idempotent
    with pytest.raises(ValueError):
        report.replace_between_markers("no markers here", body)
    with pytest.raises(ValueError):
        report.replace_between_markers(f"{report.PERF_END} x {report.PERF_START}", body)
