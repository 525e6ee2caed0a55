"""The Sources screen at 80x24 and 120x40 in the deterministic degraded scenario: every source
with its readiness, revision and message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.snapshots.scenes import SIZES, make_app, sources
from tuiops.services.backend import Backend


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_sources(size: tuple[int, int], backend: Backend, snap_compare: Callable[..., Any]) -> None:
    assert snap_compare(make_app(backend), terminal_size=size, run_before=sources)
