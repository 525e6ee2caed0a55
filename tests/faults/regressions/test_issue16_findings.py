"""The faults and bad inputs the fault table (issue 16) found, each kept as a small, fast test
of the fix; the whole case that found it lives in its class folder.

- api: a kind fixed after a 403 stayed "forbidden" for up to 10 s (retry was every 10 s).
- subprocess: a tool dying with a 100 kB stderr line gave a 100 kB "one-line" message.
- hostile: a SOPS file holding a control character gave a two-line error (PyYAML's reader).
- files: a folder sync failing after the rename escaped as a raw OSError (a traceback).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.faults import wait_for
from tests.sops.oracle import FIRST, run_tuiops
from tuiops.adapters.kube_api import KubeApi
from tuiops.adapters.kube_watch import FORBIDDEN_RETRY, ResourceWatcher
from tuiops.adapters.process import CommandFailed
from tuiops.domain.feed import FeedState
from tuiops.domain.kinds import HELM_RELEASE
from tuiops.gitops.sops.errors import SopsError
from tuiops.gitops.sops.storage import read_with_stamp, write_atomic
from tuiops.sim.clock import SimClock
from tuiops.sim.cluster import SimulatedCluster

RECOVER_SECONDS = 5.0


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[SimulatedCluster, KubeApi]]:
    running = SimulatedCluster(clock=SimClock(frozen=True)).start()
    api = KubeApi(str(running.write_kubeconfig(tmp_path / "kubeconfig")), timeout=5.0)
    try:
        yield running, api
    finally:
        api.close()
        running.stop()


def test_a_kind_no_longer_forbidden_is_live_within_5_s(
    cluster: tuple[SimulatedCluster, KubeApi],
) -> None:
    assert FORBIDDEN_RETRY < RECOVER_SECONDS
    running, api = cluster
    running.faults.forbid("list", "helmreleases")
    watcher: ResourceWatcher[Any] = ResourceWatcher(api, HELM_RELEASE, lambda obj: obj).start()
    try:
        wait_for(lambda: watcher.status.state is FeedState.FORBIDDEN, 10)
        running.faults.allow_all()
        wait_for(lambda: watcher.status.state is FeedState.LIVE, RECOVER_SECONDS)
    finally:
        watcher.stop()


def test_a_huge_stderr_line_is_a_short_message() -> None:
    error = CommandFailed(["kubectl", "get"], 3, "first\n" + "y" * 100_000 + "\n")
    message = str(error)
    assert message.startswith("kubectl exited 3: yyy") and message.endswith("…")
    assert len(message) < 400 and "\n" not in message
    assert len(error.stderr) > 100_000, "the whole stderr stays on the error"


def test_a_sops_file_with_a_control_character_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "clusterenv.yaml"
    path.write_bytes(b"\x08A: 1\n")
    result = run_tuiops(["env", "get", "A", "--file", str(path)], tmp_path, keys=FIRST.secret)
    assert result.one_line_error, result
    assert "control characters are not allowed" in result.err


def test_a_folder_sync_failing_after_the_rename_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "values.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    _, stamp = read_with_stamp(path)
    real, calls = os.fsync, [0]

    def fsync(descriptor: int) -> None:
        calls[0] += 1
        if calls[0] == 2:  # the folder's, after the rename
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(SopsError) as raised:
        write_atomic(path, "a: 2\n", stamp)
    assert "written, but its folder could not be synced" in str(raised.value)
    assert "\n" not in str(raised.value)
    assert path.read_text(encoding="utf-8") == "a: 2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["values.yaml"]
