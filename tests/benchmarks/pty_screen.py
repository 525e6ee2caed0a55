"""A child process on its own pseudo-terminal, and what its terminal shows.

The console benchmarks stop their clocks on the terminal, not in the app: the child's output
is fed to `pyte`, a VT100/xterm emulator, and a figure ends at the read that put the expected
text on the emulated screen.

Timestamps are taken when bytes are *read*, by a thread that does nothing else, never when
they are parsed: pyte is pure Python (about 0.75 ms per KB of Textual output), so parsing
inline would both delay the clock and take CPU from the app being measured. The parsing
happens between bursts of output (`wait_for`) or after the output went quiet (`settle`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import termios
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyte

Lines = list[str]
"""The screen's text, one string per terminal line (attributes and colours left out)."""

PARSE_GAP = 0.003
"""`wait_for` parses once no byte arrived for this long (a frame comes in bursts)..."""
PARSE_LAG = 0.05
"""...or once the oldest unparsed bytes are this old (output that never pauses)."""


@dataclass(frozen=True)
class Painted:
    """When the screen reached a state, from the reads' timestamps (`time.perf_counter`)."""

    at: float
    """The read of the bytes that completed the state."""
    lines: Lines
    """The screen's text then."""


class PtyScreen:
    """`argv` on a `columns` x `lines` PTY in its own process group, read by a thread; its
    output is emulated by pyte on demand. `close()` (or leaving the `with`) ends it."""

    def __init__(
        self,
        argv: list[str],
        *,
        env: dict[str, str] | None = None,
        columns: int = 120,
        lines: int = 40,
        cwd: Path | None = None,
        quit_keys: bytes = b"",
    ) -> None:
        self.quit_keys = quit_keys
        """Typed by `close()` before any signal (ctrl+q: b"\\x11" for a Textual app)."""
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        child_env = dict(os.environ if env is None else env)
        child_env.update(TERM="xterm-256color", COLUMNS=str(columns), LINES=str(lines))
        self.screen = pyte.Screen(columns, lines)
        self._stream = pyte.ByteStream(self.screen)
        self._chunks: deque[tuple[float, bytes]] = deque()
        self._arrived = threading.Condition()
        self.bytes_read = 0
        """Every byte the child wrote to its terminal so far."""
        self.last_read = 0.0
        """When the latest bytes were read (0: none yet)."""
        self.parsed_until = 0.0
        """When the latest bytes the emulator has seen were read (0: none yet)."""
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            env=child_env,
            cwd=cwd,
        )
        os.close(slave)
        self.master = master
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read_loop, name="pty-reader", daemon=True)
        self._reader.start()

    # -- the reader thread --------------------------------------------------------------

    def _read_loop(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the child closed its terminal
                chunk = b""
            now = time.perf_counter()
            with self._arrived:
                if chunk:
                    self._chunks.append((now, chunk))
                    self.bytes_read += len(chunk)
                    self.last_read = now
                else:
                    self._stop.set()
                self._arrived.notify_all()

    # -- reading the screen ---------------------------------------------------------------

    def lines(self) -> Lines:
        """The emulated screen's text as of the bytes parsed so far."""
        return list(self.screen.display)

    def _parse_pending(self, on_change: Callable[[float], bool] | None = None) -> bool:
        """Feed every chunk read so far to the emulator. After each chunk that changed the
        screen's text, `on_change(read time)` runs; True from it stops the parsing there."""
        while True:
            with self._arrived:
                if not self._chunks:
                    return False
                at, chunk = self._chunks.popleft()
            self.screen.dirty.clear()
            self._stream.feed(chunk)
            self.parsed_until = at
            if self.screen.dirty and on_change is not None and on_change(at):
                return True

    def _wait_for_bytes(self, deadline: float) -> None:
        """Block until bytes were read and then none for PARSE_GAP seconds, or the oldest
        unparsed bytes are PARSE_LAG old (or the deadline, or the child closed its terminal)."""
        with self._arrived:
            while (now := time.perf_counter()) < deadline and not self._stop.is_set():
                if not self._chunks:
                    self._arrived.wait(deadline - now)
                    continue
                gap_left = PARSE_GAP - (now - self.last_read)
                lag_left = PARSE_LAG - (now - self._chunks[0][0])
                if gap_left <= 0 or lag_left <= 0:
                    return
                self._arrived.wait(min(gap_left, lag_left))

    def _wait_until_quiet(self, quiet: float, deadline: float) -> None:
        """Block until no byte was read for `quiet` seconds, counting from now if none came
        yet (or the deadline, or the child closed its terminal)."""
        since = time.perf_counter()
        with self._arrived:
            while (now := time.perf_counter()) < deadline and not self._stop.is_set():
                idle = now - max(self.last_read, since)
                if idle >= quiet:
                    return
                self._arrived.wait(quiet - idle)

    def wait_for(self, found: Callable[[Lines], bool], timeout: float) -> Painted | None:
        """The first screen `found(lines)` holds for, and the read that painted it; None when
        the child ends or `timeout` passes first. Parsing stops at that read, so later bytes
        stay queued for the next call (a screen that already holds counts as painted by the
        latest bytes parsed)."""
        deadline = time.perf_counter() + timeout
        seen: list[Painted] = []

        def check(at: float) -> bool:
            lines = self.lines()
            if found(lines):
                seen.append(Painted(at, lines))
                return True
            return False

        if check(self.parsed_until or self.started):  # already on screen
            return seen[0]
        while time.perf_counter() < deadline:
            self._wait_for_bytes(deadline)
            if self._parse_pending(check):
                return seen[0]
            if self._stop.is_set() and not self._chunks:
                return None
        return None

    def settle(
        self, found: Callable[[Lines], bool], quiet: float, timeout: float
    ) -> Painted | None:
        """Wait for the output to go quiet for `quiet` seconds with `found` holding for the
        screen, then return the read after which the screen's text never changed again (the
        frame finished painting); None when `found` never held within `timeout`.

        Nothing is parsed while bytes arrive, so the app under test has the CPU to itself.
        """
        deadline = time.perf_counter() + timeout
        last_change: list[float] = []
        previous = self.lines()

        def changed(at: float) -> bool:
            nonlocal previous
            lines = self.lines()
            if lines != previous:
                last_change.append(at)
                previous = lines
            return False

        while time.perf_counter() < deadline:
            self._wait_until_quiet(quiet, deadline)
            self._parse_pending(changed)
            if found(previous) and last_change:
                return Painted(last_change[-1], previous)
            if self._stop.is_set():
                return None
        return None

    def drain(self, quiet: float = 0.0, timeout: float = 30.0) -> Lines:
        """Wait until no byte arrived for `quiet` seconds, then parse whatever was read (the
        screen catches up, nothing is timed); the screen's text."""
        self._wait_until_quiet(quiet, time.perf_counter() + timeout)
        self._parse_pending()
        return self.lines()

    def record(self, seconds: float) -> list[Painted]:
        """Read for `seconds`, then parse: every change of the screen's text, in order."""
        time.sleep(seconds)
        changes: list[Painted] = []

        def changed(at: float) -> bool:
            lines = self.lines()
            if not changes or lines != changes[-1].lines:
                changes.append(Painted(at, lines))
            return False

        self._parse_pending(changed)
        return changes

    # -- writing, ending --------------------------------------------------------------------

    def write(self, data: bytes) -> float:
        """Type `data` on the terminal; the time just before it was written."""
        before = time.perf_counter()
        os.write(self.master, data)
        return before

    def close(self) -> None:
        """End the child as a user would (`quit_keys`, 10 s to exit), then its process group
        (SIGTERM, then SIGKILL after 10 s), and the reader. A console told to quit cleans up
        after itself (`--demo` removes its temp folder); a signal may not let it."""
        if self.quit_keys and self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.write(self.quit_keys)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._stop.set()
        self._reader.join(timeout=5)
        os.close(self.master)

    def __enter__(self) -> PtyScreen:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
