"""The Logs pane (5) on the simulated cluster and on a fake feed: the controllers' lines appear,
level and text filters apply to what the buffer holds without reading again, the pane follows
and counts what arrives while paused, `l` on a HelmRelease shows only its helm-controller lines
and enter on one opens its Detail, hostile text shows inert, and ctrl+s saves what is shown."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tests.snapshots.scenes import LOG_BACKLOG, demo, make_app
from tuiops.domain.decode_live import decode_log_line
from tuiops.domain.log_records import LogQuery, LogRecord, LogStream, StreamState, StreamStatus
from tuiops.domain.refs import ObjectRef
from tuiops.services.backend import Backend
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.apps import AppsScreen
from tuiops.ui.screens.detail import DetailScreen
from tuiops.ui.screens.logs import LogsScreen
from tuiops.ui.widgets.log_view import LogView
from tuiops.ui.widgets.resource_table import ResourceTable

HELM = LogStream("flux-system", "helm-controller-abc", "manager", "helm-controller")
GPU = ObjectRef("HelmRelease", "kube-system", "intel-gpu-plugin")


class FakeFeed:
    """A LogFeed delivering records from a thread of its own, as the adapter's do."""

    def __init__(self, records: Sequence[LogRecord]) -> None:
        self.initial = list(records)
        self.on_records: Callable[[Sequence[LogRecord]], None] | None = None
        self.stopped = False

    def start(self, on_records: Callable[[Sequence[LogRecord]], None]) -> None:
        self.on_records = on_records
        self.push(self.initial)

    def push(self, records: Sequence[LogRecord]) -> None:
        """Deliver `records` from another thread (and wait until it delivered them)."""
        callback = self.on_records
        assert callback is not None
        thread = threading.Thread(target=callback, args=(list(records),))
        thread.start()
        thread.join()

    def stop(self) -> None:
        self.stopped = True

    def statuses(self) -> tuple[StreamStatus, ...]:
        return (StreamStatus(HELM, StreamState.LIVE, lines=len(self.initial)),)


class FakeReader:
    def __init__(self, records: Sequence[LogRecord]) -> None:
        self.records = records
        self.feeds: list[FakeFeed] = []
        self.queries: list[LogQuery] = []

    def flux_logs(self, query: LogQuery) -> FakeFeed:
        self.queries.append(query)
        self.feeds.append(FakeFeed(self.records))
        return self.feeds[-1]

    def pod_logs(self, *_args: object, **_kwargs: object) -> FakeFeed:
        raise AssertionError("not asked for")


def line(n: int, level: str = "info", message: str = "", name: str = "podinfo") -> LogRecord:
    stamp = f"2025-11-25T10:{n // 60 % 60:02d}:{n % 60:02d}.{n % 1000:03d}Z"
    text = (
        f'{{"level":"{level}","ts":"{stamp}","msg":"{message or f"line {n}"}",'
        f'"controllerKind":"HelmRelease","namespace":"apps","name":"{name}"}}'
    )
    return LogRecord(HELM, stamp, text, decode_log_line(text))


def _app(backend: Backend) -> TuiopsApp:
    return make_app(backend)


async def _logs(pilot: Pilot[None], app: TuiopsApp) -> tuple[LogsScreen, LogView]:
    await wait_for(pilot, lambda: app.state.connection == "live", 30)
    await pilot.press("5")
    screen = await wait_for_screen(pilot, LogsScreen)
    return screen, screen.query_one(LogView)


def _shown_text(view: LogView) -> list[str]:
    return [view.render_line(y).text for y in range(view.size.height)]


