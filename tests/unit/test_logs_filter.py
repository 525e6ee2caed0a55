"""Controller log lines from the shared fixture, and `flux logs` filters and output over them.

Expected line numbers (1-based, as in `cat -n controller-logs.jsonl`) were read off the fixture.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import FIXTURES_ROOT
from tuiops.domain.decode_live import decode_log_line
from tuiops.domain.logs import LogFilter, LogLevel, LogLine, format_flux_logs
from tuiops.domain.refs import ObjectRef

FLUX = FIXTURES_ROOT / "flux"
TEXT = (FLUX / "controller-logs.jsonl").read_text(encoding="utf-8").splitlines()


def _decoded() -> list[LogLine]:
    lines = [decode_log_line(text) for text in TEXT]
    assert all(line is not None for line in lines)
    return [line for line in lines if line is not None]


LINES = _decoded()

KIND_BY_LINE = (
    ["GitRepository"] * 3
    + ["HelmRepository", "HelmChart", "OCIRepository"]
    + ["Kustomization"] * 7
    + ["HelmRelease"] * 8
    + [""] * 3  # notification-controller event server: no controllerKind
    + ["Alert"]
)
ERROR_LINES = [3, 10, 20, 24]


def selected(log_filter: LogFilter) -> list[int]:
    return [n for n, line in enumerate(LINES, start=1) if log_filter.matches(line)]


def test_all_25_lines_decode_with_their_kind_and_level() -> None:
    assert len(LINES) == 25
    assert [line.kind for line in LINES] == KIND_BY_LINE
    levels = ["error" if n in ERROR_LINES else "info" for n in range(1, 26)]
    assert [line.level for line in LINES] == levels
    assert [line.severity for line in LINES].count(LogLevel.ERROR) == 4


def test_line_fields() -> None:
    failed = LINES[9]
    assert failed.ts == "2025-11-25T10:10:02.339Z"
    assert failed.controller == "kustomization"
    assert failed.controller_kind == "Kustomization"
    assert (failed.name, failed.namespace) == ("infra-configs", "flux-system")
    assert failed.message == "Reconciliation failed after 312.446571ms, next try in 2m0s"
    assert failed.error.startswith("ClusterIssuer/letsencrypt-prod dry-run failed")
    assert failed.error.endswith("\n")
    assert failed.raw == TEXT[9]
    assert failed.ref == ObjectRef("Kustomization", "flux-system", "infra-configs")
    dispatch = LINES[21]
    assert (dispatch.logger, dispatch.name, dispatch.namespace) == ("event-server", "", "")
    assert dispatch.message == "dispatching event"
    assert dispatch.ref is None
    startup = LINES[24]
    assert (startup.controller, startup.kind, startup.name) == ("alert", "Alert", "")


def test_default_filter_shows_only_flux_system_lines() -> None:
    # Lines 1-13 are about objects in flux-system; 14-21 are in apps/monitoring/cert-manager;
    # 22-25 carry no namespace at all.
    assert selected(LogFilter()) == list(range(1, 14))


def test_all_namespaces_shows_everything() -> None:
    assert selected(LogFilter(all_namespaces=True)) == list(range(1, 26))


def test_level_error() -> None:
    assert selected(LogFilter(level="error")) == [3, 10]
    assert selected(LogFilter(level="error", all_namespaces=True)) == ERROR_LINES


def test_level_is_compared_exactly() -> None:
    assert selected(LogFilter(level="ERROR", all_namespaces=True)) == []


def test_kind_is_case_insensitive() -> None:
    assert selected(LogFilter(kind="kustomization")) == list(range(7, 14))
    assert selected(LogFilter(kind="HELMRELEASE", all_namespaces=True)) == list(range(14, 22))
    assert selected(LogFilter(kind="HelmRelease")) == []  # none of them is in flux-system
    assert selected(LogFilter(kind="alert", all_namespaces=True)) == [25]


def test_name_is_case_insensitive_and_exact() -> None:
    # HelmRepository flux-system/podinfo and HelmRelease apps/podinfo; not HelmChart apps-podinfo.
    assert selected(LogFilter(name="PODINFO", all_namespaces=True)) == [4, 14, 15, 16, 17]
    assert selected(LogFilter(name="podinfo")) == [4]


def test_namespace_filter() -> None:
    assert selected(LogFilter(namespace="apps")) == [14, 15, 16, 17]
    assert selected(LogFilter(namespace="APPS")) == [14, 15, 16, 17]  # Go strings.EqualFold
    assert selected(LogFilter(namespace="monitoring", level="error")) == [20]


def test_legacy_reconciler_kind_is_read_and_filtered() -> None:
    text = json.dumps(
        {
            "level": "info",
            "ts": "2021-06-01T10:00:00.000Z",
            "logger": "controller.kustomization",
            "msg": "Reconciliation finished",
            "reconciler group": "kustomize.toolkit.fluxcd.io",
            "reconciler kind": "Kustomization",
            "name": "apps",
            "namespace": "flux-system",
        }
    )
    line = decode_log_line(text)
    assert line is not None
    assert (line.kind, line.controller_kind) == ("Kustomization", "")
    assert LogFilter(kind="KUSTOMIZATION").matches(line)
    assert format_flux_logs(line) == (
        "2021-06-01T10:00:00.000Z info Kustomization/apps.flux-system - Reconciliation finished "
    )


def test_format_matches_the_flux_logs_template() -> None:
    assert format_flux_logs(LINES[9]) == (
        "2025-11-25T10:10:02.339Z error Kustomization/infra-configs.flux-system"
        " - Reconciliation failed after 312.446571ms, next try in 2m0s"
        ' ClusterIssuer/letsencrypt-prod dry-run failed: no matches for kind "ClusterIssuer"'
        ' in version "cert-manager.io/v1"\n'
    )
    assert format_flux_logs(LINES[1]) == (
        "2025-11-25T10:09:42.118Z info GitRepository/flux-system.flux-system"
        " - stored artifact for commit 'Update podinfo to 6.9.2' "
    )
    assert format_flux_logs(LINES[21]) == "2025-11-24T16:02:16.004Z info  - dispatching event "
    assert (
        format_flux_logs(LINES[24]) == "2025-11-25T08:00:12.870Z info Alert - Starting Controller "
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "I1125 10:09:42.118 1 main.go:12] starting",
        ' {"level":"info"}',  # flux logs wants `{` first
        "[1, 2]",
        "{not json",
        '{"level": "info"} trailing',
        "{" * 50_000,
        '{"a":' * 50_000,
    ],
)
def test_lines_flux_logs_would_skip_decode_to_none(text: str) -> None:
    assert decode_log_line(text) is None


def test_line_terminator_is_dropped_and_non_string_values_read_as_empty() -> None:
    line = decode_log_line('{"ts": 5, "level": "info", "msg": ["x"], "name": "a"}\r\n')
    assert line is not None
    assert (line.ts, line.message, line.name) == ("", "", "a")
    assert line.raw == '{"ts": 5, "level": "info", "msg": ["x"], "name": "a"}'
