"""`tuiops sim` stops cleanly on SIGHUP (the SSH session closed), SIGTERM and Ctrl-C (SIGINT):
the simulation stops and the temp folder it made (kubeconfig, fake talosctl, its state) is
removed; a kubeconfig the user named with `--kubeconfig` is theirs and stays."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

STARTUP_TIMEOUT = 60.0
EXIT_TIMEOUT = 30.0
PATH_LINE = re.compile(r"^\s*export PATH=(?P<bin>.+):\$PATH")
SERVING_LINE = re.compile(r"^simulated cluster \(\w+\) at http://127\.0\.0\.1:(?P<port>\d+)$")


class SimProcess:
    """`python -m tuiops sim` in a child process, its stdout read line by line on a thread."""

    def __init__(self, tmp_dir: Path, *args: str) -> None:
        env = dict(os.environ, TMPDIR=str(tmp_dir))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tuiops", "sim", "--scenario", "healthy", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, pattern: re.Pattern[str], timeout: float) -> re.Match[str]:
        """The first stdout line matching `pattern`, waiting at most `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"no line matching {pattern.pattern!r} in {timeout}s: {self.seen}")
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                stderr = self.process.stderr.read() if self.process.stderr else ""
                pytest.fail(f"tuiops sim ended before {pattern.pattern!r}: {self.seen} {stderr}")
            self.seen.append(line)
            if found := pattern.match(line):
                return found

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=EXIT_TIMEOUT)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def sim_tmp(tmp_path: Path) -> Path:
    """The child's TMPDIR: empty, so anything left in it after exit is a leak."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


StartSim = Callable[..., SimProcess]


@pytest.fixture
def start_sim(sim_tmp: Path) -> Iterator[StartSim]:
    """Start `tuiops sim` with extra arguments; every child is killed at teardown."""
    started: list[SimProcess] = []

    def start(*args: str) -> SimProcess:
        sim = SimProcess(sim_tmp, *args)
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.kill()


def _workdir(sim: SimProcess) -> Path:
    """The temp folder `tuiops sim` printed (its fake talosctl's `bin` folder is in it)."""
    bin_dir = Path(sim.wait_for(PATH_LINE, STARTUP_TIMEOUT)["bin"])
    return bin_dir.parent


STOP_SIGNALS = [
    pytest.param(signal.SIGHUP, id="SIGHUP"),
    pytest.param(signal.SIGTERM, id="SIGTERM"),
    pytest.param(signal.SIGINT, id="SIGINT"),
]


@pytest.mark.parametrize("signum", STOP_SIGNALS)
def test_a_stop_signal_stops_the_simulation_and_removes_its_temp_folder(
    start_sim: StartSim, sim_tmp: Path, signum: signal.Signals
) -> None:
    sim = start_sim()
    workdir = _workdir(sim)
    assert workdir.parent == sim_tmp
    assert (workdir / "kubeconfig").is_file()
    assert (workdir / "bin" / "talosctl").is_file()

    sim.process.send_signal(signum)

    assert sim.process.wait(timeout=EXIT_TIMEOUT) == 0
    assert not workdir.exists()
    assert list(sim_tmp.iterdir()) == []


@pytest.mark.parametrize("signum", STOP_SIGNALS)
def test_a_kubeconfig_the_user_named_stays_after_a_stop_signal(
    start_sim: StartSim, sim_tmp: Path, tmp_path: Path, signum: signal.Signals
) -> None:
    kubeconfig = tmp_path / "mine" / "kubeconfig"
    sim = start_sim("--kubeconfig", str(kubeconfig))
    workdir = _workdir(sim)
    assert f"  export KUBECONFIG={kubeconfig}\n" in sim.seen
    assert not (workdir / "kubeconfig").exists()

    sim.process.send_signal(signum)

    assert sim.process.wait(timeout=EXIT_TIMEOUT) == 0
    assert not workdir.exists()
    assert list(sim_tmp.iterdir()) == []
    assert "server: http://127.0.0.1:" in kubeconfig.read_text(encoding="utf-8")


def test_a_port_in_use_leaves_no_temp_folder(start_sim: StartSim, sim_tmp: Path) -> None:
    first = start_sim()
    port = first.wait_for(SERVING_LINE, STARTUP_TIMEOUT)["port"]

    second = start_sim("--port", port)

    assert second.process.wait(timeout=STARTUP_TIMEOUT) == 2
    assert second.process.stderr is not None
    assert "tuiops: cannot start the simulated cluster:" in second.process.stderr.read()
    first.process.send_signal(signal.SIGTERM)
    assert first.process.wait(timeout=EXIT_TIMEOUT) == 0
    assert list(sim_tmp.iterdir()) == []