def test_the_controllers_lines_appear_and_filters_never_read_again() -> None:
    async def main() -> None:
        with demo() as backend:
            app = _app(backend)
            async with app.run_test(size=(120, 40)) as pilot:
                screen, view = await _logs(pilot, app)
                await wait_for(pilot, lambda: view.stats.shown == LOG_BACKLOG, 30)
                await wait_for(pilot, screen.streams_live, what="every stream live")
                assert screen.feeds_started == 1
                everything = view.buffer.shown_records()
                controllers = {record.stream.controller for record in everything}
                assert controllers == {
                    "helm-controller",
                    "kustomize-controller",
                    "notification-controller",
                    "source-controller",
                }
                times = [record.time for record in everything]
                assert times == sorted(times)  # the streams interleave by time
                errors = [r for r in everything if r.line is not None and r.line.level == "error"]
                await pilot.press("L")  # error and above
                await wait_for(pilot, lambda: view.stats.shown == len(errors))
                assert view.buffer.shown_records() == errors
                await pilot.press("L")  # info and above: every JSON line at info or error
                await wait_for(pilot, lambda: view.stats.shown > len(errors))
                await pilot.press("L", "L", "L")  # debug, trace, then any level again
                await wait_for(pilot, lambda: view.stats.shown == LOG_BACKLOG)
                await pilot.press("slash", *"ctl:helm intel-gpu", "enter")
                wanted = [
                    r
                    for r in everything
                    if r.stream.controller == "helm-controller" and "intel-gpu" in r.text.lower()
                ]
                assert wanted
                await wait_for(pilot, lambda: view.buffer.shown_records() == wanted)
                assert screen.feeds_started == 1  # filters work on what the buffer holds
                assert view.stats.received == LOG_BACKLOG
                assert "helm" in " ".join(_shown_text(view))

    asyncio.run(main())


def test_l_on_a_helmrelease_shows_its_lines_and_enter_opens_it() -> None:
    async def main() -> None:
        with demo() as backend:
            app = _app(backend)
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(pilot, lambda: app.state.connection == "live", 30)
                await pilot.press("2")
                apps = await wait_for_screen(pilot, AppsScreen)
                await pilot.press("slash", *GPU.name, "enter")
                table = apps.query_one(ResourceTable)
                await wait_for(pilot, lambda: str(GPU) in table.keys)
                table.move_cursor(table.row_index(str(GPU)))
                await wait_for(pilot, lambda: apps.selected_ref() == GPU)
                await pilot.press("l")
                screen = await wait_for_screen(pilot, LogsScreen)
                view = screen.query_one(LogView)
                await wait_for(pilot, lambda: view.stats.received == LOG_BACKLOG, 30)
                shown = view.buffer.shown_records()
                assert shown and view.stats.shown < LOG_BACKLOG
                for record in shown:
                    assert record.stream.controller == "helm-controller"
                    assert record.line is not None and record.line.ref == GPU
                assert screen.query_one("#filter").value == (  # type: ignore[attr-defined]
                    "ctl:helm-controller kind:HelmRelease ns:kube-system name:intel-gpu-plugin"
                )
                await pilot.press("enter")  # the cursor is on the newest line
                detail = await wait_for_screen(pilot, DetailScreen)
                assert detail.ref == GPU
                await pilot.press("l")  # and back to its lines from the Detail page
                back = await wait_for_screen(pilot, LogsScreen)
                assert back is screen and screen.feeds_started == 1

    asyncio.run(main())


def _with_fake(backend: Backend, reader: FakeReader) -> TuiopsApp:
    return _app(dataclasses.replace(backend, logs=reader))


def test_follow_pause_counts_and_g_follows_again() -> None:
    async def main() -> None:
        reader = FakeReader([line(n) for n in range(100)])
        with demo() as backend:
            app = _with_fake(backend, reader)
            async with app.run_test(size=(80, 24)) as pilot:
                screen, view = await _logs(pilot, app)
                await wait_for(pilot, lambda: view.stats.shown == 100)
                await settle(pilot)
                assert view.following
                assert "line 99" in _shown_text(view)[-1]
                await pilot.press("space")  # pause
                assert not view.following
                reader.feeds[0].push([line(n) for n in range(100, 130)])
                await wait_for(pilot, lambda: view.stats.new_since_pause == 30)
                await settle(pilot)
                assert "line 99" in _shown_text(view)[-1]  # the view stayed where it was
                status = str(screen.query_one("#logs-status").render())
                assert "paused · 30 new" in status
                await pilot.press("up", "up")
                assert not view.following
                await pilot.press("G")
                await wait_for(pilot, lambda: view.following)
                await settle(pilot)
                assert "line 129" in _shown_text(view)[-1]
                assert view.stats.new_since_pause == 0
                reader.feeds[0].push([line(130)])
                await wait_for(pilot, lambda: "line 130" in _shown_text(view)[-1])
                await pilot.press("t")  # since 5m: a new feed on a cleared buffer
                await wait_for(pilot, lambda: len(reader.feeds) == 2)
                assert reader.feeds[0].stopped
                assert reader.queries[-1].since_seconds == 300
                await wait_for(pilot, lambda: view.stats.received == 100)

    asyncio.run(main())


