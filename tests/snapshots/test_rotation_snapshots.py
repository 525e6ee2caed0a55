"""The rotation dialog, a finished rotation's summary and the GitOps rollback's confirmation at
80x24 and 120x40 on the deterministic degraded demo. A changed snapshot is a UI change to
review (`pytest --snapshot-update -k rotation` rewrites them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.snapshots.rotation_scenes import ROTATION_SCENES
from tests.snapshots.scenes import SIZES, Scene, make_app
from tuiops.services.backend import Backend


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene", ROTATION_SCENES, ids=lambda s: s.name)
def test_rotation(
    scene: Scene,
    size: tuple[int, int],
    backend: Backend,
    snap_compare: Callable[..., Any],
) -> None:
    assert snap_compare(make_app(backend), terminal_size=size, run_before=scene.prepare)
