"""Hostile log text through the simulator's real HTTP log streams shows inert (issue 14).

The helm-controller of the degraded scenario logs, while the Logs pane follows it, lines
holding Rich markup (`[bold red]x[/]`), a clear-screen (`ESC [2J`) and an OSC 52 clipboard
write, as raw text and inside a JSON line's message and error; the nextcloud pod's cron
container logs one before its pod's logs are opened. Every one is painted as the characters it
is: the markup literal and unstyled, each control shown as a visible escape (`\\x1b[2J`), and
no ESC or BEL anywhere on the painted screen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.color import Color
from rich.style import Style
from textual.pilot import Pilot
from textual.strip import Strip

from tests.pilot_waits import wait_for, wait_for_screen
from tests.snapshots.scenes import FIXED_NOW, LOG_BACKLOG, make_app
from tuiops.sim.apiserver.resources import type_for_kind
from tuiops.sim.example_repo import EXAMPLE_REPO
from tuiops.sim.flux.pods import CONTAINER, FLUX_NAMESPACE, current_pod
from tuiops.sim.flux.recorder import log_line
from tuiops.sim.session import Simulation, start_simulation
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.logs import LogsScreen, PodLogsScreen
from tuiops.ui.widgets.log_view import LogView
from tuiops.wiring import cluster_backend

PROBE = "probe-7f3a"
"""A word only the injected lines hold: the filter line shows just them."""
MARKUP = "[bold red]x[/]"
CLEAR = "\x1b[2J"
CLIPBOARD = "\x1b]52;c;cHduZWQ=\x07"
"""OSC 52: set the clipboard to `pwned` (base64), ended by BEL."""
SHOWN_CLEAR = "\\x1b[2J"
SHOWN_CLIPBOARD = "\\x1b]52;c;cHduZWQ=\\x07"
RAW_LINES = (
    f"{PROBE} raw markup {MARKUP} end",
    f"{PROBE} raw clear {CLEAR} end",
    f"{PROBE} raw clipboard {CLIPBOARD} end",
)
JSON_LINE = log_line(
    FIXED_NOW,
    "error",
    f"{PROBE} json {MARKUP} {CLEAR} {CLIPBOARD} end",
    ref=("HelmRelease", "kube-system", "intel-gpu-plugin"),
    reconcile_id="0b0e9d4c-2f4e-4c55-9a55-3c1f0d1b7c11",
    error=f"upgrade failed: {MARKUP} {CLEAR}",
)
"""A helm-controller line as the simulator writes them: the hostile text is in the JSON as
`\\u001b` escapes, and decoding the line turns them back into controls."""


@contextmanager
def _console(tmp_path: Path) -> Iterator[tuple[TuiopsApp, Simulation]]:
    """The degraded simulator (frozen clock, controllers off) and the console on it."""
    with start_simulation(
        "degraded", controllers=False, frozen_clock=True, workdir=tmp_path / "sim"
    ) as simulation:
        backend = cluster_backend(EXAMPLE_REPO, kubeconfig=str(simulation.kubeconfig))
        yield make_app(backend), simulation


def _painted(app: TuiopsApp) -> list[Strip]:
    """The whole screen as the compositor paints it now."""
    return app.screen._compositor.render_strips()


def _probe_lines(app: TuiopsApp) -> list[Strip]:
    """The painted log lines holding the probe word (the filter line names it too)."""
    return [strip for strip in _painted(app) if f"{PROBE} " in strip.text and " end" in strip.text]


def _style_at(strip: Strip, offset: int) -> Style | None:
    """The style of the character at `offset` of `strip.text`."""
    start = 0
    for segment in strip:
        if start <= offset < start + len(segment.text):
            return segment.style
        start += len(segment.text)
    raise IndexError(offset)


def _under_cursor(view: LogView, strip: Strip) -> bool:
    """The line is painted as the cursor's (its background)."""
    style = _style_at(strip, 0)
    return (
        style is not None
        and style.bgcolor == view.get_component_rich_style("log-view--cursor").bgcolor
    )


def _assert_markup_inert(strip: Strip, *, plain: bool) -> None:
    """`[bold red]x[/]` is in the line as typed, the `x` styled as the text around it (and
    not bold when the message is `plain`, not in an error's bold tone)."""
    text = strip.text
    at = text.index(MARKUP)
    x_style = _style_at(strip, at + len("[bold red]"))
    assert x_style == _style_at(strip, at), text  # the `[` before it
    assert x_style == _style_at(strip, text.index(" end", at) + 1), text
    assert x_style is not None and x_style.color != Color.parse("red"), text
    if plain:
        assert not x_style.bold, text


