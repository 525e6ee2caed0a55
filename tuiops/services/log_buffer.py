"""The logs pane's memory: a bounded, thread-safe buffer of log records and its filtered view.

Feed threads `append` batches; the pane reads `stats()` and the visible window (`lines`). Each
line gets a sequence number when it arrives (0, 1, 2, ... per feed); the buffer keeps the
newest `capacity` lines and counts the ones it drops (`evicted`), so nothing is lost silently:
`received == buffered + evicted` always. The filtered view is the list of the sequence numbers
of matching lines, kept as lines come (one filter test per new line) and recomputed once over
the buffer when the filter changes. No Textual here: the pane polls after a message.
"""

from __future__ import annotations

import bisect
import gc
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tuiops.domain.log_filters import PaneFilter
from tuiops.domain.log_records import LogRecord
from tuiops.domain.logs import format_flux_logs
from tuiops.errors import TuiopsError
from tuiops.gitops.sops.storage import write_atomic

DEFAULT_CAPACITY = 100_000
"""Lines kept (about 30 MB of controller lines); older ones are evicted and counted."""


@dataclass(frozen=True, slots=True)
class BufferStats:
    """The buffer's counters at one moment."""

    received: int
    """Lines appended since the last `restart`."""
    buffered: int
    """Lines held (`received - evicted`)."""
    evicted: int
    """Lines dropped to stay within the capacity."""
    shown: int
    """Lines the filter passes, among those held."""
    view_evicted: int
    """Matching lines dropped from the start of the view since the last restart or filter
    change: the position of the oldest line shown (see `LogBuffer.lines`)."""
    new_since_pause: int
    """Matching lines that arrived since `pause` (0 when not paused)."""
    paused: bool
    generation: int
    """Changes with every `restart`: batches of older feeds are dropped."""
    version: int
    """Changes with every change of what `lines` returns."""


def time_key(stamp: str) -> str:
    """An RFC3339 UTC time that sorts as text: the kubelet drops trailing zeros of the
    fraction (`.1Z`, `.118Z`), so the fraction is padded to nanoseconds. Empty for none."""
    if len(stamp) < 19:
        return ""
    fraction = stamp[20:].rstrip("Z") if stamp[19:20] == "." else ""
    return f"{stamp[:19]}.{fraction[:9].ljust(9, '0')}"


def _first(pair: tuple[str, LogRecord]) -> str:
    return pair[0]


def flux_logs_text(record: LogRecord) -> str:
    """A line as `flux logs` prints it: its one-line format for a controller's JSON line, the
    text as read for anything else."""
    return format_flux_logs(record.line) if record.line is not None else record.text


def new_log_path(folder: Path, moment: datetime) -> Path:
    """A file name in `folder` no file has yet: `tuiops-logs-<time>.log`, then `-2`, `-3`...

    Blocking (it looks at the folder): call it from a worker."""
    stem = f"tuiops-logs-{moment:%Y%m%d-%H%M%S}"
    path = folder / f"{stem}.log"
    number = 2
    while path.exists() or path.is_symlink():
        path = folder / f"{stem}-{number}.log"
        number += 1
    return path


