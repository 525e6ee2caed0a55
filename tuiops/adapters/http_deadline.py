"""A deadline on every request, enforced by cutting the socket, not by hoping a read returns.

Socket timeouts alone cannot bound a request: urllib3's read timeout restarts with every byte,
so a server that dribbles its body (or headers) one byte at a time keeps a read busy forever,
and a blocking `read(65536)` on a sized body waits for all 64 KiB. So each request runs under
an `InFlight` slot: the connection pool notes the connection it uses (`DeadlinePool`), and one
daemon thread (`Reaper`) shuts that socket down when the slot's deadline passes. The blocked
read then fails at once, and the caller sees `expired` and reports "not answering" instead of
a broken connection. Deadlines can move (`rearm`): a watch first gets a few seconds for its
headers, then until the server should have ended the stream.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import math
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import urllib3

RETRY_ATTACH = 0.05
"""When the deadline passes before the connection has a socket (still connecting), check
again this soon; the connect timeout bounds that phase anyway."""


class InFlight:
    """One request's deadline and the connection it runs on."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        """`time.monotonic()` by which the request must be complete (inf: never cut)."""
        self.expired = False
        """Set by the reaper once it cut (or tried to cut) the request."""
        self.done = False
        self._connection: Any = None
        self._lock = threading.Lock()

    def attach(self, connection: Any) -> None:
        with self._lock:
            self._connection = connection

    def rearm(self, deadline: float) -> None:
        """Move the deadline, later or earlier (inf: never cut)."""
        with self._lock:
            self.deadline = deadline
        REAPER.watch(self)

    def finish(self) -> None:
        """The request is over: the reaper forgets it (and never cuts a reused connection)."""
        with self._lock:
            self.done = True
            self._connection = None

    def overdue(self) -> bool:
        """Whether the deadline has passed, whether or not the reaper got to it yet."""
        return self.expired or time.monotonic() >= self.deadline

    def cut(self) -> bool:
        """Shut the connection's socket down; False when there is no socket yet."""
        with self._lock:
            if self.done:
                return True
            self.expired = True
            sock = getattr(self._connection, "sock", None)
        if sock is None:
            return False
        with contextlib.suppress(OSError):
            # The plain socket's shutdown, also for TLS: it wakes a read blocked in another
            # thread without touching the SSL object that thread is using.
            if isinstance(sock, socket.socket):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            else:
                sock.shutdown(socket.SHUT_RDWR)
        return True


class Reaper:
    """One daemon thread that cuts in-flight requests past their deadline."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, InFlight]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, slot: InFlight, when: float | None = None) -> None:
        """Check `slot` at its deadline (or at `when`); an infinite deadline is never cut."""
        when = slot.deadline if when is None else when
        if when == math.inf:
            return
        with self._wake:
            heapq.heappush(self._heap, (when, next(self._order), slot))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True, name="deadlines")
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._wake.wait(timeout)
                when, _order, slot = heapq.heappop(self._heap)
            # An entry is stale when its request finished or its deadline moved since.
            if slot.done or (not slot.expired and when != slot.deadline):
                continue
            if not slot.cut():
                self.watch(slot, time.monotonic() + RETRY_ATTACH)


REAPER = Reaper()

_current = threading.local()


def start(deadline: float) -> InFlight:
    """A new armed slot; call `finish()` on it once the response is read or abandoned."""
    slot = InFlight(deadline)
    REAPER.watch(slot)
    return slot


@contextlib.contextmanager
def attached(slot: InFlight) -> Iterator[InFlight]:
    """Let the connection pool hand this thread's next connection to `slot` (the pool
    learns it in `_make_request`, which runs in the calling thread)."""
    previous = getattr(_current, "slot", None)
    _current.slot = slot
    try:
        yield slot
    finally:
        _current.slot = previous


def _note_connection(connection: Any) -> None:
    slot = getattr(_current, "slot", None)
    if slot is not None:
        slot.attach(connection)


class DeadlinePool(urllib3.HTTPConnectionPool):
    """An HTTP pool that tells the thread's in-flight slot which connection it uses."""

    def _make_request(self, conn: Any, *args: Any, **kwargs: Any) -> Any:
        _note_connection(conn)
        return super()._make_request(conn, *args, **kwargs)


class DeadlineTlsPool(urllib3.HTTPSConnectionPool):
    """The HTTPS twin of `DeadlinePool`."""

    def _make_request(self, conn: Any, *args: Any, **kwargs: Any) -> Any:
        _note_connection(conn)
        return super()._make_request(conn, *args, **kwargs)


def install(pool_manager: Any) -> bool:
    """Make `pool_manager` (urllib3's PoolManager or ProxyManager) use the deadline pools.

    A SOCKS proxy manager brings its own pool classes and is left alone: its requests still
    have socket timeouts and the per-chunk deadline checks, only not the hard cut.

    Returns:
        Whether the pools were installed.
    """
    stock = {"http": urllib3.HTTPConnectionPool, "https": urllib3.HTTPSConnectionPool}
    if getattr(pool_manager, "pool_classes_by_scheme", None) != stock:
        return False
    # A new dict: the manager's attribute is urllib3's module-level one, shared by everyone.
    pool_manager.pool_classes_by_scheme = {"http": DeadlinePool, "https": DeadlineTlsPool}
    return True
