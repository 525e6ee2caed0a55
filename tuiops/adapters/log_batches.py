"""One dispatcher between a feed's stream threads and its consumer.

Stream threads `put` the records of each chunk they read; one thread hands them to
`on_records` in batches of at most `MAX_BATCH` records, at the latest `LINGER` seconds after
the first of them arrived. So a flood of 20,000 lines a second costs the consumer about twenty
calls, a single quiet line arrives within 20 ms, and the consumer is never called from two
threads at once. Each stream's records keep their order (one list, appended under one lock).

Backpressure: a consumer slower than the streams makes `put` wait once `MAX_PENDING` records
are queued, so the stream threads stop reading and the API server's socket buffers fill, as
`kubectl logs` behaves with a slow pipe: memory stays bounded and nothing is dropped.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence

from tuiops.domain.log_records import LogRecord

MAX_BATCH = 1000
LINGER = 0.02
"""Seconds a record may wait for company before it is delivered."""
MAX_PENDING = 50_000


class RecordBatcher:
    """Queues records from many threads and delivers them in batches from one."""

    def __init__(self, on_records: Callable[[Sequence[LogRecord]], None], *, name: str) -> None:
        self._on_records = on_records
        self._pending: list[LogRecord] = []
        self._first_at = 0.0
        """When the oldest pending record arrived."""
        self._queued = 0
        """Records ever put."""
        self._delivered = 0
        """Records handed to `on_records` (or dropped by `stop`)."""
        self._cond = threading.Condition()
        self._stopped = False
        self.failure = ""
        """The last exception the consumer raised, as one line (delivery goes on)."""
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"log-batches-{name}")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """No delivery after this returns (one already running finishes)."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=1.0)

    def put(self, records: list[LogRecord]) -> int:
        """Queue `records` (in order); returns the sequence number `wait_delivered` takes.

        Waits while `MAX_PENDING` records are queued (backpressure), unless stopped.
        """
        with self._cond:
            while len(self._pending) >= MAX_PENDING and not self._stopped:
                self._cond.wait(0.5)
            if self._stopped:
                return self._queued
            if records:
                if not self._pending:
                    self._first_at = time.monotonic()
                self._pending.extend(records)
                self._queued += len(records)
                self._cond.notify_all()
            return self._queued

    def wait_delivered(self, sequence: int, timeout: float = 5.0) -> bool:
        """Block until every record up to `sequence` was delivered (or the batcher stopped)."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self._stopped or self._delivered >= sequence, timeout
            )

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped:
                    if len(self._pending) >= MAX_BATCH:
                        break
                    if self._pending:
                        left = self._first_at + LINGER - time.monotonic()
                        if left <= 0:
                            break
                        self._cond.wait(left)
                    else:
                        self._cond.wait()
                if self._stopped:
                    self._delivered = self._queued
                    self._pending = []
                    self._cond.notify_all()
                    return
                batch = self._pending[:MAX_BATCH]
                del self._pending[:MAX_BATCH]
                self._first_at = time.monotonic() if self._pending else 0.0
            try:
                self._on_records(batch)
            except Exception as error:  # a consumer's bug must not stop every stream
                with contextlib.suppress(Exception):
                    self.failure = f"{type(error).__name__}: {' '.join(str(error).split())}"
            with self._cond:
                self._delivered += len(batch)
                self._cond.notify_all()
