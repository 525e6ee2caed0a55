"""The console benchmark's measurements, each on a real process on a 120x40 PTY and each ended
by what the emulated terminal shows (see `pty_screen.py`); `bench_console.py` runs and
reports them.

Screen tests are plain functions of the screen's text, written against what the console
draws at 120x40: the Layers table (`#  Layer  ready …` with one row per layer), the Apps
screen (`N of M · sorted by layer`, then `Kind  Namespace/Name  Ready  Version  Reason  Layer`
and the rows), the status bar and the footer (`1 Layers  2 Apps …`).
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from tests.benchmarks.process_memory import rss_mb
from tests.benchmarks.pty_screen import Lines, PtyScreen
from tests.benchmarks.sim_server import SimServer
from tuiops.sim.example_repo import EXAMPLE_REPO

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BIN = Path(sys.executable).parent
TUIOPS = str(BIN / "tuiops")
BARE_APP = [str(BIN / "python"), str(HERE / "bare_textual_app.py")]
COLUMNS, LINES = 120, 40

FOOTER = re.compile(r"\b1 Layers\s+2 Apps\b")
LAYER_HEADER = re.compile(r"\bLayer\s+ready\s+progressing\s+failed\b")
LAYER_ROW = r"^\s*\d+\s+{}\s"
LAYERS_SHOWN = ("flux-system", "apps")
"""The layer rows the first frame must hold (both the console's demo and the bare app)."""
SUMMARY = re.compile(r"^\s*(\d+) of (\d+) ·")
APP_HEADER = re.compile(r"\bKind\s+Namespace/Name\s+(?:Ready\s+)?Version\s+Reason\b")
"""At 120 columns Ready is left out (the health glyph says it) when Reason, Age and Message
take the room."""
APP_ROW = re.compile(r"^\s(\S)\s+(ks|hr)\s+([^\s/]+)/(\S+)\s+(\S+)")
APP_ROWS_ON_SCREEN = LINES - 5
"""Apps at 120x40: summary, table header, rows, the (hidden) filter line, status, footer."""
LARGE_ROWS = 7000
FILTER_TEXT = "tenant-07"
BACKSPACE = b"\x7f"
QUIT = b"\x11"
"""ctrl+q: Textual's quit, so a console cleans up (a signal would leave `--demo`'s folder)."""


# -- what the screen shows ------------------------------------------------------------------


def layers_frame(lines: Lines) -> bool:
    """The Layers table's header and its `flux-system` and `apps` rows, and the footer."""
    return (
        any(LAYER_HEADER.search(line) for line in lines)
        and all(
            any(re.match(LAYER_ROW.format(name), line) for line in lines) for name in LAYERS_SHOWN
        )
        and any(FOOTER.search(line) for line in lines[-2:])
    )


def live_layers_frame(lines: Lines) -> bool:
    """`layers_frame` with the cluster's state: the status bar says live, rows carry counts."""
    return layers_frame(lines) and any(re.search(r"\blive\s+\d+/\d+ ready", x) for x in lines)


def footer_shown(lines: Lines) -> bool:
    return any(FOOTER.search(line) for line in lines[-2:])


def app_rows(lines: Lines) -> list[re.Match[str]]:
    return [match for line in lines if (match := APP_ROW.match(line))]


def apps_painted(lines: Lines, minimum: int = LARGE_ROWS) -> bool:
    """The Apps screen with every applier loaded (`N of N`, N >= minimum), its header and a
    full screen of rows."""
    summary = next((m for line in lines[:2] if (m := SUMMARY.match(line))), None)
    if summary is None or summary[1] != summary[2] or int(summary[2]) < minimum:
        return False
    return any(APP_HEADER.search(x) for x in lines[:3]) and len(app_rows(lines)) >= min(
        APP_ROWS_ON_SCREEN, int(summary[1])
    )


def filter_painted(typed: str, lines: Lines) -> bool:
    """The summary line names the filter `typed` (no filter when empty)."""
    summary = next((line for line in lines[:2] if SUMMARY.match(line)), "")
    return f"filter {typed!r}" in summary if typed else "filter" not in summary


def row_shows(namespace: str, name: str, glyph: str, reason: str, lines: Lines) -> bool:
    """The HelmRelease's row shows health `glyph` and `reason` (in the Reason column)."""
    for match in app_rows(lines):
        if match[2] == "hr" and (match[3], match[4]) == (namespace, name):
            return match[1] == glyph and reason in match.string
    return False


def terminal(argv: list[str], env: dict[str, str] | None = None) -> PtyScreen:
    """`argv` on a 120x40 PTY, started in the project folder, ended with ctrl+q."""
    return PtyScreen(argv, env=env, columns=COLUMNS, lines=LINES, cwd=ROOT, quit_keys=QUIT)


def _failed(what: str, term: PtyScreen) -> RuntimeError:
    screen = "\n".join(line.rstrip() for line in term.drain() if line.strip())
    return RuntimeError(f"{what}; the screen:\n{screen}")


# -- 1. first frame ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FirstFrame:
    """Seconds from spawning a process until its terminal showed each stage."""

    footer: float
    """The first paint: the footer's key labels (the app runs and reads keys)."""
    rows: float
    """The first full frame with rows (`layers_frame`)."""
    live: float | None
    """The first frame with the cluster's live state (None: not asked)."""


def first_frame(argv: list[str], *, live: bool, env: dict[str, str] | None = None) -> FirstFrame:
    """Spawn `argv` and time its first paint, its first frame with the layer rows, and
    (when `live`) its first frame with the cluster's live state."""
    with terminal(argv, env) as term:
        footer = term.wait_for(footer_shown, timeout=60)
        painted = term.wait_for(layers_frame, timeout=60)
        if footer is None or painted is None:
            raise _failed(f"no first frame from {argv}", term)
        shown = term.wait_for(live_layers_frame, timeout=60) if live else None
        if live and shown is None:
            raise _failed(f"no live frame from {argv}", term)
    return FirstFrame(
        footer.at - term.started,
        painted.at - term.started,
        shown.at - term.started if shown is not None else None,
    )


def timeline(argv: list[str], seconds: float) -> list[tuple[float, Lines]]:
    """Every change of the screen's text in the first `seconds` after spawning `argv`."""
    with terminal(argv) as term:
        return [(p.at - term.started, p.lines) for p in term.record(seconds)]


# -- 2-4. the large scenario: rows, filter keystrokes, watch events ----------------------------


@dataclass
class LargeFigures:
    """Lists of seconds (bytes for `watch_bytes`, MB for `rss_mb`), appended to over the runs."""

    rows: list[float]
    filter_keys: list[float]
    watch_events: list[float]
    watch_bytes: list[float]
    rss_mb: list[float]
    """The console's resident memory (its process tree) once the rows are painted."""
    filtered: int = 0
    """Rows shown with the whole filter typed (a sanity check)."""


def large_session(sim: SimServer, figures: LargeFigures, run: int, events: int) -> None:
    """One console lifetime on the large scenario served by `sim`."""
    argv = [TUIOPS, "--repo", str(EXAMPLE_REPO), "--kubeconfig", sim.kubeconfig]
    with terminal(argv) as term:
        # 2. Started -> Apps rows painted; "2" is typed as soon as the console is on screen.
        if term.wait_for(footer_shown, timeout=60) is None:
            raise _failed("the console never drew its footer", term)
        term.write(b"2")
        painted = term.wait_for(apps_painted, timeout=120)
        if painted is None:
            raise _failed(f"the Apps screen never showed {LARGE_ROWS} rows", term)
        figures.rows.append(painted.at - term.started)
        term.drain(quiet=0.5)
        figures.rss_mb.append(rss_mb(term.process.pid))

        # 3. Typing "tenant-07" into the filter and erasing it: each key, from its bytes
        # reaching the terminal until the screen stops changing with the summary naming it.
        term.write(b"/")
        term.drain(quiet=0.3)
        typed = ""
        for key in [*FILTER_TEXT.encode(), *BACKSPACE * len(FILTER_TEXT)]:
            typed = typed[:-1] if key == BACKSPACE[0] else typed + chr(key)
            sent = term.write(bytes([key]))
            shown = term.settle(partial(filter_painted, typed), quiet=0.25, timeout=10)
            if shown is None:
                raise _failed(f"the filter {typed!r} never showed", term)
            figures.filter_keys.append(shown.at - sent)
            if typed == FILTER_TEXT:
                summary = SUMMARY.match(shown.lines[0]) or SUMMARY.match(shown.lines[1])
                figures.filtered = int(summary[1]) if summary else -1
        term.write(b"\x1b")  # escape: the filter box closes, the table has the focus again
        lines = term.drain(quiet=0.3)

        # 4. A HelmRelease on screen changes its Ready condition (the health glyph and the
        # Reason column, shown at 120): from the change in the API server's store until its
        # row on the terminal shows it.
        row = next(m for m in app_rows(lines) if m[2] == "hr" and "…" not in m[4])
        namespace, name = row[3], row[4]
        for change in range(events):
            failing = change % 2 == 0
            ready = "False" if failing else "True"
            reason = f"{'BenchFailed' if failing else 'BenchRecovered'}{run}x{change}"
            written = term.bytes_read
            sent = time.perf_counter()
            sim.set_ready(namespace, name, ready, reason)
            glyph = "✗" if failing else "✓"
            shown = term.settle(
                partial(row_shows, namespace, name, glyph, reason), quiet=0.3, timeout=10
            )
            if shown is None:
                raise _failed(f"{namespace}/{name} never showed {reason}", term)
            figures.watch_events.append(shown.at - sent)
            figures.watch_bytes.append(float(term.bytes_read - written))


# -- 5. idle ------------------------------------------------------------------------------------


def idle_rate(
    argv: list[str], settle: float, idle: float, env: dict[str, str] | None = None
) -> float:
    """Bytes per minute the console writes to its terminal during `idle` seconds, counted
    after its live frame and `settle` more seconds."""
    with terminal(argv, env) as term:
        if term.wait_for(live_layers_frame, timeout=60) is None:
            raise _failed(f"no live frame from {argv}", term)
        time.sleep(settle)
        before = term.bytes_read
        time.sleep(idle)
        return float(term.bytes_read - before) * 60 / idle


def run_alternately(*measures: Callable[[], None], runs: int) -> None:
    """Each measure once per run, in turn, so drifts of the machine hit every one alike."""
    for _ in range(runs):
        for measure in measures:
            measure()
