"""`tuiops --demo` ends cleanly on SIGTERM and SIGHUP (the SSH session closed): the console
exits as `q` does, the simulator stops and the demo's temporary folder is removed."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

STARTUP_TIMEOUT = 60.0
EXIT_TIMEOUT = 30.0


def _drain(fd: int) -> None:
    """Read the console's terminal output so it never blocks on a full PTY."""
    while True:
        try:
            if not os.read(fd, 65536):
                return
        except OSError:
            return


def _wait(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout}s")
        time.sleep(0.05)


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP], ids=lambda n: n.name)
def test_demo_removes_its_folder_on_signal(number: signal.Signals, tmp_path: Path) -> None:
    master, slave = pty.openpty()
    env = dict(os.environ, TMPDIR=str(tmp_path), TERM="xterm-256color", COLUMNS="80", LINES="24")
    process = subprocess.Popen(
        [sys.executable, "-m", "tuiops", "--demo"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    threading.Thread(target=_drain, args=(master,), daemon=True).start()
    try:
        # The simulator writes its kubeconfig beside the repo copy once it serves.
        _wait(
            lambda: any(tmp_path.glob("tuiops-demo-*/sim/kubeconfig*")),
            STARTUP_TIMEOUT,
            "the demo's simulator started",
        )
        process.send_signal(number)
        process.wait(timeout=EXIT_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    assert process.returncode == 0
    assert list(tmp_path.glob("tuiops-demo-*")) == []
