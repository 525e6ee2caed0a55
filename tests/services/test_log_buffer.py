"""The logs pane's buffer: bounded with counted evictions, a filtered view kept line by line
that equals a full recompute, pause counts, saving what is shown, and feed threads at once."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuiops.domain.decode_live import decode_log_line
from tuiops.domain.log_filters import PaneFilter
from tuiops.domain.log_records import LogRecord, LogStream
from tuiops.domain.logs import LogLevel
from tuiops.errors import TuiopsError
from tuiops.services.log_buffer import DEFAULT_CAPACITY, LogBuffer, new_log_path

HELM = LogStream("flux-system", "helm-controller-abc", "manager", "helm-controller")
SOURCE = LogStream("flux-system", "source-controller-abc", "manager", "source-controller")
LEVELS = ("error", "info", "debug", "trace")


def make(n: int, level: str = "info", stream: LogStream = HELM) -> LogRecord:
    text = (
        f'{{"level":"{level}","ts":"2025-11-25T10:09:42.118Z","msg":"line {n}",'
        f'"controllerKind":"HelmRelease","namespace":"apps","name":"app{n % 3}"}}'
    )
    return LogRecord(stream, "2025-11-25T10:09:42.118000000Z", text, decode_log_line(text))


def texts(records: list[LogRecord]) -> list[str]:
    return [r.text for r in records]


def test_default_capacity() -> None:
    assert LogBuffer().capacity == DEFAULT_CAPACITY == 100_000


def test_eviction_is_counted() -> None:
    buffer = LogBuffer(capacity=10)
    records = [make(i) for i in range(25)]
    for start in range(0, 25, 4):
        buffer.append(records[start : start + 4])
    stats = buffer.stats()
    assert (stats.received, stats.buffered, stats.evicted, stats.shown) == (25, 10, 15, 10)
    assert stats.received == stats.buffered + stats.evicted
    assert texts(buffer.lines(0, 100)) == texts(records[15:])
    assert texts(buffer.lines(23, 5)) == texts(records[23:])
    assert buffer.window(3, 2) == (15, [])
    assert buffer.window(14, 2) == (15, records[15:16])
    assert stats.view_evicted == 15


def test_one_batch_bigger_than_the_capacity() -> None:
    buffer = LogBuffer(capacity=3)
    records = [make(i) for i in range(7)]
    buffer.append(records)
    assert texts(buffer.lines(0, 10)) == texts(records[4:])
    assert buffer.stats().evicted == 4


def test_a_filter_change_recomputes_once_and_keeps_counts() -> None:
    buffer = LogBuffer(capacity=100)
    records = [make(i, LEVELS[i % 4]) for i in range(40)]
    buffer.append(records)
    buffer.set_filter(PaneFilter(level=LogLevel.ERROR))
    assert texts(buffer.lines(0, 100)) == texts(records[::4])
    buffer.append([make(40, "error"), make(41, "info")])
    assert buffer.stats().shown == 11
    assert buffer.stats().received == 42


def test_pause_counts_matching_lines() -> None:
    buffer = LogBuffer()
    buffer.set_filter(PaneFilter(level=LogLevel.INFO))
    buffer.append([make(0)])
    buffer.pause()
    buffer.append([make(1), make(2, "debug"), make(3, "error")])
    stats = buffer.stats()
    assert stats.paused and stats.new_since_pause == 2
    buffer.set_filter(PaneFilter())  # recomputed over the lines since the pause
    assert buffer.stats().new_since_pause == 3
    buffer.resume()
    assert buffer.stats().new_since_pause == 0 and not buffer.stats().paused


def test_restart_drops_old_batches() -> None:
    buffer = LogBuffer()
    old = buffer.restart()
    buffer.append([make(0)], old)
    new = buffer.restart()
    buffer.append([make(1)], old)
    buffer.append([make(2)], new)
    assert texts(buffer.lines(0, 10)) == [make(2).text]
    assert buffer.stats().received == 1


operations = st.lists(
    st.one_of(
        st.tuples(st.just("append"), st.lists(st.sampled_from(LEVELS), max_size=12)),
        st.tuples(st.just("filter"), st.sampled_from([None, *LogLevel])),
        st.tuples(st.just("name"), st.sampled_from(["", "app0", "app1"])),
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(capacity=st.integers(1, 20), steps=operations)
def test_incremental_view_equals_full_recompute(
    capacity: int, steps: list[tuple[str, object]]
) -> None:
    buffer = LogBuffer(capacity=capacity)
    everything: list[LogRecord] = []
    wanted = PaneFilter()
    for step, value in steps:
        if step == "append":
            assert isinstance(value, list)
            batch = [make(len(everything) + i, level) for i, level in enumerate(value)]
            everything += batch
            buffer.append(batch)
        elif step == "filter":
            level = value if isinstance(value, LogLevel) else None
            wanted = PaneFilter(level=level, name=wanted.name)
            buffer.set_filter(wanted)
        else:
            wanted = PaneFilter(level=wanted.level, name=str(value))
            buffer.set_filter(wanted)
        held = everything[-capacity:] if everything else []
        expected = [r for r in held if wanted.matches(r)]
        assert texts(buffer.lines(0, len(everything) + 1)) == texts(expected)
        stats = buffer.stats()
        assert stats.received == len(everything) == stats.buffered + stats.evicted
        assert stats.shown == len(expected)


def test_threads_appending_at_once_lose_nothing() -> None:
    buffer = LogBuffer(capacity=5_000)
    buffer.set_filter(PaneFilter(level=LogLevel.ERROR))
    per_thread, batch = 2_000, 50

    def feed(stream: LogStream) -> None:
        for start in range(0, per_thread, batch):
            buffer.append([make(i, LEVELS[i % 2], stream) for i in range(start, start + batch)])

    threads = [
        threading.Thread(target=feed, args=(stream,)) for stream in (HELM, SOURCE, HELM, SOURCE)
    ]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        buffer.lines(0, 50)  # readers meanwhile
        buffer.stats()
    for thread in threads:
        thread.join()
    stats = buffer.stats()
    assert stats.received == 4 * per_thread == stats.buffered + stats.evicted
    assert stats.buffered == 5_000
    shown = buffer.lines(0, 10_000)
    assert len(shown) == stats.shown
    assert all(r.line is not None and r.line.level == "error" for r in shown)


def test_save_writes_what_is_shown_as_flux_logs_prints_it(tmp_path: Path) -> None:
    buffer = LogBuffer()
    buffer.append([make(0, "error"), make(1), LogRecord(HELM, "", "plain \x1b[2J text", None)])
    buffer.set_filter(PaneFilter(text="line 1 plain", regex=False))
    buffer.set_filter(PaneFilter(level=None, name=""))
    path = tmp_path / "out.log"
    assert buffer.save(path, ["# tuiops logs"]) == 3
    assert path.read_text(encoding="utf-8").splitlines() == [
        "# tuiops logs",
        "2025-11-25T10:09:42.118Z error HelmRelease/app0.apps - line 0 ",
        "2025-11-25T10:09:42.118Z info HelmRelease/app1.apps - line 1 ",
        "plain \x1b[2J text",
    ]
    with pytest.raises(TuiopsError):
        buffer.save(path)  # never overwrites
    assert not [p for p in tmp_path.iterdir() if p.name != "out.log"]  # no temporary left


def test_new_log_path_never_names_an_existing_file(tmp_path: Path) -> None:
    moment = datetime(2025, 11, 25, 10, 10, 0)
    first = new_log_path(tmp_path, moment)
    assert first.name == "tuiops-logs-20251125-101000.log"
    first.write_text("")
    assert new_log_path(tmp_path, moment).name == "tuiops-logs-20251125-101000-2.log"


def at(n: int, second: int, stream: LogStream = HELM, fraction: str = "") -> LogRecord:
    stamp = f"2025-11-25T10:00:{second:02d}{fraction}Z"
    text = f'{{"level":"{LEVELS[n % 4]}","ts":"{stamp}","msg":"line {n}"}}'
    return LogRecord(stream, stamp, text, decode_log_line(text))


def test_streams_interleave_by_time() -> None:
    buffer = LogBuffer()
    helm = [at(i, 2 * i, HELM) for i in range(5)]  # seconds 0, 2, 4, 6, 8
    source = [at(10 + i, 2 * i + 1, SOURCE) for i in range(5)]  # 1, 3, 5, 7, 9
    buffer.append(helm)
    buffer.append(source)  # a backlog older than what is held
    shown = buffer.lines(0, 20)
    assert [r.time for r in shown] == sorted(r.time for r in helm + source)
    assert buffer.stats().received == 10


def test_trimmed_fractions_sort_as_times() -> None:
    buffer = LogBuffer()
    buffer.append([at(0, 1, fraction=".5")])
    buffer.append([at(1, 1, fraction=".118")])
    assert [r.time[17:] for r in buffer.lines(0, 5)] == ["01.118Z", "01.5Z"]


@settings(max_examples=150, deadline=None)
@given(
    capacity=st.integers(1, 15),
    batches=st.lists(st.lists(st.integers(0, 20), max_size=6), max_size=12),
    level=st.sampled_from([None, LogLevel.ERROR, LogLevel.INFO]),
)
def test_merging_equals_sorting_everything(
    capacity: int, batches: list[list[int]], level: LogLevel | None
) -> None:
    buffer = LogBuffer(capacity=capacity)
    wanted = PaneFilter(level=level)
    buffer.set_filter(wanted)
    held: list[LogRecord] = []
    count = 0
    for seconds in batches:
        batch = [at(count + i, second) for i, second in enumerate(sorted(seconds))]
        count += len(batch)
        buffer.append(batch)
        held = sorted(held + batch, key=lambda r: r.time)[-capacity:]
        assert texts(buffer.lines(0, 1000)) == texts([r for r in held if wanted.matches(r)])
        stats = buffer.stats()
        assert stats.received == count == stats.buffered + stats.evicted


def test_freeze_gc_moves_the_held_lines_out_of_the_collectors_reach() -> None:
    import gc

    buffer = LogBuffer(capacity=16, freeze_gc=True)
    try:
        buffer.append([make(i) for i in range(40)])
        assert gc.get_freeze_count() > 0
        assert texts(buffer.lines(24, 16)) == texts([make(i) for i in range(24, 40)])
    finally:
        gc.unfreeze()


def test_a_line_without_a_time_stays_after_the_line_before_it() -> None:
    buffer = LogBuffer(capacity=3)
    untimed = LogRecord(HELM, "", "no time")
    buffer.append([at(0, 5)])
    buffer.append([untimed])
    buffer.append([at(1, 3)])  # older than both: merged before them
    assert texts(buffer.lines(0, 5)) == [at(1, 3).text, at(0, 5).text, "no time"]
    buffer.append([at(2, 7), at(3, 8)])  # the two oldest are evicted
    assert texts(buffer.lines(0, 10)) == ["no time", at(2, 7).text, at(3, 8).text]