def _assert_no_controls(app: TuiopsApp) -> None:
    for strip in _painted(app):
        for segment in strip:
            assert "\x1b" not in segment.text and "\x07" not in segment.text, strip.text


async def _only_probe_lines(pilot: Pilot[None], app: TuiopsApp, view: LogView, count: int) -> None:
    """Filter on the probe word, and wait until its `count` lines are painted."""
    await pilot.press("slash", *PROBE, "enter")
    await wait_for(pilot, lambda: view.stats.shown == count)
    await wait_for(
        pilot, lambda: len(_probe_lines(app)) == count, what=f"{count} probe lines painted"
    )


def test_controller_lines_with_markup_and_escapes_are_painted_inert(tmp_path: Path) -> None:
    async def main() -> None:
        with _console(tmp_path) as (app, simulation):
            cluster = simulation.cluster
            helm = current_pod(cluster.store, "helm-controller")
            async with app.run_test(size=(200, 40)) as pilot:
                await wait_for(pilot, lambda: app.state.connection == "live", 30)
                await pilot.press("5")
                screen = await wait_for_screen(pilot, LogsScreen)
                view = screen.query_one(LogView)
                await wait_for(pilot, lambda: view.stats.received == LOG_BACKLOG, 30)
                await wait_for(pilot, screen.streams_live, what="every stream live")
                for text in (*RAW_LINES, JSON_LINE):  # while the pane follows
                    cluster.append_log(FLUX_NAMESPACE, helm, CONTAINER, text)
                await wait_for(pilot, lambda: view.stats.received == LOG_BACKLOG + 4, 30)
                await _only_probe_lines(pilot, app, view, 4)

                markup, clear, clipboard, json_line = (s.text for s in _probe_lines(app))
                assert f"{PROBE} raw markup {MARKUP} end" in markup
                assert f"{PROBE} raw clear {SHOWN_CLEAR} end" in clear
                assert f"{PROBE} raw clipboard {SHOWN_CLIPBOARD} end" in clipboard
                assert " ERR hr/kube-system/intel-gpu-plugin " in json_line  # decoded
                shown = f"{PROBE} json {MARKUP} {SHOWN_CLEAR} {SHOWN_CLIPBOARD} end"
                assert shown in json_line
                assert f"upgrade failed: {MARKUP} {SHOWN_CLEAR}" in json_line
                # The cursor line is painted in the cursor's colours: look at lines off it.
                assert _under_cursor(view, _probe_lines(app)[3])  # the newest: followed
                _assert_markup_inert(_probe_lines(app)[0], plain=True)
                await pilot.press("home")

                def cursor_on_first() -> bool:
                    first, *_, last = _probe_lines(app)
                    return _under_cursor(view, first) and not _under_cursor(view, last)

                await wait_for(pilot, cursor_on_first, what="the cursor on the first line")
                _assert_markup_inert(_probe_lines(app)[3], plain=False)
                _assert_no_controls(app)

    asyncio.run(main())


def test_a_pod_containers_hostile_line_is_painted_inert(tmp_path: Path) -> None:
    async def main() -> None:
        with _console(tmp_path) as (app, simulation):
            cluster = simulation.cluster
            pods, _ = cluster.store.list_objects(type_for_kind("Pod"), "nextcloud")
            pod = str(pods[0]["metadata"]["name"])
            text = f"{PROBE} cron {MARKUP} {CLEAR} {CLIPBOARD} end"
            cluster.append_log("nextcloud", pod, "nextcloud-cron", text)  # before it is read
            async with app.run_test(size=(160, 30)) as pilot:
                await wait_for(pilot, lambda: app.state.connection == "live", 30)
                app.push_screen(PodLogsScreen("nextcloud", pod))
                screen = await wait_for_screen(pilot, PodLogsScreen)
                view = screen.query_one(LogView)
                await wait_for(pilot, lambda: view.stats.received == 13, 30)  # 6 + 6 + 1
                await wait_for(pilot, lambda: len(_probe_lines(app)) == 1, what="the probe line")

                (line,) = _probe_lines(app)  # the newest, under the cursor
                assert f"{PROBE} cron {MARKUP} {SHOWN_CLEAR} {SHOWN_CLIPBOARD} end" in line.text
                _assert_no_controls(app)
                assert _under_cursor(view, line)
                await pilot.press("home")
                await wait_for(pilot, lambda: not _under_cursor(view, _probe_lines(app)[0]))
                _assert_markup_inert(_probe_lines(app)[0], plain=True)

    asyncio.run(main())
