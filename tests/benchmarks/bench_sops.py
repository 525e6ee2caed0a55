"""Benchmark: the native SOPS engine against the real sops binary.

Run: `.venv/bin/python tests/benchmarks/bench_sops.py [--runs N] [--inproc-runs N]`. Not a
test: figures go into the closing notes of issues. Targets (SOPS issue):
- (a) whole process, `tuiops env get KEY --file F` vs `sops -d --extract '["KEY"]' F` on a
  60-key clusterenv: median ratio <= 1.5;
- (b) in process, `open_sops_file` (age unlock, decrypt, MAC check) of a 500-key file:
  median < 20 ms.
Also printed, for whoever optimises: Python's own start-up (`python -c pass`), a breakdown of
(b), and the top import costs of `python -X importtime -m tuiops env get ...`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tuiops.gitops.sops.decrypt import open_with_key
from tuiops.gitops.sops.files import open_sops_file
from tuiops.gitops.sops.keys import parse_identities, unlock_data_key
from tuiops.gitops.sops.metadata import read_metadata
from tuiops.gitops.sops.parse import parse_yaml

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sops"
KEY_FILE = FIXTURES / "keys" / "age-test-1.txt"
RECIPIENT = (FIXTURES / "keys" / "age-test-1.pub").read_text(encoding="ascii").strip()
BIN = Path(sys.executable).parent
SOPS = BIN / "sops"
TUIOPS = BIN / "tuiops"
KEY = "PLEX_IP"
RATIO_TARGET = 1.5
INPROC_TARGET_MS = 20.0


def _env(home: Path) -> dict[str, str]:
    """Both tools get the same key file and an empty HOME (no other key sources)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "LANG": "C.UTF-8",
        "SOPS_DISABLE_VERSION_CHECK": "1",
        "SOPS_AGE_KEY_FILE": str(KEY_FILE),
    }