def test_hostile_lines_show_inert() -> None:
    hostile = [
        LogRecord(HELM, "2025-11-25T10:00:00Z", "[bold red]not markup[/] \x1b[2J cleared?"),
        LogRecord(HELM, "2025-11-25T10:00:01Z", "clip \x1b]52;c;cHduZWQ=\x07 done"),
        line(2, "error", message="[red]x[/red] \\u001b[2J"),
    ]

    async def main() -> None:
        reader = FakeReader(hostile)
        with demo() as backend:
            app = _with_fake(backend, reader)
            async with app.run_test(size=(120, 30)) as pilot:
                _screen, view = await _logs(pilot, app)
                await wait_for(pilot, lambda: view.stats.shown == 3)
                await settle(pilot)
                strips = [view.render_line(y) for y in range(3)]
                texts = [strip.text for strip in strips]
                assert "[bold red]not markup[/] \\x1b[2J cleared?" in texts[0]
                assert "clip \\x1b]52;c;cHduZWQ=\\x07 done" in texts[1]
                assert "[red]x[/red]" in texts[2]
                for strip in strips:
                    for segment in strip:
                        assert "\x1b" not in segment.text and "\x07" not in segment.text

    asyncio.run(main())


def test_ctrl_s_saves_the_lines_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    async def main() -> None:
        records = [line(n, "error" if n % 10 == 0 else "info") for n in range(50)]
        reader = FakeReader(records)
        with demo() as backend:
            app = _with_fake(backend, reader)
            async with app.run_test(size=(80, 24)) as pilot:
                _screen, view = await _logs(pilot, app)
                await wait_for(pilot, lambda: view.stats.shown == 50)
                await pilot.press("L")
                await wait_for(pilot, lambda: view.stats.shown == 5)
                await pilot.press("ctrl+s")
                await wait_for(pilot, lambda: any(tmp_path.glob("tuiops-logs-*.log")))
                await wait_for(
                    pilot, lambda: any("saved 5 lines" in n.message for n in app._notifications)
                )
        (saved,) = tmp_path.glob("tuiops-logs-*.log")
        lines = saved.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("# tuiops logs")
        assert len(lines) == 6
        assert all(" error HelmRelease/podinfo.apps - " in text for text in lines[1:])

    asyncio.run(main())


def test_offline_the_pane_says_there_is_no_cluster() -> None:
    async def main() -> None:
        with demo() as backend:
            offline = dataclasses.replace(backend, logs=None, offline_reason="offline (--offline)")
            app = _app(offline)
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.press("5")
                screen = await wait_for_screen(pilot, LogsScreen)
                status = screen.query_one("#logs-status")
                await wait_for(pilot, lambda: "no cluster" in str(status.render()))
                assert "--offline" in str(status.render())

    asyncio.run(main())


def test_l_on_a_pod_row_reads_that_pods_containers() -> None:
    from tuiops.ui.screens.logs import PodLogsScreen
    from tuiops.ui.screens.pods import PodsScreen

    nfd = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")

    async def main() -> None:
        with demo() as backend:
            app = _app(backend)
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_for(pilot, lambda: app.state.connection == "live", 30)
                app.push_screen(PodsScreen(nfd))
                pods = await wait_for_screen(pilot, PodsScreen)
                table = pods.query_one(ResourceTable)
                await wait_for(pilot, lambda: any(k.startswith("Pod/") for k in table.keys))
                await pilot.press("l")  # on a workload row: says to pick a pod
                await wait_for(
                    pilot, lambda: any("pod row" in n.message for n in app._notifications)
                )
                key = next(k for k in table.keys if k.startswith("Pod/"))
                table.move_cursor(table.row_index(key))
                await pilot.press("l")
                screen = await wait_for_screen(pilot, PodLogsScreen)
                _kind, namespace, name = key.split("/")
                assert (screen.namespace, screen.pod) == (namespace, name)
                words = screen.query_one("#logs-filter")
                await wait_for(pilot, lambda: f"pod {namespace}/{name}" in str(words.render()))
                await wait_for(pilot, lambda: screen.feeds_started == 1)
                await pilot.press("p")  # the previous containers: a new feed
                await wait_for(pilot, lambda: screen.feeds_started == 2 and screen.previous)
                assert "previous containers" in str(words.render())
                await pilot.press("escape")
                await wait_for_screen(pilot, PodsScreen)

    asyncio.run(main())
