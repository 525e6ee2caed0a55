"""Misbehaving API servers and the tools to time how tuiops copes with them.

Shared by the fault tests (`test_connection_faults.py`, `test_kubeconfig_errors.py`) and the
benchmark that prints the figures (`tests/benchmarks/bench_connection_faults.py`):

- `FaultServer`: a raw-socket server that accepts and never answers, or answers headers and
  then trickles body bytes forever, or forwards to the real simulated cluster, switchable at
  any time (so recovery can be timed too).
- `SimProcess`: the real simulated cluster as a separate process (`python -m tuiops sim`),
  so it can be stopped with SIGSTOP, resumed, killed and started again on the same port.
- `run_status`: `tuiops status --example` as a subprocess, timed.
- `wait_for`: poll a condition until a deadline; returns the seconds it took.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

STATUS_LIMIT = 10.0
"""`tuiops status` must end within this many seconds whatever the server does."""
STATE_LIMIT = 10.0
"""A feed must leave LIVE within this many seconds of the server going quiet."""


def wait_for(check: Callable[[], bool], seconds: float, step: float = 0.02) -> float:
    """Poll `check` until it holds; the seconds it took.

    Raises:
        TimeoutError: it did not hold within `seconds`.
    """
    started = time.monotonic()
    while True:
        if check():
            return time.monotonic() - started
        if time.monotonic() - started > seconds:
            raise TimeoutError(f"condition not met within {seconds} s")
        time.sleep(step)


def kubeconfig_text(server: str, *, user: str = "    token: test-token\n") -> str:
    """A one-context kubeconfig for `server`; `user` is the user body (indented 4)."""
    return (
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: c\n  cluster:\n    server: {server}\n"
        f"users:\n- name: u\n  user:\n{user}"
        "contexts:\n- name: x\n  context:\n    cluster: c\n    user: u\n"
        "current-context: x\n"
    )


class FaultServer:
    """A raw-socket server on 127.0.0.1 that misbehaves on demand, in front of a real one.

    Modes, for connections accepted from then on:

    - `forward`: a TCP proxy to `upstream` (the simulated cluster);
    - `silent`: accept, read whatever comes, never say a word;
    - `dribble`: 200 headers with a Content-Length at once, then one body byte every
      `interval` seconds, forever (a blocking read waits for the whole length);
    - `dribble-chunked`: the same with chunked framing, one byte per chunk.

    Leaving `forward` also stalls the connections already forwarded (nothing passes until
    the mode is `forward` again), as a stopped server would; `cut()` closes them all.
    """

    def __init__(self, upstream: int | None = None, mode: str = "forward") -> None:
        self.upstream = upstream
        self.mode = mode
        self.interval = 0.1
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self.accepted = 0
        """Connections accepted so far (a request sent without credentials would show)."""
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            self._keep(connection)
            mode = self.mode
            handlers = {"forward": self._forward, "silent": self._silent}
            target = handlers.get(mode, self._dribble)
            threading.Thread(target=target, args=(connection, mode), daemon=True).start()

    def _keep(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)

    def cut(self) -> None:
        """Close every connection open now."""
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()
        self.cut()
        self._thread.join(1)

    def _silent(self, connection: socket.socket, mode: str) -> None:
        connection.settimeout(0.2)
        while not self._stop.is_set():
            try:
                if not connection.recv(65536):
                    return
            except TimeoutError:
                continue
            except OSError:
                return

    def _dribble(self, connection: socket.socket, mode: str) -> None:
        try:
            data = b""
            while b"\r\n\r\n" not in data:
                part = connection.recv(65536)
                if not part:
                    return
                data += part
            chunked = mode == "dribble-chunked"
            framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: 1000000"
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + framing + b"\r\n\r\n"
            )
            body = b'{"kind":"KustomizationList","items":['
            index = 0
            while not self._stop.wait(self.interval):
                byte = body[index : index + 1] or b" "
                index += 1
                connection.sendall(b"1\r\n" + byte + b"\r\n" if chunked else byte)
        except OSError:
            return

    def _forward(self, connection: socket.socket, mode: str) -> None:
        assert self.upstream is not None, "forward needs an upstream port"
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream), timeout=3)
        except OSError:
            connection.close()
            return
        upstream.settimeout(None)  # the connect timeout must not end an idle watch
        self._keep(upstream)
        threading.Thread(target=self._pump, args=(upstream, connection), daemon=True).start()
        self._pump(connection, upstream)

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                while self.mode != "forward":  # stalled: a stopped server passes nothing
                    if self._stop.wait(0.05):
                        return
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@dataclass
class StatusRun:
    seconds: float
    returncode: int
    stdout: str
    stderr: str


def run_status(env: dict[str, str], *extra: str) -> StatusRun:
    """`tuiops status --example` in a fresh process, timed from launch to exit."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "tuiops", "status", "--example", *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    return StatusRun(time.monotonic() - started, done.returncode, done.stdout, done.stderr)


def env_with_kubeconfig(kubeconfig: str) -> dict[str, str]:
    return {**os.environ, "KUBECONFIG": kubeconfig}


class SimProcess:
    """`python -m tuiops sim` in its own process, on a fixed port once known."""

    def __init__(self, kubeconfig: Path, scenario: str = "healthy") -> None:
        self.kubeconfig = kubeconfig
        self.scenario = scenario
        self.port = 0
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> SimProcess:
        """Start it (on the port of the previous run, if any) and wait until it serves."""
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tuiops",
                "sim",
                "--scenario",
                self.scenario,
                "--port",
                str(self.port),
                "--kubeconfig",
                str(self.kubeconfig),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self._process.stdout is not None
        first = self._process.stdout.readline()  # printed once the server listens
        if "127.0.0.1:" not in first:
            self.kill()
            raise RuntimeError(f"tuiops sim did not start: {first!r}")
        self.port = int(first.rsplit(":", 1)[1].split()[0])
        return self

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def pause(self) -> None:
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.pid, signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL (after SIGCONT, so a stopped process dies) and reap."""
        if self._process is None or self._process.poll() is not None:
            return
        os.kill(self._process.pid, signal.SIGCONT)
        self._process.kill()
        self._process.wait(10)
        if self._process.stdout is not None:
            self._process.stdout.close()
