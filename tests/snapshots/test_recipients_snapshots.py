"""The Recipients screen and its confirmations at 80x24 and 120x40 on the deterministic degraded
demo whose `.sops.yaml` gained a recipient. A changed snapshot is a UI change to review
(`pytest --snapshot-update -k recipients` rewrites them)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.snapshots.recipients_scenes import RECIPIENTS_SCENES, add_test_recipient
from tests.snapshots.scenes import SIZES, Scene, make_app
from tuiops.services.backend import Backend
from tuiops.wiring import demo_repo, simulated_backend


@pytest.fixture
def backend() -> Iterator[Backend]:
    """A fresh demo per scene: the last scene re-seals the files."""
    with demo_repo() as repo:
        add_test_recipient(repo)
        with simulated_backend(repo, frozen_clock=True, controllers=False) as running:
            yield running


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene", RECIPIENTS_SCENES, ids=lambda s: s.name)
def test_recipients(
    scene: Scene,
    size: tuple[int, int],
    backend: Backend,
    snap_compare: Callable[..., Any],
) -> None:
    assert snap_compare(make_app(backend), terminal_size=size, run_before=scene.prepare)
