"""The demo every snapshot module draws on: the degraded scenario with a frozen clock and no
controllers, started once per module (a module that needs another repo overrides `backend`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.snapshots.scenes import demo
from tuiops.services.backend import Backend


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    with demo() as running:
        yield running
