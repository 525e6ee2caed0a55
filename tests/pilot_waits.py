"""Waits for pilot tests and snapshot scenes: on a condition, or until the app is idle, never
for a fixed time (the rule "no fixed sleeps": a test that sleeps passes on a fast machine and
fails on a slow one, and is slow on both).

`wait_for` polls the condition the next step needs (`wait_for_screen`: a screen on top);
`settle` waits until the app finished reacting (no worker running, no message queued). Each
has a deadline and fails naming what it waited for. tests/test_no_fixed_sleeps.py keeps
`pilot.pause(<seconds>)` out of the tests.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from textual.pilot import Pilot
from textual.screen import Screen
from textual.worker import Worker, WorkerState

BUSY = (WorkerState.PENDING, WorkerState.RUNNING)

S = TypeVar("S", bound=Screen[Any])


async def wait_for(
    pilot: Pilot[Any],
    ready: Callable[[], bool],
    seconds: float = 15.0,
    what: str = "",
) -> None:
    """Return as soon as `ready()` holds; fail after `seconds` naming `what` (by default the
    source line of `ready`).

    Between polls, `pilot.pause()` (no delay) lets the messages the app has queued run and
    sleeps until the process is idle (at least 20 ms, at most 1 s): each poll sees the app
    after it handled what happened so far, and the feed's threads run meanwhile.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not ready():
        if loop.time() >= deadline:
            raise AssertionError(f"waited {seconds:g} s in vain for {what or _source(ready)}")
        await pilot.pause()


async def wait_for_screen(pilot: Pilot[Any], kind: type[S], seconds: float = 15.0) -> S:
    """Wait until a `kind` screen is on top and mounted (its widgets composed); return it."""

    def on_top() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, kind) and screen.is_mounted

    await wait_for(pilot, on_top, seconds, what=f"a mounted {kind.__name__} on top")
    screen = pilot.app.screen
    assert isinstance(screen, kind)
    return screen


def _source(ready: Callable[[], bool]) -> str:
    try:
        return inspect.getsource(ready).strip()
    except (OSError, TypeError):
        return repr(ready)


def busy_workers(pilot: Pilot[Any]) -> list[Worker[Any]]:
    """The app's workers (every screen's too) that have not finished."""
    return [worker for worker in pilot.app.workers if worker.state in BUSY]


async def settle(pilot: Pilot[Any], seconds: float = 15.0) -> None:
    """Wait until the app finished reacting: no worker pending or running, and the messages
    queued by then (the workers' results among them) handled; fail after `seconds` naming
    the workers still running.

    Only for an app whose workers end by themselves: a Flux action waiting for its verdict
    keeps this waiting until that verdict (or its timeout) comes.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        # Idle before the pause: whatever the finished workers posted was queued before it,
        # so the pause handled it; idle after it: no handler started a new worker.
        idle_before = not busy_workers(pilot)
        await pilot.pause()
        running = busy_workers(pilot)
        if idle_before and not running:
            return
        if loop.time() >= deadline:
            names = ", ".join(worker.description or worker.name for worker in running)
            raise AssertionError(f"the app did not settle in {seconds:g} s: running {names}")