class LogBuffer:
    """Log lines held for the pane, with their filtered view; safe to use from any thread."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY, *, freeze_gc: bool = False) -> None:
        """A buffer keeping at most `capacity` lines (at least 1).

        Args:
            capacity: Lines kept.
            freeze_gc: Move the lines held out of the cyclic garbage collector's reach each
                time the buffer is compacted (`gc.freeze`, after collecting the young
                generations). A full collection walks every object alive, and 100,000 held
                lines (with their decoded fields) made one cost 100-300 ms, during which the
                console answered no key. Lines form no cycles: when evicted, reference
                counting frees them, frozen or not. Only cyclic garbage already old at that
                moment escapes collection, as with the composition root's freeze at start.
        """
        self.capacity = max(1, capacity)
        self._freeze_gc = freeze_gc
        self._lock = threading.Lock()
        self._records: list[LogRecord] = []
        self._untimed: dict[int, str] = {}
        """The key given to each held line without a time (by `id`): the key of the line
        before it when it arrived."""
        self._head = 0
        """Index in `_records` of the oldest line held; the list is compacted in steps."""
        self._first_seq = 0
        """Sequence number of `_records[0]`."""
        self._view: list[int] = []
        self._view_head = 0
        """Index in `_view` of the oldest sequence number still held."""
        self._view_evicted = 0
        self._filter = PaneFilter()
        self._matches: Callable[[LogRecord], bool] = self._filter.matcher()
        self._received = 0
        self._paused_at: int | None = None
        """Sequence number of the first line after `pause`; None when not paused."""
        self._new_since_pause = 0
        self._generation = 0
        self._version = 0

    # -- feed side ----------------------------------------------------------------------------

    def append(self, records: Sequence[LogRecord], generation: int | None = None) -> None:
        """Add a batch (called from feed threads); a batch of an older `generation` (a feed
        stopped by `restart`) is dropped.

        Lines are kept in time order (the kubelet's timestamps), so streams read in parallel
        interleave as they were logged: a batch newer than what is held costs one filter test
        per line; an older one (a stream's backlog arriving after another's) is merged into
        the lines after its first, which are filtered again. A line without a time counts as
        logged when it arrived."""
        if not records:
            return
        with self._lock:
            if generation is not None and generation != self._generation:
                return
            records_held = self._records
            held_last = self._key(records_held[-1]) if len(records_held) > self._head else ""
            last = held_last
            batch = []
            for record in records:
                stamp = time_key(record.time)
                # Lines of several streams logged at the same moment: by stream, so the order
                # does not depend on which batch came first.
                key = f"{stamp} {record.stream.label}" if stamp else last
                if not stamp:
                    self._untimed[id(record)] = key
                batch.append((key, record))
                last = max(last, key)
            if any(batch[i][0] > batch[i + 1][0] for i in range(len(batch) - 1)):
                batch.sort(key=_first)  # stable: one stream's lines keep their order
            if batch[0][0] >= held_last:
                start = len(records_held)
                records_held.extend(record for _key, record in batch)
            else:
                found = bisect.bisect_right(records_held, batch[0][0], self._head, key=self._key)
                start = max(found, self._head)
                merged = [(self._key(record), record) for record in records_held[start:]]
                merged += batch
                merged.sort(key=_first)  # two sorted runs: one merge pass
                records_held[start:] = [record for _key, record in merged]
            shown_before = len(self._view) - self._view_head
            self._refilter_from(start)
            self._received += len(batch)
            if self._paused_at is not None:
                self._new_since_pause += len(self._view) - self._view_head - shown_before
            self._evict()
            self._version += 1

    def _key(self, record: LogRecord) -> str:
        """Where a held line sorts: its time (nanoseconds), then its stream; computed again
        when needed rather than kept (a string per line is 10 MB at 100,000 lines)."""
        stamp = time_key(record.time)
        if stamp:
            return f"{stamp} {record.stream.label}"
        return self._untimed.get(id(record), "")

    def _refilter_from(self, start: int) -> None:
        """Filter the lines from index `start` of `_records` again (the lock held)."""
        view, matches = self._view, self._matches
        first_seq = self._first_seq + start
        del view[bisect.bisect_left(view, first_seq, self._view_head) :]
        records = self._records
        for index in range(start, len(records)):
            if matches(records[index]):
                view.append(self._first_seq + index)

    def _evict(self) -> None:
        """Drop the oldest lines beyond the capacity (the lock held)."""
        over = self._received - self._first_seq - self._head - self.capacity
        if over <= 0:
            return
        self._head += over
        first_kept = self._first_seq + self._head
        view, start = self._view, self._view_head
        end = bisect.bisect_left(view, first_kept, start)
        self._view_evicted += end - start
        self._view_head = end
        # Compact in steps: each costs a copy of what is kept (a list of pointers), once per
        # sixteenth of the capacity, so at most 1.0625 times the capacity is held.
        if self._head >= max(self.capacity // 16, 1):
            if self._untimed:
                for record in self._records[: self._head]:
                    self._untimed.pop(id(record), None)
            del self._records[: self._head]
            self._first_seq += self._head
            self._head = 0
            if self._freeze_gc:
                gc.collect(1)
                gc.freeze()
        if self._view_head >= max(self.capacity // 2, 1):
            del self._view[: self._view_head]
            self._view_head = 0

    # -- pane side ----------------------------------------------------------------------------

    def restart(self) -> int:
        """Forget every line and counter (a new feed starts); the new generation, to pass to
        `append` so that a batch still on its way from the old feed is dropped."""
        with self._lock:
            self._records, self._head, self._first_seq = [], 0, 0
            self._untimed = {}
            self._view, self._view_head, self._view_evicted = [], 0, 0
            self._received = 0
            self._new_since_pause = 0
            if self._paused_at is not None:
                self._paused_at = 0
            self._generation += 1
            self._version += 1
            return self._generation

    @property
    def filter(self) -> PaneFilter:
        return self._filter

    def set_filter(self, pane_filter: PaneFilter) -> None:
        """Show what `pane_filter` passes: one pass over the lines held."""
        with self._lock:
            if pane_filter == self._filter:
                return
            self._filter = pane_filter
            self._matches = matches = pane_filter.matcher()
            held = self._records[self._head :]
            base = self._first_seq + self._head
            self._view = [base + i for i, record in enumerate(held) if matches(record)]
            self._view_head = 0
            self._view_evicted = 0
            if self._paused_at is not None:
                start = bisect.bisect_left(self._view, self._paused_at)
                self._new_since_pause = len(self._view) - start
            self._version += 1

    def pause(self) -> None:
        """Start counting the matching lines that arrive (the pane stopped following)."""
        with self._lock:
            if self._paused_at is None:
                self._paused_at = self._received
                self._new_since_pause = 0
                self._version += 1

    def resume(self) -> None:
        with self._lock:
            if self._paused_at is not None:
                self._paused_at = None
                self._new_since_pause = 0
                self._version += 1

    def stats(self) -> BufferStats:
        with self._lock:
            buffered = self._received - self._first_seq - self._head
            return BufferStats(
                received=self._received,
                buffered=buffered,
                evicted=self._received - buffered,
                shown=len(self._view) - self._view_head,
                view_evicted=self._view_evicted,
                new_since_pause=self._new_since_pause,
                paused=self._paused_at is not None,
                generation=self._generation,
                version=self._version,
            )

    def lines(self, start: int, count: int) -> list[LogRecord]:
        """The shown lines at positions `start` to `start + count` (fewer past the end).

        Positions count the matching lines since the last filter change or restart: the
        oldest shown line is at `stats().view_evicted`, so a position keeps naming the same
        line while older ones are evicted. Evicted positions are left out."""
        return self.window(start, count)[1]

    def window(self, start: int, count: int) -> tuple[int, list[LogRecord]]:
        """Like `lines`, with the position of the first line returned (later than `start`
        when the lines before it were evicted meanwhile; the window still ends at
        `start + count`)."""
        with self._lock:
            end = start + max(count, 0)
            start = max(start, self._view_evicted)
            first = self._view_head + start - self._view_evicted
            seqs = self._view[first : first + max(end - start, 0)]
            offset = self._first_seq
            return start, [self._records[seq - offset] for seq in seqs]

    def shown_records(self) -> list[LogRecord]:
        """Every line shown now, oldest first (a copy: the feed may go on meanwhile)."""
        with self._lock:
            offset = self._first_seq
            return [self._records[seq - offset] for seq in self._view[self._view_head :]]

    def save(self, path: Path, header: Iterable[str] = ()) -> int:
        """Write the lines shown now to a new file, as `flux logs` prints them, atomically
        (a temporary file beside it, then a rename), and check what was written.

        Args:
            path: The file to create; it must not exist.
            header: Lines written first (e.g. `# filter: ...`), not counted.

        Returns:
            How many log lines the file holds.

        Raises:
            TuiopsError: the file could not be written, exists, or does not read back with
                every line (one line saying why).
        """
        records = self.shown_records()
        lines = [*header, *(flux_logs_text(record).replace("\n", "\\n") for record in records)]
        text = "".join(f"{line}\n" for line in lines)
        write_atomic(path, text, None)  # reads the file back and compares it, or raises
        try:
            written = path.read_text(encoding="utf-8").count("\n")
        except OSError as error:
            raise TuiopsError(f"{path}: written, but cannot be read: {error.strerror}") from None
        if written != len(lines):
            raise TuiopsError(f"{path}: holds {written} lines, not {len(lines)}; check the disk")
        return len(records)
