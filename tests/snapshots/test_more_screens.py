"""The Events screen (`:events`) and the context list (`:ctx`) at 80x24 and 120x40 in the
deterministic degraded scenario."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.snapshots.scenes import MORE_SCENES, SIZES, Scene, make_app
from tuiops.services.backend import Backend

OWN_FILES = ("pods", "sources")
"""Scenes whose snapshots `test_pods.py` and `test_sources.py` take."""


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    "scene", [s for s in MORE_SCENES if s.name not in OWN_FILES], ids=lambda s: s.name
)
def test_screen(
    scene: Scene, size: tuple[int, int], backend: Backend, snap_compare: Callable[..., Any]
) -> None:
    assert snap_compare(make_app(backend), terminal_size=size, run_before=scene.prepare)
