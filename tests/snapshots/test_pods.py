"""The Pods screen at 80x24 and 120x40 in the deterministic degraded scenario:
node-feature-discovery's workloads → ReplicaSets, reached from its Detail page with `o`, the
cursor on the ReplicaSet that cannot create pods and the panel saying why (FailedCreate:
`serviceaccount "nfd-worker" not found`, with the event's age and exact time)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.snapshots.scenes import SIZES, make_app, pods
from tuiops.services.backend import Backend


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_pods(size: tuple[int, int], backend: Backend, snap_compare: Callable[..., Any]) -> None:
    assert snap_compare(make_app(backend), terminal_size=size, run_before=pods)
