"""`tuiops logs`: the Flux controllers' logs as `flux logs` prints them (same pods, same flags,
same client-side filters, same one-line format), read by `adapters/log_streams.py`.

Without `-f` each controller's lines are printed together, controller after controller, as
`flux logs` reads the pods one after the other; with `-f` batches are printed as they arrive
and flushed, each one written at once (a batch holds up to 1,000 lines). `--json` prints the
controllers' JSON lines themselves. Everything goes through `cli/output.py`, so control
sequences in a line are printed as visible escapes.

A stream that breaks while following resumes without a lost or doubled line; its state changes
are noted on stderr. Exit codes: 0, 1 when the server refused a log (403, one line per
stream), 2 when there is no kubeconfig, the API server cannot be reached or Flux is not there
(one line); Ctrl-C ends with 130, after what was read is printed.
"""

from __future__ import annotations

import argparse
import gc
import math
import re
import select
import sys
import threading
from collections.abc import Sequence

from tuiops.adapters.log_decode import decode_fields
from tuiops.cli.output import write_error, write_text
from tuiops.domain.log_records import LogQuery, LogRecord, LogStream, StreamState, StreamStatus
from tuiops.domain.logs import LogFilter, format_flux_logs
from tuiops.errors import TuiopsError, UsageError
from tuiops.ports import LogFeed

EXIT_OK = 0
EXIT_REFUSED = 1
POLL = 0.05
GC_THRESHOLD = 100_000
"""Seconds between looks at the streams' states."""

_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


def parse_duration(text: str) -> float:
    """Seconds in a Go duration (`90s`, `5m`, `1h30m`, `1.5h`).

    Raises:
        UsageError: not a duration.
    """
    parts = _DURATION.findall(text)
    if not text or "".join(number + unit for number, unit in parts) != text:
        raise UsageError(f'invalid duration "{text}" (use e.g. 30s, 5m, 1h30m)')
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


class LinePrinter:
    """The feed's consumer: filters and formats each batch, then prints it (following) or
    keeps it per stream (printed by `print_held` at the end)."""

    def __init__(self, log_filter: LogFilter, *, raw: bool, hold: bool) -> None:
        self._filter = log_filter
        self._raw = raw
        self._hold = hold
        self._held: dict[LogStream, list[str]] = {}
        self.broken = threading.Event()
        """The reader of our output went away (`tuiops logs -f | head`)."""

    def __call__(self, batch: Sequence[LogRecord]) -> None:
        # The hot path of a flood (kubectl's pace, 300,000 lines a second): names bound once.
        matches = None if self._filter.accepts_all else self._filter.matches
        raw, held, hold, decode, fmt = (
            self._raw,
            self._held,
            self._hold,
            decode_fields,
            format_flux_logs,
        )
        shown: list[str] = []
        append = shown.append
        for record in batch:
            line = decode(record.text)  # the feed was asked for text only
            if line is None or (matches is not None and not matches(line)):
                continue  # flux logs skips lines that are not JSON
            text = record.text if raw else fmt(line)
            if hold:
                held.setdefault(record.stream, []).append(text)
            else:
                append(text)
        if shown and not self.broken.is_set():
            try:
                write_text("\n".join(shown) + "\n", flush=True)
            except BrokenPipeError:
                self.broken.set()

    def print_held(self, order: Sequence[LogStream]) -> None:
        for stream in order:
            lines = self._held.pop(stream, [])
            if lines:
                write_text("\n".join(lines) + "\n")
        sys.stdout.flush()


def _query(args: argparse.Namespace) -> LogQuery:
    since = None
    if args.since:
        since = math.ceil(parse_duration(args.since))  # flux rounds up to whole seconds
    tail = None if args.tail is not None and args.tail < 0 else args.tail  # -1: everything
    return LogQuery(
        follow=args.follow,
        since_seconds=since,
        tail_lines=tail,
        flux_namespace=args.flux_namespace,
        decoded=False,
    )


def _filter(args: argparse.Namespace) -> LogFilter:
    return LogFilter(
        level=args.level or "",
        kind=args.kind or "",
        name=args.name or "",
        namespace=args.namespace,
        all_namespaces=args.all_namespaces,
    )


def run_logs(args: argparse.Namespace) -> int:
    from tuiops.wiring import log_reader  # the kubernetes client only for this command

    query, log_filter = _query(args), _filter(args)
    # A flood allocates a dozen objects a line, and tens of thousands stay queued for a
    # moment: with the default thresholds the cyclic collector would scan them again and
    # again (a quarter of the time). Nothing here makes cycles; collect rarely.
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 50, 100)
    feed = log_reader(args.kubeconfig, args.context).flux_logs(query)
    printer = LinePrinter(log_filter, raw=args.json, hold=not query.follow)
    feed.start(printer)
    try:
        code = _follow_states(feed, printer, following=query.follow)
    finally:
        statuses = feed.statuses()
        feed.stop()
        printer.print_held([s.stream for s in statuses if s.stream.container])
    if printer.broken.is_set():
        raise BrokenPipeError
    return code


def reader_gone() -> bool:
    """Whether stdout is a pipe or terminal whose other end closed (`| head` ended): noticed
    without writing, so a quiet followed log does not keep the command alive."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # a captured or replaced stdout
        return False
    poller = select.poll()
    poller.register(descriptor, 0)  # errors and hang-ups are always reported
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def _label(status: StreamStatus) -> str:
    return status.stream.controller or status.stream.label


def _follow_states(feed: LogFeed, printer: LinePrinter, *, following: bool) -> int:
    """Wait until the feed is done (never, when following) and report its states on stderr;
    returns the exit code."""
    reported: dict[LogStream, tuple[StreamState, str]] = {}
    wake = threading.Event()
    while not printer.broken.is_set():
        if reader_gone():
            printer.broken.set()
            break
        statuses = feed.statuses()
        streams = [s for s in statuses if s.stream.container]
        for status in statuses:
            if status.stream.container:
                continue
            # The discovery (which pods to read) failed before any stream started.
            if status.state is StreamState.FORBIDDEN:
                write_error(status.message)
                return EXIT_REFUSED
            if status.state is not StreamState.CONNECTING and not streams:
                raise TuiopsError(status.message or "no Flux controller pods to read")
        for status in streams:
            seen = (status.state, status.message)
            if reported.get(status.stream, (StreamState.LIVE, "")) != seen and (
                status.state in (StreamState.RECONNECTING, StreamState.FORBIDDEN) or status.message
            ):
                write_error(f"{_label(status)}: {status.state.value}: {status.message}")
            reported[status.stream] = seen
        refused = [s for s in streams if s.state is StreamState.FORBIDDEN]
        if streams and len(refused) == len(streams):
            return EXIT_REFUSED
        done = (StreamState.ENDED, StreamState.FORBIDDEN)
        finished = streams and len(streams) == len(statuses)  # the discovery is done too
        if not following and finished and all(s.state in done for s in streams):
            return EXIT_REFUSED if refused else EXIT_OK
        wake.wait(POLL)
    return EXIT_OK
