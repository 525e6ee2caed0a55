"""Every screen at 80x24 and 120x40 from the deterministic degraded scenario, through the real
adapters against the simulator. A changed snapshot is a UI change to review, not to accept
blindly (`pytest --snapshot-update` rewrites them; then run tests/make_screenshots.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.snapshots.scenes import SCENES, SIZES, Scene, make_app
from tuiops.services.backend import Backend


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene", SCENES, ids=lambda s: s.name)
def test_screen(
    scene: Scene,
    size: tuple[int, int],
    backend: Backend,
    snap_compare: Callable[..., Any],
) -> None:
    assert snap_compare(make_app(backend), terminal_size=size, run_before=scene.prepare)


NO_COLOR_SCENES = ("layers", "apps", "detail-root-cause", "talos")
"""Screens whose failed rows must stay legible without colour."""


@pytest.mark.parametrize(
    "scene", [s for s in SCENES if s.name in NO_COLOR_SCENES], ids=lambda s: s.name
)
def test_screen_without_colour(
    scene: Scene,
    backend: Backend,
    snap_compare: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """NO_COLOR set (Textual reads it when the app is built): every colour is a grey, so a
    failure must show by its glyph and its bold, never by red alone."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(backend)
    assert app.no_color
    assert snap_compare(app, terminal_size=(80, 24), run_before=scene.prepare)
