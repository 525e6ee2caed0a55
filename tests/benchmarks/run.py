"""Run every benchmark and report issue 16's metrics in one table.

Run: `.venv/bin/python tests/benchmarks/run.py [--quick] [--json results.json]
[--markdown [README.md]] [--only NAME] [--from-json results.json]`.

Each benchmark runs as its own process with `--json`, one after another (never in parallel:
the machines have two cores and each benchmark times processes of its own). Their figures are
mapped to the metric names of issue 16 (`metrics.py`), judged against the targets and printed
as a table (`report.py`): metric, tuiops, peer, ratio, target, verdict (ok, NOT MET, or n/a
when it could not be measured: a benchmark that failed, or a missing prerequisite such as the
corpus). `--json` writes `{"metrics": [...], "machine": {...}, "date", "command"}`;
`--markdown` rewrites the README's performance section (between `<!-- perf:start -->` and
`<!-- perf:end -->`). `--from-json` runs nothing: it reports an earlier run's results.

`--quick` uses fewer runs and lines (about 5 minutes); the full run takes about 20. Not a test:
CI never runs it (timings on shared machines are noisy); `tests/unit/test_bench_run.py` tests
the pure parts.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:  # run as a script: make the `tests` package importable
    sys.path.insert(0, str(PROJECT_ROOT))

from tests.benchmarks import metrics as m  # noqa: E402
from tests.benchmarks import report  # noqa: E402

HERE = Path(__file__).resolve().parent
README = PROJECT_ROOT / "README.md"


@dataclass(frozen=True)
class Bench:
    """One benchmark script: its arguments (quick, full), the metrics it yields and how."""

    name: str
    script: str
    quick: tuple[str, ...]
    full: tuple[str, ...]
    metrics: tuple[str, ...]
    read: Callable[[Mapping[str, Any]], list[m.Metric]]
    json_file: bool = False
    """The script writes its JSON to a file (`--json PATH`), else prints it (`--json`)."""
    timeout: float = 1800.0


BENCHES = (
    Bench(
        "console",
        "bench_console.py",
        ("--runs", "3", "--idle-seconds", "15"),
        ("--runs", "7", "--idle-seconds", "60"),
        (
            "startup_first_frame_ratio",
            "table_first_render_large_s",
            "filter_keystroke_ms",
            "filter_keystroke_ms_p95",
            "watch_event_to_screen_ms",
            "watch_event_to_screen_ms_p95",
            "console_rss_mb_large",
            "idle_bytes_per_minute",
            "bytes_per_state_change",
        ),
        m.from_console,
    ),
    Bench(
        "status",
        "bench_status.py",
        ("--runs", "3"),
        ("--runs", "7"),
        ("status_vs_kubectl_ratio",),
        m.from_status,
    ),
    Bench(
        "load",
        "bench_load.py",
        ("--largest", "--repeat", "3"),
        ("--largest", "--repeat", "7"),
        ("repo_load_largest_s",),
        m.from_load,
    ),
    Bench(
        "logs_pane",
        "bench_logs_pane.py",
        # Sent faster than the target, so a pane that keeps up shows >= 20,000 lines/s.
        ("--lines", "300000", "--rate", "25000"),
        ("--lines", "1000000", "--rate", "25000"),
        (
            "logs_ingest_lines_per_s",
            "logs_lost",
            "logs_keypress_ms_under_load",
            "logs_rss_mb_after_1m_lines",
        ),
        m.from_logs_pane,
    ),
    Bench(
        "logs_cli",
        "bench_logs_cli.py",
        ("--lines", "100000", "--runs", "3"),
        ("--lines", "200000", "--runs", "5"),
        ("logs_cli_vs_kubectl_ratio",),
        m.from_logs_cli,
    ),
    Bench("sops", "bench_sops.py", ("--quick",), (), m.SOPS_METRICS, m.from_sops, json_file=True),
)


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _echo_stderr(stream: Any, tail: deque[str]) -> None:
    for raw in stream:
        line = raw.rstrip("\n")
        tail.append(line)
        print(f"  | {line}", file=sys.stderr, flush=True)


def run_bench(bench: Bench, quick: bool) -> list[m.Metric]:
    """Run one benchmark as a subprocess (its progress echoed to stderr) and map its JSON; n/a
    rows naming the failure when it fails or prints no JSON."""
    argv = [sys.executable, str(HERE / bench.script), *(bench.quick if quick else bench.full)]
    with contextlib.ExitStack() as stack:
        json_path = None
        if bench.json_file:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-run-"))
            json_path = Path(folder) / "figures.json"
            argv += ["--json", str(json_path)]
        else:
            argv.append("--json")
        note(f"== {bench.name}: {shlex.join(argv[1:])}")
        started = time.perf_counter()
        tail: deque[str] = deque(maxlen=5)
        process = subprocess.Popen(
            argv,
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # One reader per pipe: `communicate` would read stderr too, racing the echo thread.
        echo = threading.Thread(target=_echo_stderr, args=(process.stderr, tail), daemon=True)
        echo.start()
        output: list[str] = []
        out = process.stdout
        assert out is not None  # stdout=PIPE
        reader = threading.Thread(target=lambda: output.append(out.read()), daemon=True)
        reader.start()
        try:
            process.wait(timeout=bench.timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            why = f"{bench.script} ran over {bench.timeout:.0f} s"
            return m.not_measured(bench.metrics, why)
        reader.join(timeout=5)
        echo.join(timeout=5)
        stdout = "".join(output)
        note(f"== {bench.name}: {time.perf_counter() - started:.0f} s, exit {process.returncode}")
        last = next((line for line in reversed(tail) if line.strip()), "")
        if process.returncode != 0:
            why = f"{bench.script} failed (exit {process.returncode}): {last[-160:]}"
            return m.not_measured(bench.metrics, why)
        try:
            text = json_path.read_text() if json_path is not None else stdout
            if json_path is not None:
                for line in stdout.splitlines():  # its own table, for the log
                    print(f"  | {line}", file=sys.stderr)
            found = bench.read(json.loads(text))
        except (OSError, ValueError, KeyError, TypeError) as error:
            why = f"{bench.script} gave no usable JSON ({type(error).__name__}: {error})"
            return m.not_measured(bench.metrics, why)
    return m.complete(found, bench.metrics, f"{bench.script} did not report it")


# -- the machine ---------------------------------------------------------------------------------


def _proc_value(path: str, key: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            name, _, value = line.partition(":")
            if name.strip() == key:
                return value.strip()
    except OSError:
        return None
    return None


def machine() -> dict[str, Any]:
    """CPU model, cores, RAM, Python and OS, from /proc and `platform`."""
    memory = _proc_value("/proc/meminfo", "MemTotal")  # "24576000 kB"
    ram = round(int(memory.split()[0]) / 1024**2, 1) if memory else None
    os_name = None
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    return {
        "cpu": _proc_value("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "ram_gib": ram,
        "python": platform.python_version(),
        "os": f"{os_name or platform.system()}, kernel {platform.release()}",
        "machine": platform.machine(),
        "load_average_at_start": round(os.getloadavg()[0], 2),
    }


# -- the command ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="fewer runs and lines (~5 min)")
    parser.add_argument("--json", metavar="PATH", help="write the metrics here as JSON")
    parser.add_argument(
        "--markdown",
        metavar="README",
        nargs="?",
        const=str(README),
        help="rewrite the performance section of this file (default: the project's README.md)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=[b.name for b in BENCHES],
        help="run only this benchmark (repeatable); the others' metrics are n/a",
    )
    parser.add_argument(
        "--from-json", metavar="PATH", help="run nothing: report an earlier run's --json file"
    )
    args = parser.parse_args(argv)
    if args.from_json:
        earlier = json.loads(Path(args.from_json).read_text())
        rows = m.ordered(m.from_results(earlier["metrics"]))
        host, date, command = earlier["machine"], earlier["date"], earlier["command"]
        minutes = float(earlier.get("minutes", 0))
    else:
        command = "python tests/benchmarks/run.py" + (" --quick" if args.quick else "")
        date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        host = machine()
        started = time.perf_counter()
        found: list[m.Metric] = []
        for bench in BENCHES:
            if args.only and bench.name not in args.only:
                found += m.not_measured(bench.metrics, "not run (--only)")
                continue
            found += run_bench(bench, args.quick)
        rows = m.ordered(found)
        minutes = (time.perf_counter() - started) / 60
    print(f"\nissue 16 benchmarks, {date}, {minutes:.1f} min, {report.machine_line(host)}")
    print(report.text_table(rows))
    if args.json and not args.from_json:
        results = {
            "metrics": [row.as_json() for row in rows],
            "machine": host,
            "date": date,
            "command": command,
            "minutes": round(minutes, 1),
        }
        Path(args.json).write_text(json.dumps(results, indent=2, allow_nan=False) + "\n")
        print(f"\nwrote {args.json}")
    if args.markdown:
        readme = Path(args.markdown)
        section = report.performance_section(rows, host, date, command)
        readme.write_text(report.replace_between_markers(readme.read_text(), section))
        print(f"rewrote the performance section of {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
