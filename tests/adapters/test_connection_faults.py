"""The connection tells the truth: for each way a server can fail, `tuiops status` ends within
10 s with one line, a watcher leaves LIVE within 10 s for a state that says what happened,
keeps its objects, and is LIVE again soon after the server answers.

Figures are printed (run with `-s` to see them); `tests/benchmarks/bench_connection_faults.py`
prints all of them as a table or JSON.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adapters.fault_cases import (
    Measured,
    proxied_case,
    restart_case,
    sigstop_case,
    silent_from_start_case,
)
from tests.adapters.faults import STATE_LIMIT, STATUS_LIMIT

RECOVERED_WITHIN = 10.0


def _check_status(measured: Measured, says: str) -> None:
    assert measured.status_seconds < STATUS_LIMIT, measured
    assert measured.status_code == 2, measured
    assert "Traceback" not in measured.status_stderr
    lines = measured.status_stderr.strip().splitlines()
    assert len(lines) == 1, measured.status_stderr
    assert lines[0].startswith("tuiops: "), lines
    assert says in lines[0], lines


def _check_state(measured: Measured, state: str) -> None:
    print(f"\n[fault] {measured.as_json()}")
    assert measured.state == state, measured
    assert measured.to_state < STATE_LIMIT, measured
    assert measured.objects_kept, "the last known objects are kept while not live"


@pytest.mark.parametrize(
    ("mode", "says"),
    [("silent", "did not answer within 6 s"), ("dribble", "sends its answer too slowly")],
)
def test_a_server_that_never_answers_properly(tmp_path: Path, mode: str, says: str) -> None:
    measured = silent_from_start_case(tmp_path, mode)
    _check_state(measured, "not answering")
    assert says in measured.message
    _check_status(measured, says)


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("silent", "did not answer within 6 s"),
        ("dribble-chunked", "sends its answer too slowly"),
    ],
)
def test_a_server_that_stops_answering_then_recovers(tmp_path: Path, mode: str, says: str) -> None:
    measured = proxied_case(tmp_path, mode)
    _check_state(measured, "not answering")
    _check_status(measured, says)
    assert measured.to_live is not None and measured.to_live < RECOVERED_WITHIN, measured


def test_a_stopped_server_process_then_continued(tmp_path: Path) -> None:
    measured = sigstop_case(tmp_path)
    _check_state(measured, "not answering")
    assert "stopped answering" in measured.message or "did not answer" in measured.message
    _check_status(measured, "did not answer within 6 s")
    assert measured.to_live is not None and measured.to_live < RECOVERED_WITHIN, measured


def test_a_killed_server_restarted_on_the_same_port(tmp_path: Path) -> None:
    measured = restart_case(tmp_path)
    _check_state(measured, "reconnecting")
    _check_status(measured, "cannot reach the API server at http://127.0.0.1:")
    assert "connection refused" in measured.status_stderr
    assert measured.to_live is not None and measured.to_live < RECOVERED_WITHIN, measured
