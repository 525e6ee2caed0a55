"""The console state outside Textual: snapshots, the throttle, the connection word, problems."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from tuiops.domain.feed import FeedState, FeedStatus
from tuiops.domain.live import LiveObject
from tuiops.domain.refs import ObjectRef
from tuiops.services.backend import Backend
from tuiops.services.console_snapshot import ConsoleState
from tuiops.services.console_state import ConsoleSession, Throttle
from tuiops.services.problem_log import ProblemLog, state_dir
from tuiops.sim.example_repo import EXAMPLE_REPO

PLEX = ObjectRef("HelmRelease", "media", "plex")


class FakeFeed:
    """A FluxFeed whose objects and feed states the test sets."""

    def __init__(self) -> None:
        self.live: tuple[LiveObject, ...] = ()
        self.states: tuple[FeedStatus, ...] = ()
        self.fail_with: Exception | None = None

    @property
    def context(self) -> str:
        return "test"

    @property
    def server(self) -> str:
        return "https://test"

    def start(self, on_change: Callable[[], None]) -> None:
        pass

    def stop(self) -> None:
        pass

    def objects(self) -> tuple[LiveObject, ...]:
        if self.fail_with is not None:
            raise self.fail_with
        return self.live

    def feeds(self) -> tuple[FeedStatus, ...]:
        return self.states


def _session(feed: FakeFeed, tmp_path: Path) -> ConsoleSession:
    backend = Backend(EXAMPLE_REPO, flux=feed, label="test")
    moment = datetime(2026, 1, 1, 12, 0)
    return ConsoleSession(backend, clock=lambda: moment, problem_log=ProblemLog(tmp_path / "l"))


def test_snapshot_joins_the_repo_with_live_objects(tmp_path: Path) -> None:
    feed = FakeFeed()
    feed.live = (LiveObject(ref=PLEX, api_version="helm.toolkit.fluxcd.io/v2"),)
    session = _session(feed, tmp_path)
    before = session.snapshot()
    assert before.overview is None  # the repo is not read yet
    session.read_repo()
    state = session.snapshot()
    assert state.overview is not None and state.model is not None
    assert state.objects == {PLEX: feed.live[0]}
    row = state.row(PLEX)
    assert row is not None and row.live is feed.live[0]
    assert state.row_for_key(str(PLEX)) is row
    assert state.cluster() is not None


def test_snapshots_compare_by_identity() -> None:
    # A reactive holding a snapshot fires once per new one and never compares its objects.
    assert ConsoleState() != ConsoleState()
    state = ConsoleState()
    assert state == state


@pytest.mark.parametrize(
    ("states", "word"),
    [
        ((), "connecting"),
        ((FeedState.LIVE, FeedState.SYNCING), "connecting"),
        ((FeedState.LIVE, FeedState.LIVE), "live"),
        ((FeedState.LIVE, FeedState.FORBIDDEN), "forbidden"),
        ((FeedState.FORBIDDEN, FeedState.RECONNECTING), "reconnecting"),
        ((FeedState.LIVE, FeedState.UNREACHABLE), "unreachable"),
        ((FeedState.RECONNECTING, FeedState.NOT_ANSWERING), "not answering"),
        ((FeedState.NOT_SERVED, FeedState.LIVE), "not served"),
        ((FeedState.NOT_SERVED, FeedState.ERROR), "error"),
    ],
)
def test_connection_word(states: tuple[FeedState, ...], word: str, tmp_path: Path) -> None:
    feed = FakeFeed()
    feed.states = tuple(FeedStatus(f"kind{i}", state) for i, state in enumerate(states))
    session = _session(feed, tmp_path)
    session.read_repo()
    assert session.snapshot().connection == word


def test_every_other_feed_state_is_shown_by_its_own_word(tmp_path: Path) -> None:
    # A FeedState the word table does not know is never shown as "live".
    known = {FeedState.LIVE, FeedState.STOPPED, FeedState.SYNCING}
    feed = FakeFeed()
    session = _session(feed, tmp_path)
    session.read_repo()
    for state in FeedState:
        if state in known:
            continue
        feed.states = (FeedStatus("HelmRelease", FeedState.LIVE), FeedStatus("X", state))
        assert session.snapshot().connection not in ("live", "connecting"), state


def test_offline_and_problem_words() -> None:
    assert ConsoleState(offline_reason="no kubeconfig").connection == "offline"
    assert ConsoleState(problem="boom").connection == "error"


def test_throttle_runs_the_first_change_at_once_and_coalesces_a_burst() -> None:
    now = [100.0]
    throttle = Throttle(0.1, clock=lambda: now[0])
    first = throttle.request()
    assert first is not None and first <= 0.001
    assert throttle.request() is None  # one run is already due: the burst joins it
    throttle.ran()
    now[0] += 0.03
    second = throttle.request()
    assert second == pytest.approx(0.07)
    throttle.ran()
    now[0] += 5
    third = throttle.request()
    assert third is not None and third <= 0.001  # after a quiet spell: at once again


def test_a_factory_backend_is_built_by_connect(tmp_path: Path) -> None:
    feed = FakeFeed()
    built: list[int] = []

    def factory() -> Backend:
        built.append(1)
        return Backend(EXAMPLE_REPO, flux=feed, label="late")

    session = ConsoleSession(factory, problem_log=ProblemLog(tmp_path / "l"))
    assert session.backend.label == "starting…" and not built
    assert session.connect().label == "late"
    session.connect()
    assert built == [1]


def test_record_problem_keeps_the_traceback(tmp_path: Path) -> None:
    session = _session(FakeFeed(), tmp_path)
    try:
        raise ValueError("bad value")
    except ValueError as error:
        line = session.record_problem(error, "testing")
    assert line.startswith("testing: ValueError: bad value")
    assert str(tmp_path / "l") in line
    log = (tmp_path / "l").read_text()
    assert "Traceback" in log and "raise ValueError" in log and "--- " in log


def test_problem_log_never_raises(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    log = ProblemLog(blocker / "sub" / "console.log")  # a file where a folder should be
    assert log.record(ValueError("x"), "where") is None


def test_state_dir_follows_xdg() -> None:
    assert state_dir({"XDG_STATE_HOME": "/srv/state"}) == Path("/srv/state/tuiops")
    assert state_dir({"XDG_STATE_HOME": "relative"}) == Path.home() / ".local/state/tuiops"
    assert state_dir({}) == Path.home() / ".local/state/tuiops"


def test_detail_names_the_worst_feed_and_its_message(tmp_path: Path) -> None:
    feed = FakeFeed()
    feed.states = (
        FeedStatus("HelmRelease", FeedState.NOT_SERVED, "Flux is not installed here"),
        FeedStatus("Kustomization", FeedState.LIVE),
    )
    session = _session(feed, tmp_path)
    session.read_repo()
    state = session.snapshot()
    assert state.connection == "not served"
    assert state.connection_detail == "HelmRelease: Flux is not installed here"


def test_updated_moves_only_while_every_feed_is_live(tmp_path: Path) -> None:
    feed = FakeFeed()
    moments = iter(datetime(2026, 1, 1, 12, minute) for minute in range(10))
    session = ConsoleSession(
        Backend(EXAMPLE_REPO, flux=feed),
        clock=lambda: next(moments),
        problem_log=ProblemLog(tmp_path / "l"),
    )
    session.read_repo()
    feed.states = (FeedStatus("HelmRelease", FeedState.SYNCING),)
    assert session.snapshot().updated is None  # no answer yet: no time to show
    feed.states = (FeedStatus("HelmRelease", FeedState.LIVE, listed=True),)
    live_at = session.snapshot().updated
    assert live_at is not None
    feed.states = (FeedStatus("HelmRelease", FeedState.NOT_ANSWERING, listed=True),)
    assert session.snapshot().updated == live_at  # the last evidence, not the clock
    assert session.snapshot().updated == live_at


def test_absence_is_claimed_only_after_a_list(tmp_path: Path) -> None:
    feed = FakeFeed()
    session = _session(feed, tmp_path)
    session.read_repo()
    feed.states = (FeedStatus("HelmRelease", FeedState.UNREACHABLE),)
    assert session.snapshot().absence("HelmRelease").startswith("not known yet")
    feed.states = (FeedStatus("HelmRelease", FeedState.LIVE, listed=True),)
    assert session.snapshot().absence("HelmRelease") == "not in the cluster"
