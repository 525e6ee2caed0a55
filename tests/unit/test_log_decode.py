"""The fast controller-line decoder (msgspec) reads every line as the lenient domain decoder
does: the same `LogLine` for the pane, the same `flux logs` line and filter verdict for
`tuiops logs`, on the recorded controller logs and on generated lines with odd values."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tuiops.adapters.log_decode import ControllerLine, decode_fields, decode_line
from tuiops.domain.decode_live import decode_log_line
from tuiops.domain.logs import LogFilter, format_flux_logs

FIXTURE = Path(__file__).parents[1] / "fixtures" / "flux" / "controller-logs.jsonl"
KEYS = (
    "ts",
    "level",
    "controller",
    "controllerKind",
    "reconciler kind",
    "name",
    "namespace",
    "msg",
    "error",
    "logger",
)
FILTERS = (
    LogFilter(all_namespaces=True),
    LogFilter(level="error", all_namespaces=True),
    LogFilter(kind="helmrelease", namespace="APPS"),
    LogFilter(name="Podinfo", all_namespaces=True),
)
values = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.none(),
    st.booleans(),
    st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
)
controller_lines = st.dictionaries(
    st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), values, max_size=12
).map(json.dumps)


def assert_read_alike(text: str) -> None:
    expected = decode_log_line(text)
    assert decode_line(text) == expected
    fields = decode_fields(text)
    assert (fields is None) == (expected is None)
    if fields is not None and expected is not None:
        assert format_flux_logs(fields) == format_flux_logs(expected)
        for log_filter in FILTERS:
            assert log_filter.matches(fields) == log_filter.matches(expected)


def test_the_recorded_controller_lines() -> None:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 20
    for text in lines:
        assert_read_alike(text)
    # The fast path really is taken for well-formed lines (not the fallback every time).
    assert sum(isinstance(decode_fields(text), ControllerLine) for text in lines) > 20


@given(controller_lines)
def test_generated_json_objects(text: str) -> None:
    assert_read_alike(text)


@given(st.text(max_size=40))
def test_any_text(text: str) -> None:
    assert_read_alike(text)


def test_lines_that_are_not_one_json_object() -> None:
    for text in (
        "",
        "plain text",
        "[1, 2]",
        '{"msg": "\udcff"}',
        '{"level": "info"',
        "{} trailing",
        '"{}"',
        "{\r\n",
    ):
        assert_read_alike(text)
    assert decode_fields('{"msg":"hi"}\r\n') is not None