def _clusterenv(keys: int) -> str:
    """The fixture clusterenv (44 keys, comments, a multi-line value) plus generated keys."""
    text = (FIXTURES / "plain" / "clusterenv.yaml").read_text(encoding="utf-8")
    have = sum(1 for line in text.splitlines() if line[:1].isalpha())
    extra = [
        f"# app {n}\nAPP{n}_IP: 192.168.30.{n % 250}\nAPP{n}_API: key-{n:04d}-{'ab' * 14}\n"
        for n in range(max(0, keys - have) // 2 + 1)
    ]
    lines = (text + "".join(extra)).splitlines(keepends=True)
    out, count = [], 0
    for line in lines:
        if line[:1].isalpha():
            if count == keys:
                break
            count += 1
        out.append(line)
    return "".join(out)


def _encrypt(folder: Path, name: str, plaintext: str, env: dict[str, str]) -> Path:
    path = folder / name
    path.write_text(plaintext, encoding="utf-8")
    subprocess.run(
        [str(SOPS), "-e", "-i", "--age", RECIPIENT, name],
        cwd=folder,
        env=env,
        check=True,
        timeout=60,
    )
    return path


def _time_process(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=60, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv[0]} failed: {done.stderr.decode(errors='replace')}")
    return elapsed


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def _time_calls(action: Callable[[], object], runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return timings


def _row(label: str, timings: list[float], note: str = "") -> None:
    median, p90 = statistics.median(timings) * 1000, _p90(timings) * 1000
    print(f"  {label:<44} {median:>9.1f} {p90:>9.1f} {len(timings):>5}  {note}")


def _header(title: str) -> None:
    print(f"\n{title}")
    print(f"  {'':<44} {'median ms':>9} {'p90 ms':>9} {'runs':>5}")


def _cli_in_process(path: Path, env: dict[str, str], args: argparse.Namespace) -> list[float]:
    """`tuiops env get` run through `tuiops.cli.main` in this process: the command's own
    work, without interpreter start-up and imports."""
    from tuiops.cli import main as cli_main

    argv = ["env", "get", KEY, "--file", str(path)]
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for _ in range(args.warmup):
                cli_main(argv)
            return _time_calls(lambda: cli_main(argv), args.runs)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _importtime(argv: list[str], cwd: Path, env: dict[str, str], top: int) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rows: list[tuple[int, int, str]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        own, cumulative, name = line.split(":", 1)[1].split("|")
        rows.append((int(own), int(cumulative), name.rstrip()[1:]))  # keeps nesting spaces
    outermost = [r for r in rows if not r[2].startswith(" ")]
    print(f"\nimport costs of `python -X importtime {' '.join(argv[:4])} ...` (one run)")
    print(f"  total of self times: {sum(r[0] for r in rows) / 1000:.1f} ms, {len(rows)} modules")
    print(f"  top {top} outermost imports by cumulative time (they partition the total):")
    for row in sorted(outermost, key=lambda r: -r[1])[:top]:
        print(f"    {row[1] / 1000:>8.1f} ms  (self {row[0] / 1000:>6.1f})  {row[2]}")
    print(f"  top {top} modules by self time:")
    for row in sorted(rows, key=lambda r: -r[0])[:top]:
        print(f"    {row[0] / 1000:>8.1f} ms  {row[2].strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25, help="timed runs per process (>= 20)")
    parser.add_argument("--inproc-runs", type=int, default=60, help="in-process runs (>= 50)")
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    for tool in (SOPS, TUIOPS):
        if not tool.is_file():
            raise SystemExit(f"missing {tool}")

    folder = Path(tempfile.mkdtemp(prefix="bench-sops-"))
    try:
        home = folder / "home"
        home.mkdir()
        env = _env(home)
        small = _encrypt(folder, "clusterenv.yaml", _clusterenv(60), env)
        large = _encrypt(folder, "large.yaml", _clusterenv(500), env)
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {SOPS} (sops 3.11)")
        print(
            f"files: {small.name} ({small.stat().st_size} bytes, 60 keys), "
            f"{large.name} ({large.stat().st_size} bytes, 500 keys)"
        )

        ours = [str(TUIOPS), "env", "get", KEY, "--file", small.name]
        theirs = [str(SOPS), "-d", "--extract", f'["{KEY}"]', small.name]
        python = [sys.executable, "-c", "pass"]
        python_s = [sys.executable, "-S", "-c", "pass"]
        for _ in range(args.warmup):
            for argv in (ours, theirs, python):
                _time_process(argv, folder, env)
        timed: dict[str, list[float]] = {"ours": [], "theirs": [], "python": [], "python_s": []}
        for _ in range(args.runs):  # interleaved, so drift hits both tools alike
            timed["ours"].append(_time_process(ours, folder, env))
            timed["theirs"].append(_time_process(theirs, folder, env))
            timed["python"].append(_time_process(python, folder, env))
            timed["python_s"].append(_time_process(python_s, folder, env))

        _header("(a) whole process, one value of the 60-key clusterenv")
        _row("tuiops env get PLEX_IP --file F", timed["ours"])
        _row("sops -d --extract '[\"PLEX_IP\"]' F", timed["theirs"])
        _row("python -c pass (interpreter start-up)", timed["python"])
        _row("python -S -c pass (without site)", timed["python_s"])
        _row("  in process: tuiops main() (imports done)", _cli_in_process(small, env, args))
        ratio = statistics.median(timed["ours"]) / statistics.median(timed["theirs"])
        ratio_p90 = _p90(timed["ours"]) / _p90(timed["theirs"])
        verdict = "meets" if ratio <= RATIO_TARGET else "MISSES"
        print(
            f"  ratio tuiops/sops: median {ratio:.2f}, p90 {ratio_p90:.2f} "
            f"({verdict} the target <= {RATIO_TARGET})"
        )

        sources = [parse_identities(KEY_FILE.read_text(encoding="ascii"), "age-test-1.txt")]
        text = large.read_text(encoding="utf-8")
        documents = parse_yaml(text)
        metadata = read_metadata(documents, large.name)
        data_key = unlock_data_key(metadata.age, sources, large.name)
        for _ in range(args.warmup):
            open_sops_file(large, sources)
        whole = _time_calls(lambda: open_sops_file(large, sources), args.inproc_runs)
        _header("(b) in process, the 500-key file")
        median_ms = statistics.median(whole) * 1000
        verdict = "meets" if median_ms < INPROC_TARGET_MS else "MISSES"
        _row("open_sops_file (read, unlock, decrypt, MAC)", whole, f"{verdict} < 20 ms")
        _row("  parse_yaml", _time_calls(lambda: parse_yaml(text), args.inproc_runs))
        _row(
            "  unlock_data_key (age)",
            _time_calls(lambda: unlock_data_key(metadata.age, sources, "f"), args.inproc_runs),
        )
        _row(
            "  open_with_key (decrypt + MAC only)",
            _time_calls(
                lambda: open_with_key(text, "f", data_key, documents, metadata),
                args.inproc_runs,
            ),
        )
        _importtime(["-m", "tuiops", "env", "get", KEY, "--file", small.name], folder, env, 10)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
