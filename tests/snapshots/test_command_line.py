"""The `:` command line with its completions at 80x24 and 120x40, over Layers in the
deterministic degraded scenario: the typed text on the bottom line, the candidates above it
(the first, which tab takes, marked)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.pilot_waits import settle, wait_for, wait_for_screen
from tests.snapshots.scenes import LIVE_OBJECTS, SIZES, make_app
from tuiops.services.backend import Backend
from tuiops.ui.app import TuiopsApp
from tuiops.ui.screens.jump import JumpScreen

TYPED = {"names": "hr no", "commands": "h"}
"""Scene → what is typed after `:` (a kind and part of a name; part of a command)."""


def _typing(text: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def prepare(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, TuiopsApp)
        await wait_for(pilot, lambda: len(app.state.objects) == LIVE_OBJECTS)
        await settle(pilot)
        await pilot.press("colon")
        jump = await wait_for_screen(pilot, JumpScreen)
        await pilot.press(*text)
        await wait_for(pilot, lambda: jump.line == text and bool(jump.shown))
        await settle(pilot)

    return prepare


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene", sorted(TYPED))
def test_command_line(
    scene: str,
    size: tuple[int, int],
    backend: Backend,
    snap_compare: Callable[..., Any],
) -> None:
    assert snap_compare(make_app(backend), terminal_size=size, run_before=_typing(TYPED[scene]))
