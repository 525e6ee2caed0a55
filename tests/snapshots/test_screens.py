"""Every screen at 80x24 and 120x40 from the deterministic degraded scenario, through the real
adapters against the simulator. A changed snapshot is a UI change to review, not to accept
blindly (`pytest --snapshot-update` rewrites them; then run tests/make_screenshots.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.snapshots.scenes import SCENES, SIZES, Scene, demo, make_app
from tuiops.services.backend import Backend


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    with demo() as running:
        yield running


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene", SCENES, ids=lambda s: s.name)
def test_screen(
    scene: Scene,
    size: tuple[int, int],
    backend: Backend,
    snap_compare: Callable[..., Any],
) -> None:
    assert snap_compare(make_app(backend), terminal_size=size, run_before=scene.prepare)
